// Task slots of one worker: a poller takes a slot before it polls, so the
// runtime never receives a task it cannot start; the slot is returned when
// the task has been answered (or the poll came back empty).
#pragma once

#include <atomic>
#include <cstddef>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swfrt::runtime {

class slots {
public:
    slots(boost::asio::any_io_executor executor, std::size_t count)
        : channel_(executor, count), capacity_(count) {}

    // Waits for a free slot; false when the slots were closed meanwhile.
    boost::asio::awaitable<bool> acquire() {
        boost::system::error_code ec;
        co_await channel_.async_send(boost::system::error_code{},
                                     boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return false;
        in_use_.fetch_add(1, std::memory_order_relaxed);
        co_return true;
    }

    void release() {
        in_use_.fetch_sub(1, std::memory_order_relaxed);
        channel_.try_receive([](boost::system::error_code) {});
    }

    // Wakes every waiter with false; later acquires fail at once.
    void close() { channel_.close(); }

    std::size_t in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> channel_;
    std::size_t capacity_;
    std::atomic<std::size_t> in_use_{0};
};

} // namespace swfrt::runtime
