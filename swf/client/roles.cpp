#include "swf/client/roles.hpp"

#include <utility>

#include "swf/client/paginate.hpp"
#include "swf/codec/codec.hpp"

namespace swfrt::swf::client {

namespace {

std::string quoted(const std::optional<std::string>& s) { return s ? "\"" + *s + "\"" : std::string("unset"); }

std::optional<std::string> list_name(const model::box<model::task_list>& t) {
    if (!t) return std::nullopt;
    return t->name;
}

std::optional<std::string> policy_name(const std::optional<model::child_policy>& p) {
    if (!p) return std::nullopt;
    return std::string(model::to_string(*p));
}

void compare(std::vector<std::string>& out, std::string_view member, const std::optional<std::string>& requested,
             const std::optional<std::string>& registered) {
    // A member the request leaves unset accepts whatever SWF holds (it may
    // report service defaults the registration never named).
    if (!requested || requested == registered) return;
    out.push_back(std::string(member) + ": requested " + quoted(requested) + ", registered " + quoted(registered));
}

void compare_status(std::vector<std::string>& out, model::registration_status status) {
    if (status != model::registration_status::registered)
        out.push_back("status: registered as " + std::string(model::to_string(status)));
}

std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) {
        if (!s.empty()) s += "; ";
        s += p;
    }
    return s;
}

// After an "already exists" fault: describe what is registered and decide.
template <class Request, class Describe>
task<model::empty> settle_existing(error exists, const Request& request, std::string what, Describe describe) {
    auto registered = co_await describe();
    if (!registered) {
        exists.message += "; describing the registered one failed: " + registered.error().to_string();
        co_return exists;
    }
    auto diffs = registration_differences(request, *registered);
    if (diffs.empty()) co_return model::empty{};
    co_return make_error(error_kind::conflict, "RegistrationMismatch",
                         what + " is already registered with other settings: " + join(diffs));
}

} // namespace

std::optional<std::string> fit(std::optional<std::string> s, std::size_t max) {
    if (s) codec::truncate(*s, max, truncation_marker);
    return s;
}

// ---- workflow_client ----

workflow_client::workflow_client(std::shared_ptr<client> c, std::string domain)
    : client_(std::move(c)), domain_(std::move(domain)) {}

task<std::string> workflow_client::start(model::start_workflow_execution_input request) {
    if (request.domain.empty()) request.domain = domain_;
    auto r = co_await client_->start_workflow_execution(std::move(request));
    if (!r) co_return std::move(r).error();
    if (!r->run_id || r->run_id->empty())
        co_return make_error(error_kind::fatal, "InvalidResponse", "StartWorkflowExecution answered without a runId");
    co_return std::move(*r->run_id);
}

task<model::empty> workflow_client::signal(std::string workflow_id, std::string signal_name,
                                           std::optional<std::string> input, std::optional<std::string> run_id) {
    model::signal_workflow_execution_input req;
    req.domain = domain_;
    req.workflow_id = std::move(workflow_id);
    req.signal_name = std::move(signal_name);
    req.input = std::move(input);
    req.run_id = std::move(run_id);
    co_return co_await client_->signal_workflow_execution(std::move(req));
}

task<model::empty> workflow_client::request_cancel(std::string workflow_id, std::optional<std::string> run_id) {
    model::request_cancel_workflow_execution_input req;
    req.domain = domain_;
    req.workflow_id = std::move(workflow_id);
    req.run_id = std::move(run_id);
    co_return co_await client_->request_cancel_workflow_execution(std::move(req));
}

task<model::empty> workflow_client::terminate(std::string workflow_id, std::optional<std::string> run_id,
                                              std::optional<std::string> reason, std::optional<std::string> details,
                                              std::optional<model::child_policy> child_policy) {
    model::terminate_workflow_execution_input req;
    req.domain = domain_;
    req.workflow_id = std::move(workflow_id);
    req.run_id = std::move(run_id);
    req.reason = fit(std::move(reason), max_reason_length);
    req.details = fit(std::move(details), max_details_length);
    req.child_policy = child_policy;
    co_return co_await client_->terminate_workflow_execution(std::move(req));
}

task<model::workflow_execution_detail> workflow_client::describe(std::string workflow_id, std::string run_id) {
    model::describe_workflow_execution_input req;
    req.domain = domain_;
    req.execution.workflow_id = std::move(workflow_id);
    req.execution.run_id = std::move(run_id);
    co_return co_await client_->describe_workflow_execution(std::move(req));
}

task<std::vector<model::workflow_execution_info>>
workflow_client::list_open(model::list_open_workflow_executions_input request) {
    if (request.domain.empty()) request.domain = domain_;
    auto r = co_await list_open_workflow_executions_all_pages(*client_, std::move(request));
    if (!r) co_return std::move(r).error();
    co_return std::move(r->execution_infos);
}

