// A blocking face of the client for scripts, tools and tests: each call runs
// the awaitable on the wrapper's own io_context until it completes. Not for
// the runtime's hot path; one thread at a time.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "swf/client/client.hpp"

namespace swfrt::swf::client {

// Runs `work` on `io` until it completes and returns its value; rethrows
// what it threw. `io` must not be run by anyone else meanwhile.
template <class T>
T run_blocking(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
    std::optional<T> out;
    std::exception_ptr failure;
    boost::asio::co_spawn(
        io, [&out, w = std::move(work)]() mutable -> boost::asio::awaitable<void> { out.emplace(co_await std::move(w)); },
        [&failure](std::exception_ptr e) { failure = e; });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
}

class blocking_client {
public:
    // As client::from_environment, on an io_context of its own.
    static result<std::unique_ptr<blocking_client>> from_environment(const auth::settings_overrides& overrides,
                                                                     const auth::env_lookup& env = auth::system_env(),
                                                                     client_options base = {});
    // As client::create.
    static result<std::unique_ptr<blocking_client>> create(std::shared_ptr<auth::credentials_provider> credentials,
                                                           client_options options);

#define SWFRT_X(api, snake, in, out)                                                                              \
    result<model::out> snake(model::in request) { return run(client_->snake(std::move(request))); }
    SWFRT_SWF_OPERATIONS(SWFRT_X)
#undef SWFRT_X

    result<std::string> call_json(operation op, std::string_view request_json, bool all_pages = false) {
        return run(client_->call_json(op, request_json, all_pages));
    }

    // Runs any awaitable of this client's executor to completion.
    template <class T>
    T run(boost::asio::awaitable<T> work) {
        return run_blocking(*io_, std::move(work));
    }

    client& async() noexcept { return *client_; }
    const std::shared_ptr<client>& shared() const noexcept { return client_; }
    boost::asio::io_context& io_context() noexcept { return *io_; }

private:
    blocking_client(std::unique_ptr<boost::asio::io_context> io, std::shared_ptr<client> c)
        : io_(std::move(io)), client_(std::move(c)) {}

    std::unique_ptr<boost::asio::io_context> io_;
    std::shared_ptr<client> client_;
};

} // namespace swfrt::swf::client
