// Signal handlers, version() for code changes, activity retry policies,
// typed input and result, and continue-as-new refused for good: each
// replayed from canned histories, asserting the exact decisions.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "replay_support.hpp"
#include "workflow/engine.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using wf::testing::canonical;
using wf::testing::decisions_at;
using wf::testing::error_at;
using wf::testing::expect_history_reproduced;
using wf::testing::load_history;
using wf::testing::json_string;
using wf::testing::schedule;
using wf::testing::complete;
using wf::testing::fail;
using wf::testing::start_timer;

namespace {


std::string unquoted(const std::string& s) { return s.size() >= 2 ? s.substr(1, s.size() - 2) : s; }

model::history_event marker_event(std::int64_t id, std::int64_t completed, std::string name, std::string details) {
    model::history_event e;
    e.event_id = id;
    e.event_timestamp = 1700000000.0 + static_cast<double>(id);
    e.event_type = model::event_type::marker_recorded;
    auto& a = e.marker_recorded_event_attributes.emplace();
    a.decision_task_completed_event_id = completed;
    a.marker_name = std::move(name);
    a.details = std::move(details);
    return e;
}





// A history with its events after `last` cut off.
model::history up_to(model::history h, std::int64_t last) {
    std::erase_if(h.events, [&](const model::history_event& e) { return e.event_id > last; });
    return h;
}

// ---- on_signal ----

struct collector : wf::workflow<> {
    static constexpr std::string_view name = "Collector";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        std::vector<std::string> got;
        ctx.on_signal("add", [&](std::string input) {
            got.push_back(unquoted(input));
            (void)ctx.activity("record", "1", input); // nobody waits for the result
        });
        co_await ctx.wait_signal("done");
        std::string joined;
        for (const auto& g : got)
            joined += (joined.empty() ? "" : ",") + g;
        co_return "\"" + joined + "\"";
    }
};

TEST(on_signal, handles_every_signal_of_its_name_in_history_order) {
    auto h = load_history("signal_handler");
    auto runner = wf::make_runner<collector>();
    // "a" came before the first decision task: handled when the handler is set.
    EXPECT_EQ(decisions_at(h, 4, runner), canonical({schedule("1", "record", "\"a\"")}));
    EXPECT_EQ(decisions_at(h, 9, runner), canonical({schedule("2", "record", "\"b\"")}));
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({complete("\"a,b\"")}));
    expect_history_reproduced(h, runner);
}

struct strict_collector : wf::workflow<> {
    static constexpr std::string_view name = "Collector";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        ctx.on_signal("add", [](std::string input) {
            if (input == "\"b\"") throw wf::workflow_failed("NO_B", "b is not allowed");
        });
        std::string refused;
        try {
            (void)ctx.wait_signal("add");
        } catch (const std::invalid_argument& e) {
            refused += e.what();
        }
        try {
            ctx.on_signal("add", [](std::string) {});
        } catch (const std::invalid_argument& e) {
            refused += std::string("; ") + e.what();
        }
        ctx.marker("refused", refused);
        co_await ctx.wait_signal("done");
        co_return "\"ok\"";
    }
};

TEST(on_signal, a_handler_that_throws_ends_the_run_and_names_are_not_shared) {
    auto h = load_history("signal_handler");
    // Through the first task the code records what it was refused; the
    // history records a ScheduleActivityTask there instead.
    auto runner = wf::make_runner<strict_collector>();
    auto r = wf::replay(wf::testing::task_at(h, 4), runner);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(r.value().size(), 1u);
    EXPECT_EQ(r.value()[0].record_marker_decision_attributes->details,
              "signal \"add\" has a handler (on_signal); it cannot be waited for; "
              "signal \"add\" has a handler already");
    // At the task that sees "b" the handler throws workflow_failed.
    auto history = up_to(h, 9);
    history.events[5] = marker_event(6, 5, "refused", *r.value()[0].record_marker_decision_attributes->details);
    EXPECT_EQ(decisions_at(history, 9, runner), canonical({fail("NO_B", "b is not allowed")}));
}

TEST(on_signal, what_the_handler_throws_for_an_earlier_signal_leaves_on_signal) {
    // "b" came before the handler was set: it is handled within on_signal,
    // whose caller (run) then ends with the handler's workflow_failed.
    auto h = load_history("signal_handler_throws");
    EXPECT_EQ(decisions_at(h, 5, wf::make_runner<strict_collector>()), canonical({fail("NO_B", "b is not allowed")}));
}

