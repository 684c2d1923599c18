// Cancellation replayed from canned histories (cancel_*.json), with the exact
// decisions at every decision task: a WorkflowExecutionCancelRequested
// cancels what the code waits for (timers, activities, children, signal
// waits; Lambda functions run on), clean-up issued afterwards is left alone,
// the request can be ignored, outcomes that cross a cancel are accepted, a
// refused CancelWorkflowExecution is made again; ctx.cancel cancels one
// future, drops a command of the same decision task and refuses futures it
// cannot cancel.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "replay_support.hpp"
#include "swf/codec/codec.hpp"
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
using wf::testing::json_string;
using wf::testing::start_timer;
using wf::testing::cancel_timer;
using wf::testing::schedule;
using wf::testing::request_cancel_activity;
using wf::testing::cancel_workflow;
using wf::testing::complete;

namespace {









// ---- what the code saw ----

// The kind of an error and the history event it names.
std::string outcome_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const wf::canceled_error& x) {
        return "canceled_error@" + std::to_string(x.event_id());
    } catch (const wf::activity_canceled& x) {
        return "activity_canceled@" + std::to_string(x.event_id());
    } catch (const wf::child_workflow_canceled& x) {
        return "child_workflow_canceled@" + std::to_string(x.event_id());
    } catch (const std::invalid_argument& x) {
        return std::string("invalid_argument ") + x.what();
    } catch (const std::exception& x) {
        return std::string("other ") + x.what();
    }
}

template <class T> wf::task<std::string> outcome(wf::future<T> f) {
    std::exception_ptr error;
    try {
        co_await f;
    } catch (...) {
        error = std::current_exception();
    }
    if (!error) co_return "resolved";
    co_return outcome_of(error);
}

template <class T> std::string try_cancel(wf::context& ctx, const wf::future<T>& f) {
    try {
        ctx.cancel(f);
        return "accepted";
    } catch (...) {
        return outcome_of(std::current_exception());
    }
}

// ---- (a) a timer and an activity open when the request comes ----

std::string seen_activity_cancel;

struct standby : wf::workflow<> {
    static constexpr std::string_view name = "Standby";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto pause = ctx.timer(3600s);
        auto work = ctx.activity("work", "1", "\"job\"");
        try {
            auto r = co_await work;
            co_await pause;
            co_return r;
        } catch (const wf::activity_canceled& e) {
            seen_activity_cancel = e.details() + "@" + std::to_string(e.event_id()) + " " + e.activity_id();
            throw;
        }
    }
};

TEST(cancellation, a_timer_and_an_activity_are_canceled_in_event_order_then_the_execution) {
    auto h = load_history("cancel_timer_and_activity");
    auto runner = wf::make_runner<standby>();
    EXPECT_EQ(decisions_at(h, 3, runner),
              canonical({start_timer("t1", "3600"), schedule("1", "work", "\"job\"")}));
    // Request at event 8: both are canceled; the timer raises at once, the
    // activity waits for SWF's answer (nothing closes yet).
    EXPECT_EQ(decisions_at(h, 10, runner), canonical({cancel_timer("t1"), request_cancel_activity("1")}));
    seen_activity_cancel.clear();
    EXPECT_EQ(decisions_at(h, 16, runner),
              canonical({cancel_workflow(R"(activity "1" (work 1) was canceled)")}));
    EXPECT_EQ(seen_activity_cancel, "stopped at 40%@14 1");
    expect_history_reproduced(h, runner);
}

struct standby_together : wf::workflow<> {
    static constexpr std::string_view name = "Standby";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto pause = ctx.timer(3600s);
        auto work = ctx.activity("work", "1", "\"job\"");
        auto both = co_await wf::when_all(pause, work);
        co_return std::get<1>(both);
    }
};

TEST(cancellation, when_all_fails_with_the_canceled_timer_and_the_activity_cancel_still_goes_out) {
    // The same history, code awaiting both at once: when_all fails at the
    // first failure (the timer's, at once), so the execution closes in the
    // task that cancels.
    auto h = load_history("cancel_timer_and_activity");
    EXPECT_EQ(decisions_at(h, 10, wf::make_runner<standby_together>()),
              canonical({cancel_timer("t1"), request_cancel_activity("1"),
                         cancel_workflow(R"(timer "t1" was canceled)")}));
}

// ---- (b) clean-up after the cancellation ----

