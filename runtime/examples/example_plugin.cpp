// The example plugin: a few activities (coroutine and blocking, one that
// fails, one that heartbeats and honours cancellation), two raw deciders and
// workflows written as coroutines (workflow/). The quick start runs it, and
// the tests load it to exercise the loader, the runtime and replay against
// real handlers.
#include <swfrt/sdk.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <swfrt/json.hpp>

#include "workflow/json.hpp"
#include "workflow/sdk_adapter.hpp"
#include "swf/model/decisions.hpp"

namespace {

namespace asio = boost::asio;
namespace model = swfrt::swf::model;
namespace sdk = swfrt::sdk;
namespace wf = swfrt::workflow;
using namespace std::chrono_literals;

constexpr auto step = std::chrono::milliseconds(100);
constexpr int steps_per_second = 10;
constexpr double max_sleep_seconds = 24 * 3600;

std::string excerpt(std::string_view s) {
    constexpr std::size_t limit = 200;
    return s.size() <= limit ? std::string(s) : std::string(s.substr(0, limit)) + "...";
}

std::string format_number(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

// ---- add: a deliberately small reader for {"a": number, "b": number} ----

class object_reader {
public:
    explicit object_reader(std::string_view s) : s_(s) {}

    // The object's members whose values are numbers; nullopt when the text
    // is not a flat object of numbers.
    std::optional<std::map<std::string, double, std::less<>>> numbers() {
        std::map<std::string, double, std::less<>> out;
        if (!eat('{')) return std::nullopt;
        if (eat('}')) return end() ? std::optional(out) : std::nullopt;
        do {
            auto key = string();
            if (!key || !eat(':')) return std::nullopt;
            auto value = number();
            if (!value) return std::nullopt;
            out[*key] = *value;
        } while (eat(','));
        if (!eat('}') || !end()) return std::nullopt;
        return out;
    }

private:
    void skip_space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    bool eat(char c) {
        skip_space();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    bool end() {
        skip_space();
        return i_ == s_.size();
    }
    // Keys without escapes are enough for this example.
    std::optional<std::string> string() {
        if (!eat('"')) return std::nullopt;
        auto close = s_.find('"', i_);
        if (close == std::string_view::npos || s_.substr(i_, close - i_).find('\\') != std::string_view::npos)
            return std::nullopt;
        std::string out(s_.substr(i_, close - i_));
        i_ = close + 1;
        return out;
    }
    std::optional<double> number() {
        skip_space();
        double v = 0;
        auto [ptr, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
        if (ec != std::errc{} || !std::isfinite(v)) return std::nullopt;
        i_ = static_cast<std::size_t>(ptr - s_.data());
        return v;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

asio::awaitable<std::string> add_numbers(sdk::activity_context&, std::string input) {
    auto members = object_reader(input).numbers();
    if (!members || !members->contains("a") || !members->contains("b"))
        throw sdk::activity_failure("BAD_INPUT",
                                    "expected a JSON object with numbers a and b, like {\"a\":1,\"b\":2}; got: " +
                                        excerpt(input));
    co_return format_number(members->at("a") + members->at("b"));
}

// ---- sleep and slow_blocking: long activities that can be stopped ----

double seconds_from(const std::string& input) {
    double v = -1;
    auto [ptr, ec] = std::from_chars(input.data(), input.data() + input.size(), v);
    if (ec != std::errc{} || ptr != input.data() + input.size() || !(v >= 0) || v > max_sleep_seconds)
        throw sdk::activity_failure("BAD_INPUT", "expected a number of seconds from 0 to " +
                                                     format_number(max_sleep_seconds) + "; got: " + excerpt(input));
    return v;
}

std::string progress(int steps_done, const std::string& total) {
    return "slept " + std::to_string(steps_done / steps_per_second) + " of " + total + " s";
}

asio::awaitable<std::string> sleep_on_timer(sdk::activity_context& ctx, std::string input) {
    const int steps = static_cast<int>(std::ceil(seconds_from(input) * steps_per_second));
    const std::stop_token stop = ctx.stop_token();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int done = 0; done < steps; ++done) {
        if (done % steps_per_second == 0) ctx.heartbeat(progress(done, input));
        if (stop.stop_requested()) co_return "stopped";
        timer.expires_after(step);
        co_await timer.async_wait(asio::use_awaitable);
    }
    co_return "slept " + input + " s";
}

std::string slow_blocking(sdk::activity_context& ctx, const std::string& input) {
    const int steps = static_cast<int>(std::ceil(seconds_from(input) * steps_per_second));
    const std::stop_token stop = ctx.stop_token();
    for (int done = 0; done < steps; ++done) {
        if (done % steps_per_second == 0) ctx.heartbeat(progress(done, input));
        if (stop.stop_requested()) return "stopped";
        std::this_thread::sleep_for(step);
    }
    return "slept " + input + " s";
}

// ---- deciders: run activities one after another, each on the previous result ----

struct step_type {
    std::string activity_id;
    std::string name;
    std::string version;
};

struct step_outcome {
    bool scheduled = false;
    std::optional<std::string> result;
    std::optional<std::string> failure_reason;
    std::optional<std::string> failure_details;
};

// An event's attributes; a history without them is refused, never read.
template <class A> const A& attributes_of(const model::history_event& e, const swfrt::swf::model::box<A>& a) {
    if (!a)
        throw std::invalid_argument("malformed history: event " + std::to_string(e.event_id) + " (" +
                                    std::string(model::to_string(e.event_type, e.event_type_text)) +
                                    ") lacks its attributes");
    return *a;
}

std::map<std::string, step_outcome> outcomes_of(const model::decision_task& task) {
    std::map<std::string, step_outcome> by_id;
    std::map<std::int64_t, std::string> id_of_scheduled_event;
    auto fail = [&](std::int64_t scheduled_event_id, std::string reason, std::optional<std::string> details) {
        auto& o = by_id[id_of_scheduled_event[scheduled_event_id]];
        o.failure_reason = std::move(reason);
        o.failure_details = std::move(details);
    };
    for (const auto& e : task.events) {
        switch (e.event_type) {
        case model::event_type::activity_task_scheduled: {
            const auto& a = attributes_of(e, e.activity_task_scheduled_event_attributes);
            id_of_scheduled_event[e.event_id] = a.activity_id;
            by_id[a.activity_id].scheduled = true;
            break;
        }
        case model::event_type::activity_task_completed: {
            const auto& a = attributes_of(e, e.activity_task_completed_event_attributes);
            by_id[id_of_scheduled_event[a.scheduled_event_id]].result = a.result_.value_or("");
            break;
        }
        case model::event_type::activity_task_failed: {
            const auto& a = attributes_of(e, e.activity_task_failed_event_attributes);
            fail(a.scheduled_event_id,
                 "activity " + id_of_scheduled_event[a.scheduled_event_id] + " failed: " + a.reason.value_or(""),
                 a.details);
            break;
        }
        case model::event_type::activity_task_timed_out: {
            const auto& a = attributes_of(e, e.activity_task_timed_out_event_attributes);
            fail(a.scheduled_event_id,
                 "activity " + id_of_scheduled_event[a.scheduled_event_id] + " timed out (" +
                     std::string(model::to_string(a.timeout_type, a.timeout_type_text)) + ")",
                 a.details);
            break;
        }
        case model::event_type::schedule_activity_task_failed: {
            // Not an activity outcome but a refused decision (e.g. the type is
            // not registered); retrying the same decision would fail again.
            const auto& a = attributes_of(e, e.schedule_activity_task_failed_event_attributes);
            auto& o = by_id[a.activity_id];
            o.failure_reason = "could not schedule activity " + a.activity_id + ": " +
                               std::string(model::to_string(a.cause, a.cause_text));
            break;
        }
        default:
            break;
        }
    }
    return by_id;
}

std::string workflow_input(const model::decision_task& task) {
    for (const auto& e : task.events)
        if (e.event_type == model::event_type::workflow_execution_started)
            return attributes_of(e, e.workflow_execution_started_event_attributes).input.value_or("");
    return {};
}

model::decision schedule(const step_type& s, std::string input) {
    model::schedule_activity_task_decision_attributes a;
    a.activity_id = s.activity_id;
    a.activity_type = {.name = s.name, .version = s.version};
    a.input = std::move(input);
    // Task list and timeouts: the activity type's registered defaults.
    return model::make_decision(std::move(a));
}

sdk::decision_result run_in_sequence(const model::decision_task& task, const std::vector<step_type>& steps) {
    auto outcomes = outcomes_of(task);
    std::string input = workflow_input(task);
    for (const auto& s : steps) {
        const auto& o = outcomes[s.activity_id];
        if (o.failure_reason) {
            model::fail_workflow_execution_decision_attributes a;
            a.reason = o.failure_reason;
            a.details = o.failure_details;
            return {.decisions = {model::make_decision(std::move(a))}, .execution_context = std::nullopt};
        }
        if (o.result) {
            input = *o.result;
            continue;
        }
        if (o.scheduled) return {}; // still running: nothing to decide
        return {.decisions = {schedule(s, std::move(input))}, .execution_context = std::nullopt};
    }
    model::complete_workflow_execution_decision_attributes done;
    done.result_ = std::move(input);
    return {.decisions = {model::make_decision(std::move(done))}, .execution_context = std::nullopt};
}

// Every member is named: g++'s -Wextra flags designated initializers that
// leave members out.
sdk::activity_type activity(std::string name, std::string description) {
    return {.name = std::move(name),
            .version = "1",
            .description = std::move(description),
            .default_task_list = "example-activities",
            .default_task_heartbeat_timeout = "NONE",
            .default_task_schedule_to_start_timeout = "300",
            .default_task_schedule_to_close_timeout = "360",
            .default_task_start_to_close_timeout = "60",
            .default_task_priority = std::nullopt};
}

sdk::activity_type long_activity(std::string name, std::string description) {
    auto t = activity(std::move(name), std::move(description));
    t.default_task_heartbeat_timeout = std::string("30");
    t.default_task_schedule_to_close_timeout = std::string("3900");
    t.default_task_start_to_close_timeout = std::string("3600");
    return t;
}

sdk::workflow_registration workflow(std::string name, std::string description, sdk::raw_decider decider) {
    return {.type = {.name = std::move(name),
                     .version = "1",
                     .description = std::move(description),
                     .default_task_list = "example-decisions",
                     .default_execution_start_to_close_timeout = "3600",
                     .default_task_start_to_close_timeout = "30",
                     .default_child_policy = "TERMINATE",
                     .default_lambda_role = std::nullopt,
                     .default_task_priority = std::nullopt},
            .decider = std::move(decider),
            .on_exception = sdk::failure_policy::retry_task};
}

// ---- workflows as coroutines ----

// The text of a JSON number (surrounding blanks allowed); nullopt otherwise.
std::optional<double> number_of(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// A whole number from min to max, or workflow_failed(BAD_INPUT) naming what was expected.
long long whole_number(std::string_view input, long long min, long long max, std::string_view what) {
    auto v = number_of(input);
    if (!v || *v != std::floor(*v) || *v < static_cast<double>(min) || *v > static_cast<double>(max))
        throw wf::workflow_failed("BAD_INPUT", "expected " + std::string(what) + ", a whole number from " +
                                                   std::to_string(min) + " to " + std::to_string(max) +
                                                   "; got: " + excerpt(input));
    return static_cast<long long>(*v);
}

wf::workflow_defaults example_defaults(std::string description) {
    return {.description = std::move(description),
            .task_list = "example-decisions",
            .execution_start_to_close_timeout = 3600s,
            .task_start_to_close_timeout = 30s,
            .child_policy = model::child_policy::terminate,
            .lambda_role = std::nullopt,
            .task_priority = std::nullopt};
}

// The seed example. An execution needs a Lambda role (given at start, as no
// default suits every account).
struct my_workflow : wf::workflow<> {
    static constexpr std::string_view name = "MyWorkflow";
    static constexpr std::string_view version = "1.0";
    static wf::workflow_defaults defaults() {
        return example_defaults("Fails on \"bad_input\"; else Lambda some_lambda_func, +2, Lambda "
                                "other_lambda_func, whose result it returns.");
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        // The input is JSON text; the bare word is taken too, as typed on a command line.
        if (input == "\"bad_input\"" || input == "bad_input")
            throw wf::workflow_failed("BAD_INPUT", "Received bad input");
        auto first = co_await ctx.lambda("some_lambda_func", input);
        auto n = number_of(first);
        if (!n || *n != std::floor(*n))
            throw wf::workflow_failed("BAD_LAMBDA_RESULT",
                                      "some_lambda_func returned " + excerpt(first) + ", not a whole number");
        auto second = co_await ctx.lambda("other_lambda_func", format_number(*n + 2));
        co_return second;
    }
};

// Fan-out / fan-in: N add activities, five at a time, and the sum of their
// results (1+1, 2+2, ..., N+N).
struct fan_out : wf::workflow<> {
    static constexpr std::string_view name = "fan_out";
    static constexpr std::string_view version = "1";
    static constexpr long long batch = 5;
    static constexpr long long max_count = 1000;
    static wf::workflow_defaults defaults() {
        return example_defaults(
            "Runs add {\"a\":i,\"b\":i} for i = 1..<input>, five at a time; returns the sum.");
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        const long long n = whole_number(input, 0, max_count, "a count of add activities");
        double sum = 0;
        for (long long first = 1; first <= n; first += batch) {
            std::vector<wf::future<std::string>> parts;
            for (long long i = first; i < first + batch && i <= n; ++i) {
                const std::string v = std::to_string(i);
                parts.push_back(ctx.activity("add", "1", "{\"a\":" + v + ",\"b\":" + v + "}"));
            }
            auto results = co_await wf::when_all(parts);
            for (const auto& r : results) {
                auto v = number_of(r);
                if (!v) throw wf::workflow_failed("BAD_ACTIVITY_RESULT", "add returned " + excerpt(r));
                sum += *v;
            }
        }
        co_return format_number(sum);
    }
};

// A durable timer, then an activity.
struct timer_then_greet : wf::workflow<> {
    static constexpr std::string_view name = "timer_then_greet";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults("Waits <input> seconds on a timer, then runs greet on <input>.");
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        const long long seconds = whole_number(input, 0, 3000, "a number of seconds");
        co_await ctx.timer(std::chrono::seconds(seconds));
        auto greeting = co_await ctx.activity("greet", "1", input);
        co_return greeting;
    }
};

// A signal wait bounded by a timer.
struct wait_for_approval : wf::workflow<> {
    static constexpr std::string_view name = "wait_for_approval";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults(
            "Waits 30 s for the signal \"approve\": \"approved: <its input>\" or \"timed out\".");
    }

    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto approval = co_await ctx.wait_signal("approve", 30s);
        if (!approval) co_return std::string("timed out");
        co_return "approved: " + *approval;
    }
};

// A child workflow: fan_out runs as a child execution on the same task
// list; the parent reports its sum.
struct parent_of_fan_out : wf::workflow<> {
    static constexpr std::string_view name = "parent_of_fan_out";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults("Runs fan_out <input> as a child workflow; returns \"the child summed to <sum>\".");
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        const model::workflow_type type{.name = "fan_out", .version = "1"};
        wf::child_options options;
        options.task_list = "example-decisions";
        auto child = ctx.child(type, input, std::move(options));
        auto sum = co_await child;
        co_return "\"the child summed to " + sum + "\"";
    }
};

// Continue-as-new every few iterations, so that a long loop keeps a short
// history: each run does at most three add activities and continues as new
// with what is left. Typed input (an int).
struct countdown : wf::workflow<int, std::string> {
    static constexpr std::string_view name = "countdown";
    static constexpr std::string_view version = "1";
    static constexpr int per_run = 3;
    static wf::workflow_defaults defaults() {
        return example_defaults("Runs add <input> times, three per run, continuing as new in between; returns "
                                "\"done\".");
    }

    wf::task<std::string> run(wf::context& ctx, int remaining) override {
        if (remaining < 0 || remaining > 1000)
            throw wf::workflow_failed("BAD_INPUT", "expected a count from 0 to 1000, got " + std::to_string(remaining));
        for (int i = 0; i < per_run && remaining > 0; ++i, --remaining) {
            auto step = ctx.activity("add", "1", "{\"a\":" + std::to_string(remaining) + ",\"b\":0}");
            co_await step;
        }
        if (remaining > 0) ctx.continue_as_new(std::to_string(remaining));
        co_return std::string("\"done\"");
    }
};

// Cancellation with clean-up: greets "reserve", then sleeps <input> seconds
// in an activity. Asked to cancel, the sleep is canceled; the workflow greets
// "release" as its clean-up and ends canceled.
struct cancellable_booking : wf::workflow<> {
    static constexpr std::string_view name = "cancellable_booking";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults("Greets reserve, sleeps <input> s; on a cancel request greets release and ends "
                                "canceled.");
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        auto reserve = ctx.activity("greet", "1", "\"reserve\"");
        co_await reserve;
        try {
            auto work = ctx.activity("sleep", "1", input, {.heartbeat_timeout = 10s});
            co_await work;
            co_return std::string("\"booked\"");
        } catch (...) {
            if (!ctx.cancel_requested()) throw;
        }
        // Clean-up through the detached context: a cancel request never
        // cancels what it issues.
        auto release = ctx.detached().activity("greet", "1", "\"release\"");
        co_await release;
        throw wf::workflow_canceled("released the reservation after a cancel request");
    }
};

// An activity retry policy: the fail activity three times, a timer between
// attempts (1 s, then 2 s), then the workflow fails with the last reason.
struct retry_fail : wf::workflow<> {
    static constexpr std::string_view name = "retry_fail";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults("Runs fail on <input> up to three times, 1 s then 2 s apart; fails GAVE_UP.");
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        wf::activity_options options;
        options.retry = wf::retry_policy{.max_attempts = 3, .initial_interval = 1s, .backoff = 2.0};
        try {
            auto attempt = ctx.activity("fail", "1", input, std::move(options));
            co_return co_await attempt;
        } catch (const wf::activity_failed& e) {
            throw wf::workflow_failed("GAVE_UP", "attempt " + e.activity_id() + " failed: " + e.reason());
        }
    }
};

