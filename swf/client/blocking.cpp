#include "swf/client/blocking.hpp"

namespace swfrt::swf::client {

result<std::unique_ptr<blocking_client>> blocking_client::from_environment(const auth::settings_overrides& overrides,
                                                                           const auth::env_lookup& env,
                                                                           client_options base) {
    auto io = std::make_unique<boost::asio::io_context>(1);
    auto c = client::from_environment(io->get_executor(), overrides, env, std::move(base));
    if (!c) return std::move(c).error();
    return std::unique_ptr<blocking_client>(new blocking_client(std::move(io), std::move(*c)));
}

result<std::unique_ptr<blocking_client>> blocking_client::create(std::shared_ptr<auth::credentials_provider> credentials,
                                                                 client_options options) {
    auto io = std::make_unique<boost::asio::io_context>(1);
    auto c = client::create(io->get_executor(), std::move(credentials), std::move(options));
    if (!c) return std::move(c).error();
    return std::unique_ptr<blocking_client>(new blocking_client(std::move(io), std::move(*c)));
}

} // namespace swfrt::swf::client
