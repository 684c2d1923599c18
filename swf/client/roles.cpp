#include "swf/client/roles.hpp"

#include <iterator>
#include <type_traits>
#include <unordered_set>
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

// A value this SDK does not know is named as SWF sent it.
std::optional<std::string> policy_name(const std::optional<model::child_policy>& p, const std::string& text) {
    if (!p) return std::nullopt;
    return std::string(model::to_string(*p, text));
}

void compare(std::vector<std::string>& out, std::string_view member, const std::optional<std::string>& requested,
             const std::optional<std::string>& registered) {
    // A member the request leaves unset accepts whatever SWF holds (it may
    // report service defaults the registration never named).
    if (!requested || requested == registered) return;
    out.push_back(std::string(member) + ": requested " + quoted(requested) + ", registered " + quoted(registered));
}

void compare_status(std::vector<std::string>& out, model::registration_status status, const std::string& text) {
    if (status != model::registration_status::registered)
        out.push_back("status: registered as " + std::string(model::to_string(status, text)));
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
    req.reason = codec::fitted(std::move(reason), model::limits::max_failure_reason);
    req.details = codec::fitted(std::move(details), model::limits::max_data);
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

namespace {

// Follows nextPageToken from the first page, appending events, within the
// limits. Later pages are worth retrying until retry_until.
template <class Page, class Request>
task<Page> merge_pages(client& c, Page first, std::size_t first_bytes, Request request, const history_limits& limits,
                       call_options later, std::string what) {
    std::vector<std::vector<model::history_event>> later_events;
    std::size_t events = first.events.size(), bytes = first_bytes, pages = 1;
    std::unordered_set<std::string> seen;
    std::optional<std::string> next = std::move(first.next_page_token);
    first.next_page_token.reset();
    auto too_large = [&](std::string why) {
        return make_error(error_kind::fatal, "HistoryTooLarge",
                          what + ": " + why + " after " + std::to_string(pages) + " pages; SWF ends an execution at "
                          "25,000 events, so the peer is paging without end; the task is not decided");
    };
    while (next && !next->empty()) {
        if (events > limits.max_events)
            co_return too_large(std::to_string(events) + " events, over the limit of " +
                                std::to_string(limits.max_events));
        if (bytes > limits.max_bytes)
            co_return too_large(std::to_string(bytes) + " bytes, over the limit of " + std::to_string(limits.max_bytes));
        if (!seen.insert(*next).second)
            co_return make_error(error_kind::fatal, "PaginationLoop",
                                 what + ": a nextPageToken came back a second time (after " + std::to_string(pages) +
                                     " pages); stopping instead of looping");
        request.next_page_token = std::move(next);
        call_info info;
        result<Page> page = make_error(error_kind::fatal, "", "");
        if constexpr (std::is_same_v<Page, model::decision_task>)
            page = co_await c.poll_for_decision_task(request, later, &info);
        else
            page = co_await c.get_workflow_execution_history(request, later, &info);
        if (!page) {
            auto e = std::move(page).error();
            e.message = what + ", page " + std::to_string(pages + 1) + ": " + e.message;
            co_return e;
        }
        ++pages;
        bytes += info.response_bytes;
        events += page->events.size();
        next = std::move(page->next_page_token);
        later_events.push_back(std::move(page->events));
    }
    if (events > limits.max_events)
        co_return too_large(std::to_string(events) + " events, over the limit of " + std::to_string(limits.max_events));
    first.events.reserve(events);
    for (auto& l : later_events)
        first.events.insert(first.events.end(), std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()));
    co_return first;
}

std::string describe_execution(const model::workflow_execution& e) {
    return "workflow id " + e.workflow_id + ", run id " + e.run_id;
}

} // namespace

std::optional<std::chrono::seconds> parse_timeout(const std::optional<std::string>& s) {
    if (!s || s->empty() || s->size() > 12) return std::nullopt;
    std::int64_t v = 0;
    for (char ch : *s) {
        if (ch < '0' || ch > '9') return std::nullopt;
        v = v * 10 + (ch - '0');
    }
    return std::chrono::seconds{v};
}

