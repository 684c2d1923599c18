// Replay of canned histories, one feature each, asserting the exact
// decisions at every decision task: fan-out / fan-in, timers and now(),
// signals (before and during a wait, bounded waits), side effects, random
// numbers, failures raised as typed exceptions, when_any ordering, spawned
// coroutines, a timed-out decision task and a refused close decision.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "replay_support.hpp"
#include "workflow/context.hpp"
#include "workflow/errors.hpp"
#include "workflow/future.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using wf::testing::canonical;
using wf::testing::decisions_at;
using wf::testing::expect_history_reproduced;
using wf::testing::load_history;

namespace {

std::string complete(const std::string& result_json) {
    return R"({"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":)" +
           result_json + "}}";
}

// ---- fan-out / fan-in ----

struct fan_out : wf::workflow<> {
    static constexpr std::string_view name = "FanOut";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        const int n = std::stoi(input);
        std::vector<wf::future<std::string>> parts;
        for (int i = 0; i < n; ++i)
            parts.push_back(ctx.activity("process", "1", std::to_string(i),
                                         {.task_list = "work", .start_to_close_timeout = 60s}));
        auto results = co_await wf::when_all(parts);
        std::string out = "[";
        for (const auto& r : results)
            out += (out.size() > 1 ? "," : "") + r;
        co_return out + "]";
    }
};

