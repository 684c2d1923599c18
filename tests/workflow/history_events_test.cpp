// The event table: one rule for each of SWF's 54 event types, every decision
// type recorded by some event, notes for what is ignored; and replays that
// pass over the ignored events without effect.
#include "workflow/history_events.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "replay_support.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using wf::event_role;

namespace {

// Every canned and recorded history of the tests, with the event types it holds.
std::map<std::string, std::set<model::event_type>> event_types_of_all_histories() {
    namespace fs = std::filesystem;
    std::map<std::string, std::set<model::event_type>> out;
    const fs::path root = SWFRT_SOURCE_DIR;
    for (const auto* dir : {"tests/workflow/histories", "tests/integration/replay_histories"}) {
        for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
            if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
            auto json = wf::testing::read_file(entry.path().string());
            auto h = swfrt::swf::codec::decode<model::history>(json);
            EXPECT_TRUE(h.has_value()) << entry.path() << ": " << (h ? "" : h.error().to_string());
            if (!h) continue;
            auto& types = out[fs::relative(entry.path(), root).string()];
            for (const auto& e : h->events)
                types.insert(e.event_type);
        }
    }
    return out;
}

TEST(event_table, the_test_histories_hold_every_one_of_the_fifty_four_event_types) {
    auto histories = event_types_of_all_histories();
    ASSERT_GT(histories.size(), 20u);
    std::set<model::event_type> seen;
    for (const auto& [file, types] : histories)
        seen.insert(types.begin(), types.end());
    std::string missing;
    for (const auto& r : wf::event_rules())
        if (!seen.count(r.type)) missing += " " + std::string(model::to_string(r.type));
    EXPECT_EQ(missing, "") << "no test history holds these event types";
}

TEST(event_table, one_rule_for_each_of_the_fifty_four_event_types_in_order) {
    auto rules = wf::event_rules();
    ASSERT_EQ(rules.size(), 54u);
    std::set<std::string> names;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        auto type = static_cast<model::event_type>(i);
        EXPECT_EQ(rules[i].type, type);
        EXPECT_EQ(&wf::rule_for(type), &rules[i]);
        EXPECT_FALSE(rules[i].note.empty()) << model::to_string(type);
        names.insert(std::string(model::to_string(type)));
        // Only decision events name the decision they record.
        EXPECT_EQ(rules[i].decision.has_value(), rules[i].role == event_role::decision)
            << model::to_string(type);
    }
    // 54 distinct SWF names: the enum has no gaps or duplicates here.
    EXPECT_EQ(names.size(), 54u);
    EXPECT_EQ(model::event_type_from_string("StartLambdaFunctionFailed"),
              model::event_type::start_lambda_function_failed);
}

TEST(event_table, roles_as_swf_defines_them) {
    std::map<event_role, int> count;
    for (const auto& r : wf::event_rules())
        ++count[r.role];
    EXPECT_EQ(count[event_role::execution_started], 1);
    EXPECT_EQ(count[event_role::decision_started], 1);
    EXPECT_EQ(count[event_role::decision_completed], 1);
    EXPECT_EQ(count[event_role::decision], 26);
    EXPECT_EQ(count[event_role::outcome], 17);
    EXPECT_EQ(count[event_role::signal], 1);
    EXPECT_EQ(count[event_role::cancel_request], 1);
    EXPECT_EQ(count[event_role::ignored], 6);

    EXPECT_EQ(wf::rule_for(model::event_type::activity_task_scheduled).decision,
              model::decision_type::schedule_activity_task);
    EXPECT_EQ(wf::rule_for(model::event_type::start_timer_failed).decision,
              model::decision_type::start_timer);
    EXPECT_EQ(wf::rule_for(model::event_type::workflow_execution_completed).decision,
              model::decision_type::complete_workflow_execution);
    EXPECT_EQ(wf::rule_for(model::event_type::activity_task_completed).role, event_role::outcome);
    EXPECT_EQ(wf::rule_for(model::event_type::decision_task_timed_out).role, event_role::ignored);
    EXPECT_EQ(wf::rule_for(model::event_type::workflow_execution_signaled).role, event_role::signal);
}

