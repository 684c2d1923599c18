// Poll loops: each worker (one task list) runs `pollers` coroutines that
// take a slot, long-poll SWF and hand each task to its handler on a strand
// of its own, answering SWF when the handler is done.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "runtime/core/log.hpp"
#include "runtime/core/metrics.hpp"
#include "runtime/core/slots.hpp"
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
    boost::asio::thread_pool* blocking_pool = nullptr;
    // Activities whose type names no heartbeat timeout heartbeat this often
    // (so that a cancel request is still seen).
    std::chrono::milliseconds default_heartbeat_interval{std::chrono::seconds{60}};
    // Poll failures back off from this, doubling up to max.
    std::chrono::milliseconds poll_backoff_base{std::chrono::milliseconds{200}};
    std::chrono::milliseconds poll_backoff_max{std::chrono::seconds{30}};
    // --max-tasks: tasks all workers may still take (null: no limit); each
    // poll reserves one. on_budget_spent is called when a task takes the last.
    std::shared_ptr<std::atomic<std::int64_t>> task_budget;
    std::function<void()> on_budget_spent;
};

class worker {
public:
    worker(worker_env env, worker_settings settings, boost::asio::any_io_executor executor);
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    // Spawns the pollers.
    void start();
    // No new polls: polls in flight finish (a task they bring is still run
    // and answered); pollers waiting for a slot give up.
    void stop_polling();
    // Asks every running handler to stop (stop token); they are answered
    // when they return: failed with reason WorkerShutdown (or canceled when
    // SWF asked for it), never completed with what a stopped handler returned.
    void cancel_running();
    // Stops answering: a handler that returns after this is not answered
    // (its task times out in SWF); used when the process must exit.
    void abandon();

    std::size_t pollers_running() const noexcept { return pollers_running_.load(); }
    std::size_t pollers_started() const noexcept { return pollers_started_.load(); }
    std::size_t tasks_running() const noexcept { return tasks_running_.load(); }
    std::size_t polls_in_flight() const noexcept { return polls_in_flight_.load(); }
    std::uint64_t tasks_received() const noexcept { return tasks_received_.load(); }
    // What is running, one line per task, for the shutdown log.
    std::vector<std::string> describe_running() const;

    const worker_settings& settings() const noexcept { return settings_; }

    struct task_state; // one running task (activity or decision)

private:
    struct poller_state; // a poller's strand and back-off timer
    void spawn_poller(int index, int restarts);
    boost::asio::awaitable<void> poll_loop(int index, int restarts);
    // Sleeps on the poller's strand; stop_polling() cuts it short.
    boost::asio::awaitable<void> pause(poller_state& p, std::chrono::milliseconds d);
    void spawn_heartbeat(std::shared_ptr<task_state> state);
    // Counts an answer's outcome (answered, settled by its effect after a
    // lost answer, given up) and logs a failure.
    void record_answer(std::string_view kind, const swf::result<swf::model::empty>& r,
                       const swf::client::call_info& info);
    boost::asio::awaitable<void> run_activity(swf::model::activity_task task);
    boost::asio::awaitable<void> run_decision(swf::model::decision_task task, std::shared_ptr<void> keep_strand);
    // The strand of one workflow execution: its decision tasks run on it,
    // one at a time (SWF gives one at a time too; this keeps it so).
    std::shared_ptr<boost::asio::strand<boost::asio::any_io_executor>> execution_strand(const std::string& run_id);
    boost::asio::awaitable<void> heartbeat_loop(std::shared_ptr<task_state> state);
    boost::asio::awaitable<void> answer_activity(task_state& state, std::exception_ptr failure, std::string result);

    void track(const std::shared_ptr<task_state>& s);
    void untrack(const std::shared_ptr<task_state>& s);
    void update_slot_gauge();

    worker_env env_;
    worker_settings settings_;
    boost::asio::any_io_executor executor_;
    runtime::slots slots_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> abandoned_{false};
    std::atomic<std::size_t> pollers_running_{0};
    std::atomic<std::size_t> pollers_started_{0};
    std::atomic<std::size_t> tasks_running_{0};
    std::atomic<std::size_t> polls_in_flight_{0};
    std::atomic<std::uint64_t> tasks_received_{0};
    std::vector<std::shared_ptr<poller_state>> pollers_;
    mutable std::mutex mutex_;
    std::set<std::shared_ptr<task_state>> running_;
    std::map<std::string, std::weak_ptr<boost::asio::strand<boost::asio::any_io_executor>>> execution_strands_;
};

} // namespace swfrt::runtime
