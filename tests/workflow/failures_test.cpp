// Each way SWF reports a command did not succeed becomes its own exception
// type with what the history recorded: the seed example's Lambda function
// timing out, failing to start, refused at scheduling; an activity canceled.
#include <gtest/gtest.h>

#include <string>

#include "replay_support.hpp"
#include "seed_workflow.hpp"
#include "workflow/errors.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using wf::testing::load_history;
using wf::testing::my_workflow;
using wf::testing::task_at;

namespace {

// seed_lambda_failed with its event 7 (LambdaFunctionFailed) replaced.
model::history seed_with_outcome(model::history_event outcome) {
    auto h = load_history("seed_lambda_failed");
    outcome.event_id = 7;
    outcome.event_timestamp = h.events[6].event_timestamp;
    h.events[6] = std::move(outcome);
    return h;
}

TEST(failures, lambda_timed_out) {
    model::history_event e;
    e.event_type = model::event_type::lambda_function_timed_out;
    auto& a = e.lambda_function_timed_out_event_attributes.emplace();
    a.scheduled_event_id = 5;
    a.started_event_id = 6;
    a.timeout_type = model::lambda_function_timeout_type::start_to_close;
    try {
        (void)wf::replay(task_at(seed_with_outcome(e), 9), wf::make_runner<my_workflow>());
        FAIL() << "replay returned";
    } catch (const wf::lambda_timed_out& x) {
        EXPECT_EQ(x.timeout_type(), model::lambda_function_timeout_type::start_to_close);
        EXPECT_EQ(x.event_id(), 7);
        EXPECT_EQ(x.lambda_id(), "l1");
        EXPECT_STREQ(x.what(), R"(Lambda function "l1" (some_lambda_func) timed out)");
    }
}

TEST(failures, lambda_could_not_start) {
    model::history_event e;
    e.event_type = model::event_type::start_lambda_function_failed;
    auto& a = e.start_lambda_function_failed_event_attributes.emplace();
    a.scheduled_event_id = 5;
    a.cause = model::start_lambda_function_failed_cause::assume_role_failed;
    a.message = "role cannot be assumed";
    try {
        (void)wf::replay(task_at(seed_with_outcome(e), 9), wf::make_runner<my_workflow>());
        FAIL() << "replay returned";
    } catch (const wf::start_lambda_failed& x) {
        EXPECT_EQ(x.cause(), model::start_lambda_function_failed_cause::assume_role_failed);
        EXPECT_EQ(x.message(), "role cannot be assumed");
        EXPECT_STREQ(
            x.what(),
            R"(Lambda function "l1" (some_lambda_func) could not start: ASSUME_ROLE_FAILED: role cannot be assumed)");
    }
}

TEST(failures, lambda_refused_at_scheduling) {
    auto file = load_history("seed_lambda_failed");
    model::history h;
    h.events.assign(file.events.begin(), file.events.begin() + 4); // up to DecisionTaskCompleted (4)
    model::history_event refused;
    refused.event_id = 5;
    refused.event_type = model::event_type::schedule_lambda_function_failed;
    auto& a = refused.schedule_lambda_function_failed_event_attributes.emplace();
    a.id = "l1";
    a.name = "some_lambda_func";
    a.cause = model::schedule_lambda_function_failed_cause::lambda_service_not_available_in_region;
    a.decision_task_completed_event_id = 4;
    h.events.push_back(refused);
    h.events.push_back(file.events[7]); // DecisionTaskScheduled
    h.events.push_back(file.events[8]); // DecisionTaskStarted
    h.events[5].event_id = 6;
    h.events[6].event_id = 7;
    h.events[6].decision_task_started_event_attributes->scheduled_event_id = 6;
    try {
        (void)wf::replay(task_at(h, 7), wf::make_runner<my_workflow>());
        FAIL() << "replay returned";
    } catch (const wf::schedule_lambda_failed& x) {
        EXPECT_EQ(x.cause(),
                  model::schedule_lambda_function_failed_cause::lambda_service_not_available_in_region);
        EXPECT_EQ(x.event_id(), 5);
        EXPECT_EQ(x.function(), "some_lambda_func");
    }
}

struct charge_once : wf::workflow<> {
    static constexpr std::string_view name = "Charge";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        co_return co_await ctx.activity("charge", "1", input);
    }
};

TEST(failures, activity_canceled) {
    auto h = load_history("activity_failed");
    auto& e = h.events[6]; // event 7: ActivityTaskFailed becomes ActivityTaskCanceled
    e.event_type = model::event_type::activity_task_canceled;
    e.activity_task_failed_event_attributes.reset();
    auto& a = e.activity_task_canceled_event_attributes.emplace();
    a.scheduled_event_id = 5;
    a.started_event_id = 6;
    a.details = "stopped by operator";
    try {
        (void)wf::replay(task_at(h, 9), wf::make_runner<charge_once>());
        FAIL() << "replay returned";
    } catch (const wf::activity_canceled& x) {
        EXPECT_EQ(x.details(), "stopped by operator");
        EXPECT_EQ(x.activity_id(), "1");
        EXPECT_EQ(x.activity_type().name, "charge");
        EXPECT_EQ(x.event_id(), 7);
        EXPECT_STREQ(x.what(), R"(activity "1" (charge 1) was canceled)");
    }
}

TEST(failures, every_command_failure_is_an_operation_error) {
    auto h = load_history("activity_failed");
    try {
        (void)wf::replay(task_at(h, 9), wf::make_runner<charge_once>());
        FAIL() << "replay returned";
    } catch (const wf::operation_error& x) {
        EXPECT_EQ(x.event_id(), 7);
        EXPECT_NE(dynamic_cast<const wf::activity_failed*>(&x), nullptr);
        EXPECT_STREQ(x.what(), R"(activity "1" (charge 1) failed: CardDeclined: insufficient funds)");
    }
}

} // namespace
