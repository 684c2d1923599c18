#include "swf/auth/settings.hpp"

#include "swf/auth/profile.hpp"
#include "swf/auth/provider.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace swfrt::swf::auth {

namespace {

error settings_error(std::string code, std::string message) {
    return make_error(error_kind::validation, std::move(code), std::move(message));
}

bool is_true(std::string_view v) {
    std::string s(v);
    for (auto& ch : s)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s == "true";
}

bool valid_region(std::string_view r) {
    // The region becomes part of a host name and of the SigV4 scope.
    if (r.empty() || r.size() > 63 || r.front() == '-' || r.back() == '-') return false;
    return std::all_of(r.begin(), r.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    });
}

result<std::string> normalize_endpoint(std::string url, std::string_view from) {
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back())))
        url.pop_back();
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front())))
        url.erase(0, 1);
    std::string_view rest;
    if (url.rfind("https://", 0) == 0)
        rest = std::string_view(url).substr(8);
    else if (url.rfind("http://", 0) == 0)
        rest = std::string_view(url).substr(7);
    else
        return settings_error("InvalidEndpoint", "endpoint '" + url + "' from " + std::string(from) +
                                                     " must start with http:// or https://");
    if (rest.empty() || rest.front() == '/' || rest.front() == ':' || rest.front() == '?')
        return settings_error("InvalidEndpoint",
                              "endpoint '" + url + "' from " + std::string(from) + " has no host");
    while (url.size() > 1 && url.back() == '/')
        url.pop_back();
    return url;
}

} // namespace

std::string default_endpoint(std::string_view region, bool fips) {
    std::string_view suffix = "amazonaws.com";
    if (region.rfind("cn-", 0) == 0)
        suffix = "amazonaws.com.cn";
    else if (region.rfind("us-isob-", 0) == 0)
        suffix = "sc2s.sgov.gov";
    else if (region.rfind("us-iso-", 0) == 0)
        suffix = "c2s.ic.gov";
    std::string url = fips ? "https://swf-fips." : "https://swf.";
    url += region;
    url += '.';
    url += suffix;
    return url;
}

result<client_settings> resolve_settings(const env_lookup& env, const settings_overrides& overrides) {
    client_settings out;
    out.profile = resolve_profile_name(env, overrides.profile);

    std::optional<profile> prof;
    std::optional<error> profile_error;
    bool profile_loaded = false;
    auto profile_value = [&](std::string_view key) -> result<std::optional<std::string>> {
        if (!profile_loaded) {
            profile_loaded = true;
            auto p = load_profile(env, out.profile);
            if (p)
                prof = std::move(p).value();
            else if (p.error().code == credentials_not_found)
                profile_error = p.error();
            else
                return settings_error("InvalidConfigFile", p.error().message);
        }
        if (!prof) return std::optional<std::string>{};
        const auto* v = prof->get(key);
        if (!v || v->empty()) return std::optional<std::string>{};
        return std::optional<std::string>{*v};
    };

    std::string region_from;
    if (overrides.region && !overrides.region->empty()) {
        out.region = *overrides.region;
        region_from = "the configuration";
    } else if (auto v = env_value(env, "AWS_REGION")) {
        out.region = *v;
        region_from = "AWS_REGION";
    } else if (auto v2 = env_value(env, "AWS_DEFAULT_REGION")) {
        out.region = *v2;
        region_from = "AWS_DEFAULT_REGION";
    } else {
        auto v3 = profile_value("region");
        if (!v3) return std::move(v3).error();
        if (*v3) {
            out.region = **v3;
            region_from = "profile '" + out.profile + "'";
        }
    }
    if (out.region.empty()) {
        const auto paths = resolve_shared_file_paths(env);
        std::string msg =
            "no AWS region configured: set `region` in the swf-runtime configuration, the AWS_REGION "
            "environment variable, or `region` in profile '" +
            out.profile + "' of " + (paths.config.empty() ? std::string("~/.aws/config") : paths.config) +
            " (AWS_CONFIG_FILE)";
        if (profile_error) msg += "; " + profile_error->message;
        return settings_error("MissingRegion", msg);
    }
    if (!valid_region(out.region))
        return settings_error("InvalidRegion",
                              "region '" + out.region + "' from " + region_from +
                                  " is not a region name (lower-case letters, digits and '-')");

    if (overrides.ca_bundle && !overrides.ca_bundle->empty()) {
        out.ca_bundle = *overrides.ca_bundle;
    } else if (auto v = env_value(env, "AWS_CA_BUNDLE")) {
        out.ca_bundle = *v;
    } else {
        // A profile that cannot be read is reported by whatever needs it;
        // the CA bundle alone does not make it an error.
        auto pv = profile_value("ca_bundle");
        if (pv && *pv) out.ca_bundle = **pv;
    }

    if (overrides.endpoint_url && !overrides.endpoint_url->empty()) {
        auto e = normalize_endpoint(*overrides.endpoint_url, "the configuration");
        if (!e) return std::move(e).error();
        out.endpoint_url = std::move(*e);
        return out;
    }

    bool ignore_configured = false;
    if (auto v = env_value(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
        ignore_configured = is_true(*v);
    } else {
        auto pv = profile_value("ignore_configured_endpoint_urls");
        if (!pv) return std::move(pv).error();
        ignore_configured = *pv && is_true(**pv);
    }

    if (!ignore_configured) {
        for (std::string_view name : {"AWS_ENDPOINT_URL_SWF", "AWS_ENDPOINT_URL"}) {
            if (auto v = env_value(env, name)) {
                auto e = normalize_endpoint(*v, name);
                if (!e) return std::move(e).error();
                out.endpoint_url = std::move(*e);
                return out;
            }
        }
        auto pv = profile_value("endpoint_url");
        if (!pv) return std::move(pv).error();
        if (*pv) {
            auto e = normalize_endpoint(**pv, "profile '" + out.profile + "'");
            if (!e) return std::move(e).error();
            out.endpoint_url = std::move(*e);
            return out;
        }
    }

    bool fips = false;
    if (auto v = env_value(env, "AWS_USE_FIPS_ENDPOINT")) {
        fips = is_true(*v);
    } else {
        auto pv = profile_value("use_fips_endpoint");
        if (!pv) return std::move(pv).error();
        fips = *pv && is_true(**pv);
    }
    out.endpoint_url = default_endpoint(out.region, fips);
    return out;
}

} // namespace swfrt::swf::auth