TEST(event_table, every_decision_type_is_recorded_by_an_event) {
    std::set<model::decision_type> recorded;
    for (const auto& r : wf::event_rules())
        if (r.decision) recorded.insert(*r.decision);
    EXPECT_EQ(recorded.size(), 13u);
    EXPECT_EQ(static_cast<std::size_t>(model::decision_type::schedule_lambda_function) + 1, 13u);
}

TEST(event_table, descriptions_and_keys_of_both_sides_agree) {
    model::history_event e;
    e.event_id = 5;
    e.event_type = model::event_type::activity_task_scheduled;
    EXPECT_EQ(wf::describe(e), "ActivityTaskScheduled (without its attributes)");
    EXPECT_FALSE(wf::key_of(e).has_value());
    auto& a = e.activity_task_scheduled_event_attributes.emplace();
    a.activity_id = "7";
    a.activity_type = {"charge", "2"};
    EXPECT_EQ(wf::describe(e), R"(ActivityTaskScheduled (activity id "7", type charge 2))");

    model::decision d;
    d.decision_type = model::decision_type::schedule_activity_task;
    auto& da = d.schedule_activity_task_decision_attributes.emplace();
    da.activity_id = "7";
    da.activity_type = {"charge", "2"};
    da.input = "ignored in matching";
    EXPECT_TRUE(wf::same_command(*wf::key_of(e), wf::key_of(d)));
    da.activity_type.version = "3";
    EXPECT_FALSE(wf::same_command(*wf::key_of(e), wf::key_of(d)));

    // SignalExternalWorkflowExecutionFailed does not record the signal name.
    model::history_event failed;
    failed.event_type = model::event_type::signal_external_workflow_execution_failed;
    failed.signal_external_workflow_execution_failed_event_attributes.emplace().workflow_id = "other";
    model::decision signal;
    signal.decision_type = model::decision_type::signal_external_workflow_execution;
    auto& sa = signal.signal_external_workflow_execution_decision_attributes.emplace();
    sa.workflow_id = "other";
    sa.signal_name = "ping";
    EXPECT_TRUE(wf::same_command(*wf::key_of(failed), wf::key_of(signal)));
    sa.workflow_id = "another";
    EXPECT_FALSE(wf::same_command(*wf::key_of(failed), wf::key_of(signal)));

    // Non-decision events have no key.
    model::history_event fired;
    fired.event_type = model::event_type::timer_fired;
    EXPECT_FALSE(wf::key_of(fired).has_value());
}

struct one_activity : wf::workflow<> {
    static constexpr std::string_view name = "One";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        co_return co_await ctx.activity("echo", "1", input);
    }
};

TEST(event_table, ignored_events_change_nothing) {
    // A cancel request and a started activity between two decision tasks.
    auto h = wf::testing::load_history("decision_timed_out");
    const auto without = wf::testing::decisions_at(h, 12, wf::make_runner<one_activity>());
    model::history_event cancel;
    cancel.event_id = 11;
    cancel.event_type = model::event_type::workflow_execution_cancel_requested;
    cancel.workflow_execution_cancel_requested_event_attributes.emplace();
    h.events.insert(h.events.begin() + 10, cancel);
    for (std::size_t i = 11; i < h.events.size(); ++i) {
        ++h.events[i].event_id;
        if (auto& s = h.events[i].decision_task_started_event_attributes) ++s->scheduled_event_id;
    }
    EXPECT_EQ(wf::testing::decisions_at(h, 13, wf::make_runner<one_activity>()), without);
    EXPECT_NE(without.find("CompleteWorkflowExecution"), std::string::npos) << without;
}

} // namespace
