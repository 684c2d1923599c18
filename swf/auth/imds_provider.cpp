#include "swf/auth/imds_provider.hpp"

#include "swf/auth/internal.hpp"

#include "swf/http/endpoint.hpp"
#include "swf/http/pool.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frames, whose
// operator new/delete pair is Asio's recycling allocator (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace swfrt::swf::auth {

namespace {

error auth_error(std::string_view code, std::string message, int status = 0) {
    return make_error(error_kind::auth, std::string(code), std::move(message), status);
}

bool is_true(std::string_view v) {
    std::string s(v);
    for (auto& ch : s)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s == "true";
}

using internal::trim;

constexpr std::string_view token_header = "X-aws-ec2-metadata-token";
constexpr std::string_view credentials_path = "/latest/meta-data/iam/security-credentials/";

} // namespace

std::string imds_endpoint(const env_lookup& env, const imds_options& options) {
    std::string url;
    if (options.endpoint && !options.endpoint->empty())
        url = *options.endpoint;
    else if (auto v = env_value(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT"))
        url = *v;
    else if (auto mode = env_value(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
             mode && (*mode == "IPv6" || *mode == "ipv6" || *mode == "IPV6"))
        url = "http://[fd00:ec2::254]";
    else
        url = "http://169.254.169.254";
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

struct imds_provider::impl {
    impl(boost::asio::any_io_executor ex, env_lookup e, const clock& c, imds_options o, http::pool_options po)
        : env(std::move(e)), clk(c), options(std::move(o)), pool(std::move(ex), po) {}

    env_lookup env;
    const clock& clk;
    imds_options options;
    http::connection_pool pool;

    std::mutex mutex;
    std::string token; // empty: none cached
    clock::time_point token_expiry{};

    // One request with the SDKs' retry rule: network errors and 5xx are tried again.
    boost::asio::awaitable<result<http::response>> send(const http::endpoint& ep, const http::request& req) {
        std::optional<error> last;
        const int retries = std::max(0, options.retries);
        for (int attempt = 0; attempt <= retries; ++attempt) {
            auto r = co_await pool.send(ep, req);
            if (!r) {
                last = r.error();
                if (r.error().kind == error_kind::retryable) continue;
                break;
            }
            if (r->status >= 500 && attempt < retries) continue;
            co_return r;
        }
        co_return make_error(error_kind::retryable, std::string(credentials_unavailable),
                             "instance metadata service at " + ep.authority() + " is not reachable (" +
                                 last->to_string() + ")");
    }

    // The session token; an empty string means IMDSv1 (no token).
    boost::asio::awaitable<result<std::string>> session_token(const http::endpoint& ep,
                                                              const std::string& prefix, bool force_new) {
        {
            std::lock_guard lock(mutex);
            if (!force_new && !token.empty() && clk.now() < token_expiry) co_return token;
        }
        http::request req;
        req.method = "PUT";
        req.target = prefix + "/latest/api/token";
        req.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds",
                                 std::to_string(options.token_ttl.count()));
        auto r = co_await send(ep, req);
        if (!r) co_return std::move(r).error();
        if (r->status == 200) {
            std::string t(trim(r->body));
            if (t.empty() || t.find_first_of("\r\n") != std::string::npos)
                co_return auth_error(invalid_credentials,
                                     "instance metadata service returned a malformed token");
            std::lock_guard lock(mutex);
            token = t;
            // Renew a minute early so a token never expires between fetch and use.
            auto life = options.token_ttl > std::chrono::seconds{120}
                            ? options.token_ttl - std::chrono::seconds{60}
                            : options.token_ttl / 2;
            token_expiry = clk.now() + life;
            co_return t;
        }
        if (r->status == 403 || r->status == 404 || r->status == 405) {
            if (auto v1_off = env_value(env, "AWS_EC2_METADATA_V1_DISABLED"); v1_off && is_true(*v1_off))
                co_return auth_error(credentials_unavailable,
                                     "instance metadata service refused a session token (HTTP " +
                                         std::to_string(r->status) +
                                         ") and AWS_EC2_METADATA_V1_DISABLED is set",
                                     r->status);
            co_return std::string();
        }
        co_return auth_error(credentials_unavailable,
                             "instance metadata token request failed with HTTP " + std::to_string(r->status),
                             r->status);
    }

    boost::asio::awaitable<result<http::response>> get(const http::endpoint& ep, std::string target,
                                                       const std::string& tok) {
        http::request req;
        req.method = "GET";
        req.target = std::move(target);
        if (!tok.empty()) req.headers.emplace_back(std::string(token_header), tok);
        co_return co_await send(ep, req);
    }

    void forget_token() {
        std::lock_guard lock(mutex);
        token.clear();
    }
};

namespace {

http::pool_options imds_pool_options(const imds_options& o) {
    return internal::metadata_pool_options(o.connect_timeout, o.read_timeout);
}

} // namespace

imds_provider::imds_provider(boost::asio::any_io_executor executor, env_lookup env, const clock& clk,
                             imds_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(env), clk, options,
                                   imds_pool_options(options))) {}

imds_provider::~imds_provider() = default;

boost::asio::awaitable<result<credentials>> imds_provider::fetch() {
    auto self = impl_;
    if (auto off = env_value(self->env, "AWS_EC2_METADATA_DISABLED"); off && is_true(*off))
        co_return auth_error(credentials_not_found, "disabled by AWS_EC2_METADATA_DISABLED");

    const std::string url = imds_endpoint(self->env, self->options);
    auto ep = http::endpoint::parse(url);
    if (!ep) co_return auth_error(invalid_credentials, "instance metadata endpoint: " + ep.error().message);
    std::string prefix = ep->base_path;
    while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();

    // A 401 means the cached session token went stale (e.g. the instance was
    // stopped and started); get a new one once and start over.
    for (int round = 0; round < 2; ++round) {
        auto tok = co_await self->session_token(*ep, prefix, round > 0);
        if (!tok) co_return std::move(tok).error();

        auto roles = co_await self->get(*ep, prefix + std::string(credentials_path), *tok);
        if (!roles) co_return std::move(roles).error();
        if (roles->status == 401 && !tok->empty() && round == 0) {
            self->forget_token();
            continue;
        }
        if (roles->status == 404)
            co_return auth_error(credentials_not_found, "no IAM role is attached to this instance", 404);
        if (roles->status != 200)
            co_return auth_error(credentials_unavailable,
                                 "instance metadata role lookup failed with HTTP " +
                                     std::to_string(roles->status),
                                 roles->status);
        auto body = trim(roles->body);
        const std::string role(trim(body.substr(0, body.find('\n'))));
        if (role.empty())
            co_return auth_error(credentials_not_found, "no IAM role is attached to this instance");
        if (role.find_first_of("/?#% ") != std::string::npos)
            co_return auth_error(invalid_credentials, "instance metadata returned a malformed role name");

        auto creds = co_await self->get(*ep, prefix + std::string(credentials_path) + role, *tok);
        if (!creds) co_return std::move(creds).error();
        if (creds->status == 401 && !tok->empty() && round == 0) {
            self->forget_token();
            continue;
        }
        if (creds->status != 200)
            co_return auth_error(credentials_unavailable,
                                 "instance metadata credentials for role '" + role + "' failed with HTTP " +
                                     std::to_string(creds->status),
                                 creds->status);
        co_return parse_credentials_json(creds->body, "Token", "imds");
    }
    co_return auth_error(credentials_unavailable, "instance metadata service rejected a fresh session token");
}

} // namespace swfrt::swf::auth
