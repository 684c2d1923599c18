// Code that no longer matches its history: a renamed activity, reordered
// calls, a removed timer, a command too many and one too few, each
// reported with both sides and the event id; and histories that contradict
// themselves, reported as malformed. Never an answer built on a guess.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "replay_support.hpp"
#include "workflow/context.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using wf::testing::canonical;
using wf::testing::decisions_at;
using wf::testing::error_at;
using wf::testing::load_history;

namespace {

// The recorded code: activity a, a 10 s timer, activity b. Each variant is
// a later edit of it.
enum class edit { none, renamed_activity, reordered, removed_timer, extra_timer, waits_for_signal };

struct sequence : wf::workflow<> {
    static constexpr std::string_view name = "Sequence";
    static constexpr std::string_view version = "1";
    explicit sequence(edit e) : edit_(e) {}

    wf::task<std::string> run(wf::context& ctx, std::string) override {
        switch (edit_) {
        case edit::none: break;
        case edit::renamed_activity: {
            auto a = co_await ctx.activity("a2", "1");
            co_await ctx.timer(10s);
            co_return a + co_await ctx.activity("b", "1");
        }
        case edit::reordered: {
            auto b = co_await ctx.activity("b", "1");
            co_await ctx.timer(10s);
            co_return co_await ctx.activity("a", "1") + b;
        }
        case edit::removed_timer: {
            auto a = co_await ctx.activity("a", "1");
            co_return a + co_await ctx.activity("b", "1");
        }
        case edit::extra_timer: {
            auto a = ctx.activity("a", "1");
            auto t = ctx.timer(1s);
            auto first = co_await a;
            co_await t;
            co_await ctx.timer(10s);
            co_return first + co_await ctx.activity("b", "1");
        }
        case edit::waits_for_signal: {
            auto a = co_await ctx.activity("a", "1");
            co_await ctx.wait_signal("continue");
            co_await ctx.timer(10s);
            co_return a + co_await ctx.activity("b", "1");
        }
        }
        auto a = co_await ctx.activity("a", "1");
        co_await ctx.timer(10s);
        co_return a + co_await ctx.activity("b", "1");
    }

private:
    edit edit_;
};

wf::workflow_runner runner_for(edit e) {
    return wf::make_runner<sequence>([e] { return std::make_unique<sequence>(e); });
}

// The last decision task of the history (before its completion).
constexpr std::int64_t last_task = 20;

TEST(non_determinism, the_recorded_code_replays_cleanly) {
    auto h = load_history("sequence");
    EXPECT_EQ(decisions_at(h, last_task, runner_for(edit::none)),
              canonical({R"({"decisionType":"CompleteWorkflowExecution",)"
                         R"("completeWorkflowExecutionDecisionAttributes":{"result":"AB"}})"}));
    wf::testing::expect_history_reproduced(h, runner_for(edit::none));
}

TEST(non_determinism, changed_activity_name) {
    auto h = load_history("sequence");
    auto r = wf::replay(wf::testing::task_at(h, last_task), runner_for(edit::renamed_activity));
    ASSERT_FALSE(r.has_value());
    const auto& e = r.error();
    EXPECT_EQ(e.kind, wf::replay_error_kind::non_determinism);
    EXPECT_EQ(e.event_id, 5);
    EXPECT_EQ(e.history, R"(ActivityTaskScheduled (activity id "1", type a 1))");
    EXPECT_EQ(e.code, R"(ScheduleActivityTask (activity id "1", type a2 1))");
    EXPECT_EQ(e.message,
              "non-determinism at history event 5 (decisions of the decision task started at event 3): "
              "the history records ActivityTaskScheduled (activity id \"1\", type a 1) where the code "
              "now issues ScheduleActivityTask (activity id \"1\", type a2 1)");
    // Every later decision task reports the same first disagreement.
    EXPECT_EQ(error_at(h, 9, runner_for(edit::renamed_activity)), e.message);
}

TEST(non_determinism, reordered_calls) {
    auto h = load_history("sequence");
    EXPECT_EQ(error_at(h, last_task, runner_for(edit::reordered)),
              "non-determinism at history event 5 (decisions of the decision task started at event 3): the "
              "history records ActivityTaskScheduled (activity id \"1\", type a 1) where the code now issues "
              "ScheduleActivityTask (activity id \"1\", type b 1)");
}

TEST(non_determinism, removed_timer) {
    auto h = load_history("sequence");
    auto r = wf::replay(wf::testing::task_at(h, last_task), runner_for(edit::removed_timer));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().event_id, 11);
    EXPECT_EQ(r.error().history, R"(TimerStarted (timer id "t1", 10 s))");
    EXPECT_EQ(r.error().code, R"(ScheduleActivityTask (activity id "2", type b 1))");
    EXPECT_EQ(r.error().message,
              "non-determinism at history event 11 (decisions of the decision task started at event 9): the "
              "history records TimerStarted (timer id \"t1\", 10 s) where the code now issues "
              "ScheduleActivityTask (activity id \"2\", type b 1)");
    // Before the timer is in the history the edit is invisible.
    EXPECT_EQ(
        decisions_at(h, 9, runner_for(edit::removed_timer)),
        canonical({R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"2","activityType":{"name":"b","version":"1"}}})"}));
}

