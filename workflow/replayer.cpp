#include "workflow/replayer.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <stdexcept>

#include <simdjson.h>

#include "swf/codec/codec.hpp"
#include "swf/codec/fit.hpp"
#include "swf/model/limits.hpp"
#include "workflow/engine.hpp"
#include "workflow/errors.hpp"
#include "workflow/history_events.hpp"
#include "swf/model/decisions.hpp"

namespace swfrt::workflow {

namespace model = swf::model;
using et = model::event_type;

namespace {

// SWF's limits on what a close decision carries.

std::uint64_t fnv1a(std::string_view s) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string event_at(std::int64_t id) {
    return "history event " + std::to_string(id);
}

} // namespace

std::string_view to_string(replay_error_kind kind) noexcept {
    switch (kind) {
    case replay_error_kind::non_determinism: return "non_determinism";
    case replay_error_kind::malformed_history: return "malformed_history";
    }
    return "unknown";
}

std::string full_text(const replay_error& e) {
    if (e.transitions.empty() || e.message.find(e.transitions) != std::string::npos) return e.message;
    return e.message + " (the command's transitions: " + e.transitions + ")";
}

void throw_replay_error(replay_error e) {
    if (e.kind == replay_error_kind::non_determinism) throw non_determinism_error(std::move(e));
    throw malformed_history_error(std::move(e));
}

namespace detail {

std::string version_details(const std::string& change_id, int version) {
    std::string out = "{\"changeId\":";
    swf::codec::append_json_string(out, change_id);
    out += ",\"version\":" + std::to_string(version) + "}";
    return out;
}

std::optional<std::pair<std::string, int>> parse_version_details(const std::string& details) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(details).get(object)) return std::nullopt;
    std::string_view change_id;
    std::int64_t version = 0;
    if (object["changeId"].get_string().get(change_id) || object["version"].get_int64().get(version))
        return std::nullopt;
    if (change_id.empty() || version < default_version || version > std::numeric_limits<int>::max())
        return std::nullopt;
    return std::pair{std::string(change_id), static_cast<int>(version)};
}

engine::engine(const model::workflow_execution& execution, const workflow_runner& runner, replay_options options)
    : runner_(runner), options_(std::move(options)) {
    info.execution = execution;
    rng_state = fnv1a(execution.run_id);
}

engine::~engine() {
    // Spawned coroutines may refer to their parents' frames: last in, first out.
    for (auto it = drivers_.rbegin(); it != drivers_.rend(); ++it)
        it->destroy();
}

void engine::issue(model::decision d, std::shared_ptr<command_machine> machine) {
    block_.issue(command{std::move(d), std::move(machine)});
}

void engine::issue_marker(model::decision d) {
    auto m = make<marker_machine>();
    m->name = d.record_marker_decision_attributes->marker_name;
    issue(std::move(d), std::move(m));
}

void engine::issue_close(model::decision d) {
    auto m = make<close_machine>();
    m->name = std::string(model::to_string(d.decision_type));
    issue(std::move(d), std::move(m));
}

void engine::report_malformed(const model::history_event& e, std::string what, std::string transitions) {
    malformed(e.event_id, describe(e), std::move(what), std::move(transitions));
}

context& engine::detached_context() {
    if (!detached_ctx_) detached_ctx_.reset(new context(*this, true));
    return *detached_ctx_;
}

std::string engine::activity_task_list() const {
    return options_.activity_task_list.value_or(info.task_list);
}

std::shared_ptr<state<std::string>> engine::wait_signal(const std::string& name, bool detached) {
    if (signal_handlers_.count(name))
        throw std::invalid_argument("signal \"" + name + "\" has a handler (on_signal); it cannot be waited for");
    auto w = make<state<std::string>>(&sched);
    if (detached) detached_waits_.push_back(w.get());
    auto it = signals_.find(name);
    if (it != signals_.end() && !it->second.empty()) {
        w->set_value(std::move(it->second.front()));
        it->second.pop_front();
    } else {
        signal_waits_[name].push_back(w);
    }
    return w;
}

