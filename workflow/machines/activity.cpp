// ScheduleActivityTask's lifecycle:
//
//   created --ActivityTaskScheduled--> scheduled
//   created --ScheduleActivityTaskFailed--> schedule_failed (raises schedule_activity_failed)
//   created --cancel--> dropped (not sent; raises canceled_error)
//   created --ScheduleActivityTaskFailed DEFAULT_TASK_LIST_UNDEFINED--> created
//            (scheduled without a task list, of a type registered without a
//            default: made again at the next decision task on the workflow's
//            default activity task list)
//   scheduled --cancel--> cancel_issued (RequestCancelActivityTask)
//   cancel_issued --ActivityTaskCancelRequested--> cancel_recorded
//   cancel_issued --RequestCancelActivityTaskFailed--> cancel_failed (not asked again)
//   scheduled, cancel_issued, cancel_recorded, cancel_failed --ActivityTaskCompleted--> completed
//                                                            --ActivityTaskFailed--> failed
//                                                            --ActivityTaskTimedOut--> timed_out
//                                                            --ActivityTaskCanceled--> canceled
//
// SWF records ActivityTaskCanceled at once, among the decision task's own
// events, for an activity that had not started: cancel_issued accepts it
// before its ActivityTaskCancelRequested is matched. A worker may also
// answer a task canceled that nobody asked to cancel.
#include "workflow/engine.hpp"
#include "workflow/errors.hpp"
#include "workflow/machines/commands.hpp"
#include "swf/model/decisions.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = activity_machine::state_t;

std::string_view activity_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::scheduled: return "scheduled";
    case s::schedule_failed: return "schedule_failed";
    case s::cancel_issued: return "cancel_issued";
    case s::cancel_recorded: return "cancel_recorded";
    case s::cancel_failed: return "cancel_failed";
    case s::completed: return "completed";
    case s::failed: return "failed";
    case s::timed_out: return "timed_out";
    case s::canceled: return "canceled";
    case s::dropped: return "dropped";
    }
    return "unknown";
}

bool activity_machine::recorded(const model::history_event& e, engine& en) {
    switch (e.event_type) {
    case et::activity_task_scheduled:
        if (s_ != s::created) break;
        s_ = s::scheduled;
        moved(e, state_name());
        return true;
    case et::schedule_activity_task_failed:
        if (s_ != s::created) break;
        if (without_task_list && e.schedule_activity_task_failed_event_attributes->cause ==
                                     model::schedule_activity_task_failed_cause::default_task_list_undefined) {
            // Scheduled again at the next decision task, on the workflow's
            // default activity task list.
            moved(e, "created");
            std::shared_ptr<model::schedule_activity_task_decision_attributes> attrs(std::move(without_task_list));
            attrs->task_list = model::task_list{en.activity_task_list()};
            en.soon([&en, self = std::static_pointer_cast<activity_machine>(shared_from_this()), attrs] {
                if (self->s_ != s::created) return; // canceled meanwhile
                auto a = *attrs;
                if (!en.live) a.input.reset();
                en.issue(model::make_decision(std::move(a)), self);
            });
            return false;
        }
        s_ = s::schedule_failed;
        moved(e, state_name());
        fail(std::make_exception_ptr(schedule_activity_failed(
            e.event_id, id, {name, version}, e.schedule_activity_task_failed_event_attributes->cause)));
        return false;
    case et::activity_task_cancel_requested:
        if (s_ == s::cancel_issued) {
            s_ = s::cancel_recorded;
            moved(e, state_name());
            return false;
        }
        // Already ended (ActivityTaskCanceled came first): the request stays recorded.
        if (s_ == s::canceled || s_ == s::completed || s_ == s::failed || s_ == s::timed_out) {
            moved(e, state_name());
            return false;
        }
        break;
    case et::request_cancel_activity_task_failed:
        if (s_ == s::cancel_issued) {
            s_ = s::cancel_failed;
            moved(e, state_name());
            return false;
        }
        // The activity ended before the request was applied.
        if (s_ == s::completed || s_ == s::failed || s_ == s::timed_out || s_ == s::canceled) {
            moved(e, state_name());
            return false;
        }
        break;
    default: break;
    }
    refuse(e, en);
    return false;
}

void activity_machine::outcome(const model::history_event& e, engine& en) {
    const bool open =
        s_ == s::scheduled || s_ == s::cancel_issued || s_ == s::cancel_recorded || s_ == s::cancel_failed;
    switch (e.event_type) {
    case et::activity_task_completed:
        if (!open) break;
        s_ = s::completed;
        moved(e, state_name());
        typed<std::string>().set_value(e.activity_task_completed_event_attributes->result_.value_or(""));
        return;
    case et::activity_task_failed: {
        if (!open) break;
        s_ = s::failed;
        moved(e, state_name());
        const auto& a = *e.activity_task_failed_event_attributes;
        fail(std::make_exception_ptr(
            activity_failed(e.event_id, id, {name, version}, a.reason.value_or(""), a.details.value_or(""))));
        return;
    }
    case et::activity_task_timed_out: {
        if (!open) break;
        s_ = s::timed_out;
        moved(e, state_name());
        const auto& a = *e.activity_task_timed_out_event_attributes;
        fail(std::make_exception_ptr(
            activity_timed_out(e.event_id, id, {name, version}, a.timeout_type, a.details.value_or(""))));
        return;
    }
    case et::activity_task_canceled:
        if (!open) break;
        s_ = s::canceled;
        moved(e, state_name());
        fail(std::make_exception_ptr(activity_canceled(
            e.event_id, id, {name, version}, e.activity_task_canceled_event_attributes->details.value_or(""))));
        return;
    default: break;
    }
    refuse(e, en);
}

void activity_machine::cancel(engine& en, std::int64_t event_id) {
    if (s_ == s::created) {
        en.drop(*this);
        s_ = s::dropped;
        dropped();
        fail(std::make_exception_ptr(canceled_error(text() + " was canceled", event_id)));
        return;
    }
    if (s_ != s::scheduled) return; // asked already, or ended
    s_ = s::cancel_issued;
    moved_by_code("cancel", state_name());
    model::request_cancel_activity_task_decision_attributes a;
    a.activity_id = id;
    en.issue(model::make_decision(std::move(a)), shared_from_this());
    // Raises when SWF reports it canceled (or ends as it ends).
}

} // namespace swfrt::workflow::detail
