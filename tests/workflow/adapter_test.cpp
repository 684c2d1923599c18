// The plugin adapter: a raw decider that replays the workflow, the outcome
// it answers for the runtime's failure policy, and the registration built
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

using swfrt::sdk::decider_outcome;

TEST(adapter, answers_non_determinism_with_its_message) {
    auto h = load_history("seed_complete");
    auto decider = wf::make_decider<my_workflow_changed>();
    auto r = decider(wf::testing::task_at(h, 9));
    EXPECT_EQ(r.outcome, decider_outcome::non_determinism);
    EXPECT_TRUE(r.decisions.empty());
    EXPECT_EQ(r.message,
              "non-determinism at history event 5 (decisions of the decision task started at "
              "event 3): the history records LambdaFunctionScheduled (id \"l1\", function "
              "some_lambda_func) where the code now issues ScheduleLambdaFunction (id \"l1\", "
              "function renamed_lambda_func)");
    // At its first decision task the changed code has no history to disagree with.
    auto first = decider(wf::testing::task_at(h, 3));
    EXPECT_EQ(first.outcome, decider_outcome::decided);
    EXPECT_EQ(first.decisions.size(), 1u);
}

TEST(adapter, answers_a_malformed_history_with_its_message) {
    auto h = load_history("seed_complete");
    auto task = wf::testing::task_at(h, 9);
    task.started_event_id = 8; // a DecisionTaskScheduled, not a started one
    auto r = wf::make_decider<my_workflow>()(task);
    EXPECT_EQ(r.outcome, decider_outcome::malformed_history);
    EXPECT_TRUE(r.decisions.empty());
    EXPECT_NE(r.message.find("8"), std::string::npos) << r.message;
}

TEST(adapter, answers_the_workflows_own_exception_as_failed_with_its_type) {
    auto h = load_history("seed_lambda_failed");
    auto r = wf::make_decider<my_workflow>()(wf::testing::task_at(h, 9));
    EXPECT_EQ(r.outcome, decider_outcome::failed);
    EXPECT_TRUE(r.decisions.empty());
    EXPECT_EQ(r.message.rfind("swfrt::workflow::lambda_failed: ", 0), 0u) << r.message;
}

TEST(adapter, fails_the_execution_on_non_determinism_when_the_policy_says_so) {
    auto h = load_history("seed_complete");
    wf::workflow_policies policies;
    policies.on_non_determinism = swfrt::sdk::failure_policy::fail_workflow;
    auto decided = wf::make_registration<my_workflow_changed>(policies).decider(wf::testing::task_at(h, 9));
    EXPECT_EQ(decided.outcome, decider_outcome::decided);
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
    EXPECT_EQ(wf::make_decider<my_workflow>(policies)(wf::testing::task_at(failed, 9)).outcome,
              decider_outcome::failed);
    // A malformed history is never answered with a guess.
    auto task = wf::testing::task_at(h, 9);
    task.started_event_id = 8;
    EXPECT_EQ(wf::make_decider<my_workflow>(policies)(task).outcome, decider_outcome::malformed_history);
}

TEST(adapter, fails_the_execution_on_an_exception_when_the_policy_says_so) {
    auto h = load_history("seed_lambda_failed");
    wf::workflow_policies policies;
    policies.on_exception = swfrt::sdk::failure_policy::fail_workflow;
    auto decided = wf::make_decider<my_workflow>(policies)(wf::testing::task_at(h, 9));
    EXPECT_EQ(decided.outcome, decider_outcome::decided);
    ASSERT_EQ(decided.decisions.size(), 1u);
    const auto& d = decided.decisions[0];
    ASSERT_EQ(d.decision_type, model::decision_type::fail_workflow_execution);
    EXPECT_EQ(d.fail_workflow_execution_decision_attributes->reason, "UnhandledException");
    auto what = wf::make_decider<my_workflow>()(wf::testing::task_at(h, 3)).decisions; // still decides normally
    EXPECT_EQ(what.size(), 1u);
    // The details are the exception's text, as the default policy reports it.
    auto left = wf::make_decider<my_workflow>()(wf::testing::task_at(h, 9));
    EXPECT_EQ("swfrt::workflow::lambda_failed: " + *d.fail_workflow_execution_decision_attributes->details,
              left.message);
    // Non-determinism keeps its own policy (leave the task).
    auto complete = load_history("seed_complete");
    EXPECT_EQ(wf::make_decider<my_workflow_changed>(policies)(wf::testing::task_at(complete, 9)).outcome,
              decider_outcome::non_determinism);
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
    // The decider applies the workflow's policies; what it answers failed is left.
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