void engine::withdraw_wait(const std::string& name, const state<std::string>* waiter) {
    auto it = signal_waits_.find(name);
    if (it == signal_waits_.end()) return;
    auto& q = it->second;
    for (auto w = q.begin(); w != q.end(); ++w) {
        if (w->get() == waiter) {
            q.erase(w);
            return;
        }
    }
}

void engine::on_signal(const std::string& name, std::function<void(std::string)> handler) {
    if (!handler) throw std::invalid_argument("on_signal needs a handler");
    if (signal_handlers_.count(name))
        throw std::invalid_argument("signal \"" + name + "\" has a handler already");
    if (auto w = signal_waits_.find(name); w != signal_waits_.end() && !w->second.empty())
        throw std::invalid_argument("signal \"" + name + "\" is being waited for; it cannot have a handler too");
    auto& h = signal_handlers_[name] = std::move(handler);
    // Signals that came before are handled now, in order; what the handler
    // throws leaves on_signal, in the code that called it.
    if (auto q = signals_.find(name); q != signals_.end()) {
        auto& inputs = q->second;
        while (!inputs.empty()) {
            auto input = std::move(inputs.front());
            inputs.pop_front();
            h(std::move(input));
        }
    }
}

void engine::end_run(std::exception_ptr error) {
    if (root_ && !root_->ready()) {
        root_->set_exception(std::move(error));
    } else if (closed_ && !unhandled_) {
        // A handler that failed after run returned (a refused close): the
        // decision task fails as for an exception out of run.
        unhandled_ = std::move(error);
    }
}

void engine::soon(std::function<void()> fn) {
    if (running) {
        fn();
    } else {
        deferred_.push_back(std::move(fn));
    }
}

std::shared_ptr<state<void>> engine::cancellation() {
    if (!cancellation_) {
        cancellation_ = make<state<void>>(&sched);
        if (cancel_requested_) cancellation_->set_value();
    }
    return cancellation_;
}

std::shared_ptr<timer_machine> engine::start_timer(std::chrono::seconds delay, timer_options options,
                                                   bool detached) {
    auto number = ++ids.timer;
    auto m = make<timer_machine>();
    m->id = options.timer_id ? std::move(*options.timer_id) : "t" + std::to_string(number);
    if (m->id.empty()) throw std::invalid_argument("a timer id cannot be empty");
    m->detached = detached;
    m->st = make<state<void>>(&sched);

    model::start_timer_decision_attributes a;
    a.timer_id = m->id;
    a.start_to_fire_timeout = std::to_string(delay.count());
    if (live) a.control = std::move(options.control);
    issue(model::make_decision(std::move(a)), m);
    return m;
}

void engine::cancel(const std::shared_ptr<command_machine>& m, std::int64_t event_id) {
    // m may be the pending command's own pointer, which dropping the
    // command releases: the machine must outlive its cancel.
    auto keep = m;
    if (keep->pending()) keep->cancel(*this, event_id);
}

void engine::fail_waiter(const std::shared_ptr<state<std::string>>& w, const std::string& name,
                         std::int64_t event_id) {
    w->set_exception(
        std::make_exception_ptr(canceled_error("the wait for signal \"" + name + "\" was canceled", event_id)));
}

namespace {

// Whether s is one of the futures of command m.
bool owns(const command_machine& m, const state_base* s) {
    if (m.st.get() == s) return true;
    if (m.kind != op_kind::child) return false;
    const auto& started = static_cast<const child_machine&>(m).started;
    return started && started.get() == s;
}

} // namespace

void engine::cancel_state(const state_base* s) {
    if (!s) throw std::invalid_argument("cancel of an empty workflow future");
    auto cancel_op = [&](const std::shared_ptr<command_machine>& m) {
        if (!m->cancelable())
            throw std::invalid_argument("SWF cannot cancel a " + m->text() + "; only activities, timers, child "
                                        "workflows and signal waits can be canceled");
        if (!s->ready()) cancel(m, 0);
    };
    for (auto& w : bounded_waits_) {
        if (w.out.lock().get() == s) {
            if (!s->ready()) cancel(w.timer, 0); // the wait ends with the timer's error
            return;
        }
    }
    std::shared_ptr<command_machine> recorded;
    by_event_.for_each([&](std::int64_t, const std::shared_ptr<command_machine>& m) {
        if (!recorded && owns(*m, s)) recorded = m;
    });
    if (recorded) return cancel_op(recorded);
    for (const auto& c : block_.pending()) {
        if (c.machine && owns(*c.machine, s)) return cancel_op(c.machine);
    }
    if (s->ready()) return;
    for (auto& [name, q] : signal_waits_) {
        for (auto it = q.begin(); it != q.end(); ++it) {
            if (it->get() == s) {
                auto w = std::move(*it);
                q.erase(it);
                return fail_waiter(w, name, 0);
            }
        }
    }
    throw std::invalid_argument("only the futures of activities, timers, child workflows and signal waits can be "
                                "canceled");
}

