// The context a workflow's run receives: every effect of workflow code goes
// through it (activities, Lambda functions, child workflows, timers,
// markers, signals, other executions, continue-as-new) and
// so does everything that must be the same on every replay (time, random
// numbers, side effects). Each command takes the next id of its kind, so a
// replay meets its own earlier commands in the history at the same place.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swf/model/model.hpp"
#include "workflow/errors.hpp"
#include "workflow/future.hpp"
#include "workflow/task.hpp"

namespace swfrt::workflow {

namespace detail {
class engine;
class child_machine;
} // namespace detail

// A timeout SWF should not enforce ("NONE").
inline constexpr std::chrono::seconds unlimited = std::chrono::seconds::max();

// The marker side_effect records; workflow code cannot record it itself.
inline constexpr std::string_view side_effect_marker = "SideEffect";
// The marker version records, with {"changeId": ..., "version": ...}.
inline constexpr std::string_view version_marker = "Version";
// What version() returns at a point an execution passed before the change
// existed (its history holds no marker for it).
inline constexpr int default_version = -1;

// Retries of a failed or timed-out activity, each after a timer of its own,
// so that replay sees the same attempts. The n-th retry waits
// min(initial_interval * backoff^(n-1), max_interval). Cancellation and
// ScheduleActivityTaskFailed are never retried.
struct retry_policy {
    // All attempts, the first included; 0 means no limit.
    int max_attempts = 3;
    std::chrono::seconds initial_interval{1};
    double backoff = 2.0;
    std::chrono::seconds max_interval{100};
    // ActivityTaskFailed reasons that fail at once.
    std::vector<std::string> non_retryable_reasons{};
    // Whether a timed-out attempt is retried.
    bool retry_timeouts = true;
};

// Unset members take the defaults registered with the activity type.
struct activity_options {
    std::optional<std::string> task_list{};
    std::optional<std::chrono::seconds> schedule_to_close_timeout{};
    std::optional<std::chrono::seconds> schedule_to_start_timeout{};
    std::optional<std::chrono::seconds> start_to_close_timeout{};
    std::optional<std::chrono::seconds> heartbeat_timeout{};
    std::optional<int> task_priority{};
    // Replaces the generated id ("1", "2", ... by call order; the call still
    // takes its number, so later calls keep theirs).
    std::optional<std::string> activity_id{};
    std::optional<std::string> control{};
    // Unset: one attempt. Each retry takes the next activity id ("<id>.2",
    // "<id>.3", ... when activity_id is set). The future of a retried
    // activity comes from spawn: a cancel request of the execution stops
    // it, cancel() on it is refused.
    std::optional<retry_policy> retry{};
};

struct lambda_options {
    // SWF's default is 300 seconds, also its maximum.
    std::optional<std::chrono::seconds> start_to_close_timeout{};
    // Replaces the generated id ("l1", "l2", ...).
    std::optional<std::string> lambda_id{};
    std::optional<std::string> control{};
};

// Unset members take the defaults registered with the child's workflow type.
struct child_options {
    // Replaces the generated id ("<this run's id>:c1", ":c2", ... by call
    // order; the call still takes its number, so later calls keep theirs).
    std::optional<std::string> workflow_id{};
    std::optional<std::string> task_list{};
    std::optional<std::chrono::seconds> execution_start_to_close_timeout{};
    std::optional<std::chrono::seconds> task_start_to_close_timeout{};
    std::optional<swf::model::child_policy> child_policy{};
    std::vector<std::string> tag_list{};
    std::optional<std::string> lambda_role{};
    std::optional<int> task_priority{};
    std::optional<std::string> control{};
};

enum class log_level { debug, info, warn, error };

struct timer_options {
    // Replaces the generated id ("t1", "t2", ... by call order; the call
    // still takes its number, so later calls keep theirs). Ids must be
    // unique among the execution's open timers.
    std::optional<std::string> timer_id{};
    std::optional<std::string> control{};
};

// What WorkflowExecutionStarted says about this execution.
struct workflow_info {
    swf::model::workflow_execution execution{};
    swf::model::workflow_type type{};
    std::string task_list{};
    swf::model::child_policy child_policy{};
    std::optional<std::string> lambda_role{};
    std::vector<std::string> tag_list{};
    std::optional<std::string> continued_execution_run_id{};
    std::optional<swf::model::workflow_execution> parent{};
    // The event of the parent that started this child.
    std::optional<std::int64_t> parent_initiated_event_id{};
    std::string input{};
    // unlimited when SWF says "NONE".
    std::optional<std::chrono::seconds> execution_start_to_close_timeout{};
    std::optional<std::chrono::seconds> task_start_to_close_timeout{};
    std::optional<int> task_priority{};
};

// Options for continue_as_new that give the new run what this one has:
// task list, timeouts, child policy, tags, Lambda role and priority.
continue_as_new_options continue_as_new_like(const workflow_info& info);

class context;

// A child workflow started with context::start_child: one command, two
// futures (started: its run id; result: how it ended). Copyable; valid
// while the replay lasts.
class child_handle {
public:
    const std::string& workflow_id() const noexcept;
    // The run id once ChildWorkflowExecutionStarted was seen; empty before.
    const std::string& run_id() const noexcept;
    // Resolves with the run id at ChildWorkflowExecutionStarted; raises
    // start_child_workflow_failed.
    future<std::string> started() const;
    // Resolves with the child's result; raises child_workflow_failed,
    // child_workflow_timed_out, child_workflow_canceled,
    // child_workflow_terminated or start_child_workflow_failed.
    future<std::string> result() const;
    // Asks the child to cancel (RequestCancelExternalWorkflowExecution with
    // control; asked again once it started if SWF refused it before). How
    // the child ends is result()'s. Not sent yet: the start is dropped.
    void cancel(std::optional<std::string> control = std::nullopt);
    // SignalExternalWorkflowExecution to the child (its run, once known).
    future<void> signal(std::string name, std::string input = {}, std::optional<std::string> control = std::nullopt);

private:
    friend class context;
    child_handle(context& ctx, std::shared_ptr<detail::child_machine> m) : ctx_(&ctx), m_(std::move(m)) {}
    context* ctx_;
    std::shared_ptr<detail::child_machine> m_;
};

namespace detail {

// Runs a spawned task to its end and hands the outcome to a future. Owned
// by the context, which destroys it (finished or not) when the replay ends.
struct driver {
    struct promise_type {
        driver get_return_object() noexcept {
            return {std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() const noexcept { return {}; }
        std::suspend_always final_suspend() const noexcept { return {}; }
        void return_void() const noexcept {}
        // Only a future's callback can throw here, and none does.
        void unhandled_exception() const { throw; }
    };
    std::coroutine_handle<promise_type> handle;
};

template <class T> driver drive(task<T> t, std::shared_ptr<state<T>> out) {
    if constexpr (std::is_void_v<T>) {
        try {
            co_await std::move(t);
        } catch (...) {
            if (!out->ready()) out->set_exception(std::current_exception());
            co_return;
        }
        if (!out->ready()) out->set_value();
    } else {
        std::optional<T> value;
        try {
            value.emplace(co_await std::move(t));
        } catch (...) {
            if (!out->ready()) out->set_exception(std::current_exception());
            co_return;
        }
        // Already resolved when a signal handler ended the run first.
        if (!out->ready()) out->set_value(std::move(*value));
    }
}

} // namespace detail

class context {
public:
    context(const context&) = delete;
    context& operator=(const context&) = delete;

