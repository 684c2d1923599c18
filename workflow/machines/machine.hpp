// Every command a workflow issues is an explicit state machine: one class
// per kind (activity, timer, Lambda function, child workflow, external
// signal, external cancel request, marker, close), each with its own state
// enum and the transitions the history's events and the code's requests
// make. The engine finds the command an event belongs to and hands it the
// event; an event that does not fit the command's state is reported as a
// malformed history naming the transitions the command went through.
// Internal to workflow/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "swf/model/model.hpp"
#include "workflow/future.hpp"

namespace swfrt::workflow::detail {

class engine;

enum class op_kind { activity, timer, lambda, child, signal_external, cancel_external, marker, close };

std::string_view to_string(op_kind kind) noexcept;

// What moved a command from one state to the next: a history event (its
// type and id) or the code (event id 0, e.g. "cancel").
struct transition {
    std::string_view cause;
    std::int64_t event_id = 0;
    std::string_view to;
};

class command_machine : public std::enable_shared_from_this<command_machine> {
public:
    explicit command_machine(op_kind k) noexcept : kind(k) {}
    virtual ~command_machine() = default;
    command_machine(const command_machine&) = delete;
    command_machine& operator=(const command_machine&) = delete;

    const op_kind kind;
    // The future the code awaits (none for markers and closes).
    std::shared_ptr<state_base> st;
    std::string id;      // activity, timer or Lambda id; workflow id of a child or of the external execution
    std::string name;    // activity type, Lambda function, child workflow type or signal name
    std::string version; // activity or child workflow type
    std::string run_id;  // a child's once started; the external run (empty: the open one)
    // The event that recorded its decision, once matched (0 before).
    std::int64_t recorded_at = 0;
    // Issued through the detached context: a cancel request of the
    // execution leaves it.
    bool detached = false;

    // The decision event that records this command's decision, matched in
    // its decision task's block. True when the command is known by the
    // event's id from now on (its outcomes name that event).
    virtual bool recorded(const swf::model::history_event& e, engine& en) = 0;
    // An outcome event that names this command.
    virtual void outcome(const swf::model::history_event& e, engine& en) = 0;
    // The code asks to cancel it after its decision left (the engine drops
    // a decision not sent yet itself). event_id goes into the error raised
    // (0: the code asked).
    virtual void cancel(engine& en, std::int64_t event_id);
    // The code canceled it before its decision was sent: it never existed.
    void dropped() { moved_by_code("cancel before it was sent", "dropped"); }
    // Whether SWF has a way to cancel this kind at all.
    virtual bool cancelable() const noexcept { return false; }
    // Waited for: issued, and its future has no outcome yet.
    bool pending() const noexcept { return st && !st->ready(); }

    // "activity "1" (charge 2)".
    std::string text() const;
    virtual std::string_view state_name() const noexcept = 0;
    // "created -ActivityTaskScheduled@5-> scheduled -cancel-> cancel_issued".
    std::string transitions() const;

protected:
    void moved(const swf::model::history_event& e, std::string_view to);
    void moved_by_code(std::string_view cause, std::string_view to);
    // Reports e as not fitting this command's state; nothing changes.
    void refuse(const swf::model::history_event& e, engine& en) const;
    // Resolves the future with an error (and a child's started future).
    virtual void fail(std::exception_ptr error);
    template <class T> state<T>& typed() { return static_cast<state<T>&>(*st); }

private:
    // The last transitions, for error messages (older ones are counted).
    static constexpr std::size_t kept = 8;
    std::array<transition, kept> seen_{};
    std::size_t count_ = 0;
};

// The event id an outcome event names and the kind of command it must be
// (nullopt: the event lacks its attributes or is not an outcome).
struct outcome_ref {
    std::int64_t event_id = 0;
    op_kind kind{};
};
std::optional<outcome_ref> outcome_of(const swf::model::history_event& e);

// The Initiated event a refused start, signal or cancel names, when it names
// one: SWF records these failures either with the decision (no Initiated
// event) or later, once it tried (after the Initiated event).
std::optional<std::int64_t> initiated_of(const swf::model::history_event& e);

} // namespace swfrt::workflow::detail
