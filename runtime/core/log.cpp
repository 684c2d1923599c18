#include "runtime/core/log.hpp"

#include <chrono>
#include <ctime>

#include "swf/codec/codec.hpp"
#include "swf/redact.hpp"

#include <vector>

namespace swfrt::runtime {

std::optional<log_level> log_level_from_string(std::string_view s) noexcept {
    if (s == "trace") return log_level::trace;
    if (s == "debug") return log_level::debug;
    if (s == "info") return log_level::info;
    if (s == "warn") return log_level::warn;
    if (s == "error") return log_level::error;
    return std::nullopt;
}

namespace {

bool needs_quotes(std::string_view v) {
    if (v.empty()) return true;
    for (char c : v)
        if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
    return false;
}

std::string now_utc() {
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

} // namespace

std::string logger::format_line(log_level l, std::string_view raw_message, std::initializer_list<log_field> raw_fields,
                                std::string_view timestamp) const {
    // Every line, at every level, goes through the redactor: a credential
    // can arrive inside any error text (a peer's message, a command line).
    const std::string message = swf::redact(raw_message);
    std::vector<std::pair<std::string_view, std::string>> fields;
    fields.reserve(raw_fields.size());
    for (const auto& [k, v] : raw_fields) fields.emplace_back(k, swf::redact(v));
    std::string line;
    line.reserve(128 + message.size());
    if (format_ == log_format::json) {
        line += "{\"time\":";
        swf::codec::append_json_string(line, timestamp);
        line += ",\"level\":";
        swf::codec::append_json_string(line, to_string(l));
        line += ",\"msg\":";
        swf::codec::append_json_string(line, message);
        for (const auto& [k, v] : fields) {
            if (v.empty()) continue;
            line += ',';
            swf::codec::append_json_string(line, k);
            line += ':';
            swf::codec::append_json_string(line, v);
        }
        line += "}";
    } else {
        line.append(timestamp).append(" ");
        std::string_view lv = to_string(l);
        line.append(lv).append(5 - lv.size() + 1, ' ');
        line.append(message);
        for (const auto& [k, v] : fields) {
            if (v.empty()) continue;
            line.append(" ").append(k).append("=");
            if (needs_quotes(v)) {
                swf::codec::append_json_string(line, v);
            } else {
                line.append(v);
            }
        }
    }
    line += '\n';
    return line;
}

void logger::log(log_level l, std::string_view message, std::initializer_list<log_field> fields) {
    if (!enabled(l)) return;
    std::string line = format_line(l, message, fields, now_utc());
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

} // namespace swfrt::runtime
