// Task slots of one worker: a poller takes a slot before it polls, so the
// runtime never receives a task it cannot start; the slot is returned when
// the task has been answered (or the poll came back empty).
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swfrt::runtime {

class slots {
public:
    slots(boost::asio::any_io_executor executor, std::size_t count)
        : executor_(std::move(executor)), capacity_(count), free_(count) {}

    // Waits for a free slot; false when the slots were closed meanwhile.
    boost::asio::awaitable<bool> acquire() {
        std::shared_ptr<waiter> w;
        {
            std::lock_guard lock(mutex_);
            if (closed_) co_return false;
            if (free_ > 0) {
                --free_;
                in_use_.fetch_add(1, std::memory_order_relaxed);
                co_return true;
            }
            // A waiter is woken by one message: a slot handed over, or an error at close.
            w = std::make_shared<waiter>(executor_, 1);
            waiters_.push_back(w);
        }
        boost::system::error_code ec;
        co_await w->async_receive(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return false;
        in_use_.fetch_add(1, std::memory_order_relaxed); // counted once the waiter holds it
        co_return true;
    }

    void release() {
        std::lock_guard lock(mutex_);
        in_use_.fetch_sub(1, std::memory_order_relaxed);
        if (!closed_ && !waiters_.empty()) {
            auto w = std::move(waiters_.front());
            waiters_.pop_front();
            w->try_send(boost::system::error_code{});
            return;
        }
        ++free_;
    }

    // Wakes every waiter with false; later acquires fail at once.
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto& w : waiters_) w->try_send(boost::asio::error::operation_aborted);
        waiters_.clear();
    }

    std::size_t in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    using waiter = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

    boost::asio::any_io_executor executor_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::size_t free_;
    bool closed_ = false;
    std::deque<std::shared_ptr<waiter>> waiters_;
    std::atomic<std::size_t> in_use_{0};
};

} // namespace swfrt::runtime
