#include "swf/http/pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <variant>
#include <vector>

#ifndef SWFRT_VERSION
#define SWFRT_VERSION "0.1.0"
#endif

namespace swfrt::swf::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using ssl_stream = asio::ssl::stream<beast::tcp_stream>;
using wire_request = bhttp::request<bhttp::string_body>;

std::string_view default_user_agent() noexcept {
    return "swf-runtime/" SWFRT_VERSION;
}

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// AWS answers carry a handful of short headers; this only stops a broken peer.
constexpr std::uint32_t header_limit_bytes = 64 * 1024;

bool cancelled(const asio::cancellation_state& cs) {
    return cs.cancelled() != asio::cancellation_type::none;
}

bool is_ip_literal(const std::string& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// One HTTP/1.1 connection. Each connection owns a strand and every operation
// on it (and Beast's timeout timers) runs there, so the io_context may run on
// several threads without the stream ever being touched concurrently.
struct connection {
    connection(asio::any_io_executor strand, std::string key)
        : stream(std::in_place_type<beast::tcp_stream>, strand), key(std::move(key)) {}
    connection(asio::any_io_executor strand, asio::ssl::context& ctx, std::string key)
        : stream(std::in_place_type<ssl_stream>, strand, ctx), key(std::move(key)) {}

    beast::tcp_stream& tcp() {
        if (auto* s = std::get_if<ssl_stream>(&stream)) return s->next_layer();
        return std::get<beast::tcp_stream>(stream);
    }
    bool tls() const { return std::holds_alternative<ssl_stream>(stream); }
    asio::any_io_executor executor() { return tcp().get_executor(); }

    // A peer that closed an idle connection has left a FIN (or RST) in the
    // socket; peeking finds it without consuming anything. Any byte waiting
    // on an idle connection counts too: for plain HTTP the stream is out of
    // step, and over TLS it is most likely the close_notify that comes before
    // the FIN. Since a request written into such a connection may not be
    // resent (the pool cannot tell it from a lost answer), a new connection
    // is the cheaper guess.
    bool looks_alive() {
        char byte = 0;
        const auto n = ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0) return false;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
        return false;
    }

    std::variant<beast::tcp_stream, ssl_stream> stream;
    std::string key;
    swf::clock::time_point idle_since{};
    bool connected = false;
};

// Asio's resolver runs getaddrinfo on a private thread and its cancel() only
// stops lookups that have not started, so a slow DNS server would hold a
// cancelled or timed-out call. This completes the caller at once on
// cancellation or deadline and lets the lookup finish in the background.
// Every callback runs on the connection's strand, so the state needs no lock.
template <class Handler> struct resolve_state {
    resolve_state(asio::any_io_executor ex, Handler h)
        : resolver(ex), timer(ex), executor(ex), handler(std::move(h)) {}

    void finish(error_code ec, tcp::resolver::results_type results) {
        if (!handler) return;
        if (slot.is_connected()) slot.clear();
        timer.cancel();
        resolver.cancel();
        auto h = std::move(*handler);
        handler.reset();
        std::move(h)(ec, std::move(results));
    }

    tcp::resolver resolver;
    asio::steady_timer timer;
    asio::any_io_executor executor;
    std::optional<Handler> handler;
    asio::cancellation_slot slot;
};

template <class Token>
auto async_resolve_bounded(asio::any_io_executor strand, std::string host, std::string port,
                           std::chrono::steady_clock::time_point deadline, Token&& token) {
    return asio::async_initiate<Token, void(error_code, tcp::resolver::results_type)>(
        [](auto handler, asio::any_io_executor strand, std::string host, std::string port,
           std::chrono::steady_clock::time_point deadline) {
            using handler_type = decltype(handler);
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto st = std::make_shared<resolve_state<handler_type>>(strand, std::move(handler));
            if (slot.is_connected()) {
                st->slot = slot;
                // The slot's handler must not clear its own slot while it runs,
                // so the completion is posted rather than called from here.
                slot.assign([weak = std::weak_ptr(st)](asio::cancellation_type) {
                    if (auto s = weak.lock()) {
                        asio::post(s->executor, [s] { s->finish(asio::error::operation_aborted, {}); });
                    }
                });
            }
            st->timer.expires_at(deadline);
            st->timer.async_wait(asio::bind_executor(strand, [st](error_code ec) {
                if (!ec) st->finish(asio::error::timed_out, {});
            }));
            st->resolver.async_resolve(
                host, port,
                asio::bind_executor(strand, [st](error_code ec, tcp::resolver::results_type results) {
                    st->finish(ec, std::move(results));
                }));
        },
        token, std::move(strand), std::move(host), std::move(port), deadline);
}

