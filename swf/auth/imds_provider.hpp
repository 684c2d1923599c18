// Credentials of the EC2 instance profile from the instance metadata service
// with the IMDSv2 session-token flow. Timeouts are short and retries few so
// that the default chain gives up quickly when not running on EC2.
#pragma once

#include "swf/auth/env.hpp"
#include "swf/auth/provider.hpp"
#include "swf/clock.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace swfrt::swf::auth {

struct imds_options {
    // Beats AWS_EC2_METADATA_SERVICE_ENDPOINT; default http://169.254.169.254
    // (http://[fd00:ec2::254] when AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6).
    std::optional<std::string> endpoint;
    std::chrono::milliseconds connect_timeout{std::chrono::seconds{1}};
    std::chrono::milliseconds read_timeout{std::chrono::seconds{1}};
    int retries = 1; // extra attempts per request after a network error or a 5xx
    std::chrono::seconds token_ttl{21600};
};

// The metadata endpoint from options and environment, without trailing '/'.
std::string imds_endpoint(const env_lookup& env, const imds_options& options = {});

// Disabled (credentials_not_found without any network traffic) when
// AWS_EC2_METADATA_DISABLED=true. The session token is cached until shortly
// before its TTL ends. When the token request is refused with 403/404/405
// (IMDSv1-only setups or proxies) the provider falls back to IMDSv1 unless
// AWS_EC2_METADATA_V1_DISABLED=true.
class imds_provider final : public credentials_provider {
public:
    // `clk` must outlive the provider.
    imds_provider(boost::asio::any_io_executor executor, env_lookup env = system_env(),
                  const clock& clk = system_clock::instance(), imds_options options = {});
    ~imds_provider() override;

    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "imds"; }

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace swfrt::swf::auth
