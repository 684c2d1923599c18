// future<T>: the result of a workflow command (activity, timer, lambda,
// signal wait, spawned task) that the history resolves, and the when_all /
// when_any combinators over them. A resolved future resumes its awaiters
// through the replay's ready queue, in the order the history resolved them,
// never inline, so the order code runs in depends on the history alone.
#pragma once

#include <coroutine>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "workflow/task.hpp"

namespace swfrt::workflow {

namespace detail {

// The ready queue of one replay: coroutines whose awaited future resolved,
// resumed first in, first out while the code runs at a decision task.
class scheduler {
public:
    void schedule(std::coroutine_handle<> h) { ready_.push_back(h); }
    void run() {
        while (!stopped_ && !ready_.empty()) {
            auto h = ready_.front();
            ready_.pop_front();
            h.resume();
        }
    }
    // Once the workflow closed nothing else may run: later commands would
    // follow the close decision.
    void stop() noexcept { stopped_ = true; }
    // After a refused close: what the new events set off may run again.
    void restart() noexcept { stopped_ = false; }
    bool stopped() const noexcept { return stopped_; }

private:
    std::deque<std::coroutine_handle<>> ready_;
    bool stopped_ = false;
};

class state_base {
public:
    using callback = std::function<void(state_base&)>;

    explicit state_base(scheduler* s) noexcept : sched_(s) {}
    state_base(const state_base&) = delete;
    state_base& operator=(const state_base&) = delete;
    virtual ~state_base() = default;

    bool ready() const noexcept { return ready_; }
    const std::exception_ptr& error() const noexcept { return error_; }
    scheduler* sched() const noexcept { return sched_; }

    void set_exception(std::exception_ptr e) {
        error_ = std::move(e);
        complete();
    }
    void add_waiter(std::coroutine_handle<> h) { waiters_.push_back(h); }
    // Called synchronously on resolution (combinators); must not throw.
    void on_ready(callback cb) { callbacks_.push_back(std::move(cb)); }

protected:
    void complete() {
        if (ready_) throw std::logic_error("a workflow future resolved twice");
        ready_ = true;
        auto waiters = std::move(waiters_);
        auto callbacks = std::move(callbacks_);
        for (auto h : waiters)
            sched_->schedule(h);
        for (auto& cb : callbacks)
            cb(*this);
    }

private:
    scheduler* sched_;
    bool ready_ = false;
    std::exception_ptr error_{};
    std::vector<std::coroutine_handle<>> waiters_;
    std::vector<callback> callbacks_;
};

template <class T> class state : public state_base {
public:
    using state_base::state_base;
    template <class U> void set_value(U&& v) {
        value_.emplace(std::forward<U>(v));
        complete();
    }
    const T& value() const {
        if (error()) std::rethrow_exception(error());
        return *value_;
    }

private:
    std::optional<T> value_;
};

template <> class state<void> : public state_base {
public:
    using state_base::state_base;
    void set_value() { complete(); }
    void value() const {
        if (error()) std::rethrow_exception(error());
    }
};

} // namespace detail

template <class T> class future {
public:
    future() = default;
    explicit future(std::shared_ptr<detail::state<T>> s) noexcept : state_(std::move(s)) {}

    bool valid() const noexcept { return static_cast<bool>(state_); }
    bool ready() const noexcept { return state_ && state_->ready(); }
    const std::shared_ptr<detail::state<T>>& shared_state() const noexcept { return state_; }

    struct awaiter {
        detail::state<T>* s;
        bool await_ready() const noexcept { return !s || s->ready(); }
        void await_suspend(std::coroutine_handle<> h) { s->add_waiter(h); }
        T await_resume() const {
            if (!s) throw std::logic_error("co_await on an empty workflow future");
            if constexpr (std::is_void_v<T>) {
                s->value();
            } else {
                return s->value();
            }
        }
    };
    awaiter operator co_await() const noexcept { return awaiter{state_.get()}; }

private:
    std::shared_ptr<detail::state<T>> state_;
};

// when_all yields std::monostate for a future<void>.
template <class T> using value_of = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

namespace detail {

template <class T> value_of<T> value_or_unit(const state<T>& s) {
    if constexpr (std::is_void_v<T>) {
        s.value();
        return std::monostate{};
    } else {
        return s.value();
    }
}

template <class Result, class Inputs> class when_all_state : public state<Result> {
public:
    when_all_state(scheduler* s, Inputs inputs, std::size_t count)
        : state<Result>(s), inputs_(std::move(inputs)), remaining_(count) {
        if (count == 0) this->set_value(collect());
    }

    // The first failure fails the whole; otherwise the values once every
    // input has one.
    void input_ready(const state_base& input, std::size_t) {
        if (this->ready()) return;
        if (input.error()) {
            this->set_exception(input.error());
            return;
        }
        if (--remaining_ == 0) this->set_value(collect());
    }

private:
    Result collect() const {
        if constexpr (requires { inputs_.size(); }) {
            Result out;
            out.reserve(inputs_.size());
            for (const auto& in : inputs_)
                out.push_back(value_or_unit(*in));
            return out;
        } else {
            return std::apply([](const auto&... in) { return Result(value_or_unit(*in)...); }, inputs_);
        }
    }

    Inputs inputs_;
    std::size_t remaining_;
};

class when_any_state : public state<std::size_t> {
public:
    using state<std::size_t>::state;
    void input_ready(const state_base&, std::size_t index) {
        if (!ready()) set_value(index);
    }
};

// Inputs resolved before the call count first, in argument order; the
// others report when the history resolves them. The callbacks hold the
// combined state weakly: dropping its future ends the combination.
template <class Combined>
void attach(const std::shared_ptr<Combined>& combined, const std::vector<state_base*>& inputs) {
    for (std::size_t i = 0; i < inputs.size() && !combined->ready(); ++i)
        if (inputs[i]->ready()) combined->input_ready(*inputs[i], i);
    if (combined->ready()) return;
    std::weak_ptr<Combined> weak = combined;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i]->ready()) continue;
        inputs[i]->on_ready([weak, i](state_base& s) {
            if (auto c = weak.lock()) c->input_ready(s, i);
        });
    }
}

