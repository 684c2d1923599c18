// The shutdown timeline as a pure function of elapsed time and what is
// still running, so that it is tested without waiting:
//   - polls in flight always come back (bounded by their read timeout) and a
//     task they bring is still run;
//   - running tasks get `grace`; then their stop tokens are triggered;
//   - `cancel_wait` later, tasks still running are left unanswered (they
//     time out in SWF) and the process exits;
//   - whatever happens, nothing waits past grace + poll timeout + cancel_wait.
#pragma once

#include <chrono>
#include <cstddef>

namespace swfrt::runtime {

struct drain_policy {
    std::chrono::milliseconds grace{60000};
    std::chrono::milliseconds poll_timeout{70000};
    std::chrono::milliseconds cancel_wait{15000};
};

enum class drain_action {
    done,    // nothing left: exit
    wait,    // keep waiting
    cancel,  // trigger the running handlers' stop tokens (once), then keep waiting
    abandon, // give up on what is still running and exit
};

struct drain_state {
    std::chrono::milliseconds elapsed{0}; // since the shutdown began
    std::size_t pollers_running = 0;
    std::size_t tasks_running = 0;
    bool cancelled = false; // cancel was already done
};

inline drain_action next_drain_action(const drain_policy& p, const drain_state& s) {
    if (s.pollers_running == 0 && s.tasks_running == 0) return drain_action::done;
    if (s.elapsed >= p.grace + p.poll_timeout + p.cancel_wait) return drain_action::abandon;
    if (!s.cancelled && s.elapsed >= p.grace && s.tasks_running > 0) return drain_action::cancel;
    if (s.cancelled && s.pollers_running == 0 && s.elapsed >= p.grace + p.cancel_wait) return drain_action::abandon;
    return drain_action::wait;
}

} // namespace swfrt::runtime