void engine::request_cancel(const model::history_event& e) {
    if (cancel_requested_) return; // a second request changes nothing
    cancel_requested_ = true;
    soon([this, id = e.event_id] { cancel_everything(id); });
}

void engine::cancel_everything(std::int64_t event_id) {
    // In event order, so that every replay issues the same decisions.
    std::vector<std::shared_ptr<command_machine>> open;
    by_event_.for_each([&](std::int64_t, const std::shared_ptr<command_machine>& m) {
        if (!m->pending() || !m->cancelable() || m->detached) return;
        // A child awaited only until it started is no longer waited for: its
        // child policy decides what happens to it.
        if (m->kind == op_kind::child) {
            const auto& child = static_cast<const child_machine&>(*m);
            if (child.started_only && child.started && child.started->ready()) return;
        }
        open.push_back(m);
    });
    for (auto& m : open)
        cancel(m, event_id);
    std::vector<std::string> names;
    for (const auto& [name, q] : signal_waits_)
        if (!q.empty()) names.push_back(name);
    std::sort(names.begin(), names.end());
    auto is_detached = [&](const state_base* w) {
        return std::find(detached_waits_.begin(), detached_waits_.end(), w) != detached_waits_.end();
    };
    for (const auto& name : names) {
        auto q = std::move(signal_waits_[name]);
        signal_waits_.erase(name);
        for (auto& w : q) {
            if (is_detached(w.get())) {
                signal_waits_[name].push_back(std::move(w));
            } else if (!w->ready()) {
                fail_waiter(w, name, event_id);
            }
        }
    }
    if (cancellation_ && !cancellation_->ready()) cancellation_->set_value();
}

void engine::read_version(const model::history_event& e) {
    const auto& details = e.marker_recorded_event_attributes->details;
    auto bad = [&] { malformed(e.event_id, describe(e), "a Version marker's details are not {\"changeId\": ..., \"version\": ...}"); };
    if (!details) return bad();
    auto parsed = parse_version_details(*details);
    if (!parsed) return bad();
    recorded_versions.emplace(std::move(parsed->first), parsed->second);
}

const std::optional<std::string>* engine::next_side_effect() {
    // Markers are read ahead as far as needed (see recorded_version).
    while (next_side_effect_ >= side_effects_.size() && marker_cursor_ <= target_)
        read_next_marker();
    if (next_side_effect_ >= side_effects_.size()) {
        ++next_side_effect_;
        return nullptr;
    }
    return &side_effects_[next_side_effect_++];
}

void engine::non_determinism(std::int64_t event_id, std::string history, std::string code) {
    if (error_) return; // the first one found is reported
    replay_error e{replay_error_kind::non_determinism, event_id, std::move(history), std::move(code), {}, {}};
    e.message = "non-determinism at " + event_at(event_id) +
                " (decisions of the decision task started at event " + std::to_string(last_run_) +
                "): the history records " + e.history + " where the code now issues " + e.code;
    error_ = std::move(e);
}

void engine::malformed(std::int64_t event_id, std::string history, std::string what, std::string transitions) {
    if (error_) return; // the first one found is reported
    replay_error e{replay_error_kind::malformed_history, event_id, std::move(history), "nothing", {}, {}};
    e.transitions = std::move(transitions);
    e.message = "malformed history at " + event_at(event_id) + " (" + e.history + "): " + what;
    error_ = std::move(e);
}

