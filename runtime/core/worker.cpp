#include "runtime/core/worker.hpp"

#include "runtime/core/activity_runner.hpp"
#include "runtime/core/decision_runner.hpp"

namespace swfrt::runtime {

std::string_view to_string(worker_kind k) noexcept { return k == worker_kind::activity ? "activity" : "decision"; }

worker::worker(worker_env env, worker_settings settings, boost::asio::any_io_executor executor)
    : env_(std::move(env)), settings_(std::move(settings)), slots_(executor, settings_.max_concurrent),
      running_([this](std::size_t n) {
          env_.metrics->set(metric::slots_in_use, {to_string(settings_.kind), settings_.domain, settings_.task_list},
                            static_cast<double>(n));
          if (env_.on_state_change) env_.on_state_change();
      }) {
    const metrics::values<3> labels{to_string(settings_.kind), settings_.domain, settings_.task_list};
    env_.metrics->set(metric::slots, labels, static_cast<double>(settings_.max_concurrent));
    env_.metrics->set(metric::slots_in_use, labels, 0);
    if (settings_.kind == worker_kind::activity)
        runner_ = std::make_unique<activity_runner>(env_, settings_, flags_, running_, executor);
    else
        runner_ = std::make_unique<decision_runner>(env_, settings_, flags_, running_, executor);
    poller_ = std::make_unique<poller>(env_, settings_, flags_, slots_, *runner_, executor);
}

worker::~worker() = default;

void worker::start() { poller_->start(); }

void worker::stop_polling() {
    flags_.stopping.store(true);
    slots_.close();
    poller_->stop();
}

void worker::cancel_running() { running_.stop_all(); }

void worker::abandon() {
    flags_.abandoned.store(true);
    cancel_running();
}

} // namespace swfrt::runtime