task<std::vector<model::workflow_execution_info>>
workflow_client::list_closed(model::list_closed_workflow_executions_input request) {
    if (request.domain.empty()) request.domain = domain_;
    if (!request.start_time_filter && !request.close_time_filter) request.start_time_filter.emplace();
    auto r = co_await list_closed_workflow_executions_all_pages(*client_, std::move(request));
    if (!r) co_return std::move(r).error();
    co_return std::move(r->execution_infos);
}

task<model::workflow_execution_count>
workflow_client::count_open(model::count_open_workflow_executions_input request) {
    if (request.domain.empty()) request.domain = domain_;
    co_return co_await client_->count_open_workflow_executions(std::move(request));
}

task<model::workflow_execution_count>
workflow_client::count_closed(model::count_closed_workflow_executions_input request) {
    if (request.domain.empty()) request.domain = domain_;
    if (!request.start_time_filter && !request.close_time_filter) request.start_time_filter.emplace();
    co_return co_await client_->count_closed_workflow_executions(std::move(request));
}

task<model::history> workflow_client::history(std::string workflow_id, std::string run_id) {
    model::get_workflow_execution_history_input req;
    req.domain = domain_;
    req.execution.workflow_id = std::move(workflow_id);
    req.execution.run_id = std::move(run_id);
    co_return co_await get_workflow_execution_history_all_pages(*client_, std::move(req));
}

// ---- decision_client ----

decision_client::decision_client(std::shared_ptr<client> c, std::string domain, std::string task_list,
                                 std::string identity)
    : client_(std::move(c)), domain_(std::move(domain)), task_list_(std::move(task_list)),
      identity_(std::move(identity)) {}

task<std::optional<model::decision_task>> decision_client::poll() {
    model::poll_for_decision_task_input req;
    req.domain = domain_;
    req.task_list.name = task_list_;
    if (!identity_.empty()) req.identity = identity_;
    auto r = co_await poll_for_decision_task_all_pages(*client_, std::move(req));
    if (!r) co_return std::move(r).error();
    if (r->task_token.empty()) co_return std::nullopt;
    co_return std::optional<model::decision_task>(std::move(*r));
}

task<model::empty> decision_client::respond_completed(std::string task_token, std::vector<model::decision> decisions,
                                                      std::optional<std::string> execution_context) {
    model::respond_decision_task_completed_input req;
    req.task_token = std::move(task_token);
    req.decisions = std::move(decisions);
    req.execution_context = std::move(execution_context);
    co_return co_await respond_completed(std::move(req));
}

task<model::empty> decision_client::respond_completed(model::respond_decision_task_completed_input request) {
    co_return co_await client_->respond_decision_task_completed(std::move(request));
}

// ---- activity_client ----

activity_client::activity_client(std::shared_ptr<client> c, std::string domain, std::string task_list,
                                 std::string identity)
    : client_(std::move(c)), domain_(std::move(domain)), task_list_(std::move(task_list)),
      identity_(std::move(identity)) {}

task<std::optional<model::activity_task>> activity_client::poll() {
    model::poll_for_activity_task_input req;
    req.domain = domain_;
    req.task_list.name = task_list_;
    if (!identity_.empty()) req.identity = identity_;
    auto r = co_await client_->poll_for_activity_task(std::move(req));
    if (!r) co_return std::move(r).error();
    if (r->task_token.empty()) co_return std::nullopt;
    co_return std::optional<model::activity_task>(std::move(*r));
}

task<bool> activity_client::heartbeat(std::string task_token, std::optional<std::string> details) {
    model::record_activity_task_heartbeat_input req;
    req.task_token = std::move(task_token);
    req.details = fit(std::move(details), max_heartbeat_details_length);
    auto r = co_await client_->record_activity_task_heartbeat(std::move(req));
    if (!r) co_return std::move(r).error();
    co_return r->cancel_requested;
}

task<model::empty> activity_client::respond_completed(std::string task_token, std::optional<std::string> result) {
    model::respond_activity_task_completed_input req;
    req.task_token = std::move(task_token);
    req.result_ = std::move(result);
    co_return co_await client_->respond_activity_task_completed(std::move(req));
}

task<model::empty> activity_client::respond_failed(std::string task_token, std::optional<std::string> reason,
                                                   std::optional<std::string> details) {
    model::respond_activity_task_failed_input req;
    req.task_token = std::move(task_token);
    req.reason = fit(std::move(reason), max_reason_length);
    req.details = fit(std::move(details), max_details_length);
    co_return co_await client_->respond_activity_task_failed(std::move(req));
}

