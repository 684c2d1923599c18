// Small helpers shared by the credential providers' implementations.
#pragma once

#include <cctype>
#include <chrono>
#include <string_view>

#include "swf/http/pool.hpp"

namespace swfrt::swf::auth::internal {

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// A pool for a metadata endpoint (ECS, IMDS): one connection, short
// timeouts, small bodies.
inline http::pool_options metadata_pool_options(std::chrono::milliseconds connect, std::chrono::milliseconds read) {
    http::pool_options po;
    po.timeouts.connect = connect;
    po.timeouts.read = read;
    po.timeouts.write = read;
    po.max_idle_per_host = 1;
    po.max_body_bytes = 64 * 1024;
    return po;
}

} // namespace swfrt::swf::auth::internal
