#include "swf/http/pool.hpp"
#include "tests/swf/http/test_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <future>
#include <thread>

namespace swfrt::swf::http::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using pool_test = pool_fixture;

TEST_F(pool_test, answers_with_status_headers_and_body_and_fills_in_headers) {
    test_server server([](const seen_request& r) {
        reply out;
        out.status = 201;
        out.body = "echo:" + r.body;
        out.headers = {{"X-Amzn-RequestId", "req-1"}};
        return out;
    });
    connection_pool pool(ioc.get_executor());
    request req;
    req.method = "POST";
    req.target = "/?Action=x";
    req.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                   {"X-Amz-Target", "SimpleWorkflowService.X"}};
    req.body = R"({"domain":"d"})";
    auto res = send(pool, server.url(), req);
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->status, 201);
    EXPECT_EQ(res->body, R"(echo:{"domain":"d"})");
    EXPECT_EQ(res->header("x-amzn-requestid"), "req-1");

    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].target, "/?Action=x");
    EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen[0].header("Content-Length"), "14");
    EXPECT_EQ(seen[0].header("User-Agent"), default_user_agent());
    EXPECT_EQ(seen[0].header("X-Amz-Target"), "SimpleWorkflowService.X");
    EXPECT_EQ(default_user_agent().substr(0, 12), "swf-runtime/");
}

TEST_F(pool_test, keeps_caller_host_and_user_agent_and_sends_no_length_on_empty_get) {
    test_server server;
    connection_pool pool(ioc.get_executor());
    request req = get("/latest/meta-data/");
    req.headers = {{"host", "169.254.169.254"}, {"user-agent", "custom/1"}};
    auto res = send(pool, server.url(), req);
    ASSERT_TRUE(res) << res.error().to_string();
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].header("Host"), "169.254.169.254");
    EXPECT_EQ(seen[0].header("User-Agent"), "custom/1");
    EXPECT_EQ(seen[0].header("Content-Length"), "");
}

TEST_F(pool_test, http_error_status_is_a_response_not_an_error) {
    test_server server([](const seen_request&) {
        reply out;
        out.status = 400;
        out.body = R"({"__type":"com.amazonaws.swf.base.model#UnknownResourceFault"})";
        return out;
    });
    connection_pool pool(ioc.get_executor());
    auto res = send(pool, server.url());
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->status, 400);
    EXPECT_NE(res->body.find("UnknownResourceFault"), std::string::npos);
    EXPECT_EQ(pool.idle_connections(), 1u); // an error status does not spoil the connection
}

TEST_F(pool_test, keep_alive_reuses_one_connection_for_sequential_requests) {
    test_server server;
    connection_pool pool(ioc.get_executor());
    for (int i = 0; i < 3; ++i) {
        auto res = send(pool, server.url());
        ASSERT_TRUE(res) << res.error().to_string();
        EXPECT_EQ(pool.idle_connections(), 1u);
    }
    EXPECT_EQ(pool.connections_opened(), 1u);
    EXPECT_EQ(server.connections(), 1u);
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[2].connection, 0u);
    EXPECT_EQ(seen[2].index, 2u);
}

TEST_F(pool_test, chunked_response_is_read_and_connection_reused) {
    test_server server([](const seen_request&) {
        reply out;
        out.chunked = true;
        out.body = std::string(10000, 'c');
        return out;
    });
    connection_pool pool(ioc.get_executor());
    for (int i = 0; i < 2; ++i) {
        auto res = send(pool, server.url());
        ASSERT_TRUE(res) << res.error().to_string();
        EXPECT_EQ(res->body.size(), 10000u);
    }
    EXPECT_EQ(pool.connections_opened(), 1u);
}

TEST_F(pool_test, connection_close_is_not_reused) {
    test_server server([](const seen_request&) {
        reply out;
        out.keep_alive = false;
        return out;
    });
    connection_pool pool(ioc.get_executor());
    for (int i = 0; i < 2; ++i) {
        auto res = send(pool, server.url());
        ASSERT_TRUE(res) << res.error().to_string();
        EXPECT_EQ(res->header("Connection"), "close");
        EXPECT_EQ(pool.idle_connections(), 0u);
    }
    EXPECT_EQ(pool.connections_opened(), 2u);
    EXPECT_EQ(server.connections(), 2u);
}

