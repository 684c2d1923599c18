// Loopback HTTP/1.1 server for client tests, plain or TLS, on 127.0.0.1 port 0
// with its own io_context thread. Each request is answered as the test's
// script says: normally, with or without keep-alive, by closing, by never
// answering, slowly. Also a throwaway CA that issues server certificates and
// a gtest fixture that drives connection_pool::send with a time bound.
#pragma once

#include "swf/http/pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace swfrt::swf::http::testing {

struct seen_request {
    std::size_t connection = 0;   // 0-based, in accept order
    std::size_t index = 0;        // 0-based position on its connection
    std::size_t global_index = 0; // 0-based over the whole server
    std::string method;
    std::string target;
    std::string body;
    header_list headers;

    std::string header(std::string_view name) const {
        response r;
        r.headers = headers;
        return std::string(r.header(name));
    }
};

struct reply {
    enum class kind {
        respond,
        close, // close the connection without answering
        hang,  // keep the connection open and never answer
    };
    kind action = kind::respond;
    unsigned status = 200;
    std::string body = "ok";
    bool keep_alive = true;   // sets Connection: close when false
    bool close_after = false; // answer with keep-alive, then close anyway
    bool chunked = false;     // Transfer-Encoding: chunked instead of Content-Length
    std::chrono::milliseconds delay{0};
    header_list headers;

    static reply close_connection() {
        reply r;
        r.action = kind::close;
        return r;
    }
    static reply never_respond() {
        reply r;
        r.action = kind::hang;
        return r;
    }
};

using script = std::function<reply(const seen_request&)>;

struct server_options {
    std::shared_ptr<boost::asio::ssl::context> tls; // TLS server when set
    bool silent = false;                            // accept, then never read or write

    static server_options with_tls(std::shared_ptr<boost::asio::ssl::context> ctx) {
        server_options o;
        o.tls = std::move(ctx);
        return o;
    }
};

class test_server {
public:
    explicit test_server(script handler = {}, server_options options = {})
        : handler_(std::move(handler)), options_(std::move(options)) {
        namespace asio = boost::asio;
        acceptor_.open(asio::ip::tcp::v4());
        acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(ioc_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~test_server() {
        ioc_.stop();
        thread_.join();
    }

    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    unsigned short port() const { return port_; }
    std::string url(std::string_view host = "127.0.0.1") const {
        return std::string(options_.tls ? "https://" : "http://") + std::string(host) + ":" +
               std::to_string(port_);
    }
    std::size_t connections() const { return accepted_.load(); }
    std::size_t closed_connections() const { return closed_.load(); }
    std::size_t requests() const {
        std::lock_guard lock(mutex_);
        return seen_.size();
    }
    std::vector<seen_request> seen() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }

    // Polls (bounded) until pred holds; the server runs on its own thread.
    template <class Pred>
    static bool wait_for(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(1000)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!pred()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return true;
    }

private:
    using tcp = boost::asio::ip::tcp;

    boost::asio::awaitable<void> accept_loop() {
        namespace asio = boost::asio;
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            const std::size_t id = accepted_.fetch_add(1);
            asio::co_spawn(ioc_, session(std::move(socket), id), asio::detached);
        }
    }

    boost::asio::awaitable<void> session(tcp::socket socket, std::size_t id) {
        namespace asio = boost::asio;
        struct count_close {
            std::atomic<std::size_t>& n;
            ~count_close() { ++n; }
        } guard{closed_};
        if (options_.silent) {
            // Swallows whatever arrives; ends only when the client goes away.
            char sink[512];
            for (;;) {
                auto [ec, n] =
                    co_await socket.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
                if (ec) co_return;
            }
        }
        if (options_.tls) {
            asio::ssl::stream<tcp::socket> stream(std::move(socket), *options_.tls);
            auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                        asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            co_await serve(stream, stream.next_layer(), id);
        } else {
            co_await serve(socket, socket, id);
        }
    }

    template <class Stream>
    boost::asio::awaitable<void> serve(Stream& stream, tcp::socket& socket, std::size_t id) {
        namespace asio = boost::asio;
        namespace bhttp = boost::beast::http;
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        boost::beast::flat_buffer buffer;
        for (std::size_t index = 0;; ++index) {
            bhttp::request<bhttp::string_body> req;
            auto [rec, n] = co_await bhttp::async_read(stream, buffer, req, tuple);
            if (rec) co_return;
            seen_request seen{
                id, index, 0, std::string(req.method_string()), std::string(req.target()), req.body(), {}};
            for (const auto& f : req)
                seen.headers.emplace_back(f.name_string(), f.value());
            {
                std::lock_guard lock(mutex_);
                seen.global_index = seen_.size();
                seen_.push_back(seen);
            }
            const reply r = handler_ ? handler_(seen) : reply{};
            if (r.action == reply::kind::close) {
                boost::system::error_code ignored;
                socket.shutdown(tcp::socket::shutdown_both, ignored);
                socket.close(ignored);
                co_return;
            }
            asio::steady_timer timer(socket.get_executor());
            if (r.action == reply::kind::hang) {
                // Waits until the client closes or the server stops.
                char sink[512];
                for (;;) {
                    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), tuple);
                    if (ec) co_return;
                }
            }
            if (r.delay.count() > 0) {
                timer.expires_after(r.delay);
                co_await timer.async_wait(tuple);
            }
            bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), 11};
            for (const auto& [name, value] : r.headers)
                res.insert(name, value);
            res.body() = r.body;
            res.keep_alive(r.keep_alive);
            if (r.chunked) {
                res.chunked(true);
            } else {
                res.prepare_payload();
            }
            auto [wec, written] = co_await bhttp::async_write(stream, res, tuple);
            if (wec || !r.keep_alive || r.close_after) {
                boost::system::error_code ignored;
                socket.shutdown(tcp::socket::shutdown_both, ignored);
                socket.close(ignored);
                co_return;
            }
        }
    }

    script handler_;
    server_options options_;
    boost::asio::io_context ioc_;
    tcp::acceptor acceptor_{ioc_};
    unsigned short port_ = 0;
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> closed_{0};
    mutable std::mutex mutex_;
    std::vector<seen_request> seen_;
    std::thread thread_;
};

