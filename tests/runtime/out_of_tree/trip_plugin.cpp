// A workflow as code built out of tree: trip shouts its input (a blocking
// activity), counts the shout (a coroutine activity), waits a second,
// waits for the "approve" signal and, when the approval says "with-leg",
// runs the leg child workflow; it returns what each step gave.
#include <swfrt/workflow.hpp>

#include <cctype>
#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace {

namespace wf = swfrt::workflow;
using namespace std::chrono_literals;

wf::workflow_defaults trip_defaults(const char* description) {
    wf::workflow_defaults d;
    d.description = description;
    d.task_list = "trip-decisions";
    d.execution_start_to_close_timeout = 300s;
    d.task_start_to_close_timeout = 30s;
    d.child_policy = swfrt::swf::model::child_policy::terminate;
    return d;
}

struct leg : wf::workflow<> {
    static constexpr std::string_view name = "leg";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() { return trip_defaults("Shouts its input."); }
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        auto loud = ctx.activity("shout", "1", input);
        co_return "leg:" + co_await loud;
    }
};

struct trip : wf::workflow<> {
    static constexpr std::string_view name = "trip";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() { return trip_defaults("Shout, count, wait, approve, maybe a leg."); }
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        auto shouted = ctx.activity("shout", "1", input);
        const std::string loud = co_await shouted;
        auto counted = ctx.activity("count", "1", loud);
        const std::string n = co_await counted;
        auto pause = ctx.timer(1s);
        co_await pause;
        auto approved = ctx.wait_signal("approve");
        const std::string approval = co_await approved;
        std::string out = loud + " " + n + " " + approval;
        if (approval == "with-leg") {
            wf::child_options options;
            options.workflow_id = ctx.info().execution.workflow_id + "-leg";
            auto child = ctx.child({.name = "leg", .version = "1"}, input, std::move(options));
            out += " " + co_await child;
        }
        co_return out;
    }
};

std::string shout(swfrt::sdk::activity_context&, const std::string& input) {
    std::string out;
    for (unsigned char c : input) out += static_cast<char>(std::toupper(c));
    return out + "!";
}

boost::asio::awaitable<std::string> count(swfrt::sdk::activity_context& ctx, std::string input) {
    ctx.log(swfrt::sdk::log_level::info, "counting");
    co_return std::to_string(input.size());
}

swfrt::sdk::activity_type activity(const char* name) {
    swfrt::sdk::activity_type t;
    t.name = name;
    t.version = "1";
    t.default_task_list = "trip-activities";
    t.default_task_heartbeat_timeout = "NONE";
    t.default_task_schedule_to_start_timeout = "60";
    t.default_task_schedule_to_close_timeout = "120";
    t.default_task_start_to_close_timeout = "60";
    return t;
}

} // namespace

SWFRT_PLUGIN(registrar) {
    registrar.add_activity({.type = activity("shout"), .blocking = shout});
    registrar.add_activity({.type = activity("count"), .coroutine = count});
    registrar.add_workflow(wf::make_registration<trip>());
    registrar.add_workflow(wf::make_registration<leg>());
}
