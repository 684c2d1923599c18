// Helpers for replay tests: canned histories from tests/workflow/histories,
// the decision task SWF would have handed out at any DecisionTaskStarted of
// them, and exact comparisons of decisions.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"
#include "workflow/history_events.hpp"
#include "workflow/replayer.hpp"

namespace swfrt::workflow::testing {

namespace model = swf::model;

inline const model::workflow_execution& test_execution() {
    static const model::workflow_execution e{"9d1e0c2f-run-id-of-the-tests", "wf-under-test"};
    return e;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::string history_path(std::string_view name) {
    return std::string(SWFRT_SOURCE_DIR) + "/tests/workflow/histories/" + std::string(name) + ".json";
}

// A GetWorkflowExecutionHistory response (one page, as SWF returns it).
inline model::history load_history(std::string_view name) {
    auto r = swf::codec::decode<model::history>(read_file(history_path(name)));
    EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().to_string());
    return r ? std::move(r).value() : model::history{};
}

// What PollForDecisionTask returns at that DecisionTaskStarted: the events
// up to it, and the ids of it and of the previous one.
inline model::decision_task task_at(const model::history& h, std::int64_t started_event_id,
                                    const model::workflow_execution& execution = test_execution()) {
    model::decision_task t;
    t.task_token = "token-" + std::to_string(started_event_id);
    t.workflow_execution = execution;
    t.started_event_id = started_event_id;
    for (const auto& e : h.events) {
        if (e.event_id > started_event_id) break;
        if (e.event_type == model::event_type::workflow_execution_started && e.workflow_execution_started_event_attributes)
            t.workflow_type = e.workflow_execution_started_event_attributes->workflow_type;
        if (e.event_type == model::event_type::decision_task_started && e.event_id != started_event_id)
            t.previous_started_event_id = e.event_id;
        t.events.push_back(e);
    }
    return t;
}

// Decisions as JSON, in the codec's canonical form.
inline std::string json_of(const std::vector<model::decision>& decisions) {
    std::string out = "[";
    for (const auto& d : decisions) {
        if (out.size() > 1) out += ",";
        out += swf::codec::encode(d);
    }
    return out + "]";
}

// The expected decisions, written as SWF's JSON, in the same canonical form.
inline std::string canonical(const std::vector<std::string>& expected) {
    std::vector<model::decision> ds;
    for (const auto& json : expected) {
        auto r = swf::codec::decode<model::decision>(json, {.strict = true});
        EXPECT_TRUE(r.has_value()) << json << ": " << (r ? "" : r.error().to_string());
        if (r) ds.push_back(std::move(r).value());
    }
    return json_of(ds);
}

inline std::string decisions_at(const model::history& h, std::int64_t started_event_id,
                                const workflow_runner& runner) {
    auto r = replay(task_at(h, started_event_id), runner);
    if (!r) return "replay error: " + r.error().message;
    return json_of(r.value());
}

inline std::string error_at(const model::history& h, std::int64_t started_event_id,
                            const workflow_runner& runner) {
    auto r = replay(task_at(h, started_event_id), runner);
    if (r) return "no error; decisions: " + json_of(r.value());
    return r.error().message;
}

// The payload a decision event and a decision share, beside their identity;
// none for events that do not record it (refused decisions).
inline std::optional<std::string> payload_of(const model::history_event& e) {
    using et = model::event_type;
    switch (e.event_type) {
    case et::activity_task_scheduled: return e.activity_task_scheduled_event_attributes->input.value_or("");
    case et::lambda_function_scheduled:
        return e.lambda_function_scheduled_event_attributes->input.value_or("");
    case et::timer_started: return e.timer_started_event_attributes->start_to_fire_timeout;
    case et::start_child_workflow_execution_initiated:
        return e.start_child_workflow_execution_initiated_event_attributes->input.value_or("");
    case et::signal_external_workflow_execution_initiated:
        return e.signal_external_workflow_execution_initiated_event_attributes->input.value_or("") + "/" +
               e.signal_external_workflow_execution_initiated_event_attributes->run_id.value_or("");
    case et::request_cancel_external_workflow_execution_initiated:
        return e.request_cancel_external_workflow_execution_initiated_event_attributes->run_id.value_or("");
    case et::workflow_execution_continued_as_new:
        return e.workflow_execution_continued_as_new_event_attributes->input.value_or("");
    case et::marker_recorded: return e.marker_recorded_event_attributes->details.value_or("");
    case et::workflow_execution_completed:
        return e.workflow_execution_completed_event_attributes->result_.value_or("");
    case et::workflow_execution_failed:
        return e.workflow_execution_failed_event_attributes->reason.value_or("") + "/" +
               e.workflow_execution_failed_event_attributes->details.value_or("");
    default: return std::nullopt;
    }
}

inline std::string payload_of(const model::decision& d) {
    using dt = model::decision_type;
    switch (d.decision_type) {
    case dt::schedule_activity_task: return d.schedule_activity_task_decision_attributes->input.value_or("");
    case dt::schedule_lambda_function:
        return d.schedule_lambda_function_decision_attributes->input.value_or("");
    case dt::start_timer: return d.start_timer_decision_attributes->start_to_fire_timeout;
    case dt::start_child_workflow_execution:
        return d.start_child_workflow_execution_decision_attributes->input.value_or("");
    case dt::signal_external_workflow_execution:
        return d.signal_external_workflow_execution_decision_attributes->input.value_or("") + "/" +
               d.signal_external_workflow_execution_decision_attributes->run_id.value_or("");
    case dt::request_cancel_external_workflow_execution:
        return d.request_cancel_external_workflow_execution_decision_attributes->run_id.value_or("");
    case dt::continue_as_new_workflow_execution:
        return d.continue_as_new_workflow_execution_decision_attributes->input.value_or("");
    case dt::record_marker: return d.record_marker_decision_attributes->details.value_or("");
    case dt::complete_workflow_execution:
        return d.complete_workflow_execution_decision_attributes->result_.value_or("");
    case dt::fail_workflow_execution:
        return d.fail_workflow_execution_decision_attributes->reason.value_or("") + "/" +
               d.fail_workflow_execution_decision_attributes->details.value_or("");
    default: return "";
    }
}

// "decided: ...", the replay error's kind, or "threw: ..." for an exception
// of the workflow's own out of run (what the failure policy gets).
inline std::string answer_at(const model::history& h, std::int64_t started, const workflow_runner& runner) {
    try {
        auto r = replay(task_at(h, started), runner);
        if (!r) return std::string(to_string(r.error().kind));
        std::string out = "decided:";
        for (const auto& d : r.value())
            out += " " + swf::codec::encode(d);
        return out;
    } catch (const std::exception& e) {
        return std::string("threw: ") + e.what();
    } catch (...) {
        return "threw: a non-standard exception"; // continue_as_new_request and the like
    }
}

// One event changed (its type to the next in the model's order, its id by
// 1000, or its place with the next event's): every decision task from there
// on gets decisions, a replay error or the workflow's own exception, never
// a crash, the same on a second replay; after an id change a replay that
// still decides decides what it did on the unchanged history.
inline void expect_mutations_answered(const model::history& h, const workflow_runner& runner) {
    std::vector<std::pair<std::int64_t, std::string>> original;
    for (const auto& e : h.events)
        if (e.event_type == model::event_type::decision_task_started)
            original.emplace_back(e.event_id, answer_at(h, e.event_id, runner));
    int refused = 0;
    for (std::size_t i = 1; i < h.events.size(); ++i) {
        for (int m = 0; m < 3; ++m) {
            if (m == 2 && i + 1 >= h.events.size()) continue;
            auto mutated = h;
            auto& e = mutated.events[i];
            if (m == 0) e.event_type = static_cast<model::event_type>((static_cast<int>(e.event_type) + 1) % 54);
            if (m == 1) e.event_id += 1000;
            if (m == 2) std::swap(mutated.events[i], mutated.events[i + 1]);
            static constexpr const char* what[] = {"type", "id", "place"};
            for (const auto& [started, before] : original) {
                if (started <= static_cast<std::int64_t>(i)) continue;
                bool present = false;
                for (const auto& ev : mutated.events)
                    present = present ||
                              (ev.event_id == started && ev.event_type == model::event_type::decision_task_started);
                if (!present) continue;
                const auto first = answer_at(mutated, started, runner);
                EXPECT_EQ(first, answer_at(mutated, started, runner))
                    << what[m] << " of event " << i + 1 << ", task at " << started;
                if (first.rfind("decided:", 0) != 0) ++refused;
                if (m == 1 && first.rfind("decided:", 0) == 0) {
                    EXPECT_EQ(first, before) << "id of event " << i + 1 << ", task at " << started;
                }
            }
        }
    }
    EXPECT_GT(refused, 0) << "no mutation was refused: the check sees nothing";
}

// Every decision task the history shows answered, replayed on its own:
// the code must decide what the history records after its
// DecisionTaskCompleted (identity and payload), no more, no less; and the
// history with one event mutated is answered without a crash (above).
inline void expect_history_reproduced(const model::history& h, const workflow_runner& runner) {
    expect_mutations_answered(h, runner);
    int answered = 0;
    for (std::size_t i = 0; i < h.events.size(); ++i) {
        const auto& c = h.events[i];
        if (c.event_type != model::event_type::decision_task_completed) continue;
        ++answered;
        const auto started = c.decision_task_completed_event_attributes->started_event_id;
        // The block: decision events up to the first event that is neither
        // one nor an outcome SWF records among them (ActivityTaskCanceled).
        std::vector<std::string> recorded;
        std::vector<std::size_t> recorded_at;
        for (std::size_t j = i + 1; j < h.events.size(); ++j) {
            const auto& e = h.events[j];
            const auto role = rule_for(e.event_type).role;
            if (role == event_role::outcome) continue;
            if (role != event_role::decision) break;
            recorded.push_back(describe(e) + " " + payload_of(e).value_or("(no payload)"));
            recorded_at.push_back(j);
        }
        auto r = replay(task_at(h, started), runner);
        ASSERT_TRUE(r.has_value()) << "at event " << started << ": " << r.error().message;
        std::vector<std::string> decided;
        for (const auto& d : r.value())
            decided.push_back(describe(d) + " " + payload_of(d));
        // Each side in its own words: compare the identities through key_of.
        ASSERT_EQ(decided.size(), recorded.size()) << "at event " << started;
        for (std::size_t k = 0; k < decided.size(); ++k) {
            const std::size_t j = recorded_at[k];
            EXPECT_TRUE(same_command(*key_of(h.events[j]), key_of(r.value()[k])))
                << "at event " << started << ": recorded " << recorded[k] << ", decided " << decided[k];
            if (auto p = payload_of(h.events[j])) {
                EXPECT_EQ(*p, payload_of(r.value()[k])) << "at event " << started;
            }
        }
    }
    EXPECT_GT(answered, 0);
}

// ---- expected decisions, written as SWF's JSON ----

inline std::string json_string(std::string_view s) {
    std::string out;
    swf::codec::append_json_string(out, s);
    return out;
}

inline std::string complete(const std::string& result) {
    return R"({"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":)" +
           json_string(result) + "}}";
}

inline std::string fail(const std::string& reason, const std::string& details) {
    return R"({"decisionType":"FailWorkflowExecution","failWorkflowExecutionDecisionAttributes":{"reason":)" +
           json_string(reason) + R"(,"details":)" + json_string(details) + "}}";
}

inline std::string cancel_workflow(const std::string& details) {
    return R"({"decisionType":"CancelWorkflowExecution","cancelWorkflowExecutionDecisionAttributes":{"details":)" +
           json_string(details) + "}}";
}

// ScheduleActivityTask of version "1".
inline std::string schedule(const std::string& id, const std::string& name, const std::string& input = {}) {
    std::string out = R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
                      R"("activityId":")" +
                      id + R"(","activityType":{"name":")" + name + R"(","version":"1"})";
    if (!input.empty()) out += R"(,"input":)" + json_string(input);
    return out + "}}";
}

inline std::string request_cancel_activity(const std::string& id) {
    return R"({"decisionType":"RequestCancelActivityTask","requestCancelActivityTaskDecisionAttributes":{)"
           R"("activityId":")" +
           id + R"("}})";
}

inline std::string start_timer(const std::string& id, const std::string& seconds) {
    return R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":")" + id +
           R"(","startToFireTimeout":")" + seconds + R"("}})";
}

inline std::string cancel_timer(const std::string& id) {
    return R"({"decisionType":"CancelTimer","cancelTimerDecisionAttributes":{"timerId":")" + id + R"("}})";
}

} // namespace swfrt::workflow::testing
