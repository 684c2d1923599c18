// The seed example, MyWorkflow 1.0, through its whole life: first decision,
// after each Lambda function, completion; bad input failing the execution;
// an uncaught Lambda failure left to the failure policy; and the plugin
// adapter (decider and registration) on a PollForDecisionTask response.
#include "workflow/sdk_adapter.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <chrono>
#include <string>

#include "replay_support.hpp"
#include "workflow/context.hpp"
#include "workflow/errors.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using wf::testing::canonical;
using wf::testing::decisions_at;
using wf::testing::load_history;

namespace {

long parse_integer(const std::string& s) {
    long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        throw wf::workflow_failed("BAD_LAMBDA_RESULT", "not an integer: " + s);
    return v;
}

struct my_workflow : wf::workflow<> {
    static constexpr std::string_view name = "MyWorkflow";
    static constexpr std::string_view version = "1.0";
    static wf::workflow_defaults defaults() {
        return {.description = "the seed example",
                .task_list = "deciders",
                .execution_start_to_close_timeout = 3600s,
                .task_start_to_close_timeout = 60s,
                .child_policy = model::child_policy::terminate,
                .lambda_role = "arn:aws:iam::123456789012:role/swf-lambda",
                .task_priority = 5};
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        if (input == "\"bad_input\"") throw wf::workflow_failed("BAD_INPUT", "Received bad input");
        auto first = co_await ctx.lambda("some_lambda_func", input);
        auto second = co_await ctx.lambda("other_lambda_func", std::to_string(parse_integer(first) + 2));
        co_return second;
    }
};

// The same, but a later code version calls another function first.
struct my_workflow_changed : wf::workflow<> {
    static constexpr std::string_view name = "MyWorkflow";
    static constexpr std::string_view version = "1.0";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        auto first = co_await ctx.lambda("renamed_lambda_func", input);
        co_return first;
    }
};

const std::string schedule_first =
    R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
    R"({"id":"l1","name":"some_lambda_func","input":"\"some input\""}})";

TEST(Seed, StepsThroughItsWholeLife) {
    auto h = load_history("seed_complete");
    auto runner = wf::make_runner<my_workflow>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule_first}));
    EXPECT_EQ(decisions_at(h, 9, runner),
              canonical({R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
                         R"({"id":"l2","name":"other_lambda_func","input":"42"}})"}));
    EXPECT_EQ(decisions_at(h, 15, runner),
              canonical({R"({"decisionType":"CompleteWorkflowExecution",)"
                         R"("completeWorkflowExecutionDecisionAttributes":{"result":"{\"answer\":42}"}})"}));
}

TEST(Seed, ReproducesEveryRecordedDecision) {
    wf::testing::expect_history_reproduced(load_history("seed_complete"), wf::make_runner<my_workflow>());
    wf::testing::expect_history_reproduced(load_history("seed_bad_input"), wf::make_runner<my_workflow>());
}

TEST(Seed, BadInputFailsTheExecutionWithReasonAndDetails) {
    auto h = load_history("seed_bad_input");
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<my_workflow>()),
              canonical({R"({"decisionType":"FailWorkflowExecution","failWorkflowExecutionDecisionAttributes":)"
                         R"({"reason":"BAD_INPUT","details":"Received bad input"}})"}));
}

TEST(Seed, UncaughtLambdaFailureIsLeftToTheFailurePolicy) {
    auto h = load_history("seed_lambda_failed");
    try {
        (void)wf::replay(wf::testing::task_at(h, 9), wf::make_runner<my_workflow>());
        FAIL() << "replay returned";
    } catch (const wf::lambda_failed& e) {
        EXPECT_EQ(e.reason(), "Unhandled");
        EXPECT_EQ(e.details(), R"({"errorMessage":"boom"})");
        EXPECT_EQ(e.event_id(), 7);
        EXPECT_EQ(e.lambda_id(), "l1");
        EXPECT_EQ(e.function(), "some_lambda_func");
        EXPECT_STREQ(e.what(), R"(Lambda function "l1" (some_lambda_func) failed: Unhandled: {"errorMessage":"boom"})");
    }
    // Through the adapter the same exception reaches the runtime.
    auto decider = wf::make_decider<my_workflow>();
    EXPECT_THROW(decider(wf::testing::task_at(h, 9)), wf::lambda_failed);
}

