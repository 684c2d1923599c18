// task<T>: the coroutine type of workflow code. Lazy (starts when awaited),
// single-threaded, exceptions propagate to the awaiter, and completion
// resumes the awaiter by symmetric transfer so deep chains use no stack.
#pragma once

#include <coroutine>
#include <exception>
#include <stdexcept>
#include <utility>
#include <variant>

namespace swfrt::workflow {

template <class T = void> class task;

namespace detail {

// Resumes whoever awaited the finished task (or nothing, when nobody did).
struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) const noexcept {
        if (auto c = h.promise().continuation) return c;
        return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
};

struct task_promise_base {
    std::coroutine_handle<> continuation{};
    std::suspend_always initial_suspend() const noexcept { return {}; }
    final_awaiter final_suspend() const noexcept { return {}; }
};

} // namespace detail

namespace detail {

// What a task<T> coroutine stores: its value or its exception.
template <class T> struct task_promise : task_promise_base {
    std::variant<std::monostate, T, std::exception_ptr> result{};

    task<T> get_return_object() noexcept;
    template <class U> void return_value(U&& v) { result.template emplace<1>(std::forward<U>(v)); }
    void unhandled_exception() noexcept { result.template emplace<2>(std::current_exception()); }

    T take() {
        if (result.index() == 0) throw std::logic_error("co_await on a task that has not finished");
        if (result.index() == 2) std::rethrow_exception(std::get<2>(result));
        return std::move(std::get<1>(result));
    }
};

template <> struct task_promise<void> : task_promise_base {
    std::exception_ptr error{};

    task<void> get_return_object() noexcept;
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }

    void take() {
        if (error) std::rethrow_exception(error);
    }
};

} // namespace detail

template <class T> class [[nodiscard]] task {
public:
    using promise_type = detail::task_promise<T>;

    task() noexcept = default;
    task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    task& operator=(task&& o) noexcept {
        if (this != &o) {
            if (h_) h_.destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    task(const task&) = delete;
    task& operator=(const task&) = delete;
    ~task() {
        if (h_) h_.destroy();
    }

    bool valid() const noexcept { return static_cast<bool>(h_); }

    struct awaiter {
        std::coroutine_handle<promise_type> h;
        bool await_ready() const noexcept { return !h || h.done(); }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
            h.promise().continuation = awaiting;
            return h;
        }
        T await_resume() {
            if (!h) throw std::logic_error("co_await on an empty task");
            return h.promise().take();
        }
    };
    awaiter operator co_await() && noexcept { return awaiter{h_}; }
    awaiter operator co_await() & noexcept { return awaiter{h_}; }

private:
    friend promise_type;
    explicit task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
    std::coroutine_handle<promise_type> h_{};
};

namespace detail {

template <class T> task<T> task_promise<T>::get_return_object() noexcept {
    return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}

inline task<void> task_promise<void>::get_return_object() noexcept {
    return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}

} // namespace detail

} // namespace swfrt::workflow
