// Child workflows (awaited to their end or only to their start), signals and
// cancel requests to other executions, and continue-as-new, replayed from
// canned histories with the exact decisions at every decision task; each
// failure raised as its own type with what SWF recorded; changed child types,
// signal names and close decisions reported as non-determinism.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
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
using wf::testing::task_at;

namespace {

// A CompleteWorkflowExecution whose result is the JSON string of text
// (text holds no quotes or backslashes).
std::string complete_with_text(const std::string& text) {
    return R"({"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":"\")" +
           text + R"(\""}})";
}

std::string unquoted(const std::string& json_string) {
    return json_string.size() >= 2 ? json_string.substr(1, json_string.size() - 2) : json_string;
}

// ---- a child awaited to its start, then one awaited to its end ----

struct parent : wf::workflow<> {
    static constexpr std::string_view name = "Parent";
    static constexpr std::string_view version = "1";
    explicit parent(std::string kid_version = "1") : kid_version_(std::move(kid_version)) {}

    wf::task<std::string> run(wf::context& ctx, std::string) override {
        // g++ 12 miscompiles braced aggregate temporaries inside a co_await
        // expression (an invalid free at run time, or "array used as
        // initializer"): the arguments are built before it.
        const model::workflow_type kid{"Kid", kid_version_};
        wf::child_options first{.workflow_id = "kid-a"};
        auto first_run = co_await ctx.child_started(kid, "\"a\"", std::move(first));
        wf::child_options options{.workflow_id = std::nullopt,
                                  .task_list = "kid-deciders",
                                  .execution_start_to_close_timeout = 900s,
                                  .task_start_to_close_timeout = 30s,
                                  .child_policy = model::child_policy::abandon,
                                  .lambda_role = "arn:aws:iam::123456789012:role/kid"};
        options.tag_list = {"nightly", "batch"};
        const model::workflow_type kid_1{"Kid", "1"};
        auto b = co_await ctx.child(kid_1, "\"b\"", std::move(options));
        co_return "\"" + first_run + " " + unquoted(b) + "\"";
    }

    std::string kid_version_;
};

TEST(children, a_child_started_then_a_child_awaited_to_its_result) {
    auto h = load_history("child");
    auto runner = wf::make_runner<parent>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical(
            {R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":{)"
             R"("workflowId":"kid-a","workflowType":{"name":"Kid","version":"1"},"input":"\"a\""}})"}));
    // The first child started: its run id is known; the second call takes
    // the second number although the first had an id of its own.
    EXPECT_EQ(
        decisions_at(h, 8, runner),
        canonical(
            {R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":{)"
             R"("workflowId":"9d1e0c2f-run-id-of-the-tests:c2","workflowType":{"name":"Kid","version":"1"},)"
             R"("input":"\"b\"","taskList":{"name":"kid-deciders"},"executionStartToCloseTimeout":"900",)"
             R"("taskStartToCloseTimeout":"30","childPolicy":"ABANDON","tagList":["nightly","batch"],)"
             R"("lambdaRole":"arn:aws:iam::123456789012:role/kid"}})"}));
    // The second child started but has not completed: nothing to decide.
    EXPECT_EQ(decisions_at(h, 13, runner), "[]");
    // Both completed (the first one's result is nobody's concern).
    EXPECT_EQ(decisions_at(h, 18, runner), canonical({complete_with_text("run-kid-a B")}));
    expect_history_reproduced(h, runner);
}

TEST(children, an_outcome_for_a_child_never_started_or_started_twice_is_malformed) {
    auto runner = wf::make_runner<parent>();
    auto h = load_history("child");
    // The first child's completion names the DecisionTaskCompleted event.
    h.events[14].child_workflow_execution_completed_event_attributes->initiated_event_id = 4;
    auto r = wf::replay(task_at(h, 18), runner);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::malformed_history);
    EXPECT_EQ(r.error().event_id, 15);
    EXPECT_NE(r.error().message.find("names event 4"), std::string::npos) << r.error().message;

    h = load_history("child");
    // The second child's start names the first child's Initiated event.
    h.events[10].child_workflow_execution_started_event_attributes->initiated_event_id = 5;
    r = wf::replay(task_at(h, 13), runner);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().event_id, 11);
    EXPECT_NE(r.error().message.find("already started"), std::string::npos) << r.error().message;
}

