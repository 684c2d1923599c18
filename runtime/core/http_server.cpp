#include "runtime/core/http_server.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace swfrt::runtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct http_server::impl : std::enable_shared_from_this<impl> {
    tcp::acceptor acceptor;
    http_routes routes;
    std::atomic<bool> stopped{false};

    impl(asio::any_io_executor ex, http_routes r) : acceptor(ex), routes(std::move(r)) {}

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        while (!stopped.load()) {
            boost::system::error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (stopped.load() || ec == asio::error::operation_aborted) break;
                // Out of file descriptors and the like: try again a little
                // later instead of spinning on the same error.
                asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds{100});
                co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        auto self = shared_from_this();
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (int i = 0; i < 100; ++i) {
            bhttp::request<bhttp::string_body> req;
            stream.expires_after(std::chrono::seconds(10));
            boost::system::error_code ec;
            co_await bhttp::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            bhttp::response<bhttp::string_body> res;
            res.version(req.version());
            res.set(bhttp::field::server, "swf-runtime");
            std::string_view target = req.target();
            if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
            if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
                res.result(bhttp::status::method_not_allowed);
                res.set(bhttp::field::allow, "GET, HEAD");
                res.body() = "only GET\n";
            } else if (target == "/metrics") {
                res.result(bhttp::status::ok);
                res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
                res.body() = routes.metrics ? routes.metrics() : std::string();
            } else if (target == "/healthz") {
                std::string why = routes.not_ready_reason ? routes.not_ready_reason() : std::string();
                res.result(why.empty() ? bhttp::status::ok : bhttp::status::service_unavailable);
                res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
                res.body() = why.empty() ? "ready\n" : why + "\n";
            } else {
                res.result(bhttp::status::not_found);
                res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
                res.body() = "not found: try /metrics or /healthz\n";
            }
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            if (req.method() == bhttp::verb::head) res.body().clear();
            co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || !res.keep_alive()) break;
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
};

swf::result<std::unique_ptr<http_server>> http_server::listen(asio::any_io_executor executor, const std::string& host,
                                                               std::uint16_t port, http_routes routes) {
    auto i = std::make_shared<impl>(executor, std::move(routes));
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec)
        return swf::make_error(swf::error_kind::validation, "InvalidListenAddress",
                               "metrics listen address " + host + " is not an IP address");
    tcp::endpoint ep(address, port);
    i->acceptor.open(ep.protocol(), ec);
    if (!ec) i->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) i->acceptor.bind(ep, ec);
    if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return swf::make_error(swf::error_kind::fatal, "ListenFailed",
                               "cannot listen for metrics on " + host + ":" + std::to_string(port) + ": " + ec.message());
    asio::co_spawn(executor, i->accept_loop(), asio::detached);
    return std::unique_ptr<http_server>(new http_server(std::move(i)));
}

http_server::~http_server() { stop(); }

std::uint16_t http_server::port() const noexcept {
    boost::system::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void http_server::stop() {
    if (impl_->stopped.exchange(true)) return;
    asio::post(impl_->acceptor.get_executor(), [i = impl_] {
        boost::system::error_code ec;
        i->acceptor.close(ec);
    });
}

} // namespace swfrt::runtime
