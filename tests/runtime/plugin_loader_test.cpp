// The plugin loader and registry against real shared libraries: the example
// plugin (its registrations, handlers and deciders) and small broken plugins
// for every refusal the loader reports.
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/plugin/elf_check.hpp"
#include "runtime/plugin/loader.hpp"
#include "runtime/plugin/registry.hpp"
#include "tests/support/run_awaitable.hpp"

namespace swfrt::runtime::plugin {
namespace {

namespace asio = boost::asio;
namespace model = swf::model;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

// The build puts plugins in <build>/plugins and this test in <build>/tests.
std::filesystem::path plugin_dir() {
#ifdef SWFRT_PLUGIN_DIR
    return SWFRT_PLUGIN_DIR;
#else
    return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "plugins";
#endif
}

std::string plugin_path(const std::string& target) {
    return (plugin_dir() / ("lib" + target + ".so")).string();
}

// The ELF header of this test program: what a plugin must match.
ElfW(Ehdr) native_ehdr() {
    ElfW(Ehdr) h{};
    std::ifstream("/proc/self/exe", std::ios::binary).read(reinterpret_cast<char*>(&h), sizeof h);
    return h;
}

class fake_activity_context : public sdk::activity_context {
public:
    const model::activity_task& task() const override { return task_; }
    std::stop_token stop_token() const override { return stop.get_token(); }
    bool cancel_requested() const override { return false; }
    void heartbeat(std::string details) override { heartbeats.push_back(std::move(details)); }
    void log(sdk::log_level, std::string_view message) override { logged.emplace_back(message); }

    std::stop_source stop;
    std::vector<std::string> heartbeats;
    std::vector<std::string> logged;

private:
    model::activity_task task_{.activity_id = "a-1",
                               .activity_type = {.name = "test", .version = "1"},
                               .input = std::nullopt,
                               .started_event_id = 3,
                               .task_token = "token",
                               .workflow_execution = {.run_id = "run", .workflow_id = "wf"}};
};

class plugin_loader_test : public ::testing::Test {
protected:
    // Loads a plugin that must load; keeps it open until the test ends.
    void load_ok(const std::string& path) {
        std::string error;
        auto lib = load(path, registry_, error);
        ASSERT_TRUE(lib) << error;
        EXPECT_EQ(lib->path(), path);
        EXPECT_THAT(error, IsEmpty());
        libraries_.push_back(std::move(lib));
    }

    // Loads a plugin that must be refused; returns the message.
    std::string load_refused(const std::string& path) {
        std::string error;
        auto lib = load(path, registry_, error);
        EXPECT_FALSE(lib) << path << " was loaded";
        if (lib) libraries_.push_back(std::move(lib));
        return error;
    }

    const activity_entry& activity(const std::string& name) {
        const auto* e = registry_.find_activity(name, "1");
        if (!e) throw std::runtime_error("activity " + name + ":1 is not registered");
        return *e;
    }

    sdk::decision_result decide(const std::string& workflow, std::vector<model::history_event> events) {
        const auto* w = registry_.find_workflow(workflow, "1");
        if (!w) throw std::runtime_error("workflow " + workflow + ":1 is not registered");
        model::decision_task task;
        task.events = std::move(events);
        task.started_event_id = task.events.empty() ? 0 : task.events.back().event_id;
        task.task_token = "token";
        task.workflow_type = {.name = workflow, .version = "1"};
        return w->registration.decider(task);
    }

    // A path in the temporary directory, removed when the test ends.
    std::string temp_path(const std::string& name) {
        auto path = (std::filesystem::temp_directory_path() /
                     ("swfrt_" + name + "_" + std::to_string(::getpid()) + ".so"))
                        .string();
        temporaries_.push_back(path);
        return path;
    }

