#include "workflow/machines/machine.hpp"

#include "workflow/engine.hpp"
#include "workflow/history_events.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;

std::string_view to_string(op_kind kind) noexcept {
    switch (kind) {
    case op_kind::activity: return "activity";
    case op_kind::timer: return "timer";
    case op_kind::lambda: return "Lambda function";
    case op_kind::child: return "child workflow";
    case op_kind::signal_external: return "external signal";
    case op_kind::cancel_external: return "external cancel request";
    case op_kind::marker: return "marker";
    case op_kind::close: return "close";
    }
    return "command";
}

void command_machine::cancel(engine&, std::int64_t) {
    // SWF has no way to cancel a Lambda function, a signal or a cancel request.
}

std::string command_machine::text() const {
    const std::string quoted_id = "\"" + id + "\"";
    switch (kind) {
    case op_kind::activity: return "activity " + quoted_id + " (" + name + " " + version + ")";
    case op_kind::timer: return "timer " + quoted_id;
    case op_kind::lambda: return "Lambda function " + quoted_id + " (" + name + ")";
    case op_kind::child: return "child workflow " + quoted_id + " (" + name + " " + version + ")";
    case op_kind::signal_external: return "signal \"" + name + "\" to " + quoted_id;
    case op_kind::cancel_external: return "cancel request to " + quoted_id;
    case op_kind::marker: return "marker \"" + name + "\"";
    case op_kind::close: return "close decision " + name;
    }
    return "command";
}

std::string command_machine::transitions() const {
    const std::size_t first = count_ > kept ? count_ - kept : 0;
    std::string out = first ? "(" + std::to_string(first) + " earlier transitions)" : "created";
    for (std::size_t i = first; i < count_; ++i) {
        const auto& t = seen_[i % kept];
        out += " -";
        out += t.cause;
        if (t.event_id != 0) out += "@" + std::to_string(t.event_id);
        out += "-> ";
        out += t.to;
    }
    return out;
}

void command_machine::moved(const model::history_event& e, std::string_view to) {
    seen_[count_ % kept] = {model::to_string(e.event_type, e.event_type_text), e.event_id, to};
    ++count_;
}

void command_machine::moved_by_code(std::string_view cause, std::string_view to) {
    seen_[count_ % kept] = {cause, 0, to};
    ++count_;
}

void command_machine::refuse(const model::history_event& e, engine& en) const {
    if (st && st->ready() && recorded_at != 0 && outcome_of(e)) {
        en.report_malformed(e, "the command recorded at event " + std::to_string(recorded_at) +
                                   " already has an outcome", transitions());
        return;
    }
    en.report_malformed(e,
                        std::string(model::to_string(e.event_type, e.event_type_text)) + " does not fit the " + text() +
                            ", which is " +
                            std::string(state_name()) + " (" + transitions() + ")",
                        transitions());
}

void command_machine::fail(std::exception_ptr error) {
    st->set_exception(std::move(error));
}

std::optional<std::int64_t> initiated_of(const model::history_event& e) {
    switch (e.event_type) {
    case et::start_child_workflow_execution_failed:
        if (const auto& a = e.start_child_workflow_execution_failed_event_attributes) return a->initiated_event_id;
        break;
    case et::signal_external_workflow_execution_failed:
        if (const auto& a = e.signal_external_workflow_execution_failed_event_attributes)
            return a->initiated_event_id;
        break;
    case et::request_cancel_external_workflow_execution_failed:
        if (const auto& a = e.request_cancel_external_workflow_execution_failed_event_attributes)
            return a->initiated_event_id;
        break;
    default: break;
    }
    return std::nullopt;
}

std::optional<outcome_ref> outcome_of(const model::history_event& e) {
    auto ref = [](std::int64_t id, op_kind kind) { return std::optional<outcome_ref>(outcome_ref{id, kind}); };
#define SWFRT_OUTCOME(type, attrs, member, kind)                                                                  \
    case et::type:                                                                                            \
        if (const auto& a = e.attrs) return ref(a->member, op_kind::kind);                                   \
        return std::nullopt;
    switch (e.event_type) {
        SWFRT_OUTCOME(activity_task_completed, activity_task_completed_event_attributes, scheduled_event_id, activity)
        SWFRT_OUTCOME(activity_task_failed, activity_task_failed_event_attributes, scheduled_event_id, activity)
        SWFRT_OUTCOME(activity_task_timed_out, activity_task_timed_out_event_attributes, scheduled_event_id, activity)
        SWFRT_OUTCOME(activity_task_canceled, activity_task_canceled_event_attributes, scheduled_event_id, activity)
        SWFRT_OUTCOME(timer_fired, timer_fired_event_attributes, started_event_id, timer)
        SWFRT_OUTCOME(lambda_function_completed, lambda_function_completed_event_attributes, scheduled_event_id,
                      lambda)
        SWFRT_OUTCOME(lambda_function_failed, lambda_function_failed_event_attributes, scheduled_event_id, lambda)
        SWFRT_OUTCOME(lambda_function_timed_out, lambda_function_timed_out_event_attributes, scheduled_event_id,
                      lambda)
        SWFRT_OUTCOME(child_workflow_execution_started, child_workflow_execution_started_event_attributes,
                      initiated_event_id, child)
        SWFRT_OUTCOME(child_workflow_execution_completed, child_workflow_execution_completed_event_attributes,
                      initiated_event_id, child)
        SWFRT_OUTCOME(child_workflow_execution_failed, child_workflow_execution_failed_event_attributes,
                      initiated_event_id, child)
        SWFRT_OUTCOME(child_workflow_execution_timed_out, child_workflow_execution_timed_out_event_attributes,
                      initiated_event_id, child)
        SWFRT_OUTCOME(child_workflow_execution_canceled, child_workflow_execution_canceled_event_attributes,
                      initiated_event_id, child)
        SWFRT_OUTCOME(child_workflow_execution_terminated, child_workflow_execution_terminated_event_attributes,
                      initiated_event_id, child)
        SWFRT_OUTCOME(start_child_workflow_execution_failed, start_child_workflow_execution_failed_event_attributes,
                      initiated_event_id, child)
        SWFRT_OUTCOME(external_workflow_execution_signaled, external_workflow_execution_signaled_event_attributes,
                      initiated_event_id, signal_external)
        SWFRT_OUTCOME(signal_external_workflow_execution_failed,
                      signal_external_workflow_execution_failed_event_attributes, initiated_event_id, signal_external)
        SWFRT_OUTCOME(external_workflow_execution_cancel_requested,
                      external_workflow_execution_cancel_requested_event_attributes, initiated_event_id,
                      cancel_external)
        SWFRT_OUTCOME(request_cancel_external_workflow_execution_failed,
                      request_cancel_external_workflow_execution_failed_event_attributes, initiated_event_id,
                      cancel_external)
    case et::start_lambda_function_failed:
        if (const auto& a = e.start_lambda_function_failed_event_attributes; a && a->scheduled_event_id)
            return ref(*a->scheduled_event_id, op_kind::lambda);
        return std::nullopt;
    default: return std::nullopt;
    }
#undef SWFRT_OUTCOME
}

} // namespace swfrt::workflow::detail