void engine::start(const model::history_event& e) {
    const auto& a = e.workflow_execution_started_event_attributes;
    if (!a) return malformed(e.event_id, describe(e), "the execution's start has no attributes");
    if (root_) return malformed(e.event_id, describe(e), "the execution started twice");
    info.type = a->workflow_type;
    info.task_list = a->task_list.name;
    info.child_policy = a->child_policy;
    info.lambda_role = a->lambda_role;
    info.tag_list = a->tag_list;
    info.continued_execution_run_id = a->continued_execution_run_id;
    if (a->parent_workflow_execution) info.parent = *a->parent_workflow_execution;
    info.parent_initiated_event_id = a->parent_initiated_event_id;
    info.input = a->input.value_or("");
    auto seconds = [&](const std::optional<std::string>& text) -> std::optional<std::chrono::seconds> {
        if (!text) return std::nullopt;
        if (*text == "NONE") return unlimited;
        std::int64_t n = 0;
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
        if (ec != std::errc() || end != text->data() + text->size() || n < 0) {
            malformed(e.event_id, describe(e), "the timeout \"" + *text + "\" is no number of seconds");
            return std::nullopt;
        }
        return std::chrono::seconds(n);
    };
    info.execution_start_to_close_timeout = seconds(a->execution_start_to_close_timeout);
    info.task_start_to_close_timeout = seconds(a->task_start_to_close_timeout);
    if (a->task_priority) {
        int p = 0;
        const auto& t = *a->task_priority;
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), p);
        if (ec == std::errc() && end == t.data() + t.size()) info.task_priority = p;
    }

    root_ = make<state<std::string>>(&sched);
    root_->on_ready([this](state_base&) { on_root_done(*root_); });
    auto d = drive(runner_(ctx_, a->input.value_or("")), root_);
    adopt(d.handle);
    root_handle_ = d.handle;
}

void engine::on_root_done(state<std::string>& root) {
    model::decision d;
    try {
        d = swf::codec::complete_workflow_decision(root.value());
    } catch (const workflow_failed& f) {
        d = swf::codec::fail_workflow_decision(f.reason(), f.details());
    } catch (const continue_as_new_request& r) {
        d = continue_as_new_decision(r);
    } catch (const workflow_canceled& c) {
        d = swf::codec::cancel_workflow_decision(c.details());
    } catch (...) {
        auto error = std::current_exception();
        if (cancel_requested_ && is_cancellation(error)) {
            std::string what;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& x) {
                what = x.what();
            }
            d = swf::codec::cancel_workflow_decision(std::move(what));
        } else {
            unhandled_ = std::move(error);
            sched.stop();
            return;
        }
    }
    closed_ = true;
    close_decision_ = d;
    issue_close(std::move(d));
    sched.stop();
}

void engine::run_code(const model::history_event& e, bool is_target) {
    now = e.event_timestamp;
    last_run_ = e.event_id;
    live = is_target;
    if (closed_) {
        // A refused close decision is made again (SWF refuses one when events
        // arrived during the decision task, e.g. a signal). What those events
        // set off comes first: signal handlers (and what they spawn),
        // signal waiters of spawned coroutines, a cancel request.
        if (close_again_) {
            running = true;
            sched.restart();
            auto actions = std::move(deferred_);
            deferred_.clear();
            for (auto& action : actions) action();
            sched.run();
            sched.stop();
            running = false;
            issue_close(*close_decision_);
        }
        close_again_ = false;
        return;
    }
    running = true;
    if (!root_started_) {
        root_started_ = true;
        sched.schedule(root_handle_);
    }
    // What events since the last run set off (signal handlers, a cancel
    // request) comes first, in event order.
    auto actions = std::move(deferred_);
    deferred_.clear();
    for (auto& action : actions) {
        if (closed_ || unhandled_ || (root_ && root_->ready())) break;
        action();
    }
    sched.run();
    running = false;
}