TEST(replay, fan_out_schedules_all_at_once_and_nothing_twice) {
    auto h = load_history("fan_out");
    auto runner = wf::make_runner<fan_out>();
    std::vector<std::string> five;
    for (int i = 0; i < 5; ++i)
        five.push_back(R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                       R"("activityId":")" +
                       std::to_string(i + 1) +
                       R"(","activityType":{"name":"process","version":"1"},"input":")" + std::to_string(i) +
                       R"(","taskList":{"name":"work"},"startToCloseTimeout":"60"}})");
    EXPECT_EQ(decisions_at(h, 3, runner), canonical(five));
    // Two, then four of five done (one of them arriving while the decider
    // worked): nothing new to decide.
    EXPECT_EQ(decisions_at(h, 15, runner), "[]");
    EXPECT_EQ(decisions_at(h, 22, runner), "[]");
    EXPECT_EQ(decisions_at(h, 27, runner),
              canonical({complete(R"("[\"r0\",\"r1\",\"r2\",\"r3\",\"r4\"]")")}));
    expect_history_reproduced(h, runner);
}

// ---- timers and now() ----

std::vector<std::chrono::system_clock::time_point> seen_times;

struct sleepy : wf::workflow<> {
    static constexpr std::string_view name = "Sleepy";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        seen_times.push_back(ctx.now());
        co_await ctx.timer(30s);
        auto after = ctx.now();
        seen_times.push_back(after);
        auto seconds = std::chrono::duration_cast<std::chrono::seconds>(after.time_since_epoch()).count();
        co_return co_await ctx.activity("after", "1", std::to_string(seconds));
    }
};

std::int64_t millis(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TEST(replay, timer_and_the_time_of_each_decision_task) {
    auto h = load_history("timer");
    auto runner = wf::make_runner<sleepy>();
    seen_times.clear();
    EXPECT_EQ(decisions_at(h, 3, runner),
              canonical({R"({"decisionType":"StartTimer","startTimerDecisionAttributes":)"
                         R"({"timerId":"t1","startToFireTimeout":"30"}})"}));
    ASSERT_EQ(seen_times.size(), 1u);
    EXPECT_EQ(millis(seen_times[0]), 1700000003500);

    seen_times.clear();
    EXPECT_EQ(
        decisions_at(h, 8, runner),
        canonical(
            {R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
             R"("activityId":"1","activityType":{"name":"after","version":"1"},"input":"1700000036"}})"}));
    ASSERT_EQ(seen_times.size(), 2u);
    EXPECT_EQ(millis(seen_times[0]), 1700000003500); // replayed: still the first task's time
    EXPECT_EQ(millis(seen_times[1]), 1700000036250);

    EXPECT_EQ(decisions_at(h, 14, runner), canonical({complete(R"("\"done\"")")}));
    expect_history_reproduced(h, runner);
}

// ---- signals ----

struct approval : wf::workflow<> {
    static constexpr std::string_view name = "Approval";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto first = co_await ctx.wait_signal("approve");
        co_await ctx.activity("record", "1", first);
        auto second = co_await ctx.wait_signal("approve");
        co_return "[" + first + "," + second + "]";
    }
};

TEST(replay, signals_before_the_wait_are_kept_and_those_during_a_decision_wait_for_the_next) {
    auto h = load_history("signals");
    auto runner = wf::make_runner<approval>();
    // "alice" arrived before the first decision task started.
    EXPECT_EQ(
        decisions_at(h, 4, runner),
        canonical(
            {R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
             R"("activityId":"1","activityType":{"name":"record","version":"1"},"input":"\"alice\""}})"}));
    // "bob" (event 11) arrived after this task started: not seen yet.
    EXPECT_EQ(decisions_at(h, 10, runner), "[]");
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({complete(R"("[\"alice\",\"bob\"]")")}));
    expect_history_reproduced(h, runner);
}

struct patient : wf::workflow<> {
    static constexpr std::string_view name = "Patient";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto bounded = co_await ctx.wait_signal("go", 60s);
        auto next = co_await ctx.wait_signal("go");
        co_return (bounded ? *bounded : std::string("none")) + "/" + next;
    }
};

TEST(replay, bounded_signal_wait_times_out_and_leaves_the_later_signal_for_the_next_wait) {
    auto h = load_history("signal_timeout");
    auto runner = wf::make_runner<patient>();
    EXPECT_EQ(decisions_at(h, 3, runner),
              canonical({R"({"decisionType":"StartTimer","startTimerDecisionAttributes":)"
                         R"({"timerId":"t1","startToFireTimeout":"60"}})"}));
    EXPECT_EQ(decisions_at(h, 8, runner), "[]");
    EXPECT_EQ(decisions_at(h, 12, runner), canonical({complete(R"("none/\"late\"")")}));
    expect_history_reproduced(h, runner);
}

model::history_event signaled(std::int64_t id, std::string name, std::string input) {
    model::history_event e;
    e.event_id = id;
    e.event_timestamp = 1700000100.0 + static_cast<double>(id);
    e.event_type = model::event_type::workflow_execution_signaled;
    auto& a = e.workflow_execution_signaled_event_attributes.emplace();
    a.signal_name = std::move(name);
    a.input = std::move(input);
    return e;
}

model::history_event decision_started(std::int64_t id, std::int64_t scheduled) {
    model::history_event e;
    e.event_id = id;
    e.event_timestamp = 1700000100.0 + static_cast<double>(id);
    e.event_type = model::event_type::decision_task_started;
    e.decision_task_started_event_attributes.emplace().scheduled_event_id = scheduled;
    return e;
}

TEST(replay, bounded_signal_wait_with_the_signal_already_there_starts_no_timer) {
    auto file = load_history("signal_timeout");
    model::history h;
    h.events = {file.events[0], file.events[1], signaled(3, "go", "\"early\""),
                signaled(4, "go", "\"second\""), decision_started(5, 2)};
    EXPECT_EQ(decisions_at(h, 5, wf::make_runner<patient>()),
              canonical({complete(R"("\"early\"/\"second\"")")}));
}

// ---- side effects and random numbers ----

int side_effect_calls = 0;
std::string seen_token;

struct tokens : wf::workflow<> {
    static constexpr std::string_view name = "Tokens";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        seen_token =
            ctx.side_effect([] { return "\"fresh-token-" + std::to_string(++side_effect_calls) + "\""; });
        co_return co_await ctx.activity("use", "1", seen_token);
    }
};

TEST(replay, side_effect_runs_once_and_replays_the_recorded_value) {
    auto h = load_history("side_effect");
    auto runner = wf::make_runner<tokens>();
    side_effect_calls = 0;
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical({R"({"decisionType":"RecordMarker","recordMarkerDecisionAttributes":)"
                   R"({"markerName":"SideEffect","details":"\"fresh-token-1\""}})",
                   R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"1","activityType":{"name":"use","version":"1"},)"
                   R"("input":"\"fresh-token-1\""}})"}));
    EXPECT_EQ(side_effect_calls, 1);
    EXPECT_EQ(seen_token, "\"fresh-token-1\"");

    // The history recorded another value (event 5): replays return it and
    // never call fn again.
    side_effect_calls = 0;
    EXPECT_EQ(decisions_at(h, 10, runner), canonical({complete(R"("\"used\"")")}));
    EXPECT_EQ(side_effect_calls, 0);
    EXPECT_EQ(seen_token, "\"recorded-token\"");
}

struct marks : wf::workflow<> {
    static constexpr std::string_view name = "Markers";
    static constexpr std::string_view version = "1";
    explicit marks(std::string marker) : marker_(std::move(marker)) {}
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        ctx.marker(marker_, "{\"step\":1}");
        co_return "done";
    }
    std::string marker_;
};

TEST(replay, markers_are_recorded_but_side_effects_name_is_reserved) {
    auto h = load_history("seed_bad_input");
    auto progress = wf::make_runner<marks>([] { return std::make_unique<marks>("progress"); });
    EXPECT_EQ(decisions_at(h, 3, progress),
              canonical({R"({"decisionType":"RecordMarker","recordMarkerDecisionAttributes":)"
                         R"({"markerName":"progress","details":"{\"step\":1}"}})",
                         complete(R"("done")")}));
    auto forged = wf::make_runner<marks>([] { return std::make_unique<marks>("SideEffect"); });
    EXPECT_THROW((void)wf::replay(wf::testing::task_at(h, 3), forged), std::invalid_argument);
}

std::vector<std::uint64_t> rolled;

struct dice : wf::workflow<> {
    static constexpr std::string_view name = "Dice";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        rolled.clear();
        for (int i = 0; i < 3; ++i)
            rolled.push_back(ctx.random());
        co_return std::to_string(rolled[0] % 6 + 1);
    }
};

std::vector<std::uint64_t> rolls_for(const std::string& run_id) {
    auto h = load_history("seed_bad_input");
    (void)wf::replay(wf::testing::task_at(h, 3, {run_id, "dice"}), wf::make_runner<dice>());
    return rolled;
}

TEST(replay, random_is_the_same_on_every_replay_of_a_run_and_differs_between_runs) {
    auto a = rolls_for("run-a");
    ASSERT_EQ(a.size(), 3u);
    EXPECT_NE(a[0], a[1]);
    EXPECT_NE(a[1], a[2]);
    EXPECT_EQ(rolls_for("run-a"), a);
    EXPECT_NE(rolls_for("run-b"), a);
}

// ---- failures ----

struct charge : wf::workflow<> {
    static constexpr std::string_view name = "Charge";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        std::optional<wf::activity_failed> failed;
        try {
            auto receipt = co_await ctx.activity("charge", "1", input);
            co_return "charged " + receipt;
        } catch (const wf::activity_failed& f) {
            failed = f;
        }
        if (failed->activity_id() != "1" || failed->activity_type().name != "charge")
            throw wf::workflow_failed("WRONG_ACTIVITY", failed->what());
        co_await ctx.activity("refund", "1", failed->reason());
        co_return "refunded: " + failed->reason() + "/" + failed->details() + "@" +
            std::to_string(failed->event_id());
    }
};

TEST(replay, activity_failure_is_a_typed_exception_the_workflow_catches) {
    auto h = load_history("activity_failed");
    auto runner = wf::make_runner<charge>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical({R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"1","activityType":{"name":"charge","version":"1"},)"
                   R"("input":"{\"amount\":10}"}})"}));
    EXPECT_EQ(
        decisions_at(h, 9, runner),
        canonical({R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"2","activityType":{"name":"refund","version":"1"},)"
                   R"("input":"CardDeclined"}})"}));
    EXPECT_EQ(decisions_at(h, 15, runner),
              canonical({complete(R"("refunded: CardDeclined/insufficient funds@7")")}));
    expect_history_reproduced(h, runner);
}

struct errors : wf::workflow<> {
    static constexpr std::string_view name = "Errors";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto slow = ctx.activity("slow", "1", {}, {.start_to_close_timeout = 10s});
        auto missing = ctx.activity("missing", "1");
        auto pause = ctx.timer(5s);
        std::string out;
        try {
            co_await pause;
            out += "fired";
        } catch (const wf::start_timer_failed& e) {
            out += std::string(model::to_string(e.cause()));
            if (e.timer_id() != "t1" || e.event_id() != 7) throw wf::workflow_failed("WRONG_TIMER", e.what());
        }
        try {
            co_await missing;
        } catch (const wf::schedule_activity_failed& e) {
            out += "," + std::string(model::to_string(e.cause()));
            if (e.activity_id() != "2" || e.event_id() != 6)
                throw wf::workflow_failed("WRONG_ACTIVITY", e.what());
        }
        try {
            co_await slow;
        } catch (const wf::activity_timed_out& e) {
            out += "," + std::string(model::to_string(e.timeout_type()));
        }
        co_return out;
    }
};

TEST(replay, refused_decisions_and_timeouts_are_typed_exceptions) {
    auto h = load_history("activity_errors");
    auto runner = wf::make_runner<errors>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical(
            {R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
             R"("activityId":"1","activityType":{"name":"slow","version":"1"},"startToCloseTimeout":"10"}})",
             R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
             R"("activityId":"2","activityType":{"name":"missing","version":"1"}}})",
             R"({"decisionType":"StartTimer","startTimerDecisionAttributes":)"
             R"({"timerId":"t1","startToFireTimeout":"5"}})"}));
    EXPECT_EQ(decisions_at(h, 10, runner), "[]");
    EXPECT_EQ(decisions_at(h, 14, runner),
              canonical({complete(
                  R"("TIMER_CREATION_RATE_EXCEEDED,ACTIVITY_TYPE_DOES_NOT_EXIST,START_TO_CLOSE")")}));
    expect_history_reproduced(h, runner);
}

struct long_failure : wf::workflow<> {
    static constexpr std::string_view name = "Long";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context&, std::string) override {
        throw wf::workflow_failed(std::string(300, 'r'), std::string(40000, 'd'));
        co_return "";
    }
};

