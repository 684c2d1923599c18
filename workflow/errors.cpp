#include "workflow/errors.hpp"

namespace swfrt::workflow {

namespace model = swf::model;

namespace {

std::string activity_text(const std::string& id, const model::activity_type& type) {
    return "activity \"" + id + "\" (" + type.name + " " + type.version + ")";
}

std::string lambda_text(const std::string& id, const std::string& function) {
    return "Lambda function \"" + id + "\" (" + function + ")";
}

std::string with_details(std::string what, const std::string& details) {
    if (!details.empty()) what += ": " + details;
    return what;
}

std::string child_text(const std::string& id, const model::workflow_type& type) {
    return "child workflow \"" + id + "\" (" + type.name + " " + type.version + ")";
}

std::string external_text(const std::string& workflow_id, const std::string& run_id) {
    return "workflow execution \"" + workflow_id + "\"" + (run_id.empty() ? "" : " run \"" + run_id + "\"");
}

} // namespace

activity_failed::activity_failed(std::int64_t event_id, std::string activity_id, model::activity_type type,
                                 std::string reason, std::string details)
    : activity_error(with_details(activity_text(activity_id, type) + " failed: " + reason, details), event_id,
                     activity_id, type),
      reason_(std::move(reason)), details_(std::move(details)) {}

activity_timed_out::activity_timed_out(std::int64_t event_id, std::string activity_id,
                                       model::activity_type type,
                                       model::activity_task_timeout_type timeout_type, std::string details)
    : activity_error(activity_text(activity_id, type) + " timed out (" +
                         std::string(model::to_string(timeout_type)) + ")",
                     event_id, activity_id, type),
      timeout_type_(timeout_type), details_(std::move(details)) {}

activity_canceled::activity_canceled(std::int64_t event_id, std::string activity_id,
                                     model::activity_type type, std::string details)
    : activity_error(activity_text(activity_id, type) + " was canceled", event_id, activity_id, type),
      details_(std::move(details)) {}

schedule_activity_failed::schedule_activity_failed(std::int64_t event_id, std::string activity_id,
                                                   model::activity_type type,
                                                   model::schedule_activity_task_failed_cause cause)
    : activity_error(activity_text(activity_id, type) +
                         " could not be scheduled: " + std::string(model::to_string(cause)),
                     event_id, activity_id, type),
      cause_(cause) {}

lambda_failed::lambda_failed(std::int64_t event_id, std::string lambda_id, std::string function,
                             std::string reason, std::string details)
    : lambda_error(with_details(lambda_text(lambda_id, function) + " failed: " + reason, details), event_id,
                   lambda_id, function),
      reason_(std::move(reason)), details_(std::move(details)) {}

lambda_timed_out::lambda_timed_out(std::int64_t event_id, std::string lambda_id, std::string function,
                                   std::optional<model::lambda_function_timeout_type> timeout_type)
    : lambda_error(lambda_text(lambda_id, function) + " timed out", event_id, lambda_id, function),
      timeout_type_(timeout_type) {}

schedule_lambda_failed::schedule_lambda_failed(std::int64_t event_id, std::string lambda_id,
                                               std::string function,
                                               model::schedule_lambda_function_failed_cause cause)
    : lambda_error(lambda_text(lambda_id, function) +
                       " could not be scheduled: " + std::string(model::to_string(cause)),
                   event_id, lambda_id, function),
      cause_(cause) {}

start_lambda_failed::start_lambda_failed(std::int64_t event_id, std::string lambda_id, std::string function,
                                         std::optional<model::start_lambda_function_failed_cause> cause,
                                         std::string message)
    : lambda_error(with_details(lambda_text(lambda_id, function) + " could not start" +
                                    (cause ? ": " + std::string(model::to_string(*cause)) : std::string()),
                                message),
                   event_id, lambda_id, function),
      cause_(cause), message_(std::move(message)) {}

start_timer_failed::start_timer_failed(std::int64_t event_id, std::string timer_id,
                                       model::start_timer_failed_cause cause)
    : operation_error("timer \"" + timer_id +
                          "\" could not be started: " + std::string(model::to_string(cause)),
                      event_id),
      timer_id_(std::move(timer_id)), cause_(cause) {}

child_workflow_failed::child_workflow_failed(std::int64_t event_id, std::string workflow_id,
                                             model::workflow_type type, std::string run_id,
                                             std::string reason, std::string details)
    : child_workflow_error(with_details(child_text(workflow_id, type) + " failed: " + reason, details),
                           event_id, workflow_id, type, std::move(run_id)),
      reason_(std::move(reason)), details_(std::move(details)) {}

child_workflow_timed_out::child_workflow_timed_out(std::int64_t event_id, std::string workflow_id,
                                                   model::workflow_type type, std::string run_id,
                                                   model::workflow_execution_timeout_type timeout_type)
    : child_workflow_error(child_text(workflow_id, type) + " timed out (" +
                               std::string(model::to_string(timeout_type)) + ")",
                           event_id, workflow_id, type, std::move(run_id)),
      timeout_type_(timeout_type) {}

child_workflow_canceled::child_workflow_canceled(std::int64_t event_id, std::string workflow_id,
                                                 model::workflow_type type, std::string run_id,
                                                 std::string details)
    : child_workflow_error(child_text(workflow_id, type) + " was canceled", event_id, workflow_id, type,
                           std::move(run_id)),
      details_(std::move(details)) {}

child_workflow_terminated::child_workflow_terminated(std::int64_t event_id, std::string workflow_id,
                                                     model::workflow_type type, std::string run_id)
    : child_workflow_error(child_text(workflow_id, type) + " was terminated", event_id, workflow_id, type,
                           std::move(run_id)) {}

start_child_workflow_failed::start_child_workflow_failed(
    std::int64_t event_id, std::string workflow_id, model::workflow_type type,
    model::start_child_workflow_execution_failed_cause cause)
    : child_workflow_error(child_text(workflow_id, type) +
                               " could not be started: " + std::string(model::to_string(cause)),
                           event_id, workflow_id, type, {}),
      cause_(cause) {}

signal_external_failed::signal_external_failed(std::int64_t event_id, std::string workflow_id,
                                               std::string run_id, std::string signal_name,
                                               model::signal_external_workflow_execution_failed_cause cause)
    : operation_error("signal \"" + signal_name + "\" to " + external_text(workflow_id, run_id) +
                          " failed: " + std::string(model::to_string(cause)),
                      event_id),
      workflow_id_(std::move(workflow_id)), run_id_(std::move(run_id)), signal_name_(std::move(signal_name)),
      cause_(cause) {}

request_cancel_external_failed::request_cancel_external_failed(
    std::int64_t event_id, std::string workflow_id, std::string run_id,
    model::request_cancel_external_workflow_execution_failed_cause cause)
    : operation_error("cancel request to " + external_text(workflow_id, run_id) +
                          " failed: " + std::string(model::to_string(cause)),
                      event_id),
      workflow_id_(std::move(workflow_id)), run_id_(std::move(run_id)), cause_(cause) {}

unsupported_version::unsupported_version(const std::string& change_id, int recorded, int min_supported,
                                         int max_supported)
    : std::logic_error("version " + std::to_string(recorded) + " of change \"" + change_id +
                       "\" is outside what the code supports (" + std::to_string(min_supported) + " to " +
                       std::to_string(max_supported) + ")"),
      change_id_(change_id), recorded_(recorded) {}

bool is_cancellation(const std::exception_ptr& e) noexcept {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const canceled_error&) {
        return true;
    } catch (const activity_canceled&) {
        return true;
    } catch (const child_workflow_canceled&) {
        return true;
    } catch (const workflow_canceled&) {
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace swfrt::workflow