    // A copy of the library at `from`, changed by `edit`.
    std::string copy_of(const std::string& from, const std::string& name,
                        const std::function<void(std::vector<char>&)>& edit) {
        std::ifstream in(from, std::ios::binary);
        std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        edit(bytes);
        auto path = temp_path(name);
        std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    void TearDown() override {
        for (const auto& p : temporaries_)
            std::filesystem::remove(p);
    }

    std::vector<std::string> temporaries_;
    // Declared before the registry: handlers live in the libraries, so the
    // registry goes first.
    std::vector<std::unique_ptr<library>> libraries_;
    registry registry_;
    const std::string example_ = plugin_path("swfrt_example_plugin");
};

std::string run_blocking(const activity_entry& e, const std::string& input) {
    fake_activity_context ctx;
    return e.registration.blocking(ctx, input);
}

std::string run_coroutine(const activity_entry& e, const std::string& input) {
    fake_activity_context ctx;
    return swfrt::testing::run(e.registration.coroutine(ctx, input));
}

bool is_seconds(const std::optional<std::string>& v) {
    return v && !v->empty() && v->find_first_not_of("0123456789") == std::string::npos;
}

// ---- the example plugin's registrations ----

TEST_F(plugin_loader_test, example_plugin_registers_its_activities_and_workflows) {
    load_ok(example_);
    EXPECT_THAT(registry_.errors(), IsEmpty());

    std::vector<type_key> activities;
    for (const auto& [key, entry] : registry_.activities()) {
        activities.push_back(key);
        EXPECT_EQ(entry.plugin, example_);
        EXPECT_EQ(entry.registration.type.name, key.first);
        EXPECT_EQ(entry.registration.type.version, key.second);
        EXPECT_EQ(entry.registration.type.default_task_list, "example-activities") << key.first;
        EXPECT_TRUE(entry.registration.type.description) << key.first;
        const auto& t = entry.registration.type;
        ASSERT_TRUE(is_seconds(t.default_task_schedule_to_start_timeout)) << key.first;
        ASSERT_TRUE(is_seconds(t.default_task_start_to_close_timeout)) << key.first;
        ASSERT_TRUE(is_seconds(t.default_task_schedule_to_close_timeout)) << key.first;
        // A task that waits its whole schedule-to-start time may still run
        // its whole start-to-close time.
        EXPECT_GE(std::stol(*t.default_task_schedule_to_close_timeout),
                  std::stol(*t.default_task_schedule_to_start_timeout) +
                      std::stol(*t.default_task_start_to_close_timeout))
            << key.first;
    }
    EXPECT_THAT(activities, ElementsAre(type_key{"add", "1"}, type_key{"charge", "1"}, type_key{"fail", "1"},
                                        type_key{"greet", "1"}, type_key{"sleep", "1"},
                                        type_key{"slow_blocking", "1"}));

    auto coroutine = [&](const std::string& name) {
        const auto& r = activity(name).registration;
        return r.coroutine && !r.blocking;
    };
    auto blocking = [&](const std::string& name) {
        const auto& r = activity(name).registration;
        return r.blocking && !r.coroutine;
    };
    EXPECT_TRUE(blocking("greet"));
    EXPECT_TRUE(blocking("charge"));
    EXPECT_TRUE(coroutine("add"));
    EXPECT_TRUE(coroutine("sleep"));
    EXPECT_TRUE(blocking("fail"));
    EXPECT_TRUE(blocking("slow_blocking"));

    // The long ones heartbeat well inside their heartbeat timeout.
    EXPECT_EQ(activity("sleep").registration.type.default_task_heartbeat_timeout, "30");
    EXPECT_EQ(activity("slow_blocking").registration.type.default_task_heartbeat_timeout, "30");
    EXPECT_EQ(activity("greet").registration.type.default_task_heartbeat_timeout, "NONE");
    EXPECT_GE(std::stol(*activity("sleep").registration.type.default_task_start_to_close_timeout), 600);

    std::vector<type_key> workflows;
    for (const auto& [key, entry] : registry_.workflows()) {
        workflows.push_back(key);
        const auto& t = entry.registration.type;
        EXPECT_EQ(entry.plugin, example_);
        EXPECT_TRUE(entry.registration.decider) << key.first;
        EXPECT_EQ(t.default_task_list, "example-decisions") << key.first;
        EXPECT_EQ(t.default_child_policy, "TERMINATE") << key.first;
        EXPECT_TRUE(is_seconds(t.default_execution_start_to_close_timeout)) << key.first;
        EXPECT_TRUE(is_seconds(t.default_task_start_to_close_timeout)) << key.first;
        EXPECT_EQ(entry.registration.on_exception, sdk::failure_policy::retry_task) << key.first;
    }
    EXPECT_THAT(workflows,
                ElementsAre(type_key{"MyWorkflow", "1.0"}, type_key{"cancellable_booking", "1"}, type_key{"chain", "1"},
                            type_key{"countdown", "1"}, type_key{"fan_out", "1"}, type_key{"greeting", "1"},
                            type_key{"parent_of_fan_out", "1"}, type_key{"relay", "1"}, type_key{"retry_fail", "1"},
                            type_key{"review", "1"}, type_key{"shop", "1"}, type_key{"timer_then_greet", "1"},
                            type_key{"wait_for_approval", "1"}));
}

TEST_F(plugin_loader_test, example_plugin_registers_its_lambda_functions) {
    load_ok(example_);
    const auto& functions = registry_.lambda_functions();
    ASSERT_EQ(functions.size(), 2u);
    const auto& some = functions.at("some_lambda_func");
    EXPECT_EQ(some.plugin, example_);
    EXPECT_EQ(some.registration.handler("3"), "4");
    EXPECT_EQ(functions.at("other_lambda_func").registration.handler("6"), "12");
    EXPECT_THROW(some.registration.handler("\"three\""), std::invalid_argument);
}

TEST(plugin_registry_test, lambda_functions_need_a_name_a_handler_and_one_registration) {
    registry r;
    r.set_current_plugin("first.so");
    r.add_lambda_function({.name = "f", .description = {}, .handler = [](const std::string& in) { return in; }});
    r.add_lambda_function({.name = "", .description = {}, .handler = [](const std::string& in) { return in; }});
    r.add_lambda_function({.name = "g", .description = {}, .handler = {}});
    registry other;
    other.set_current_plugin("second.so");
    other.add_lambda_function({.name = "f", .description = {}, .handler = [](const std::string&) { return std::string("2"); }});
    r.merge(std::move(other));
    ASSERT_EQ(r.lambda_functions().size(), 1u);
    EXPECT_EQ(r.lambda_functions().at("f").registration.handler("x"), "x") << "the first registration is kept";
    EXPECT_THAT(r.errors(), ElementsAre("first.so: a Lambda function registered without a name",
                                        "first.so: Lambda function g has no handler",
                                        "second.so: Lambda function f is already registered by first.so"));
}

TEST_F(plugin_loader_test, find_by_name_with_and_without_version) {
    load_ok(example_);
    ASSERT_TRUE(registry_.find_activity("greet", "1"));
    EXPECT_EQ(registry_.find_activity("greet", "1")->registration.type.name, "greet");
    ASSERT_TRUE(registry_.find_activity("greet", ""));
    EXPECT_EQ(registry_.find_activity("greet", "")->registration.type.version, "1");
    EXPECT_FALSE(registry_.find_activity("greet", "2"));
    EXPECT_FALSE(registry_.find_activity("gree", ""));
    EXPECT_FALSE(registry_.find_activity("greeting", ""));
    ASSERT_TRUE(registry_.find_workflow("greeting", ""));
    EXPECT_EQ(registry_.find_workflow("greeting", "")->registration.type.name, "greeting");
    EXPECT_FALSE(registry_.find_workflow("greet", ""));
    EXPECT_FALSE(registry_.find_workflow("chain", "0"));

    EXPECT_THAT(registry_.activity_versions("greet"), ElementsAre("1"));
    EXPECT_THAT(registry_.activity_versions("nope"), IsEmpty());
    EXPECT_THAT(registry_.workflow_versions("chain"), ElementsAre("1"));
    EXPECT_THAT(registry_.workflow_versions("greet"), IsEmpty());

    // A second version from elsewhere sits beside the plugin's.
    registry_.set_current_plugin("in-test");
    sdk::activity_registration v2;
    v2.type.name = std::string("greet");
    v2.type.version = std::string("2");
    v2.blocking = [](sdk::activity_context&, const std::string& input) { return "Hi " + input; };
    registry_.add_activity(std::move(v2));
    EXPECT_THAT(registry_.errors(), IsEmpty());
    EXPECT_THAT(registry_.activity_versions("greet"), ElementsAre("1", "2"));
    ASSERT_TRUE(registry_.find_activity("greet", "2"));
    EXPECT_EQ(registry_.find_activity("greet", "2")->plugin, "in-test");
    EXPECT_EQ(registry_.find_activity("greet", "1")->plugin, example_);
}

// ---- the example plugin's handlers, called across the library boundary ----

TEST_F(plugin_loader_test, greet_and_fail_are_blocking_handlers) {
    load_ok(example_);
    EXPECT_EQ(run_blocking(activity("greet"), "x"), "Hello, x!");
    EXPECT_EQ(run_blocking(activity("greet"), ""), "Hello, !");
    try {
        run_blocking(activity("fail"), "the input says no");
        ADD_FAILURE() << "fail:1 returned";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "the input says no");
    }
}

TEST_F(plugin_loader_test, add_sums_a_and_b) {
    load_ok(example_);
    EXPECT_EQ(run_coroutine(activity("add"), R"({"a":1,"b":2})"), "3");
    EXPECT_EQ(run_coroutine(activity("add"), " { \"b\" : -0.5 ,\n \"a\" : 1.25 } "), "0.75");
    EXPECT_EQ(run_coroutine(activity("add"), R"({"a":-7,"b":7,"c":100})"), "0");
}

TEST_F(plugin_loader_test, add_refuses_bad_input_with_an_activity_failure) {
    load_ok(example_);
    for (std::string input : {"", "3", "{\"a\":1}", "{\"a\":1,\"b\":\"2\"}", "{\"a\":1,\"b\":2", "{\"a\":1,\"b\":2}x",
                              "[1,2]", "{\"a\":1 \"b\":2}"}) {
        SCOPED_TRACE(input);
        // Thrown in the plugin, caught here by type: activity_failure's type
        // must match across the library boundary for the runtime to use its
        // reason.
        try {
            run_coroutine(activity("add"), input);
            ADD_FAILURE() << "add:1 returned";
        } catch (const sdk::activity_failure& f) {
            EXPECT_EQ(f.reason(), "BAD_INPUT");
            EXPECT_THAT(f.details(), HasSubstr("a and b"));
            EXPECT_THAT(f.details(), HasSubstr("got: " + input));
        }
    }
}

TEST_F(plugin_loader_test, sleep_stops_when_its_stop_token_is_requested) {
    load_ok(example_);
    const auto& handler = activity("sleep").registration.coroutine;

    fake_activity_context stopped_before;
    stopped_before.stop.request_stop();
    EXPECT_EQ(swfrt::testing::run(handler(stopped_before, "5")), "stopped");
    EXPECT_THAT(stopped_before.heartbeats, ElementsAre("slept 0 of 5 s"));

    // Stopped while it waits on its timer (the plugin's timer on this
    // io_context): it notices within one 100 ms step.
    fake_activity_context ctx;
    asio::io_context io;
    asio::steady_timer stopper(io, std::chrono::milliseconds(150));
    stopper.async_wait([&](boost::system::error_code) { ctx.stop.request_stop(); });
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(swfrt::testing::run_on(io, handler(ctx, "5"), std::chrono::seconds(4)), "stopped");
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, std::chrono::milliseconds(150));
    EXPECT_LT(took, std::chrono::seconds(2));
    EXPECT_THAT(ctx.heartbeats, ElementsAre("slept 0 of 5 s"));