TEST(Seed, AdapterDecidesAPollForDecisionTaskResponse) {
    auto json = wf::testing::read_file(wf::testing::history_path("seed_first_decision_task"));
    auto task = swfrt::swf::codec::decode<model::decision_task>(json);
    ASSERT_TRUE(task.has_value()) << task.error().to_string();
    auto decided = wf::make_decider<my_workflow>()(*task);
    EXPECT_EQ(wf::testing::json_of(decided.decisions), canonical({schedule_first}));
    EXPECT_FALSE(decided.execution_context.has_value());
}

TEST(Seed, AdapterThrowsNonDeterminismAsItsOwnType) {
    auto h = load_history("seed_complete");
    auto decider = wf::make_decider<my_workflow_changed>();
    try {
        (void)decider(wf::testing::task_at(h, 9));
        FAIL() << "decider returned";
    } catch (const wf::non_determinism_error& e) {
        EXPECT_EQ(e.error().kind, wf::replay_error_kind::non_determinism);
        EXPECT_EQ(e.error().event_id, 5);
        EXPECT_EQ(e.error().history, R"(LambdaFunctionScheduled (id "l1", function some_lambda_func))");
        EXPECT_EQ(e.error().code, R"(ScheduleLambdaFunction (id "l1", function renamed_lambda_func))");
        EXPECT_STREQ(e.what(), "non-determinism at history event 5 (decisions of the decision task started at "
                               "event 3): the history records LambdaFunctionScheduled (id \"l1\", function "
                               "some_lambda_func) where the code now issues ScheduleLambdaFunction (id \"l1\", "
                               "function renamed_lambda_func)");
    }
    // At its first decision task the changed code has no history to disagree with.
    EXPECT_NO_THROW((void)decider(wf::testing::task_at(h, 3)));
}

TEST(Seed, RegistrationCarriesNameVersionAndDefaults) {
    auto r = wf::make_registration<my_workflow>(swfrt::sdk::failure_policy::fail_workflow);
    EXPECT_EQ(r.type.name, "MyWorkflow");
    EXPECT_EQ(r.type.version, "1.0");
    EXPECT_EQ(r.type.description, "the seed example");
    EXPECT_EQ(r.type.default_task_list, "deciders");
    EXPECT_EQ(r.type.default_execution_start_to_close_timeout, "3600");
    EXPECT_EQ(r.type.default_task_start_to_close_timeout, "60");
    EXPECT_EQ(r.type.default_child_policy, "TERMINATE");
    EXPECT_EQ(r.type.default_lambda_role, "arn:aws:iam::123456789012:role/swf-lambda");
    EXPECT_EQ(r.type.default_task_priority, "5");
    EXPECT_EQ(r.on_exception, swfrt::sdk::failure_policy::fail_workflow);
    ASSERT_TRUE(static_cast<bool>(r.decider));
    auto h = load_history("seed_complete");
    EXPECT_EQ(wf::testing::json_of(r.decider(wf::testing::task_at(h, 3)).decisions), canonical({schedule_first}));

    // Without defaults() everything is left to StartWorkflowExecution.
    auto bare = wf::make_registration<my_workflow_changed>();
    EXPECT_FALSE(bare.type.default_task_list.has_value());
    EXPECT_FALSE(bare.type.default_child_policy.has_value());
    EXPECT_EQ(bare.on_exception, swfrt::sdk::failure_policy::retry_task);
}

} // namespace
