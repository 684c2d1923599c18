// StartTimer's lifecycle:
//
//   created --TimerStarted--> started
//   created --StartTimerFailed--> start_failed (raises start_timer_failed)
//   created --cancel--> dropped (not sent; raises canceled_error)
//   started --TimerFired--> fired
//   started --cancel--> cancel_issued (CancelTimer; raises canceled_error at once)
//   cancel_issued --TimerCanceled--> canceled
//   cancel_issued --TimerFired--> fired_after_cancel (it crossed the CancelTimer)
//   cancel_issued, fired_after_cancel --CancelTimerFailed--> cancel_failed
//   cancel_failed --TimerFired--> fired_after_cancel
#include "workflow/engine.hpp"
#include "workflow/errors.hpp"
#include "workflow/machines/commands.hpp"
#include "swf/model/decisions.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = timer_machine::state_t;

std::string_view timer_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::started: return "started";
    case s::start_failed: return "start_failed";
    case s::fired: return "fired";
    case s::cancel_issued: return "cancel_issued";
    case s::canceled: return "canceled";
    case s::fired_after_cancel: return "fired_after_cancel";
    case s::cancel_failed: return "cancel_failed";
    case s::dropped: return "dropped";
    }
    return "unknown";
}

bool timer_machine::recorded(const model::history_event& e, engine& en) {
    switch (e.event_type) {
    case et::timer_started:
        if (s_ != s::created) break;
        s_ = s::started;
        moved(e, state_name());
        return true;
    case et::start_timer_failed:
        if (s_ != s::created) break;
        s_ = s::start_failed;
        moved(e, state_name());
        fail(std::make_exception_ptr(
            start_timer_failed(e.event_id, id, e.start_timer_failed_event_attributes->cause)));
        return false;
    case et::timer_canceled:
        if (s_ != s::cancel_issued) break;
        s_ = s::canceled;
        moved(e, state_name());
        return false;
    case et::cancel_timer_failed:
        if (s_ != s::cancel_issued && s_ != s::fired_after_cancel) break;
        if (s_ == s::cancel_issued) s_ = s::cancel_failed;
        moved(e, state_name());
        return false;
    default: break;
    }
    refuse(e, en);
    return false;
}

void timer_machine::outcome(const model::history_event& e, engine& en) {
    if (e.event_type == et::timer_fired) {
        if (s_ == s::started) {
            s_ = s::fired;
            moved(e, state_name());
            typed<void>().set_value();
            return;
        }
        if (s_ == s::cancel_issued || s_ == s::cancel_failed) {
            // Its future raised canceled_error already: nothing left to resolve.
            s_ = s::fired_after_cancel;
            moved(e, state_name());
            return;
        }
    }
    refuse(e, en);
}

void timer_machine::cancel(engine& en, std::int64_t event_id) {
    if (s_ == s::created) {
        en.drop(*this);
        s_ = s::dropped;
        dropped();
    } else if (s_ == s::started) {
        s_ = s::cancel_issued;
        moved_by_code("cancel", state_name());
        model::cancel_timer_decision_attributes a;
        a.timer_id = id;
        en.issue(model::make_decision(std::move(a)), shared_from_this());
    } else {
        return;
    }
    fail(std::make_exception_ptr(canceled_error(text() + " was canceled", event_id)));
}

} // namespace swfrt::workflow::detail
