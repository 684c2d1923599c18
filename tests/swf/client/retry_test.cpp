// Standard-mode retry pieces: full-jitter backoff, the shared retry quota and
// which errors are retried or may have taken effect.
#include "swf/client/retry.hpp"

#include "swf/client/faults.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace {

using namespace swfrt::swf;
using namespace std::chrono_literals;
using client::backoff_delay;
using client::is_retryable;
using client::is_timeout_or_connection_error;
using client::may_have_taken_effect;
using client::retry_options;
using client::retry_quota;

error transport_error(const std::string& code) {
    return make_error(error_kind::retryable, code, code + " happened");
}

error fault(int status, const std::string& type) {
    return client::decode_fault(status, R"({"__type":"com.amazonaws.swf.base.model#)" + type +
                                            R"(","message":"m"})");
}

// ------------------------------------------------------------------ backoff

TEST(backoff_delay, zero_jitter_is_zero) {
    retry_options o;
    for (int retry = 1; retry <= 10; ++retry) EXPECT_EQ(backoff_delay(o, retry, 0.0), 0ms) << retry;
}

TEST(backoff_delay, doubles_with_each_retry) {
    retry_options o; // base 1 s
    EXPECT_EQ(backoff_delay(o, 1, 0.5), 500ms);
    EXPECT_EQ(backoff_delay(o, 2, 0.5), 1000ms);
    EXPECT_EQ(backoff_delay(o, 3, 0.5), 2000ms);
    EXPECT_EQ(backoff_delay(o, 4, 0.5), 4000ms);
    EXPECT_EQ(backoff_delay(o, 5, 0.5), 8000ms);
    EXPECT_EQ(backoff_delay(o, 6, 0.5), 16000ms);
}

TEST(backoff_delay, capped_at_twenty_seconds) {
    retry_options o;
    EXPECT_EQ(o.max_backoff, 20000ms);
    EXPECT_EQ(backoff_delay(o, 7, 0.5), 20000ms); // 32 s before the cap
    EXPECT_EQ(backoff_delay(o, 6, 1.0), 20000ms); // 32 s before the cap
    EXPECT_EQ(backoff_delay(o, 5, 1.0), 16000ms);
    EXPECT_EQ(backoff_delay(o, 40, 0.999), 20000ms);
    // Huge retry numbers neither overflow nor go negative.
    EXPECT_EQ(backoff_delay(o, 1000000, 0.75), 20000ms);
}

TEST(backoff_delay, full_jitter_stays_within_bounds) {
    retry_options o;
    for (int retry = 1; retry <= 8; ++retry) {
        const auto ceiling = std::min<std::chrono::milliseconds>(o.base_delay * (1 << (retry - 1)), o.max_backoff);
        auto previous = -1ms;
        for (int i = 0; i < 100; ++i) {
            double u = i / 100.0;
            auto d = backoff_delay(o, retry, u);
            EXPECT_GE(d, 0ms);
            EXPECT_LE(d, ceiling) << "retry " << retry << " u " << u;
            EXPECT_GE(d, previous) << "delay must grow with the random draw";
            previous = d;
        }
        EXPECT_GE(backoff_delay(o, retry, 0.99), ceiling * 98 / 100) << retry;
    }
}

TEST(backoff_delay, out_of_range_inputs_are_clamped) {
    retry_options o;
    EXPECT_EQ(backoff_delay(o, 1, -3.0), 0ms);
    EXPECT_EQ(backoff_delay(o, 1, 7.0), 1000ms);
    EXPECT_EQ(backoff_delay(o, 0, 0.5), 500ms);
    EXPECT_EQ(backoff_delay(o, -4, 0.5), 500ms);
}

TEST(backoff_delay, follows_the_options) {
    retry_options o;
    o.base_delay = 100ms;
    o.max_backoff = 1500ms;
    EXPECT_EQ(backoff_delay(o, 1, 1.0), 100ms);
    EXPECT_EQ(backoff_delay(o, 3, 1.0), 400ms);
    EXPECT_EQ(backoff_delay(o, 4, 1.0), 800ms);
    EXPECT_EQ(backoff_delay(o, 5, 1.0), 1500ms);
    EXPECT_EQ(backoff_delay(o, 5, 0.5), 800ms);
}

