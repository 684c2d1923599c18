// The shutdown timeline, step by step, with time given by the test.
#include <gtest/gtest.h>

#include "runtime/core/drain.hpp"

namespace {

using namespace std::chrono_literals;
using swfrt::runtime::drain_action;
using swfrt::runtime::drain_policy;
using swfrt::runtime::drain_state;
using swfrt::runtime::next_drain_action;

drain_policy policy() {
    drain_policy p;
    p.grace = 30s;
    p.poll_timeout = 70s;
    p.cancel_wait = 15s;
    return p;
}

drain_state at(std::chrono::milliseconds t, std::size_t pollers, std::size_t tasks, bool cancelled = false) {
    drain_state s;
    s.elapsed = t;
    s.pollers_running = pollers;
    s.tasks_running = tasks;
    s.cancelled = cancelled;
    return s;
}

TEST(drain, ends_as_soon_as_nothing_runs) {
    EXPECT_EQ(next_drain_action(policy(), at(0ms, 0, 0)), drain_action::done);
    EXPECT_EQ(next_drain_action(policy(), at(5s, 0, 0, true)), drain_action::done);
}

TEST(drain, waits_for_polls_in_flight_past_the_grace_without_cancelling_anything) {
    // A long poll may come back up to 70 s later; with no task running there is nothing to cancel.
    EXPECT_EQ(next_drain_action(policy(), at(10s, 2, 0)), drain_action::wait);
    EXPECT_EQ(next_drain_action(policy(), at(60s, 1, 0)), drain_action::wait);
    EXPECT_EQ(next_drain_action(policy(), at(99s, 1, 0)), drain_action::wait);
}

TEST(drain, running_tasks_get_the_grace_then_are_cancelled_once) {
    EXPECT_EQ(next_drain_action(policy(), at(29'999ms, 0, 3)), drain_action::wait);
    EXPECT_EQ(next_drain_action(policy(), at(30s, 0, 3)), drain_action::cancel);
    EXPECT_EQ(next_drain_action(policy(), at(31s, 0, 3, true)), drain_action::wait);
}

TEST(drain, cancelled_tasks_that_do_not_return_are_abandoned_after_the_cancel_wait) {
    EXPECT_EQ(next_drain_action(policy(), at(44s, 0, 1, true)), drain_action::wait);
    EXPECT_EQ(next_drain_action(policy(), at(45s, 0, 1, true)), drain_action::abandon);
}

TEST(drain, a_task_from_a_late_poll_is_not_abandoned_while_its_poller_still_runs) {
    // The poll in flight can still bring a task; until the pollers are done only the hard limit ends it.
    EXPECT_EQ(next_drain_action(policy(), at(50s, 1, 1, true)), drain_action::wait);
    EXPECT_EQ(next_drain_action(policy(), at(115s, 1, 1, true)), drain_action::abandon);
}

TEST(drain, nothing_waits_past_the_hard_limit) {
    EXPECT_EQ(next_drain_action(policy(), at(114'999ms, 1, 0)), drain_action::wait);
    EXPECT_EQ(next_drain_action(policy(), at(115s, 1, 0)), drain_action::abandon);
}

} // namespace
