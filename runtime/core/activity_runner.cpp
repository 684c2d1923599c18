#include "runtime/core/activity_runner.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <typeinfo>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "runtime/core/heartbeat.hpp"
#include "runtime/plugin/log_host.hpp"
#include "swf/client/roles.hpp"

namespace swfrt::runtime {

namespace asio = boost::asio;
namespace model = swf::model;
using clock_type = std::chrono::steady_clock;

namespace {

std::string type_name(const std::exception& e) {
    int status = 0;
    char* demangled = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
    std::string out = status == 0 && demangled ? demangled : typeid(e).name();
    std::free(demangled);
    return out;
}

} // namespace

void record_answer(const worker_env& env, const worker_settings& settings, std::string_view kind, bool answered,
                   bool ambiguous) {
    std::string_view outcome = !answered ? "given_up" : ambiguous ? "ambiguous" : "answered";
    env.metrics->add(metric::task_answers, {kind, settings.domain, settings.task_list, outcome});
}

// What the handler sees (activity_context) and what the runner needs to
// answer the task.
struct activity_runner::task_state : sdk::activity_context, running_task {
    model::activity_task activity;
    logger* log_to = nullptr;
    swf::clock::time_point received{}; // by the client's clock, for the answer's deadline
    std::shared_ptr<heartbeater> heartbeats; // null when no handler runs