    fake_activity_context zero;
    EXPECT_EQ(swfrt::testing::run(handler(zero, "0")), "slept 0 s");
    EXPECT_THAT(zero.heartbeats, IsEmpty());
}

TEST_F(plugin_loader_test, sleep_and_slow_blocking_refuse_bad_durations) {
    load_ok(example_);
    for (std::string input : {"", "-1", "ten", "5s", "nan", "1e9"}) {
        SCOPED_TRACE(input);
        fake_activity_context ctx;
        try {
            swfrt::testing::run(activity("sleep").registration.coroutine(ctx, input));
            ADD_FAILURE() << "sleep:1 returned";
        } catch (const sdk::activity_failure& f) {
            EXPECT_EQ(f.reason(), "BAD_INPUT");
        }
        try {
            activity("slow_blocking").registration.blocking(ctx, input);
            ADD_FAILURE() << "slow_blocking:1 returned";
        } catch (const sdk::activity_failure& f) {
            EXPECT_EQ(f.reason(), "BAD_INPUT");
        }
    }
}

TEST_F(plugin_loader_test, slow_blocking_honours_its_stop_token) {
    load_ok(example_);
    const auto& handler = activity("slow_blocking").registration.blocking;
    fake_activity_context stopped;
    stopped.stop.request_stop();
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(handler(stopped, "60"), "stopped");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    EXPECT_THAT(stopped.heartbeats, ElementsAre("slept 0 of 60 s"));

    fake_activity_context zero;
    EXPECT_EQ(handler(zero, "0"), "slept 0 s");
}

// ---- the example deciders on canned histories ----

model::history_event event(std::int64_t id, model::event_type type) {
    model::history_event e;
    e.event_id = id;
    e.event_type = type;
    return e;
}

model::history_event workflow_started(std::string input) {
    auto e = event(1, model::event_type::workflow_execution_started);
    auto& a = e.workflow_execution_started_event_attributes.emplace();
    a.input = std::move(input);
    a.task_list.name = std::string("example-decisions");
    a.child_policy = model::child_policy::terminate;
    return e;
}

// DecisionTaskScheduled, DecisionTaskStarted from `first` on.
std::vector<model::history_event> decision_task(std::int64_t first) {
    auto scheduled = event(first, model::event_type::decision_task_scheduled);
    scheduled.decision_task_scheduled_event_attributes.emplace().task_list.name = std::string("example-decisions");
    auto started = event(first + 1, model::event_type::decision_task_started);
    started.decision_task_started_event_attributes.emplace().scheduled_event_id = first;
    return {scheduled, started};
}

model::history_event activity_scheduled(std::int64_t id, std::string activity_id, std::string name) {
    auto e = event(id, model::event_type::activity_task_scheduled);
    auto& a = e.activity_task_scheduled_event_attributes.emplace();
    a.activity_id = std::move(activity_id);
    a.activity_type.name = std::move(name);
    a.activity_type.version = std::string("1");
    return e;
}

model::history_event activity_completed(std::int64_t id, std::int64_t scheduled, std::string result) {
    auto e = event(id, model::event_type::activity_task_completed);
    auto& a = e.activity_task_completed_event_attributes.emplace();
    a.scheduled_event_id = scheduled;
    a.result_ = std::move(result);
    return e;
}

std::vector<model::history_event> concat(std::vector<std::vector<model::history_event>> parts) {
    std::vector<model::history_event> out;
    for (auto& p : parts)
        for (auto& e : p) out.push_back(std::move(e));
    return out;
}

const model::schedule_activity_task_decision_attributes& scheduled_activity(const sdk::decision_result& r) {
    if (r.decisions.size() != 1 || r.decisions[0].decision_type != model::decision_type::schedule_activity_task ||
        !r.decisions[0].schedule_activity_task_decision_attributes)
        throw std::runtime_error("expected one ScheduleActivityTask decision");
    return *r.decisions[0].schedule_activity_task_decision_attributes;
}

TEST_F(plugin_loader_test, greeting_schedules_greet_then_completes_with_its_result) {
    load_ok(example_);
    auto start = concat({{workflow_started("World")}, decision_task(2)});
    auto first = decide("greeting", start);
    const auto& s = scheduled_activity(first);
    EXPECT_EQ(s.activity_id, "greet-1");
    EXPECT_EQ(s.activity_type, (model::activity_type{.name = "greet", .version = "1"}));
    EXPECT_EQ(s.input, "World");
    // Task list and timeouts come from the type's registered defaults.
    EXPECT_FALSE(s.task_list);
    EXPECT_FALSE(s.start_to_close_timeout);

    // A decision task while greet runs (e.g. after a signal): nothing to do.
    auto running = concat({start,
                           {event(4, model::event_type::decision_task_completed),
                            activity_scheduled(5, "greet-1", "greet"),
                            event(6, model::event_type::activity_task_started)},
                           decision_task(7)});
    EXPECT_THAT(decide("greeting", running).decisions, IsEmpty());

    auto done = concat({running,
                        {event(9, model::event_type::decision_task_completed),
                         activity_completed(10, 5, "Hello, World!")},
                        decision_task(11)});
    auto last = decide("greeting", done);
    ASSERT_EQ(last.decisions.size(), 1u);
    EXPECT_EQ(last.decisions[0].decision_type, model::decision_type::complete_workflow_execution);
    ASSERT_TRUE(last.decisions[0].complete_workflow_execution_decision_attributes);
    EXPECT_EQ(last.decisions[0].complete_workflow_execution_decision_attributes->result_, "Hello, World!");
}

TEST_F(plugin_loader_test, greeting_fails_the_workflow_when_greet_fails_or_times_out) {
    load_ok(example_);
    auto scheduled = concat({{workflow_started("World")},
                             decision_task(2),
                             {event(4, model::event_type::decision_task_completed),
                              activity_scheduled(5, "greet-1", "greet"),
                              event(6, model::event_type::activity_task_started)}});

    auto failed = event(7, model::event_type::activity_task_failed);
    auto& fa = failed.activity_task_failed_event_attributes.emplace();
    fa.scheduled_event_id = 5;
    fa.reason = std::string("BAD_INPUT");
    fa.details = std::string("no name");

    auto timed_out = event(7, model::event_type::activity_task_timed_out);
    auto& ta = timed_out.activity_task_timed_out_event_attributes.emplace();
    ta.scheduled_event_id = 5;
    ta.timeout_type = model::activity_task_timeout_type::heartbeat;

    auto not_scheduled = event(5, model::event_type::schedule_activity_task_failed);
    auto& na = not_scheduled.schedule_activity_task_failed_event_attributes.emplace();
    na.activity_id = std::string("greet-1");
    na.activity_type = {.name = "greet", .version = "1"};
    na.cause = model::schedule_activity_task_failed_cause::activity_type_does_not_exist;

    struct case_t {
        std::vector<model::history_event> history;
        std::string reason;
        std::optional<std::string> details;
    };
    std::vector<case_t> cases{
        {concat({scheduled, {failed}, decision_task(8)}), "activity greet-1 failed: BAD_INPUT", "no name"},
        {concat({scheduled, {timed_out}, decision_task(8)}), "activity greet-1 timed out (HEARTBEAT)", std::nullopt},
        {concat({{workflow_started("World")},
                 decision_task(2),
                 {event(4, model::event_type::decision_task_completed), not_scheduled},
                 decision_task(6)}),
         "could not schedule activity greet-1: ACTIVITY_TYPE_DOES_NOT_EXIST", std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.reason);
        auto r = decide("greeting", c.history);
        ASSERT_EQ(r.decisions.size(), 1u);
        EXPECT_EQ(r.decisions[0].decision_type, model::decision_type::fail_workflow_execution);
        ASSERT_TRUE(r.decisions[0].fail_workflow_execution_decision_attributes);
        EXPECT_EQ(r.decisions[0].fail_workflow_execution_decision_attributes->reason, c.reason);
        EXPECT_EQ(r.decisions[0].fail_workflow_execution_decision_attributes->details, c.details);
    }
}

// The chain decider driven to the end with the plugin's own handlers, as
// the runtime would: each scheduled activity is run and its result added to
// the history.
TEST_F(plugin_loader_test, chain_runs_add_then_greet_on_the_sum) {
    load_ok(example_);
    std::vector<model::history_event> history = concat({{workflow_started(R"({"a":40,"b":2})")}, decision_task(2)});
    std::vector<std::string> ran;
    for (int round = 0; round < 3; ++round) {
        auto r = decide("chain", history);
        ASSERT_EQ(r.decisions.size(), 1u);
        if (r.decisions[0].decision_type == model::decision_type::complete_workflow_execution) {
            EXPECT_EQ(r.decisions[0].complete_workflow_execution_decision_attributes->result_, "Hello, 42!");
            EXPECT_THAT(ran, ElementsAre("add-1", "greet-1"));
            return;
        }
        const auto& s = scheduled_activity(r);
        ran.push_back(s.activity_id);
        const auto& handler = activity(s.activity_type.name).registration;
        std::string result = handler.coroutine ? run_coroutine(activity(s.activity_type.name), s.input.value_or(""))
                                               : run_blocking(activity(s.activity_type.name), s.input.value_or(""));
        auto next = static_cast<std::int64_t>(history.size()) + 1;
        history.push_back(event(next, model::event_type::decision_task_completed));
        history.push_back(activity_scheduled(next + 1, s.activity_id, s.activity_type.name));
        history.push_back(event(next + 2, model::event_type::activity_task_started));
        history.push_back(activity_completed(next + 3, next + 1, result));
        for (auto& e : decision_task(next + 4)) history.push_back(std::move(e));
    }
    ADD_FAILURE() << "chain did not complete in three decision tasks";
}

// ---- refusals ----

TEST_F(plugin_loader_test, a_missing_file_is_named_with_the_cause) {
    auto path = plugin_path("swfrt_no_such_plugin");
    auto error = load_refused(path);
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("No such file"));
}