TEST_F(pool_test, max_idle_per_host_zero_keeps_nothing) {
    test_server server;
    pool_options opts;
    opts.max_idle_per_host = 0;
    connection_pool pool(ioc.get_executor(), opts);
    ASSERT_TRUE(send(pool, server.url()));
    ASSERT_TRUE(send(pool, server.url()));
    EXPECT_EQ(pool.idle_connections(), 0u);
    EXPECT_EQ(pool.connections_opened(), 2u);
}

TEST_F(pool_test, idle_connection_closed_by_server_is_replaced) {
    // The server answers with keep-alive and then closes, as a server does when
    // its idle timeout is shorter than ours.
    test_server server([](const seen_request&) {
        reply out;
        out.close_after = true;
        return out;
    });
    connection_pool pool(ioc.get_executor());
    ASSERT_TRUE(send(pool, server.url()));
    EXPECT_EQ(pool.idle_connections(), 1u);
    ASSERT_TRUE(test_server::wait_for([&] { return server.closed_connections() == 1; }));
    auto res = send(pool, server.url());
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(pool.connections_opened(), 2u);
    EXPECT_EQ(server.connections(), 2u);
}

TEST_F(pool_test, request_read_by_the_server_and_left_unanswered_is_not_resent) {
    // The server read the second request and closed without answering: a
    // lost answer, indistinguishable from a close that crossed the request.
    // Resending it could run it twice; the error goes to the caller.
    test_server server([](const seen_request& r) {
        if (r.connection == 0 && r.index == 1) return reply::close_connection();
        return reply{};
    });
    connection_pool pool(ioc.get_executor());
    ASSERT_TRUE(send(pool, server.url()));
    request second;
    second.body = "second";
    auto res = send(pool, server.url(), second);
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "NetworkError");
    EXPECT_EQ(res.error().kind, error_kind::retryable);
    EXPECT_TRUE(mentions(res.error(), "may have been processed")) << res.error().message;
    EXPECT_TRUE(mentions(res.error(), "127.0.0.1:" + std::to_string(server.port()))) << res.error().message;
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 2u); // sent once
    EXPECT_EQ(seen[1].body, "second");
    EXPECT_EQ(pool.connections_opened(), 1u);
    // The next call opens a new connection and succeeds.
    ASSERT_TRUE(send(pool, server.url()));
    EXPECT_EQ(pool.connections_opened(), 2u);
}

TEST_F(pool_test, idle_connections_expire_after_idle_timeout) {
    test_server server;
    manual_clock clock;
    pool_options opts;
    opts.clock = &clock;
    opts.idle_timeout = std::chrono::seconds(50);
    connection_pool pool(ioc.get_executor(), opts);
    ASSERT_TRUE(send(pool, server.url()));
    clock.advance(std::chrono::seconds(49));
    ASSERT_TRUE(send(pool, server.url()));
    EXPECT_EQ(pool.connections_opened(), 1u);
    clock.advance(std::chrono::seconds(50));
    ASSERT_TRUE(send(pool, server.url()));
    EXPECT_EQ(pool.connections_opened(), 2u);
    EXPECT_EQ(pool.idle_connections(), 1u);
}

TEST_F(pool_test, close_idle_drops_idle_connections) {
    test_server server;
    connection_pool pool(ioc.get_executor());
    ASSERT_TRUE(send(pool, server.url()));
    EXPECT_EQ(pool.idle_connections(), 1u);
    pool.close_idle();
    EXPECT_EQ(pool.idle_connections(), 0u);
    EXPECT_TRUE(test_server::wait_for([&] { return server.closed_connections() == 1; }));
}