    const model::activity_task& task() const override { return activity; }
    void log(sdk::log_level level, std::string_view message) override {
        if (!log_to) return;
        log_to->log(plugin::to_runtime(level), message,
                    {{"activity", type_label}, {"activity_id", id}, {"workflow_id", workflow_id}, {"run_id", run_id}});
    }
    std::stop_token stop_token() const override { return stop.get_token(); }
    bool cancel_requested() const override { return heartbeats && heartbeats->cancel_requested(); }
    void heartbeat(std::string details) override {
        if (heartbeats) heartbeats->request(std::move(details));
    }
};

namespace {

// Runs a blocking handler on the thread pool it is spawned on.
asio::awaitable<std::string> run_blocking(const sdk::blocking_activity& fn,
                                          std::shared_ptr<activity_runner::task_state> s) {
    co_return fn(*s, s->activity.input.value_or(""));
}

} // namespace

activity_runner::activity_runner(const worker_env& env, const worker_settings& settings, worker_flags& flags,
                                 running_tasks& running, asio::any_io_executor executor)
    : env_(env), settings_(settings), flags_(flags), running_(running), executor_(std::move(executor)) {}

asio::awaitable<poll_result> activity_runner::poll_once(slot_lease lease) {
    swf::client::activity_client activities(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    auto r = co_await activities.poll();
    poll_result out;
    if (!r) {
        out.failure = std::move(r).error();
        co_return out;
    }
    if (!*r) co_return out;
    out.task = true;
    // Each task on a strand of its own; the lease goes with it.
    asio::co_spawn(asio::make_strand(executor_), run(std::move(**r), std::move(lease)),
                   [log = env_.log](std::exception_ptr e) {
                       if (e) log->error("activity task ended by an exception", {{"error", sdk::describe_exception(e)}});
                   });
    co_return out;
}

asio::awaitable<void> activity_runner::run(model::activity_task task, slot_lease lease) {
    (void)lease; // the slot is this task's until the coroutine ends
    auto state = std::make_shared<task_state>();
    state->kind = worker_kind::activity;
    state->log_to = env_.log;
    state->type_label = task.activity_type.name + ":" + task.activity_type.version;
    state->workflow_id = task.workflow_execution.workflow_id;
    state->run_id = task.workflow_execution.run_id;
    state->id = task.activity_id;
    state->activity = std::move(task);
    state->received = env_.client->options().clock->now();
    auto listed = running_.add(state);
    const std::string type = state->type_label;
    const metrics::values<4> labels{"activity", settings_.domain, settings_.task_list, type};
    env_.metrics->add(metric::tasks_received, labels);
    env_.log->info("activity task received", {{"task_list", settings_.task_list},
                                              {"type", type},
                                              {"workflow_id", state->workflow_id},
                                              {"run_id", state->run_id},
                                              {"activity_id", state->id}});

    const plugin::activity_entry* entry = nullptr;
    plugin::type_key key{state->activity.activity_type.name, state->activity.activity_type.version};
    if (settings_.types.count(key)) entry = env_.registry->find_activity(key.first, key.second);

    std::exception_ptr failure;
    std::string result;
    if (!entry) {
        failure = std::make_exception_ptr(sdk::activity_failure(
            "UnknownActivityType", "this worker (task list " + settings_.task_list + ") has no handler for activity type " +
                                       type + "; check the worker's handlers and the plugins it loads"));
    } else {
        state->heartbeats = std::make_shared<heartbeater>(
            env_, settings_, flags_, executor_,
            heartbeat_target{state->activity.task_token, type, state->workflow_id, state->id},
            heartbeat_interval(entry->registration.type.default_task_heartbeat_timeout, env_.default_heartbeat_interval),
            state->stop);
        state->heartbeats->start();
        const auto started = clock_type::now();
        try {
            if (entry->registration.coroutine) {
                result = co_await entry->registration.coroutine(*state, state->activity.input.value_or(""));
            } else {
                // A named coroutine, not a capturing lambda: g++ 12 destroys a
                // lambda temporary inside a co_await expression twice.
                result = co_await asio::co_spawn(*env_.blocking_pool, run_blocking(entry->registration.blocking, state),
                                                 asio::use_awaitable);
            }
        } catch (...) {
            failure = std::current_exception();
        }
        std::chrono::duration<double> took = clock_type::now() - started;
        env_.metrics->observe(metric::handler_seconds, labels, took.count());
        state->heartbeats->finish();
    }
    co_await answer(*state, failure, std::move(result));
    // `listed` and `lease` end here, on every path out, an exception's included.
}

asio::awaitable<void> activity_runner::answer(task_state& s, std::exception_ptr failure, std::string result) {
    const std::string& type = s.type_label;
    const metrics::values<4> labels{"activity", settings_.domain, settings_.task_list, type};
    std::initializer_list<log_field> where = {{"task_list", settings_.task_list},
                                              {"type", type},
                                              {"workflow_id", s.workflow_id},
                                              {"run_id", s.run_id},
                                              {"activity_id", s.id}};
    const bool lost = s.heartbeats && s.heartbeats->lost();
    if (flags_.abandoned.load() || lost) {
        env_.metrics->add(metric::tasks_unanswered,
                          {"activity", settings_.domain, settings_.task_list, lost ? "task_unknown" : "shutdown"});
        env_.log->warn(lost ? "activity task no longer known to SWF (timed out?); not answered"
                            : "activity task left unanswered at exit",
                       where);
        co_return;
    }
    // The answer is worth retrying until SWF would time the task out; the
    // worker knows its type's default start-to-close timeout, not what the
    // decider set, so it allows at least a minute past the end of the
    // handler (SWF refuses a timed-out token with UnknownResourceFault,
    // which ends the retries anyway).
    auto deadline = s.received + swf::client::unknown_task_timeout;
    if (const auto* entry = env_.registry->find_activity(s.activity.activity_type.name, s.activity.activity_type.version)) {
        if (auto t = swf::client::parse_timeout(entry->registration.type.default_task_start_to_close_timeout))
            deadline = s.received + *t;
    }
    deadline = std::max(deadline, env_.client->options().clock->now() + std::chrono::minutes{1});
    swf::client::call_options opts;
    opts.retry_until = deadline;
    swf::client::call_info info;
    swf::client::activity_client client(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    swf::result<model::empty> r = model::empty{};
    std::string outcome;
    const counter_family<4>* counter = nullptr;
    if (s.cancel_requested()) {
        outcome = "canceled";
        counter = &metric::tasks_canceled;
        std::optional<std::string> details;
        if (!failure) details = std::move(result);
        r = co_await client.respond_canceled(s.activity.task_token, std::move(details), opts, &info);
    } else if (failure || s.stopped_by_shutdown.load()) {
        std::string reason, details;
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const sdk::activity_failure& e) {
                reason = e.reason();
                details = e.details();
            } catch (const std::exception& e) {
                reason = type_name(e);
                details = e.what();
            } catch (...) {
                reason = "UnknownException";
                details = "the handler threw something that is not a std::exception";
            }
        }
        if (s.stopped_by_shutdown.load()) {
            // What a handler returns after its stop token fired is not its
            // result: the task did not finish.
            details = "the worker was shutting down and stopped the handler after its grace period; " +
                      (failure ? "the handler then failed with " + reason + ": " + details
                               : "the handler then returned: " + result);
            reason = "WorkerShutdown";
        }
        outcome = "failed";
        counter = &metric::tasks_failed;
        r = co_await client.respond_failed(s.activity.task_token, reason, details, opts, &info);
    } else {
        outcome = "completed";
        counter = &metric::tasks_completed;
        r = co_await client.respond_completed(s.activity.task_token, result, opts, &info);
        if (!r && r.error().kind == swf::error_kind::validation && r.error().http_status == 0) {
            // The result breaks SWF's limits: fail the task rather than lose it.
            outcome = "failed";
            counter = &metric::tasks_failed;
            r = co_await client.respond_failed(s.activity.task_token, "InvalidResult", r.error().message, opts, &info);
        }
    }
    record_answer(env_, settings_, "activity", r.has_value(), info.earlier_attempt_ambiguous);
    if (!r) {
        env_.log->error("answering the activity task failed; given up",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", s.workflow_id},
                         {"run_id", s.run_id}, {"activity_id", s.id}, {"outcome", outcome},
                         {"error", r.error().to_string()}});
        co_return;
    }
    env_.metrics->add(*counter, labels);
    env_.log->info("activity task answered", {{"task_list", settings_.task_list}, {"type", type},
                                              {"workflow_id", s.workflow_id}, {"run_id", s.run_id},
                                              {"activity_id", s.id}, {"outcome", outcome}});
}

} // namespace swfrt::runtime