inline scheduler* scheduler_of(const std::vector<state_base*>& inputs) {
    return inputs.empty() ? nullptr : inputs.front()->sched();
}

template <class T> state_base* checked(const future<T>& f) {
    if (!f.valid()) throw std::invalid_argument("when_all/when_any over an empty workflow future");
    return f.shared_state().get();
}

} // namespace detail

// Resolves with every value once all inputs resolved, or fails with the
// first failure as soon as one fails (inputs that failed before the call
// count in argument order). Each input stays usable on its own.
template <class... Ts> future<std::tuple<value_of<Ts>...>> when_all(const future<Ts>&... fs) {
    using result_type = std::tuple<value_of<Ts>...>;
    using inputs_type = std::tuple<std::shared_ptr<detail::state<Ts>>...>;
    std::vector<detail::state_base*> inputs{detail::checked(fs)...};
    auto combined = std::make_shared<detail::when_all_state<result_type, inputs_type>>(
        detail::scheduler_of(inputs), inputs_type(fs.shared_state()...), sizeof...(Ts));
    detail::attach(combined, inputs);
    return future<result_type>(std::move(combined));
}

template <class T> future<std::vector<value_of<T>>> when_all(const std::vector<future<T>>& fs) {
    using result_type = std::vector<value_of<T>>;
    using inputs_type = std::vector<std::shared_ptr<detail::state<T>>>;
    std::vector<detail::state_base*> inputs;
    inputs_type typed;
    inputs.reserve(fs.size());
    typed.reserve(fs.size());
    for (const auto& f : fs) {
        inputs.push_back(detail::checked(f));
        typed.push_back(f.shared_state());
    }
    auto combined = std::make_shared<detail::when_all_state<result_type, inputs_type>>(
        detail::scheduler_of(inputs), std::move(typed), fs.size());
    detail::attach(combined, inputs);
    return future<result_type>(std::move(combined));
}

// Resolves with the index of the first input to resolve, successfully or
// not (among inputs resolved before the call, the first in argument order);
// never fails itself: co_await the winner for its value or error.
template <class... Ts> future<std::size_t> when_any(const future<Ts>&... fs) {
    static_assert(sizeof...(Ts) > 0, "when_any needs at least one future");
    std::vector<detail::state_base*> inputs{detail::checked(fs)...};
    auto combined = std::make_shared<detail::when_any_state>(detail::scheduler_of(inputs));
    detail::attach(combined, inputs);
    return future<std::size_t>(std::move(combined));
}

template <class T> future<std::size_t> when_any(const std::vector<future<T>>& fs) {
    if (fs.empty()) throw std::invalid_argument("when_any over no futures would never resolve");
    std::vector<detail::state_base*> inputs;
    inputs.reserve(fs.size());
    for (const auto& f : fs)
        inputs.push_back(detail::checked(f));
    auto combined = std::make_shared<detail::when_any_state>(detail::scheduler_of(inputs));
    detail::attach(combined, inputs);
    return future<std::size_t>(std::move(combined));
}

} // namespace swfrt::workflow