// ---- signals that arrive while the closing decision task is open ----

std::string marker(const std::string& name, const std::string& details) {
    return R"({"decisionType":"RecordMarker","recordMarkerDecisionAttributes":{"markerName":)" + json_string(name) +
           R"(,"details":)" + json_string(details) + "}}";
}

struct reviewer : wf::workflow<> {
    static constexpr std::string_view name = "Reviewer";
    static constexpr std::string_view version = "1";
    int comments = 0; // a member: the handler may run after run returned
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        ctx.on_signal("comment", [this, &ctx](std::string text) {
            ++comments;
            ctx.marker("comment", std::move(text));
        });
        auto verdict = co_await ctx.wait_signal("verdict");
        if (verdict == "\"reject\"") throw wf::workflow_failed("REJECTED", "rejected");
        co_return "\"approved\"";
    }
};

TEST(on_signal, a_signal_that_made_swf_refuse_the_close_reaches_its_handler_before_the_close_again) {
    // Once, the close was made again without the handler: the comment was lost.
    for (auto [name, close] : {std::pair{"close_refused_signal", complete("\"approved\"")},
                               std::pair{"fail_refused_signal", fail("REJECTED", "rejected")}}) {
        SCOPED_TRACE(name);
        auto h = load_history(name);
        auto runner = wf::make_runner<reviewer>();
        EXPECT_EQ(decisions_at(h, 3, runner), canonical({}));
        EXPECT_EQ(decisions_at(h, 7, runner), canonical({close}));
        EXPECT_EQ(decisions_at(h, 12, runner), canonical({marker("comment", "\"late\""), close}));
        expect_history_reproduced(h, runner);
    }
}

struct listener : wf::workflow<> {
    static constexpr std::string_view name = "Listener";
    static constexpr std::string_view version = "1";
    wf::task<void> listen(wf::context& ctx) {
        for (;;) {
            auto note = co_await ctx.wait_signal("note");
            ctx.marker("note", note);
        }
    }
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        (void)ctx.spawn(listen(ctx));
        co_await ctx.wait_signal("verdict");
        co_return "\"approved\"";
    }
};

TEST(wait_signal, a_signal_that_made_swf_refuse_the_close_reaches_a_spawned_waiter_before_the_close_again) {
    auto h = load_history("close_refused_waiter");
    auto runner = wf::make_runner<listener>();
    EXPECT_EQ(decisions_at(h, 7, runner), canonical({complete("\"approved\"")}));
    EXPECT_EQ(decisions_at(h, 12, runner), canonical({marker("note", "\"late\""), complete("\"approved\"")}));
    expect_history_reproduced(h, runner);
}

struct late_thrower : wf::workflow<> {
    static constexpr std::string_view name = "Reviewer";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        ctx.on_signal("comment", [](std::string) { throw std::runtime_error("comments are closed"); });
        co_await ctx.wait_signal("verdict");
        co_return "\"approved\"";
    }
};

TEST(on_signal, a_handler_that_throws_after_run_returned_fails_the_decision_task) {
    // Not dropped: the exception leaves the replay as one out of run would.
    auto h = load_history("close_refused_signal");
    EXPECT_THROW((void)wf::replay(wf::testing::task_at(h, 12), wf::make_runner<late_thrower>()), std::runtime_error);
}

// ---- version ----

int seen_version = 0;

struct migrating : wf::workflow<> {
    static constexpr std::string_view name = "Migrating";
    static constexpr std::string_view version = "1";
    explicit migrating(int min = wf::default_version, int max = 2) : min_(min), max_(max) {}
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        const int v = ctx.version("use-new-activity", min_, max_);
        seen_version = v;
        // A second call for the same change returns the same, and records nothing.
        if (ctx.version("use-new-activity", min_, max_) != v) throw std::logic_error("version changed");
        if (v == wf::default_version) co_return co_await ctx.activity("old", "1", input);
        co_return co_await ctx.activity("new", "1", "\"" + std::to_string(v) + "\"");
    }
    int min_, max_;
};

