// ScheduleLambdaFunction's lifecycle (SWF cannot cancel one):
//
//   created --LambdaFunctionScheduled--> scheduled
//   created --ScheduleLambdaFunctionFailed--> schedule_failed (raises schedule_lambda_failed)
//   scheduled --LambdaFunctionCompleted--> completed
//             --LambdaFunctionFailed--> failed
//             --LambdaFunctionTimedOut--> timed_out
//             --StartLambdaFunctionFailed--> start_failed
#include "workflow/engine.hpp"
#include "workflow/errors.hpp"
#include "workflow/machines/commands.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = lambda_machine::state_t;

std::string_view lambda_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::scheduled: return "scheduled";
    case s::schedule_failed: return "schedule_failed";
    case s::completed: return "completed";
    case s::failed: return "failed";
    case s::timed_out: return "timed_out";
    case s::start_failed: return "start_failed";
    }
    return "unknown";
}

bool lambda_machine::recorded(const model::history_event& e, engine& en) {
    if (s_ == s::created && e.event_type == et::lambda_function_scheduled) {
        s_ = s::scheduled;
        moved(e, state_name());
        return true;
    }
    if (s_ == s::created && e.event_type == et::schedule_lambda_function_failed) {
        s_ = s::schedule_failed;
        moved(e, state_name());
        fail(std::make_exception_ptr(
            schedule_lambda_failed(e.event_id, id, name, e.schedule_lambda_function_failed_event_attributes->cause)));
        return false;
    }
    refuse(e, en);
    return false;
}

void lambda_machine::outcome(const model::history_event& e, engine& en) {
    if (s_ != s::scheduled) return refuse(e, en);
    switch (e.event_type) {
    case et::lambda_function_completed:
        s_ = s::completed;
        moved(e, state_name());
        typed<std::string>().set_value(e.lambda_function_completed_event_attributes->result_.value_or(""));
        return;
    case et::lambda_function_failed: {
        s_ = s::failed;
        moved(e, state_name());
        const auto& a = *e.lambda_function_failed_event_attributes;
        fail(std::make_exception_ptr(
            lambda_failed(e.event_id, id, name, a.reason.value_or(""), a.details.value_or(""))));
        return;
    }
    case et::lambda_function_timed_out:
        s_ = s::timed_out;
        moved(e, state_name());
        fail(std::make_exception_ptr(
            lambda_timed_out(e.event_id, id, name, e.lambda_function_timed_out_event_attributes->timeout_type)));
        return;
    case et::start_lambda_function_failed: {
        s_ = s::start_failed;
        moved(e, state_name());
        const auto& a = *e.start_lambda_function_failed_event_attributes;
        fail(std::make_exception_ptr(start_lambda_failed(e.event_id, id, name, a.cause, a.message.value_or(""))));
        return;
    }
    default: return refuse(e, en);
    }
}

} // namespace swfrt::workflow::detail
