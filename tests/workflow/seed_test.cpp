// The seed example, MyWorkflow 1.0, through its whole life: first decision,
// after each Lambda function, completion; bad input failing the execution;
// an uncaught Lambda failure left to the caller's failure policy.
#include <gtest/gtest.h>

#include <string>

#include "replay_support.hpp"
#include "seed_workflow.hpp"
#include "workflow/errors.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
using wf::testing::canonical;
using wf::testing::decisions_at;
using wf::testing::load_history;
using wf::testing::my_workflow;

namespace {

TEST(seed, steps_through_its_whole_life) {
    auto h = load_history("seed_complete");
    auto runner = wf::make_runner<my_workflow>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({wf::testing::schedule_first}));
    EXPECT_EQ(
        decisions_at(h, 9, runner),
        canonical({R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
                   R"({"id":"l2","name":"other_lambda_func","input":"42"}})"}));
    EXPECT_EQ(decisions_at(h, 15, runner),
              canonical({R"({"decisionType":"CompleteWorkflowExecution",)"
                         R"("completeWorkflowExecutionDecisionAttributes":{"result":"{\"answer\":42}"}})"}));
}

TEST(seed, reproduces_every_recorded_decision) {
    wf::testing::expect_history_reproduced(load_history("seed_complete"), wf::make_runner<my_workflow>());
    wf::testing::expect_history_reproduced(load_history("seed_bad_input"), wf::make_runner<my_workflow>());
}

TEST(seed, bad_input_fails_the_execution_with_reason_and_details) {
    auto h = load_history("seed_bad_input");
    EXPECT_EQ(
        decisions_at(h, 3, wf::make_runner<my_workflow>()),
        canonical({R"({"decisionType":"FailWorkflowExecution","failWorkflowExecutionDecisionAttributes":)"
                   R"({"reason":"BAD_INPUT","details":"Received bad input"}})"}));
}

TEST(seed, uncaught_lambda_failure_is_left_to_the_failure_policy) {
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
        EXPECT_STREQ(e.what(),
                     R"(Lambda function "l1" (some_lambda_func) failed: Unhandled: {"errorMessage":"boom"})");
    }
    // Before the failure is in the history the code just waits.
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<my_workflow>()), canonical({wf::testing::schedule_first}));
}

} // namespace
