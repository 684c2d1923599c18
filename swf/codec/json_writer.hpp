// A minimal streaming JSON writer into a std::string: the encoder's only
// output path, so escaping lives in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace swfrt::swf::codec {

class json_writer {
public:
    explicit json_writer(std::string& out) : out_(out) {}

    void begin_object() { separate(); out_ += '{'; comma_ = false; }
    void end_object() { out_ += '}'; comma_ = true; }
    void begin_array() { separate(); out_ += '['; comma_ = false; }
    void end_array() { out_ += ']'; comma_ = true; }
    // Keys are model member names: plain ASCII, never escaped.
    void key(std::string_view k) {
        separate();
        out_ += '"';
        out_ += k;
        out_ += "\":";
        comma_ = false;
    }
    void string(std::string_view s);
    void number(std::int64_t v);
    void number(double v);
    void boolean(bool v) { separate(); out_ += v ? "true" : "false"; comma_ = true; }
    void null() { separate(); out_ += "null"; comma_ = true; }
    // Appends already-encoded JSON as one value.
    void raw(std::string_view json) { separate(); out_ += json; comma_ = true; }

private:
    void separate() {
        if (comma_) out_ += ',';
    }
    std::string& out_;
    bool comma_ = false;
};

} // namespace swfrt::swf::codec
