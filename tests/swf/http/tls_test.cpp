#include "swf/http/pool.hpp"
#include "tests/swf/http/test_server.hpp"

#include <gtest/gtest.h>

namespace swfrt::swf::http::testing {
namespace {

using namespace std::chrono_literals;

class tls_test : public pool_fixture {
protected:
    static test_ca& ca() {
        // One CA for the whole binary keeps key generation out of each test.
        static test_ca instance;
        return instance;
    }
};

TEST_F(tls_test, verified_server_answers_and_connection_is_reused) {
    test_server server({}, server_options::with_tls(ca().server_context("localhost")));
    pool_options opts;
    opts.ca_file = ca().ca_file();
    connection_pool pool(ioc.get_executor(), opts);
    for (int i = 0; i < 3; ++i) {
        auto res = send(pool, server.url("localhost"));
        ASSERT_TRUE(res) << res.error().to_string();
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->body, "ok");
    }
    EXPECT_EQ(pool.connections_opened(), 1u);
    EXPECT_EQ(server.connections(), 1u);
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].header("Host"), "localhost:" + std::to_string(server.port()));
}

TEST_F(tls_test, idle_tls_connection_closed_by_the_server_is_replaced_before_the_request) {
    // The server answers with keep-alive and then closes. The pool must see
    // that before writing a request into it, since a request written there
    // could not be sent again. (This server closes without a close_notify;
    // one left unread is treated the same, as any byte on an idle connection.)
    test_server server(
        [](const seen_request&) {
            reply out;
            out.close_after = true;
            return out;
        },
        server_options::with_tls(ca().server_context("localhost")));
    pool_options opts;
    opts.ca_file = ca().ca_file();
    connection_pool pool(ioc.get_executor(), opts);
    ASSERT_TRUE(send(pool, server.url("localhost")));
    ASSERT_TRUE(test_server::wait_for([&] { return server.closed_connections() == 1; }));
    auto res = send(pool, server.url("localhost"));
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(pool.connections_opened(), 2u);
    EXPECT_EQ(server.requests(), 2u);
}

TEST_F(tls_test, unknown_issuer_fails_verification) {
    test_server server({}, server_options::with_tls(ca().server_context("localhost")));
    connection_pool pool(ioc.get_executor()); // system store only
    auto res = send(pool, server.url("localhost"));
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "TlsVerificationFailed");
    EXPECT_EQ(res.error().kind, error_kind::fatal);
    EXPECT_TRUE(mentions(res.error(), "localhost:" + std::to_string(server.port()))) << res.error().message;
    EXPECT_TRUE(mentions(res.error(), "issuer")) << res.error().message;
    EXPECT_EQ(server.requests(), 0u);
    EXPECT_EQ(pool.idle_connections(), 0u);
}

TEST_F(tls_test, certificate_for_another_host_fails_verification) {
    test_server server({}, server_options::with_tls(ca().server_context("other.example.com")));
    pool_options opts;
    opts.ca_file = ca().ca_file();
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url("localhost"));
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "TlsVerificationFailed");
    EXPECT_EQ(res.error().kind, error_kind::fatal);
    EXPECT_TRUE(mentions(res.error(), "host 'localhost'")) << res.error().message;
    EXPECT_TRUE(mentions(res.error(), "hostname mismatch")) << res.error().message;
    EXPECT_EQ(server.requests(), 0u);
}

TEST_F(tls_test, ip_address_is_checked_against_the_certificate) {
    // The certificate names only "localhost"; reaching it by address must fail.
    test_server server({}, server_options::with_tls(ca().server_context("localhost")));
    pool_options opts;
    opts.ca_file = ca().ca_file();
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url("127.0.0.1"));
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "TlsVerificationFailed");
    EXPECT_TRUE(mentions(res.error(), "127.0.0.1")) << res.error().message;
}

TEST_F(tls_test, handshake_timeout_when_the_server_never_speaks_tls) {
    server_options silent;
    silent.silent = true;
    test_server server({}, silent);
    pool_options opts;
    opts.ca_file = ca().ca_file();
    opts.timeouts.tls_handshake = 200ms;
    connection_pool pool(ioc.get_executor(), opts);
    const auto start = std::chrono::steady_clock::now();
    auto res = send(pool, "https://localhost:" + std::to_string(server.port()) + "/");
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "TlsHandshakeTimeout") << res.error().message;
    EXPECT_EQ(res.error().kind, error_kind::retryable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
}

TEST_F(tls_test, read_timeout_over_tls) {
    test_server server([](const seen_request&) { return reply::never_respond(); },
                       server_options::with_tls(ca().server_context("localhost")));
    pool_options opts;
    opts.ca_file = ca().ca_file();
    connection_pool pool(ioc.get_executor(), opts);
    auto res = send(pool, server.url("localhost"), get(), 200ms);
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "ReadTimeout") << res.error().message;
}

TEST_F(tls_test, request_read_and_left_unanswered_over_tls_is_not_resent) {
    // The server read the request and closed: the answer is lost, the
    // request may have run, so the pool returns the error instead of
    // sending it again.
    test_server server(
        [](const seen_request& r) {
            if (r.connection == 0 && r.index == 1) return reply::close_connection();
            return reply{};
        },
        server_options::with_tls(ca().server_context("localhost")));
    pool_options opts;
    opts.ca_file = ca().ca_file();
    connection_pool pool(ioc.get_executor(), opts);
    ASSERT_TRUE(send(pool, server.url("localhost")));
    auto res = send(pool, server.url("localhost"));
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "NetworkError") << res.error().message;
    EXPECT_NE(res.error().message.find("may have been processed"), std::string::npos) << res.error().message;
    EXPECT_EQ(server.requests(), 2u);
    ASSERT_TRUE(send(pool, server.url("localhost")));
    EXPECT_EQ(pool.connections_opened(), 2u);
}

} // namespace
} // namespace swfrt::swf::http::testing
