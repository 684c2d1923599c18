// StartChildWorkflowExecution's lifecycle:
//
//   created --StartChildWorkflowExecutionInitiated--> initiated
//   created, initiated --StartChildWorkflowExecutionFailed--> start_failed (raises start_child_workflow_failed)
//   created --cancel--> dropped (not sent; raises canceled_error)
//   initiated --ChildWorkflowExecutionStarted--> started (the started future resolves with the run id)
//   started --ChildWorkflowExecutionCompleted--> completed
//           --ChildWorkflowExecutionFailed--> failed
//           --ChildWorkflowExecutionTimedOut--> timed_out
//           --ChildWorkflowExecutionCanceled--> canceled
//           --ChildWorkflowExecutionTerminated--> terminated
//
// A cancel of an initiated or started child is a request to it, a command
// of its own (cancel_external_machine): none -> requested; a refused
// request goes back to none, or, when the child had not started yet, to
// again_when_started, and is made again at ChildWorkflowExecutionStarted.
#include "workflow/engine.hpp"
#include "workflow/errors.hpp"
#include "workflow/machines/commands.hpp"
#include "swf/model/decisions.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = child_machine::state_t;

std::string_view child_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::initiated: return "initiated";
    case s::start_failed: return "start_failed";
    case s::started: return "started";
    case s::completed: return "completed";
    case s::failed: return "failed";
    case s::timed_out: return "timed_out";
    case s::canceled: return "canceled";
    case s::terminated: return "terminated";
    case s::dropped: return "dropped";
    }
    return "unknown";
}

void child_machine::fail(std::exception_ptr error) {
    if (started && !started->ready()) started->set_exception(error);
    st->set_exception(std::move(error));
}

bool child_machine::recorded(const model::history_event& e, engine& en) {
    if (s_ == s::created && e.event_type == et::start_child_workflow_execution_initiated) {
        s_ = s::initiated;
        moved(e, state_name());
        return true;
    }
    if (s_ == s::created && e.event_type == et::start_child_workflow_execution_failed) {
        s_ = s::start_failed;
        moved(e, state_name());
        fail(std::make_exception_ptr(start_child_workflow_failed(
            e.event_id, id, {name, version}, e.start_child_workflow_execution_failed_event_attributes->cause)));
        return false;
    }
    refuse(e, en);
    return false;
}

void child_machine::outcome(const model::history_event& e, engine& en) {
    if (e.event_type == et::child_workflow_execution_started) {
        const auto& a = *e.child_workflow_execution_started_event_attributes;
        if (s_ != s::initiated) {
            if (s_ == s::created || s_ == s::dropped || s_ == s::start_failed) return refuse(e, en);
            return en.report_malformed(e,
                                       "the child initiated at event " + std::to_string(a.initiated_event_id) +
                                           " already started (" + transitions() + ")",
                                       transitions());
        }
        s_ = s::started;
        moved(e, state_name());
        run_id = a.workflow_execution.run_id;
        if (started) started->set_value(run_id);
        // A cancel asked for before the child existed is asked again now.
        if (cancel_ == cancel_t::again_when_started) {
            cancel_ = cancel_t::none;
            en.soon([&en, self = shared_from_this()] { en.cancel(self, 0); });
        }
        return;
    }
    if (e.event_type == et::start_child_workflow_execution_failed) {
        if (s_ != s::initiated) return refuse(e, en);
        s_ = s::start_failed;
        moved(e, state_name());
        fail(std::make_exception_ptr(start_child_workflow_failed(
            e.event_id, id, {name, version}, e.start_child_workflow_execution_failed_event_attributes->cause)));
        return;
    }
    if (s_ != s::started) return refuse(e, en);
    const model::workflow_type type{name, version};
    switch (e.event_type) {
    case et::child_workflow_execution_completed:
        s_ = s::completed;
        moved(e, state_name());
        typed<std::string>().set_value(e.child_workflow_execution_completed_event_attributes->result_.value_or(""));
        return;
    case et::child_workflow_execution_failed: {
        s_ = s::failed;
        moved(e, state_name());
        const auto& a = *e.child_workflow_execution_failed_event_attributes;
        fail(std::make_exception_ptr(child_workflow_failed(e.event_id, id, type, a.workflow_execution.run_id,
                                                           a.reason.value_or(""), a.details.value_or(""))));
        return;
    }
    case et::child_workflow_execution_timed_out: {
        s_ = s::timed_out;
        moved(e, state_name());
        const auto& a = *e.child_workflow_execution_timed_out_event_attributes;
        fail(std::make_exception_ptr(
            child_workflow_timed_out(e.event_id, id, type, a.workflow_execution.run_id, a.timeout_type)));
        return;
    }
    case et::child_workflow_execution_canceled: {
        s_ = s::canceled;
        moved(e, state_name());
        const auto& a = *e.child_workflow_execution_canceled_event_attributes;
        fail(std::make_exception_ptr(
            child_workflow_canceled(e.event_id, id, type, a.workflow_execution.run_id, a.details.value_or(""))));
        return;
    }
    case et::child_workflow_execution_terminated:
        s_ = s::terminated;
        moved(e, state_name());
        fail(std::make_exception_ptr(child_workflow_terminated(
            e.event_id, id, type, e.child_workflow_execution_terminated_event_attributes->workflow_execution.run_id)));
        return;
    default: return refuse(e, en);
    }
}

void child_machine::cancel(engine& en, std::int64_t event_id) {
    if (s_ == s::created) {
        en.drop(*this);
        s_ = s::dropped;
        dropped();
        fail(std::make_exception_ptr(canceled_error(text() + " was canceled", event_id)));
        return;
    }
    if ((s_ != s::initiated && s_ != s::started) || cancel_ != cancel_t::none) return;
    cancel_ = cancel_t::requested;
    moved_by_code("cancel", state_name());
    auto request = en.make<cancel_external_machine>();
    request->id = id;
    request->run_id = run_id;
    request->st = en.make<state<void>>(&en.sched); // nobody waits for it
    request->target = std::static_pointer_cast<child_machine>(shared_from_this());
    model::request_cancel_external_workflow_execution_decision_attributes a;
    a.workflow_id = id;
    if (!run_id.empty()) a.run_id = run_id;
    if (en.live) a.control = cancel_control;
    en.issue(model::make_decision(std::move(a)), std::move(request));
}

void child_machine::cancel_refused() {
    if (!pending()) return;
    cancel_ = run_id.empty() ? cancel_t::again_when_started : cancel_t::none;
}

} // namespace swfrt::workflow::detail