// A CA made at test time, in memory, plus its PEM in a temp file for
// pool_options::ca_file. Leaf certificates are issued per host name.
class test_ca {
public:
    test_ca()
        : key_(make_key()), cert_(make_cert(key_.get(), key_.get(), nullptr, "swf-runtime test CA", {})) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("swfrt-test-ca-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".pem");
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_X509(bio.get(), cert_.get());
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio.get(), &data);
        std::ofstream(path_, std::ios::binary).write(data, size);
    }
    ~test_ca() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    test_ca(const test_ca&) = delete;
    test_ca& operator=(const test_ca&) = delete;

    std::string ca_file() const { return path_.string(); }

    // Server context presenting a certificate for dns_name signed by this CA.
    std::shared_ptr<boost::asio::ssl::context> server_context(const std::string& dns_name) const {
        auto leaf_key = make_key();
        auto leaf = make_cert(leaf_key.get(), key_.get(), cert_.get(), dns_name, dns_name);
        auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
        if (SSL_CTX_use_certificate(ctx->native_handle(), leaf.get()) != 1 ||
            SSL_CTX_use_PrivateKey(ctx->native_handle(), leaf_key.get()) != 1) {
            throw std::runtime_error("cannot load the test server certificate");
        }
        return ctx;
    }

private:
    using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
    using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

    static key_ptr make_key() {
        key_ptr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
        if (!key) throw std::runtime_error("EC key generation failed");
        return key;
    }

    static void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        if (ext == nullptr) throw std::runtime_error("bad certificate extension " + value);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }

    // issuer_cert == nullptr makes a self-signed CA; otherwise a leaf for san.
    static cert_ptr make_cert(EVP_PKEY* key, EVP_PKEY* issuer_key, X509* issuer_cert, const std::string& cn,
                              std::optional<std::string> san) {
        static std::atomic<long> serial{1};
        cert_ptr cert(X509_new(), X509_free);
        X509_set_version(cert.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
        X509_set_pubkey(cert.get(), key);
        X509_NAME* name = X509_get_subject_name(cert.get());
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
        X509* issuer = issuer_cert != nullptr ? issuer_cert : cert.get();
        X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
        if (issuer_cert == nullptr) {
            add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
            add_ext(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
            add_ext(cert.get(), issuer, NID_subject_key_identifier, "hash");
        } else {
            add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
            add_ext(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
            add_ext(cert.get(), issuer, NID_ext_key_usage, "serverAuth");
            add_ext(cert.get(), issuer, NID_subject_alt_name, "DNS:" + *san);
            add_ext(cert.get(), issuer, NID_authority_key_identifier, "keyid");
        }
        if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0)
            throw std::runtime_error("X509_sign failed");
        return cert;
    }

    key_ptr key_;
    cert_ptr cert_;
    std::filesystem::path path_;
};

// Runs one send at a time on a private io_context with a hard bound, so no
// test can hang.
class pool_fixture : public ::testing::Test {
protected:
    using ms = std::chrono::milliseconds;

    static endpoint parse(const std::string& url) {
        auto ep = endpoint::parse(url);
        if (!ep) throw std::runtime_error(ep.error().to_string());
        return *ep;
    }

    static request get(std::string target = "/") {
        request r;
        r.method = "GET";
        r.target = std::move(target);
        return r;
    }

    template <class Pred> void run_until(Pred done, ms limit = ms(1500)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            if (ioc.stopped()) ioc.restart();
            ioc.run_one_for(ms(10));
        }
    }

    result<response> send(connection_pool& pool, const std::string& url, request req = get(),
                          std::optional<ms> read_timeout = {}) {
        auto out = std::make_shared<std::optional<result<response>>>();
        boost::asio::co_spawn(
            ioc,
            [&pool, out, ep = parse(url), req = std::move(req),
             read_timeout]() mutable -> boost::asio::awaitable<void> {
                out->emplace(co_await pool.send(ep, std::move(req), read_timeout));
            },
            boost::asio::detached);
        run_until([&] { return out->has_value(); });
        if (!out->has_value()) return make_error(error_kind::fatal, "TestTimeout", "no answer within 1.5 s");
        return std::move(**out);
    }

    static bool mentions(const error& e, const std::string& text) {
        return e.message.find(text) != std::string::npos;
    }

    boost::asio::io_context ioc;
};

} // namespace swfrt::swf::http::testing