TEST(replay, fail_workflow_reason_and_details_are_cut_to_swfs_limits) {
    auto h = load_history("seed_bad_input");
    auto r = wf::replay(wf::testing::task_at(h, 3), wf::make_runner<long_failure>());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(r.value().size(), 1u);
    const auto& a = *r.value()[0].fail_workflow_execution_decision_attributes;
    EXPECT_EQ(a.reason->size(), 256u);
    EXPECT_EQ(a.details->size(), 32768u);
    EXPECT_TRUE(a.reason->ends_with(" [truncated]"));
    EXPECT_EQ(a.reason->substr(0, 244), std::string(244, 'r'));
}

// ---- composition ----

struct race : wf::workflow<> {
    static constexpr std::string_view name = "Race";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto work = ctx.activity("work", "1");
        auto deadline = ctx.timer(60s);
        auto first = co_await wf::when_any(work, deadline);
        if (first == 0) co_return co_await work;
        co_return std::string("timeout");
    }
};

TEST(replay, when_any_takes_what_the_history_resolved_first) {
    auto h = load_history("race");
    auto runner = wf::make_runner<race>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical({R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"1","activityType":{"name":"work","version":"1"}}})",
                   R"({"decisionType":"StartTimer","startTimerDecisionAttributes":)"
                   R"({"timerId":"t1","startToFireTimeout":"60"}})"}));
    // TimerFired (8) before ActivityTaskCompleted (9), both seen at once.
    EXPECT_EQ(decisions_at(h, 11, runner), canonical({complete(R"("timeout")")}));
    expect_history_reproduced(h, runner);

    // The same two outcomes the other way round.
    std::swap(h.events[7], h.events[8]);
    h.events[7].event_id = 8;
    h.events[8].event_id = 9;
    EXPECT_EQ(decisions_at(h, 11, runner), canonical({complete(R"("\"late\"")")}));
}

wf::task<std::string> branch(wf::context& ctx, std::string activity) {
    auto r = co_await ctx.activity(activity, "1");
    co_await ctx.timer(5s);
    co_return r;
}

struct branches : wf::workflow<> {
    static constexpr std::string_view name = "Branches";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto left = ctx.spawn(branch(ctx, "left"));
        auto right = ctx.spawn(branch(ctx, "right"));
        auto [l, r] = co_await wf::when_all(left, right);
        co_return l + r;
    }
};

TEST(replay, spawned_coroutines_run_side_by_side_and_take_ids_in_the_order_they_run) {
    auto h = load_history("branches");
    auto runner = wf::make_runner<branches>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical({R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"1","activityType":{"name":"left","version":"1"}}})",
                   R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"2","activityType":{"name":"right","version":"1"}}})"}));
    // "right" finished first: its timer is t1.
    EXPECT_EQ(decisions_at(h, 10, runner),
              canonical({R"({"decisionType":"StartTimer","startTimerDecisionAttributes":)"
                         R"({"timerId":"t1","startToFireTimeout":"5"}})"}));
    EXPECT_EQ(decisions_at(h, 16, runner),
              canonical({R"({"decisionType":"StartTimer","startTimerDecisionAttributes":)"
                         R"({"timerId":"t2","startToFireTimeout":"5"}})"}));
    EXPECT_EQ(decisions_at(h, 22, runner), canonical({complete(R"("LR")")}));
    expect_history_reproduced(h, runner);
}

