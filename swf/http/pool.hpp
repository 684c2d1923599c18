// Keep-alive HTTP/1.1 connection pool over TCP and TLS (Beast + OpenSSL),
// used by the SWF client for every call, long polls included, and by the
// credential providers for the plain-HTTP metadata endpoints.
#pragma once

#include "swf/clock.hpp"
#include "swf/error.hpp"
#include "swf/http/endpoint.hpp"
#include "swf/http/message.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace swfrt::swf::http {

// Every wait is bounded. read runs from the end of the request write to the
// last byte of the response; long polls override it per call.
struct timeouts {
    std::chrono::milliseconds connect{5000}; // DNS resolution and TCP connect together
    std::chrono::milliseconds tls_handshake{5000};
    std::chrono::milliseconds write{10000};
    std::chrono::milliseconds read{10000};
};

struct pool_options {
    std::size_t max_idle_per_host = 64;
    std::size_t max_body_bytes = std::size_t{64} * 1024 * 1024;
    // Extra PEM CA bundle; the system store is always used as well. TLS always
    // verifies the peer certificate and the host name; there is no switch.
    std::string ca_file;
    // AWS load balancers drop idle connections after 60 s; closing ours first
    // avoids sending a request into a connection the server is closing.
    std::chrono::seconds idle_timeout{50};
    http::timeouts timeouts;
    // Ages idle connections; tests pass a manual_clock. Must outlive the pool.
    const swf::clock* clock = &swf::system_clock::instance();
};

// User-Agent added to requests that carry none.
std::string_view default_user_agent() noexcept;

class connection_pool {
public:
    // Throws std::runtime_error when ca_file cannot be loaded (start-up error).
    // The system CA store is loaded on the first https call, so a pool used
    // only for plain-HTTP metadata endpoints never pays for it.
    connection_pool(boost::asio::any_io_executor executor, pool_options options = {});
    ~connection_pool();
    connection_pool(const connection_pool&) = delete;
    connection_pool& operator=(const connection_pool&) = delete;

    // Sends one request and reads its response. HTTP error statuses are not
    // errors here: the response comes back with its status. Adds Host,
    // Content-Length and User-Agent when missing. Failures are error_kind::retryable
    // ("ConnectFailed" (resolve or connect; nothing was sent),
    // "NetworkError", "ConnectTimeout", "TlsHandshakeTimeout", "WriteTimeout",
    // "ReadTimeout", "TlsHandshakeFailed", "InvalidResponse") or fatal
    // ("TlsVerificationFailed", "ResponseTooLarge", "TlsConfigurationError",
    // "Cancelled"); "InvalidRequest" (validation) for a malformed request.
    // Every message names the host:port. A request that meets a keep-alive
    // connection that fails before any byte of the request was written is
    // resent once on a new one; a failure after that is returned (a
    // "NetworkError" then says the request may have been processed).
    // read_timeout overrides options().timeouts.read for this call (long polls).
    // Safe to call concurrently from any thread; the endpoint and request are
    // copied before the first suspension. Cancelling the awaiting coroutine
    // (terminal cancellation) stops the call promptly and closes its connection.
    boost::asio::awaitable<result<response>> send(const endpoint& ep, request req,
                                                  std::optional<std::chrono::milliseconds> read_timeout = {});

    // Idle keep-alive connections currently held, all hosts together.
    std::size_t idle_connections() const;
    // Connections opened since construction (TCP connects that succeeded).
    std::uint64_t connections_opened() const;
    // Closes every idle connection, e.g. after a network change.
    void close_idle();

    const pool_options& options() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace swfrt::swf::http