struct tidy : wf::workflow<> {
    static constexpr std::string_view name = "Tidy";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto pause = ctx.timer(3600s);
        std::exception_ptr stop;
        try {
            co_await pause;
        } catch (...) {
            stop = std::current_exception();
        }
        if (!stop) co_return "slept";
        if (!wf::is_cancellation(stop)) std::rethrow_exception(stop);
        const bool requested = ctx.cancel_requested() && ctx.cancellation().ready();
        const std::string tag = requested ? "\"requested\"" : "\"not requested\"";
        co_await ctx.activity("release", "1", tag);
        std::rethrow_exception(stop);
    }
};

TEST(cancellation, clean_up_issued_after_the_request_runs_and_the_rethrown_error_cancels) {
    auto h = load_history("cancel_cleanup");
    auto runner = wf::make_runner<tidy>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({start_timer("t1", "3600")}));
    // The clean-up activity comes after the CancelTimer and is not canceled.
    EXPECT_EQ(decisions_at(h, 8, runner),
              canonical({cancel_timer("t1"), schedule("1", "release", "\"requested\"")}));
    EXPECT_EQ(decisions_at(h, 15, runner), canonical({cancel_workflow(R"(timer "t1" was canceled)")}));
    expect_history_reproduced(h, runner);
}

// A fan-out whose activities are only scheduled when the request comes:
// SWF cancels each at once and records its ActivityTaskCanceled inside the
// decision task's block (or after it); the block's other decisions must
// still match.
struct sweep : wf::workflow<> {
    static constexpr std::string_view name = "Sweep";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto a = ctx.activity("work", "1", "\"a\"");
        auto b = ctx.activity("work", "1", "\"b\"");
        auto pause = ctx.timer(3600s);
        std::exception_ptr stop;
        try {
            co_await pause;
        } catch (...) {
            stop = std::current_exception();
        }
        if (!stop) co_return co_await a + co_await b;
        co_await ctx.activity("cleanup", "1", "\"sweep\"");
        std::rethrow_exception(stop);
    }
};

TEST(cancellation, outcomes_recorded_inside_the_block_do_not_end_it_in_either_order) {
    for (std::string_view name : {"cancel_unstarted_interleaved", "cancel_unstarted_after"}) {
        SCOPED_TRACE(name);
        auto h = load_history(name);
        auto runner = wf::make_runner<sweep>();
        EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule("1", "work", "\"a\""), schedule("2", "work", "\"b\""),
                                                         start_timer("t1", "3600")}));
        EXPECT_EQ(decisions_at(h, 10, runner),
                  canonical({request_cancel_activity("1"), request_cancel_activity("2"), cancel_timer("t1"),
                             schedule("3", "cleanup", "\"sweep\"")}));
        // Once stalled here: the first ActivityTaskCanceled was taken for the
        // end of the block and the rest reported as non-determinism.
        EXPECT_EQ(decisions_at(h, 19, runner), canonical({}));
        EXPECT_EQ(decisions_at(h, 24, runner), canonical({cancel_workflow(R"(timer "t1" was canceled)")}));
        expect_history_reproduced(h, runner);
    }
}

// ---- (c) the request ignored ----

struct stubborn : wf::workflow<> {
    static constexpr std::string_view name = "Stubborn";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto pause = ctx.timer(600s);
        std::int64_t request = -1;
        try {
            co_await pause;
            co_return "slept";
        } catch (const wf::canceled_error& e) {
            request = e.event_id();
        }
        co_await ctx.cancellation();
        co_return "ignored the request of event " + std::to_string(request);
    }
};

TEST(cancellation, a_workflow_that_catches_the_cancellation_completes_normally) {
    auto h = load_history("cancel_ignored");
    auto runner = wf::make_runner<stubborn>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({start_timer("t1", "600")}));
    EXPECT_EQ(decisions_at(h, 8, runner),
              canonical({cancel_timer("t1"), complete("ignored the request of event 6")}));
    expect_history_reproduced(h, runner);
}

// ---- (d) the activity completes before the cancel request is applied ----

struct diligent : wf::workflow<> {
    static constexpr std::string_view name = "Diligent";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto r = co_await ctx.activity("work", "1", "\"job\"");
        co_return r + (ctx.cancel_requested() ? " (cancel requested)" : "");
    }
};

