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

TEST(adapter, registration_carries_name_version_and_defaults) {
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
    EXPECT_EQ(wf::testing::json_of(r.decider(wf::testing::task_at(h, 3)).decisions),
              canonical({wf::testing::schedule_first}));

    // Without defaults() everything is left to StartWorkflowExecution.
    auto bare = wf::make_registration<my_workflow_changed>();
    EXPECT_FALSE(bare.type.default_task_list.has_value());
    EXPECT_FALSE(bare.type.default_child_policy.has_value());
    EXPECT_EQ(bare.on_exception, swfrt::sdk::failure_policy::retry_task);
}

} // namespace