TEST_F(plugin_loader_test, a_directory_is_not_a_plugin) {
    auto path = plugin_dir().string();
    auto error = load_refused(path);
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("not a regular file"));
}

TEST_F(plugin_loader_test, a_text_file_named_so_is_not_a_shared_library) {
    auto path = temp_path("text_plugin");
    std::ofstream(path) << "plugins: [greet]\n";
    auto error = load_refused(path);
    std::filesystem::remove(path);
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("not a loadable shared library"));
    EXPECT_THAT(error, HasSubstr("not an ELF file"));
}

// The system loader's own words, for what passes the checks before dlopen.
TEST_F(plugin_loader_test, what_dlopen_refuses_is_reported_in_its_words) {
    // An ELF shared object that needs a library nobody has.
    auto path = copy_of(example_, "needs_missing", [](std::vector<char>& bytes) {
        const std::string needed = "libstdc++.so.6";
        auto at = std::search(bytes.begin(), bytes.end(), needed.begin(), needed.end());
        ASSERT_NE(at, bytes.end());
        std::copy_n("libnosuch.so.6", needed.size(), at);
    });
    ::dlerror();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    const char* why = ::dlerror();
    std::string dl_error = why ? why : "";
    if (handle) ::dlclose(handle);
    auto error = load_refused(path);
    EXPECT_FALSE(handle);
    ASSERT_THAT(dl_error, ::testing::Not(IsEmpty()));
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("not a loadable shared library"));
    EXPECT_THAT(error, HasSubstr(dl_error));
}

