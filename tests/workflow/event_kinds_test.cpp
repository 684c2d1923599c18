// Event types the feature histories do not hold, each in a canned history of
// its own (misc_*.json) with the exact decisions at every decision task:
// Lambda functions that time out, are refused or cannot start; a refused
// marker and a refused FailWorkflowExecution; executions closed from outside
// (timed out, terminated) while a decision task ran. And a check that the
// canned histories together hold all 54 SWF event types.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "replay_support.hpp"
#include "swf/codec/codec.hpp"
#include "workflow/context.hpp"
#include "workflow/errors.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using wf::testing::canonical;
using wf::testing::decisions_at;
using wf::testing::expect_history_reproduced;
using wf::testing::load_history;
using wf::testing::json_string;
using wf::testing::complete;
using wf::testing::schedule;

namespace {




std::string marker(const std::string& details) {
    return R"({"decisionType":"RecordMarker","recordMarkerDecisionAttributes":{"markerName":"progress","details":)" +
           json_string(details) + "}}";
}

// ---- Lambda functions: timed out, refused, could not start ----

struct lambdas : wf::workflow<> {
    static constexpr std::string_view name = "Lambdas";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        wf::lambda_options quick{.start_to_close_timeout = 10s};
        auto slow = ctx.lambda("slow", {}, std::move(quick));
        auto busy = ctx.lambda("busy");
        auto locked = ctx.lambda("locked");
        std::string out;
        try {
            co_await slow;
            out += "slow: completed; ";
        } catch (const wf::lambda_timed_out& e) {
            out += e.function() + ": timed out " + std::string(model::to_string(e.timeout_type().value())) +
                   " @" + std::to_string(e.event_id()) + "; ";
        }
        try {
            co_await busy;
            out += "busy: completed; ";
        } catch (const wf::schedule_lambda_failed& e) {
            out += e.function() + ": " + std::string(model::to_string(e.cause())) + " @" +
                   std::to_string(e.event_id()) + "; ";
        }
        try {
            co_await locked;
            out += "locked: completed";
        } catch (const wf::start_lambda_failed& e) {
            out += e.function() + ": " + std::string(model::to_string(e.cause().value())) + " " +
                   e.message() + " @" + std::to_string(e.event_id());
        }
        co_return out;
    }
};

TEST(event_kinds, lambda_timed_out_refused_at_scheduling_and_failed_to_start) {
    auto h = load_history("misc_lambda_failures");
    auto runner = wf::make_runner<lambdas>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical({R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
                   R"({"id":"l1","name":"slow","startToCloseTimeout":"10"}})",
                   R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
                   R"({"id":"l2","name":"busy"}})",
                   R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
                   R"({"id":"l3","name":"locked"}})"}));
    // ScheduleLambdaFunctionFailed (6) and StartLambdaFunctionFailed (10)
    // are known, but the code still waits for "slow".
    EXPECT_EQ(decisions_at(h, 11, runner), "[]");
    EXPECT_EQ(decisions_at(h, 15, runner),
              canonical({complete(
                  "slow: timed out START_TO_CLOSE @13; busy: OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED @6; "
                  "locked: ASSUME_ROLE_FAILED role gone @10")}));
    expect_history_reproduced(h, runner);
}

// ---- RecordMarkerFailed ----

struct marked : wf::workflow<> {
    static constexpr std::string_view name = "Marked";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        ctx.marker("progress", "{\"step\":1}");
        auto r = co_await ctx.activity("step", "1");
        ctx.marker("progress", "{\"step\":2}");
        co_return r;
    }
};

TEST(event_kinds, a_refused_marker_matches_its_record_marker_and_changes_nothing) {
    auto h = load_history("misc_marker_failed");
    auto runner = wf::make_runner<marked>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({marker("{\"step\":1}"), schedule("1", "step")}));
    // RecordMarkerFailed (5) is not made again.
    EXPECT_EQ(decisions_at(h, 8, runner), "[]");
    EXPECT_EQ(decisions_at(h, 13, runner), canonical({marker("{\"step\":2}"), complete("\"stepped\"")}));
    expect_history_reproduced(h, runner);
}

// ---- FailWorkflowExecutionFailed ----

struct strict : wf::workflow<> {
    static constexpr std::string_view name = "Strict";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto r = co_await ctx.activity("check", "1");
        if (r != "\"ok\"") throw wf::workflow_failed("Rejected", r);
        co_return r;
    }
};

TEST(event_kinds, a_refused_fail_decision_is_made_again) {
    auto h = load_history("misc_fail_refused");
    auto runner = wf::make_runner<strict>();
    const std::string fail =
        R"({"decisionType":"FailWorkflowExecution","failWorkflowExecutionDecisionAttributes":)"
        R"({"reason":"Rejected","details":"\"bad\""}})";
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule("1", "check")}));
    EXPECT_EQ(decisions_at(h, 9, runner), canonical({fail}));
    // A signal (10) came in meanwhile: FailWorkflowExecutionFailed
    // UNHANDLED_DECISION (12).
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({fail}));
    expect_history_reproduced(h, runner);
}

// ---- executions closed from outside ----

struct slowpoke : wf::workflow<> {
    static constexpr std::string_view name = "Slowpoke";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        co_return co_await ctx.activity("crawl", "1");
    }
};

// The whole history handed to replay, as a tool replaying a closed
// execution does: it decides at the last DecisionTaskStarted.
std::string decisions_of_whole_history(const model::history& h, const wf::workflow_runner& runner) {
    auto r = wf::replay(h.events, wf::testing::test_execution(), 0, runner);
    if (!r) return "replay error: " + r.error().message;
    return wf::testing::json_of(r.value());
}

TEST(event_kinds, an_execution_that_timed_out_during_a_decision_task_replays_as_before) {
    auto h = load_history("misc_timed_out");
    ASSERT_EQ(h.events.back().event_type, model::event_type::workflow_execution_timed_out);
    auto runner = wf::make_runner<slowpoke>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule("1", "crawl")}));
    const auto last = canonical({complete("\"crawled\"")});
    EXPECT_EQ(decisions_at(h, 9, runner), last);
    EXPECT_EQ(decisions_of_whole_history(h, runner), last);
    expect_history_reproduced(h, runner);
}

struct patient : wf::workflow<> {
    static constexpr std::string_view name = "Patient";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        co_return co_await ctx.wait_signal("go");
    }
};

TEST(event_kinds, an_execution_terminated_during_a_decision_task_replays_as_before) {
    auto h = load_history("misc_terminated");
    ASSERT_EQ(h.events.back().event_type, model::event_type::workflow_execution_terminated);
    auto runner = wf::make_runner<patient>();
    EXPECT_EQ(decisions_at(h, 3, runner), "[]");
    const auto last = canonical({complete("\"now\"")});
    EXPECT_EQ(decisions_at(h, 7, runner), last);
    EXPECT_EQ(decisions_of_whole_history(h, runner), last);
    expect_history_reproduced(h, runner);
}

} // namespace
