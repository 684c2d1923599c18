// Credentials from the container credentials endpoint: ECS task roles
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) and EKS Pod Identity or other
// local agents (AWS_CONTAINER_CREDENTIALS_FULL_URI with an authorization token).
#pragma once

#include "swf/auth/env.hpp"
#include "swf/auth/provider.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace swfrt::swf::auth {

struct container_options {
    // Where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is resolved; the ECS agent
    // address. Tests point it at a loopback server.
    std::string relative_base = "http://169.254.170.2";
    std::chrono::milliseconds connect_timeout{std::chrono::seconds{2}};
    std::chrono::milliseconds read_timeout{std::chrono::seconds{5}};
    int retries = 1; // extra attempts after a network error or a 5xx
};

// The URL to ask, from the environment; credentials_not_found when neither
// variable is set, invalid_credentials for a FULL_URI whose host is not
// allowed (plain http is accepted only for loopback, 169.254.170.2,
// 169.254.170.23 and fd00:ec2::23, as the SDKs require).
result<std::string> container_credentials_url(const env_lookup& env, const container_options& options = {});

// The Authorization header value: the contents of
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read every time, the agent
// rotates it), else AWS_CONTAINER_AUTHORIZATION_TOKEN; empty when neither.
result<std::string> container_authorization(const env_lookup& env);

class container_provider final : public credentials_provider {
public:
    container_provider(boost::asio::any_io_executor executor, env_lookup env = system_env(),
                       container_options options = {});
    ~container_provider() override;

    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "container"; }

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace swfrt::swf::auth
