#include "runtime/core/heartbeat.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "runtime/core/sleep.hpp"
#include "swf/client/roles.hpp"
#include "swf/codec/codec.hpp"

namespace swfrt::runtime {

namespace asio = boost::asio;

std::chrono::milliseconds heartbeat_interval(const std::optional<std::string>& timeout,
                                             std::chrono::milliseconds fallback) {
    if (!timeout) return fallback;
    const std::string& s = *timeout;
    long secs = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
    if (ec != std::errc{} || p != s.data() + s.size() || secs <= 0) return fallback;
    return std::chrono::milliseconds{secs * 800};
}

heartbeater::heartbeater(const worker_env& env, const worker_settings& settings, const worker_flags& flags,
                         asio::any_io_executor executor, heartbeat_target target, std::chrono::milliseconds interval,
                         std::stop_source stop)
    : env_(env), settings_(settings), flags_(flags), target_(std::move(target)), interval_(interval),
      stop_(std::move(stop)), strand_(asio::make_strand(executor)), last_sent_(env.clock->now()),
      loops_(&flags.heartbeat_loops) {}

void heartbeater::start() {
    loops_->fetch_add(1);
    spawn();
}

void heartbeater::spawn() {
    asio::co_spawn(strand_, loop(), [self = shared_from_this()](std::exception_ptr e) {
        // The loop is counted until it ends for good (not while restarting).
        struct ended {
            heartbeater* h;
            bool again = false;
            ~ended() {
                if (!again) h->loops_->fetch_sub(1);
            }
        } end{self.get()};
        if (!e) return;
        self->env_.log->error("heartbeat loop ended by an exception", {{"type", self->target_.type_label},
                                                                      {"activity_id", self->target_.activity_id},
                                                                      {"error", sdk::describe_exception(e)}});
        // A loop that keeps failing is not restarted in a tight loop: after
        // a few tries the task goes on without automatic heartbeats.
        if (self->done_.load() || self->flags_.stopping.load() || ++self->restarts_ > 3) return;
        self->env_.metrics->add(metric::loop_restarts,
                                {"heartbeat", self->settings_.domain, self->settings_.task_list});
        end.again = true;
        self->spawn();
    });
}

void heartbeater::wake() { wake_.emit(asio::cancellation_type::terminal); }

void heartbeater::request(std::string details) {
    swf::codec::truncate(details, swf::model::limits::max_limited_data, swf::client::truncation_marker);
    {
        std::lock_guard lock(mutex_);
        pending_ = std::move(details);
    }
    // Wake the loop; it decides whether it is time to send.
    asio::post(strand_, [self = shared_from_this()] { self->wake(); });
}

void heartbeater::finish() {
    done_.store(true);
    asio::post(strand_, [self = shared_from_this()] { self->wake(); });
}

asio::awaitable<void> heartbeater::loop() {
    auto self = shared_from_this(); // lives while the loop runs
    swf::client::activity_client hb(env_.client, settings_.domain, settings_.task_list, settings_.identity);
    const metrics::values<3> labels{settings_.domain, settings_.task_list, target_.type_label};
    // Explicit heartbeats are sent at most this often.
    const auto min_gap = std::clamp(interval_ / 8, std::chrono::milliseconds{500}, std::chrono::milliseconds{10000});
    while (!done_.load()) {
        auto now = env_.clock->now();
        auto due = last_sent_ + interval_;
        bool explicit_pending;
        {
            std::lock_guard lock(mutex_);
            explicit_pending = pending_.has_value();
        }
        // The first explicit heartbeat goes at once; later ones at most every min_gap.
        if (explicit_pending) due = std::min(due, any_sent_ ? last_sent_ + min_gap : now);
        if (now < due) {
            co_await sleep_cut_short(env_.sleep, wake_, std::chrono::ceil<std::chrono::milliseconds>(due - now));
            continue; // woken early by request() or finish(): look again
        }
        std::optional<std::string> details;
        {
            std::lock_guard lock(mutex_);
            if (pending_) {
                last_details_ = std::move(*pending_);
                pending_.reset();
            }
            if (!last_details_.empty()) details = last_details_;
        }
        last_sent_ = env_.clock->now();
        any_sent_ = true;
        env_.metrics->add(metric::heartbeats, labels);
        auto r = co_await hb.heartbeat(target_.token, std::move(details));
        if (done_.load()) break;
        if (r) {
            if (*r && !cancel_.exchange(true)) {
                env_.log->info("cancel requested for activity task", {{"type", target_.type_label},
                                                                      {"workflow_id", target_.workflow_id},
                                                                      {"activity_id", target_.activity_id}});
                stop_.request_stop();
            }
            continue;
        }
        env_.metrics->add(metric::heartbeats_failed, labels);
        if (r.error().is(swf::model::fault::unknown_resource)) {
            lost_.store(true);
            stop_.request_stop();
            env_.log->warn("heartbeat: SWF no longer knows the task (timed out?); stopping its handler",
                           {{"type", target_.type_label}, {"workflow_id", target_.workflow_id},
                            {"activity_id", target_.activity_id}});
            break;
        }
        env_.log->warn("heartbeat failed", {{"type", target_.type_label}, {"workflow_id", target_.workflow_id},
                                            {"activity_id", target_.activity_id}, {"error", r.error().to_string()}});
    }
}

} // namespace swfrt::runtime
