#include "swf/auth/container_provider.hpp"

#include "swf/auth/profile.hpp"

#include "swf/auth/internal.hpp"

#include "swf/http/endpoint.hpp"
#include "swf/http/pool.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace swfrt::swf::auth {

namespace {

error auth_error(std::string_view code, std::string message) {
    return make_error(error_kind::auth, std::string(code), std::move(message));
}

bool is_loopback(const std::string& host) {
    if (host == "localhost") return true;
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        if (std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0) return true;
        // ::ffff:127.x.x.x
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        return std::memcmp(v6.s6_addr, mapped, 12) == 0 && v6.s6_addr[12] == 127;
    }
    return false;
}

bool same_ipv6(const std::string& host, const char* literal) {
    in6_addr a{}, b{};
    return ::inet_pton(AF_INET6, host.c_str(), &a) == 1 && ::inet_pton(AF_INET6, literal, &b) == 1 &&
           std::memcmp(&a, &b, sizeof a) == 0;
}

// Plain http carries the credentials in clear text, so it is only accepted
// to the agents AWS runs on the host itself.
bool allowed_http_host(const std::string& host) {
    return is_loopback(host) || host == "169.254.170.2" || host == "169.254.170.23" ||
           same_ipv6(host, "fd00:ec2::23");
}

using internal::trim;

} // namespace

result<std::string> container_credentials_url(const env_lookup& env, const container_options& options) {
    if (auto rel = env_value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        std::string base = options.relative_base;
        while (!base.empty() && base.back() == '/')
            base.pop_back();
        if (rel->front() != '/') base += '/';
        return base + *rel;
    }
    auto full = env_value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!full)
        return auth_error(
            credentials_not_found,
            "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
    auto ep = http::endpoint::parse(*full);
    if (!ep)
        return auth_error(invalid_credentials, "AWS_CONTAINER_CREDENTIALS_FULL_URI: " + ep.error().message);
    if (!ep->tls && !allowed_http_host(ep->host))
        return auth_error(invalid_credentials,
                          "AWS_CONTAINER_CREDENTIALS_FULL_URI host '" + ep->host +
                              "' is not allowed over http (use https, a loopback address, 169.254.170.2, "
                              "169.254.170.23 or fd00:ec2::23)");
    return *full;
}

result<std::string> container_authorization(const env_lookup& env) {
    std::string token;
    if (auto path = env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
        auto text = read_bounded_file(*path, max_shared_file_bytes);
        if (!text)
            return auth_error(invalid_credentials,
                              "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *path +
                                  " (a regular file or pipe of at most 16 MiB)");
        token = std::string(trim(*text));
        if (token.empty())
            return auth_error(invalid_credentials,
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *path + " is empty");
    } else if (auto value = env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
        token = std::move(*value);
    }
    // A line break would let the token inject headers.
    if (token.find_first_of("\r\n") != std::string::npos)
        return auth_error(invalid_credentials, "the container authorization token contains a line break");
    return token;
}

struct container_provider::impl {
    impl(boost::asio::any_io_executor ex, env_lookup e, container_options o, http::pool_options po)
        : env(std::move(e)), options(std::move(o)), pool(std::move(ex), po) {}

    env_lookup env;
    container_options options;
    http::connection_pool pool;
};

namespace {

http::pool_options container_pool_options(const container_options& o) {
    return internal::metadata_pool_options(o.connect_timeout, o.read_timeout);
}

} // namespace

container_provider::container_provider(boost::asio::any_io_executor executor, env_lookup env,
                                       container_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(env), options,
                                   container_pool_options(options))) {}

container_provider::~container_provider() = default;

boost::asio::awaitable<result<credentials>> container_provider::fetch() {
    auto self = impl_;
    auto url = container_credentials_url(self->env, self->options);
    if (!url) co_return std::move(url).error();
    auto token = container_authorization(self->env);
    if (!token) co_return std::move(token).error();
    auto ep = http::endpoint::parse(*url);
    if (!ep) co_return auth_error(invalid_credentials, "container credentials URL: " + ep.error().message);

    http::request req;
    req.method = "GET";
    req.target = ep->base_path;
    req.headers.emplace_back("Accept", "application/json");
    if (!token->empty()) req.headers.emplace_back("Authorization", *token);

    std::string last_failure;
    int last_status = 0;
    const int retries = std::max(0, self->options.retries);
    for (int attempt = 0; attempt <= retries; ++attempt) {
        auto r = co_await self->pool.send(*ep, req);
        if (!r) {
            last_failure = r.error().to_string();
            if (r.error().kind == error_kind::retryable) continue;
            break;
        }
        if (r->status == 200) co_return parse_credentials_json(r->body, "Token", "container");
        last_failure = "HTTP " + std::to_string(r->status);
        last_status = r->status;
        if (r->status < 500) {
            co_return make_error(
                error_kind::auth, std::string(credentials_unavailable),
                "container credentials endpoint " + ep->authority() + " answered " + last_failure, r->status);
        }
    }
    co_return make_error(error_kind::retryable, std::string(credentials_unavailable),
                         "container credentials endpoint " + ep->authority() + " failed: " + last_failure,
                         last_status);
}

} // namespace swfrt::swf::auth
