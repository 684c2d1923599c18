#include "runtime/core/decision_runner.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "runtime/core/activity_runner.hpp"
#include "swf/client/roles.hpp"
#include "swf/codec/fit.hpp"
#include "swf/model/decisions.hpp"
#include "swf/model/limits.hpp"

namespace swfrt::runtime {

namespace asio = boost::asio;
namespace model = swf::model;
using clock_type = std::chrono::steady_clock;

namespace {

// Runs the decider where it is spawned (the decider pool); what it throws
// becomes a failed outcome.
asio::awaitable<sdk::decision_result> decide(const plugin::workflow_entry* entry, const model::decision_task* task) {
    try {
        co_return entry->registration.decider(*task);
    } catch (...) {
        co_return sdk::decision_result::not_decided(sdk::decider_outcome::failed,
                                                    sdk::describe_exception(std::current_exception()));
    }
}

// The worker's own task list: the shared one's name, the identity and a
// random part, in the characters SWF allows in a name (no ':', '/', '|',
// control characters or non-ASCII), at most 256 of them.
std::string sticky_name(const std::string& task_list, const std::string& identity) {
    std::random_device rd;
    char suffix[20];
    std::snprintf(suffix, sizeof suffix, "-%08x", static_cast<unsigned>(rd()));
    std::string name = task_list + "-sticky-" + identity;
    for (auto& c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == ':' || c == '/' || c == '|' || u < 0x20 || u >= 0x7f) c = '-';
    }
    const std::size_t room = swf::model::limits::max_name - std::strlen(suffix);
    if (name.size() > room) name.resize(room);
    return name + suffix;
}

bool closes_execution(const std::vector<model::decision>& decisions) {
    return std::any_of(decisions.begin(), decisions.end(),
                       [](const model::decision& d) { return swf::codec::closes_execution(d.decision_type); });
}

} // namespace

decision_runner::decision_runner(const worker_env& env, const worker_settings& settings, worker_flags& flags,
                                 running_tasks& running, asio::any_io_executor executor)
    : env_(env), settings_(settings), flags_(flags), running_(running), executor_(std::move(executor)) {
    if (settings_.sticky_schedule_to_start.count() == 0) return;
    sticky_list_ = sticky_name(settings_.task_list, settings_.identity);
    env_.log->info("sticky decision worker: executions it decides come back on its own task list",
                   {{"task_list", settings_.task_list},
                    {"sticky_task_list", sticky_list_},
                    {"schedule_to_start_seconds", std::to_string(settings_.sticky_schedule_to_start.count())}});
}

asio::awaitable<poll_result> decision_runner::poll_once(slot_lease lease) {
    // No more polls in flight on the worker's own list than on the shared
    // one (a tie goes to the shared one), so the shared list is always
    // polled, whatever the slots leave to poll with.
    struct in_flight {
        std::atomic<int>* count = nullptr;
        void release() {
            if (count) count->fetch_sub(1);
            count = nullptr;
        }
        ~in_flight() { release(); }
    } polling;
    bool sticky = false;
    {
        std::lock_guard lock(mutex_);
        sticky = !sticky_list_.empty() && sticky_polls_.load() < shared_polls_.load();
        polling.count = sticky ? &sticky_polls_ : &shared_polls_;
        polling.count->fetch_add(1);
    }
    swf::client::decision_client decisions(env_.client, settings_.domain, sticky ? sticky_list_ : settings_.task_list,
                                           settings_.identity);
    auto r = co_await decisions.poll();
    polling.release();
    poll_result out;
    if (!r) {
        out.failure = std::move(r).error();
        co_return out;
    }
    if (!*r) co_return out;
    out.task = true;
    auto strand = execution_strand((*r)->workflow_execution.run_id);
    asio::co_spawn(*strand, run(std::move(**r), std::move(lease), strand), [log = env_.log](std::exception_ptr e) {
        if (e) log->error("decision task ended by an exception", {{"error", sdk::describe_exception(e)}});
    });
    co_return out;
}

std::shared_ptr<decision_runner::strand_type> decision_runner::execution_strand(const std::string& run_id) {
    std::lock_guard lock(mutex_);
    if (execution_strands_.size() > 4096)
        std::erase_if(execution_strands_, [](const auto& kv) { return kv.second.expired(); });
    auto& slot = execution_strands_[run_id];
    auto strand = slot.lock();
    if (!strand) {
        strand = std::make_shared<strand_type>(asio::make_strand(executor_));
        slot = strand;
    }
    return strand;
}

