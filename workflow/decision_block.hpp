// Matching a decision task's decisions to the history: the commands the
// code issued at a decision task, in order, against the decision events
// SWF recorded after that task's DecisionTaskCompleted (its block). SWF
// records some outcome events among a block's own events or right after
// them (ActivityTaskCanceled at once for an activity canceled before it
// started, in whichever place among the task's other decisions); they
// neither end the block nor take part in the matching. Internal to
// workflow/.
#pragma once

#include <deque>
#include <memory>

#include "swf/model/model.hpp"
#include "workflow/history_events.hpp"
#include "workflow/machines/machine.hpp"

namespace swfrt::workflow::detail {

// A command the code issued and the history has not matched yet.
struct command {
    swf::model::decision decision;
    std::shared_ptr<command_machine> machine;
};

enum class block_match {
    matched,        // the next command is the one the event records
    outside_block,  // a decision event that follows no DecisionTaskCompleted
    no_attributes,  // the event lacks what identifies the command
    nothing_issued, // the history records a decision the code did not issue
    differs,        // the history records another decision than the code's next
};

struct block_result {
    block_match kind{};
    // The matched command's machine.
    std::shared_ptr<command_machine> machine;
};

class decision_block {
public:
    void issue(command c) { pending_.push_back(std::move(c)); }
    // Takes back a command not matched yet (the code canceled it before it
    // was sent); false when it is not here.
    bool drop(const command_machine& m);
    // The commands not matched, oldest first: what the code answers with at
    // the decision task being decided.
    std::deque<command>& pending() noexcept { return pending_; }

    // At DecisionTaskCompleted: the events after it record its decisions.
    void open() noexcept { open_ = true; }
    bool is_open() const noexcept { return open_; }
    // Whether an event of this role ends an open block: any event but a
    // decision event or an outcome.
    static bool ends_block(event_role role) noexcept {
        return role != event_role::decision && role != event_role::outcome;
    }
    // Ends the block; the first command the history did not record, or null.
    const command* close() noexcept;

    // A decision event of the block: matched against the next command, in order.
    block_result take(const swf::model::history_event& e);

private:
    std::deque<command> pending_;
    bool open_ = false;
};

} // namespace swfrt::workflow::detail
