// Internals shared by the generated codec and the hand-written primitives:
// decode/validate contexts that build the member path on the way out of a
// failure, and the primitive encoders/decoders. Not a public header.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "swf/codec/codec.hpp"
#include "swf/codec/json_writer.hpp"
#include "swf/model/model.hpp"

namespace swfrt::swf::codec::detail {

// A failure records its message at the innermost point; every level it
// passes on the way out adds its member name or index.
class path_builder {
public:
    bool in_member(std::string_view name) {
        if (name.empty()) return false; // the caller adds the name with an index
        segments_.push_back(std::string(".") += name);
        return false;
    }
    bool in_index_only(std::size_t i) {
        segments_.push_back("[" + std::to_string(i) + "]");
        return false;
    }
    bool in_index(std::string_view name, std::size_t i) {
        in_index_only(i);
        return in_member(name);
    }
    std::string path() const {
        std::string p;
        for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) p += *it;
        if (!p.empty() && p[0] == '.') p.erase(0, 1);
        return p;
    }
    std::string message;

private:
    std::vector<std::string> segments_;
};

// Levels of nesting skip_value follows inside a member the model does not
// know before it gives up with an error.
inline constexpr int max_unknown_nesting = 128;

struct decode_context : path_builder {
    bool strict = false;
    int skip_depth = 0;

    bool fail_type(std::string_view expected) {
        message = std::string("expected ") += expected;
        return false;
    }
    bool fail_syntax() {
        message = "malformed JSON";
        return false;
    }
    bool fail_enum(std::string_view type, std::string_view value) {
        message = "unknown " + std::string(type) + " value '" + std::string(value) + "'";
        return false;
    }
    bool fail_missing(std::string_view member) {
        message = "required member is missing";
        return in_member(member);
    }
    bool fail_unknown_member(std::string_view member) {
        message = "member does not exist in the SWF model";
        return in_member(member);
    }
    bool fail_range(std::string_view what) {
        message = std::string(what);
        return false;
    }
};

struct validate_context : path_builder {
    // Besides the message: the constraint in AWS's words and the value that
    // broke it (a service answers with them).
    std::string constraint;
    std::string value;

    // An enum value kept from a response that this SDK does not know: SWF
    // would refuse it, or worse, read it as something else.
    bool refuse_unknown(const std::string& text, std::string_view member) {
        message = "holds '" + text + "', a value this SDK does not know (kept from a response); it is not sent";
        constraint = "Member must satisfy enum value set";
        value = text;
        return in_member(member);
    }
    bool check_utf8(const std::string& s, std::string_view member) {
        if (is_valid_utf8(s)) return true;
        message = "is not valid UTF-8";
        constraint = "Member must be valid UTF-8";
        return in_member(member);
    }
    bool check_max_length(const std::string& s, std::size_t max, std::string_view member) {
        auto n = swf_length(s);
        if (n <= max) return true;
        message = "is " + std::to_string(n) + " characters long, the limit is " + std::to_string(max);
        constraint = "Member must have length less than or equal to " + std::to_string(max);
        value = s;
        return in_member(member);
    }
    bool check_min_length(const std::string& s, std::size_t min, std::string_view member) {
        if (swf_length(s) >= min) return true;
        message = min == 1 ? std::string("must not be empty") : "must be at least " + std::to_string(min) + " characters";
        constraint = "Member must have length greater than or equal to " + std::to_string(min);
        value = s;
        return in_member(member);
    }
    bool check_min_value(std::int64_t v, std::int64_t min, std::string_view member) {
        if (v >= min) return true;
        message = "is " + std::to_string(v) + ", the minimum is " + std::to_string(min);
        constraint = "Member must have value greater than or equal to " + std::to_string(min);
        value = std::to_string(v);
        return in_member(member);
    }
    bool check_max_value(std::int64_t v, std::int64_t max, std::string_view member) {
        if (v <= max) return true;
        message = "is " + std::to_string(v) + ", the maximum is " + std::to_string(max);
        constraint = "Member must have value less than or equal to " + std::to_string(max);
        value = std::to_string(v);
        return in_member(member);
    }
    bool check_max_items(std::size_t n, std::size_t max, std::string_view member) {
        if (n <= max) return true;
        message = "has " + std::to_string(n) + " items, the limit is " + std::to_string(max);
        constraint = "Member must have length less than or equal to " + std::to_string(max);
        return in_member(member);
    }
};

inline bool is_null(simdjson::ondemand::value& v) {
    bool null = false;
    return !v.is_null().get(null) && null;
}

// A member name as written when it holds no escape (the model's names are
// plain ASCII): no copy, no unescaping. Stage 1 found the closing quote, so
// the scan stops inside the document. Escaped names are unescaped.
inline bool read_key(simdjson::ondemand::field& field, std::string_view& key) {
    const char* raw = field.key().raw();
    const char* p = raw;
    while (*p != '"' && *p != '\\')
        ++p;
    if (*p == '"') {
        key = std::string_view(raw, static_cast<std::size_t>(p - raw));
        return true;
    }
    return !field.unescaped_key().get(key);
}

