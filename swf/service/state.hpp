// The service's state: what SWF keeps for domains, types and executions.
// Private to swf/service.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "swf/model/model.hpp"
#include "swf/service/service.hpp"

namespace swfrt::swf::service {

using time_point = swf::clock::time_point;
// A timeout in seconds; empty means NONE (no timeout).
using timeout = std::optional<std::int64_t>;

struct domain_rec {
    model::domain_info info;
    model::domain_configuration config;
    std::vector<model::resource_tag> tags;
};

struct workflow_type_rec {
    model::workflow_type_info info;
    model::workflow_type_configuration config;
};

struct activity_type_rec {
    model::activity_type_info info;
    model::activity_type_configuration config;
};

struct activity_rec {
    std::string activity_id;
    model::activity_type type;
    std::string task_list;
    std::optional<std::string> input;
    std::int64_t scheduled_id = 0;
    std::int64_t started_id = 0; // 0 until a worker has it
    timeout schedule_to_start, schedule_to_close, start_to_close, heartbeat;
    time_point scheduled_at{}, started_at{}, last_heartbeat{};
    std::optional<std::string> heartbeat_details;
    std::int64_t cancel_requested_id = 0; // ActivityTaskCancelRequested, 0 if none
    std::uint64_t attempt = 0;            // makes each hand-out's token unique
};

struct timer_rec {
    std::string timer_id;
    std::int64_t started_id = 0;
    time_point fire_at{};
};

struct child_rec {
    std::string workflow_id;
    std::string run_id; // empty until started
    model::workflow_type type;
    std::int64_t initiated_id = 0;
    std::int64_t started_id = 0;
};

struct lambda_rec {
    std::string id;
    std::string name;
    std::int64_t scheduled_id = 0;
};

enum class decision_state { none, scheduled, started };

struct execution {
    std::uint64_t serial = 0;
    std::string domain;
    model::workflow_execution we;
    model::workflow_type type;
    model::workflow_execution_configuration config;
    timeout task_start_to_close;      // decision tasks
    timeout execution_start_to_close; // the whole execution
    std::vector<std::string> tags;
    std::vector<model::history_event> events;
    time_point started_at{};
    std::optional<time_point> closed_at;
    std::optional<model::close_status> close;
    bool cancel_requested = false;
    std::optional<std::string> latest_context;
    std::optional<time_point> latest_activity_at;
    // The parent, for a child execution.
    std::optional<std::uint64_t> parent;
    std::int64_t parent_initiated_id = 0;

    // The one decision task scheduled or started.
    decision_state decision = decision_state::none;
    std::int64_t decision_scheduled_id = 0;
    std::int64_t decision_started_id = 0;
    std::int64_t previous_started_id = 0;
    std::string decision_list; // the task list it was scheduled on
    std::uint64_t decision_attempt = 0;
    time_point decision_scheduled_at{}, decision_started_at{};
    // Events arrived while the decision task was started: the next one is
    // scheduled after its decisions' events, and a close is refused.
    bool decision_needed = false;
    // RespondDecisionTaskCompleted.taskList: later decision tasks go there,
    // with this schedule-to-start timeout, until one times out there.
    std::optional<std::string> list_override;
    timeout list_override_schedule_to_start;

    std::map<std::string, activity_rec> activities; // open, by activity id
    std::map<std::string, timer_rec> timers;        // open, by timer id
    std::map<std::string, child_rec> children;      // open, by workflow id
    std::map<std::string, lambda_rec> lambdas;      // open, by id

    bool open() const noexcept { return !close.has_value(); }
};

// A long poll waiting for a task.
struct held_poll {
    std::uint64_t id = 0;
    bool decision = false;
    std::string domain, task_list;
    std::string identity;
    std::int32_t page_size = 1000;
    bool reverse = false;
    bool from_previous_started = false;
    service::poll_callback answer;
};

// What a deadline is for; checked against the state when it fires.
struct deadline {
    enum class kind {
        timer,
        activity_schedule_to_start,
        activity_schedule_to_close,
        activity_start_to_close,
        activity_heartbeat,
        decision_start_to_close,
        decision_schedule_to_start,
        execution_start_to_close,
    } what;
    std::uint64_t serial = 0;
    std::string key;      // timer or activity id
    std::int64_t ref = 0; // the event (or attempt) it belongs to
};

using list_key = std::pair<std::string, std::string>; // domain, task list

} // namespace swfrt::swf::service
