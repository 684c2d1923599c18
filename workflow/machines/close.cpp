// A close decision's lifecycle:
//
//   created --WorkflowExecutionCompleted, ...Failed, ...Canceled, ...ContinuedAsNew--> closed
//   created --CompleteWorkflowExecutionFailed, FailWorkflowExecutionFailed,
//             CancelWorkflowExecutionFailed, ContinueAsNewWorkflowExecutionFailed--> refused
//
// A refused close is made again, as a new command, at the next decision
// task, after what the events that caused the refusal set off
// (engine::close_refused).
#include "workflow/engine.hpp"
#include "workflow/machines/commands.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = close_machine::state_t;

std::string_view close_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::closed: return "closed";
    case s::refused: return "refused";
    }
    return "unknown";
}

bool close_machine::recorded(const model::history_event& e, engine& en) {
    if (s_ == s::created) {
        switch (e.event_type) {
        case et::workflow_execution_completed:
        case et::workflow_execution_failed:
        case et::workflow_execution_canceled:
        case et::workflow_execution_continued_as_new:
            s_ = s::closed;
            moved(e, state_name());
            return false;
        case et::complete_workflow_execution_failed:
        case et::fail_workflow_execution_failed:
        case et::cancel_workflow_execution_failed:
        case et::continue_as_new_workflow_execution_failed:
            s_ = s::refused;
            moved(e, state_name());
            en.close_refused(e);
            return false;
        default: break;
        }
    }
    refuse(e, en);
    return false;
}

void close_machine::outcome(const model::history_event& e, engine& en) {
    refuse(e, en); // no event names a close decision
}

} // namespace swfrt::workflow::detail