    const workflow_info& info() const noexcept;

    // ScheduleActivityTask. Resolves with the result ("" when there is
    // none); raises activity_failed, activity_timed_out, activity_canceled
    // or schedule_activity_failed.
    future<std::string> activity(std::string name, std::string version, std::string input = {},
                                 activity_options options = {});

    // ScheduleLambdaFunction (the execution needs a lambda role). Resolves
    // with the result; raises lambda_failed, lambda_timed_out,
    // schedule_lambda_failed or start_lambda_failed.
    future<std::string> lambda(std::string function, std::string input = {}, lambda_options options = {});

    // StartChildWorkflowExecution. Resolves with the child's result when it
    // completes; raises child_workflow_failed, child_workflow_timed_out,
    // child_workflow_canceled, child_workflow_terminated or
    // start_child_workflow_failed.
    future<std::string> child(swf::model::workflow_type type, std::string input = {},
                              child_options options = {});

    // The same command, awaited only until the child started: resolves with
    // its run id at ChildWorkflowExecutionStarted (raises
    // start_child_workflow_failed). How the child ends is not reported, and
    // once started it is not canceled with this execution.
    future<std::string> child_started(swf::model::workflow_type type, std::string input = {},
                                      child_options options = {});

    // The same command as a handle with both futures: start, signal it,
    // await its result, cancel it.
    child_handle start_child(swf::model::workflow_type type, std::string input = {}, child_options options = {});

