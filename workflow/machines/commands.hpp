// The eight command kinds, each a state machine (see machine.hpp); one
// source file each. States a command leaves only by the code's request are
// named *_issued (the decision is in this task's answer or the history's
// block being matched), those the history's events lead to are named after
// the event.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "workflow/machines/machine.hpp"

namespace swfrt::workflow::detail {

// ScheduleActivityTask: resolves with the result, or raises.
class activity_machine final : public command_machine {
public:
    enum class state_t { created, scheduled, schedule_failed, cancel_issued, cancel_recorded, cancel_failed,
                         completed, failed, timed_out, canceled, dropped };
    activity_machine() noexcept : command_machine(op_kind::activity) {}
    // Scheduled without a task list: the decision, input included, to make
    // again with the workflow's default activity task list if SWF answers
    // DEFAULT_TASK_LIST_UNDEFINED (the type was registered without one).
    std::unique_ptr<swf::model::schedule_activity_task_decision_attributes> without_task_list;
    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    void cancel(engine& en, std::int64_t event_id) override;
    bool cancelable() const noexcept override { return true; }
    std::string_view state_name() const noexcept override;
    state_t current() const noexcept { return s_; }

private:
    state_t s_ = state_t::created;
};

// StartTimer: resolves when it fires; raises canceled_error at once when
// the code cancels it (a TimerFired that crossed the CancelTimer is
// accepted and changes nothing).
class timer_machine final : public command_machine {
public:
    enum class state_t { created, started, start_failed, fired, cancel_issued, canceled, fired_after_cancel,
                         cancel_failed, dropped };
    timer_machine() noexcept : command_machine(op_kind::timer) {}
    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    void cancel(engine& en, std::int64_t event_id) override;
    bool cancelable() const noexcept override { return true; }
    std::string_view state_name() const noexcept override;
    state_t current() const noexcept { return s_; }

private:
    state_t s_ = state_t::created;
};

// ScheduleLambdaFunction; SWF cannot cancel one.
class lambda_machine final : public command_machine {
public:
    enum class state_t { created, scheduled, schedule_failed, completed, failed, timed_out, start_failed };
    lambda_machine() noexcept : command_machine(op_kind::lambda) {}
    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    std::string_view state_name() const noexcept override;
    state_t current() const noexcept { return s_; }

private:
    state_t s_ = state_t::created;
};

// StartChildWorkflowExecution: two futures, started (the run id) and the
// result. A cancel goes to the child as a cancel request (its own
// command, cancel_external_machine); a request SWF refused before the
// child started is asked again once it has.
class child_machine final : public command_machine {
public:
    enum class state_t { created, initiated, start_failed, started, completed, failed, timed_out, canceled,
                         terminated, dropped };
    enum class cancel_t { none, requested, again_when_started };
    child_machine() noexcept : command_machine(op_kind::child) {}
    std::shared_ptr<state<std::string>> started;
    // Awaited only until it started (child_started): once started, a cancel
    // request of the execution leaves it to its child policy.
    bool started_only = false;
    // The control data for the cancel request, when the code cancels it.
    std::optional<std::string> cancel_control;

    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    void cancel(engine& en, std::int64_t event_id) override;
    bool cancelable() const noexcept override { return true; }
    std::string_view state_name() const noexcept override;
    state_t current() const noexcept { return s_; }
    // The cancel request for this child was refused.
    void cancel_refused();

protected:
    void fail(std::exception_ptr error) override;

private:
    state_t s_ = state_t::created;
    cancel_t cancel_ = cancel_t::none;
};

// SignalExternalWorkflowExecution: resolves when the signal was delivered.
class signal_external_machine final : public command_machine {
public:
    enum class state_t { created, initiated, signaled, failed };
    signal_external_machine() noexcept : command_machine(op_kind::signal_external) {}
    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    std::string_view state_name() const noexcept override;
    state_t current() const noexcept { return s_; }

private:
    state_t s_ = state_t::created;
};

// RequestCancelExternalWorkflowExecution: resolves when the request was
// delivered. For the cancel of a child, target is the child, told when
// the request is refused.
class cancel_external_machine final : public command_machine {
public:
    enum class state_t { created, initiated, delivered, failed };
    cancel_external_machine() noexcept : command_machine(op_kind::cancel_external) {}
    std::weak_ptr<child_machine> target;
    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    std::string_view state_name() const noexcept override;
    state_t current() const noexcept { return s_; }

private:
    void refused(std::exception_ptr error);
    state_t s_ = state_t::created;
};

// RecordMarker (side effects and versions too): nothing waits for it.
class marker_machine final : public command_machine {
public:
    enum class state_t { created, recorded, failed };
    marker_machine() noexcept : command_machine(op_kind::marker) {}
    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    std::string_view state_name() const noexcept override;

private:
    state_t s_ = state_t::created;
};

// The close decision (complete, fail, cancel, continue as new). A refused
// one is made again at the next decision task (the engine's part).
class close_machine final : public command_machine {
public:
    enum class state_t { created, closed, refused };
    close_machine() noexcept : command_machine(op_kind::close) {}
    bool recorded(const swf::model::history_event& e, engine& en) override;
    void outcome(const swf::model::history_event& e, engine& en) override;
    std::string_view state_name() const noexcept override;

private:
    state_t s_ = state_t::created;
};

} // namespace swfrt::workflow::detail