TEST(cancellation, an_activity_that_completes_before_its_cancel_is_applied_gives_its_result) {
    auto h = load_history("cancel_activity_completed_first");
    auto runner = wf::make_runner<diligent>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule("1", "work", "\"job\"")}));
    EXPECT_EQ(decisions_at(h, 9, runner), canonical({request_cancel_activity("1")}));
    // ActivityTaskCompleted (10), then RequestCancelActivityTaskFailed
    // ACTIVITY_ID_UNKNOWN (12): accepted silently.
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({complete("\"done\" (cancel requested)")}));
    expect_history_reproduced(h, runner);
}

// ---- (e) the winner of a when_any cancels the loser ----

struct deadline : wf::workflow<> {
    static constexpr std::string_view name = "Deadline";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto work = ctx.activity("work", "1");
        auto timer = ctx.timer(60s);
        auto first = co_await wf::when_any(work, timer);
        std::string summary;
        if (first == 0) {
            ctx.cancel(timer);
            auto how = co_await outcome(timer);
            auto r = co_await work;
            summary = r + " " + how;
        } else {
            ctx.cancel(work);
            auto how = co_await outcome(work);
            summary = "timeout; work " + how;
        }
        co_return co_await ctx.activity("report", "1", summary);
    }
};

TEST(cancellation, the_code_cancels_the_timer_that_lost_a_when_any) {
    auto h = load_history("cancel_timer_by_code");
    auto runner = wf::make_runner<deadline>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule("1", "work"), start_timer("t1", "60")}));
    // The timer raises canceled_error at once, with event id 0 (the code
    // asked); CancelTimer comes before what the code decides after it.
    EXPECT_EQ(decisions_at(h, 10, runner),
              canonical({cancel_timer("t1"), schedule("2", "report", "\"ok\" canceled_error@0")}));
    EXPECT_EQ(decisions_at(h, 17, runner), canonical({complete("\"reported\"")}));
    expect_history_reproduced(h, runner);
}

TEST(cancellation, a_timer_that_fired_before_its_cancel_was_applied_is_accepted) {
    // TimerFired (11) arrives while the decision task that cancels it runs;
    // SWF then refuses the CancelTimer (CancelTimerFailed TIMER_ID_UNKNOWN, 13).
    auto h = load_history("cancel_timer_race");
    auto runner = wf::make_runner<deadline>();
    EXPECT_EQ(decisions_at(h, 10, runner),
              canonical({cancel_timer("t1"), schedule("2", "report", "\"ok\" canceled_error@0")}));
    EXPECT_EQ(decisions_at(h, 16, runner), "[]");
    EXPECT_EQ(decisions_at(h, 21, runner), canonical({complete("\"reported\"")}));
    expect_history_reproduced(h, runner);
}

TEST(cancellation, the_code_cancels_the_activity_that_lost_a_when_any) {
    auto h = load_history("cancel_activity_by_code");
    auto runner = wf::make_runner<deadline>();
    EXPECT_EQ(decisions_at(h, 10, runner), canonical({request_cancel_activity("1")}));
    EXPECT_EQ(decisions_at(h, 15, runner),
              canonical({schedule("2", "report", "timeout; work activity_canceled@13")}));
    EXPECT_EQ(decisions_at(h, 21, runner), canonical({complete("\"reported\"")}));
    expect_history_reproduced(h, runner);
}

// ---- (f) a bounded signal wait won by the signal ----

struct waiter : wf::workflow<> {
    static constexpr std::string_view name = "Waiter";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto s = co_await ctx.wait_signal("go", 60s);
        if (!s) co_return "timeout";
        co_return co_await ctx.activity("act", "1", *s);
    }
};

TEST(cancellation, a_signal_that_wins_a_bounded_wait_cancels_its_timer_first) {
    auto h = load_history("cancel_signal_wins");
    auto runner = wf::make_runner<waiter>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({start_timer("t1", "60")}));
    EXPECT_EQ(decisions_at(h, 8, runner), canonical({cancel_timer("t1"), schedule("1", "act", "\"yes\"")}));
    EXPECT_EQ(decisions_at(h, 15, runner), canonical({complete("\"acted\"")}));
    expect_history_reproduced(h, runner);
}

// ---- (g) a child workflow ----

std::string seen_child_cancel;

