// RequestCancelExternalWorkflowExecution's lifecycle:
//
//   created --RequestCancelExternalWorkflowExecutionInitiated--> initiated
//   created, initiated --RequestCancelExternalWorkflowExecutionFailed--> failed
//                         (raises request_cancel_external_failed; a child's cancel is told)
//   initiated --ExternalWorkflowExecutionCancelRequested--> delivered
#include "workflow/engine.hpp"
#include "workflow/errors.hpp"
#include "workflow/machines/commands.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = cancel_external_machine::state_t;

std::string_view cancel_external_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::initiated: return "initiated";
    case s::delivered: return "delivered";
    case s::failed: return "failed";
    }
    return "unknown";
}

void cancel_external_machine::refused(std::exception_ptr error) {
    fail(std::move(error));
    if (auto child = target.lock()) child->cancel_refused();
}

namespace {

std::exception_ptr failure(const model::history_event& e, const command_machine& m) {
    return std::make_exception_ptr(request_cancel_external_failed(
        e.event_id, m.id, m.run_id, e.request_cancel_external_workflow_execution_failed_event_attributes->cause));
}

} // namespace

bool cancel_external_machine::recorded(const model::history_event& e, engine& en) {
    if (s_ == s::created && e.event_type == et::request_cancel_external_workflow_execution_initiated) {
        s_ = s::initiated;
        moved(e, state_name());
        return true;
    }
    if (s_ == s::created && e.event_type == et::request_cancel_external_workflow_execution_failed) {
        s_ = s::failed;
        moved(e, state_name());
        refused(failure(e, *this));
        return false;
    }
    refuse(e, en);
    return false;
}

void cancel_external_machine::outcome(const model::history_event& e, engine& en) {
    if (s_ != s::initiated) return refuse(e, en);
    if (e.event_type == et::external_workflow_execution_cancel_requested) {
        s_ = s::delivered;
        moved(e, state_name());
        typed<void>().set_value();
        return;
    }
    if (e.event_type == et::request_cancel_external_workflow_execution_failed) {
        s_ = s::failed;
        moved(e, state_name());
        refused(failure(e, *this));
        return;
    }
    refuse(e, en);
}

} // namespace swfrt::workflow::detail