enum class phase { resolve, connect, handshake, write, read };

bool peer_closed(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::error::not_connected ||
           ec == asio::ssl::error::stream_truncated || ec == bhttp::error::end_of_stream;
}

struct exchange_outcome {
    std::optional<result<response>> res; // optional only because co_spawn needs a default value
    // The attempt failed in a way that proves the server never processed the
    // request (see send()).
    bool peer_closed_before_response = false;
};

result<wire_request> build_message(const endpoint& ep, request& req) {
    const auto bad = [&](std::string why) {
        return make_error(error_kind::validation, "InvalidRequest",
                          "request to " + ep.authority() + " rejected: " + std::move(why));
    };
    const auto is_tchar = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    };
    const auto has_ctl = [](std::string_view s, bool allow_space) {
        for (char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f || (!allow_space && (c == ' ' || c == '\t')))
                return true;
        }
        return false;
    };
    if (req.method.empty() || !std::all_of(req.method.begin(), req.method.end(), is_tchar)) {
        return bad("invalid method '" + req.method + "'");
    }
    if (req.target.empty() || has_ctl(req.target, false)) return bad("invalid target '" + req.target + "'");

    wire_request m;
    m.version(11);
    m.method_string(req.method);
    m.target(req.target);
    bool has_host = false, has_agent = false, has_length = false;
    for (auto& [name, value] : req.headers) {
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar)) {
            return bad("invalid header name '" + name + "'");
        }
        // CR or LF in a value would let it inject headers of its own.
        if (has_ctl(value, true)) return bad("control character in the value of header '" + name + "'");
        const auto f = bhttp::string_to_field(name);
        if (f == bhttp::field::transfer_encoding) return bad("Transfer-Encoding is not supported");
        if (f == bhttp::field::content_length) {
            has_length = true;
            if (value != std::to_string(req.body.size())) {
                return bad("Content-Length " + value + " does not match the body size " +
                           std::to_string(req.body.size()));
            }
        }
        has_host = has_host || f == bhttp::field::host;
        has_agent = has_agent || f == bhttp::field::user_agent;
        m.insert(name, value);
    }
    if (!has_host) m.set(bhttp::field::host, ep.host_header());
    if (!has_agent) m.set(bhttp::field::user_agent, default_user_agent());
    // RFC 9110 8.6: no Content-Length on a GET or HEAD without content.
    if (!has_length && (!req.body.empty() || (req.method != "GET" && req.method != "HEAD"))) {
        m.set(bhttp::field::content_length, std::to_string(req.body.size()));
    }
    m.body() = std::move(req.body);
    return m;
}

} // namespace

namespace detail {

struct pool_state {
    pool_state(asio::any_io_executor ex, pool_options o) : executor(std::move(ex)), options(std::move(o)) {
        if (options.clock == nullptr) options.clock = &swf::system_clock::instance();
        // A configured CA bundle means TLS is wanted: check it now, at start-up.
        if (!options.ca_file.empty() && tls() == nullptr) throw std::runtime_error(tls_setup_error);
    }

    // Loading the system CA store costs tens of milliseconds, so a pool that
    // only talks plain HTTP (the metadata endpoints) never pays for it.
    asio::ssl::context* tls() {
        std::call_once(tls_once, [this] {
            auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
            ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
            // AWS endpoints require TLS 1.2 or later.
            SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
            error_code ec;
            ctx->set_default_verify_paths(ec);
            if (ec) {
                tls_setup_error = "cannot load the system CA store: " + ec.message();
                return;
            }
            if (!options.ca_file.empty()) {
                ctx->load_verify_file(options.ca_file, ec);
                if (ec) {
                    tls_setup_error = "cannot load CA bundle '" + options.ca_file +
                                      "' (pool_options::ca_file): " + ec.message();
                    return;
                }
            }
            ctx->set_verify_mode(asio::ssl::verify_peer);
            tls_context = std::move(ctx);
        });
        return tls_context.get();
    }

    bool expired(const connection& c, swf::clock::time_point now) const {
        return now - c.idle_since >= options.idle_timeout;
    }

