// The state of one replay, shared by the replayer (which feeds it the
// history) and the context (through which the code issues commands).
// Internal to workflow/: use replayer.hpp.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <utility>
#include <unordered_map>
#include <vector>

#include "swf/model/model.hpp"
#include "workflow/context.hpp"
#include "workflow/decision_block.hpp"
#include "workflow/errors.hpp"
#include "workflow/future.hpp"
#include "workflow/machines/commands.hpp"
#include "workflow/replayer.hpp"

namespace swfrt::workflow::detail {

// Commands by the id of the history event that recorded them. SWF numbers
// events 1, 2, 3, ...: a vector indexed by id, with a map for ids outside
// the history's range (a malformed history).
class op_table {
public:
    void reserve_ids(std::size_t n) { dense_.assign(n + 1, nullptr); }
    std::shared_ptr<command_machine>* find(std::int64_t id) {
        if (id > 0 && static_cast<std::size_t>(id) < dense_.size()) return dense_[static_cast<std::size_t>(id)] ? &dense_[static_cast<std::size_t>(id)] : nullptr;
        auto it = sparse_.find(id);
        return it == sparse_.end() ? nullptr : &it->second;
    }
    void put(std::int64_t id, std::shared_ptr<command_machine> op) {
        if (id > 0 && static_cast<std::size_t>(id) < dense_.size()) {
            dense_[static_cast<std::size_t>(id)] = std::move(op);
        } else {
            sparse_[id] = std::move(op);
        }
    }
    // fn(id, op) for every command, in id order.
    template <class F> void for_each(F&& fn) const {
        for (const auto& [id, op] : sparse_)
            if (id <= 0) fn(id, op);
        for (std::size_t i = 1; i < dense_.size(); ++i)
            if (dense_[i]) fn(static_cast<std::int64_t>(i), dense_[i]);
        for (const auto& [id, op] : sparse_)
            if (id > 0) fn(id, op);
    }

private:
    std::vector<std::shared_ptr<command_machine>> dense_;
    std::map<std::int64_t, std::shared_ptr<command_machine>> sparse_;
};

// A wait_signal with a timeout: the future the code holds and what it is
// made of, so that cancel() can find them.
struct bounded_wait {
    std::weak_ptr<state_base> out;
    std::shared_ptr<timer_machine> timer;
};

// Per-kind counters: the n-th call of a kind gets the n-th id, on every
// replay. External signals and cancels need none: SWF records them under
// the target's workflow id, which is what replay matches them on.
struct id_counters {
    std::uint64_t activity = 0; // "1", "2", ...
    std::uint64_t timer = 0;    // "t1", ...
    std::uint64_t lambda = 0;   // "l1", ...
    std::uint64_t child = 0;    // "<run id>:c1", ...
};

// The ContinueAsNewWorkflowExecution a continue_as_new_request asks for
// (its options were checked when it was thrown).
swf::model::decision continue_as_new_decision(const continue_as_new_request& r);

// A Version marker's details, {"changeId":"...","version":N}, and back
// (empty when they are not that).
std::string version_details(const std::string& change_id, int version);
std::optional<std::pair<std::string, int>> parse_version_details(const std::string& details);

class engine {
    // One replay's commands and futures come from here and go with the
    // engine (declared first: destroyed last, after everything using it).
    std::pmr::monotonic_buffer_resource arena_{16384};

public:
    engine(const swf::model::workflow_execution& execution, const workflow_runner& runner,
           replay_options options);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // events[target] is the DecisionTaskStarted to answer.
    replay_result replay(const std::vector<swf::model::history_event>& events, std::size_t target);

    // ---- for the context ----
    scheduler sched;
    workflow_info info;
    id_counters ids;
    double now = 0;
    std::uint64_t rng_state = 0;

    // True while the code runs; live when it runs at the decision task
    // being answered (not at one the history already answered).
    bool running = false;
    bool live = false;
    // This replay's answers to version(), and what the history recorded.
    std::unordered_map<std::string, int> versions;
    std::unordered_map<std::string, int> recorded_versions;
    // The version a Version marker of the history records for change_id.
    const int* recorded_version(const std::string& change_id);

    // A shared object of this replay, allocated from its arena.
    template <class T, class... Args> std::shared_ptr<T> make(Args&&... args) {
        return std::allocate_shared<T>(std::pmr::polymorphic_allocator<T>(&arena_), std::forward<Args>(args)...);
    }

