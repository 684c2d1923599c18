// The typed asynchronous SWF client: every operation as an awaitable that
// validates, encodes, signs, sends (retrying as AWS standard mode does) and
// decodes. One client is shared by every coroutine and thread of a process.
//
//   auto c = client::client::from_environment(ioc.get_executor(), {}).value();
//   auto task = co_await c->poll_for_decision_task(req);
//   if (!task) log(task.error().to_string());
#pragma once

#include <atomic>
#include <cstddef>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "swf/auth/env.hpp"
#include "swf/auth/provider.hpp"
#include "swf/auth/settings.hpp"
#include "swf/auth/signer.hpp"
#include "swf/client/operation.hpp"
#include "swf/client/retry.hpp"
#include "swf/clock.hpp"
#include "swf/error.hpp"
#include "swf/http/endpoint.hpp"
#include "swf/http/message.hpp"
#include "swf/http/pool.hpp"
#include "swf/model/model.hpp"
#include "swf/model/operations.hpp"

namespace swfrt::swf::client {

// Sends one signed request and returns the HTTP response (any status), or a
// transport error. The default is a keep-alive connection pool; tests pass
// their own to inject faults.
using transport_fn = std::function<boost::asio::awaitable<result<http::response>>(
    http::request, std::optional<std::chrono::milliseconds> read_timeout)>;
// Waits between attempts; tests pass one that only records the delay.
using sleep_fn = std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)>;

// What one call took, for metrics and tests.
struct call_info {
    int attempts = 0;
    // An earlier attempt failed in a way that may still have taken effect.
    bool earlier_attempt_ambiguous = false;
    // The last attempt's fault was judged a success: an earlier attempt whose
    // answer was lost had taken effect (e.g. UnknownResourceFault for a task
    // token that attempt used, a registration that attempt made).
    bool settled_by_effect = false;
    // "Already exists" for a registration: the registration client settles
    // it by comparing; not a failed request.
    bool already_exists = false;
    // Retries stopped because retry_until had come (call_options).
    bool deadline_reached = false;
    std::size_t response_bytes = 0; // body of the last response
};

// Per-call settings beside the client's own.
struct call_options {
    // Retry retryable failures until this time (by client_options::clock)
    // instead of max_attempts, without the retry quota, backing off with
    // full jitter up to max_backoff (the last attempt a second before the
    // deadline). For what is worth more than a generic
    // call: the answer to a task, the pages of a task being decided. Empty:
    // AWS standard mode.
    std::optional<swf::clock::time_point> retry_until;
};

struct client_options {
    std::string region;       // required
    std::string endpoint_url; // required, e.g. https://swf.us-east-1.amazonaws.com
    client::retry_options retry;
    // Read timeout of the long polls; SWF holds them up to 60 s.
    std::chrono::milliseconds poll_read_timeout{70000};
    // Connection pool settings; pool.timeouts.read bounds every other call.
    http::pool_options pool;
    const swf::clock* clock = &swf::system_clock::instance();
    transport_fn transport;          // empty: a connection pool
    sleep_fn sleep;                  // empty: an Asio timer
    std::function<double()> random;  // uniform in [0, 1); empty: a PRNG
    // Called after every call (retries included) with its duration, what it
    // took and its final error (nullptr on success, and when the client
    // judged a fault a success by its effect); for metrics. Must be cheap.
    std::function<void(operation, double seconds, const call_info&, const error*)> on_call;
};

class client : public std::enable_shared_from_this<client> {
public:
    // Validation error when region or endpoint_url is missing or malformed.
    static result<std::shared_ptr<client>> create(boost::asio::any_io_executor executor,
                                                  std::shared_ptr<auth::credentials_provider> credentials,
                                                  client_options options);

    // Region and endpoint from overrides, the environment and the shared
    // profile; credentials from the default chain (cached, refreshed ahead).
    static result<std::shared_ptr<client>> from_environment(boost::asio::any_io_executor executor,
                                                            const auth::settings_overrides& overrides,
                                                            const auth::env_lookup& env = auth::system_env(),
                                                            client_options base = {});

    client(const client&) = delete;
    client& operator=(const client&) = delete;
    ~client();

#define SWFRT_X(api, snake, in, out)                                                                              \
    boost::asio::awaitable<result<model::out>> snake(model::in request);                                         \
    boost::asio::awaitable<result<model::out>> snake(model::in request, call_options options,                    \
                                                     call_info* info = nullptr);
    SWFRT_SWF_OPERATIONS(SWFRT_X)
#undef SWFRT_X

    // Any operation by value with a JSON request: the request is decoded
    // strictly (an unknown member is an error), validated, sent, and the
    // response encoded back to JSON. With all_pages, a paginated operation
    // follows nextPageToken and returns every page's items in one response.
    boost::asio::awaitable<result<std::string>> call_json(operation op, std::string_view request_json,
                                                          bool all_pages = false);

    // Sends an encoded request body with retries; returns the response body.
    // Typed calls use it; `info` receives what the call took.
    boost::asio::awaitable<result<std::string>> send(operation op, std::string body, call_info* info = nullptr);

    const http::endpoint& endpoint() const noexcept { return endpoint_; }
    const std::string& region() const noexcept { return options_.region; }
    const client_options& options() const noexcept { return options_; }
    boost::asio::any_io_executor get_executor() const { return executor_; }
    const std::shared_ptr<auth::credentials_provider>& credentials() const noexcept { return credentials_; }

    // Counters for metrics.
    std::uint64_t calls() const noexcept { return calls_.load(std::memory_order_relaxed); }
    std::uint64_t retries() const noexcept { return retries_.load(std::memory_order_relaxed); }
    int retry_quota_available() const { return quota_.available(); }

private:
    client(boost::asio::any_io_executor executor, std::shared_ptr<auth::credentials_provider> credentials,
           client_options options, http::endpoint endpoint);

    template <class In, class Out>
    boost::asio::awaitable<result<Out>> invoke(operation op, const In& request, call_options options,
                                               call_info* info);
    boost::asio::awaitable<result<std::string>> send_attempts(operation op, const std::string& body, call_info& ci,
                                                              const call_options& options);
    void report(operation op, std::chrono::steady_clock::time_point started, const call_info& ci, const error* e);

    boost::asio::awaitable<result<http::response>> attempt(operation op, const std::string& body);
    boost::asio::awaitable<void> pause(std::chrono::milliseconds delay);
    double uniform();

    boost::asio::any_io_executor executor_;
    std::shared_ptr<auth::credentials_provider> credentials_;
    client_options options_;
    http::endpoint endpoint_;
    auth::signer signer_;
    std::shared_ptr<http::connection_pool> pool_;
    retry_quota quota_;
    std::atomic<std::uint64_t> calls_{0};
    std::atomic<std::uint64_t> retries_{0};
};

} // namespace swfrt::swf::client
