// Deterministic replay: the workflow's code runs again from the start
// against the history of its execution, at each decision task that was
// answered, and its commands are matched in order against the decisions
// the history records. What the code asks for at the decision task being
// answered now, beyond what the history holds, is the answer. A history
// that disagrees with the code is reported with both sides, never guessed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "swf/model/model.hpp"
#include "workflow/workflow.hpp"

namespace swfrt::workflow {

enum class replay_error_kind {
    // The code issues other commands than the history records.
    non_determinism,
    // The history contradicts itself or SWF's rules (an outcome for a
    // command never recorded, a missing attribute, no such started event).
    malformed_history,
};

std::string_view to_string(replay_error_kind kind) noexcept;

struct replay_error {
    replay_error_kind kind{};
    // The history event at fault; 0 when the history ended.
    std::int64_t event_id = 0;
    // What the history holds there ("nothing" when it records nothing).
    std::string history;
    // What the code does there ("nothing" when it issues no command).
    std::string code;
    // One sentence with both sides and the event id.
    std::string message;
    // For an event that does not fit the command it names: the transitions
    // that command went through ("created -ActivityTaskScheduled@5->
    // scheduled -ActivityTaskCompleted@7-> completed"); empty otherwise.
    std::string transitions;
};

class [[nodiscard]] replay_result {
public:
    replay_result(std::vector<swf::model::decision> decisions) : v_(std::move(decisions)) {}
    replay_result(replay_error e) : v_(std::move(e)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    // The decisions for the decision task being answered.
    const std::vector<swf::model::decision>& value() const& { return std::get<0>(v_); }
    std::vector<swf::model::decision>&& value() && { return std::get<0>(std::move(v_)); }
    const replay_error& error() const& { return std::get<1>(v_); }
    replay_error&& error() && { return std::get<1>(std::move(v_)); }

private:
    std::variant<std::vector<swf::model::decision>, replay_error> v_;
};

// What a replay is configured with, beyond the history and the code.
struct replay_options {
    // Where an activity goes that the code scheduled without a task list
    // when SWF refuses it with DEFAULT_TASK_LIST_UNDEFINED (its type was
    // registered without a default task list): it is scheduled again, at
    // the next decision task, on this task list; unset, on the workflow's
    // own task list. A type registered with a default keeps it.
    std::optional<std::string> activity_task_list{};
    // Where context::log writes (nothing when unset); called only while the
    // code runs at the decision task being answered.
    std::function<void(log_level, std::string_view message, const workflow_info& info)> log{};
};

// Decides the decision task (events of every page merged, up to its
// startedEventId). An exception that escapes run other than
// workflow_failed and continue_as_new_request propagates out of here: the caller's failure policy
// decides (fail the execution or leave the task to be retried).
replay_result replay(const swf::model::decision_task& task, const workflow_runner& runner,
                     const replay_options& options = {});

// The same on a history read elsewhere (GetWorkflowExecutionHistory pages
// concatenated): decides at the DecisionTaskStarted event started_event_id,
// or at the last DecisionTaskStarted when it is 0; later events are not read.
replay_result replay(const std::vector<swf::model::history_event>& events,
                     const swf::model::workflow_execution& execution, std::int64_t started_event_id,
                     const workflow_runner& runner, const replay_options& options = {});

// The message, with the command's transitions when it does not name them.
std::string full_text(const replay_error& e);

// What a decider built on the replayer throws when replay fails, so that
// the runtime's failure policy applies; the type names the kind.
class replay_failure : public std::runtime_error {
public:
    explicit replay_failure(replay_error e) : std::runtime_error(full_text(e)), error_(std::move(e)) {}
    const replay_error& error() const noexcept { return error_; }

private:
    replay_error error_;
};

class non_determinism_error : public replay_failure {
public:
    using replay_failure::replay_failure;
};

class malformed_history_error : public replay_failure {
public:
    using replay_failure::replay_failure;
};

[[noreturn]] void throw_replay_error(replay_error e);

} // namespace swfrt::workflow
