#include "runtime/core/worker.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stop_token>
#include <typeinfo>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "swf/client/roles.hpp"
#include "swf/codec/codec.hpp"
#include "runtime/plugin/log_host.hpp"

namespace swfrt::runtime {

namespace asio = boost::asio;
namespace model = swf::model;
using clock_type = std::chrono::steady_clock;

std::string_view to_string(worker_kind k) noexcept { return k == worker_kind::activity ? "activity" : "decision"; }

namespace {

std::string type_name(const std::exception& e) {
    int status = 0;
    char* demangled = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
    std::string out = status == 0 && demangled ? demangled : typeid(e).name();
    std::free(demangled);
    return out;
}

std::string key_text(const std::string& name, const std::string& version) { return name + ":" + version; }

// The heartbeat period for an activity type: 0.8 of its default heartbeat
// timeout (seconds as SWF writes them), or `fallback` when it has none.
std::chrono::milliseconds heartbeat_interval(const sdk::activity_type& t, std::chrono::milliseconds fallback) {
    if (!t.default_task_heartbeat_timeout) return fallback;
    const std::string& s = *t.default_task_heartbeat_timeout;
    long secs = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
    if (ec != std::errc{} || p != s.data() + s.size() || secs <= 0) return fallback;
    return std::chrono::milliseconds{secs * 800};
}


} // namespace

// One running task: what the handler sees (activity_context) and what the
// runtime needs to answer it.
struct worker::task_state : sdk::activity_context {
    worker_kind kind = worker_kind::activity;
    model::activity_task activity;
    std::string token;
    std::string type_label; // name:version
    std::string workflow_id, run_id, id;
    clock_type::time_point started = clock_type::now();
    logger* log_to = nullptr;

    // Activity only.
    std::stop_source stop;
    std::atomic<bool> cancel{false};
    std::atomic<bool> lost{false}; // SWF no longer knows the token
    std::atomic<bool> done{false};
    std::atomic<bool> stopped_by_shutdown{false};
    int heartbeat_restarts = 0; // on `strand` only
    swf::clock::time_point received{};  // by the client's clock, for the answer's deadline
    std::mutex hb_mutex;
    std::optional<std::string> hb_details; // explicit details not sent yet
    std::string last_details;
    clock_type::time_point last_sent = clock_type::now(); // the start until one is sent
    bool any_sent = false;                                   // heartbeat_loop only
    std::chrono::milliseconds interval{60000};
    std::unique_ptr<asio::steady_timer> hb_timer; // used on `strand` only
    asio::strand<asio::any_io_executor> strand;

    explicit task_state(asio::any_io_executor ex) : strand(asio::make_strand(ex)) {}

