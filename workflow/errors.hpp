// What workflow code sees when a command does not succeed: each failure the
// history reports (failed, timed out, canceled, could not be scheduled)
// is raised from co_await as its own type, carrying what SWF recorded and
// the id of the history event that reported it. workflow_failed is the one
// the code throws itself, to fail the execution with a reason and details.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "swf/model/model.hpp"

namespace swfrt::workflow {

// Base of every failure raised by a context command.
class operation_error : public std::runtime_error {
public:
    operation_error(const std::string& what, std::int64_t event_id)
        : std::runtime_error(what), event_id_(event_id) {}
    // The history event that reported the failure.
    std::int64_t event_id() const noexcept { return event_id_; }

private:
    std::int64_t event_id_;
};

// ---- activities ----

class activity_error : public operation_error {
public:
    activity_error(const std::string& what, std::int64_t event_id, std::string activity_id,
                   swf::model::activity_type type)
        : operation_error(what, event_id), activity_id_(std::move(activity_id)), type_(std::move(type)) {}
    const std::string& activity_id() const noexcept { return activity_id_; }
    const swf::model::activity_type& activity_type() const noexcept { return type_; }

private:
    std::string activity_id_;
    swf::model::activity_type type_;
};

// ActivityTaskFailed: the handler failed the task.
class activity_failed : public activity_error {
public:
    activity_failed(std::int64_t event_id, std::string activity_id, swf::model::activity_type type,
                    std::string reason, std::string details);
    const std::string& reason() const noexcept { return reason_; }
    const std::string& details() const noexcept { return details_; }

private:
    std::string reason_;
    std::string details_;
};

// ActivityTaskTimedOut.
class activity_timed_out : public activity_error {
public:
    activity_timed_out(std::int64_t event_id, std::string activity_id, swf::model::activity_type type,
                       swf::model::activity_task_timeout_type timeout_type, std::string details);
    swf::model::activity_task_timeout_type timeout_type() const noexcept { return timeout_type_; }
    // The last heartbeat's details, if any.
    const std::string& details() const noexcept { return details_; }

private:
    swf::model::activity_task_timeout_type timeout_type_;
    std::string details_;
};

// ActivityTaskCanceled.
class activity_canceled : public activity_error {
public:
    activity_canceled(std::int64_t event_id, std::string activity_id, swf::model::activity_type type,
                      std::string details);
    const std::string& details() const noexcept { return details_; }

private:
    std::string details_;
};

// ScheduleActivityTaskFailed: SWF refused the decision (unknown or
// deprecated type, id in use, a default timeout undefined, ...).
class schedule_activity_failed : public activity_error {
public:
    schedule_activity_failed(std::int64_t event_id, std::string activity_id, swf::model::activity_type type,
                             swf::model::schedule_activity_task_failed_cause cause);
    swf::model::schedule_activity_task_failed_cause cause() const noexcept { return cause_; }

private:
    swf::model::schedule_activity_task_failed_cause cause_;
};

// ---- Lambda functions ----

class lambda_error : public operation_error {
public:
    lambda_error(const std::string& what, std::int64_t event_id, std::string lambda_id, std::string function)
        : operation_error(what, event_id), lambda_id_(std::move(lambda_id)), function_(std::move(function)) {}
    const std::string& lambda_id() const noexcept { return lambda_id_; }
    const std::string& function() const noexcept { return function_; }

private:
    std::string lambda_id_;
    std::string function_;
};

// LambdaFunctionFailed.
class lambda_failed : public lambda_error {
public:
    lambda_failed(std::int64_t event_id, std::string lambda_id, std::string function, std::string reason,
                  std::string details);
    const std::string& reason() const noexcept { return reason_; }
    const std::string& details() const noexcept { return details_; }

private:
    std::string reason_;
    std::string details_;
};

// LambdaFunctionTimedOut.
class lambda_timed_out : public lambda_error {
public:
    lambda_timed_out(std::int64_t event_id, std::string lambda_id, std::string function,
                     std::optional<swf::model::lambda_function_timeout_type> timeout_type);
    std::optional<swf::model::lambda_function_timeout_type> timeout_type() const noexcept {
        return timeout_type_;
    }

private:
    std::optional<swf::model::lambda_function_timeout_type> timeout_type_;
};

// ScheduleLambdaFunctionFailed: SWF refused the decision.
class schedule_lambda_failed : public lambda_error {
public:
    schedule_lambda_failed(std::int64_t event_id, std::string lambda_id, std::string function,
                           swf::model::schedule_lambda_function_failed_cause cause);
    swf::model::schedule_lambda_function_failed_cause cause() const noexcept { return cause_; }

private:
    swf::model::schedule_lambda_function_failed_cause cause_;
};

// StartLambdaFunctionFailed: scheduled, but Lambda could not be invoked
// (e.g. the execution's lambda role could not be assumed).
class start_lambda_failed : public lambda_error {
public:
    start_lambda_failed(std::int64_t event_id, std::string lambda_id, std::string function,
                        std::optional<swf::model::start_lambda_function_failed_cause> cause,
                        std::string message);
    std::optional<swf::model::start_lambda_function_failed_cause> cause() const noexcept { return cause_; }
    const std::string& message() const noexcept { return message_; }

private:
    std::optional<swf::model::start_lambda_function_failed_cause> cause_;
    std::string message_;
};

// ---- timers ----

// StartTimerFailed.
class start_timer_failed : public operation_error {
public:
    start_timer_failed(std::int64_t event_id, std::string timer_id,
                       swf::model::start_timer_failed_cause cause);
    const std::string& timer_id() const noexcept { return timer_id_; }
    swf::model::start_timer_failed_cause cause() const noexcept { return cause_; }

private:
    std::string timer_id_;
    swf::model::start_timer_failed_cause cause_;
};

// ---- the workflow itself ----

// Thrown from run (or anything it awaits) to fail the execution with
// FailWorkflowExecution; reason and details are cut to SWF's 256 and 32768
// characters when the decision is made.
class workflow_failed : public std::runtime_error {
public:
    workflow_failed(std::string reason, std::string details = {})
        : std::runtime_error(reason), reason_(std::move(reason)), details_(std::move(details)) {}
    const std::string& reason() const noexcept { return reason_; }
    const std::string& details() const noexcept { return details_; }

private:
    std::string reason_;
    std::string details_;
};

} // namespace swfrt::workflow
