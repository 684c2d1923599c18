// Where credentials come from: the provider interface, the static and
// environment providers, and the chain that tries providers in the order the
// AWS SDKs use (environment, shared profile, container, EC2 instance metadata).
#pragma once

#include "swf/auth/credentials.hpp"
#include "swf/auth/env.hpp"
#include "swf/clock.hpp"
#include "swf/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swfrt::swf::auth {

// Error codes shared by the providers (error::code).
inline constexpr std::string_view credentials_not_found = "CredentialsNotFound"; // source not configured
inline constexpr std::string_view invalid_credentials = "InvalidCredentials";    // configured but unusable
inline constexpr std::string_view credentials_unavailable =
    "CredentialsUnavailable"; // source failed to answer

// Implementations may be fetched from several threads of one io_context at
// once; they are held by shared_ptr so a detached refresh can keep them alive.
class credentials_provider {
public:
    virtual ~credentials_provider() = default;
    virtual boost::asio::awaitable<result<credentials>> fetch() = 0;
    virtual std::string_view name() const = 0;
};

// Fixed credentials, e.g. from the runtime's YAML configuration.
class static_provider final : public credentials_provider {
public:
    explicit static_provider(credentials creds);
    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "static"; }

private:
    credentials creds_;
};

// AWS_ACCESS_KEY_ID (or the legacy AWS_ACCESS_KEY), AWS_SECRET_ACCESS_KEY (or
// AWS_SECRET_KEY), AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION (ISO 8601),
// read at every fetch.
class environment_provider final : public credentials_provider {
public:
    explicit environment_provider(env_lookup env = system_env());
    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "environment"; }

    // The same lookup without a coroutine, for callers outside an io_context.
    result<credentials> load() const;

private:
    env_lookup env_;
};

// Tries each provider in turn; the first that yields credentials is
// remembered and asked directly from then on (as the SDKs' chains do), so a
// long-running worker does not silently switch identity. When none yields
// credentials the error lists what each one said.
class chain_provider final : public credentials_provider {
public:
    explicit chain_provider(std::vector<std::shared_ptr<credentials_provider>> providers);
    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "chain"; }

    // Name of the remembered provider, empty before the first success.
    std::string current_provider() const;
    const std::vector<std::shared_ptr<credentials_provider>>& providers() const { return providers_; }

private:
    std::vector<std::shared_ptr<credentials_provider>> providers_;
    mutable std::mutex mutex_;
    std::optional<std::size_t> winner_;
};

// The SDK default chain: environment, profile (shared files and
// credential_process), container (ECS/EKS), EC2 instance metadata (IMDSv2).
// profile_name overrides AWS_PROFILE. `clk` must outlive the chain.
std::shared_ptr<chain_provider> make_default_chain(boost::asio::any_io_executor executor,
                                                   env_lookup env = system_env(),
                                                   const clock& clk = system_clock::instance(),
                                                   std::optional<std::string> profile_name = std::nullopt);

// ISO 8601 / RFC 3339 date-time as the credential sources write it:
// 2024-05-01T12:00:00Z, with optional fractional seconds and a Z or +hh:mm
// offset. nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// Parses the JSON document that credential_process, the container endpoint
// and IMDS return. `token_member` is "SessionToken" (credential_process) or
// "Token" (container, IMDS). The error message never contains the document.
result<credentials> parse_credentials_json(std::string_view json, std::string_view token_member,
                                           std::string_view provider);

} // namespace swfrt::swf::auth