std::string version_marker(int v) {
    return R"({"decisionType":"RecordMarker","recordMarkerDecisionAttributes":{"markerName":"Version","details":)" +
           json_string(R"({"changeId":"use-new-activity","version":)" + std::to_string(v) + "}") + "}}";
}

TEST(version, a_new_execution_records_the_newest_version) {
    auto h = load_history("version_new");
    auto runner = wf::make_runner<migrating>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({version_marker(2), schedule("1", "new", "\"2\"")}));
    EXPECT_EQ(seen_version, 2);
    EXPECT_EQ(decisions_at(h, 10, runner), canonical({complete("\"done\"")}));
    EXPECT_EQ(seen_version, 2);
    expect_history_reproduced(h, runner);
}

TEST(version, an_execution_that_passed_the_point_before_the_change_keeps_the_old_path) {
    auto h = load_history("version_old");
    auto runner = wf::make_runner<migrating>();
    EXPECT_EQ(decisions_at(h, 9, runner), canonical({complete("\"done\"")}));
    EXPECT_EQ(seen_version, wf::default_version);
    // Its first decision task, were it answered now, would take the new path.
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({version_marker(2), schedule("1", "new", "\"2\"")}));
}

TEST(version, a_recorded_version_is_replayed_and_checked_against_what_the_code_supports) {
    auto h = load_history("version_recorded_1");
    EXPECT_EQ(decisions_at(h, 10, wf::make_runner<migrating>()), canonical({complete("\"done\"")}));
    EXPECT_EQ(seen_version, 1);
    // Code that dropped version 1 cannot replay it.
    auto dropped = wf::make_runner<migrating>([] { return std::make_unique<migrating>(2, 3); });
    try {
        (void)wf::replay(wf::testing::task_at(h, 10), dropped);
        FAIL() << "replay returned";
    } catch (const wf::unsupported_version& e) {
        EXPECT_EQ(e.change_id(), "use-new-activity");
        EXPECT_EQ(e.recorded(), 1);
        EXPECT_STREQ(e.what(), "version 1 of change \"use-new-activity\" is outside what the code supports (2 to 3)");
    }
    // An old execution under code without the old path: default_version is out of range.
    auto old = load_history("version_old");
    EXPECT_THROW((void)wf::replay(wf::testing::task_at(old, 9), dropped), wf::unsupported_version);
}

TEST(version, marker_details_that_are_not_a_version_are_a_malformed_history) {
    auto h = load_history("version_new");
    for (const char* details : {"", "{}", R"({"changeId":"use-new-activity","version":"2"})",
                                R"({"changeId":"","version":2})", R"({"changeId":"x","version":-2})",
                                R"({"changeId":"x","version":2} trailing)"}) {
        auto broken = h;
        broken.events[4].marker_recorded_event_attributes->details = details;
        EXPECT_EQ(error_at(broken, 10, wf::make_runner<migrating>()),
                  "malformed history at history event 5 (MarkerRecorded (name \"Version\")): a Version marker's "
                  "details are not {\"changeId\": ..., \"version\": ...}")
            << details;
    }
}

TEST(version, version_details_round_trip_and_the_marker_name_is_reserved) {
    EXPECT_EQ(wf::detail::version_details("a\"b", 3), R"({"changeId":"a\"b","version":3})");
    auto parsed = wf::detail::parse_version_details(wf::detail::version_details("a\"b", 3));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->first, "a\"b");
    EXPECT_EQ(parsed->second, 3);
    EXPECT_EQ(wf::detail::parse_version_details(R"({"version":-1,"changeId":"c","extra":[1]})")->second, -1);
}

struct bad_versions : wf::workflow<> {
    static constexpr std::string_view name = "Migrating";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        std::string out;
        auto attempt = [&](auto fn) {
            try {
                fn();
                out += "accepted;";
            } catch (const std::invalid_argument& e) {
                out += std::string(e.what()) + ";";
            }
        };
        attempt([&] { ctx.version("", 1, 2); });
        attempt([&] { ctx.version("c", 3, 2); });
        attempt([&] { ctx.version("c", -2, 2); });
        attempt([&] { ctx.marker("Version", "{}"); });
        co_return json_string(out);
    }
};