void engine::match(const model::history_event& e) {
    // A refused start, signal or cancel that names its Initiated event is
    // an outcome of that command, not a decision of this block.
    if (auto initiated = initiated_of(e); initiated && by_event_.find(*initiated)) return resolve(e);
    auto r = block_.take(e);
    switch (r.kind) {
    case block_match::outside_block:
        return malformed(e.event_id, describe(e), "a decision event that follows no DecisionTaskCompleted");
    case block_match::no_attributes: return malformed(e.event_id, describe(e), "the event has no attributes");
    case block_match::nothing_issued: return non_determinism(e.event_id, describe(e), "nothing");
    case block_match::differs:
        return non_determinism(e.event_id, describe(e), describe(block_.pending().front().decision));
    case block_match::matched: break;
    }
    if (r.machine->recorded(e, *this)) {
        r.machine->recorded_at = e.event_id;
        by_event_.put(e.event_id, std::move(r.machine));
    }
}

void engine::close_refused(const model::history_event& e) {
    if (e.event_type == et::continue_as_new_workflow_execution_failed) {
        // Refused because events came in: decided again. Refused for good
        // (no such type, a default missing, not permitted): the run fails
        // and says why, rather than asking again forever.
        const auto cause = e.continue_as_new_workflow_execution_failed_event_attributes->cause;
        if (cause != model::continue_as_new_workflow_execution_failed_cause::unhandled_decision) {
            model::fail_workflow_execution_decision_attributes a;
            a.reason = "ContinueAsNewWorkflowExecutionFailed";
            a.details = "SWF refused to continue the execution as new: " +
                        std::string(model::to_string(cause,
                                                     e.continue_as_new_workflow_execution_failed_event_attributes->cause_text)) +
                        " (" + event_at(e.event_id) + ")";
            close_decision_ = model::make_decision(std::move(a));
        }
    }
    close_again_ = true;
}

void engine::resolve(const model::history_event& e) {
    if (e.event_type == et::start_lambda_function_failed && e.start_lambda_function_failed_event_attributes &&
        !e.start_lambda_function_failed_event_attributes->scheduled_event_id)
        return malformed(e.event_id, describe(e), "it names no scheduled event");
    auto ref = outcome_of(e);
    if (!ref) return malformed(e.event_id, describe(e), "the event has no attributes");
    auto* found = by_event_.find(ref->event_id);
    if (!found || (*found)->kind != ref->kind)
        return malformed(e.event_id, describe(e),
                         "it names event " + std::to_string(ref->event_id) +
                             ", which records no such command of this workflow");
    // The machine may be replaced in the table while it runs: keep it.
    auto machine = *found;
    machine->outcome(e, *this);
}

void engine::deliver(const model::history_event& e) {
    const auto& a = e.workflow_execution_signaled_event_attributes;
    if (!a) return malformed(e.event_id, describe(e), "the event has no attributes");
    auto input = a->input.value_or("");
    if (auto h = signal_handlers_.find(a->signal_name); h != signal_handlers_.end()) {
        soon([this, &handler = h->second, input = std::move(input)]() mutable {
            try {
                handler(std::move(input));
            } catch (...) {
                end_run(std::current_exception());
            }
        });
        return;
    }
    auto w = signal_waits_.find(a->signal_name);
    if (w != signal_waits_.end() && !w->second.empty()) {
        auto waiter = std::move(w->second.front());
        w->second.pop_front();
        waiter->set_value(std::move(input));
        return;
    }
    signals_[a->signal_name].push_back(std::move(input));
}

bool engine::answered(std::size_t started) const {
    // SWF has one decision task out at a time: its DecisionTaskCompleted, if
    // any, comes before the next DecisionTaskStarted.
    const auto id = (*events_)[started].event_id;
    for (std::size_t j = started + 1; j <= target_; ++j) {
        const auto& e = (*events_)[j];
        if (e.event_type == et::decision_task_started) return false;
        if (e.event_type == et::decision_task_completed && e.decision_task_completed_event_attributes &&
            e.decision_task_completed_event_attributes->started_event_id == id)
            return true;
    }
    return false;
}

void engine::read_next_marker() {
    const auto& e = (*events_)[marker_cursor_++];
    if (e.event_type == et::marker_recorded && e.marker_recorded_event_attributes) {
        const auto& name = e.marker_recorded_event_attributes->marker_name;
        if (name == side_effect_marker) {
            side_effects_.push_back(e.marker_recorded_event_attributes->details.value_or(""));
        } else if (name == version_marker) {
            read_version(e);
        }
    } else if (e.event_type == et::record_marker_failed && e.record_marker_failed_event_attributes &&
               e.record_marker_failed_event_attributes->marker_name == side_effect_marker) {
        side_effects_.emplace_back();
    }
}

