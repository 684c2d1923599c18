// Which region and endpoint a client talks to, resolved the way the AWS SDKs
// do from explicit configuration, the environment and the shared profile.
#pragma once

#include "swf/auth/env.hpp"
#include "swf/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace swfrt::swf::auth {

struct client_settings {
    std::string region;
    std::string endpoint_url; // scheme://host[:port][/path], no trailing '/'
    std::string profile;      // the profile consulted (explicit, AWS_PROFILE or "default")
    // Extra PEM CA bundle to trust besides the system store: override,
    // AWS_CA_BUNDLE, the profile's `ca_bundle` (as the AWS CLI reads them).
    std::string ca_bundle;
};

// Values from the runtime's own configuration; they beat everything else.
struct settings_overrides {
    std::optional<std::string> region;
    std::optional<std::string> endpoint_url;
    std::optional<std::string> profile;
    std::optional<std::string> ca_bundle;
};

// region: override, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
// endpoint: override, AWS_ENDPOINT_URL_SWF, AWS_ENDPOINT_URL, the profile's
// `endpoint_url`, else the regional endpoint (swf-fips.* when
// AWS_USE_FIPS_ENDPOINT or the profile's use_fips_endpoint is true).
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
// ignore_configured_endpoint_urls) skips the environment and profile
// endpoints. The profile is read only when needed; a missing profile is not
// an error, a malformed shared file is. Errors have kind validation.
result<client_settings> resolve_settings(const env_lookup& env, const settings_overrides& overrides = {});

// https://swf.<region>.<partition DNS suffix> (amazonaws.com, amazonaws.com.cn, ...).
std::string default_endpoint(std::string_view region, bool fips = false);

} // namespace swfrt::swf::auth