TEST_F(pool_test, read_timeout_per_call_overrides_default) {
    test_server server([](const seen_request&) { return reply::never_respond(); });
    connection_pool pool(ioc.get_executor()); // default read timeout: 10 s
    const auto start = std::chrono::steady_clock::now();
    auto res = send(pool, server.url(), get(), 200ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "ReadTimeout");
    EXPECT_EQ(res.error().kind, error_kind::retryable);
    EXPECT_TRUE(mentions(res.error(), "127.0.0.1:" + std::to_string(server.port()))) << res.error().message;
    EXPECT_GE(elapsed, 180ms);
    EXPECT_LT(elapsed, 1000ms);
    EXPECT_EQ(pool.idle_connections(), 0u);
    EXPECT_EQ(server.requests(), 1u); // a timeout is never retried by the pool
    EXPECT_TRUE(test_server::wait_for([&] { return server.closed_connections() == 1; }));
}

TEST_F(pool_test, slow_response_within_read_timeout_succeeds) {
    test_server server([](const seen_request&) {
        reply out;
        out.delay = 300ms;
        out.body = "late";
        return out;
    });
    pool_options opts;
    opts.timeouts.read = 1000ms;
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url());
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->body, "late");
}

TEST_F(pool_test, slow_response_beyond_default_read_timeout_fails) {
    test_server server([](const seen_request&) {
        reply out;
        out.delay = 600ms;
        return out;
    });
    pool_options opts;
    opts.timeouts.read = 150ms;
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url());
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "ReadTimeout");
}

TEST_F(pool_test, connection_refused_is_a_retryable_network_error) {
    unsigned short port = 0;
    {
        asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        port = probe.local_endpoint().port();
    }
    connection_pool pool(ioc.get_executor());
    auto res = send(pool, "http://127.0.0.1:" + std::to_string(port) + "/");
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "ConnectFailed");
    EXPECT_EQ(res.error().kind, error_kind::retryable);
    EXPECT_EQ(res.error().http_status, 0);
    EXPECT_TRUE(mentions(res.error(), "127.0.0.1:" + std::to_string(port))) << res.error().message;
    EXPECT_EQ(pool.connections_opened(), 0u);
}

TEST_F(pool_test, connect_timeout_when_the_server_never_accepts) {
    // With a backlog of 0 the kernel queues one connection and then drops
    // further SYNs, so a connect hangs until our deadline.
    asio::ip::tcp::acceptor full(ioc);
    full.open(asio::ip::tcp::v4());
    full.bind({asio::ip::make_address("127.0.0.1"), 0});
    full.listen(0);
    std::vector<asio::ip::tcp::socket> fillers;
    const auto target = full.local_endpoint();
    for (int i = 0; i < 4; ++i) {
        auto& s = fillers.emplace_back(ioc);
        s.open(asio::ip::tcp::v4());
        s.non_blocking(true);
        // Raw connect: asio's synchronous connect would wait for completion.
        (void)::connect(s.native_handle(), target.data(), static_cast<socklen_t>(target.size()));
    }
    pool_options opts;
    opts.timeouts.connect = 200ms;
    connection_pool pool(ioc.get_executor(), opts);
    const auto start = std::chrono::steady_clock::now();
    auto res = send(pool, "http://127.0.0.1:" + std::to_string(full.local_endpoint().port()) + "/");
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "ConnectTimeout") << res.error().message;
    EXPECT_EQ(res.error().kind, error_kind::retryable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
}

TEST_F(pool_test, body_over_the_limit_is_refused) {
    test_server server([](const seen_request&) {
        reply out;
        out.body = std::string(4096, 'x');
        return out;
    });
    pool_options opts;
    opts.max_body_bytes = 1024;
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url());
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "ResponseTooLarge");
    EXPECT_EQ(res.error().kind, error_kind::fatal);
    EXPECT_TRUE(mentions(res.error(), "1024")) << res.error().message;
    EXPECT_TRUE(mentions(res.error(), "127.0.0.1:" + std::to_string(server.port())));
    EXPECT_EQ(pool.idle_connections(), 0u);
}

TEST_F(pool_test, chunked_body_over_the_limit_is_refused) {
    test_server server([](const seen_request&) {
        reply out;
        out.chunked = true;
        out.body = std::string(4096, 'x');
        return out;
    });
    pool_options opts;
    opts.max_body_bytes = 1024;
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url());
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "ResponseTooLarge");
}