// dlopen maps the segments the headers name: a file cut short faulted
// (SIGBUS) inside it. Every cut is now refused before dlopen.
TEST_F(plugin_loader_test, a_plugin_cut_short_is_refused_before_dlopen) {
    const auto size = std::filesystem::file_size(example_);
    // Debug sections make up most of the file; cut where the loader maps.
    std::uintmax_t loaded_end = 0;
    {
        std::ifstream in(example_, std::ios::binary);
        ElfW(Ehdr) h{};
        in.read(reinterpret_cast<char*>(&h), sizeof h);
        for (int i = 0; i < h.e_phnum; ++i) {
            ElfW(Phdr) ph{};
            in.seekg(static_cast<std::streamoff>(h.e_phoff + i * sizeof ph));
            in.read(reinterpret_cast<char*>(&ph), sizeof ph);
            if (ph.p_type == PT_LOAD)
                loaded_end = std::max<std::uintmax_t>(loaded_end, ph.p_offset + ph.p_filesz);
        }
    }
    ASSERT_GT(loaded_end, 8192u);
    struct cut_case {
        std::uintmax_t keep;
        std::string expected;
    };
    for (const auto& c : std::vector<cut_case>{
             {0, "not an ELF file"},
             {3, "not an ELF file"},
             {10, "the file is cut short: 10 bytes, less than the 64 bytes of the ELF header"},
             {70, "the file is cut short: its program header table"},
             {4096, "the file is cut short: segment"},
             {loaded_end / 2, "the file is cut short: segment"},
             {loaded_end - 4096, "the file is cut short: segment"},
             {size - 1, "the file is cut short: its section header table"},
         }) {
        SCOPED_TRACE(c.keep);
        auto path = copy_of(example_, "cut_" + std::to_string(c.keep),
                            [&](std::vector<char>& bytes) { bytes.resize(c.keep); });
        auto error = load_refused(path);
        EXPECT_THAT(error, HasSubstr(path + ": cannot load plugin: not a loadable shared library ("));
        EXPECT_THAT(error, HasSubstr(c.expected));
        if (c.expected.find("segment") != std::string::npos) {
            EXPECT_THAT(error, HasSubstr("PT_LOAD"));
            EXPECT_THAT(error, HasSubstr("past the end of the file (" + std::to_string(c.keep) + " bytes)"));
        }
    }
    EXPECT_THAT(registry_.activities(), IsEmpty());
}