swf::clock::time_point decision_answer_deadline(const model::decision_task& task, swf::clock::time_point received) {
    for (auto it = task.events.rbegin(); it != task.events.rend(); ++it) {
        if (it->event_type == model::event_type::decision_task_scheduled && it->decision_task_scheduled_event_attributes) {
            if (auto t = parse_timeout(it->decision_task_scheduled_event_attributes->start_to_close_timeout))
                return received + *t;
            break;
        }
    }
    if (!task.events.empty() && task.events.front().workflow_execution_started_event_attributes) {
        if (auto t = parse_timeout(task.events.front().workflow_execution_started_event_attributes->task_start_to_close_timeout))
            return received + *t;
    }
    return received + unknown_task_timeout;
}

task<model::history> workflow_client::history(std::string workflow_id, std::string run_id) {
    model::get_workflow_execution_history_input req;
    req.domain = domain_;
    req.execution.workflow_id = std::move(workflow_id);
    req.execution.run_id = std::move(run_id);
    call_info info;
    auto first = co_await client_->get_workflow_execution_history(req, {}, &info);
    if (!first) co_return std::move(first).error();
    std::string what = "GetWorkflowExecutionHistory (" + describe_execution(req.execution) + ")";
    co_return co_await merge_pages(*client_, std::move(*first), info.response_bytes, std::move(req), history_limits{},
                                   call_options{}, std::move(what));
}

// ---- decision_client ----

decision_client::decision_client(std::shared_ptr<client> c, std::string domain, std::string task_list,
                                 std::string identity, history_limits limits)
    : client_(std::move(c)), domain_(std::move(domain)), task_list_(std::move(task_list)),
      identity_(std::move(identity)), limits_(limits) {}

task<std::optional<model::decision_task>> decision_client::poll() {
    model::poll_for_decision_task_input req;
    req.domain = domain_;
    req.task_list.name = task_list_;
    if (!identity_.empty()) req.identity = identity_;
    call_info info;
    auto first = co_await client_->poll_for_decision_task(req, {}, &info);
    if (!first) co_return std::move(first).error();
    if (first->task_token.empty()) co_return std::nullopt;
    const auto received = client_->options().clock->now();
    // The pages belong to a task SWF has started: worth retrying while the
    // task can still be answered (the workflow's task timeout; the task's
    // own DecisionTaskScheduled is on the last page).
    call_options later;
    later.retry_until = received + unknown_task_timeout;
    if (!first->events.empty() && first->events.front().workflow_execution_started_event_attributes) {
        if (auto t = parse_timeout(first->events.front().workflow_execution_started_event_attributes->task_start_to_close_timeout))
            later.retry_until = received + *t;
    }
    std::string what = "PollForDecisionTask (decision task of " + describe_execution(first->workflow_execution) + ")";
    auto merged = co_await merge_pages(*client_, std::move(*first), info.response_bytes, std::move(req), limits_,
                                       later, std::move(what));
    if (!merged) co_return std::move(merged).error();
    co_return std::optional<model::decision_task>(std::move(*merged));
}

task<model::empty> decision_client::respond_completed(std::string task_token, std::vector<model::decision> decisions,
                                                      std::optional<std::string> execution_context,
                                                      call_options options, call_info* info) {
    model::respond_decision_task_completed_input req;
    req.task_token = std::move(task_token);
    req.decisions = std::move(decisions);
    req.execution_context = std::move(execution_context);
    co_return co_await respond_completed(std::move(req), std::move(options), info);
}

task<model::empty> decision_client::respond_completed(model::respond_decision_task_completed_input request,
                                                      call_options options, call_info* info) {
    co_return co_await client_->respond_decision_task_completed(std::move(request), std::move(options), info);
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
    req.details = codec::fitted(std::move(details), model::limits::max_limited_data);
    auto r = co_await client_->record_activity_task_heartbeat(std::move(req));
    if (!r) co_return std::move(r).error();
    co_return r->cancel_requested;
}

