// The heartbeats of one running activity task: explicit ones the handler
// asks for (throttled; the latest details win) and automatic ones every
// interval, so that a cancel request or a task SWF no longer knows is seen
// while the handler runs. Either one triggers the task's stop token.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/strand.hpp>

#include "runtime/core/worker_types.hpp"

namespace swfrt::runtime {

struct heartbeat_target {
    std::string token;
    std::string type_label; // name:version
    std::string workflow_id;
    std::string activity_id;
};

class heartbeater : public std::enable_shared_from_this<heartbeater> {
public:
    // `stop` shares its state with the handler's stop token.
    heartbeater(const worker_env& env, const worker_settings& settings, const worker_flags& flags,
                boost::asio::any_io_executor executor, heartbeat_target target, std::chrono::milliseconds interval,
                std::stop_source stop);

    // Starts the loop (restarted a few times if it ends by an exception).
    void start();
    // From the handler, any thread: sends these details soon.
    void request(std::string details);
    // The handler returned: the loop ends.
    void finish();

    bool cancel_requested() const noexcept { return cancel_.load(); }
    bool lost() const noexcept { return lost_.load(); }

private:
    void spawn();
    boost::asio::awaitable<void> loop();
    void wake(); // on strand_ only: cuts the loop's sleep short

    const worker_env& env_;
    const worker_settings& settings_;
    const worker_flags& flags_;
    heartbeat_target target_;
    std::chrono::milliseconds interval_;
    std::stop_source stop_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::cancellation_signal wake_; // on strand_ only
    std::atomic<bool> cancel_{false};
    std::atomic<bool> lost_{false};   // SWF no longer knows the token
    std::atomic<bool> done_{false};
    int restarts_ = 0; // on strand_ only
    std::mutex mutex_;
    std::optional<std::string> pending_; // explicit details not sent yet
    std::string last_details_;           // loop only
    swf::clock::time_point last_sent_; // by env_.clock: the start until one is sent
    bool any_sent_ = false;            // loop only
    std::atomic<std::size_t>* loops_;  // the worker's count of heartbeat loops
};

// The heartbeat period for an activity type: 0.8 of its default heartbeat
// timeout (seconds as SWF writes them), or `fallback` when it has none.
std::chrono::milliseconds heartbeat_interval(const std::optional<std::string>& default_heartbeat_timeout,
                                             std::chrono::milliseconds fallback);

} // namespace swfrt::runtime