// -------------------------------------------------------------------- quota

TEST(retry_quota, defaults) {
    retry_options o;
    EXPECT_EQ(o.max_attempts, 3);
    EXPECT_EQ(o.initial_quota, 500);
    EXPECT_EQ(o.retry_cost, 5);
    EXPECT_EQ(o.timeout_cost, 10);
    retry_quota q(o);
    EXPECT_EQ(q.available(), 500);
}

TEST(retry_quota, retry_costs_five_timeout_costs_ten) {
    retry_quota q(retry_options{});
    int taken = 0;
    ASSERT_TRUE(q.acquire(fault(500, "InternalFailure"), taken));
    EXPECT_EQ(taken, 5);
    EXPECT_EQ(q.available(), 495);
    ASSERT_TRUE(q.acquire(fault(400, "ThrottlingException"), taken));
    EXPECT_EQ(taken, 10);
    EXPECT_EQ(q.available(), 490);
    ASSERT_TRUE(q.acquire(transport_error("ReadTimeout"), taken));
    EXPECT_EQ(taken, 20);
    EXPECT_EQ(q.available(), 480);
    ASSERT_TRUE(q.acquire(transport_error("ConnectTimeout"), taken));
    ASSERT_TRUE(q.acquire(transport_error("NetworkError"), taken));
    EXPECT_EQ(taken, 40);
    EXPECT_EQ(q.available(), 460);
}

TEST(retry_quota, success_refunds_what_its_retries_took) {
    retry_quota q(retry_options{});
    int taken = 0;
    ASSERT_TRUE(q.acquire(fault(503, "ServiceUnavailable"), taken));
    ASSERT_TRUE(q.acquire(transport_error("ReadTimeout"), taken));
    EXPECT_EQ(q.available(), 485);
    q.release(taken);
    EXPECT_EQ(q.available(), 500);
}

TEST(retry_quota, success_without_retries_adds_the_increment_up_to_the_initial_quota) {
    retry_quota q(retry_options{});
    q.release(0);
    EXPECT_EQ(q.available(), 500) << "never above the initial quota";
    int taken = 0;
    ASSERT_TRUE(q.acquire(fault(500, "InternalFailure"), taken));
    q.release(0);
    EXPECT_EQ(q.available(), 496);
    q.release(0);
    q.release(0);
    q.release(0);
    q.release(0);
    EXPECT_EQ(q.available(), 500);
}

TEST(retry_quota, refund_never_exceeds_the_initial_quota) {
    retry_quota q(retry_options{});
    q.release(50);
    EXPECT_EQ(q.available(), 500);
}

TEST(retry_quota, exhaustion_refuses_retries) {
    retry_options o;
    o.initial_quota = 12;
    retry_quota q(o);
    int taken = 0;
    EXPECT_TRUE(q.acquire(fault(500, "InternalFailure"), taken));
    EXPECT_TRUE(q.acquire(fault(500, "InternalFailure"), taken));
    EXPECT_EQ(q.available(), 2);
    EXPECT_EQ(taken, 10);
    EXPECT_FALSE(q.acquire(fault(500, "InternalFailure"), taken));
    EXPECT_EQ(q.available(), 2) << "a refused retry takes nothing";
    EXPECT_EQ(taken, 10);
    // Once a success gives back what it took, retries are possible again.
    q.release(taken);
    EXPECT_EQ(q.available(), 12);
    taken = 0;
    EXPECT_TRUE(q.acquire(transport_error("ReadTimeout"), taken));
    EXPECT_FALSE(q.acquire(transport_error("ReadTimeout"), taken)) << "2 left, a timeout costs 10";
    EXPECT_EQ(q.available(), 2);
}

TEST(retry_quota, timeout_cost_can_be_unaffordable_while_a_plain_retry_is_not) {
    retry_options o;
    o.initial_quota = 7;
    retry_quota q(o);
    int taken = 0;
    EXPECT_FALSE(q.acquire(transport_error("ReadTimeout"), taken));
    EXPECT_EQ(taken, 0);
    EXPECT_TRUE(q.acquire(fault(503, "ServiceUnavailable"), taken));
    EXPECT_EQ(q.available(), 2);
}

