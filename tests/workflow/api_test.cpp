// The workflow API beyond the basics: a child handle (start, signal the
// started run, await the result, cancel with control), timer ids and
// controls, controls on external signals and cancel requests, the detached
// context a cancel request leaves alone, workflow_info, and the activity
// task list an activity gets when its type has no default.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "replay_support.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using namespace wf::testing;

namespace {

wf::child_options kid_options() {
    wf::child_options o;
    o.workflow_id = "kid-1";
    return o;
}

// Starts a child, signals its run once started, awaits its result.
struct orchestrator : wf::workflow<> {
    static constexpr std::string_view name = "Orchestrator";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto kid = ctx.start_child({"Kid", "1"}, "\"k\"", kid_options());
        auto run_id = co_await kid.started();
        if (run_id != kid.run_id()) throw std::logic_error("the handle's run id is not the started one");
        auto signaled = kid.signal("go", "\"now\"", "ctl-signal");
        co_await signaled;
        auto result = kid.result();
        co_return co_await result;
    }
};

// Starts a child and cancels it, with control, once it started.
struct canceler : wf::workflow<> {
    static constexpr std::string_view name = "Orchestrator";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto kid = ctx.start_child({"Kid", "1"}, "\"k\"", kid_options());
        auto started = kid.started();
        co_await started;
        kid.cancel("no longer needed");
        auto result = kid.result();
        co_return co_await result;
    }
};

std::string decision_at(const model::history& h, std::int64_t started, const wf::workflow_runner& runner,
                        const wf::replay_options& options = {}) {
    auto r = wf::replay(task_at(h, started), runner, options);
    if (!r) return "replay error: " + r.error().message;
    return json_of(r.value());
}

} // namespace

TEST(child_handle, start_signal_the_started_run_then_await_the_result) {
    auto h = load_history("api_child_handle");
    auto runner = wf::make_runner<orchestrator>();
    expect_history_reproduced(h, runner);
    auto signal = decision_at(h, 8, runner);
    EXPECT_NE(signal.find(R"("runId":"kid-run-1")"), std::string::npos) << signal;
    EXPECT_NE(signal.find(R"("control":"ctl-signal")"), std::string::npos) << signal;
    EXPECT_EQ(decision_at(h, 13, runner), "[]");
    EXPECT_EQ(decision_at(h, 17, runner), canonical({complete("\"done\"")}));
}

TEST(child_handle, a_cancel_through_the_handle_carries_its_control_and_the_run_id) {
    auto h = load_history("api_child_handle");
    auto d = decision_at(h, 8, wf::make_runner<canceler>());
    EXPECT_NE(d.find(R"("decisionType":"RequestCancelExternalWorkflowExecution")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("control":"no longer needed")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("runId":"kid-run-1")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("workflowId":"kid-1")"), std::string::npos) << d;
}

namespace {

struct informed : wf::workflow<> {
    static constexpr std::string_view name = "Orchestrator";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        const auto& i = ctx.info();
        std::string out = i.input + "|" + std::to_string(i.execution_start_to_close_timeout->count()) + "|" +
                          std::to_string(i.task_start_to_close_timeout->count()) + "|" +
                          std::to_string(*i.task_priority) + "|" + i.parent->workflow_id + "|" +
                          std::to_string(*i.parent_initiated_event_id);
        auto next = wf::continue_as_new_like(i);
        out += "|" + *next.task_list + "|" + std::to_string(*next.task_priority) + "|" + next.tag_list.at(0) +
               "|" + *next.lambda_role;
        co_return out;
    }
};

} // namespace

TEST(workflow_info, holds_what_the_started_event_records_and_continue_as_new_can_copy_it) {
    auto h = load_history("api_child_handle");
    auto d = decision_at(h, 3, wf::make_runner<informed>());
    EXPECT_EQ(d, canonical({complete(R"("in"|3600|60|5|boss|7|deciders|5|blue|arn:aws:iam::123456789012:role/l)")}));
}

namespace {

struct with_ids : wf::workflow<> {
    static constexpr std::string_view name = "Orchestrator";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto named = ctx.timer(30s, {.timer_id = "cool-down", .control = "ctl-timer"});
        auto numbered = ctx.timer(5s); // "t2": the named timer took number 1
        auto signal = ctx.signal_external("other", "", "ping", "", "ctl-ext-signal");
        auto cancel = ctx.request_cancel_external("other", "other-run", "ctl-ext-cancel");
        co_await named;
        co_return "";
    }
};

} // namespace