const int* engine::recorded_version(const std::string& change_id) {
    // Read ahead as far as needed: the marker of a decision comes after the
    // code ran for it.
    for (;;) {
        if (auto it = recorded_versions.find(change_id); it != recorded_versions.end()) return &it->second;
        if (marker_cursor_ > target_) return nullptr;
        read_next_marker();
    }
}

replay_result engine::replay(const std::vector<model::history_event>& events, std::size_t target) {
    events_ = &events;
    target_ = target;
    by_event_.reserve_ids(target + 1);
    for (std::size_t i = 0; i <= target && !error_; ++i) {
        const auto& e = events[i];
        const auto role = rule_for(e.event_type).role;
        // A decision task's block ends at the first event that is neither
        // a decision event nor an outcome: SWF records some outcomes among
        // the block's own events (ActivityTaskCanceled right after the
        // ActivityTaskCancelRequested of an activity that had not started),
        // or right after them; they resolve in place either way.
        if (block_.is_open() && decision_block::ends_block(role)) {
            if (const auto* left = block_.close()) {
                non_determinism(e.event_id, "nothing more", describe(left->decision));
                break;
            }
        }
        switch (role) {
        case event_role::execution_started: start(e); break;
        case event_role::decision_started:
            if (i != target && !answered(i)) break; // timed out: its answer was never applied
            if (!root_) {
                malformed(e.event_id, describe(e), "a decision task before WorkflowExecutionStarted");
                break;
            }
            run_code(e, i == target);
            if (unhandled_) std::rethrow_exception(unhandled_);
            break;
        case event_role::decision_completed: {
            const auto& a = e.decision_task_completed_event_attributes;
            if (!a) {
                malformed(e.event_id, describe(e), "the event has no attributes");
            } else if (a->started_event_id != last_run_) {
                malformed(e.event_id, describe(e),
                          "it completes the decision task started at event " +
                              std::to_string(a->started_event_id) + ", not the last one started (event " +
                              std::to_string(last_run_) + ")");
            }
            block_.open();
            break;
        }
        case event_role::decision: match(e); break;
        case event_role::outcome: resolve(e); break;
        case event_role::signal: deliver(e); break;
        case event_role::cancel_request: request_cancel(e); break;
        case event_role::ignored: break;
        case event_role::unknown:
            malformed(e.event_id, describe(e),
                      "the event type \"" + e.event_type_text +
                          "\" is unknown to this SDK, so the replayer cannot tell what it means for the workflow");
            break;
        }
    }
    if (error_) return std::move(*error_);

    std::vector<model::decision> decisions;
    auto& pending = block_.pending();
    decisions.reserve(pending.size());
    for (auto& c : pending)
        decisions.push_back(std::move(c.decision));
    return decisions;
}

} // namespace detail

replay_result replay(const std::vector<model::history_event>& events,
                     const model::workflow_execution& execution, std::int64_t started_event_id,
                     const workflow_runner& runner, const replay_options& options) {
    std::size_t target = events.size();
    for (std::size_t i = events.size(); i-- > 0;) {
        const auto& e = events[i];
        if (e.event_type != et::decision_task_started) continue;
        if (started_event_id == 0 || e.event_id == started_event_id) {
            target = i;
            break;
        }
    }
    if (target == events.size()) {
        replay_error e{replay_error_kind::malformed_history, started_event_id, "nothing", "nothing", {}, {}};
        e.message = started_event_id == 0
                        ? std::string("malformed history: it holds no DecisionTaskStarted event")
                        : "malformed history: it holds no DecisionTaskStarted event with id " +
                              std::to_string(started_event_id);
        return e;
    }
    detail::engine engine(execution, runner, options);
    return engine.replay(events, target);
}

replay_result replay(const model::decision_task& task, const workflow_runner& runner,
                     const replay_options& options) {
    return replay(task.events, task.workflow_execution, task.started_event_id, runner, options);
}

} // namespace swfrt::workflow