// Signals both ways, markers, and the three ways an execution ends: every
// "comment" signal is handled as it comes (recorded in a marker); the first
// "verdict" signal decides: "approve" completes, "reject" fails, anything
// else withdraws the review (the execution ends canceled).
struct review : wf::workflow<> {
    static constexpr std::string_view name = "review";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults("Records \"comment\" signals in markers; the \"verdict\" signal approve completes, "
                                "reject fails, anything else cancels.");
    }

    // A member, not a local of run: the handler also runs after run
    // returned when a comment arrives while the closing decision task is
    // open (SWF refuses the close; the marker goes before the close made again).
    int comments = 0;

    wf::task<std::string> run(wf::context& ctx, std::string) override {
        ctx.on_signal("comment", [this, &ctx](std::string text) {
            ++comments;
            ctx.marker("comment", std::move(text));
        });
        auto verdict = co_await ctx.wait_signal("verdict");
        const std::string after = " after " + std::to_string(comments) + " comment(s)";
        if (verdict == "\"approve\"") co_return "\"approved" + after + "\"";
        if (verdict == "\"reject\"") throw wf::workflow_failed("REJECTED", "rejected" + after);
        throw wf::workflow_canceled("withdrawn" + after);
    }
};

// A child through its handle: starts review as a child, signals it a
// comment and then the verdict <input> once it started (at its run id),
// and reports how it ended. A named timer with control data bounds the
// wait for the start.
struct relay : wf::workflow<> {
    static constexpr std::string_view name = "relay";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults("Starts review as a child, signals it a comment and the verdict <input>; returns "
                                "the review's result.");
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        wf::child_options options;
        options.task_list = "example-decisions";
        options.workflow_id = ctx.info().execution.workflow_id + "-review";
        auto kid = ctx.start_child({.name = "review", .version = "1"}, "", std::move(options));
        auto deadline = ctx.timer(60s, {.timer_id = "start-deadline", .control = "relay"});
        auto started = kid.started();
        auto either = wf::when_any(started, deadline);
        if (co_await either == 1) {
            kid.cancel("the review did not start within 60 s");
            throw wf::workflow_failed("NOT_STARTED", "the review did not start within 60 s");
        }
        ctx.cancel(deadline);
        ctx.log_info("review started as run " + kid.run_id());
        auto comment = kid.signal("comment", "\"relayed\"", "from relay");
        co_await comment;
        auto verdict = kid.signal("verdict", input);
        co_await verdict;
        try {
            auto result = kid.result();
            co_return co_await result; // the review's own result
        } catch (const wf::child_workflow_error& e) {
            throw wf::workflow_failed("REVIEW_ENDED", e.what());
        }
    }
};

