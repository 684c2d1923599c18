// Structured logging: one line per event, as text or JSON lines, with the
// task's coordinates as fields. Thread-safe; never logs credentials (only
// the fields callers pass, and no caller passes secrets).
#pragma once

#include <atomic>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.hpp"

namespace swfrt::runtime {

using log_level = config::log_level;
using log_format = config::log_format;

std::optional<log_level> log_level_from_string(std::string_view s) noexcept;
using config::to_string;

using log_field = std::pair<std::string_view, std::string_view>;

class logger {
public:
    explicit logger(log_level level = log_level::info, log_format format = log_format::text,
                    std::FILE* out = stderr)
        : level_(level), format_(format), out_(out) {}

    bool enabled(log_level l) const noexcept { return l >= level_.load(std::memory_order_relaxed); }
    void set_level(log_level l) noexcept { level_.store(l, std::memory_order_relaxed); }

    // `fields` are appended as key=value (text) or members (JSON); empty
    // values are left out.
    void log(log_level l, std::string_view message, std::initializer_list<log_field> fields = {});
    void trace(std::string_view m, std::initializer_list<log_field> f = {}) { log(log_level::trace, m, f); }
    void debug(std::string_view m, std::initializer_list<log_field> f = {}) { log(log_level::debug, m, f); }
    void info(std::string_view m, std::initializer_list<log_field> f = {}) { log(log_level::info, m, f); }
    void warn(std::string_view m, std::initializer_list<log_field> f = {}) { log(log_level::warn, m, f); }
    void error(std::string_view m, std::initializer_list<log_field> f = {}) { log(log_level::error, m, f); }

    // The line as it would be written, without the timestamp (for tests).
    std::string format_line(log_level l, std::string_view message, std::initializer_list<log_field> fields,
                            std::string_view timestamp) const;

private:
    std::atomic<log_level> level_;
    log_format format_;
    std::FILE* out_;
    std::mutex mutex_;
};

} // namespace swfrt::runtime
