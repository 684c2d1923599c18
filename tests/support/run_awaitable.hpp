// Runs a coroutine to completion in a test, bounded in time.
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace swfrt::testing {

template <class T>
boost::asio::awaitable<void> store(boost::asio::awaitable<T> a, std::optional<T>& out) {
    out.emplace(co_await std::move(a));
}

// Runs `a` on `io` (stopping io when it finishes) for at most `limit`;
// rethrows what it threw, throws when it did not finish.
template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> a,
         std::chrono::steady_clock::duration limit = std::chrono::seconds{10}) {
    std::optional<T> out;
    std::exception_ptr error;
    boost::asio::co_spawn(io, store(std::move(a), out), [&](std::exception_ptr e) {
        error = e;
        io.stop();
    });
    io.restart();
    io.run_for(limit);
    if (error) std::rethrow_exception(error);
    if (!out) throw std::runtime_error("coroutine did not finish");
    return std::move(*out);
}

template <class T>
T run(boost::asio::awaitable<T> a, std::chrono::steady_clock::duration limit = std::chrono::seconds{10}) {
    boost::asio::io_context io;
    return run_on(io, std::move(a), limit);
}

} // namespace swfrt::testing