inline bool decode_string_view(simdjson::ondemand::value v, std::string_view& out, decode_context& ctx) {
    if (v.get_string().get(out)) return ctx.fail_type("string");
    return true;
}

inline bool decode_value(simdjson::ondemand::value v, std::string& out, decode_context& ctx) {
    // A string without escapes is copied straight from the document (one
    // copy, instead of unescaping into the parser's buffer and copying that).
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
        raw.remove_suffix(1);
    if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"' &&
        !std::memchr(raw.data() + 1, '\\', raw.size() - 2)) {
        out.assign(raw.data() + 1, raw.size() - 2);
        return true;
    }
    std::string_view s;
    if (!decode_string_view(v, s, ctx)) return false;
    out.assign(s.data(), s.size());
    return true;
}

inline bool decode_value(simdjson::ondemand::value v, std::int64_t& out, decode_context& ctx) {
    if (v.get_int64().get(out)) return ctx.fail_type("integer");
    return true;
}

inline bool decode_value(simdjson::ondemand::value v, std::int32_t& out, decode_context& ctx) {
    std::int64_t wide = 0;
    if (v.get_int64().get(wide)) return ctx.fail_type("integer");
    if (wide < std::numeric_limits<std::int32_t>::min() || wide > std::numeric_limits<std::int32_t>::max())
        return ctx.fail_range("integer out of 32-bit range");
    out = static_cast<std::int32_t>(wide);
    return true;
}

inline bool decode_value(simdjson::ondemand::value v, bool& out, decode_context& ctx) {
    if (v.get_bool().get(out)) return ctx.fail_type("boolean");
    return true;
}

// Timestamps: epoch seconds as a JSON number, integer or with a fraction.
inline bool decode_value(simdjson::ondemand::value v, double& out, decode_context& ctx) {
    if (v.get_double().get(out)) return ctx.fail_type("number (epoch seconds)");
    return true;
}

bool decode_value(simdjson::ondemand::value v, model::empty& out, decode_context& ctx);
void encode_value(json_writer& w, const model::empty& in);
bool validate_value(const model::empty& in, validate_context& ctx);

} // namespace swfrt::swf::codec::detail

#include "swf/codec/codec_decls.hpp"

namespace swfrt::swf::codec::detail {

// Reads a value the model does not know, so that a malformed one is still an
// error (On-Demand does not check what it skips).
bool skip_value(simdjson::ondemand::value v, decode_context& ctx);

template <class T>
bool decode_value(simdjson::ondemand::value v, std::vector<T>& out, decode_context& ctx) {
    simdjson::ondemand::array arr;
    if (v.get_array().get(arr)) return ctx.fail_type("array");
    if constexpr (sizeof(T) > 64) {
        // Large elements (history events) are costly to move when the
        // vector grows: count first (a cheap walk of the index).
        std::size_t n = 0;
        if (!arr.count_elements().get(n)) out.reserve(out.size() + n);
    }
    std::size_t i = 0;
    for (auto elem : arr) {
        simdjson::ondemand::value ev;
        if (std::move(elem).get(ev)) return ctx.fail_syntax();
        if (!decode_value(ev, out.emplace_back(), ctx)) return ctx.in_index_only(i);
        ++i;
    }
    return true;
}

inline void encode_value(json_writer& w, const std::string& s) { w.string(s); }
inline void encode_value(json_writer& w, std::int64_t v) { w.number(v); }
inline void encode_value(json_writer& w, std::int32_t v) { w.number(static_cast<std::int64_t>(v)); }
inline void encode_value(json_writer& w, bool v) { w.boolean(v); }
inline void encode_value(json_writer& w, double v) { w.number(v); }

template <class T>
void encode_value(json_writer& w, const std::vector<T>& v) {
    w.begin_array();
    for (const auto& e : v) encode_value(w, e);
    w.end_array();
}

// Runs a decoder over a whole document; defined in codec.cpp.
using root_decoder = bool (*)(simdjson::ondemand::value, void*, decode_context&);
result<void> decode_document(std::string_view json, const decode_options& options, void* out, root_decoder fn);

} // namespace swfrt::swf::codec::detail

namespace swfrt::swf::codec {

template <class T>
result<T> decode(std::string_view json, const decode_options& options) {
    T out{};
    auto r = detail::decode_document(
        json, options, &out, [](simdjson::ondemand::value v, void* p, detail::decode_context& ctx) {
            return detail::decode_value(v, *static_cast<T*>(p), ctx);
        });
    if (!r) return std::move(r).error();
    return out;
}

template <class T>
void encode_to(std::string& out, const T& value) {
    json_writer w(out);
    detail::encode_value(w, value);
}

template <class T>
std::string encode(const T& value) {
    std::string out;
    encode_to(out, value);
    return out;
}

template <class T>
result<void> validate(const T& value) {
    detail::validate_context ctx;
    if (detail::validate_value(value, ctx)) return {};
    auto path = ctx.path();
    auto e = make_error(error_kind::validation, "ValidationException",
                        (path.empty() ? std::string() : path + " ") + ctx.message);
    // path, constraint and value, a line each, for a service's answer.
    e.detail = path + "\n" + ctx.constraint + "\n" + ctx.value;
    return e;
}

} // namespace swfrt::swf::codec