    // Newest first: the most recently used connection is the least likely to
    // have been closed by the server.
    std::unique_ptr<connection> take_idle(const std::string& key) {
        for (;;) {
            std::vector<std::unique_ptr<connection>> dead;
            std::unique_ptr<connection> found;
            {
                const auto now = options.clock->now();
                std::lock_guard lock(mutex);
                auto it = idle.find(key);
                if (it == idle.end()) return nullptr;
                auto& list = it->second;
                auto newest = std::move(list.back());
                list.pop_back();
                --idle_count;
                if (expired(*newest, now)) {
                    // Older entries sit in front of it: all expired too.
                    dead.push_back(std::move(newest));
                    for (auto& older : list)
                        dead.push_back(std::move(older));
                    idle_count -= list.size();
                    list.clear();
                } else {
                    found = std::move(newest);
                }
                if (list.empty()) idle.erase(it);
            }
            // Sockets close outside the lock.
            dead.clear();
            if (!found) return nullptr;
            if (found->looks_alive()) return found;
        }
    }

    void give_back(std::unique_ptr<connection> c) {
        const auto now = options.clock->now();
        c->idle_since = now;
        std::vector<std::unique_ptr<connection>> dead;
        {
            std::lock_guard lock(mutex);
            auto& list = idle[c->key];
            std::size_t stale = 0;
            while (stale < list.size() && expired(*list[stale], now))
                ++stale;
            for (std::size_t i = 0; i < stale; ++i)
                dead.push_back(std::move(list[i]));
            list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(stale));
            idle_count -= stale;
            if (list.size() < options.max_idle_per_host) {
                list.push_back(std::move(c));
                ++idle_count;
            } else {
                dead.push_back(std::move(c));
            }
            if (list.empty()) idle.erase(dead.back()->key);
        }
    }

    result<std::unique_ptr<connection>> make_connection(const endpoint& ep, std::string key) {
        auto strand = asio::make_strand(executor);
        if (!ep.tls) return std::make_unique<connection>(strand, std::move(key));
        auto* ctx = tls();
        if (ctx == nullptr) {
            return make_error(error_kind::fatal, "TlsConfigurationError",
                              "cannot connect to " + ep.authority() + ": " + tls_setup_error);
        }
        return std::make_unique<connection>(strand, *ctx, std::move(key));
    }

    asio::any_io_executor executor;
    pool_options options;
    // Declared before `idle`: idle connections refer to the context.
    std::once_flag tls_once;
    std::unique_ptr<asio::ssl::context> tls_context;
    std::string tls_setup_error;
    std::atomic<std::uint64_t> opened{0};

    // The idle list is guarded by a mutex rather than a strand: each critical
    // section is a few pointer moves with no suspension, idle_connections()
    // stays synchronous, and a strand would add two executor hops to every
    // request on the hot path for no gain.
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::vector<std::unique_ptr<connection>>> idle;
    std::size_t idle_count = 0;
};

} // namespace detail

struct connection_pool::impl : detail::pool_state {
    using pool_state::pool_state;
};

