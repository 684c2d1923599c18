#include "config/config.hpp"

#include "config/input_file.hpp"

#include <cstdlib>

namespace swfrt::config {

env_lookup system_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

std::string handler_ref::text() const {
    return version.empty() ? name : name + ":" + version;
}

std::string config_error::to_string() const {
    if (line <= 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

config_error config::error_at(source_location where, std::string message) const {
    return {source_file, where.line, where.column, std::move(message)};
}

std::string_view to_string(worker_kind k) {
    switch (k) {
    case worker_kind::activity: return "activity";
    case worker_kind::decision: return "decision";
    }
    return "unknown";
}

std::string_view to_string(log_level l) {
    switch (l) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    }
    return "unknown";
}

std::string_view to_string(log_format f) {
    switch (f) {
    case log_format::text: return "text";
    case log_format::json: return "json";
    }
    return "unknown";
}

load_result load_file(const std::string& path, env_lookup env) {
    auto in = read_input_file(path, max_config_bytes, "config file", false);
    if (!in.ok()) {
        load_result r;
        r.errors.push_back({path, 0, 0, "cannot read the config file: " + in.reason});
        return r;
    }
    return load_string(*in.text, path, std::move(env));
}

std::vector<config_error> check_runnable(const config& c) {
    std::vector<config_error> errors;
    if (c.workers.empty()) {
        errors.push_back(c.error_at(c.workers_location,
                                    "no workers configured: `run` needs at least one entry under workers"));
    }
    return errors;
}

} // namespace swfrt::config