asio::awaitable<void> decision_runner::run(model::decision_task task, slot_lease lease, std::shared_ptr<strand_type> keep) {
    (void)keep; // the execution's strand lives while a task of it runs
    (void)lease; // the slot is this task's until the coroutine ends
    auto state = std::make_shared<running_task>();
    state->kind = worker_kind::decision;
    state->type_label = task.workflow_type.name + ":" + task.workflow_type.version;
    state->workflow_id = task.workflow_execution.workflow_id;
    state->run_id = task.workflow_execution.run_id;
    auto listed = running_.add(state);
    const std::string type = state->type_label;
    const metrics::values<4> labels{"decision", settings_.domain, settings_.task_list, type};
    auto unanswered = [&](std::string_view reason) {
        env_.metrics->add(metric::tasks_unanswered, {"decision", settings_.domain, settings_.task_list, reason});
    };
    env_.metrics->add(metric::tasks_received, labels);
    env_.log->info("decision task received", {{"task_list", settings_.task_list},
                                              {"type", type},
                                              {"workflow_id", state->workflow_id},
                                              {"run_id", state->run_id},
                                              {"events", std::to_string(task.events.size())}});

    const plugin::workflow_entry* entry = nullptr;
    plugin::type_key key{task.workflow_type.name, task.workflow_type.version};
    if (settings_.types.count(key)) entry = env_.registry->find_workflow(key.first, key.second);
    if (!entry) {
        // Another worker version may know it: leave the task to time out.
        unanswered("unknown_workflow_type");
        env_.log->error("no decider for this workflow type here; the decision task is left to time out",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                         {"run_id", state->run_id}});
        co_return;
    }

    const auto received = env_.client->options().clock->now();
    const auto started = clock_type::now();
    auto* pool = env_.decider_pool ? env_.decider_pool : env_.blocking_pool;
    sdk::decision_result decided = co_await asio::co_spawn(*pool, decide(entry, &task), asio::use_awaitable);
    std::chrono::duration<double> took = clock_type::now() - started;
    env_.metrics->observe(metric::handler_seconds, labels, took.count());

    const bool failed = decided.outcome != sdk::decider_outcome::decided;
    const std::string failure = std::move(decided.message);
    if (decided.outcome == sdk::decider_outcome::non_determinism ||
        decided.outcome == sdk::decider_outcome::malformed_history) {
        // Never answered with a guess: the task times out, SWF schedules
        // another, and a deployment with the right code (or a repaired
        // peer) decides it.
        const bool nd = decided.outcome == sdk::decider_outcome::non_determinism;
        env_.metrics->add(metric::tasks_failed, labels);
        unanswered(nd ? "non_determinism" : "malformed_history");
        env_.log->error(nd ? "NON-DETERMINISM: the history disagrees with the code; the decision task is left to "
                             "time out and will be retried"
                           : "MALFORMED HISTORY: the decision task is left to time out and will be retried",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                         {"run_id", state->run_id}, {"error", failure}});
        co_return;
    }
    if (failed) {
        env_.metrics->add(metric::tasks_failed, labels);
        if (entry->registration.on_exception == sdk::failure_policy::retry_task || flags_.abandoned.load()) {
            unanswered("decider_failed");
            env_.log->error("DECIDER FAILED: the decision task is left to time out and will be retried",
                            {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                             {"run_id", state->run_id}, {"error", failure}});
            co_return;
        }
        decided = {};
        decided.decisions.push_back(swf::codec::fail_workflow_decision("DeciderException", failure));
        env_.log->error("decider failed; failing the workflow execution as its policy says",
                        {{"type", type}, {"workflow_id", state->workflow_id}, {"run_id", state->run_id},
                         {"error", failure}});
    }
    if (flags_.abandoned.load()) {
        unanswered("shutdown");
        co_return;
    }
    auto n = std::to_string(decided.decisions.size());
    swf::client::call_options opts;
    opts.retry_until = swf::client::decision_answer_deadline(task, received);
    swf::client::call_info info;
    swf::client::decision_client client(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    model::respond_decision_task_completed_input answer;
    answer.task_token = task.task_token;
    answer.execution_context = std::move(decided.execution_context);
    // Sticky: the execution's next decision task comes to this worker,
    // unless it is stopping (its own list would go unpolled).
    if (!sticky_list_.empty() && !flags_.stopping.load() && !closes_execution(decided.decisions)) {
        answer.task_list = model::task_list{sticky_list_};
        answer.task_list_schedule_to_start_timeout = std::to_string(settings_.sticky_schedule_to_start.count());
    }
    answer.decisions = std::move(decided.decisions);
    auto r = co_await client.respond_completed(std::move(answer), opts, &info);
    record_answer(env_, settings_, "decision", r.has_value(), info.earlier_attempt_ambiguous);
    if (!r) {
        env_.log->error("answering the decision task failed; given up",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                         {"run_id", state->run_id}, {"error", r.error().to_string()}});
        co_return;
    }
    if (!failed) env_.metrics->add(metric::tasks_completed, labels);
    env_.log->info("decision task answered", {{"task_list", settings_.task_list}, {"type", type},
                                              {"workflow_id", state->workflow_id}, {"run_id", state->run_id},
                                              {"decisions", n}});
}

} // namespace swfrt::runtime