// ---- decision task bookkeeping ----

struct echo : wf::workflow<> {
    static constexpr std::string_view name = "Echo";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        co_return co_await ctx.activity("echo", "1", input);
    }
};

const std::string schedule_echo =
    R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
    R"("activityId":"1","activityType":{"name":"echo","version":"1"},"input":"\"hi\""}})";

TEST(replay, a_timed_out_decision_task_is_skipped) {
    auto h = load_history("decision_timed_out");
    auto runner = wf::make_runner<echo>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule_echo}));
    // Its answer was never applied: the next task decides the same, once.
    EXPECT_EQ(decisions_at(h, 6, runner), canonical({schedule_echo}));
    EXPECT_EQ(decisions_at(h, 12, runner), canonical({complete(R"("\"hi\"")")}));
    expect_history_reproduced(h, runner);
}

struct stamped : wf::workflow<> {
    static constexpr std::string_view name = "Echo";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        seen_times.push_back(ctx.now());
        co_return co_await ctx.activity("echo", "1", input);
    }
};

TEST(replay, the_code_runs_at_the_decision_task_whose_answer_was_applied) {
    // Task 3 timed out: the code first runs at task 6, at its time.
    auto h = load_history("decision_timed_out");
    seen_times.clear();
    EXPECT_EQ(decisions_at(h, 12, wf::make_runner<stamped>()), canonical({complete(R"("\"hi\"")")}));
    ASSERT_EQ(seen_times.size(), 1u);
    EXPECT_EQ(millis(seen_times[0]), static_cast<std::int64_t>(h.events[5].event_timestamp * 1000));
    EXPECT_NE(h.events[5].event_timestamp, h.events[2].event_timestamp);
}

TEST(replay, a_refused_close_decision_is_made_again) {
    auto h = load_history("complete_refused");
    auto runner = wf::make_runner<echo>();
    EXPECT_EQ(decisions_at(h, 9, runner), canonical({complete(R"("\"hi\"")")}));
    // CompleteWorkflowExecutionFailed (UNHANDLED_DECISION: the signal came in
    // meanwhile) at event 12.
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({complete(R"("\"hi\"")")}));
    expect_history_reproduced(h, runner);
}

TEST(replay, history_from_another_source_decides_at_the_last_decision_task_started) {
    auto h = load_history("seed_lambda_failed");
    h.events.resize(7); // up to LambdaFunctionFailed: the last started is 3
    auto r = wf::replay(h.events, wf::testing::test_execution(), 0, wf::make_runner<echo>());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(
        wf::testing::json_of(r.value()),
        canonical({R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"1","activityType":{"name":"echo","version":"1"},)"
                   R"("input":"\"some input\""}})"}));
}

} // namespace
