// What the pieces of a worker share: its settings, the process-wide
// environment and the worker's own stop flags.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <boost/asio/thread_pool.hpp>

#include "runtime/core/log.hpp"
#include "runtime/core/metrics.hpp"
#include "runtime/plugin/registry.hpp"
#include "swf/client/client.hpp"

namespace swfrt::runtime {

enum class worker_kind { activity, decision };
std::string_view to_string(worker_kind k) noexcept;

struct worker_settings {
    worker_kind kind = worker_kind::activity;
    std::string domain;
    std::string task_list;
    std::string identity;
    int pollers = 1;
    std::size_t max_concurrent = 10;
    // Decision workers: not zero, answers send an execution's next decision
    // task to the worker's own task list, given back to task_list by SWF
    // when it waits there this long.
    std::chrono::seconds sticky_schedule_to_start{0};
    // The types this worker serves (resolved from the configuration's
    // handler names); a task of any other type is refused, never dropped.
    std::set<plugin::type_key> types;
};

// What every worker shares.
struct worker_env {
    std::shared_ptr<swf::client::client> client;
    const plugin::registry* registry = nullptr;
    logger* log = nullptr;
    runtime::metrics* metrics = nullptr;
    // Blocking activity handlers run here.
    boost::asio::thread_pool* blocking_pool = nullptr;
    // Deciders run here, off the io threads, so that a long replay never
    // delays polls and heartbeats (null: the blocking pool).
    boost::asio::thread_pool* decider_pool = nullptr;
    // Activities whose type names no heartbeat timeout heartbeat this often
    // (so that a cancel request is still seen).
    std::chrono::milliseconds default_heartbeat_interval{std::chrono::seconds{60}};
    // Poll failures back off from this, doubling up to max.
    std::chrono::milliseconds poll_backoff_base{std::chrono::milliseconds{200}};
    std::chrono::milliseconds poll_backoff_max{std::chrono::seconds{30}};
    // How a poller waits out a back-off (the client's seam, so tests need
    // not sleep). Empty: the poller's own timer, which stop_polling cuts short.
    swf::client::sleep_fn sleep;
    // The worker's clock (heartbeat due times), a seam as the client's is.
    const swf::clock* clock = &swf::system_clock::instance();
    // --max-tasks: tasks all workers may still take (null: no limit); each
    // poll reserves one. on_budget_spent is called when a task takes the last.
    std::shared_ptr<std::atomic<std::int64_t>> task_budget;
    std::function<void()> on_budget_spent;
    // Called, from any thread, when a poller starts or ends and when a task
    // starts or ends (the supervisor wakes on it).
    std::function<void()> on_state_change;
};

// A worker's stop state, read by its poller and runners.
struct worker_flags {
    std::atomic<bool> stopping{false};  // no new polls
    std::atomic<bool> abandoned{false}; // no more answers
    mutable std::atomic<std::size_t> heartbeat_loops{0}; // heartbeat loops not ended yet (they count themselves)
};

} // namespace swfrt::runtime
