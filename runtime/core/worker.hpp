// One worker (one task list, one kind of task): its slots, its poll loops
// and the runner of its tasks, each a piece of its own:
//   poller           slot, poll, hand on, back off (poller.hpp)
//   activity_runner  handler, heartbeats, answer   (activity_runner.hpp, heartbeat.hpp)
//   decision_runner  decider on the decider pool, answer (decision_runner.hpp)
// A task holds its slot's lease and its running-tasks entry until it is
// answered, so no exit path can keep a slot or leave a task listed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "runtime/core/poller.hpp"
#include "runtime/core/running_tasks.hpp"
#include "runtime/core/slots.hpp"
#include "runtime/core/task_source.hpp"
#include "runtime/core/worker_types.hpp"

namespace swfrt::runtime {

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

    std::size_t pollers_running() const noexcept { return poller_->running(); }
    std::size_t pollers_started() const noexcept { return poller_->started(); }
    std::size_t tasks_running() const noexcept { return running_.size(); }
    std::size_t polls_in_flight() const noexcept { return poller_->in_flight(); }
    std::size_t pollers_waiting_for_slot() const noexcept { return poller_->waiting_for_slot(); }
    std::size_t pollers_backing_off() const noexcept { return poller_->backing_off(); }
    std::size_t heartbeat_loops() const noexcept { return flags_.heartbeat_loops.load(); }
    std::uint64_t tasks_received() const noexcept { return running_.received(); }
    // What is running, one line per task, for the shutdown log.
    std::vector<std::string> describe_running() const { return running_.describe(); }

    const worker_settings& settings() const noexcept { return settings_; }

private:
    worker_env env_;
    worker_settings settings_;
    worker_flags flags_;
    runtime::slots slots_;
    running_tasks running_;
    std::unique_ptr<task_source> runner_;
    std::unique_ptr<poller> poller_;
};

} // namespace swfrt::runtime