// ---- every way a child can fail ----

std::string at(const wf::operation_error& e) {
    return " @" + std::to_string(e.event_id()) + "; ";
}

struct guardian : wf::workflow<> {
    static constexpr std::string_view name = "Guardian";
    static constexpr std::string_view version = "1";

    wf::task<std::string> run(wf::context& ctx, std::string) override {
        std::vector<wf::future<std::string>> kids;
        for (int i = 1; i <= 4; ++i)
            kids.push_back(ctx.child({"Kid", "1"}, "\"" + std::to_string(i) + "\""));
        kids.push_back(ctx.child({"Kid", "1"}, "\"5\"", {.workflow_id = "dup"}));
        kids.push_back(ctx.child_started({"Kid", "1"}, "\"6\""));
        std::string out;
        for (auto& k : kids) {
            try {
                co_await k;
                out += "ok; ";
            } catch (const wf::child_workflow_failed& e) {
                out += "failed " + e.reason() + " " + e.details() + " " + e.run_id() + at(e);
            } catch (const wf::child_workflow_timed_out& e) {
                out +=
                    "timed out " + std::string(model::to_string(e.timeout_type())) + " " + e.run_id() + at(e);
            } catch (const wf::child_workflow_canceled& e) {
                out += "canceled " + e.details() + " " + e.run_id() + at(e);
            } catch (const wf::child_workflow_terminated& e) {
                out += "terminated " + e.run_id() + at(e);
            } catch (const wf::start_child_workflow_failed& e) {
                EXPECT_EQ(e.workflow_type(), (model::workflow_type{"Kid", "1"}));
                EXPECT_TRUE(e.run_id().empty());
                out += "start failed " + e.workflow_id() + " " + std::string(model::to_string(e.cause())) +
                       at(e);
            }
        }
        co_return "\"" + out + "\"";
    }
};

TEST(children, failed_timed_out_canceled_terminated_and_refused_children_raise_their_types) {
    auto h = load_history("child_failures");
    auto runner = wf::make_runner<guardian>();
    std::vector<std::string> six;
    auto start = [](const std::string& id, const std::string& n) {
        return R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":{)"
               R"("workflowId":")" +
               id + R"(","workflowType":{"name":"Kid","version":"1"},"input":"\")" + n + R"(\""}})";
    };
    for (int i = 1; i <= 4; ++i)
        six.push_back(start("9d1e0c2f-run-id-of-the-tests:c" + std::to_string(i), std::to_string(i)));
    six.push_back(start("dup", "5"));
    six.push_back(start("9d1e0c2f-run-id-of-the-tests:c6", "6"));
    EXPECT_EQ(decisions_at(h, 3, runner), canonical(six));
    // All started, one refused at once (no Initiated event), one refused
    // after its Initiated event: the first child is still running.
    EXPECT_EQ(decisions_at(h, 17, runner), "[]");
    EXPECT_EQ(decisions_at(h, 24, runner),
              canonical({complete_with_text(
                  "failed BOOM d1 run-1 @19; timed out START_TO_CLOSE run-2 @20; canceled bye run-3 @21; "
                  "terminated run-4 @22; start failed dup WORKFLOW_ALREADY_RUNNING @16; start failed "
                  "9d1e0c2f-run-id-of-the-tests:c6 OPEN_CHILDREN_LIMIT_EXCEEDED @10; ")}));
    expect_history_reproduced(h, runner);
}

// ---- signals and cancel requests to other executions ----