TEST_F(plugin_loader_test, an_elf_file_for_another_class_machine_or_type_is_refused) {
    struct patch_case {
        std::string name;
        std::function<void(ElfW(Ehdr)&)> patch;
        std::string expected;
    };
    const bool on_x86_64 = ElfW(Half){EM_X86_64} == native_ehdr().e_machine;
    for (const auto& c : std::vector<patch_case>{
             {"class", [](ElfW(Ehdr) & h) { h.e_ident[EI_CLASS] = ELFCLASS32; },
              "a 32-bit ELF file; this swf-runtime is 64-bit"},
             {"byte_order", [](ElfW(Ehdr) & h) { h.e_ident[EI_DATA] = ELFDATA2MSB; },
              "an ELF file of the other byte order (big-endian)"},
             {"machine", [&](ElfW(Ehdr) & h) { h.e_machine = on_x86_64 ? EM_AARCH64 : EM_X86_64; },
              on_x86_64 ? "built for AArch64; this swf-runtime runs on x86-64"
                        : "; this swf-runtime runs on "},
             {"type", [](ElfW(Ehdr) & h) { h.e_type = ET_REL; },
              "a relocatable object (.o), not a shared library"},
             {"phentsize", [](ElfW(Ehdr) & h) { h.e_phentsize = 12; }, "program header entries of 12 bytes"},
         }) {
        SCOPED_TRACE(c.name);
        auto path = copy_of(example_, c.name, [&](std::vector<char>& bytes) {
            ElfW(Ehdr) h;
            std::memcpy(&h, bytes.data(), sizeof h);
            c.patch(h);
            std::memcpy(bytes.data(), &h, sizeof h);
        });
        auto error = load_refused(path);
        EXPECT_THAT(error, HasSubstr(path + ": cannot load plugin: not a loadable shared library ("));
        EXPECT_THAT(error, HasSubstr(c.expected));
    }
}

