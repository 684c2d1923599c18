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

} // namespace swfrt::workflow