    // SignalExternalWorkflowExecution (an empty run id: the open run).
    // Resolves when ExternalWorkflowExecutionSignaled; raises
    // signal_external_failed.
    future<void> signal_external(std::string workflow_id, std::string run_id, std::string name,
                                 std::string input = {}, std::optional<std::string> control = std::nullopt);

    // RequestCancelExternalWorkflowExecution. Resolves when
    // ExternalWorkflowExecutionCancelRequested (the request was delivered;
    // whether the execution cancels is up to it); raises
    // request_cancel_external_failed.
    future<void> request_cancel_external(std::string workflow_id, std::string run_id = {},
                                         std::optional<std::string> control = std::nullopt);

    // Ends this run and starts a new one of the same workflow with input:
    // throws continue_as_new_request, and when that leaves run the answer is
    // ContinueAsNewWorkflowExecution. Refused options (a negative timeout)
    // throw invalid_argument here instead.
    [[noreturn]] void continue_as_new(std::string input = {}, continue_as_new_options options = {});

    // StartTimer ("t1", "t2", ... or options.timer_id). Raises
    // start_timer_failed.
    future<void> timer(std::chrono::seconds delay, timer_options options = {});

    // RecordMarker. The name side_effect uses is refused (invalid_argument).
    void marker(std::string name, std::string details = {});

    // The input of the next WorkflowExecutionSignaled of that name, in
    // history order; signals nobody waited for yet are kept for later
    // waits. A wait consumes the next signal even if nobody awaits its
    // future any more (e.g. when it lost a when_any): bound a wait with the
    // overload below instead.
    future<std::string> wait_signal(std::string name);
    // The same with a bound: nullopt when the timer (a StartTimer of its
    // own) fires first, and then the wait is withdrawn so that a later
    // signal stays for the next wait. A signal already received resolves it
    // at once and starts no timer.
    future<std::optional<std::string>> wait_signal(std::string name, std::chrono::seconds timeout);

    // ---- cancellation ----
    // When WorkflowExecutionCancelRequested arrives, everything the code is
    // waiting for at that point is canceled at the next decision task:
    // timers (CancelTimer) and signal waits raise canceled_error at once;
    // activities (RequestCancelActivityTask) and children (a cancel request
    // to the child) raise activity_canceled / child_workflow_canceled when
    // SWF reports them canceled, or end as they would have if they finished
    // first; Lambda functions cannot be canceled and run on. Commands issued
    // after that (clean-up) are not canceled. A cancellation error, or
    // workflow_canceled, leaving run closes the execution as canceled;
    // catching it and going on ignores the request.
    bool cancel_requested() const noexcept;
    // A context whose commands (activities, timers, children, signal waits,
    // and what coroutines given it issue) a cancel request of the execution
    // does not cancel: for clean-up after a cancellation, or for a workflow
    // that decides itself when to honour a request (it watches
    // cancellation() and cancels what it wants with cancel()). Activities
    // with a retry policy keep retrying there. Valid while the replay lasts.
    context& detached();
    bool is_detached() const noexcept { return detached_; }
    // Resolves when the execution is asked to cancel (for when_any).
    future<void> cancellation();
    // Cancels one command's future (activity, timer, child workflow, bounded
    // or unbounded signal wait) as above; nothing if it has an outcome.
    // Other futures are refused (invalid_argument).
    template <class T> void cancel(const future<T>& f) { cancel_state(f.shared_state().get()); }