namespace {

using pool_impl = detail::pool_state;

error make_net_error(const endpoint& ep, phase p, const error_code& ec) {
    const std::string where = ep.authority();
    if (ec == beast::error::timeout || ec == asio::error::timed_out) {
        switch (p) {
        case phase::resolve:
        case phase::connect:
            return make_error(error_kind::retryable, "ConnectTimeout",
                              "connecting to " + where + " timed out");
        case phase::handshake:
            return make_error(error_kind::retryable, "TlsHandshakeTimeout",
                              "TLS handshake with " + where + " timed out");
        case phase::write:
            return make_error(error_kind::retryable, "WriteTimeout",
                              "sending the request to " + where + " timed out");
        case phase::read:
            return make_error(error_kind::retryable, "ReadTimeout",
                              "waiting for the response from " + where + " timed out");
        }
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        return make_error(error_kind::retryable, "InvalidResponse",
                          "malformed HTTP response from " + where + ": " + ec.message());
    }
    if (p == phase::resolve || p == phase::connect) {
        // Nothing was sent: callers may retry without wondering whether it took effect.
        return make_error(error_kind::retryable, "ConnectFailed",
                          (p == phase::resolve ? "resolving " : "connecting to ") + where + " failed: " + ec.message());
    }
    std::string what;
    switch (p) {
    case phase::resolve: what = "resolving "; break;
    case phase::connect: what = "connecting to "; break;
    case phase::handshake: what = "TLS handshake with "; break;
    case phase::write: what = "sending the request to "; break;
    case phase::read: what = "reading the response from "; break;
    }
    return make_error(error_kind::retryable, "NetworkError", what + where + " failed: " + ec.message());
}

error cancelled_error(const endpoint& ep) {
    return make_error(error_kind::fatal, "Cancelled", "request to " + ep.authority() + " was cancelled");
}

template <class Stream>
asio::awaitable<exchange_outcome> talk(Stream& stream, beast::tcp_stream& tcp, const pool_impl& self,
                                       const endpoint& ep, const wire_request& msg,
                                       std::chrono::milliseconds read_timeout, bool reused, bool& keep) {
    auto cs = co_await asio::this_coro::cancellation_state;
    if (cancelled(cs)) co_return exchange_outcome{cancelled_error(ep)};

    tcp.expires_after(self.options.timeouts.write);
    auto [wec, written] = co_await bhttp::async_write(stream, msg, use_tuple);
    if (wec) {
        tcp.expires_never();
        if (cancelled(cs)) co_return exchange_outcome{cancelled_error(ep)};
        // Only a write that put no byte on the wire proves the server never
        // saw the request.
        co_return exchange_outcome{make_net_error(ep, phase::write, wec), reused && written == 0 && peer_closed(wec)};
    }
    if (cancelled(cs)) co_return exchange_outcome{cancelled_error(ep)};

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(static_cast<std::uint64_t>(self.options.max_body_bytes));
    parser.header_limit(header_limit_bytes);
    if (msg.method() == bhttp::verb::head) parser.skip(true);

    tcp.expires_after(read_timeout);
    auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    (void)read;
    tcp.expires_never();
    if (rec) {
        if (cancelled(cs)) co_return exchange_outcome{cancelled_error(ep)};
        if (rec == bhttp::error::body_limit) {
            co_return exchange_outcome{make_error(
                error_kind::fatal, "ResponseTooLarge",
                "response body from " + ep.authority() + " exceeds the limit of " +
                    std::to_string(self.options.max_body_bytes) + " bytes (pool_options::max_body_bytes)")};
        }
        if (rec == bhttp::error::header_limit) {
            co_return exchange_outcome{make_error(error_kind::fatal, "ResponseTooLarge",
                                                  "response header from " + ep.authority() + " exceeds " +
                                                      std::to_string(header_limit_bytes) + " bytes")};
        }
        // The request was written: the server may have run it and lost only
        // its answer, which looks exactly like a close that crossed the
        // request. Never resend it here; the caller judges by effect.
        auto e = make_net_error(ep, phase::read, rec);
        if (e.code == "NetworkError") e.message += " after the request was sent (it may have been processed)";
        co_return exchange_outcome{std::move(e), false};
    }

    auto& m = parser.get();
    response out;
    out.status = static_cast<int>(m.result_int());
    for (const auto& f : m)
        out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(m.body());
    // A body delimited by EOF, or bytes past the end of the response, leave
    // nothing reusable.
    keep = m.keep_alive() && !parser.need_eof() && buffer.size() == 0;
    co_return exchange_outcome{std::move(out)};
}

asio::awaitable<result<void>> establish(pool_impl& self, connection& conn, const endpoint& ep) {
    auto cs = co_await asio::this_coro::cancellation_state;
    auto& tcp = conn.tcp();
    const auto deadline = std::chrono::steady_clock::now() + self.options.timeouts.connect;

    auto [rec, endpoints] =
        co_await async_resolve_bounded(conn.executor(), ep.host, ep.port, deadline, use_tuple);
    if (cancelled(cs)) co_return cancelled_error(ep);
    if (rec) co_return make_net_error(ep, phase::resolve, rec);

    tcp.expires_at(deadline);
    auto [cec, peer] = co_await tcp.async_connect(endpoints, use_tuple);
    (void)peer;
    tcp.expires_never();
    if (cancelled(cs)) co_return cancelled_error(ep);
    if (cec) co_return make_net_error(ep, phase::connect, cec);
    self.opened.fetch_add(1, std::memory_order_relaxed);
    error_code ignored;
    // Header and body go out in one write, but Nagle would still hold the tail
    // of a large request behind the server's delayed ACK.
    tcp.socket().set_option(tcp::no_delay(true), ignored);

    if (auto* tls = std::get_if<ssl_stream>(&conn.stream)) {
        SSL* ssl = tls->native_handle();
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        if (is_ip_literal(ep.host)) {
            // RFC 6066: SNI carries host names only, never address literals.
            X509_VERIFY_PARAM_set1_ip_asc(param, ep.host.c_str());
        } else {
            SSL_set_tlsext_host_name(ssl, ep.host.c_str());
            // The same check asio::ssl::host_name_verification makes, done by
            // OpenSSL itself so that a mismatch is recorded as
            // X509_V_ERR_HOSTNAME_MISMATCH and the error can say so.
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            SSL_set1_host(ssl, ep.host.c_str());
        }
        tcp.expires_after(self.options.timeouts.tls_handshake);
        auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
        tcp.expires_never();
        if (cancelled(cs)) co_return cancelled_error(ep);
        if (hec) {
            const long verify = SSL_get_verify_result(ssl);
            if (verify != X509_V_OK) {
                co_return make_error(error_kind::fatal, "TlsVerificationFailed",
                                     "TLS certificate of " + ep.authority() + " (host '" + ep.host +
                                         "') failed verification: " + X509_verify_cert_error_string(verify));
            }
            if (hec == beast::error::timeout) co_return make_net_error(ep, phase::handshake, hec);
            co_return make_error(error_kind::retryable, "TlsHandshakeFailed",
                                 "TLS handshake with " + ep.authority() + " failed: " + hec.message());
        }
    }
    conn.connected = true;
    co_return result<void>{};
}

// Runs on the connection's strand; owns the connection until it is handed back.
asio::awaitable<exchange_outcome> exchange(std::shared_ptr<pool_impl> self, std::unique_ptr<connection> conn,
                                           const endpoint* ep, const wire_request* msg,
                                           std::chrono::milliseconds read_timeout, bool reused) {
    // Failures come back as values; a cancelled coroutine must not throw here.
    co_await asio::this_coro::throw_if_cancelled(false);
    if (!conn->connected) {
        auto up = co_await establish(*self, *conn, *ep);
        if (!up) co_return exchange_outcome{std::move(up).error()};
    }
    bool keep = false;
    exchange_outcome out;
    if (auto* tls = std::get_if<ssl_stream>(&conn->stream)) {
        out = co_await talk(*tls, conn->tcp(), *self, *ep, *msg, read_timeout, reused, keep);
    } else {
        auto& plain = std::get<beast::tcp_stream>(conn->stream);
        out = co_await talk(plain, plain, *self, *ep, *msg, read_timeout, reused, keep);
    }
    if (keep && out.res && out.res->has_value()) self->give_back(std::move(conn));
    co_return out;
}

asio::awaitable<result<response>> send_on(std::shared_ptr<pool_impl> self, endpoint ep, request req,
                                          std::optional<std::chrono::milliseconds> read_timeout) {
    // Restored on the way out: the flag belongs to the caller's coroutine.
    const bool caller_throws = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    auto cs = co_await asio::this_coro::cancellation_state;

    std::optional<result<response>> final;
    auto msg = build_message(ep, req);
    if (!msg) final.emplace(std::move(msg).error());

    const std::string key = (ep.tls ? "https|" : "http|") + ep.host + "|" + ep.port;
    const auto timeout = read_timeout.value_or(self->options.timeouts.read);
    for (int attempt = 0; !final; ++attempt) {
        if (cancelled(cs)) {
            final.emplace(cancelled_error(ep));
            break;
        }
        auto conn = attempt == 0 ? self->take_idle(key) : nullptr;
        const bool reused = conn != nullptr;
        if (!conn) {
            auto fresh = self->make_connection(ep, key);
            if (!fresh) {
                final.emplace(std::move(fresh).error());
                break;
            }
            conn = std::move(*fresh);
        }
        auto strand = conn->executor();
        auto out = co_await asio::co_spawn(
            strand, exchange(self, std::move(conn), &ep, &msg.value(), timeout, reused), asio::use_awaitable);
        // A keep-alive connection the server had closed while it sat idle
        // (found dead although looks_alive() passed a moment ago) and that
        // took no byte of the request: nothing can have run, so the pool
        // sends it once more on a new connection. Every other failure after
        // the write started is returned as it is.
        if (attempt == 0 && out.peer_closed_before_response) continue;
        final = std::move(out.res);
    }
    co_await asio::this_coro::throw_if_cancelled(caller_throws);
    co_return std::move(*final);
}

} // namespace

connection_pool::connection_pool(asio::any_io_executor executor, pool_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

connection_pool::~connection_pool() = default;

asio::awaitable<result<response>>
connection_pool::send(const endpoint& ep, request req,
                      std::optional<std::chrono::milliseconds> read_timeout) {
    // Not a coroutine itself: the endpoint is copied now, so a temporary
    // endpoint or a co_spawn that starts later is safe, and in-flight calls
    // keep the shared state alive if the pool goes away.
    return send_on(impl_, ep, std::move(req), read_timeout);
}

std::size_t connection_pool::idle_connections() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->idle_count;
}

std::uint64_t connection_pool::connections_opened() const {
    return impl_->opened.load(std::memory_order_relaxed);
}

void connection_pool::close_idle() {
    std::unordered_map<std::string, std::vector<std::unique_ptr<connection>>> dead;
    {
        std::lock_guard lock(impl_->mutex);
        dead.swap(impl_->idle);
        impl_->idle_count = 0;
    }
}

const pool_options& connection_pool::options() const {
    return impl_->options;
}

} // namespace swfrt::swf::http