struct steward : wf::workflow<> {
    static constexpr std::string_view name = "Steward";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        const model::workflow_type kid{"Kid", "1"};
        wf::child_options options{.workflow_id = "kid-1"};
        auto child = ctx.child(kid, "\"k\"", std::move(options));
        try {
            co_return co_await child;
        } catch (const wf::child_workflow_canceled& e) {
            seen_child_cancel = e.details() + " " + e.run_id() + "@" + std::to_string(e.event_id());
            throw;
        }
    }
};

TEST(cancellation, a_started_child_gets_a_cancel_request_with_its_run_id) {
    auto h = load_history("cancel_child");
    auto runner = wf::make_runner<steward>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical(
            {R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":{)"
             R"("workflowId":"kid-1","workflowType":{"name":"Kid","version":"1"},"input":"\"k\""}})"}));
    EXPECT_EQ(decisions_at(h, 8, runner), "[]");
    EXPECT_EQ(decisions_at(h, 12, runner),
              canonical({R"({"decisionType":"RequestCancelExternalWorkflowExecution",)"
                         R"("requestCancelExternalWorkflowExecutionDecisionAttributes":)"
                         R"({"workflowId":"kid-1","runId":"run-kid"}})"}));
    // The request was delivered (15); the child has not ended yet.
    EXPECT_EQ(decisions_at(h, 17, runner), "[]");
    seen_child_cancel.clear();
    EXPECT_EQ(decisions_at(h, 21, runner),
              canonical({cancel_workflow(R"(child workflow "kid-1" (Kid 1) was canceled)")}));
    EXPECT_EQ(seen_child_cancel, "kid stopped run-kid@19");
    expect_history_reproduced(h, runner);
}

struct launcher : wf::workflow<> {
    static constexpr std::string_view name = "Launcher";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        const model::workflow_type kid{"Kid", "1"};
        wf::child_options options{.workflow_id = "kid-2", .child_policy = model::child_policy::abandon};
        auto run_id = co_await ctx.child_started(kid, {}, std::move(options));
        co_await ctx.timer(600s);
        co_return run_id;
    }
};

TEST(cancellation, a_cancel_refused_before_the_child_started_is_asked_again_once_it_started) {
    auto h = load_history("cancel_child_before_start");
    auto runner = wf::make_runner<steward>();
    EXPECT_EQ(decisions_at(h, 8, runner),
              canonical({R"({"decisionType":"RequestCancelExternalWorkflowExecution",)"
                         R"("requestCancelExternalWorkflowExecutionDecisionAttributes":{"workflowId":"kid-1"}})"}));
    EXPECT_EQ(decisions_at(h, 14, runner),
              canonical({R"({"decisionType":"RequestCancelExternalWorkflowExecution",)"
                         R"("requestCancelExternalWorkflowExecutionDecisionAttributes":)"
                         R"({"workflowId":"kid-1","runId":"run-kid"}})"}));
}

TEST(cancellation, a_child_awaited_only_to_its_start_is_not_waited_for_and_not_canceled) {
    // The code only waits for the timer when the request comes (11); the
    // child (ABANDON) was started and nothing awaits its end.
    auto h = load_history("cancel_child_started");
    auto runner = wf::make_runner<launcher>();
    EXPECT_EQ(
        decisions_at(h, 3, runner),
        canonical(
            {R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":{)"
             R"("workflowId":"kid-2","workflowType":{"name":"Kid","version":"1"},"childPolicy":"ABANDON"}})"}));
    EXPECT_EQ(decisions_at(h, 8, runner), canonical({start_timer("t1", "600")}));
    EXPECT_EQ(decisions_at(h, 13, runner),
              canonical({cancel_timer("t1"), cancel_workflow(R"(timer "t1" was canceled)")}));
    expect_history_reproduced(h, runner);
}

// ---- (h) CancelWorkflowExecution refused ----

struct sleeper : wf::workflow<> {
    static constexpr std::string_view name = "Sleeper";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        co_await ctx.timer(3600s);
        co_return "slept";
    }
};

TEST(cancellation, a_refused_cancel_decision_is_made_again_and_nothing_else) {
    auto h = load_history("cancel_refused");
    auto runner = wf::make_runner<sleeper>();
    EXPECT_EQ(decisions_at(h, 8, runner),
              canonical({cancel_timer("t1"), cancel_workflow(R"(timer "t1" was canceled)")}));
    // A signal (9) came in meanwhile: CancelWorkflowExecutionFailed
    // UNHANDLED_DECISION (12); the timer's cancel was applied (11).
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({cancel_workflow(R"(timer "t1" was canceled)")}));
    expect_history_reproduced(h, runner);
}

