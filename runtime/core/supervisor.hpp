// The runtime's life as a state machine of what it observes, with time
// passed in: starting until every poller has started, then ready; a
// shutdown request (signal, --max-time, --max-tasks) starts the drain,
// whose timeline drain.hpp decides. The driver (app.cpp) calls step() after
// every event (a poller started or ended, a task started or ended, a
// shutdown request) and at wake_at(); nothing polls a flag.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "runtime/core/drain.hpp"

namespace swfrt::runtime {

struct supervisor_view {
    std::size_t pollers_total = 0;
    std::size_t pollers_started = 0;
    std::size_t pollers_running = 0;
    std::size_t tasks_running = 0;
};

enum class supervisor_action {
    ready,   // every poller has started: report ready
    drain,   // the shutdown begins: not ready, no new polls
    cancel,  // the grace period is over: stop the running handlers
    abandon, // leave what still runs unanswered
    done,    // nothing more to wait for: exit
};

class supervisor {
public:
    using time_point = std::chrono::steady_clock::time_point;

    supervisor(drain_policy policy, std::optional<std::chrono::milliseconds> max_time, time_point started)
        : policy_(policy), max_time_(max_time), started_(started) {}

    // The first request names the reason; later ones change nothing.
    void request_shutdown(std::string reason) {
        if (!shutdown_requested_) reason_ = std::move(reason);
        shutdown_requested_ = true;
    }

    // What to do now, in order.
    std::vector<supervisor_action> step(time_point now, const supervisor_view& v) {
        std::vector<supervisor_action> out;
        last_step_ = now;
        if (phase_ == phase::running) {
            if (!ready_ && v.pollers_started >= v.pollers_total) {
                ready_ = true;
                out.push_back(supervisor_action::ready);
            }
            if (max_time_ && now - started_ >= *max_time_) request_shutdown("--max-time reached");
            if (!shutdown_requested_) return out;
            phase_ = phase::draining;
            ready_ = false;
            drain_started_ = now;
            out.push_back(supervisor_action::drain);
        }
        if (phase_ != phase::draining) return out;
        drain_state s;
        s.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - drain_started_);
        s.pollers_running = v.pollers_running;
        s.tasks_running = v.tasks_running;
        s.cancelled = cancelled_;
        switch (next_drain_action(policy_, s)) {
        case drain_action::done:
            phase_ = phase::done;
            out.push_back(supervisor_action::done);
            break;
        case drain_action::cancel:
            cancelled_ = true;
            out.push_back(supervisor_action::cancel);
            break;
        case drain_action::abandon:
            phase_ = phase::done;
            out.push_back(supervisor_action::abandon);
            out.push_back(supervisor_action::done);
            break;
        case drain_action::wait: break;
        }
        return out;
    }

    // When step() must run even if no event comes; nullopt: on events only.
    std::optional<time_point> wake_at() const {
        if (phase_ == phase::running) {
            if (max_time_) return started_ + *max_time_;
            return std::nullopt;
        }
        if (phase_ == phase::done) return std::nullopt;
        // The next point of the drain timeline that may change the answer.
        const auto g = drain_started_ + policy_.grace;
        const auto c = g + policy_.cancel_wait;
        const auto end = c + policy_.poll_timeout;
        const auto next = cancelled_ ? c : g;
        return last_step_ < next ? next : end;
    }

    bool ready() const noexcept { return ready_; }
    bool draining() const noexcept { return phase_ != phase::running; }
    bool shutdown_requested() const noexcept { return shutdown_requested_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    enum class phase { running, draining, done };
    drain_policy policy_;
    std::optional<std::chrono::milliseconds> max_time_;
    time_point started_;
    phase phase_ = phase::running;
    bool ready_ = false;
    bool shutdown_requested_ = false;
    bool cancelled_ = false;
    std::string reason_;
    time_point drain_started_{};
    time_point last_step_{};
};

} // namespace swfrt::runtime
