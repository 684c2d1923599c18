// An injectable view of the process environment: every provider and the
// settings resolver read variables through it, so tests run against fake
// environments instead of mutating the real one.
#pragma once

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace swfrt::swf::auth {

using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

// Reads the real environment with getenv.
inline env_lookup system_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

// A fixed environment, for tests and for embedding with explicit values.
inline env_lookup map_env(std::map<std::string, std::string, std::less<>> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// The SDKs treat a variable set to the empty string as unset.
inline std::optional<std::string> env_value(const env_lookup& env, std::string_view name) {
    if (!env) return std::nullopt;
    auto v = env(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
}

} // namespace swfrt::swf::auth