// ---- (i) pending signal waits ----

std::vector<std::string> seen_waits;

struct listener : wf::workflow<> {
    static constexpr std::string_view name = "Listener";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        seen_waits.clear();
        auto approval = ctx.wait_signal("approve");
        auto extension = ctx.wait_signal("extend", 600s);
        seen_waits.push_back(co_await outcome(approval));
        seen_waits.push_back(co_await outcome(extension));
        co_await ctx.cancellation();
        throw wf::workflow_canceled("stopped waiting");
    }
};

TEST(cancellation, pending_signal_waits_raise_canceled_error_with_the_request_event) {
    auto h = load_history("cancel_signal_wait");
    auto runner = wf::make_runner<listener>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({start_timer("t1", "600")}));
    EXPECT_TRUE(seen_waits.empty());
    EXPECT_EQ(decisions_at(h, 8, runner),
              canonical({cancel_timer("t1"), cancel_workflow("stopped waiting")}));
    EXPECT_EQ(seen_waits, (std::vector<std::string>{"canceled_error@6", "canceled_error@6"}));
    expect_history_reproduced(h, runner);
}

// ---- (j) ctx.cancel within one decision task, and what it refuses ----

wf::task<std::string> listen(wf::context& ctx) {
    co_return co_await ctx.wait_signal("never");
}

struct hasty : wf::workflow<> {
    static constexpr std::string_view name = "Hasty";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        std::string out;
        auto never = ctx.activity("never", "1");
        ctx.cancel(never);
        auto never_outcome = co_await outcome(never);
        out += "never: " + never_outcome + "; ";
        auto idle = ctx.timer(30s);
        ctx.cancel(idle);
        auto idle_outcome = co_await outcome(idle);
        out += "idle: " + idle_outcome + "; ";
        auto c = ctx.wait_signal("c");
        ctx.cancel(c);
        auto c_outcome = co_await outcome(c);
        out += "c: " + c_outcome + "; ";
        auto d = ctx.wait_signal("d", 45s);
        ctx.cancel(d);
        auto d_outcome = co_await outcome(d);
        out += "d: " + d_outcome + "; ";

        auto branch = ctx.spawn(listen(ctx));
        out += "spawn: " + try_cancel(ctx, branch) + "; ";
        auto a = ctx.wait_signal("a");
        auto b = ctx.wait_signal("b");
        out += "when_all: " + try_cancel(ctx, wf::when_all(a, b)) + "; ";
        out += "when_any: " + try_cancel(ctx, wf::when_any(a, b)) + "; ";
        out += "empty: " + try_cancel(ctx, wf::future<std::string>{}) + "; ";
        // "never" took activity id 1 although it was never scheduled.
        auto real = co_await ctx.activity("real", "1");
        co_return out + real;
    }
};

const std::string refused = "invalid_argument only the futures of activities, timers, child workflows and "
                            "signal waits can be canceled";

TEST(cancellation, commands_canceled_in_the_decision_task_that_issued_them_are_dropped) {
    auto h = load_history("cancel_same_task");
    auto runner = wf::make_runner<hasty>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule("2", "real")}));
    EXPECT_EQ(
        decisions_at(h, 9, runner),
        canonical({complete("never: canceled_error@0; idle: canceled_error@0; c: canceled_error@0; "
                            "d: canceled_error@0; spawn: " +
                            refused + "; when_all: " + refused + "; when_any: " + refused +
                            "; empty: invalid_argument cancel of an empty workflow future; \"real\"")}));
    expect_history_reproduced(h, runner);
}

// ---- Lambda functions run on ----

std::string lambda_cancel;

// When the code tries to cancel the Lambda function, if at all.
enum class attempt { none, at_once, after_request };

wf::task<void> cancel_on_request(wf::context& ctx, wf::future<std::string> f) {
    co_await ctx.cancellation();
    lambda_cancel = try_cancel(ctx, f);
}

struct resizer : wf::workflow<> {
    static constexpr std::string_view name = "Resizer";
    static constexpr std::string_view version = "1";
    explicit resizer(attempt when = attempt::none) : when_(when) {}
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto image = ctx.lambda("resize", "\"img\"");
        if (when_ == attempt::at_once) lambda_cancel = try_cancel(ctx, image);
        if (when_ == attempt::after_request) ctx.spawn(cancel_on_request(ctx, image));
        auto r = co_await image;
        if (ctx.cancel_requested()) throw wf::workflow_canceled("after " + r);
        co_return r;
    }
    attempt when_;
};

