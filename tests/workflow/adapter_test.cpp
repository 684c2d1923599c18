// The plugin adapter: a raw decider that replays the workflow, its distinct
// exceptions for the runtime's failure policy, and the registration built
// from the workflow class.
//
// Like a plugin, this file uses Asio (through the SDK header) header-only:
// the test binary does not link the tree's separately compiled Asio.
#undef BOOST_ASIO_SEPARATE_COMPILATION
#undef BOOST_BEAST_SEPARATE_COMPILATION
#include "workflow/sdk_adapter.hpp"

#include <gtest/gtest.h>

#include <string>

#include "replay_support.hpp"
#include "seed_workflow.hpp"
#include "swf/codec/codec.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using wf::testing::canonical;
using wf::testing::load_history;
using wf::testing::my_workflow;
using wf::testing::my_workflow_changed;

namespace {

TEST(adapter, decides_a_poll_for_decision_task_response) {
    auto json = wf::testing::read_file(wf::testing::history_path("seed_first_decision_task"));
    auto task = swfrt::swf::codec::decode<model::decision_task>(json);
    ASSERT_TRUE(task.has_value()) << task.error().to_string();
    auto decided = wf::make_decider<my_workflow>()(*task);
    EXPECT_EQ(wf::testing::json_of(decided.decisions), canonical({wf::testing::schedule_first}));
    EXPECT_FALSE(decided.execution_context.has_value());
}

TEST(adapter, throws_non_determinism_as_its_own_type) {
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
        EXPECT_STREQ(e.what(),
                     "non-determinism at history event 5 (decisions of the decision task started at "
                     "event 3): the history records LambdaFunctionScheduled (id \"l1\", function "
                     "some_lambda_func) where the code now issues ScheduleLambdaFunction (id \"l1\", "
                     "function renamed_lambda_func)");
    }
    // At its first decision task the changed code has no history to disagree with.
    EXPECT_NO_THROW((void)decider(wf::testing::task_at(h, 3)));
}

TEST(adapter, throws_malformed_history_as_its_own_type) {
    auto h = load_history("seed_complete");
    auto task = wf::testing::task_at(h, 9);
    task.started_event_id = 8; // a DecisionTaskScheduled, not a started one
    EXPECT_THROW((void)wf::make_decider<my_workflow>()(task), wf::malformed_history_error);
}

TEST(adapter, lets_the_workflows_own_exceptions_through) {
    auto h = load_history("seed_lambda_failed");
    EXPECT_THROW((void)wf::make_decider<my_workflow>()(wf::testing::task_at(h, 9)), wf::lambda_failed);
}

TEST(adapter, fails_the_execution_on_non_determinism_when_the_policy_says_so) {
    auto h = load_history("seed_complete");
    wf::workflow_policies policies;
    policies.on_non_determinism = swfrt::sdk::failure_policy::fail_workflow;
    auto decided = wf::make_registration<my_workflow_changed>(policies).decider(wf::testing::task_at(h, 9));
    ASSERT_EQ(decided.decisions.size(), 1u);
    const auto& d = decided.decisions[0];
    ASSERT_EQ(d.decision_type, model::decision_type::fail_workflow_execution);
    EXPECT_EQ(d.fail_workflow_execution_decision_attributes->reason, "NonDeterminism");
    EXPECT_EQ(d.fail_workflow_execution_decision_attributes->details,
              "non-determinism at history event 5 (decisions of the decision task started at "
              "event 3): the history records LambdaFunctionScheduled (id \"l1\", function "
              "some_lambda_func) where the code now issues ScheduleLambdaFunction (id \"l1\", "
              "function renamed_lambda_func)");
    // The workflow's own exceptions keep their policy (leave the task).
    auto failed = load_history("seed_lambda_failed");
    EXPECT_THROW((void)wf::make_decider<my_workflow>(policies)(wf::testing::task_at(failed, 9)), wf::lambda_failed);
    // A malformed history is never answered with a guess.
    auto task = wf::testing::task_at(h, 9);
    task.started_event_id = 8;
    EXPECT_THROW((void)wf::make_decider<my_workflow>(policies)(task), wf::malformed_history_error);
}

TEST(adapter, fails_the_execution_on_an_exception_when_the_policy_says_so) {
    auto h = load_history("seed_lambda_failed");
    wf::workflow_policies policies;
    policies.on_exception = swfrt::sdk::failure_policy::fail_workflow;
    auto decided = wf::make_decider<my_workflow>(policies)(wf::testing::task_at(h, 9));
    ASSERT_EQ(decided.decisions.size(), 1u);
    const auto& d = decided.decisions[0];
    ASSERT_EQ(d.decision_type, model::decision_type::fail_workflow_execution);
    EXPECT_EQ(d.fail_workflow_execution_decision_attributes->reason, "UnhandledException");
    auto what = wf::make_decider<my_workflow>()(wf::testing::task_at(h, 3)).decisions; // still decides normally
    EXPECT_EQ(what.size(), 1u);
    try {
        (void)wf::make_decider<my_workflow>()(wf::testing::task_at(h, 9));
        FAIL() << "decider returned";
    } catch (const wf::lambda_failed& e) {
        EXPECT_EQ(d.fail_workflow_execution_decision_attributes->details, std::string(e.what()));
    }
    // Non-determinism keeps its own policy (leave the task).
    auto complete = load_history("seed_complete");
    EXPECT_THROW((void)wf::make_decider<my_workflow_changed>(policies)(wf::testing::task_at(complete, 9)),
                 wf::non_determinism_error);
}

TEST(adapter, registration_carries_name_version_and_defaults) {
    auto r = wf::make_registration<my_workflow>();
    EXPECT_EQ(r.type.name, "MyWorkflow");
    EXPECT_EQ(r.type.version, "1.0");
    EXPECT_EQ(r.type.description, "the seed example");
    EXPECT_EQ(r.type.default_task_list, "deciders");
    EXPECT_EQ(r.type.default_execution_start_to_close_timeout, "3600");
    EXPECT_EQ(r.type.default_task_start_to_close_timeout, "60");
    EXPECT_EQ(r.type.default_child_policy, "TERMINATE");
    EXPECT_EQ(r.type.default_lambda_role, "arn:aws:iam::123456789012:role/swf-lambda");
    EXPECT_EQ(r.type.default_task_priority, "5");
    // The decider applies the workflow's policies; what it throws is left.
    EXPECT_EQ(r.on_exception, swfrt::sdk::failure_policy::retry_task);
    ASSERT_TRUE(static_cast<bool>(r.decider));
    auto h = load_history("seed_complete");
    EXPECT_EQ(wf::testing::json_of(r.decider(wf::testing::task_at(h, 3)).decisions),
              canonical({wf::testing::schedule_first}));

    // Without defaults() everything is left to StartWorkflowExecution.
    auto bare = wf::make_registration<my_workflow_changed>();
    EXPECT_FALSE(bare.type.default_task_list.has_value());
    EXPECT_FALSE(bare.type.default_child_policy.has_value());
    EXPECT_EQ(bare.on_exception, swfrt::sdk::failure_policy::retry_task);
}

} // namespace