TEST(non_determinism, a_command_the_history_lacks) {
    auto h = load_history("sequence");
    auto r = wf::replay(wf::testing::task_at(h, last_task), runner_for(edit::extra_timer));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::non_determinism);
    EXPECT_EQ(r.error().event_id, 6); // ActivityTaskStarted: the decisions of task 3 ended before it
    EXPECT_EQ(r.error().history, "nothing more");
    EXPECT_EQ(r.error().code, R"(StartTimer (timer id "t1", 1 s))");
    EXPECT_EQ(r.error().message,
              "non-determinism at history event 6 (decisions of the decision task started at event 3): the "
              "history records nothing more where the code now issues StartTimer (timer id \"t1\", 1 s)");
}

TEST(non_determinism, a_command_the_code_no_longer_issues) {
    auto h = load_history("sequence");
    auto r = wf::replay(wf::testing::task_at(h, last_task), runner_for(edit::waits_for_signal));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().event_id, 11);
    EXPECT_EQ(r.error().history, R"(TimerStarted (timer id "t1", 10 s))");
    EXPECT_EQ(r.error().code, "nothing");
    EXPECT_EQ(r.error().message,
              "non-determinism at history event 11 (decisions of the decision task started at event 9): the "
              "history records TimerStarted (timer id \"t1\", 10 s) where the code now issues nothing");
}

// ---- malformed histories ----

TEST(malformed_history, an_outcome_for_a_command_never_recorded) {
    auto h = load_history("sequence");
    h.events[6].activity_task_completed_event_attributes->scheduled_event_id = 99; // event 7
    auto r = wf::replay(wf::testing::task_at(h, 9), runner_for(edit::none));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::malformed_history);
    EXPECT_EQ(r.error().event_id, 7);
    EXPECT_EQ(r.error().message,
              "malformed history at history event 7 (ActivityTaskCompleted): it names event 99, "
              "which records no such command of this workflow");
}

TEST(malformed_history, an_outcome_of_the_wrong_kind) {
    auto h = load_history("sequence");
    h.events[11].timer_fired_event_attributes->started_event_id = 5; // event 12 names the activity
    EXPECT_EQ(error_at(h, 14, runner_for(edit::none)),
              "malformed history at history event 12 (TimerFired): it names event 5, which records no such "
              "command of this workflow");
}

TEST(malformed_history, two_outcomes_for_one_command) {
    auto file = load_history("sequence");
    model::history h;
    h.events.assign(file.events.begin(), file.events.begin() + 7); // up to ActivityTaskCompleted (7)
    auto again = file.events[6];
    again.event_id = 8;
    h.events.push_back(again);
    auto scheduled = file.events[7]; // DecisionTaskScheduled
    scheduled.event_id = 9;
    h.events.push_back(scheduled);
    auto started = file.events[8];
    started.event_id = 10;
    started.decision_task_started_event_attributes->scheduled_event_id = 9;
    h.events.push_back(started);
    EXPECT_EQ(error_at(h, 10, runner_for(edit::none)),
              "malformed history at history event 8 (ActivityTaskCompleted): the command recorded at event 5 "
              "already has an outcome");
}

TEST(malformed_history, no_such_decision_task_started) {
    auto h = load_history("sequence");
    auto task = wf::testing::task_at(h, 9);
    task.started_event_id = 7;
    auto r = wf::replay(task, runner_for(edit::none));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::malformed_history);
    EXPECT_EQ(r.error().message, "malformed history: it holds no DecisionTaskStarted event with id 7");
}

TEST(malformed_history, a_decision_event_without_its_attributes) {
    auto h = load_history("sequence");
    h.events[4].activity_task_scheduled_event_attributes.reset(); // event 5
    EXPECT_EQ(
        error_at(h, 9, runner_for(edit::none)),
        "malformed history at history event 5 (ActivityTaskScheduled (without its attributes)): the event "
        "has no attributes");
}

TEST(malformed_history, a_decision_task_before_the_start) {
    auto file = load_history("sequence");
    model::history h;
    h.events = {file.events[1], file.events[2]}; // DecisionTaskScheduled, DecisionTaskStarted
    EXPECT_EQ(error_at(h, 3, runner_for(edit::none)),
              "malformed history at history event 3 (DecisionTaskStarted): a decision task before "
              "WorkflowExecutionStarted");
}

} // namespace
