#include "swf/service/server.hpp"

#include <atomic>
#include <map>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "swf/model/limits.hpp"
#include "swf/service/ui.hpp"

namespace swfrt::swf::service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::string_view target_prefix = "SimpleWorkflowService.";
}

// The service's clock under --time-skipping: the real clock moved on by
// every jump so far (read and moved on the server's strand).
class skipping_clock final : public swf::clock {
public:
    explicit skipping_clock(const swf::clock& base) : base_(base) {}
    time_point now() const override { return base_.now() + offset_; }
    void jump(time_point::duration d) { offset_ += d; }

private:
    const swf::clock& base_;
    time_point::duration offset_{};
};

server_options with_clock(server_options o, skipping_clock* c) {
    if (c) o.service.clock = c;
    return o;
}

struct server::impl : std::enable_shared_from_this<impl> {
    std::unique_ptr<skipping_clock> skipping;
    asio::strand<asio::any_io_executor> strand;
    tcp::acceptor acceptor;
    server_options options;
    service svc;
    asio::steady_timer tick; // the service's next deadline
    std::atomic<bool> stopped{false};
    std::uint64_t next_request = 1;
    // Held polls' timers, to answer them at stop.
    std::map<std::uint64_t, asio::steady_timer*> waiting;

    impl(asio::any_io_executor ex, server_options o)
        : skipping(o.time_skipping ? std::make_unique<skipping_clock>(*o.service.clock) : nullptr),
          strand(asio::make_strand(ex)), acceptor(strand), options(with_clock(std::move(o), skipping.get())),
          svc(options.service), tick(strand) {}

    // Re-reads the service's next deadline (after every request).
    void rearm() { tick.cancel(); }

    asio::awaitable<void> timer_loop() {
        auto self = shared_from_this();
        while (!stopped.load()) {
            auto next = svc.next_deadline();
            if (next && skipping && svc.idle()) {
                // Nothing can happen before the next deadline but that deadline.
                const auto now = options.service.clock->now();
                if (*next > now) {
                    skipping->jump(*next - now);
                    if (options.on_skip)
                        options.on_skip(std::chrono::ceil<std::chrono::seconds>(*next - now), *next);
                }
                svc.fire_due();
                continue;
            }
            // Closed executions leave at the end of their retention period,
            // on the clock as it goes (time skipping does not jump to it).
            if (auto expiry = svc.next_expiry(); expiry && (!next || *expiry < *next)) next = expiry;
            if (next) {
                auto wait = *next - options.service.clock->now();
                tick.expires_after(std::max<std::chrono::nanoseconds>(wait, std::chrono::nanoseconds{0}));
            } else {
                tick.expires_after(std::chrono::hours{24});
            }
            boost::system::error_code ec;
            co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (stopped.load()) break;
            svc.fire_due();
        }
    }

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        while (!stopped.load()) {
            boost::system::error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (stopped.load() || ec == asio::error::operation_aborted) break;
                asio::steady_timer pause(strand, std::chrono::milliseconds{100});
                co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            asio::co_spawn(strand, serve(std::move(socket)), asio::detached);
        }
    }

    // One request through the service, waiting for a held poll's answer.
    asio::awaitable<reply> call(std::string op, std::string body) {
        std::optional<reply> later;
        asio::steady_timer wake(strand);
        auto out = svc.handle(op, body, [&later, &wake](reply r) {
            later = std::move(r);
            wake.cancel();
        });
        rearm();
        if (out.now) co_return std::move(*out.now);
        const auto id = out.held;
        waiting[id] = &wake;
        wake.expires_after(options.long_poll);
        boost::system::error_code ec;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        waiting.erase(id);
        if (later) co_return std::move(*later);
        auto empty = svc.expire_poll(id);
        co_return empty ? std::move(*empty) : reply{200, "{}"};
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        auto self = shared_from_this();
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        while (!stopped.load()) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(model::limits::max_request_bytes);
            stream.expires_after(std::chrono::seconds(120));
            boost::system::error_code ec;
            co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            bhttp::response<bhttp::string_body> res;
            res.set(bhttp::field::server, "swf-runtime dev-server");
            if (ec == bhttp::error::body_limit) {
                res.version(11);
                res.result(bhttp::status::payload_too_large);
                res.set(bhttp::field::content_type, "application/x-amz-json-1.0");
                res.body() = fault_reply("RequestEntityTooLarge", "A request body is at most 1 MB").body;
                res.keep_alive(false);
                res.prepare_payload();
                stream.expires_after(std::chrono::seconds(10));
                co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
                break;
            }
            if (ec) break;
            auto req = parser.release();
            res.version(req.version());
            res.set("x-amzn-RequestId", "devserver-" + std::to_string(next_request++));
            std::string target(req["X-Amz-Target"]);
            reply r;
            std::string content_type = "application/x-amz-json-1.0";
            if (options.ui && (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head)) {
                auto p = render_ui(svc, std::string_view(req.target()));
                r = {p.status, std::move(p.html)};
                content_type = "text/html; charset=utf-8";
            } else if (req.method() != bhttp::verb::post) {
                r = {405, R"({"__type":"MethodNotAllowed","message":"SWF takes POST /"})"};
            } else if (!target.starts_with(target_prefix)) {
                r = {400, R"({"__type":"com.amazon.coral.service#UnknownOperationException","message":"X-Amz-Target must be SimpleWorkflowService.<Operation>"})"};
            } else {
                stream.expires_never();
                r = co_await call(target.substr(target_prefix.size()), std::move(req.body()));
            }
            res.result(static_cast<bhttp::status>(r.status));
            res.set(bhttp::field::content_type, content_type);
            res.body() = std::move(r.body);
            res.keep_alive(req.keep_alive() && !stopped.load());
            res.prepare_payload();
            stream.expires_after(std::chrono::seconds(30));
            co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || !res.keep_alive()) break;
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
};

result<std::unique_ptr<server>> server::listen(asio::any_io_executor executor, server_options options) {
    auto i = std::make_shared<impl>(executor, std::move(options));
    boost::system::error_code ec;
    const auto& host = i->options.host;
    auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec)
        return make_error(error_kind::validation, "InvalidListenAddress", "listen address " + host + " is not an IP address");
    tcp::endpoint ep(address, i->options.port);
    i->acceptor.open(ep.protocol(), ec);
    if (!ec) i->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) i->acceptor.bind(ep, ec);
    if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return make_error(error_kind::fatal, "ListenFailed",
                          "cannot listen on " + host + ":" + std::to_string(i->options.port) + ": " + ec.message());
    asio::co_spawn(i->strand, i->accept_loop(), asio::detached);
    asio::co_spawn(i->strand, i->timer_loop(), asio::detached);
    return std::unique_ptr<server>(new server(std::move(i)));
}

server::~server() { stop(); }

std::uint16_t server::port() const noexcept {
    boost::system::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

std::string server::endpoint_url() const { return "http://" + impl_->options.host + ":" + std::to_string(port()); }

service& server::backend() noexcept { return impl_->svc; }

asio::any_io_executor server::executor() const { return impl_->strand; }

void server::stop() {
    if (impl_->stopped.exchange(true)) return;
    asio::post(impl_->strand, [i = impl_] {
        boost::system::error_code ec;
        i->acceptor.close(ec);
        i->tick.cancel();
        for (auto& [id, t] : i->waiting) t->cancel();
    });
}

} // namespace swfrt::swf::service
