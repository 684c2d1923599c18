// The four roles of a py_swf-style client over one shared swf::client::client:
//   workflow_client      start, signal, cancel, terminate, describe, list, count
//   decision_client      poll (every history page merged), respond completed
//   activity_client      poll, heartbeat, respond completed / failed / canceled
//   registration_client  register domain and types, idempotently
// Each is a small value bound to a domain (and a task list and identity where
// the role polls); requests are the model's, with those members filled in
// when left empty.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "swf/client/client.hpp"
#include "swf/codec/fit.hpp"
#include "swf/model/limits.hpp"

namespace swfrt::swf::client {

template <class T>
using task = boost::asio::awaitable<result<T>>;

// SWF's limits on what workers report are in swf/model/limits.hpp
// (max_failure_reason, max_data, max_limited_data).
// Appended to a reason or details cut to fit.
using codec::truncation_marker;

class workflow_client {
public:
    workflow_client(std::shared_ptr<client> c, std::string domain);

    // Returns the run id.
    task<std::string> start(model::start_workflow_execution_input request);
    task<model::empty> signal(std::string workflow_id, std::string signal_name, std::optional<std::string> input = {},
                              std::optional<std::string> run_id = {});
    task<model::empty> request_cancel(std::string workflow_id, std::optional<std::string> run_id = {});
    task<model::empty> terminate(std::string workflow_id, std::optional<std::string> run_id = {},
                                 std::optional<std::string> reason = {}, std::optional<std::string> details = {},
                                 std::optional<model::child_policy> child_policy = {});
    task<model::workflow_execution_detail> describe(std::string workflow_id, std::string run_id);
    // Every page; the filters of the request apply (start_time_filter
    // defaults to everything since the epoch).
    task<std::vector<model::workflow_execution_info>> list_open(model::list_open_workflow_executions_input request = {});
    task<std::vector<model::workflow_execution_info>>
    list_closed(model::list_closed_workflow_executions_input request = {});
    task<model::workflow_execution_count> count_open(model::count_open_workflow_executions_input request = {});
    task<model::workflow_execution_count> count_closed(model::count_closed_workflow_executions_input request = {});
    task<model::history> history(std::string workflow_id, std::string run_id);

    const std::string& domain() const noexcept { return domain_; }

private:
    std::shared_ptr<client> client_;
    std::string domain_;
};

// A merged history is capped by SWF's own limits: an execution is
// terminated at 25,000 events, so more (with a margin) or more bytes than
// any real history holds mean a peer that pages without end.
struct history_limits {
    std::size_t max_events = 26000;
    std::size_t max_bytes = std::size_t{512} * 1024 * 1024; // response bodies summed
};

// How long a task's answer (and the pages of a decision task) are worth
// retrying when the task's own start-to-close timeout is not known ("NONE"
// or absent).
inline constexpr std::chrono::minutes unknown_task_timeout{15};

// Seconds as SWF writes timeouts ("300"); nullopt for "NONE", absent or malformed.
std::optional<std::chrono::seconds> parse_timeout(const std::optional<std::string>& s);

// Until when the answer to a decision task received at `received` can still
// be taken by SWF: the start-to-close timeout of its DecisionTaskScheduled
// event (the last one in the history), else the workflow's task
// start-to-close timeout, else unknown_task_timeout.
swf::clock::time_point decision_answer_deadline(const model::decision_task& task, swf::clock::time_point received);

class decision_client {
public:
    decision_client(std::shared_ptr<client> c, std::string domain, std::string task_list, std::string identity,
                    history_limits limits = {});

    // nullopt when the long poll ended without a task. A task arrives with
    // every history page fetched and merged into events; a later page is
    // retried until the task's start-to-close timeout makes it pointless. A
    // history over the limits is a "HistoryTooLarge" error naming the task.
    task<std::optional<model::decision_task>> poll();
    task<model::empty> respond_completed(std::string task_token, std::vector<model::decision> decisions,
                                         std::optional<std::string> execution_context = {},
                                         call_options options = {}, call_info* info = nullptr);
    task<model::empty> respond_completed(model::respond_decision_task_completed_input request,
                                         call_options options = {}, call_info* info = nullptr);

private:
    std::shared_ptr<client> client_;
    std::string domain_, task_list_, identity_;
    history_limits limits_;
};

class activity_client {
public:
    activity_client(std::shared_ptr<client> c, std::string domain, std::string task_list, std::string identity);

    // nullopt when the long poll ended without a task.
    task<std::optional<model::activity_task>> poll();
    // True when cancellation of the task was requested.
    task<bool> heartbeat(std::string task_token, std::optional<std::string> details = {});
    task<model::empty> respond_completed(std::string task_token, std::optional<std::string> result = {},
                                         call_options options = {}, call_info* info = nullptr);
    // reason and details are cut to SWF's limits and marked when too long.
    task<model::empty> respond_failed(std::string task_token, std::optional<std::string> reason = {},
                                      std::optional<std::string> details = {}, call_options options = {},
                                      call_info* info = nullptr);
    task<model::empty> respond_canceled(std::string task_token, std::optional<std::string> details = {},
                                        call_options options = {}, call_info* info = nullptr);

private:
    std::shared_ptr<client> client_;
    std::string domain_, task_list_, identity_;
};

// Registration that can run at every start-up: an existing registration equal
// to the request is success; one that differs is a "RegistrationMismatch"
// error (kind conflict) listing each difference.
class registration_client {
public:
    explicit registration_client(std::shared_ptr<client> c);

    task<model::empty> register_domain(model::register_domain_input request);
    task<model::empty> register_workflow_type(model::register_workflow_type_input request);
    task<model::empty> register_activity_type(model::register_activity_type_input request);

private:
    std::shared_ptr<client> client_;
};

// The differences between a registration request and what SWF holds, one
// line per member ("defaultTaskList: requested \"a\", registered \"b\"");
// empty when they agree. Exposed for tests.
std::vector<std::string> registration_differences(const model::register_domain_input& requested,
                                                  const model::domain_detail& registered);
std::vector<std::string> registration_differences(const model::register_workflow_type_input& requested,
                                                  const model::workflow_type_detail& registered);
std::vector<std::string> registration_differences(const model::register_activity_type_input& requested,
                                                  const model::activity_type_detail& registered);

} // namespace swfrt::swf::client
