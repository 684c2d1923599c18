// The observability endpoint: GET /metrics (Prometheus text format) and
// GET /healthz (200 "ready" / 503 while starting or draining).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "swf/error.hpp"

namespace swfrt::runtime {

struct http_routes {
    std::function<std::string()> metrics;
    // Empty string: ready; otherwise why not (e.g. "draining").
    std::function<std::string()> not_ready_reason;
};

class http_server {
public:
    // Binds at once so that a taken port is a start-up error.
    static swf::result<std::unique_ptr<http_server>> listen(boost::asio::any_io_executor executor,
                                                            const std::string& host, std::uint16_t port,
                                                            http_routes routes);
    ~http_server();
    std::uint16_t port() const noexcept;
    void stop();

    struct impl;

private:
    explicit http_server(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
    std::shared_ptr<impl> impl_;
};

} // namespace swfrt::runtime