TEST(version, refuses_bad_arguments_where_the_code_asks) {
    auto h = load_history("version_new");
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<bad_versions>()),
              canonical({complete(json_string(
                  "version needs a change id;"
                  "version needs default_version <= min_supported <= max_supported;"
                  "version needs default_version <= min_supported <= max_supported;"
                  "the marker name \"Version\" is version's own;"))}));
}

// ---- retry policies ----

struct persistent : wf::workflow<> {
    static constexpr std::string_view name = "Persistent";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        wf::activity_options options;
        options.retry = wf::retry_policy{.max_attempts = 3, .initial_interval = 2s, .backoff = 2.0,
                                         .max_interval = 60s, .non_retryable_reasons = {"fatal"}};
        try {
            co_return co_await ctx.activity("flaky", "1", input, options);
        } catch (const wf::activity_failed& e) {
            throw wf::workflow_failed(e.reason(), "gave up after " + e.activity_id() + " attempts: " + e.details());
        }
    }
};

TEST(retry, retries_failures_and_timeouts_after_growing_timers_then_gives_up) {
    auto h = load_history("retry");
    auto runner = wf::make_runner<persistent>();
    EXPECT_EQ(decisions_at(h, 3, runner), canonical({schedule("1", "flaky", "\"job\"")}));
    EXPECT_EQ(decisions_at(h, 9, runner), canonical({start_timer("t1", "2")}));
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({schedule("2", "flaky", "\"job\"")}));
    EXPECT_EQ(decisions_at(h, 20, runner), canonical({start_timer("t2", "4")}));
    EXPECT_EQ(decisions_at(h, 25, runner), canonical({schedule("3", "flaky", "\"job\"")}));
    EXPECT_EQ(decisions_at(h, 31, runner), canonical({fail("boom", "gave up after 3 attempts: third")}));
    expect_history_reproduced(h, runner);
}

TEST(retry, no_retry_once_the_execution_is_asked_to_cancel) {
    // The worker did not heartbeat, so the cancel reached it as a failure.
    auto h = load_history("retry_cancel_requested");
    auto runner = wf::make_runner<persistent>();
    EXPECT_EQ(decisions_at(h, 9, runner), canonical({wf::testing::request_cancel_activity("1")}));
    EXPECT_EQ(decisions_at(h, 14, runner), canonical({fail("boom", "gave up after 1 attempts: no heartbeat, so no cancel")}));
}

TEST(retry, a_non_retryable_reason_fails_at_once) {
    auto h = up_to(load_history("retry"), 9);
    h.events[6].activity_task_failed_event_attributes->reason = "fatal";
    EXPECT_EQ(decisions_at(h, 9, wf::make_runner<persistent>()), canonical({fail("fatal", "gave up after 1 attempts: first")}));
}

struct persistent_named : wf::workflow<> {
    static constexpr std::string_view name = "Persistent";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        wf::activity_options options{.activity_id = "charge"};
        options.retry = wf::retry_policy{.max_attempts = 0, .initial_interval = 0s, .retry_timeouts = false};
        try {
            co_return co_await ctx.activity("flaky", "1", input, options);
        } catch (const wf::activity_timed_out& e) {
            co_return "\"timed out: " + e.activity_id() + "\"";
        }
    }
};

TEST(retry, named_attempts_and_no_timer_without_an_interval_and_timeouts_not_retried) {
    // The first attempt fails: the second starts at once, named charge.2.
    auto h = up_to(load_history("retry"), 9);
    h.events[4].activity_task_scheduled_event_attributes->activity_id = "charge";
    EXPECT_EQ(decisions_at(h, 9, wf::make_runner<persistent_named>()),
              canonical({schedule("charge.2", "flaky", "\"job\"")}));

    // A timed-out attempt is not retried when the policy says so.
    auto t = load_history("retry");
    model::history timed;
    for (auto e : t.events) {
        if (e.event_id <= 6) timed.events.push_back(e);
    }
    timed.events[4].activity_task_scheduled_event_attributes->activity_id = "charge";
    auto timeout = t.events[17]; // ActivityTaskTimedOut, renumbered
    timeout.event_id = 7;
    timeout.activity_task_timed_out_event_attributes->scheduled_event_id = 5;
    timeout.activity_task_timed_out_event_attributes->started_event_id = 6;
    timed.events.push_back(timeout);
    auto ds = t.events[7], dst = t.events[8];
    timed.events.push_back(ds);
    timed.events.push_back(dst);
    EXPECT_EQ(decisions_at(timed, 9, wf::make_runner<persistent_named>()), canonical({complete("\"timed out: charge\"")}));
}

