// SignalExternalWorkflowExecution's lifecycle (SWF cannot cancel one):
//
//   created --SignalExternalWorkflowExecutionInitiated--> initiated
//   created, initiated --SignalExternalWorkflowExecutionFailed--> failed (raises signal_external_failed)
//   initiated --ExternalWorkflowExecutionSignaled--> signaled
#include "workflow/engine.hpp"
#include "workflow/errors.hpp"
#include "workflow/machines/commands.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = signal_external_machine::state_t;

std::string_view signal_external_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::initiated: return "initiated";
    case s::signaled: return "signaled";
    case s::failed: return "failed";
    }
    return "unknown";
}

namespace {

std::exception_ptr failure(const model::history_event& e, const command_machine& m) {
    return std::make_exception_ptr(signal_external_failed(
        e.event_id, m.id, m.run_id, m.name, e.signal_external_workflow_execution_failed_event_attributes->cause));
}

} // namespace

bool signal_external_machine::recorded(const model::history_event& e, engine& en) {
    if (s_ == s::created && e.event_type == et::signal_external_workflow_execution_initiated) {
        s_ = s::initiated;
        moved(e, state_name());
        return true;
    }
    if (s_ == s::created && e.event_type == et::signal_external_workflow_execution_failed) {
        s_ = s::failed;
        moved(e, state_name());
        fail(failure(e, *this));
        return false;
    }
    refuse(e, en);
    return false;
}

void signal_external_machine::outcome(const model::history_event& e, engine& en) {
    if (s_ != s::initiated) return refuse(e, en);
    if (e.event_type == et::external_workflow_execution_signaled) {
        s_ = s::signaled;
        moved(e, state_name());
        typed<void>().set_value();
        return;
    }
    if (e.event_type == et::signal_external_workflow_execution_failed) {
        s_ = s::failed;
        moved(e, state_name());
        fail(failure(e, *this));
        return;
    }
    refuse(e, en);
}

} // namespace swfrt::workflow::detail