TEST_F(plugin_loader_test, a_library_without_the_entry_point_is_refused) {
    auto path = plugin_path("swfrt_test_plugin_no_entry");
    auto error = load_refused(path);
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("does not export swfrt_plugin_entry"));
    EXPECT_THAT(registry_.activities(), IsEmpty());
}

// Calling the address of data jumped into it (SIGSEGV); a data symbol named
// swfrt_plugin_entry is refused before anything is called.
TEST_F(plugin_loader_test, an_entry_point_that_is_data_is_refused) {
    auto path = plugin_path("swfrt_test_plugin_data_entry");
    auto error = load_refused(path);
    EXPECT_THAT(error,
                HasSubstr(path + ": not an swf-runtime plugin: its swfrt_plugin_entry is a data symbol "
                                 "(STT_OBJECT), not a function"));
    EXPECT_THAT(registry_.activities(), IsEmpty());
}

int a_data_object = 42;

TEST(plugin_function_check, functions_pass_and_data_does_not) {
    EXPECT_EQ(function_problem(reinterpret_cast<const void*>(&::dlopen)), std::nullopt);
    EXPECT_EQ(function_problem(reinterpret_cast<const void*>(&function_problem)), std::nullopt);
    // Not in the dynamic symbol table: judged by its segment.
    EXPECT_EQ(function_problem(&a_data_object), "a symbol in a segment that is not executable");
    auto heap = std::make_unique<int>(1);
    EXPECT_EQ(function_problem(heap.get()), "a symbol whose address lies in no loaded segment");
}

