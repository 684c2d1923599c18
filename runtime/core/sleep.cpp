#include "runtime/core/sleep.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swfrt::runtime {

namespace asio = boost::asio;

asio::awaitable<void> sleep_cut_short(const swf::client::sleep_fn& seam, asio::cancellation_signal& cut,
                                      std::chrono::milliseconds d) {
    auto executor = co_await asio::this_coro::executor;
    // A slot keeps the handler of the last operation bound to it after that
    // operation completes; a later emit would reach a timer or coroutine
    // that is gone. It is cleared however the sleep ends.
    struct clear_slot {
        asio::cancellation_signal& s;
        ~clear_slot() { s.slot().clear(); }
    } cleared{cut};
    if (seam) {
        // The seam's sleep runs as a coroutine of its own whose waits take
        // their cancellation from the signal.
        try {
            co_await asio::co_spawn(executor, seam(d), asio::bind_cancellation_slot(cut.slot(), asio::use_awaitable));
        } catch (const boost::system::system_error& e) {
            if (e.code() != asio::error::operation_aborted) throw;
        }
        co_return;
    }
    asio::steady_timer timer(executor, d);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::bind_cancellation_slot(cut.slot(), asio::redirect_error(asio::use_awaitable, ec)));
}

} // namespace swfrt::runtime