struct bad_policy : wf::workflow<> {
    static constexpr std::string_view name = "Persistent";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        int refused = 0;
        for (auto p : {wf::retry_policy{.max_attempts = -1}, wf::retry_policy{.initial_interval = -1s},
                       wf::retry_policy{.backoff = 0.5}, wf::retry_policy{.initial_interval = 10s, .max_interval = 5s}}) {
            try {
                (void)ctx.activity("flaky", "1", "", {.retry = p});
            } catch (const std::invalid_argument&) {
                ++refused;
            }
        }
        co_return std::to_string(refused);
    }
};

TEST(retry, refuses_policies_that_make_no_sense) {
    EXPECT_EQ(decisions_at(load_history("retry"), 3, wf::make_runner<bad_policy>()), canonical({complete("4")}));
}

// ---- typed input and result ----

struct money {
    std::int64_t cents = 0;
};
std::string to_swf_string(const money& m) { return "{\"cents\":" + std::to_string(m.cents) + "}"; }
money from_swf_string(std::string_view s, std::type_identity<money>) {
    constexpr std::string_view prefix = "{\"cents\":";
    if (!s.starts_with(prefix) || !s.ends_with("}")) throw std::invalid_argument("not money");
    return money{wf::serializer<std::int64_t>::decode(std::string(s.substr(prefix.size(), s.size() - prefix.size() - 1)))};
}

struct typed : wf::workflow<int, money> {
    static constexpr std::string_view name = "Typed";
    static constexpr std::string_view version = "1";
    wf::task<money> run(wf::context&, int input) override { co_return money{input + 1}; }
};

struct typed_number : wf::workflow<int, int> {
    static constexpr std::string_view name = "Typed";
    static constexpr std::string_view version = "1";
    wf::task<int> run(wf::context&, int input) override { co_return input + 1; }
};

TEST(typed, input_and_result_go_through_their_serializers) {
    auto h = load_history("typed_input");
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<typed_number>()), canonical({complete("42")}));
    expect_history_reproduced(h, wf::make_runner<typed_number>());
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<typed>()), canonical({complete(R"({"cents":42})")}));
}

TEST(typed, input_that_is_not_the_type_fails_the_workflow) {
    auto h = load_history("typed_input");
    h.events[0].workflow_execution_started_event_attributes->input = "\"forty-one\"";
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<typed_number>()),
              canonical({fail("InvalidInput", "the input cannot be read: not a JSON number: \"\"forty-one\"\"")}));
    h.events[0].workflow_execution_started_event_attributes->input = "99999999999";
    EXPECT_EQ(decisions_at(h, 3, wf::make_runner<typed_number>()),
              canonical({fail("InvalidInput", "the input cannot be read: a JSON number out of range: \"99999999999\"")}));
}

TEST(typed, serializers_of_numbers_and_bool) {
    EXPECT_EQ(wf::serializer<int>::encode(-7), "-7");
    EXPECT_EQ(wf::serializer<double>::encode(0.5), "0.5");
    EXPECT_EQ(wf::serializer<double>::decode(" 2.25\n"), 2.25);
    EXPECT_THROW(wf::serializer<double>::encode(std::numeric_limits<double>::infinity()), std::invalid_argument);
    EXPECT_EQ(wf::serializer<std::uint16_t>::decode("65535"), 65535);
    EXPECT_THROW(wf::serializer<std::uint16_t>::decode("65536"), std::invalid_argument);
    EXPECT_THROW(wf::serializer<int>::decode(""), std::invalid_argument);
    EXPECT_THROW(wf::serializer<int>::decode("1 2"), std::invalid_argument);
    EXPECT_EQ(wf::serializer<bool>::encode(true), "true");
    EXPECT_FALSE(wf::serializer<bool>::decode(" false "));
    EXPECT_THROW(wf::serializer<bool>::decode("1"), std::invalid_argument);
    EXPECT_EQ(wf::serializer<money>::decode(R"({"cents":5})").cents, 5);
    EXPECT_EQ(wf::serializer<money>::encode(money{6}), R"({"cents":6})");
}

} // namespace
