// What workflow code sees when a command does not succeed: each failure the
// history reports (failed, timed out, canceled, could not be scheduled)
// is raised from co_await as its own type, carrying what SWF recorded and
// the id of the history event that reported it. workflow_failed is the one
// the code throws itself, to fail the execution with a reason and details.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

// ---- child workflows ----

class child_workflow_error : public operation_error {
public:
    child_workflow_error(const std::string& what, std::int64_t event_id, std::string workflow_id,
                         swf::model::workflow_type type, std::string run_id)
        : operation_error(what, event_id), workflow_id_(std::move(workflow_id)), type_(std::move(type)),
          run_id_(std::move(run_id)) {}
    const std::string& workflow_id() const noexcept { return workflow_id_; }
    const swf::model::workflow_type& workflow_type() const noexcept { return type_; }
    // The child's run id; empty when it never started.
    const std::string& run_id() const noexcept { return run_id_; }

private:
    std::string workflow_id_;
    swf::model::workflow_type type_;
    std::string run_id_;
};

// ChildWorkflowExecutionFailed: the child failed its execution.
class child_workflow_failed : public child_workflow_error {
public:
    child_workflow_failed(std::int64_t event_id, std::string workflow_id, swf::model::workflow_type type,
                          std::string run_id, std::string reason, std::string details);
    const std::string& reason() const noexcept { return reason_; }
    const std::string& details() const noexcept { return details_; }

private:
    std::string reason_;
    std::string details_;
};

// ChildWorkflowExecutionTimedOut.
class child_workflow_timed_out : public child_workflow_error {
public:
    child_workflow_timed_out(std::int64_t event_id, std::string workflow_id, swf::model::workflow_type type,
                             std::string run_id, swf::model::workflow_execution_timeout_type timeout_type);
    swf::model::workflow_execution_timeout_type timeout_type() const noexcept { return timeout_type_; }

private:
    swf::model::workflow_execution_timeout_type timeout_type_;
};

// ChildWorkflowExecutionCanceled.
class child_workflow_canceled : public child_workflow_error {
public:
    child_workflow_canceled(std::int64_t event_id, std::string workflow_id, swf::model::workflow_type type,
                            std::string run_id, std::string details);
    const std::string& details() const noexcept { return details_; }

private:
    std::string details_;
};

// ChildWorkflowExecutionTerminated (by TerminateWorkflowExecution or by a
// parent's child policy).
class child_workflow_terminated : public child_workflow_error {
public:
    child_workflow_terminated(std::int64_t event_id, std::string workflow_id, swf::model::workflow_type type,
                              std::string run_id);
};

// StartChildWorkflowExecutionFailed: SWF refused to start the child
// (unknown or deprecated type, workflow id in use, a default undefined, ...).
class start_child_workflow_failed : public child_workflow_error {
public:
    start_child_workflow_failed(std::int64_t event_id, std::string workflow_id,
                                swf::model::workflow_type type,
                                swf::model::start_child_workflow_execution_failed_cause cause);
    swf::model::start_child_workflow_execution_failed_cause cause() const noexcept { return cause_; }

private:
    swf::model::start_child_workflow_execution_failed_cause cause_;
};

// ---- other executions ----

// SignalExternalWorkflowExecutionFailed.
class signal_external_failed : public operation_error {
public:
    signal_external_failed(std::int64_t event_id, std::string workflow_id, std::string run_id,
                           std::string signal_name,
                           swf::model::signal_external_workflow_execution_failed_cause cause);
    const std::string& workflow_id() const noexcept { return workflow_id_; }
    // Empty when the signal was for the execution's open run.
    const std::string& run_id() const noexcept { return run_id_; }
    const std::string& signal_name() const noexcept { return signal_name_; }
    swf::model::signal_external_workflow_execution_failed_cause cause() const noexcept { return cause_; }

private:
    std::string workflow_id_;
    std::string run_id_;
    std::string signal_name_;
    swf::model::signal_external_workflow_execution_failed_cause cause_;
};

// RequestCancelExternalWorkflowExecutionFailed.
class request_cancel_external_failed : public operation_error {
public:
    request_cancel_external_failed(std::int64_t event_id, std::string workflow_id, std::string run_id,
                                   swf::model::request_cancel_external_workflow_execution_failed_cause cause);
    const std::string& workflow_id() const noexcept { return workflow_id_; }
    const std::string& run_id() const noexcept { return run_id_; }
    swf::model::request_cancel_external_workflow_execution_failed_cause cause() const noexcept {
        return cause_;
    }

private:
    std::string workflow_id_;
    std::string run_id_;
    swf::model::request_cancel_external_workflow_execution_failed_cause cause_;
};

// ---- cancellation ----

// A command or wait canceled before it had an outcome: a timer, a signal
// wait, or anything canceled because the execution was asked to cancel
// (activities and children report their own canceled events instead, once
// SWF confirms). event_id is the WorkflowExecutionCancelRequested event, or
// 0 when the code canceled it itself.
class canceled_error : public operation_error {
public:
    canceled_error(const std::string& what, std::int64_t event_id) : operation_error(what, event_id) {}
};

// True for the errors that mean "canceled": canceled_error,
// activity_canceled, child_workflow_canceled and workflow_canceled.
bool is_cancellation(const std::exception_ptr& e) noexcept;

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

// Thrown from run to close the execution with CancelWorkflowExecution
// (details cut to 32768 characters). A cancellation raised from co_await
// (canceled_error, activity_canceled, child_workflow_canceled) that leaves
// run after the execution was asked to cancel does the same.
class workflow_canceled : public std::runtime_error {
public:
    explicit workflow_canceled(std::string details = {})
        : std::runtime_error("workflow canceled"), details_(std::move(details)) {}
    const std::string& details() const noexcept { return details_; }

private:
    std::string details_;
};

// version() met a recorded version outside what the code still supports:
// the execution started under code this deployment no longer has.
class unsupported_version : public std::logic_error {
public:
    unsupported_version(const std::string& change_id, int recorded, int min_supported, int max_supported);
    const std::string& change_id() const noexcept { return change_id_; }
    int recorded() const noexcept { return recorded_; }

private:
    std::string change_id_;
    int recorded_;
};

// What the run of this execution continues with: unset members keep what
// SWF takes by default (the workflow type's registered defaults; the tags
// and the lambda role are not carried over).
struct continue_as_new_options {
    std::optional<std::string> task_list{};
    std::optional<std::chrono::seconds> execution_start_to_close_timeout{};
    std::optional<std::chrono::seconds> task_start_to_close_timeout{};
    std::optional<swf::model::child_policy> child_policy{};
    std::vector<std::string> tag_list{};
    std::optional<std::string> lambda_role{};
    std::optional<int> task_priority{};
    // Another version of the same workflow type for the new run.
    std::optional<std::string> workflow_type_version{};
};

// What context::continue_as_new throws: when it leaves run, this run ends
// with ContinueAsNewWorkflowExecution. It is no std::exception, so that
// catch (const std::exception&) lets it pass; catch (...) must rethrow it.
class continue_as_new_request {
public:
    continue_as_new_request(std::string input, continue_as_new_options options)
        : input_(std::move(input)), options_(std::move(options)) {}
    const std::string& input() const noexcept { return input_; }
    const continue_as_new_options& options() const noexcept { return options_; }

private:
    std::string input_;
    continue_as_new_options options_;
};

} // namespace swfrt::workflow
