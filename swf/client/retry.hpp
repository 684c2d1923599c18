// AWS "standard" retry mode: a bounded number of attempts, exponential
// backoff with full jitter capped at 20 s, and a retry quota shared by all
// calls of a client so that a failing service is not hammered by retries.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "swf/error.hpp"

namespace swfrt::swf::client {

struct retry_options {
    int max_attempts = 3; // attempts in total, the first included; 1 disables retries
    std::chrono::milliseconds base_delay{1000};
    std::chrono::milliseconds max_backoff{20000};
    // The quota: each retry takes retry_cost (timeout_cost after a timeout or
    // connection error); a success gives back what its retries took, or
    // no_retry_increment when it needed none. Empty quota: no more retries.
    int initial_quota = 500;
    int retry_cost = 5;
    int timeout_cost = 10;
    int no_retry_increment = 1;
};

// Whether standard mode retries this error: throttling, 5xx and transient
// faults, connection errors and timeouts.
bool is_retryable(const error& e) noexcept;

// Connection-level failures and timeouts, which cost more quota.
bool is_timeout_or_connection_error(const error& e) noexcept;

// Whether the request may have reached SWF and taken effect although no
// answer came back (lost response, 5xx). Connection set-up failures are not.
bool may_have_taken_effect(const error& e) noexcept;

// The delay before retry number `retry` (1 for the first retry):
// uniform(0, 1) * base * 2^(retry-1), capped at max_backoff.
std::chrono::milliseconds backoff_delay(const retry_options& options, int retry, double uniform01) noexcept;

class retry_quota {
public:
    explicit retry_quota(const retry_options& options);

    // Takes the cost of retrying after `e`; false when the quota cannot pay
    // for it (the caller then gives up with `e`). Returns the amount taken.
    bool acquire(const error& e, int& taken);
    // After a successful call: refund what its retries took (or the small
    // increment when it needed none), never above the initial quota.
    void release(int taken);
    int available() const;

private:
    retry_options options_;
    mutable std::mutex mutex_;
    int available_;
};

} // namespace swfrt::swf::client
