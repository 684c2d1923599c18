#include "workflow/history_events.hpp"

#include <array>
#include <cstddef>

namespace swfrt::workflow {

namespace model = swf::model;
using et = model::event_type;
using dt = model::decision_type;

namespace {

constexpr std::array<event_rule, 54> rules{{
    {et::workflow_execution_started, event_role::execution_started, std::nullopt,
     "gives the input; the code starts at the first decision task"},
    {et::workflow_execution_cancel_requested, event_role::cancel_request, std::nullopt,
     "cancels what the code waits for at the next decision task; cancel_requested() turns true"},
    {et::workflow_execution_completed, event_role::decision, dt::complete_workflow_execution,
     "records CompleteWorkflowExecution"},
    {et::complete_workflow_execution_failed, event_role::decision, dt::complete_workflow_execution,
     "records a refused CompleteWorkflowExecution; it is decided again at the next decision task"},
    {et::workflow_execution_failed, event_role::decision, dt::fail_workflow_execution,
     "records FailWorkflowExecution"},
    {et::fail_workflow_execution_failed, event_role::decision, dt::fail_workflow_execution,
     "records a refused FailWorkflowExecution; it is decided again at the next decision task"},
    {et::workflow_execution_timed_out, event_role::ignored, std::nullopt,
     "the execution closed from outside; no decision task follows"},
    {et::workflow_execution_canceled, event_role::decision, dt::cancel_workflow_execution,
     "records CancelWorkflowExecution"},
    {et::cancel_workflow_execution_failed, event_role::decision, dt::cancel_workflow_execution,
     "records a refused CancelWorkflowExecution"},
    {et::workflow_execution_continued_as_new, event_role::decision, dt::continue_as_new_workflow_execution,
     "records ContinueAsNewWorkflowExecution, the answer to continue_as_new"},
    {et::continue_as_new_workflow_execution_failed, event_role::decision,
     dt::continue_as_new_workflow_execution,
     "records a refused ContinueAsNewWorkflowExecution; it is decided again at the next decision task"},
    {et::workflow_execution_terminated, event_role::ignored, std::nullopt,
     "the execution closed from outside; no decision task follows"},
    {et::decision_task_scheduled, event_role::ignored, std::nullopt,
     "bookkeeping: what the decider sees starts with DecisionTaskStarted"},
    {et::decision_task_started, event_role::decision_started, std::nullopt,
     "the code runs with what happened before it, at this event's time"},
    {et::decision_task_completed, event_role::decision_completed, std::nullopt,
     "the decision events after it are that task's decisions"},
    {et::decision_task_timed_out, event_role::ignored, std::nullopt,
     "the task's answer was never applied; its DecisionTaskStarted has no DecisionTaskCompleted and is "
     "skipped"},
    {et::activity_task_scheduled, event_role::decision, dt::schedule_activity_task,
     "records ScheduleActivityTask; its id is what outcomes name"},
    {et::schedule_activity_task_failed, event_role::decision, dt::schedule_activity_task,
     "records a refused ScheduleActivityTask; the activity raises schedule_activity_failed"},
    {et::activity_task_started, event_role::ignored, std::nullopt,
     "informational: the activity stays pending until it completes, fails, times out or is canceled"},
    {et::activity_task_completed, event_role::outcome, std::nullopt, "resolves the activity with its result"},
    {et::activity_task_failed, event_role::outcome, std::nullopt, "raises activity_failed"},
    {et::activity_task_timed_out, event_role::outcome, std::nullopt, "raises activity_timed_out"},
    {et::activity_task_canceled, event_role::outcome, std::nullopt, "raises activity_canceled"},
    {et::activity_task_cancel_requested, event_role::decision, dt::request_cancel_activity_task,
     "records RequestCancelActivityTask"},
    {et::request_cancel_activity_task_failed, event_role::decision, dt::request_cancel_activity_task,
     "records a refused RequestCancelActivityTask"},
    {et::workflow_execution_signaled, event_role::signal, std::nullopt,
     "delivered to the oldest wait_signal of that name, or kept until one asks"},
    {et::marker_recorded, event_role::decision, dt::record_marker,
     "records RecordMarker; side_effect reads its value from here"},
    {et::record_marker_failed, event_role::decision, dt::record_marker, "records a refused RecordMarker"},
    {et::timer_started, event_role::decision, dt::start_timer,
     "records StartTimer; its id is what TimerFired names"},
    {et::start_timer_failed, event_role::decision, dt::start_timer,
     "records a refused StartTimer; the timer raises start_timer_failed"},
    {et::timer_fired, event_role::outcome, std::nullopt, "resolves the timer"},
    {et::timer_canceled, event_role::decision, dt::cancel_timer, "records CancelTimer"},
    {et::cancel_timer_failed, event_role::decision, dt::cancel_timer, "records a refused CancelTimer"},
    {et::start_child_workflow_execution_initiated, event_role::decision, dt::start_child_workflow_execution,
     "records StartChildWorkflowExecution; its id is what the child's events name"},
    {et::start_child_workflow_execution_failed, event_role::decision, dt::start_child_workflow_execution,
     "records a refused StartChildWorkflowExecution, or, naming its Initiated event, a start that failed "
     "later; the child raises start_child_workflow_failed"},
    {et::child_workflow_execution_started, event_role::outcome, std::nullopt,
     "gives the child's run id; resolves child_started"},
    {et::child_workflow_execution_completed, event_role::outcome, std::nullopt,
     "resolves the child with its result"},
    {et::child_workflow_execution_failed, event_role::outcome, std::nullopt, "raises child_workflow_failed"},
    {et::child_workflow_execution_timed_out, event_role::outcome, std::nullopt,
     "raises child_workflow_timed_out"},
    {et::child_workflow_execution_canceled, event_role::outcome, std::nullopt,
     "raises child_workflow_canceled"},
    {et::child_workflow_execution_terminated, event_role::outcome, std::nullopt,
     "raises child_workflow_terminated"},
    {et::signal_external_workflow_execution_initiated, event_role::decision,
     dt::signal_external_workflow_execution,
     "records SignalExternalWorkflowExecution; its id is what the outcome names"},
    {et::signal_external_workflow_execution_failed, event_role::decision,
     dt::signal_external_workflow_execution,
     "records a refused SignalExternalWorkflowExecution, or, naming its Initiated event, a signal that "
     "failed later; signal_external raises signal_external_failed"},
    {et::external_workflow_execution_signaled, event_role::outcome, std::nullopt,
     "resolves signal_external: the signal was delivered"},
    {et::request_cancel_external_workflow_execution_initiated, event_role::decision,
     dt::request_cancel_external_workflow_execution,
     "records RequestCancelExternalWorkflowExecution; its id is what the outcome names"},
    {et::request_cancel_external_workflow_execution_failed, event_role::decision,
     dt::request_cancel_external_workflow_execution,
     "records a refused RequestCancelExternalWorkflowExecution, or, naming its Initiated event, a request "
     "that failed later; request_cancel_external raises request_cancel_external_failed"},
    {et::external_workflow_execution_cancel_requested, event_role::outcome, std::nullopt,
     "resolves request_cancel_external: the request was delivered"},
    {et::lambda_function_scheduled, event_role::decision, dt::schedule_lambda_function,
     "records ScheduleLambdaFunction; its id is what outcomes name"},
    {et::lambda_function_started, event_role::ignored, std::nullopt,
     "informational: the function stays pending until it completes, fails or times out"},
    {et::lambda_function_completed, event_role::outcome, std::nullopt,
     "resolves the function with its result"},
    {et::lambda_function_failed, event_role::outcome, std::nullopt, "raises lambda_failed"},
    {et::lambda_function_timed_out, event_role::outcome, std::nullopt, "raises lambda_timed_out"},
    {et::schedule_lambda_function_failed, event_role::decision, dt::schedule_lambda_function,
     "records a refused ScheduleLambdaFunction; the function raises schedule_lambda_failed"},
    {et::start_lambda_function_failed, event_role::outcome, std::nullopt, "raises start_lambda_failed"},
}};

constexpr bool in_enum_order() {
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (static_cast<std::size_t>(rules[i].type) != i) return false;
    return true;
}
static_assert(in_enum_order(), "one rule per event type, in the order of model::event_type");
static_assert(static_cast<std::size_t>(et::start_lambda_function_failed) + 1 == rules.size(),
              "every event type has a rule");

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

std::string type_text(const model::activity_type& t) {
    return t.name + " " + t.version;
}
std::string type_text(const model::workflow_type& t) {
    return t.name + " " + t.version;
}

template <class A>
std::string with(const model::box<A>& attrs, std::string_view name, std::string (*detail)(const A&)) {
    std::string out(name);
    if (!attrs) return out + " (without its attributes)";
    auto d = detail(*attrs);
    if (!d.empty()) out += " (" + d + ")";
    return out;
}

} // namespace

std::string_view to_string(event_role role) noexcept {
    switch (role) {
    case event_role::execution_started: return "execution_started";
    case event_role::decision_started: return "decision_started";
    case event_role::decision_completed: return "decision_completed";
    case event_role::decision: return "decision";
    case event_role::outcome: return "outcome";
    case event_role::signal: return "signal";
    case event_role::cancel_request: return "cancel_request";
    case event_role::ignored: return "ignored";
    case event_role::unknown: return "unknown";
    }
    return "unknown";
}

std::span<const event_rule> event_rules() noexcept {
    return rules;
}

const event_rule& rule_for(model::event_type type) noexcept {
    static constexpr event_rule unknown{et::unknown_to_sdk, event_role::unknown, std::nullopt,
                                        "an event type this SDK does not know: the replay of this execution fails "
                                        "as a malformed history naming it; other executions go on"};
    const auto i = static_cast<std::size_t>(type);
    return i < rules.size() ? rules[i] : unknown;
}

std::string describe(const model::history_event& e) {
    auto name = model::to_string(e.event_type, e.event_type_text);
    switch (e.event_type) {
    case et::activity_task_scheduled:
        return with<model::activity_task_scheduled_event_attributes>(
            e.activity_task_scheduled_event_attributes, name, [](const auto& a) {
                return "activity id " + quoted(a.activity_id) + ", type " + type_text(a.activity_type);
            });
    case et::schedule_activity_task_failed:
        return with<model::schedule_activity_task_failed_event_attributes>(
            e.schedule_activity_task_failed_event_attributes, name, [](const auto& a) {
                return "activity id " + quoted(a.activity_id) + ", type " + type_text(a.activity_type) +
                       ", cause " + std::string(model::to_string(a.cause, a.cause_text));
            });
    case et::activity_task_cancel_requested:
        return with<model::activity_task_cancel_requested_event_attributes>(
            e.activity_task_cancel_requested_event_attributes, name,
            [](const auto& a) { return "activity id " + quoted(a.activity_id); });
    case et::request_cancel_activity_task_failed:
        return with<model::request_cancel_activity_task_failed_event_attributes>(
            e.request_cancel_activity_task_failed_event_attributes, name,
            [](const auto& a) { return "activity id " + quoted(a.activity_id); });
    case et::timer_started:
        return with<model::timer_started_event_attributes>(
            e.timer_started_event_attributes, name, [](const auto& a) {
                return "timer id " + quoted(a.timer_id) + ", " + a.start_to_fire_timeout + " s";
            });
    case et::start_timer_failed:
        return with<model::start_timer_failed_event_attributes>(
            e.start_timer_failed_event_attributes, name, [](const auto& a) {
                return "timer id " + quoted(a.timer_id) + ", cause " + std::string(model::to_string(a.cause, a.cause_text));
            });
    case et::timer_canceled:
        return with<model::timer_canceled_event_attributes>(
            e.timer_canceled_event_attributes, name,
            [](const auto& a) { return "timer id " + quoted(a.timer_id); });
    case et::cancel_timer_failed:
        return with<model::cancel_timer_failed_event_attributes>(
            e.cancel_timer_failed_event_attributes, name,
            [](const auto& a) { return "timer id " + quoted(a.timer_id); });
    case et::marker_recorded:
        return with<model::marker_recorded_event_attributes>(
            e.marker_recorded_event_attributes, name,
            [](const auto& a) { return "name " + quoted(a.marker_name); });
    case et::record_marker_failed:
        return with<model::record_marker_failed_event_attributes>(
            e.record_marker_failed_event_attributes, name,
            [](const auto& a) { return "name " + quoted(a.marker_name); });
    case et::lambda_function_scheduled:
        return with<model::lambda_function_scheduled_event_attributes>(
            e.lambda_function_scheduled_event_attributes, name,
            [](const auto& a) { return "id " + quoted(a.id) + ", function " + a.name; });
    case et::schedule_lambda_function_failed:
        return with<model::schedule_lambda_function_failed_event_attributes>(
            e.schedule_lambda_function_failed_event_attributes, name, [](const auto& a) {
                return "id " + quoted(a.id) + ", function " + a.name + ", cause " +
                       std::string(model::to_string(a.cause, a.cause_text));
            });
    case et::start_child_workflow_execution_initiated:
        return with<model::start_child_workflow_execution_initiated_event_attributes>(
            e.start_child_workflow_execution_initiated_event_attributes, name, [](const auto& a) {
                return "workflow id " + quoted(a.workflow_id) + ", type " + type_text(a.workflow_type);
            });
    case et::start_child_workflow_execution_failed:
        return with<model::start_child_workflow_execution_failed_event_attributes>(
            e.start_child_workflow_execution_failed_event_attributes, name, [](const auto& a) {
                return "workflow id " + quoted(a.workflow_id) + ", type " + type_text(a.workflow_type);
            });
    case et::signal_external_workflow_execution_initiated:
        return with<model::signal_external_workflow_execution_initiated_event_attributes>(
            e.signal_external_workflow_execution_initiated_event_attributes, name, [](const auto& a) {
                return "workflow id " + quoted(a.workflow_id) + ", signal " + quoted(a.signal_name);
            });
    case et::signal_external_workflow_execution_failed:
        return with<model::signal_external_workflow_execution_failed_event_attributes>(
            e.signal_external_workflow_execution_failed_event_attributes, name,
            [](const auto& a) { return "workflow id " + quoted(a.workflow_id); });
    case et::request_cancel_external_workflow_execution_initiated:
        return with<model::request_cancel_external_workflow_execution_initiated_event_attributes>(
            e.request_cancel_external_workflow_execution_initiated_event_attributes, name,
            [](const auto& a) { return "workflow id " + quoted(a.workflow_id); });
    case et::request_cancel_external_workflow_execution_failed:
        return with<model::request_cancel_external_workflow_execution_failed_event_attributes>(
            e.request_cancel_external_workflow_execution_failed_event_attributes, name,
            [](const auto& a) { return "workflow id " + quoted(a.workflow_id); });
    case et::workflow_execution_signaled:
        return with<model::workflow_execution_signaled_event_attributes>(
            e.workflow_execution_signaled_event_attributes, name,
            [](const auto& a) { return "signal " + quoted(a.signal_name); });
    case et::workflow_execution_failed:
        return with<model::workflow_execution_failed_event_attributes>(
            e.workflow_execution_failed_event_attributes, name,
            [](const auto& a) { return a.reason ? "reason " + quoted(*a.reason) : std::string(); });
    default: return std::string(name);
    }
}

std::string describe(const model::decision& d) {
    auto name = model::to_string(d.decision_type, d.decision_type_text);
    switch (d.decision_type) {
    case dt::schedule_activity_task:
        return with<model::schedule_activity_task_decision_attributes>(
            d.schedule_activity_task_decision_attributes, name, [](const auto& a) {
                return "activity id " + quoted(a.activity_id) + ", type " + type_text(a.activity_type);
            });
    case dt::request_cancel_activity_task:
        return with<model::request_cancel_activity_task_decision_attributes>(
            d.request_cancel_activity_task_decision_attributes, name,
            [](const auto& a) { return "activity id " + quoted(a.activity_id); });
    case dt::start_timer:
        return with<model::start_timer_decision_attributes>(
            d.start_timer_decision_attributes, name, [](const auto& a) {
                return "timer id " + quoted(a.timer_id) + ", " + a.start_to_fire_timeout + " s";
            });
    case dt::cancel_timer:
        return with<model::cancel_timer_decision_attributes>(
            d.cancel_timer_decision_attributes, name,
            [](const auto& a) { return "timer id " + quoted(a.timer_id); });
    case dt::record_marker:
        return with<model::record_marker_decision_attributes>(
            d.record_marker_decision_attributes, name,
            [](const auto& a) { return "name " + quoted(a.marker_name); });
    case dt::schedule_lambda_function:
        return with<model::schedule_lambda_function_decision_attributes>(
            d.schedule_lambda_function_decision_attributes, name,
            [](const auto& a) { return "id " + quoted(a.id) + ", function " + a.name; });
    case dt::start_child_workflow_execution:
        return with<model::start_child_workflow_execution_decision_attributes>(
            d.start_child_workflow_execution_decision_attributes, name, [](const auto& a) {
                return "workflow id " + quoted(a.workflow_id) + ", type " + type_text(a.workflow_type);
            });
    case dt::signal_external_workflow_execution:
        return with<model::signal_external_workflow_execution_decision_attributes>(
            d.signal_external_workflow_execution_decision_attributes, name, [](const auto& a) {
                return "workflow id " + quoted(a.workflow_id) + ", signal " + quoted(a.signal_name);
            });
    case dt::request_cancel_external_workflow_execution:
        return with<model::request_cancel_external_workflow_execution_decision_attributes>(
            d.request_cancel_external_workflow_execution_decision_attributes, name,
            [](const auto& a) { return "workflow id " + quoted(a.workflow_id); });
    case dt::fail_workflow_execution:
        return with<model::fail_workflow_execution_decision_attributes>(
            d.fail_workflow_execution_decision_attributes, name,
            [](const auto& a) { return a.reason ? "reason " + quoted(*a.reason) : std::string(); });
    default: return std::string(name);
    }
}

std::optional<command_key> key_of(const model::history_event& e) {
    const auto& rule = rule_for(e.event_type);
    if (rule.role != event_role::decision || !rule.decision) return std::nullopt;
    command_key k{*rule.decision, {}, {}, {}};
    auto set = [&](const auto& box, auto fill) {
        if (!box) return false;
        fill(*box);
        return true;
    };
    bool ok = true;
    switch (e.event_type) {
    case et::activity_task_scheduled:
        ok = set(e.activity_task_scheduled_event_attributes, [&](const auto& a) {
            k.id = a.activity_id;
            k.name = a.activity_type.name;
            k.version = a.activity_type.version;
        });
        break;
    case et::schedule_activity_task_failed:
        ok = set(e.schedule_activity_task_failed_event_attributes, [&](const auto& a) {
            k.id = a.activity_id;
            k.name = a.activity_type.name;
            k.version = a.activity_type.version;
        });
        break;
    case et::activity_task_cancel_requested:
        ok = set(e.activity_task_cancel_requested_event_attributes,
                 [&](const auto& a) { k.id = a.activity_id; });
        break;
    case et::request_cancel_activity_task_failed:
        ok = set(e.request_cancel_activity_task_failed_event_attributes,
                 [&](const auto& a) { k.id = a.activity_id; });
        break;
    case et::timer_started:
        ok = set(e.timer_started_event_attributes, [&](const auto& a) { k.id = a.timer_id; });
        break;
    case et::start_timer_failed:
        ok = set(e.start_timer_failed_event_attributes, [&](const auto& a) { k.id = a.timer_id; });
        break;
    case et::timer_canceled:
        ok = set(e.timer_canceled_event_attributes, [&](const auto& a) { k.id = a.timer_id; });
        break;
    case et::cancel_timer_failed:
        ok = set(e.cancel_timer_failed_event_attributes, [&](const auto& a) { k.id = a.timer_id; });
        break;
    case et::marker_recorded:
        ok = set(e.marker_recorded_event_attributes, [&](const auto& a) { k.name = a.marker_name; });
        break;
    case et::record_marker_failed:
        ok = set(e.record_marker_failed_event_attributes, [&](const auto& a) { k.name = a.marker_name; });
        break;
    case et::lambda_function_scheduled:
        ok = set(e.lambda_function_scheduled_event_attributes, [&](const auto& a) {
            k.id = a.id;
            k.name = a.name;
        });
        break;
    case et::schedule_lambda_function_failed:
        ok = set(e.schedule_lambda_function_failed_event_attributes, [&](const auto& a) {
            k.id = a.id;
            k.name = a.name;
        });
        break;
    case et::start_child_workflow_execution_initiated:
        ok = set(e.start_child_workflow_execution_initiated_event_attributes, [&](const auto& a) {
            k.id = a.workflow_id;
            k.name = a.workflow_type.name;
            k.version = a.workflow_type.version;
        });
        break;
    case et::start_child_workflow_execution_failed:
        ok = set(e.start_child_workflow_execution_failed_event_attributes, [&](const auto& a) {
            k.id = a.workflow_id;
            k.name = a.workflow_type.name;
            k.version = a.workflow_type.version;
        });
        break;
    case et::signal_external_workflow_execution_initiated:
        ok = set(e.signal_external_workflow_execution_initiated_event_attributes, [&](const auto& a) {
            k.id = a.workflow_id;
            k.name = a.signal_name;
        });
        break;
    case et::signal_external_workflow_execution_failed:
        ok = set(e.signal_external_workflow_execution_failed_event_attributes,
                 [&](const auto& a) { k.id = a.workflow_id; });
        break;
    case et::request_cancel_external_workflow_execution_initiated:
        ok = set(e.request_cancel_external_workflow_execution_initiated_event_attributes,
                 [&](const auto& a) { k.id = a.workflow_id; });
        break;
    case et::request_cancel_external_workflow_execution_failed:
        ok = set(e.request_cancel_external_workflow_execution_failed_event_attributes,
                 [&](const auto& a) { k.id = a.workflow_id; });
        break;
    default: break; // the close decisions: the type is the identity
    }
    if (!ok) return std::nullopt;
    return k;
}

command_key key_of(const model::decision& d) {
    command_key k{d.decision_type, {}, {}, {}};
    switch (d.decision_type) {
    case dt::schedule_activity_task:
        if (const auto& a = d.schedule_activity_task_decision_attributes) {
            k.id = a->activity_id;
            k.name = a->activity_type.name;
            k.version = a->activity_type.version;
        }
        break;
    case dt::request_cancel_activity_task:
        if (const auto& a = d.request_cancel_activity_task_decision_attributes) k.id = a->activity_id;
        break;
    case dt::start_timer:
        if (const auto& a = d.start_timer_decision_attributes) k.id = a->timer_id;
        break;
    case dt::cancel_timer:
        if (const auto& a = d.cancel_timer_decision_attributes) k.id = a->timer_id;
        break;
    case dt::record_marker:
        if (const auto& a = d.record_marker_decision_attributes) k.name = a->marker_name;
        break;
    case dt::schedule_lambda_function:
        if (const auto& a = d.schedule_lambda_function_decision_attributes) {
            k.id = a->id;
            k.name = a->name;
        }
        break;
    case dt::start_child_workflow_execution:
        if (const auto& a = d.start_child_workflow_execution_decision_attributes) {
            k.id = a->workflow_id;
            k.name = a->workflow_type.name;
            k.version = a->workflow_type.version;
        }
        break;
    case dt::signal_external_workflow_execution:
        if (const auto& a = d.signal_external_workflow_execution_decision_attributes) {
            k.id = a->workflow_id;
            k.name = a->signal_name;
        }
        break;
    case dt::request_cancel_external_workflow_execution:
        if (const auto& a = d.request_cancel_external_workflow_execution_decision_attributes)
            k.id = a->workflow_id;
        break;
    default: break;
    }
    return k;
}

bool same_command(const command_key& history, const command_key& code) noexcept {
    return history.type == code.type && history.id == code.id &&
           (history.name.empty() || history.name == code.name) &&
           (history.version.empty() || history.version == code.version);
}

} // namespace swfrt::workflow
