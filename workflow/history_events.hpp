// What the replayer does with each of SWF's 54 history event types, as one
// table, plus the one-line descriptions of events and decisions that
// non-determinism reports show side by side.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "swf/model/model.hpp"

namespace swfrt::workflow {

enum class event_role {
    execution_started,  // the workflow's input; the code starts at the next decision task
    decision_started,   // a decision task: the code runs here when the task was completed (or is the one to
                        // answer)
    decision_completed, // the events that follow record that task's decisions
    decision,           // records one decision, matched in order against the code's commands
    outcome,            // resolves the future of an earlier decision, by the event id it names
    signal,             // queued for wait_signal, or handed to on_signal's handler
    cancel_request,     // the execution is asked to cancel: what the code waits for is canceled
    ignored,            // nothing for the code; the note says why
    unknown,            // an event type this SDK does not know (decoded with its text): the replay fails
};

std::string_view to_string(event_role role) noexcept;

struct event_rule {
    swf::model::event_type type;
    event_role role;
    // For decision events: the decision type they record.
    std::optional<swf::model::decision_type> decision;
    std::string_view note;
};

// One rule per event type, in the order of swf::model::event_type.
std::span<const event_rule> event_rules() noexcept;
const event_rule& rule_for(swf::model::event_type type) noexcept;

// "ActivityTaskScheduled (activity id "1", type charge 2)", from what the
// event records; an event without its attributes says so.
std::string describe(const swf::model::history_event& event);
// "ScheduleActivityTask (activity id "1", type charge 2)".
std::string describe(const swf::model::decision& decision);

// The identity a decision event and a command are matched on: decision
// type, id and type name (and version for activities). Inputs, timeouts
// and details are not compared: changing them is not a different command.
// The key views the event or decision it was taken from.
struct command_key {
    swf::model::decision_type type{};
    std::string_view id;
    std::string_view name;
    std::string_view version;
    bool operator==(const command_key&) const = default;
};

// Empty when the event is not a decision event or lacks its attributes.
std::optional<command_key> key_of(const swf::model::history_event& event);
command_key key_of(const swf::model::decision& decision);

// A name or version the event does not record (SWF's names are never empty;
// SignalExternalWorkflowExecutionFailed, for one, omits the signal name)
// matches any.
bool same_command(const command_key& history, const command_key& code) noexcept;

} // namespace swfrt::workflow
