#include "swf/client/retry.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace swfrt::swf::client {
namespace {

bool is_connection_code(std::string_view code) noexcept {
    return code == "NetworkError" || code == "ConnectFailed" || code == "ConnectTimeout" || code == "ReadTimeout" || code == "WriteTimeout" ||
           code == "TlsHandshakeTimeout" || code == "TlsHandshakeFailed" || code == "InvalidResponse";
}

} // namespace

bool is_retryable(const error& e) noexcept {
    return e.kind == error_kind::retryable || e.kind == error_kind::throttled;
}

bool is_timeout_or_connection_error(const error& e) noexcept {
    return e.http_status == 0 && is_connection_code(e.code);
}

bool may_have_taken_effect(const error& e) noexcept {
    if (e.http_status >= 500) return true;
    // The request was written (or may have been) when these happened.
    return e.http_status == 0 &&
           (e.code == "ReadTimeout" || e.code == "NetworkError" || e.code == "InvalidResponse" ||
            e.code == "WriteTimeout");
}

std::chrono::milliseconds backoff_delay(const retry_options& options, int retry, double uniform01) noexcept {
    uniform01 = std::clamp(uniform01, 0.0, 1.0);
    double exp = std::ldexp(1.0, std::clamp(retry - 1, 0, 30));
    double ms = uniform01 * static_cast<double>(options.base_delay.count()) * exp;
    ms = std::min(ms, static_cast<double>(options.max_backoff.count()));
    return std::chrono::milliseconds{static_cast<std::int64_t>(ms)};
}

retry_quota::retry_quota(const retry_options& options) : options_(options), available_(options.initial_quota) {}

bool retry_quota::acquire(const error& e, int& taken) {
    int cost = is_timeout_or_connection_error(e) ? options_.timeout_cost : options_.retry_cost;
    std::lock_guard lock(mutex_);
    if (available_ < cost) return false;
    available_ -= cost;
    taken += cost;
    return true;
}

void retry_quota::release(int taken) {
    std::lock_guard lock(mutex_);
    available_ = std::min(options_.initial_quota, available_ + (taken > 0 ? taken : options_.no_retry_increment));
}

int retry_quota::available() const {
    std::lock_guard lock(mutex_);
    return available_;
}

} // namespace swfrt::swf::client
