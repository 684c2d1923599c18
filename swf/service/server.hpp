// The HTTP front of the local SWF service: SWF's JSON 1.0 protocol (POST /
// with X-Amz-Target: SimpleWorkflowService.<Operation>) over plain HTTP on
// a loopback or other address. Long polls are held up to 60 s and answered
// the moment a task arrives; the service's timers and timeouts fire on an
// Asio timer. Everything runs on one strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "swf/error.hpp"
#include "swf/service/service.hpp"

namespace swfrt::swf::service {

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0; // 0: a free port
    std::chrono::milliseconds long_poll{std::chrono::seconds{60}};
    // When the service is idle (no task scheduled or handed out), jump the
    // service's clock to its next timer or timeout instead of waiting.
    bool time_skipping = false;
    // GET / and /execution: the web page of swf/service/ui.hpp.
    bool ui = false;
    // Told of every jump: how far and to when (e.g. to log it).
    std::function<void(std::chrono::seconds skipped, swf::clock::time_point to)> on_skip;
    service_options service;
};

class server {
public:
    // Binds at once, so that a taken port is an error here.
    static result<std::unique_ptr<server>> listen(boost::asio::any_io_executor executor, server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::uint16_t port() const noexcept;
    std::string endpoint_url() const;
    // The service, to be used on the server's strand only (post to executor()).
    service& backend() noexcept;
    boost::asio::any_io_executor executor() const;
    // Stops accepting and answers held polls as empty.
    void stop();

    struct impl;

private:
    explicit server(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
    std::shared_ptr<impl> impl_;
};

} // namespace swfrt::swf::service