task<model::empty> activity_client::respond_completed(std::string task_token, std::optional<std::string> result,
                                                      call_options options, call_info* info) {
    model::respond_activity_task_completed_input req;
    req.task_token = std::move(task_token);
    req.result_ = std::move(result);
    co_return co_await client_->respond_activity_task_completed(std::move(req), std::move(options), info);
}

task<model::empty> activity_client::respond_failed(std::string task_token, std::optional<std::string> reason,
                                                   std::optional<std::string> details, call_options options,
                                                   call_info* info) {
    model::respond_activity_task_failed_input req;
    req.task_token = std::move(task_token);
    req.reason = codec::fitted(std::move(reason), model::limits::max_failure_reason);
    req.details = codec::fitted(std::move(details), model::limits::max_data);
    co_return co_await client_->respond_activity_task_failed(std::move(req), std::move(options), info);
}

task<model::empty> activity_client::respond_canceled(std::string task_token, std::optional<std::string> details,
                                                     call_options options, call_info* info) {
    model::respond_activity_task_canceled_input req;
    req.task_token = std::move(task_token);
    req.details = codec::fitted(std::move(details), model::limits::max_data);
    co_return co_await client_->respond_activity_task_canceled(std::move(req), std::move(options), info);
}

// ---- registration_client ----

std::vector<std::string> registration_differences(const model::register_domain_input& requested,
                                                  const model::domain_detail& registered) {
    std::vector<std::string> out;
    compare(out, "workflowExecutionRetentionPeriodInDays", requested.workflow_execution_retention_period_in_days,
            registered.configuration.workflow_execution_retention_period_in_days);
    compare(out, "description", requested.description, registered.domain_info.description);
    compare_status(out, registered.domain_info.status, registered.domain_info.status_text);
    return out;
}

std::vector<std::string> registration_differences(const model::register_workflow_type_input& requested,
                                                  const model::workflow_type_detail& registered) {
    std::vector<std::string> out;
    const auto& c = registered.configuration;
    compare(out, "defaultTaskList", list_name(requested.default_task_list), list_name(c.default_task_list));
    compare(out, "defaultChildPolicy", policy_name(requested.default_child_policy, requested.default_child_policy_text),
            policy_name(c.default_child_policy, c.default_child_policy_text));
    compare(out, "defaultExecutionStartToCloseTimeout", requested.default_execution_start_to_close_timeout,
            c.default_execution_start_to_close_timeout);
    compare(out, "defaultTaskStartToCloseTimeout", requested.default_task_start_to_close_timeout,
            c.default_task_start_to_close_timeout);
    compare(out, "defaultTaskPriority", requested.default_task_priority, c.default_task_priority);
    compare(out, "defaultLambdaRole", requested.default_lambda_role, c.default_lambda_role);
    compare(out, "description", requested.description, registered.type_info.description);
    compare_status(out, registered.type_info.status, registered.type_info.status_text);
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
    compare_status(out, registered.type_info.status, registered.type_info.status_text);
    return out;
}

registration_client::registration_client(std::shared_ptr<client> c) : client_(std::move(c)) {}

task<model::empty> registration_client::register_domain(model::register_domain_input request) {
    auto r = co_await client_->register_domain(request);
    if (r || !r.error().is(model::fault::domain_already_exists)) co_return r;
    co_return co_await settle_existing(std::move(r).error(), request, "domain " + request.name, [&]() {
        model::describe_domain_input d;
        d.name = request.name;
        return client_->describe_domain(std::move(d));
    });
}

task<model::empty> registration_client::register_workflow_type(model::register_workflow_type_input request) {
    auto r = co_await client_->register_workflow_type(request);
    if (r || !r.error().is(model::fault::type_already_exists)) co_return r;
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
    if (r || !r.error().is(model::fault::type_already_exists)) co_return r;
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