struct messenger : wf::workflow<> {
    static constexpr std::string_view name = "Messenger";
    static constexpr std::string_view version = "1";
    explicit messenger(std::string signal = "ping") : signal_(std::move(signal)) {}

    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto to_peer = ctx.signal_external("peer", "", signal_, "\"hello\"");
        auto to_ghost = ctx.signal_external("ghost", "r-1", "ping");
        auto cancel_peer = ctx.request_cancel_external("peer");
        auto cancel_ghost = ctx.request_cancel_external("ghost", "r-1");
        std::string out;
        co_await to_peer;
        out += "signaled; ";
        try {
            co_await to_ghost;
            out += "ghost signaled; ";
        } catch (const wf::signal_external_failed& e) {
            out += e.workflow_id() + " " + e.run_id() + " " + e.signal_name() + " " +
                   std::string(model::to_string(e.cause())) + at(e);
        }
        co_await cancel_peer;
        out += "cancel requested";
        try {
            co_await cancel_ghost;
            out += "; ghost canceled";
        } catch (const wf::request_cancel_external_failed& e) {
            out += "; " + e.workflow_id() + " " + e.run_id() + " " +
                   std::string(model::to_string(e.cause())) + " @" + std::to_string(e.event_id());
        }
        co_return "\"" + out + "\"";
    }

    std::string signal_;
};

TEST(external, signals_and_cancel_requests_resolve_or_raise_their_types) {
    auto h = load_history("external");
    auto runner = wf::make_runner<messenger>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical({
            R"({"decisionType":"SignalExternalWorkflowExecution","signalExternalWorkflowExecutionDecisionAttributes":{)"
            R"("workflowId":"peer","signalName":"ping","input":"\"hello\""}})",
            R"({"decisionType":"SignalExternalWorkflowExecution","signalExternalWorkflowExecutionDecisionAttributes":{)"
            R"("workflowId":"ghost","runId":"r-1","signalName":"ping"}})",
            R"({"decisionType":"RequestCancelExternalWorkflowExecution",)"
            R"("requestCancelExternalWorkflowExecutionDecisionAttributes":{"workflowId":"peer"}})",
            R"({"decisionType":"RequestCancelExternalWorkflowExecution",)"
            R"("requestCancelExternalWorkflowExecutionDecisionAttributes":{"workflowId":"ghost","runId":"r-1"}})",
        }));
    // The signal to peer is delivered, the one to ghost failed after its
    // Initiated event; the cancel request to peer is not delivered yet.
    EXPECT_EQ(decisions_at(h, 12, runner), "[]");
    EXPECT_EQ(
        decisions_at(h, 16, runner),
        canonical({complete_with_text("signaled; ghost r-1 ping UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION @11; "
                                      "cancel requested; ghost r-1 OPERATION_NOT_PERMITTED @8")}));
    expect_history_reproduced(h, runner);
}

struct careless : wf::workflow<> {
    static constexpr std::string_view name = "Careless";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        std::string out;
        try {
            ctx.signal_external("", "", "ping");
        } catch (const std::invalid_argument&) {
            out += "no workflow id; ";
        }
        try {
            ctx.signal_external("peer", "", "");
        } catch (const std::invalid_argument&) {
            out += "no signal name; ";
        }
        try {
            ctx.request_cancel_external("");
        } catch (const std::invalid_argument&) {
            out += "no cancel target";
        }
        co_return "\"" + out + "\"";
    }
};

TEST(external, commands_without_a_target_are_refused_where_they_are_made) {
    auto h = load_history("external");
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<careless>()),
              canonical({complete_with_text("no workflow id; no signal name; no cancel target")}));
}

// ---- continue-as-new ----

struct looper : wf::workflow<> {
    static constexpr std::string_view name = "Looper";
    static constexpr std::string_view version = "1";
    explicit looper(int limit = 3) : limit_(limit) {}

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        auto r = co_await ctx.activity("step", "1", input);
        const int n = std::stoi(unquoted(input));
        try {
            wf::continue_as_new_options options{.task_list = "deciders",
                                                .execution_start_to_close_timeout = 7200s,
                                                .child_policy = model::child_policy::abandon};
            options.tag_list = {"loop"};
            if (n < limit_) ctx.continue_as_new("\"" + std::to_string(n + 1) + "\"", std::move(options));
        } catch (const std::exception&) {
            // continue_as_new_request is no std::exception: not caught here.
            co_return "\"swallowed\"";
        }
        co_return r;
    }

    int limit_;
};