    // ---- signals ----
    // Calls handler with the input of every WorkflowExecutionSignaled of
    // that name, in history order, at the decision task that sees it (those
    // received before this call at once, from within on_signal, which then
    // lets what the handler throws through). A handler may issue commands
    // and spawn coroutines; an exception from a later call ends run as if
    // run threw it. The handler is kept until the replay ends, and it is
    // also called after run returned: when SWF refused the execution's close
    // because a signal came in meanwhile, the handler runs at the next
    // decision task and its commands go before the close made again. So
    // what it changes must outlive run: members of the workflow class (the
    // workflow object lives until the replay ends) or state the handler
    // owns, not locals of run: C++ ends their lifetime at run's co_return,
    // whatever keeps the coroutine frame.
    // One handler per name; wait_signal on a name with a handler is refused.
    void on_signal(std::string name, std::function<void(std::string)> handler);

    // Keeps object alive until the replay ends (the workflow object is kept
    // so, for handlers that refer to its members).
    void keep_alive(std::shared_ptr<void> object);

    // ---- code changes ----
    // For a change of the code of a running workflow: the first call for
    // change_id records max_supported in a "Version" marker and returns it;
    // replays return the recorded value; an execution that passed this
    // point before the change existed gets default_version. Later calls
    // with the same change_id return the same value. A value outside
    // [min_supported, max_supported] throws unsupported_version.
    int version(const std::string& change_id, int min_supported, int max_supported);

    // A line in the log the replay was given (a plugin's: the runtime's
    // log, with the workflow type, id and run id as fields), written only
    // when the code runs at the decision task being answered: nothing is
    // logged again while the history replays.
    void log(log_level level, std::string_view message);
    void log_info(std::string_view message) { log(log_level::info, message); }
    void log_warn(std::string_view message) { log(log_level::warn, message); }
    // Whether the code runs at the decision task being answered (false
    // while it replays what the history already holds).
    bool live() const noexcept;

    // When the current decision task started, as SWF recorded it: the same
    // on every replay of this point of the code.
    std::chrono::system_clock::time_point now() const noexcept;

    // 64 pseudo-random bits from a generator seeded with the run id: the
    // same sequence on every replay of the same execution.
    std::uint64_t random() noexcept;

    // Runs fn the first time this point is reached and records its result in
    // a "SideEffect" marker; replays return the recorded value without
    // running fn. The value must fit a marker's 32768 characters
    // (length_error otherwise).
    std::string side_effect(const std::function<std::string()>& fn);

    // Starts t at once (it runs until its first suspension before spawn
    // returns) and returns its outcome as a future, so that several
    // coroutines of one workflow can run side by side and be combined with
    // when_all / when_any.
    template <class T> future<T> spawn(task<T> t) {
        auto out = std::make_shared<detail::state<T>>(scheduler_of());
        auto d = detail::drive(std::move(t), out);
        adopt(d.handle);
        d.handle.resume();
        return future<T>(std::move(out));
    }

private:
    friend class detail::engine;
    friend class child_handle;
    context(detail::engine& e, bool detached) noexcept : engine_(&e), detached_(detached) {}

    detail::scheduler* scheduler_of() noexcept;
    std::shared_ptr<detail::child_machine> start_child_command(swf::model::workflow_type type, std::string input,
                                                               child_options options);
    void adopt(std::coroutine_handle<> h);
    void cancel_state(const detail::state_base* s);

    detail::engine* engine_;
    bool detached_ = false;
};

} // namespace swfrt::workflow