    const model::activity_task& task() const override { return activity; }
    void log(sdk::log_level level, std::string_view message) override {
        if (!log_to) return;
        log_to->log(plugin::to_runtime(level), message,
                    {{"activity", type_label}, {"activity_id", id}, {"workflow_id", workflow_id}, {"run_id", run_id}});
    }
    std::stop_token stop_token() const override { return stop.get_token(); }
    bool cancel_requested() const override { return cancel.load(); }
    void heartbeat(std::string details) override {
        swf::codec::truncate(details, swf::client::max_heartbeat_details_length, swf::client::truncation_marker);
        {
            std::lock_guard lock(hb_mutex);
            hb_details = std::move(details);
        }
        // Wake the heartbeat loop; it decides whether it is time to send.
        asio::post(strand, [this] {
            if (hb_timer) hb_timer->cancel();
        });
    }
};

struct worker::poller_state {
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer backoff;
    explicit poller_state(asio::any_io_executor ex) : strand(asio::make_strand(ex)), backoff(strand) {}
};

namespace {

std::string exception_text(std::exception_ptr e) { return sdk::describe_exception(e); }

// Runs a blocking handler on the thread pool it is spawned on.
asio::awaitable<std::string> run_blocking(const sdk::blocking_activity& fn, std::shared_ptr<worker::task_state> s) {
    co_return fn(*s, s->activity.input.value_or(""));
}

} // namespace

worker::worker(worker_env env, worker_settings settings, asio::any_io_executor executor)
    : env_(std::move(env)), settings_(std::move(settings)), executor_(std::move(executor)),
      slots_(executor_, settings_.max_concurrent) {
    env_.metrics->set("swfrt_slots", {{"kind", to_string(settings_.kind)}, {"task_list", settings_.task_list}},
                      static_cast<double>(settings_.max_concurrent));
    update_slot_gauge();
}

worker::~worker() = default;

void worker::update_slot_gauge() {
    env_.metrics->set("swfrt_slots_in_use", {{"kind", to_string(settings_.kind)}, {"task_list", settings_.task_list}},
                      static_cast<double>(slots_.in_use()));
}

void worker::start() {
    for (int i = 0; i < settings_.pollers; ++i) {
        pollers_.push_back(std::make_shared<poller_state>(executor_));
        pollers_running_.fetch_add(1);
        spawn_poller(i, 0);
    }
}

void worker::spawn_poller(int index, int restarts) {
    asio::co_spawn(pollers_[static_cast<std::size_t>(index)]->strand, poll_loop(index, restarts),
                   [this, index, restarts](std::exception_ptr e) {
                       if (e && !stopping_.load()) {
                           // A poll loop never dies: log it and start it again
                           // after a back-off (poll_loop sleeps first).
                           env_.metrics->add("swfrt_loop_restarts_total",
                                             {{"loop", "poller"}, {"task_list", settings_.task_list}});
                           env_.log->error("poller ended by an exception; restarting it",
                                           {{"task_list", settings_.task_list},
                                            {"poller", std::to_string(index)},
                                            {"error", exception_text(e)}});
                           spawn_poller(index, restarts + 1);
                           return;
                       }
                       if (e)
                           env_.log->error("poller ended by an exception while stopping",
                                           {{"task_list", settings_.task_list}, {"error", exception_text(e)}});
                       pollers_running_.fetch_sub(1);
                   });
}

asio::awaitable<void> worker::pause(poller_state& p, std::chrono::milliseconds d) {
    // stop_polling() sets stopping_ before it posts the cancel to this
    // strand, so either the check sees it or the cancel finds the wait.
    if (stopping_.load()) co_return;
    p.backoff.expires_after(d);
    boost::system::error_code ec;
    co_await p.backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void worker::stop_polling() {
    stopping_.store(true);
    slots_.close();
    for (auto& p : pollers_) asio::post(p->strand, [p] { p->backoff.cancel(); });
}

void worker::cancel_running() {
    std::lock_guard lock(mutex_);
    for (const auto& s : running_) {
        s->stopped_by_shutdown.store(true);
        s->stop.request_stop();
    }
}

void worker::abandon() {
    abandoned_.store(true);
    cancel_running();
}

void worker::track(const std::shared_ptr<task_state>& s) {
    std::lock_guard lock(mutex_);
    running_.insert(s);
    tasks_running_.fetch_add(1);
    tasks_received_.fetch_add(1);
}

void worker::untrack(const std::shared_ptr<task_state>& s) {
    {
        std::lock_guard lock(mutex_);
        running_.erase(s);
    }
    tasks_running_.fetch_sub(1);
    slots_.release();
    update_slot_gauge();
}

std::vector<std::string> worker::describe_running() const {
    std::vector<std::string> out;
    std::lock_guard lock(mutex_);
    auto now = clock_type::now();
    for (const auto& s : running_) {
        auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - s->started).count();
        out.push_back(std::string(to_string(s->kind)) + " " + s->type_label + " workflow_id=" + s->workflow_id +
                      " run_id=" + s->run_id + (s->id.empty() ? "" : " activity_id=" + s->id) + " running " +
                      std::to_string(secs) + "s");
    }
    return out;
}

asio::awaitable<void> worker::poll_loop(int index, int restarts) {
    const std::string kind(to_string(settings_.kind));
    const std::string poller = std::to_string(index);
    auto& self = *pollers_[static_cast<std::size_t>(index)];
    swf::client::activity_client activities(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    swf::client::decision_client decisions(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    std::chrono::milliseconds backoff{0};
    if (restarts > 0) {
        auto d = std::min(env_.poll_backoff_max, env_.poll_backoff_base * (1 << std::min(restarts, 16)));
        co_await pause(self, d);
    } else {
        pollers_started_.fetch_add(1);
    }
    env_.log->debug("poller started", {{"kind", kind}, {"task_list", settings_.task_list}, {"poller", poller}});

    while (!stopping_.load()) {
        if (!co_await slots_.acquire()) break;
        update_slot_gauge();
        if (stopping_.load()) {
            slots_.release();
            break;
        }
        // --max-tasks: a poll reserves one task of the budget, given back when it brings none.
        if (env_.task_budget && env_.task_budget->fetch_sub(1) <= 0) {
            env_.task_budget->fetch_add(1);
            slots_.release();
            update_slot_gauge();
            co_await pause(self, std::chrono::milliseconds{100});
            continue;
        }
        env_.metrics->add("swfrt_polls_total", {{"kind", kind}, {"task_list", settings_.task_list}});
        polls_in_flight_.fetch_add(1);
        bool got_task = false;
        std::optional<swf::error> failure;
        bool handed_off = false; // the task coroutine owns the slot
        try {
            if (settings_.kind == worker_kind::activity) {
                auto r = co_await activities.poll();
                if (!r) {
                    failure = std::move(r).error();
                } else if (*r) {
                    got_task = true;
                    asio::co_spawn(asio::make_strand(executor_), run_activity(std::move(**r)), [this](std::exception_ptr e) {
                        if (e) env_.log->error("activity task ended by an exception", {{"error", exception_text(e)}});
                    });
                    handed_off = true;
                }
            } else {
                auto r = co_await decisions.poll();
                if (!r) {
                    failure = std::move(r).error();
                } else if (*r) {
                    got_task = true;
                    auto strand = execution_strand((*r)->workflow_execution.run_id);
                    asio::co_spawn(*strand, run_decision(std::move(**r), strand), [this](std::exception_ptr e) {
                        if (e) env_.log->error("decision task ended by an exception", {{"error", exception_text(e)}});
                    });
                    handed_off = true;
                }
            }
        } catch (...) {
            // What the poll took is given back before the loop is restarted,
            // or every restart would leak a slot until none is left.
            polls_in_flight_.fetch_sub(1);
            if (!handed_off) {
                if (env_.task_budget) env_.task_budget->fetch_add(1);
                slots_.release();
                update_slot_gauge();
            }
            throw;
        }
        polls_in_flight_.fetch_sub(1);
        if (got_task) {
            backoff = std::chrono::milliseconds{0};
            if (env_.task_budget && env_.task_budget->load() <= 0 && env_.on_budget_spent) env_.on_budget_spent();
            continue; // the task owns the slot now
        }
        if (env_.task_budget) env_.task_budget->fetch_add(1);
        slots_.release();
        update_slot_gauge();
        if (!failure) {
            backoff = std::chrono::milliseconds{0};
            env_.metrics->add("swfrt_polls_empty_total", {{"kind", kind}, {"task_list", settings_.task_list}});
            continue;
        }
        env_.metrics->add("swfrt_polls_failed_total",
                          {{"kind", kind}, {"task_list", settings_.task_list}, {"code", failure->code}});
        // One task's history that cannot be merged says nothing about SWF:
        // that task is left to time out, and the next poll goes at once.
        if (failure->code == "HistoryTooLarge" || failure->code == "PaginationLoop" ||
            failure->code == "PaginationLimit") {
            env_.metrics->add("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"reason", "history_too_large"}});
            env_.log->error("a decision task's history cannot be merged; the task is left to time out",
                            {{"task_list", settings_.task_list}, {"error", failure->to_string()}});
            continue;
        }
        // Back off, harder when throttled; the loop never ends on an error.
        auto base = env_.poll_backoff_base * (failure->kind == swf::error_kind::throttled ? 5 : 1);
        backoff = backoff.count() == 0 ? base : std::min(backoff * 2, env_.poll_backoff_max);
        backoff = std::min(backoff, env_.poll_backoff_max);
        env_.log->warn("poll failed", {{"kind", kind},
                                       {"domain", settings_.domain},
                                       {"task_list", settings_.task_list},
                                       {"error", failure->to_string()},
                                       {"retry_in_ms", std::to_string(backoff.count())}});
        co_await pause(self, backoff);
    }
    env_.log->debug("poller stopped", {{"kind", kind}, {"task_list", settings_.task_list}, {"poller", poller}});
}

asio::awaitable<void> worker::run_activity(model::activity_task task) {
    auto state = std::make_shared<task_state>(co_await asio::this_coro::executor);
    state->kind = worker_kind::activity;
    state->log_to = env_.log;
    state->token = task.task_token;
    state->type_label = key_text(task.activity_type.name, task.activity_type.version);
    state->workflow_id = task.workflow_execution.workflow_id;
    state->run_id = task.workflow_execution.run_id;
    state->id = task.activity_id;
    state->activity = std::move(task);
    state->received = env_.client->options().clock->now();
    track(state);
    const std::string type = state->type_label;
    env_.metrics->add("swfrt_tasks_received_total", {{"kind", "activity"}, {"type", type}});
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
        state->interval = heartbeat_interval(entry->registration.type, env_.default_heartbeat_interval);
        state->hb_timer = std::make_unique<asio::steady_timer>(state->strand);
        spawn_heartbeat(state);
        const auto started = clock_type::now();
        try {
            if (entry->registration.coroutine) {
                result = co_await entry->registration.coroutine(*state, state->activity.input.value_or(""));
            } else {
                // A named coroutine, not a capturing lambda: g++ 12 destroys a
                // lambda temporary inside a co_await expression twice.
                result = co_await asio::co_spawn(*env_.blocking_pool,
                                                 run_blocking(entry->registration.blocking, state),
                                                 asio::use_awaitable);
            }
        } catch (...) {
            failure = std::current_exception();
        }
        std::chrono::duration<double> took = clock_type::now() - started;
        env_.metrics->observe("swfrt_handler_seconds", {{"kind", "activity"}, {"type", type}}, took.count());
        state->done.store(true);
        asio::post(state->strand, [state] {
            if (state->hb_timer) state->hb_timer->cancel();
        });
    }
    co_await answer_activity(*state, failure, std::move(result));
    untrack(state);
}

void worker::record_answer(std::string_view kind, const swf::result<model::empty>& r,
                           const swf::client::call_info& info) {
    std::string outcome = !r ? "given_up" : info.earlier_attempt_ambiguous ? "ambiguous" : "answered";
    env_.metrics->add("swfrt_task_answers_total",
                      {{"kind", std::string(kind)}, {"task_list", settings_.task_list}, {"outcome", outcome}});
}

asio::awaitable<void> worker::answer_activity(task_state& s, std::exception_ptr failure, std::string result) {
    const std::string& type = s.type_label;
    std::initializer_list<log_field> where = {{"task_list", settings_.task_list},
                                              {"type", type},
                                              {"workflow_id", s.workflow_id},
                                              {"run_id", s.run_id},
                                              {"activity_id", s.id}};
    if (abandoned_.load() || s.lost.load()) {
        env_.metrics->add("swfrt_tasks_unanswered_total",
                          {{"kind", "activity"}, {"reason", s.lost.load() ? "task_unknown" : "shutdown"}});
        env_.log->warn(s.lost.load() ? "activity task no longer known to SWF (timed out?); not answered"
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
    swf::client::activity_client answer(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    swf::result<model::empty> r = model::empty{};
    std::string outcome, counter;
    if (s.cancel.load()) {
        outcome = "canceled";
        counter = "swfrt_tasks_canceled_total";
        std::optional<std::string> details;
        if (!failure) details = std::move(result);
        r = co_await answer.respond_canceled(s.token, std::move(details), opts, &info);
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
        counter = "swfrt_tasks_failed_total";
        r = co_await answer.respond_failed(s.token, reason, details, opts, &info);
    } else {
        outcome = "completed";
        counter = "swfrt_tasks_completed_total";
        r = co_await answer.respond_completed(s.token, result, opts, &info);
        if (!r && r.error().kind == swf::error_kind::validation && r.error().http_status == 0) {
            // The result breaks SWF's limits: fail the task rather than lose it.
            outcome = "failed";
            counter = "swfrt_tasks_failed_total";
            r = co_await answer.respond_failed(s.token, "InvalidResult", r.error().message, opts, &info);
        }
    }
    record_answer("activity", r, info);
    if (!r) {
        env_.log->error("answering the activity task failed; given up",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", s.workflow_id},
                         {"run_id", s.run_id}, {"activity_id", s.id}, {"outcome", outcome},
                         {"error", r.error().to_string()}});
        co_return;
    }
    env_.metrics->add(counter, {{"kind", "activity"}, {"type", type}});
    env_.log->info("activity task answered", {{"task_list", settings_.task_list}, {"type", type},
                                              {"workflow_id", s.workflow_id}, {"run_id", s.run_id},
                                              {"activity_id", s.id}, {"outcome", outcome}});
}

void worker::spawn_heartbeat(std::shared_ptr<task_state> state) {
    asio::co_spawn(state->strand, heartbeat_loop(state), [this, state](std::exception_ptr e) {
        if (!e) return;
        env_.log->error("heartbeat loop ended by an exception", {{"type", state->type_label},
                                                                 {"activity_id", state->id},
                                                                 {"error", exception_text(e)}});
        // A loop that keeps failing is not restarted in a tight loop: after
        // a few tries the task goes on without automatic heartbeats.
        if (state->done.load() || stopping_.load() || ++state->heartbeat_restarts > 3) return;
        env_.metrics->add("swfrt_loop_restarts_total", {{"loop", "heartbeat"}, {"task_list", settings_.task_list}});
        spawn_heartbeat(state);
    });
}

asio::awaitable<void> worker::heartbeat_loop(std::shared_ptr<task_state> s) {
    swf::client::activity_client hb(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    // Explicit heartbeats are sent at most this often.
    const auto min_gap = std::clamp(s->interval / 8, std::chrono::milliseconds{500}, std::chrono::milliseconds{10000});
    while (!s->done.load()) {
        auto now = clock_type::now();
        auto due = s->last_sent + s->interval;
        bool explicit_pending;
        {
            std::lock_guard lock(s->hb_mutex);
            explicit_pending = s->hb_details.has_value();
        }
        // The first explicit heartbeat goes at once; later ones at most every min_gap.
        if (explicit_pending) due = std::min(due, s->any_sent ? s->last_sent + min_gap : now);
        if (now < due) {
            s->hb_timer->expires_at(due);
            boost::system::error_code ec;
            co_await s->hb_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue; // woken early by heartbeat() or the end: look again
        }
        std::optional<std::string> details;
        {
            std::lock_guard lock(s->hb_mutex);
            if (s->hb_details) {
                s->last_details = std::move(*s->hb_details);
                s->hb_details.reset();
            }
            if (!s->last_details.empty()) details = s->last_details;
        }
        s->last_sent = clock_type::now();
        s->any_sent = true;
        auto r = co_await hb.heartbeat(s->token, std::move(details));
        if (s->done.load()) break;
        if (r) {
            env_.metrics->add("swfrt_heartbeats_total", {{"type", s->type_label}});
            if (*r && !s->cancel.exchange(true)) {
                env_.log->info("cancel requested for activity task",
                               {{"type", s->type_label}, {"workflow_id", s->workflow_id}, {"activity_id", s->id}});
                s->stop.request_stop();
            }
        } else {
            env_.metrics->add("swfrt_heartbeats_failed_total", {{"type", s->type_label}});
            if (r.error().code == "UnknownResourceFault") {
                s->lost.store(true);
                s->stop.request_stop();
                env_.log->warn("heartbeat: SWF no longer knows the task (timed out?); stopping its handler",
                               {{"type", s->type_label}, {"workflow_id", s->workflow_id}, {"activity_id", s->id}});
                break;
            }
            env_.log->warn("heartbeat failed", {{"type", s->type_label}, {"workflow_id", s->workflow_id},
                                                {"activity_id", s->id}, {"error", r.error().to_string()}});
        }
    }
}

std::shared_ptr<asio::strand<asio::any_io_executor>> worker::execution_strand(const std::string& run_id) {
    std::lock_guard lock(mutex_);
    if (execution_strands_.size() > 4096)
        std::erase_if(execution_strands_, [](const auto& kv) { return kv.second.expired(); });
    auto& slot = execution_strands_[run_id];
    auto strand = slot.lock();
    if (!strand) {
        strand = std::make_shared<asio::strand<asio::any_io_executor>>(asio::make_strand(executor_));
        slot = strand;
    }
    return strand;
}

asio::awaitable<void> worker::run_decision(model::decision_task task, std::shared_ptr<void> keep_strand) {
    (void)keep_strand; // the execution's strand lives while a task of it runs
    auto state = std::make_shared<task_state>(co_await asio::this_coro::executor);
    state->kind = worker_kind::decision;
    state->token = task.task_token;
    state->type_label = key_text(task.workflow_type.name, task.workflow_type.version);
    state->workflow_id = task.workflow_execution.workflow_id;
    state->run_id = task.workflow_execution.run_id;
    track(state);
    const std::string type = state->type_label;
    env_.metrics->add("swfrt_tasks_received_total", {{"kind", "decision"}, {"type", type}});
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
        env_.metrics->add("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"reason", "unknown_workflow_type"}});
        env_.log->error("no decider for this workflow type here; the decision task is left to time out",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                         {"run_id", state->run_id}});
        untrack(state);
        co_return;
    }

    const auto received = env_.client->options().clock->now();
    sdk::decision_result decided;
    const auto started = clock_type::now();
    try {
        decided = entry->registration.decider(task);
    } catch (...) {
        decided = sdk::decision_result::not_decided(sdk::decider_outcome::failed,
                                                    sdk::describe_exception(std::current_exception()));
    }
    std::chrono::duration<double> took = clock_type::now() - started;
    env_.metrics->observe("swfrt_handler_seconds", {{"kind", "decision"}, {"type", type}}, took.count());

    swf::client::decision_client answer(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    const bool failed = decided.outcome != sdk::decider_outcome::decided;
    const std::string failure = std::move(decided.message);
    if (decided.outcome == sdk::decider_outcome::non_determinism ||
        decided.outcome == sdk::decider_outcome::malformed_history) {
        // Never answered with a guess: the task times out, SWF schedules
        // another, and a deployment with the right code (or a repaired
        // peer) decides it.
        const bool nd = decided.outcome == sdk::decider_outcome::non_determinism;
        env_.metrics->add("swfrt_tasks_failed_total", {{"kind", "decision"}, {"type", type}});
        env_.metrics->add("swfrt_tasks_unanswered_total",
                          {{"kind", "decision"}, {"reason", nd ? "non_determinism" : "malformed_history"}});
        env_.log->error(nd ? "NON-DETERMINISM: the history disagrees with the code; the decision task is left to "
                             "time out and will be retried"
                           : "MALFORMED HISTORY: the decision task is left to time out and will be retried",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                         {"run_id", state->run_id}, {"error", failure}});
        untrack(state);
        co_return;
    }
    if (failed) {
        env_.metrics->add("swfrt_tasks_failed_total", {{"kind", "decision"}, {"type", type}});
        if (entry->registration.on_exception == sdk::failure_policy::retry_task || abandoned_.load()) {
            env_.metrics->add("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"reason", "decider_failed"}});
            env_.log->error("DECIDER FAILED: the decision task is left to time out and will be retried",
                            {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                             {"run_id", state->run_id}, {"error", failure}});
            untrack(state);
            co_return;
        }
        model::decision fail;
        fail.decision_type = model::decision_type::fail_workflow_execution;
        auto& attrs = fail.fail_workflow_execution_decision_attributes.emplace();
        attrs.reason = swf::client::fit(std::string("DeciderException"), swf::client::max_reason_length);
        attrs.details = swf::client::fit(failure, swf::client::max_details_length);
        decided = {};
        decided.decisions.push_back(std::move(fail));
        env_.log->error("decider failed; failing the workflow execution as its policy says",
                        {{"type", type}, {"workflow_id", state->workflow_id}, {"run_id", state->run_id},
                         {"error", failure}});
    }
    if (abandoned_.load()) {
        env_.metrics->add("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"reason", "shutdown"}});
        untrack(state);
        co_return;
    }
    auto n = std::to_string(decided.decisions.size());
    swf::client::call_options opts;
    opts.retry_until = swf::client::decision_answer_deadline(task, received);
    swf::client::call_info info;
    auto r = co_await answer.respond_completed(state->token, std::move(decided.decisions),
                                              std::move(decided.execution_context), opts, &info);
    record_answer("decision", r, info);
    if (!r) {
        env_.log->error("answering the decision task failed; given up",
                        {{"task_list", settings_.task_list}, {"type", type}, {"workflow_id", state->workflow_id},
                         {"run_id", state->run_id}, {"error", r.error().to_string()}});
    } else {
        if (!failed) env_.metrics->add("swfrt_tasks_completed_total", {{"kind", "decision"}, {"type", type}});
        env_.log->info("decision task answered", {{"task_list", settings_.task_list}, {"type", type},
                                                  {"workflow_id", state->workflow_id}, {"run_id", state->run_id},
                                                  {"decisions", n}});
    }
    untrack(state);
}

} // namespace swfrt::runtime
