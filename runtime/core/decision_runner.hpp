// Decision tasks: polled, decided by the workflow type's decider on the
// decider pool (off the io threads, so that a long replay never delays
// polls and heartbeats) and answered, or left to time out when the
// decider cannot decide.
//
// Sticky (settings.sticky_schedule_to_start not zero): every answer that
// leaves the execution open names the worker's own task list, so SWF
// schedules the execution's next decision task there; at most half the
// polls in flight poll it, the rest the shared task list. A task that waits
// there too long (this process is gone) SWF gives back to the shared list.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include "runtime/core/running_tasks.hpp"
#include "runtime/core/task_source.hpp"
#include "runtime/core/worker_types.hpp"
#include "swf/model/model.hpp"

namespace swfrt::runtime {

class decision_runner final : public task_source {
public:
    decision_runner(const worker_env& env, const worker_settings& settings, worker_flags& flags,
                    running_tasks& running, boost::asio::any_io_executor executor);

    boost::asio::awaitable<poll_result> poll_once(slot_lease lease) override;

    // The worker's own task list; empty when not sticky.
    const std::string& sticky_task_list() const noexcept { return sticky_list_; }

private:
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;
    boost::asio::awaitable<void> run(swf::model::decision_task task, slot_lease lease, std::shared_ptr<strand_type> keep);
    // The strand of one workflow execution: its decision tasks run on it.
    std::shared_ptr<strand_type> execution_strand(const std::string& run_id);

    const worker_env& env_;
    const worker_settings& settings_;
    worker_flags& flags_;
    running_tasks& running_;
    boost::asio::any_io_executor executor_;
    std::mutex mutex_;
    std::map<std::string, std::weak_ptr<strand_type>> execution_strands_;
    std::string sticky_list_;
    std::atomic<int> sticky_polls_{0}; // polls in flight on sticky_list_
    std::atomic<int> shared_polls_{0}; // and on settings.task_list
};

} // namespace swfrt::runtime