// Typed input and result through the JSON converter: an order in, a receipt
// out, charged by a JSON activity.
struct order {
    std::string id;
    int cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, cents)

struct receipt {
    std::string order_id;
    int charged = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(receipt, order_id, charged)

struct shop : wf::workflow<order, receipt> {
    static constexpr std::string_view name = "shop";
    static constexpr std::string_view version = "1";
    static wf::workflow_defaults defaults() {
        return example_defaults("Charges the order {\"id\":...,\"cents\":...} with the charge activity; returns "
                                "the receipt.");
    }

    wf::task<receipt> run(wf::context& ctx, order o) override {
        if (o.cents <= 0) throw wf::workflow_failed("NOTHING_TO_CHARGE", "order " + o.id + " is for 0 cents");
        auto charged = ctx.activity("charge", "1", wf::to_json_text(o));
        co_return co_await wf::json_result<receipt>(std::move(charged));
    }
};

} // namespace

SWFRT_PLUGIN(registrar) {
    registrar.add_activity({.type = activity("greet", "Returns \"Hello, <input>!\"."),
                            .coroutine = {},
                            .blocking = [](sdk::activity_context&, const std::string& input) {
                                return "Hello, " + input + "!";
                            }});
    registrar.add_activity({.type = activity("add", "Adds a and b of {\"a\":1,\"b\":2}."),
                            .coroutine = add_numbers,
                            .blocking = {}});
    registrar.add_activity(
        {.type = long_activity("sleep", "Waits <input> seconds on a timer, heartbeating; stops when asked."),
         .coroutine = sleep_on_timer,
         .blocking = {}});
    registrar.add_activity({.type = activity("fail", "Always fails, with the input as the message."),
                            .coroutine = {},
                            .blocking = [](sdk::activity_context&, const std::string& input) -> std::string {
                                throw std::runtime_error(input);
                            }});
    registrar.add_activity(
        {.type = long_activity("slow_blocking", "Blocks a pool thread for <input> seconds; stops when asked."),
         .coroutine = {},
         .blocking = slow_blocking});

    registrar.add_workflow(workflow("greeting", "Runs greet on the workflow input.",
                                    [](const model::decision_task& task) {
                                        return run_in_sequence(task, {{"greet-1", "greet", "1"}});
                                    }));
    registrar.add_workflow(workflow("chain", "Runs add on the workflow input, then greet on the sum.",
                                    [](const model::decision_task& task) {
                                        return run_in_sequence(task,
                                                               {{"add-1", "add", "1"}, {"greet-1", "greet", "1"}});
                                    }));

    registrar.add_workflow(wf::make_registration<my_workflow>());
    registrar.add_workflow(wf::make_registration<fan_out>());
    registrar.add_workflow(wf::make_registration<timer_then_greet>());
    registrar.add_workflow(wf::make_registration<wait_for_approval>());
    registrar.add_workflow(wf::make_registration<parent_of_fan_out>());
    registrar.add_workflow(wf::make_registration<countdown>());
    registrar.add_workflow(wf::make_registration<cancellable_booking>());
    registrar.add_workflow(wf::make_registration<retry_fail>());
    registrar.add_workflow(wf::make_registration<review>());
    registrar.add_workflow(wf::make_registration<relay>());
    registrar.add_workflow(wf::make_registration<shop>());
    // MyWorkflow's Lambda functions, for `swf-runtime dev-server --plugin`:
    // some_lambda_func adds 1 to a whole number, other_lambda_func doubles it.
    auto number_in = [](const std::string& input, const char* name) {
        auto v = number_of(input);
        if (!v || *v != std::floor(*v)) throw std::invalid_argument(std::string(name) + " takes a whole number, got " + excerpt(input));
        return *v;
    };
    registrar.add_lambda_function({.name = "some_lambda_func",
                                   .description = "Adds 1 to a whole number.",
                                   .handler = [number_in](const std::string& input) {
                                       return format_number(number_in(input, "some_lambda_func") + 1);
                                   }});
    registrar.add_lambda_function({.name = "other_lambda_func",
                                   .description = "Doubles a whole number.",
                                   .handler = [number_in](const std::string& input) {
                                       return format_number(number_in(input, "other_lambda_func") * 2);
                                   }});
    registrar.add_activity({.type = activity("charge", "Charges an order {\"id\":...,\"cents\":...}; returns a "
                                                       "receipt."),
                            .coroutine = {},
                            .blocking = sdk::json_blocking<order, receipt>([](sdk::activity_context& ctx, order o) {
                                ctx.log(sdk::log_level::info, "charging order " + o.id);
                                return receipt{o.id, o.cents};
                            })});
}