TEST(continue_as_new, ends_the_run_and_is_made_again_when_refused) {
    auto h = load_history("continue_as_new");
    auto runner = wf::make_runner<looper>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical({R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                   R"("activityId":"1","activityType":{"name":"step","version":"1"},"input":"\"1\""}})"}));
    const auto again = canonical(
        {R"({"decisionType":"ContinueAsNewWorkflowExecution","continueAsNewWorkflowExecutionDecisionAttributes":{)"
         R"("input":"\"2\"","taskList":{"name":"deciders"},"executionStartToCloseTimeout":"7200",)"
         R"("childPolicy":"ABANDON","tagList":["loop"]}})"});
    EXPECT_EQ(decisions_at(h, 9, runner), again);
    // Refused (UNHANDLED_DECISION: a signal came in while deciding): the
    // same decision again, nothing else.
    EXPECT_EQ(decisions_at(h, 14, runner), again);
    expect_history_reproduced(h, runner);
}

TEST(continue_as_new, refused_for_good_fails_the_run_with_the_cause) {
    auto h = load_history("continue_as_new_refused");
    auto runner = wf::make_runner<looper>();
    EXPECT_EQ(decisions_at(h, 13, runner),
              canonical({R"({"decisionType":"FailWorkflowExecution","failWorkflowExecutionDecisionAttributes":{)"
                         R"("reason":"ContinueAsNewWorkflowExecutionFailed","details":"SWF refused to continue )"
                         R"x(the execution as new: WORKFLOW_TYPE_DEPRECATED (history event 11)"}})x"}));
    expect_history_reproduced(h, runner);
}

struct hasty : wf::workflow<> {
    static constexpr std::string_view name = "Looper";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        try {
            ctx.continue_as_new("\"2\"", {.task_start_to_close_timeout = -1s});
        } catch (const std::invalid_argument&) {
            co_return "\"refused\"";
        }
    }
};

TEST(continue_as_new, refused_options_throw_where_the_code_asks) {
    auto h = load_history("continue_as_new");
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<hasty>()), canonical({complete_with_text("refused")}));
}

// ---- non-determinism ----

TEST(children_non_determinism, a_changed_child_type_is_reported_with_both_sides) {
    auto h = load_history("child");
    auto r = wf::replay(task_at(h, 8), wf::make_runner<parent>([] { return std::make_unique<parent>("2"); }));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::non_determinism);
    EXPECT_EQ(r.error().event_id, 5);
    EXPECT_EQ(r.error().history, R"(StartChildWorkflowExecutionInitiated (workflow id "kid-a", type Kid 1))");
    EXPECT_EQ(r.error().code, R"(StartChildWorkflowExecution (workflow id "kid-a", type Kid 2))");
}

TEST(children_non_determinism, a_changed_signal_name_is_reported_with_both_sides) {
    auto h = load_history("external");
    auto r = wf::replay(task_at(h, 12),
                        wf::make_runner<messenger>([] { return std::make_unique<messenger>("pong"); }));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::non_determinism);
    EXPECT_EQ(r.error().event_id, 5);
    EXPECT_EQ(r.error().history,
              R"(SignalExternalWorkflowExecutionInitiated (workflow id "peer", signal "ping"))");
    EXPECT_EQ(r.error().code, R"(SignalExternalWorkflowExecution (workflow id "peer", signal "pong"))");
}

TEST(children_non_determinism, completing_where_the_history_continued_as_new_is_reported) {
    auto h = load_history("continue_as_new");
    // With a limit of 1 the code now completes at the second decision task.
    auto r = wf::replay(task_at(h, 14), wf::make_runner<looper>([] { return std::make_unique<looper>(1); }));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::non_determinism);
    EXPECT_EQ(r.error().event_id, 12);
    EXPECT_EQ(r.error().history, "ContinueAsNewWorkflowExecutionFailed");
    EXPECT_EQ(r.error().code, "CompleteWorkflowExecution");
}

} // namespace
