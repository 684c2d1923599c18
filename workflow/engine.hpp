// The state of one replay, shared by the replayer (which feeds it the
// history) and the context (through which the code issues commands).
// Internal to workflow/: use replayer.hpp.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "swf/model/model.hpp"
#include "workflow/context.hpp"
#include "workflow/errors.hpp"
#include "workflow/future.hpp"
#include "workflow/replayer.hpp"

namespace swfrt::workflow::detail {

enum class op_kind { activity, timer, lambda, child, signal_external, cancel_external };

// A command whose outcome the history reports later.
struct operation {
    op_kind kind{};
    std::shared_ptr<state_base> st;
    std::string id;      // activity, timer or Lambda id; workflow id of a child or of the external execution
    std::string name;    // activity type, Lambda function, child workflow type or signal name
    std::string version; // activity or child workflow type
    std::string run_id;  // a child's once started; the external run (empty: the open one)
    // child_started's future: resolves with the run id at ChildWorkflowExecutionStarted.
    std::shared_ptr<state<std::string>> started;
};

// A command the code issued and the history has not matched yet.
struct command {
    swf::model::decision decision;
    std::shared_ptr<operation> op; // none for markers and close decisions
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

class engine {
public:
    engine(const swf::model::workflow_execution& execution, const workflow_runner& runner);
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

    void issue(swf::model::decision d, std::shared_ptr<operation> op);
    void adopt(std::coroutine_handle<> h) { drivers_.push_back(h); }
    // A resolved state when a signal of that name is waiting, else a new waiter.
    std::shared_ptr<state<std::string>> wait_signal(const std::string& name);
    void withdraw_wait(const std::string& name, const state<std::string>* waiter);
    // The value the next side_effect call recorded: null past the end of
    // the recorded ones, an empty optional when its marker was refused.
    const std::optional<std::string>* next_side_effect();

private:
    void start(const swf::model::history_event& e);
    void run_code(const swf::model::history_event& e);
    void match(const swf::model::history_event& e);
    void resolve(const swf::model::history_event& e);
    void deliver(const swf::model::history_event& e);
    void on_root_done(state<std::string>& root);
    operation* find(const swf::model::history_event& e, std::int64_t by_event_id, op_kind kind);
    void fail(operation& op, std::exception_ptr error);

    void non_determinism(std::int64_t event_id, std::string history, std::string code);
    void malformed(std::int64_t event_id, std::string history, std::string what);

    const workflow_runner& runner_;
    context ctx_{*this};

    std::deque<command> pending_;
    std::unordered_map<std::int64_t, std::shared_ptr<operation>> by_event_;
    std::unordered_map<std::string, std::deque<std::string>> signals_;
    std::unordered_map<std::string, std::deque<std::shared_ptr<state<std::string>>>> signal_waits_;
    std::vector<std::optional<std::string>> side_effects_;
    std::size_t next_side_effect_ = 0;

    std::vector<std::coroutine_handle<>> drivers_;
    std::shared_ptr<state<std::string>> root_;
    std::coroutine_handle<> root_handle_{};
    bool root_started_ = false;
    std::int64_t last_run_ = 0; // the DecisionTaskStarted the code last ran at
    bool matching_ = false;     // between a DecisionTaskCompleted and its last decision event
    bool closed_ = false;
    std::optional<swf::model::decision> close_decision_;
    bool close_again_ = false;
    std::exception_ptr unhandled_;
    std::optional<replay_error> error_;
};

} // namespace swfrt::workflow::detail
