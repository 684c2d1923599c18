#include "runtime/core/poller.hpp"

#include "runtime/core/sleep.hpp"

#include <algorithm>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swfrt::runtime {

namespace asio = boost::asio;

namespace {

// One task of the --max-tasks budget, reserved for a poll; given back
// unless the poll brought a task.
class budget_reservation {
public:
    explicit budget_reservation(std::shared_ptr<std::atomic<std::int64_t>> budget) : budget_(std::move(budget)) {}
    budget_reservation(const budget_reservation&) = delete;
    budget_reservation& operator=(const budget_reservation&) = delete;
    ~budget_reservation() {
        if (budget_ && !spent_) budget_->fetch_add(1);
    }
    // False when the budget is spent (nothing is reserved then).
    bool take() {
        if (!budget_) return true;
        if (budget_->fetch_sub(1) > 0) return true;
        budget_->fetch_add(1);
        budget_.reset();
        return false;
    }
    void spend() { spent_ = true; }

private:
    std::shared_ptr<std::atomic<std::int64_t>> budget_;
    bool spent_ = false;
};

// Counts one while it lives (a poll in flight, a wait for a slot, a back-off).
struct counting {
    std::atomic<std::size_t>& n;
    explicit counting(std::atomic<std::size_t>& c) : n(c) { n.fetch_add(1); }
    ~counting() { n.fetch_sub(1); }
    counting(const counting&) = delete;
    counting& operator=(const counting&) = delete;
};

} // namespace

struct poller::loop_state {
    asio::strand<asio::any_io_executor> strand;
    asio::cancellation_signal stop_sleep; // on strand only
    explicit loop_state(asio::any_io_executor ex) : strand(asio::make_strand(ex)) {}
};

poller::poller(const worker_env& env, const worker_settings& settings, worker_flags& flags, slots& s,
               task_source& source, asio::any_io_executor executor)
    : env_(env), settings_(settings), flags_(flags), slots_(s), source_(source), executor_(std::move(executor)) {}

poller::~poller() = default;

void poller::start() {
    for (int i = 0; i < settings_.pollers; ++i) {
        loops_.push_back(std::make_shared<loop_state>(executor_));
        running_.fetch_add(1);
        spawn(loops_.size() - 1, 0);
    }
}

void poller::spawn(std::size_t index, int restarts) {
    asio::co_spawn(loops_[index]->strand, loop(index, restarts), [this, index, restarts](std::exception_ptr e) {
        if (e && !flags_.stopping.load()) {
            // A poll loop never dies: log it and start it again after a
            // back-off (the loop sleeps first).
            env_.metrics->add(metric::loop_restarts, {"poller", settings_.domain, settings_.task_list});
            env_.log->error("poller ended by an exception; restarting it", {{"task_list", settings_.task_list},
                                                                             {"poller", std::to_string(index)},
                                                                             {"error", sdk::describe_exception(e)}});
            spawn(index, restarts + 1);
            return;
        }
        if (e)
            env_.log->error("poller ended by an exception while stopping",
                            {{"task_list", settings_.task_list}, {"error", sdk::describe_exception(e)}});
        running_.fetch_sub(1);
        if (env_.on_state_change) env_.on_state_change();
    });
}

asio::awaitable<void> poller::pause(loop_state& l, std::chrono::milliseconds d) {
    // stop() comes after flags.stopping is set and posts the cancel to this
    // strand, so either the check sees it or the cancel finds the wait.
    if (flags_.stopping.load()) co_return;
    counting sleeping(backing_off_);
    co_await sleep_cut_short(env_.sleep, l.stop_sleep, d);
}

void poller::stop() {
    for (auto& l : loops_)
        asio::post(l->strand, [l] { l->stop_sleep.emit(asio::cancellation_type::terminal); });
}

asio::awaitable<void> poller::loop(std::size_t index, int restarts) {
    const std::string_view kind = to_string(settings_.kind);
    const std::string name = std::to_string(index);
    const metrics::values<3> labels{kind, settings_.domain, settings_.task_list};
    auto& self = *loops_[index];
    std::chrono::milliseconds backoff{0};
    if (restarts > 0) {
        co_await pause(self, std::min(env_.poll_backoff_max, env_.poll_backoff_base * (1 << std::min(restarts, 16))));
    } else {
        started_.fetch_add(1);
        if (env_.on_state_change) env_.on_state_change();
    }
    env_.log->debug("poller started", {{"kind", kind}, {"task_list", settings_.task_list}, {"poller", name}});

    while (!flags_.stopping.load()) {
        std::optional<slot_lease> lease;
        {
            counting waiting(waiting_for_slot_);
            lease = co_await slots_.acquire();
        }
        if (!lease) break;
        if (flags_.stopping.load()) break;
        // --max-tasks: a poll reserves one task of the budget.
        budget_reservation budget(env_.task_budget);
        if (!budget.take()) {
            lease.reset();
            co_await pause(self, std::chrono::milliseconds{100});
            continue;
        }
        env_.metrics->add(metric::polls, labels);
        poll_result polled;
        {
            counting polling(in_flight_);
            polled = co_await source_.poll_once(std::move(*lease));
        }
        if (polled.task) {
            budget.spend();
            backoff = std::chrono::milliseconds{0};
            if (env_.task_budget && env_.task_budget->load() <= 0 && env_.on_budget_spent) env_.on_budget_spent();
            continue;
        }
        if (!polled.failure) {
            backoff = std::chrono::milliseconds{0};
            env_.metrics->add(metric::polls_empty, labels);
            continue;
        }
        const swf::error& failure = *polled.failure;
        env_.metrics->add(metric::polls_failed, {kind, settings_.domain, settings_.task_list, failure.code});
        // One task's history that cannot be merged says nothing about SWF:
        // that task is left to time out, and the next poll goes at once.
        if (failure.code == "HistoryTooLarge" || failure.code == "PaginationLoop" || failure.code == "PaginationLimit") {
            env_.metrics->add(metric::tasks_unanswered,
                              {"decision", settings_.domain, settings_.task_list, "history_too_large"});
            env_.log->error("a decision task's history cannot be merged; the task is left to time out",
                            {{"task_list", settings_.task_list}, {"error", failure.to_string()}});
            continue;
        }
        // Back off, harder when throttled; the loop never ends on an error.
        auto base = env_.poll_backoff_base * (failure.kind == swf::error_kind::throttled ? 5 : 1);
        backoff = backoff.count() == 0 ? base : std::min(backoff * 2, env_.poll_backoff_max);
        backoff = std::min(backoff, env_.poll_backoff_max);
        env_.log->warn("poll failed", {{"kind", kind},
                                       {"domain", settings_.domain},
                                       {"task_list", settings_.task_list},
                                       {"error", failure.to_string()},
                                       {"retry_in_ms", std::to_string(backoff.count())}});
        co_await pause(self, backoff);
    }
    env_.log->debug("poller stopped", {{"kind", kind}, {"task_list", settings_.task_list}, {"poller", name}});
}

} // namespace swfrt::runtime
