#include "workflow/context.hpp"

#include <algorithm>
#include <stdexcept>

#include "swf/codec/codec.hpp"
#include "swf/model/limits.hpp"
#include "workflow/engine.hpp"
#include "swf/model/decisions.hpp"

namespace swfrt::workflow {

namespace model = swf::model;

namespace {

constexpr std::size_t max_marker_details = swf::model::limits::max_data;

// A replayed command is matched on its identity only: input and control
// are kept for the decision task being answered.
template <class Attributes>
void set_payload(const detail::engine& e, Attributes& a, std::string& input, std::optional<std::string>& control) {
    if (!e.live) return;
    if (!input.empty()) a.input = std::move(input);
    a.control = std::move(control);
}

std::string seconds_text(std::chrono::seconds s) {
    if (s == unlimited) return "NONE";
    if (s.count() < 0) throw std::invalid_argument("a workflow timeout cannot be negative");
    return std::to_string(s.count());
}

std::optional<std::string> seconds_text(const std::optional<std::chrono::seconds>& s) {
    if (!s) return std::nullopt;
    return seconds_text(*s);
}

} // namespace

const workflow_info& context::info() const noexcept {
    return engine_->info;
}

detail::scheduler* context::scheduler_of() noexcept {
    return &engine_->sched;
}

void context::adopt(std::coroutine_handle<> h) {
    engine_->adopt(h);
}

namespace {

std::chrono::seconds retry_delay(const retry_policy& p, int retry) {
    double d = static_cast<double>(p.initial_interval.count());
    for (int i = 1; i < retry && d < static_cast<double>(p.max_interval.count()); ++i)
        d *= p.backoff;
    d = std::min(d, static_cast<double>(p.max_interval.count()));
    return std::chrono::seconds(static_cast<std::int64_t>(d));
}

bool retryable(const std::exception_ptr& error, const retry_policy& p) {
    try {
        std::rethrow_exception(error);
    } catch (const activity_failed& f) {
        return std::find(p.non_retryable_reasons.begin(), p.non_retryable_reasons.end(), f.reason()) ==
               p.non_retryable_reasons.end();
    } catch (const activity_timed_out&) {
        return p.retry_timeouts;
    } catch (...) {
        return false; // canceled, could not be scheduled, or the workflow's own cancellation
    }
}

// One attempt after another, each a ScheduleActivityTask of its own, with a
// timer between them: replay meets the same attempts in the history.
task<std::string> with_retries(context& ctx, std::string name, std::string version, std::string input,
                               activity_options options, retry_policy policy) {
    const std::optional<std::string> base_id = std::move(options.activity_id);
    options.retry.reset();
    for (int attempt = 1;; ++attempt) {
        activity_options once = options;
        if (base_id) once.activity_id = attempt == 1 ? *base_id : *base_id + "." + std::to_string(attempt);
        std::exception_ptr error;
        try {
            auto result = ctx.activity(name, version, input, std::move(once));
            co_return co_await result;
        } catch (...) {
            error = std::current_exception();
        }
        const bool last = policy.max_attempts > 0 && attempt >= policy.max_attempts;
        // Asked to cancel: an activity that did not heartbeat ends failed or
        // timed out rather than canceled; either way it is not tried again
        // (in the detached context it is).
        if (last || (ctx.cancel_requested() && !ctx.is_detached()) || !retryable(error, policy))
            std::rethrow_exception(error);
        const auto delay = retry_delay(policy, attempt);
        if (delay.count() > 0) {
            auto wait = ctx.timer(delay);
            co_await wait;
        }
    }
}

} // namespace

future<std::string> context::activity(std::string name, std::string version, std::string input,
                                      activity_options options) {
    if (options.retry) {
        const auto& p = *options.retry;
        if (p.max_attempts < 0 || p.initial_interval.count() < 0 || p.max_interval < p.initial_interval ||
            !(p.backoff >= 1.0))
            throw std::invalid_argument("a retry policy needs max_attempts >= 0, initial_interval >= 0, "
                                        "max_interval >= initial_interval and backoff >= 1");
        auto policy = *options.retry;
        return spawn(with_retries(*this, std::move(name), std::move(version), std::move(input), std::move(options),
                                  std::move(policy)));
    }
    auto number = ++engine_->ids.activity;
    auto op = engine_->make<detail::activity_machine>();
    op->detached = detached_;
    op->id = options.activity_id ? std::move(*options.activity_id) : std::to_string(number);
    op->name = std::move(name);
    op->version = std::move(version);
    auto out = engine_->make<detail::state<std::string>>(&engine_->sched);
    op->st = out;

    model::schedule_activity_task_decision_attributes a;
    a.activity_id = op->id;
    a.activity_type = {op->name, op->version};
    std::string kept_input = options.task_list ? std::string() : input;
    set_payload(*engine_, a, input, options.control);
    if (options.task_list) a.task_list = model::task_list{std::move(*options.task_list)};
    a.schedule_to_close_timeout = seconds_text(options.schedule_to_close_timeout);
    a.schedule_to_start_timeout = seconds_text(options.schedule_to_start_timeout);
    a.start_to_close_timeout = seconds_text(options.start_to_close_timeout);
    a.heartbeat_timeout = seconds_text(options.heartbeat_timeout);
    if (options.task_priority) a.task_priority = std::to_string(*options.task_priority);
    if (!a.task_list) {
        // Kept, input included, for a type registered without a default task list.
        op->without_task_list = std::make_unique<model::schedule_activity_task_decision_attributes>(a);
        if (!kept_input.empty()) op->without_task_list->input = std::move(kept_input);
    }
    engine_->issue(model::make_decision(std::move(a)), std::move(op));
    return future<std::string>(std::move(out));
}

future<std::string> context::lambda(std::string function, std::string input, lambda_options options) {
    auto number = ++engine_->ids.lambda;
    auto op = engine_->make<detail::lambda_machine>();
    op->detached = detached_;
    op->id = options.lambda_id ? std::move(*options.lambda_id) : "l" + std::to_string(number);
    op->name = std::move(function);
    auto out = engine_->make<detail::state<std::string>>(&engine_->sched);
    op->st = out;

    model::schedule_lambda_function_decision_attributes a;
    a.id = op->id;
    a.name = op->name;
    set_payload(*engine_, a, input, options.control);
    a.start_to_close_timeout = seconds_text(options.start_to_close_timeout);
    engine_->issue(model::make_decision(std::move(a)), std::move(op));
    return future<std::string>(std::move(out));
}

std::shared_ptr<detail::child_machine> context::start_child_command(model::workflow_type type, std::string input,
                                                                child_options options) {
    auto number = ++engine_->ids.child;
    auto op = engine_->make<detail::child_machine>();
    op->detached = detached_;
    op->id = options.workflow_id ? std::move(*options.workflow_id)
                                 : engine_->info.execution.run_id + ":c" + std::to_string(number);
    op->name = std::move(type.name);
    op->version = std::move(type.version);
    op->st = engine_->make<detail::state<std::string>>(&engine_->sched);

    model::start_child_workflow_execution_decision_attributes a;
    a.workflow_id = op->id;
    a.workflow_type = {op->name, op->version};
    set_payload(*engine_, a, input, options.control);
    if (options.task_list) a.task_list = model::task_list{std::move(*options.task_list)};
    a.execution_start_to_close_timeout = seconds_text(options.execution_start_to_close_timeout);
    a.task_start_to_close_timeout = seconds_text(options.task_start_to_close_timeout);
    a.child_policy = options.child_policy;
    a.tag_list = std::move(options.tag_list);
    a.lambda_role = std::move(options.lambda_role);
    if (options.task_priority) a.task_priority = std::to_string(*options.task_priority);
    engine_->issue(model::make_decision(std::move(a)), op);
    return op;
}

future<std::string> context::child(model::workflow_type type, std::string input, child_options options) {
    auto op = start_child_command(std::move(type), std::move(input), std::move(options));
    return future<std::string>(std::static_pointer_cast<detail::state<std::string>>(op->st));
}

future<std::string> context::child_started(model::workflow_type type, std::string input,
                                           child_options options) {
    auto op = start_child_command(std::move(type), std::move(input), std::move(options));
    op->started = engine_->make<detail::state<std::string>>(&engine_->sched);
    op->started_only = true;
    return future<std::string>(op->started);
}

child_handle context::start_child(model::workflow_type type, std::string input, child_options options) {
    auto op = start_child_command(std::move(type), std::move(input), std::move(options));
    op->started = engine_->make<detail::state<std::string>>(&engine_->sched);
    return child_handle(*this, std::move(op));
}

const std::string& child_handle::workflow_id() const noexcept {
    return m_->id;
}

const std::string& child_handle::run_id() const noexcept {
    return m_->run_id;
}

future<std::string> child_handle::started() const {
    return future<std::string>(m_->started);
}

future<std::string> child_handle::result() const {
    return future<std::string>(std::static_pointer_cast<detail::state<std::string>>(m_->st));
}

void child_handle::cancel(std::optional<std::string> control) {
    m_->cancel_control = std::move(control);
    ctx_->engine_->cancel(m_, 0);
}

future<void> child_handle::signal(std::string name, std::string input, std::optional<std::string> control) {
    return ctx_->signal_external(m_->id, m_->run_id, std::move(name), std::move(input), std::move(control));
}

continue_as_new_options continue_as_new_like(const workflow_info& info) {
    continue_as_new_options o;
    o.task_list = info.task_list;
    o.execution_start_to_close_timeout = info.execution_start_to_close_timeout;
    o.task_start_to_close_timeout = info.task_start_to_close_timeout;
    o.child_policy = info.child_policy;
    o.tag_list = info.tag_list;
    o.lambda_role = info.lambda_role;
    o.task_priority = info.task_priority;
    return o;
}

future<void> context::signal_external(std::string workflow_id, std::string run_id, std::string name,
                                      std::string input, std::optional<std::string> control) {
    if (workflow_id.empty() || name.empty())
        throw std::invalid_argument("an external signal needs a workflow id and a signal name");
    auto op = engine_->make<detail::signal_external_machine>();
    op->detached = detached_;
    op->id = std::move(workflow_id);
    op->name = std::move(name);
    op->run_id = std::move(run_id);
    auto out = engine_->make<detail::state<void>>(&engine_->sched);
    op->st = out;

    model::signal_external_workflow_execution_decision_attributes a;
    a.workflow_id = op->id;
    if (!op->run_id.empty()) a.run_id = op->run_id;
    a.signal_name = op->name;
    if (engine_->live && !input.empty()) a.input = std::move(input);
    if (engine_->live) a.control = std::move(control);
    engine_->issue(model::make_decision(std::move(a)), std::move(op));
    return future<void>(std::move(out));
}

future<void> context::request_cancel_external(std::string workflow_id, std::string run_id,
                                              std::optional<std::string> control) {
    if (workflow_id.empty()) throw std::invalid_argument("a cancel request needs a workflow id");
    auto op = engine_->make<detail::cancel_external_machine>();
    op->detached = detached_;
    op->id = std::move(workflow_id);
    op->run_id = std::move(run_id);
    auto out = engine_->make<detail::state<void>>(&engine_->sched);
    op->st = out;

    model::request_cancel_external_workflow_execution_decision_attributes a;
    a.workflow_id = op->id;
    if (!op->run_id.empty()) a.run_id = op->run_id;
    if (engine_->live) a.control = std::move(control);
    engine_->issue(model::make_decision(std::move(a)), std::move(op));
    return future<void>(std::move(out));
}

void context::continue_as_new(std::string input, continue_as_new_options options) {
    // Checked here, where the code can see the error; the decision is made
    // from the request when it leaves run.
    seconds_text(options.execution_start_to_close_timeout);
    seconds_text(options.task_start_to_close_timeout);
    throw continue_as_new_request(std::move(input), std::move(options));
}

namespace detail {

model::decision continue_as_new_decision(const continue_as_new_request& r) {
    const auto& o = r.options();
    model::continue_as_new_workflow_execution_decision_attributes a;
    if (!r.input().empty()) a.input = r.input();
    if (o.task_list) a.task_list = model::task_list{*o.task_list};
    a.execution_start_to_close_timeout = seconds_text(o.execution_start_to_close_timeout);
    a.task_start_to_close_timeout = seconds_text(o.task_start_to_close_timeout);
    a.child_policy = o.child_policy;
    a.tag_list = o.tag_list;
    a.lambda_role = o.lambda_role;
    if (o.task_priority) a.task_priority = std::to_string(*o.task_priority);
    a.workflow_type_version = o.workflow_type_version;
    return model::make_decision(std::move(a));
}

} // namespace detail

future<void> context::timer(std::chrono::seconds delay, timer_options options) {
    if (delay.count() < 0 || delay == unlimited)
        throw std::invalid_argument("a timer needs a delay of 0 s or more");
    auto op = engine_->start_timer(delay, std::move(options), detached_);
    return future<void>(std::static_pointer_cast<detail::state<void>>(op->st));
}

void context::marker(std::string name, std::string details) {
    if (name == side_effect_marker)
        throw std::invalid_argument("the marker name \"SideEffect\" is side_effect's own");
    if (name == version_marker) throw std::invalid_argument("the marker name \"Version\" is version's own");
    if (name.empty()) throw std::invalid_argument("a marker needs a name");
    swf::codec::truncate(details, max_marker_details);
    model::record_marker_decision_attributes a;
    a.marker_name = std::move(name);
    if (engine_->live && !details.empty()) a.details = std::move(details);
    engine_->issue_marker(model::make_decision(std::move(a)));
}

future<std::string> context::wait_signal(std::string name) {
    return future<std::string>(engine_->wait_signal(name, detached_));
}

context& context::detached() {
    return engine_->detached_context();
}

future<std::optional<std::string>> context::wait_signal(std::string name, std::chrono::seconds timeout) {
    if (timeout.count() < 0 || timeout == unlimited)
        throw std::invalid_argument("a signal wait's timeout must be 0 s or more");
    auto out = engine_->make<detail::state<std::optional<std::string>>>(&engine_->sched);
    auto waiter = engine_->wait_signal(name, detached_);
    if (waiter->ready()) {
        out->set_value(waiter->value());
        return future<std::optional<std::string>>(std::move(out));
    }
    auto timer = engine_->start_timer(timeout, {}, detached_);
    auto* e = engine_;
    // The signal first: the timer is canceled (CancelTimer), with the
    // decisions of the decision task that sees the signal.
    waiter->on_ready([out, weak = std::weak_ptr<detail::timer_machine>(timer), e](detail::state_base& s) {
        if (out->ready()) return;
        if (s.error()) {
            out->set_exception(s.error());
        } else {
            out->set_value(static_cast<detail::state<std::string>&>(s).value());
        }
        if (auto timer = weak.lock()) e->soon([timer, e] { e->cancel(timer, 0); });
    });
    // The timer first (or canceled): the wait is withdrawn, so that a later
    // signal stays for the next wait.
    timer->st->on_ready([out, waiter, name, e](detail::state_base& s) {
        e->withdraw_wait(name, waiter.get());
        if (out->ready()) return;
        if (s.error()) {
            out->set_exception(s.error());
        } else {
            out->set_value(std::nullopt);
        }
    });
    engine_->add_bounded_wait({out, timer});
    return future<std::optional<std::string>>(std::move(out));
}

void context::log(log_level level, std::string_view message) {
    if (engine_->live && engine_->log_sink()) engine_->log_sink()(level, message, engine_->info);
}

bool context::live() const noexcept {
    return engine_->live;
}

bool context::cancel_requested() const noexcept {
    return engine_->cancel_requested();
}

future<void> context::cancellation() {
    return future<void>(engine_->cancellation());
}

void context::cancel_state(const detail::state_base* s) {
    engine_->cancel_state(s);
}

void context::on_signal(std::string name, std::function<void(std::string)> handler) {
    if (name.empty()) throw std::invalid_argument("on_signal needs a signal name");
    engine_->on_signal(name, std::move(handler));
}

void context::keep_alive(std::shared_ptr<void> object) { engine_->retain(std::move(object)); }

int context::version(const std::string& change_id, int min_supported, int max_supported) {
    if (change_id.empty()) throw std::invalid_argument("version needs a change id");
    if (min_supported > max_supported || min_supported < default_version)
        throw std::invalid_argument("version needs default_version <= min_supported <= max_supported");
    auto& e = *engine_;
    int v = 0;
    bool record = false;
    if (auto known = e.versions.find(change_id); known != e.versions.end()) {
        v = known->second;
    } else {
        if (const int* r = e.recorded_version(change_id)) {
            v = *r;
            record = true;
        } else if (e.live) {
            v = max_supported;
            record = true;
        } else {
            v = default_version; // replaying a point passed before the change
        }
        e.versions.emplace(change_id, v);
    }
    if (v < min_supported || v > max_supported) throw unsupported_version(change_id, v, min_supported, max_supported);
    if (record) {
        model::record_marker_decision_attributes a;
        a.marker_name = std::string(version_marker);
        a.details = detail::version_details(change_id, v);
        e.issue_marker(model::make_decision(std::move(a)));
    }
    return v;
}

std::chrono::system_clock::time_point context::now() const noexcept {
    // SWF's timestamps are seconds with milliseconds; rounding there keeps
    // e.g. 1700000036.25 from becoming ...36.249999 in nanoseconds.
    using namespace std::chrono;
    return system_clock::time_point(round<milliseconds>(duration<double>(engine_->now)));
}

std::uint64_t context::random() noexcept {
    // splitmix64: small, fast and good enough for workflow decisions.
    std::uint64_t z = (engine_->rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::string context::side_effect(const std::function<std::string()>& fn) {
    const auto* recorded = engine_->next_side_effect();
    std::string value = recorded && *recorded ? **recorded : fn();
    // A value cut to fit would replay differently from what the code saw.
    if (swf::codec::swf_length(value) > max_marker_details)
        throw std::length_error("a side effect's value is longer than a marker's 32768 characters");
    model::record_marker_decision_attributes a;
    a.marker_name = std::string(side_effect_marker);
    a.details = value;
    engine_->issue_marker(model::make_decision(std::move(a)));
    return value;
}

} // namespace swfrt::workflow