const std::string schedule_resize =
    R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
    R"({"id":"l1","name":"resize","input":"\"img\""}})";

TEST(cancellation, a_lambda_function_runs_on_and_workflow_canceled_closes_the_execution) {
    auto h = load_history("cancel_lambda");
    auto runner = wf::make_runner<resizer>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule_resize}));
    // Request at 7: nothing to cancel.
    EXPECT_EQ(decisions_at(h, 9, runner), "[]");
    EXPECT_EQ(decisions_at(h, 13, runner), canonical({cancel_workflow("after \"small\"")}));
    expect_history_reproduced(h, runner);
}

const std::string lambda_refused =
    R"(invalid_argument SWF cannot cancel a Lambda function "l1" (resize); only activities, timers, child )"
    R"(workflows and signal waits can be canceled)";

TEST(cancellation, cancel_of_a_lambda_future_in_its_decision_task_is_refused_and_the_function_scheduled) {
    auto h = load_history("cancel_lambda");
    auto runner = wf::make_runner<resizer>([] { return std::make_unique<resizer>(attempt::at_once); });
    lambda_cancel.clear();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule_resize}));
    EXPECT_EQ(lambda_cancel, lambda_refused);
}

TEST(cancellation, cancel_of_a_scheduled_lambda_future_is_refused) {
    auto h = load_history("cancel_lambda");
    auto runner = wf::make_runner<resizer>([] { return std::make_unique<resizer>(attempt::after_request); });
    lambda_cancel.clear();
    EXPECT_EQ(decisions_at(h, 9, runner), "[]");
    EXPECT_EQ(lambda_cancel, lambda_refused);
}

struct notifier : wf::workflow<> {
    static constexpr std::string_view name = "Notifier";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto sent = ctx.signal_external("peer", {}, "ping");
        auto outcome = try_cancel(ctx, sent);
        co_return outcome;
    }
};

TEST(cancellation, cancel_of_an_external_signal_future_is_refused_and_the_signal_sent) {
    auto h = load_history("cancel_self");
    EXPECT_EQ(
        decisions_at(h, 3, wf::make_runner<notifier>()),
        canonical(
            {R"({"decisionType":"SignalExternalWorkflowExecution",)"
             R"("signalExternalWorkflowExecutionDecisionAttributes":{"workflowId":"peer","signalName":"ping"}})",
             complete(R"(invalid_argument SWF cannot cancel a signal "ping" to "peer"; only activities, timers, )"
                      R"(child workflows and signal waits can be canceled)")}));
}

// ---- requests and workflow_canceled at the edges ----

struct early : wf::workflow<> {
    static constexpr std::string_view name = "Early";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        if (ctx.cancel_requested()) throw wf::workflow_canceled("before start");
        co_return co_await ctx.activity("work", "1");
    }
};

TEST(cancellation, a_request_before_the_first_decision_task_is_seen_by_cancel_requested) {
    auto h = load_history("cancel_before_start");
    auto runner = wf::make_runner<early>();
    EXPECT_EQ(decisions_at(h, 4, runner), canonical({cancel_workflow("before start")}));
    expect_history_reproduced(h, runner);
}

struct quitter : wf::workflow<> {
    static constexpr std::string_view name = "Quitter";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context&, std::string) override {
        throw wf::workflow_canceled("nothing to do");
        co_return "";
    }
};

TEST(cancellation, workflow_canceled_without_a_request_cancels_the_execution) {
    auto h = load_history("cancel_self");
    auto runner = wf::make_runner<quitter>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({cancel_workflow("nothing to do")}));
    expect_history_reproduced(h, runner);
}

struct impatient : wf::workflow<> {
    static constexpr std::string_view name = "Impatient";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto t = ctx.timer(10s);
        ctx.cancel(t);
        co_await t;
        co_return "waited";
    }
};

TEST(cancellation, a_canceled_error_leaving_run_without_a_request_is_no_cancel_decision) {
    // Only a request (or workflow_canceled) closes the execution as
    // canceled: here the error is the workflow's own failure.
    auto h = load_history("cancel_self");
    EXPECT_THROW((void)wf::replay(task_at(h, 3), wf::make_runner<impatient>()), wf::canceled_error);
}

} // namespace
