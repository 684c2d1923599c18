// The runtime's life from start to exit, driven by events and by the times
// the test gives: no test here waits.
#include <gtest/gtest.h>

#include "runtime/core/supervisor.hpp"

namespace {

using namespace std::chrono_literals;
using swfrt::runtime::drain_policy;
using swfrt::runtime::supervisor;
using swfrt::runtime::supervisor_action;
using swfrt::runtime::supervisor_view;
using actions = std::vector<supervisor_action>;

const supervisor::time_point t0{std::chrono::hours{1}};

drain_policy policy() {
    drain_policy p;
    p.grace = 30s;
    p.poll_timeout = 70s;
    p.cancel_wait = 15s;
    return p;
}

supervisor_view view(std::size_t started, std::size_t running, std::size_t tasks, std::size_t total = 2) {
    return {total, started, running, tasks};
}

TEST(supervisor_test, ready_once_every_poller_has_started_and_not_before) {
    supervisor s(policy(), std::nullopt, t0);
    EXPECT_EQ(s.step(t0, view(0, 2, 0)), actions{});
    EXPECT_EQ(s.step(t0 + 1ms, view(1, 2, 0)), actions{});
    EXPECT_FALSE(s.ready());
    EXPECT_EQ(s.step(t0 + 2ms, view(2, 2, 0)), actions{supervisor_action::ready});
    EXPECT_TRUE(s.ready());
    EXPECT_EQ(s.step(t0 + 3ms, view(2, 2, 1)), actions{}) << "ready is reported once";
    EXPECT_EQ(s.wake_at(), std::nullopt) << "without --max-time only events wake it";
}

TEST(supervisor_test, a_shutdown_with_nothing_running_drains_and_is_done_at_once) {
    supervisor s(policy(), std::nullopt, t0);
    s.step(t0, view(2, 2, 0));
    s.request_shutdown("SIGTERM");
    s.request_shutdown("SIGINT");
    EXPECT_EQ(s.reason(), "SIGTERM") << "the first request names the reason";
    EXPECT_EQ(s.step(t0 + 1s, view(2, 2, 0)), actions{supervisor_action::drain});
    EXPECT_FALSE(s.ready());
    EXPECT_TRUE(s.draining());
    // The pollers' last polls come back: that event ends it.
    EXPECT_EQ(s.step(t0 + 2s, view(2, 0, 0)), actions{supervisor_action::done});
    EXPECT_EQ(s.wake_at(), std::nullopt);
}

TEST(supervisor_test, max_time_is_a_deadline_to_wake_at_and_then_a_shutdown) {
    supervisor s(policy(), 10s, t0);
    EXPECT_EQ(s.step(t0, view(2, 2, 0)), actions{supervisor_action::ready});
    EXPECT_EQ(s.wake_at(), t0 + 10s);
    EXPECT_EQ(s.step(t0 + 9s, view(2, 2, 0)), actions{});
    EXPECT_EQ(s.step(t0 + 10s, view(2, 2, 1)), actions{supervisor_action::drain});
    EXPECT_EQ(s.reason(), "--max-time reached");
}

TEST(supervisor_test, running_tasks_get_the_grace_period_then_their_stop_tokens_then_are_abandoned) {
    supervisor s(policy(), std::nullopt, t0);
    s.step(t0, view(2, 2, 1));
    s.request_shutdown("SIGTERM");
    const auto d = t0 + 5s;
    EXPECT_EQ(s.step(d, view(2, 2, 1)), actions{supervisor_action::drain});
    EXPECT_EQ(s.wake_at(), d + 30s) << "the end of the grace period";
    EXPECT_EQ(s.step(d + 1s, view(2, 0, 1)), actions{}) << "pollers ended; the task still has its grace";
    EXPECT_EQ(s.step(d + 30s, view(2, 0, 1)), actions{supervisor_action::cancel});
    EXPECT_EQ(s.wake_at(), d + 45s) << "grace + cancel wait";
    EXPECT_EQ(s.step(d + 44s, view(2, 0, 1)), actions{});
    EXPECT_EQ(s.step(d + 45s, view(2, 0, 1)), (actions{supervisor_action::abandon, supervisor_action::done}));
}

TEST(supervisor_test, a_task_that_ends_after_its_stop_token_ends_the_drain_without_abandoning) {
    supervisor s(policy(), std::nullopt, t0);
    s.step(t0, view(2, 2, 1));
    s.request_shutdown("SIGTERM");
    s.step(t0, view(2, 0, 1));
    EXPECT_EQ(s.step(t0 + 30s, view(2, 0, 1)), actions{supervisor_action::cancel});
    EXPECT_EQ(s.step(t0 + 31s, view(2, 0, 0)), actions{supervisor_action::done});
}

TEST(supervisor_test, a_poll_still_in_flight_after_the_cancel_wait_is_waited_for_up_to_its_timeout) {
    supervisor s(policy(), std::nullopt, t0);
    s.step(t0, view(2, 2, 1));
    s.request_shutdown("SIGTERM");
    s.step(t0, view(2, 1, 1));
    s.step(t0 + 30s, view(2, 1, 1)); // cancel
    EXPECT_EQ(s.step(t0 + 45s, view(2, 1, 1)), actions{}) << "a poll in flight may still bring a task";
    EXPECT_EQ(s.wake_at(), t0 + 115s) << "grace + poll timeout + cancel wait";
    EXPECT_EQ(s.step(t0 + 115s, view(2, 1, 1)), (actions{supervisor_action::abandon, supervisor_action::done}));
}

TEST(supervisor_test, a_shutdown_before_every_poller_started_drains_without_reporting_ready) {
    supervisor s(policy(), std::nullopt, t0);
    s.request_shutdown("--max-tasks reached");
    EXPECT_EQ(s.step(t0, view(1, 2, 0)), actions{supervisor_action::drain});
    EXPECT_FALSE(s.ready());
    EXPECT_EQ(s.step(t0 + 1s, view(1, 0, 0)), actions{supervisor_action::done});
}

} // namespace