TEST(plugin_elf_check, every_test_plugin_passes) {
    for (std::string target :
         {"swfrt_example_plugin", "swfrt_test_plugin_no_entry", "swfrt_test_plugin_bad_abi",
          "swfrt_test_plugin_bad_model", "swfrt_test_plugin_duplicate", "swfrt_test_plugin_throws", "swfrt_test_plugin_data_entry"})
        EXPECT_EQ(elf_problem(plugin_path(target)), std::nullopt) << target;
}

TEST_F(plugin_loader_test, an_abi_mismatch_names_both_versions) {
    auto path = plugin_path("swfrt_test_plugin_bad_abi");
    auto error = load_refused(path);
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("plugin ABI version " + std::to_string(sdk::abi_version + 1) +
                                 ", this swf-runtime needs " + std::to_string(sdk::abi_version)));
    EXPECT_THAT(registry_.activities(), IsEmpty());
    EXPECT_THAT(registry_.workflows(), IsEmpty());
    EXPECT_THAT(registry_.errors(), IsEmpty());
}

TEST_F(plugin_loader_test, a_plugin_built_against_another_model_is_refused_before_it_registers) {
    // The plugin aborts if it is asked to register: refusing it must not ask.
    auto path = plugin_path("swfrt_test_plugin_bad_model");
    auto error = load_refused(path);
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("plugin built against SWF model swf-2012-01-25/0000000000000000, this "
                                 "swf-runtime has " +
                                 std::string(sdk::model_fingerprint)));
    EXPECT_THAT(registry_.activities(), IsEmpty());
    EXPECT_THAT(registry_.workflows(), IsEmpty());
}

TEST(plugin_model_fingerprint, names_the_model_and_a_hash_of_its_structs) {
    // Generated beside model.hpp (model_generator_up_to_date checks both).
    EXPECT_THAT(std::string(sdk::model_fingerprint), MatchesRegex("swf-2012-01-25/[0-9a-f]{16}"));
}

TEST_F(plugin_loader_test, a_duplicate_registration_names_both_plugins_and_keeps_the_first) {
    auto duplicate = plugin_path("swfrt_test_plugin_duplicate");
    load_ok(example_);
    load_ok(duplicate);
    ASSERT_EQ(registry_.errors().size(), 1u);
    const auto& error = registry_.errors()[0];
    EXPECT_THAT(error, HasSubstr("greet:1"));
    EXPECT_THAT(error, HasSubstr(duplicate));
    EXPECT_THAT(error, HasSubstr(example_));
    EXPECT_EQ(activity("greet").plugin, example_);
    EXPECT_EQ(run_blocking(activity("greet"), "x"), "Hello, x!");
    // The rest of the second plugin is registered.
    EXPECT_EQ(activity("duplicate_only").plugin, duplicate);
    EXPECT_EQ(run_blocking(activity("duplicate_only"), "echo"), "echo");
}

TEST_F(plugin_loader_test, a_registration_that_throws_is_refused_with_its_message) {
    auto path = plugin_path("swfrt_test_plugin_throws");
    auto error = load_refused(path);
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr("threw"));
    EXPECT_THAT(error, HasSubstr("cannot read the plugin's settings"));
    // The library is closed again: what it registered before throwing must
    // not stay behind pointing into unloaded code.
    EXPECT_FALSE(registry_.find_activity("registered_before_throw", ""));
    EXPECT_THAT(registry_.activities(), IsEmpty());
}

} // namespace
} // namespace swfrt::runtime::plugin
