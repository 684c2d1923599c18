// The poll loops of one worker, the same for both kinds of task: take a
// slot, poll SWF once through the task source (which hands a task on with
// the slot), back off after failures, and never end on an error.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "runtime/core/slots.hpp"
#include "runtime/core/task_source.hpp"
#include "runtime/core/worker_types.hpp"

namespace swfrt::runtime {

class poller {
public:
    poller(const worker_env& env, const worker_settings& settings, worker_flags& flags, slots& slots,
           task_source& source, boost::asio::any_io_executor executor);
    ~poller();
    poller(const poller&) = delete;
    poller& operator=(const poller&) = delete;

    // Spawns settings.pollers loops.
    void start();
    // Called after flags.stopping is set and the slots are closed: cuts
    // back-off sleeps short; polls in flight finish.
    void stop();

    std::size_t running() const noexcept { return running_.load(); }
    std::size_t started() const noexcept { return started_.load(); }
    std::size_t in_flight() const noexcept { return in_flight_.load(); }
    // Loops waiting for a slot, and loops waiting out a back-off.
    std::size_t waiting_for_slot() const noexcept { return waiting_for_slot_.load(); }
    std::size_t backing_off() const noexcept { return backing_off_.load(); }

private:
    struct loop_state; // a loop's strand and back-off timer
    void spawn(std::size_t index, int restarts);
    boost::asio::awaitable<void> loop(std::size_t index, int restarts);
    // Sleeps on the loop's strand; stop() cuts it short.
    boost::asio::awaitable<void> pause(loop_state& l, std::chrono::milliseconds d);

    const worker_env& env_;
    const worker_settings& settings_;
    worker_flags& flags_;
    slots& slots_;
    task_source& source_;
    boost::asio::any_io_executor executor_;
    std::vector<std::shared_ptr<loop_state>> loops_;
    std::atomic<std::size_t> running_{0};
    std::atomic<std::size_t> started_{0};
    std::atomic<std::size_t> in_flight_{0};
    std::atomic<std::size_t> waiting_for_slot_{0};
    std::atomic<std::size_t> backing_off_{0};
};

} // namespace swfrt::runtime
