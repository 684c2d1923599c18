// Task slots of one worker: a poller takes a slot before it polls, so the
// runtime never receives a task it cannot start. A slot is a lease: the
// slot is free again when its lease is destroyed (after an empty poll, a
// failed one, or once the task it brought has been answered), so no exit
// path, an exception included, can keep one.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swfrt::runtime {

class slots;

// One taken slot; move-only; frees its slot when destroyed or reset.
class slot_lease {
public:
    slot_lease() = default;
    slot_lease(slot_lease&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
    slot_lease& operator=(slot_lease&& o) noexcept {
        if (this != &o) {
            reset();
            owner_ = std::exchange(o.owner_, nullptr);
        }
        return *this;
    }
    slot_lease(const slot_lease&) = delete;
    slot_lease& operator=(const slot_lease&) = delete;
    ~slot_lease() { reset(); }

    inline void reset() noexcept;
    explicit operator bool() const noexcept { return owner_ != nullptr; }

private:
    friend class slots;
    explicit slot_lease(slots* owner) : owner_(owner) {}
    slots* owner_ = nullptr;
};

// The slots outlive every lease they hand out (the worker that owns them
// waits for its tasks before it goes).
class slots {
public:
    slots(boost::asio::any_io_executor executor, std::size_t count)
        : executor_(std::move(executor)), capacity_(count), free_(count) {}

    // Waits for a free slot; nullopt when the slots were closed meanwhile.
    boost::asio::awaitable<std::optional<slot_lease>> acquire() {
        std::shared_ptr<waiter> w;
        {
            std::lock_guard lock(mutex_);
            if (closed_) co_return std::nullopt;
            if (free_ > 0) {
                --free_;
                in_use_.fetch_add(1, std::memory_order_relaxed);
                co_return slot_lease(this);
            }
            // A waiter is woken by one message: a slot handed over, or an error at close.
            w = std::make_shared<waiter>(executor_, 1);
            waiters_.push_back(w);
        }
        boost::system::error_code ec;
        co_await w->async_receive(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return std::nullopt;
        in_use_.fetch_add(1, std::memory_order_relaxed); // counted once the waiter holds it
        co_return slot_lease(this);
    }

    // Wakes every waiter with nullopt; later acquires fail at once. Leases
    // out stay valid and free their slots as usual.
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto& w : waiters_) w->try_send(boost::asio::error::operation_aborted);
        waiters_.clear();
    }

    // Leases out (pollers waiting on SWF and running tasks).
    std::size_t in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    friend class slot_lease;
    using waiter = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

    void release() noexcept {
        std::lock_guard lock(mutex_);
        in_use_.fetch_sub(1, std::memory_order_relaxed);
        while (!closed_ && !waiters_.empty()) {
            auto w = std::move(waiters_.front());
            waiters_.pop_front();
            if (w->try_send(boost::system::error_code{})) return;
        }
        ++free_;
    }

    boost::asio::any_io_executor executor_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::size_t free_;
    bool closed_ = false;
    std::deque<std::shared_ptr<waiter>> waiters_;
    std::atomic<std::size_t> in_use_{0};
};

inline void slot_lease::reset() noexcept {
    if (auto* o = std::exchange(owner_, nullptr)) o->release();
}

} // namespace swfrt::runtime
