// The worker loops' sleep: on a timer or the sleep seam, cut short by its
// signal, and signalled again after it ended (the slot is cleared then; a
// handler left in it would reach a timer or coroutine that is gone).
#include "runtime/core/sleep.hpp"

#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "tests/support/run_awaitable.hpp"

namespace swfrt::runtime {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A seam that sleeps "forever" (an hour) unless cancelled, and says how it ended.
struct forever_seam {
    std::shared_ptr<int> calls = std::make_shared<int>(0);
    std::shared_ptr<bool> cut = std::make_shared<bool>(false);
    swf::client::sleep_fn fn() {
        return [calls = calls, cut = cut](std::chrono::milliseconds) -> asio::awaitable<void> {
            ++*calls;
            asio::steady_timer t(co_await asio::this_coro::executor, 1h);
            boost::system::error_code ec;
            co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            *cut = ec == asio::error::operation_aborted;
        };
    }
};

asio::awaitable<bool> sleep_then_signal(const swf::client::sleep_fn& seam, asio::cancellation_signal& cut,
                                        std::chrono::milliseconds d, bool cut_while_asleep) {
    auto ex = co_await asio::this_coro::executor;
    if (cut_while_asleep) asio::post(ex, [&cut] { cut.emit(asio::cancellation_type::terminal); });
    const auto start = std::chrono::steady_clock::now();
    co_await sleep_cut_short(seam, cut, d);
    const bool early = std::chrono::steady_clock::now() - start < d;
    // The sleep is over and its timer gone: signalling again reaches nothing.
    cut.emit(asio::cancellation_type::terminal);
    cut.emit(asio::cancellation_type::terminal);
    co_return early;
}

TEST(sleep_test, a_timer_sleep_runs_its_length_and_a_later_signal_is_harmless) {
    asio::io_context io;
    asio::cancellation_signal cut;
    EXPECT_FALSE(testing::run_on(io, sleep_then_signal({}, cut, 20ms, false)));
}

TEST(sleep_test, a_signal_cuts_a_timer_sleep_short) {
    asio::io_context io;
    asio::cancellation_signal cut;
    EXPECT_TRUE(testing::run_on(io, sleep_then_signal({}, cut, std::chrono::milliseconds{3600000}, true), 5s));
}

TEST(sleep_test, a_signal_cuts_a_seam_sleep_short_and_a_later_signal_is_harmless) {
    asio::io_context io;
    asio::cancellation_signal cut;
    forever_seam seam;
    EXPECT_TRUE(testing::run_on(io, sleep_then_signal(seam.fn(), cut, std::chrono::milliseconds{3600000}, true), 5s));
    EXPECT_EQ(*seam.calls, 1);
    EXPECT_TRUE(*seam.cut) << "the seam's own wait was not cancelled";
}

TEST(sleep_test, the_seam_gets_the_length_asked_for) {
    asio::io_context io;
    asio::cancellation_signal cut;
    auto asked = std::make_shared<std::chrono::milliseconds>(0);
    swf::client::sleep_fn seam = [asked](std::chrono::milliseconds d) -> asio::awaitable<void> {
        *asked = d;
        co_return;
    };
    // The seam decides how long the sleep takes: here no time at all.
    EXPECT_TRUE(testing::run_on(io, sleep_then_signal(seam, cut, 1234ms, false)));
    EXPECT_EQ(*asked, 1234ms);
}

} // namespace
} // namespace swfrt::runtime