// --------------------------------------------------------- classification

TEST(is_retryable, by_kind) {
    EXPECT_TRUE(is_retryable(make_error(error_kind::retryable, "X", "")));
    EXPECT_TRUE(is_retryable(make_error(error_kind::throttled, "X", "")));
    for (auto k : {error_kind::auth, error_kind::validation, error_kind::not_found, error_kind::conflict,
                   error_kind::fatal})
        EXPECT_FALSE(is_retryable(make_error(k, "X", ""))) << to_string(k);
}

TEST(is_retryable, decoded_faults_and_transport_errors) {
    EXPECT_TRUE(is_retryable(fault(500, "InternalFailure")));
    EXPECT_TRUE(is_retryable(fault(503, "ServiceUnavailable")));
    EXPECT_TRUE(is_retryable(fault(400, "ThrottlingException")));
    EXPECT_TRUE(is_retryable(client::decode_fault(502, "<html>bad gateway</html>")));
    EXPECT_TRUE(is_retryable(transport_error("ReadTimeout")));
    EXPECT_TRUE(is_retryable(transport_error("NetworkError")));
    EXPECT_FALSE(is_retryable(fault(400, "ValidationException")));
    EXPECT_FALSE(is_retryable(fault(400, "UnknownResourceFault")));
    EXPECT_FALSE(is_retryable(fault(400, "TypeAlreadyExistsFault")));
    EXPECT_FALSE(is_retryable(fault(400, "WorkflowExecutionAlreadyStartedFault")));
    EXPECT_FALSE(is_retryable(fault(400, "UnrecognizedClientException")));
    EXPECT_FALSE(is_retryable(fault(400, "LimitExceededFault")));
    EXPECT_FALSE(is_retryable(client::decode_fault(400, "garbage")));
}

TEST(is_timeout_or_connection_error, only_without_a_response) {
    for (const char* code : {"NetworkError", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "TlsHandshakeTimeout",
                             "TlsHandshakeFailed", "InvalidResponse"})
        EXPECT_TRUE(is_timeout_or_connection_error(transport_error(code))) << code;
    EXPECT_FALSE(is_timeout_or_connection_error(fault(500, "InternalFailure")));
    EXPECT_FALSE(is_timeout_or_connection_error(fault(400, "ThrottlingException")));
    // A fault that happens to carry a connection code but came with a response.
    EXPECT_FALSE(is_timeout_or_connection_error(make_error(error_kind::retryable, "ReadTimeout", "", 504)));
}

TEST(may_have_taken_effect, lost_answers_and_server_errors) {
    EXPECT_TRUE(may_have_taken_effect(transport_error("ReadTimeout")));
    EXPECT_TRUE(may_have_taken_effect(transport_error("WriteTimeout")));
    EXPECT_TRUE(may_have_taken_effect(transport_error("NetworkError")));
    EXPECT_TRUE(may_have_taken_effect(transport_error("InvalidResponse")));
    EXPECT_TRUE(may_have_taken_effect(fault(500, "InternalFailure")));
    EXPECT_TRUE(may_have_taken_effect(fault(503, "ServiceUnavailable")));
    EXPECT_TRUE(may_have_taken_effect(client::decode_fault(502, "")));
}

TEST(may_have_taken_effect, not_before_the_request_was_sent_nor_on_a_4xx) {
    EXPECT_FALSE(may_have_taken_effect(transport_error("ConnectTimeout")));
    EXPECT_FALSE(may_have_taken_effect(transport_error("TlsHandshakeTimeout")));
    EXPECT_FALSE(may_have_taken_effect(transport_error("TlsHandshakeFailed")));
    EXPECT_FALSE(may_have_taken_effect(fault(400, "ThrottlingException")));
    EXPECT_FALSE(may_have_taken_effect(fault(400, "UnknownResourceFault")));
    EXPECT_FALSE(may_have_taken_effect(fault(400, "ValidationException")));
    EXPECT_FALSE(may_have_taken_effect(fault(429, "TooManyRequestsException")));
}

} // namespace
