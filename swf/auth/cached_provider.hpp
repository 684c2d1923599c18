// Caches the credentials of another provider and refreshes temporary ones
// ahead of their expiry in the background, so requests are signed without
// waiting for STS, IMDS or a credential_process on the hot path.
#pragma once

#include "swf/auth/env.hpp"
#include "swf/auth/provider.hpp"
#include "swf/clock.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace swfrt::swf::auth {

struct cache_options {
    // Start a background refresh this long before the expiration.
    std::chrono::seconds refresh_ahead{std::chrono::minutes{5}};
    // Credentials this close to their expiration are refreshed before the
    // next use (a request signed with them could reach AWS after they
    // lapse); while the refresh fails or returns nothing newer, they are
    // still used until they expire.
    std::chrono::seconds expiry_margin{std::chrono::seconds{60}};
    // After a failed background refresh (old credentials still valid), or one
    // that returned credentials already inside the refresh window, wait this
    // long before trying again rather than asking the source on every call.
    std::chrono::seconds retry_interval{std::chrono::seconds{10}};
};

// fetch() returns the cached credentials while they are valid. Inside the
// refresh window the first caller starts one refresh on its executor and
// still gets the old credentials at once, as do all callers while it runs.
// Only when nothing valid is left do callers wait, all for the same single
// refresh. A failed refresh keeps still-valid credentials; its error is
// returned only to callers that have nothing valid left. Credentials without
// an expiration are cached for good. Thread-safe.
class cached_provider final : public credentials_provider {
public:
    // `clk` must outlive this object and any refresh it started.
    cached_provider(std::shared_ptr<credentials_provider> inner, const clock& clk,
                    cache_options options = {});
    ~cached_provider() override;

    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "cached"; }

    // For metrics: refreshes started (including the first load) and failed.
    std::uint64_t refresh_count() const;
    std::uint64_t refresh_failures() const;
    bool refresh_in_flight() const;
    // The error of the latest refresh, cleared by the next success.
    std::optional<error> last_error() const;
    // The provider that produced the cached credentials, empty before the first success.
    std::string current_provider() const;

    const std::shared_ptr<credentials_provider>& inner() const;

private:
    struct state;
    struct wait_initiation;
    static boost::asio::awaitable<void> run_refresh(std::shared_ptr<state> s);

    std::shared_ptr<state> state_;
};

// The default chain (see make_default_chain) behind a cache: what a client
// uses when the configuration does not name credentials.
std::shared_ptr<cached_provider>
make_default_credentials(boost::asio::any_io_executor executor, env_lookup env = system_env(),
                         const clock& clk = system_clock::instance(),
                         std::optional<std::string> profile_name = std::nullopt, cache_options options = {});

} // namespace swfrt::swf::auth