    void issue(swf::model::decision d, std::shared_ptr<command_machine> machine);
    // A marker (RecordMarker) as a command of its own.
    void issue_marker(swf::model::decision d);
    void adopt(std::coroutine_handle<> h) { drivers_.push_back(h); }
    std::shared_ptr<timer_machine> start_timer(std::chrono::seconds delay, timer_options options = {},
                                               bool detached = false);
    // A resolved state when a signal of that name is waiting, else a new waiter.
    std::shared_ptr<state<std::string>> wait_signal(const std::string& name, bool detached = false);
    context& detached_context();
    // Where an activity goes that was scheduled without a task list, of a
    // type registered without a default (see replay_options).
    std::string activity_task_list() const;
    const auto& log_sink() const noexcept { return options_.log; }
    void withdraw_wait(const std::string& name, const state<std::string>* waiter);
    void add_bounded_wait(bounded_wait w) { bounded_waits_.push_back(std::move(w)); }
    void on_signal(const std::string& name, std::function<void(std::string)> handler);
    void retain(std::shared_ptr<void> object) { retained_.push_back(std::move(object)); }

    // Runs fn now when the code runs, else when it runs next: what events
    // trigger between decision tasks must issue its commands with the code.
    void soon(std::function<void()> fn);
    // Cancels one command (see context::cancel); event_id goes into the
    // error raised (0: the code asked).
    void cancel(const std::shared_ptr<command_machine>& m, std::int64_t event_id);
    // The command, bounded wait or signal wait whose future state s is.
    void cancel_state(const state_base* s);
    bool cancel_requested() const noexcept { return cancel_requested_; }
    std::shared_ptr<state<void>> cancellation();
    // The value the next side_effect call recorded: null past the end of
    // the recorded ones, an empty optional when its marker was refused.
    const std::optional<std::string>* next_side_effect();

    // ---- for the command machines ----
    // Reports e as a malformed history ("what" says why) that does not fit
    // a command which went through these transitions.
    void report_malformed(const swf::model::history_event& e, std::string what, std::string transitions);
    // Takes back a command of this run not sent yet.
    void drop(const command_machine& m) { block_.drop(m); }
    // SWF refused the close decision (e): it is made again at the next
    // decision task, or, refused for good, replaced by a failure.
    void close_refused(const swf::model::history_event& e);

private:
    void start(const swf::model::history_event& e);
    void run_code(const swf::model::history_event& e, bool is_target);
    void match(const swf::model::history_event& e);
    void resolve(const swf::model::history_event& e);
    void deliver(const swf::model::history_event& e);
    void request_cancel(const swf::model::history_event& e);
    void cancel_everything(std::int64_t event_id);
    void fail_waiter(const std::shared_ptr<state<std::string>>& w, const std::string& name, std::int64_t event_id);
    void end_run(std::exception_ptr error);
    void read_version(const swf::model::history_event& e);
    void read_next_marker();
    bool answered(std::size_t started) const;
    void on_root_done(state<std::string>& root);
    void issue_close(swf::model::decision d);

    void non_determinism(std::int64_t event_id, std::string history, std::string code);
    void malformed(std::int64_t event_id, std::string history, std::string what, std::string transitions = {});

    const workflow_runner& runner_;
    const replay_options options_;
    context ctx_{*this, false};
    std::unique_ptr<context> detached_ctx_;
    // Signal waits of the detached context: a cancel request leaves them.
    std::vector<const state_base*> detached_waits_;

    decision_block block_;
    op_table by_event_;
    std::unordered_map<std::string, std::deque<std::string>> signals_;
    std::unordered_map<std::string, std::deque<std::shared_ptr<state<std::string>>>> signal_waits_;
    std::map<std::string, std::function<void(std::string)>> signal_handlers_;
    std::vector<bounded_wait> bounded_waits_;
    std::vector<std::function<void()>> deferred_;
    bool cancel_requested_ = false;
    std::shared_ptr<state<void>> cancellation_;
    std::vector<std::optional<std::string>> side_effects_;
    std::size_t next_side_effect_ = 0;
    const std::vector<swf::model::history_event>* events_ = nullptr;
    std::size_t target_ = 0;
    std::size_t marker_cursor_ = 0; // markers read ahead up to here

    std::vector<std::coroutine_handle<>> drivers_;
    // Objects kept until the replay ends (the workflow object: its signal
    // handlers may run after run() returned). Destroyed after the drivers.
    std::vector<std::shared_ptr<void>> retained_;
    std::shared_ptr<state<std::string>> root_;
    std::coroutine_handle<> root_handle_{};
    bool root_started_ = false;
    std::int64_t last_run_ = 0; // the DecisionTaskStarted the code last ran at
    bool closed_ = false;
    std::optional<swf::model::decision> close_decision_;
    bool close_again_ = false;
    std::exception_ptr unhandled_;
    std::optional<replay_error> error_;
};

} // namespace swfrt::workflow::detail