TEST(ids_and_controls, a_timer_takes_its_id_and_control_and_external_commands_their_controls) {
    auto h = load_history("api_child_handle");
    auto d = decision_at(h, 3, wf::make_runner<with_ids>());
    EXPECT_NE(d.find(R"("timerId":"cool-down")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("control":"ctl-timer")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("timerId":"t2")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("control":"ctl-ext-signal")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("control":"ctl-ext-cancel")"), std::string::npos) << d;
}

namespace {

struct careful : wf::workflow<> {
    static constexpr std::string_view name = "Careful";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto main = ctx.activity("work", "1");
        auto audit = ctx.detached().activity("audit", "1");
        try {
            co_await main;
        } catch (const wf::activity_canceled&) {
        }
        auto audited = co_await audit; // still running: the cancel request left it
        throw wf::workflow_canceled(wf::detail::trim_json(audited) == "\"audited\"" ? "audited" : "?");
    }
};

} // namespace

TEST(detached_context, a_cancel_request_cancels_what_the_code_awaits_but_not_what_the_detached_context_issued) {
    auto h = load_history("api_detached");
    auto runner = wf::make_runner<careful>();
    expect_history_reproduced(h, runner);
    EXPECT_EQ(decision_at(h, 9, runner), canonical({request_cancel_activity("1")}));
    EXPECT_EQ(decision_at(h, 14, runner), "[]");
    EXPECT_EQ(decision_at(h, 19, runner), canonical({cancel_workflow("audited")}));
}

namespace {

struct defaulted : wf::workflow<> {
    static constexpr std::string_view name = "Defaulted";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        co_return co_await ctx.activity("legacy", "1", "\"x\"");
    }
};

} // namespace

TEST(activity_task_list, refused_for_want_of_a_default_it_is_scheduled_again_on_the_workflows_task_list) {
    auto h = load_history("api_task_list_default");
    auto runner = wf::make_runner<defaulted>();
    expect_history_reproduced(h, runner);
    auto d = decision_at(h, 7, runner);
    EXPECT_NE(d.find(R"("taskList":{"name":"deciders"})"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("input":"\"x\"")"), std::string::npos) << d;
    EXPECT_NE(d.find(R"("activityId":"1")"), std::string::npos) << d;
    EXPECT_EQ(decision_at(h, 13, runner), canonical({complete("\"y\"")}));
}

TEST(activity_task_list, a_configured_default_replaces_the_workflows_own) {
    auto h = load_history("api_task_list_default");
    auto d = decision_at(h, 7, wf::make_runner<defaulted>(), {.activity_task_list = "legacy-workers"});
    EXPECT_NE(d.find(R"("taskList":{"name":"legacy-workers"})"), std::string::npos) << d;
}

namespace {

struct listed : wf::workflow<> {
    static constexpr std::string_view name = "Defaulted";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        wf::activity_options options;
        options.task_list = "mine";
        auto result = ctx.activity("legacy", "1", "\"x\"", std::move(options));
        co_return co_await result;
    }
};

} // namespace

TEST(activity_task_list, an_activity_given_a_task_list_is_not_scheduled_again) {
    auto h = load_history("api_task_list_default");
    EXPECT_THROW((void)wf::replay(task_at(h, 7), wf::make_runner<listed>()), wf::schedule_activity_failed);
}

namespace {

struct chatty : wf::workflow<> {
    static constexpr std::string_view name = "Orchestrator";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        ctx.log_info("starting the kid");
        auto kid = ctx.start_child({"Kid", "1"}, "\"k\"", kid_options());
        co_await kid.started();
        ctx.log(wf::log_level::debug, "kid started");
        auto signaled = kid.signal("go", "\"now\"", "ctl-signal");
        co_await signaled;
        auto result = kid.result();
        auto r = co_await result;
        ctx.log_warn("kid done");
        co_return r;
    }
};

std::vector<std::string> logged_at(const model::history& h, std::int64_t started) {
    std::vector<std::string> lines;
    wf::replay_options options;
    options.log = [&lines](wf::log_level level, std::string_view message, const wf::workflow_info& info) {
        lines.push_back(std::to_string(static_cast<int>(level)) + " " + std::string(message) + " " +
                        info.execution.workflow_id);
    };
    auto r = wf::replay(task_at(h, started), wf::make_runner<chatty>(), options);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return lines;
}

} // namespace

TEST(workflow_log, writes_only_what_the_code_does_at_the_decision_task_being_answered) {
    auto h = load_history("api_child_handle");
    const auto& id = test_execution().workflow_id;
    EXPECT_EQ(logged_at(h, 3), std::vector<std::string>{"1 starting the kid " + id});
    EXPECT_EQ(logged_at(h, 8), std::vector<std::string>{"0 kid started " + id});
    EXPECT_EQ(logged_at(h, 13), std::vector<std::string>{});
    EXPECT_EQ(logged_at(h, 17), std::vector<std::string>{"2 kid done " + id});
}
