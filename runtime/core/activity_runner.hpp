// Activity tasks: polled, run by their handler (a coroutine on the task's
// strand, or a blocking function on the blocking pool) with heartbeats
// while it runs, and answered completed, failed or canceled.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "runtime/core/running_tasks.hpp"
#include "runtime/core/task_source.hpp"
#include "runtime/core/worker_types.hpp"
#include "swf/model/model.hpp"

namespace swfrt::runtime {

class activity_runner final : public task_source {
public:
    activity_runner(const worker_env& env, const worker_settings& settings, worker_flags& flags,
                    running_tasks& running, boost::asio::any_io_executor executor);

    boost::asio::awaitable<poll_result> poll_once(slot_lease lease) override;

    struct task_state; // one running activity task

private:
    boost::asio::awaitable<void> run(swf::model::activity_task task, slot_lease lease);
    boost::asio::awaitable<void> answer(task_state& s, std::exception_ptr failure, std::string result);

    const worker_env& env_;
    const worker_settings& settings_;
    worker_flags& flags_;
    running_tasks& running_;
    boost::asio::any_io_executor executor_;
};

// Counts an answer's outcome (answered, settled by its effect after a lost
// answer, given up).
void record_answer(const worker_env& env, const worker_settings& settings, std::string_view kind,
                   bool answered, bool ambiguous);

} // namespace swfrt::runtime
