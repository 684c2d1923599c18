// Time comes from an injected clock so that expiry, refresh and backoff are
// tested without sleeping.
#pragma once

#include <chrono>

namespace swfrt::swf {

class clock {
public:
    using time_point = std::chrono::system_clock::time_point;
    virtual ~clock() = default;
    virtual time_point now() const = 0;
};

class system_clock final : public clock {
public:
    time_point now() const override { return std::chrono::system_clock::now(); }
    static const system_clock& instance() {
        static const system_clock c;
        return c;
    }
};

// Test clock: time moves only when the test says so.
class manual_clock final : public clock {
public:
    explicit manual_clock(time_point start = time_point{std::chrono::seconds{1700000000}}) : now_(start) {}
    time_point now() const override { return now_; }
    void advance(std::chrono::system_clock::duration d) { now_ += d; }
    void set(time_point t) { now_ = t; }

private:
    time_point now_;
};

} // namespace swfrt::swf