task<model::empty> activity_client::respond_canceled(std::string task_token, std::optional<std::string> details) {
    model::respond_activity_task_canceled_input req;
    req.task_token = std::move(task_token);
    req.details = fit(std::move(details), max_details_length);
    co_return co_await client_->respond_activity_task_canceled(std::move(req));
}

// ---- registration_client ----

std::vector<std::string> registration_differences(const model::register_domain_input& requested,
                                                  const model::domain_detail& registered) {
    std::vector<std::string> out;
    compare(out, "workflowExecutionRetentionPeriodInDays", requested.workflow_execution_retention_period_in_days,
            registered.configuration.workflow_execution_retention_period_in_days);
    compare(out, "description", requested.description, registered.domain_info.description);
    compare_status(out, registered.domain_info.status);
    return out;
}

std::vector<std::string> registration_differences(const model::register_workflow_type_input& requested,
                                                  const model::workflow_type_detail& registered) {
    std::vector<std::string> out;
    const auto& c = registered.configuration;
    compare(out, "defaultTaskList", list_name(requested.default_task_list), list_name(c.default_task_list));
    compare(out, "defaultChildPolicy", policy_name(requested.default_child_policy), policy_name(c.default_child_policy));
    compare(out, "defaultExecutionStartToCloseTimeout", requested.default_execution_start_to_close_timeout,
            c.default_execution_start_to_close_timeout);
    compare(out, "defaultTaskStartToCloseTimeout", requested.default_task_start_to_close_timeout,
            c.default_task_start_to_close_timeout);
    compare(out, "defaultTaskPriority", requested.default_task_priority, c.default_task_priority);
    compare(out, "defaultLambdaRole", requested.default_lambda_role, c.default_lambda_role);
    compare(out, "description", requested.description, registered.type_info.description);
    compare_status(out, registered.type_info.status);
    return out;
}

std::vector<std::string> registration_differences(const model::register_activity_type_input& requested,
                                                  const model::activity_type_detail& registered) {
    std::vector<std::string> out;
    const auto& c = registered.configuration;
    compare(out, "defaultTaskList", list_name(requested.default_task_list), list_name(c.default_task_list));
    compare(out, "defaultTaskHeartbeatTimeout", requested.default_task_heartbeat_timeout,
            c.default_task_heartbeat_timeout);
    compare(out, "defaultTaskScheduleToCloseTimeout", requested.default_task_schedule_to_close_timeout,
            c.default_task_schedule_to_close_timeout);
    compare(out, "defaultTaskScheduleToStartTimeout", requested.default_task_schedule_to_start_timeout,
            c.default_task_schedule_to_start_timeout);
    compare(out, "defaultTaskStartToCloseTimeout", requested.default_task_start_to_close_timeout,
            c.default_task_start_to_close_timeout);
    compare(out, "defaultTaskPriority", requested.default_task_priority, c.default_task_priority);
    compare(out, "description", requested.description, registered.type_info.description);
    compare_status(out, registered.type_info.status);
    return out;
}

registration_client::registration_client(std::shared_ptr<client> c) : client_(std::move(c)) {}

task<model::empty> registration_client::register_domain(model::register_domain_input request) {
    auto r = co_await client_->register_domain(request);
    if (r || r.error().code != "DomainAlreadyExistsFault") co_return r;
    co_return co_await settle_existing(std::move(r).error(), request, "domain " + request.name, [&]() {
        model::describe_domain_input d;
        d.name = request.name;
        return client_->describe_domain(std::move(d));
    });
}

task<model::empty> registration_client::register_workflow_type(model::register_workflow_type_input request) {
    auto r = co_await client_->register_workflow_type(request);
    if (r || r.error().code != "TypeAlreadyExistsFault") co_return r;
    co_return co_await settle_existing(
        std::move(r).error(), request,
        "workflow type " + request.name + " version " + request.version + " in domain " + request.domain, [&]() {
            model::describe_workflow_type_input d;
            d.domain = request.domain;
            d.workflow_type.name = request.name;
            d.workflow_type.version = request.version;
            return client_->describe_workflow_type(std::move(d));
        });
}

task<model::empty> registration_client::register_activity_type(model::register_activity_type_input request) {
    auto r = co_await client_->register_activity_type(request);
    if (r || r.error().code != "TypeAlreadyExistsFault") co_return r;
    co_return co_await settle_existing(
        std::move(r).error(), request,
        "activity type " + request.name + " version " + request.version + " in domain " + request.domain, [&]() {
            model::describe_activity_type_input d;
            d.domain = request.domain;
            d.activity_type.name = request.name;
            d.activity_type.version = request.version;
            return client_->describe_activity_type(std::move(d));
        });
}

} // namespace swfrt::swf::client