TEST_F(pool_test, body_at_the_limit_is_accepted) {
    test_server server([](const seen_request&) {
        reply out;
        out.body = std::string(1024, 'x');
        return out;
    });
    pool_options opts;
    opts.max_body_bytes = 1024;
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url());
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->body.size(), 1024u);
}

TEST_F(pool_test, malformed_request_is_rejected_before_connecting) {
    test_server server;
    connection_pool pool(ioc.get_executor());
    request injected = get();
    injected.headers = {{"X-Amz-Date", "20240101\r\nX-Evil: 1"}};
    auto res = send(pool, server.url(), injected);
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().kind, error_kind::validation);
    EXPECT_TRUE(mentions(res.error(), "X-Amz-Date"));

    request wrong_length;
    wrong_length.body = "abc";
    wrong_length.headers = {{"Content-Length", "10"}};
    auto res2 = send(pool, server.url(), wrong_length);
    ASSERT_FALSE(res2);
    EXPECT_EQ(res2.error().kind, error_kind::validation);
    EXPECT_EQ(pool.connections_opened(), 0u);
    EXPECT_EQ(server.connections(), 0u);
}

TEST_F(pool_test, cancellation_stops_a_pending_call_and_closes_its_connection) {
    test_server server([](const seen_request&) { return reply::never_respond(); });
    connection_pool pool(ioc.get_executor());
    asio::cancellation_signal stop;
    auto out = std::make_shared<std::optional<result<response>>>();
    asio::co_spawn(
        ioc,
        [&pool, out, ep = parse(server.url())]() -> asio::awaitable<void> {
            out->emplace(co_await pool.send(ep, get(), 10s));
        },
        asio::bind_cancellation_slot(stop.slot(), asio::detached));
    asio::steady_timer timer(ioc, 100ms);
    timer.async_wait([&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
    const auto start = std::chrono::steady_clock::now();
    run_until([&] { return out->has_value(); });
    ASSERT_TRUE(out->has_value());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 600ms);
    ASSERT_FALSE(**out);
    EXPECT_EQ((**out).error().code, "Cancelled");
    EXPECT_EQ(pool.idle_connections(), 0u);
    EXPECT_EQ(server.requests(), 1u);
    EXPECT_TRUE(test_server::wait_for([&] { return server.closed_connections() == 1; }));
}

TEST_F(pool_test, concurrent_sends_from_several_threads) {
    test_server server([](const seen_request& r) {
        reply out;
        out.body = r.body;
        out.delay = 2ms; // keeps calls overlapping
        return out;
    });
    connection_pool pool(ioc.get_executor());
    constexpr int callers = 8;
    constexpr int per_caller = 5;
    std::atomic<int> ok{0};
    std::atomic<int> finished{0};
    const auto ep = parse(server.url());
    for (int c = 0; c < callers; ++c) {
        asio::co_spawn(
            ioc,
            [&, c]() -> asio::awaitable<void> {
                for (int i = 0; i < per_caller; ++i) {
                    request req;
                    req.body = std::to_string(c) + "-" + std::to_string(i);
                    auto res = co_await pool.send(ep, req);
                    if (res && res->status == 200 && res->body == req.body) ++ok;
                }
                if (++finished == callers) ioc.stop();
            },
            asio::detached);
    }
    auto guard = asio::make_work_guard(ioc);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] { ioc.run_for(1500ms); });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(finished.load(), callers);
    EXPECT_EQ(ok.load(), callers * per_caller);
    EXPECT_EQ(server.requests(), static_cast<std::size_t>(callers * per_caller));
    EXPECT_LE(pool.connections_opened(), static_cast<std::uint64_t>(callers));
    EXPECT_EQ(pool.idle_connections(), pool.connections_opened());
    EXPECT_LT(pool.connections_opened(), static_cast<std::uint64_t>(callers * per_caller)); // reuse happened
}

TEST(pool_options, unreadable_ca_file_throws_at_start_up) {
    asio::io_context ioc;
    pool_options opts;
    opts.ca_file = "/nonexistent/swfrt-ca.pem";
    try {
        connection_pool pool(ioc.get_executor(), opts);
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/swfrt-ca.pem"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace swfrt::swf::http::testing
