#include "runtime/plugin/log_host.hpp"

#include <atomic>

namespace swfrt::runtime::plugin {

namespace {

std::atomic<logger*> target{nullptr};

logger& current() {
    static logger fallback;
    auto* t = target.load(std::memory_order_acquire);
    return t ? *t : fallback;
}

class host final : public sdk::log_host {
public:
    bool enabled(sdk::log_level level) const override { return current().enabled(to_runtime(level)); }
    void log(sdk::log_level level, std::string_view message, std::initializer_list<sdk::log_field> fields) override {
        current().log(to_runtime(level), message, fields);
    }
};

} // namespace

log_level to_runtime(sdk::log_level level) noexcept {
    switch (level) {
    case sdk::log_level::debug: return log_level::debug;
    case sdk::log_level::info: return log_level::info;
    case sdk::log_level::warn: return log_level::warn;
    case sdk::log_level::error: return log_level::error;
    }
    return log_level::info;
}

sdk::log_host& log_host() {
    static host h;
    return h;
}

void set_log_target(logger* t) {
    target.store(t, std::memory_order_release);
}

} // namespace swfrt::runtime::plugin
