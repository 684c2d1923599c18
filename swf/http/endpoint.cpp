#include "swf/http/endpoint.hpp"

#include <algorithm>
#include <cctype>

namespace swfrt::swf::http {

namespace {

error invalid(std::string_view url, std::string_view why) {
    return make_error(error_kind::validation, "InvalidEndpoint",
                      "invalid endpoint URL '" + std::string(url) + "': " + std::string(why));
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_reg_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

} // namespace

result<endpoint> endpoint::parse(std::string_view url) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return invalid(url, "expected http:// or https://");
    const std::string scheme = lower(url.substr(0, sep));
    endpoint ep;
    if (scheme == "https") {
        ep.tls = true;
    } else if (scheme == "http") {
        ep.tls = false;
    } else {
        return invalid(url, "unsupported scheme '" + scheme + "', expected http:// or https://");
    }

    std::string_view rest = url.substr(sep + 3);
    const auto auth_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, auth_end);
    std::string_view path = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
    if (const auto hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);

    if (authority.find('@') != std::string_view::npos)
        return invalid(url, "user information is not supported");

    std::string_view host;
    std::string_view port;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return invalid(url, "unterminated '[' in IPv6 address");
        host = authority.substr(1, close - 1);
        if (host.empty() || !std::all_of(host.begin(), host.end(), is_ipv6_char) ||
            host.find(':') == std::string_view::npos) {
            return invalid(url, "malformed IPv6 address '" + std::string(host) + "'");
        }
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return invalid(url, "unexpected characters after ']'");
            port = after.substr(1);
            has_port = true;
        }
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            has_port = true;
            if (port.find(':') != std::string_view::npos) {
                return invalid(url, "IPv6 addresses must be written in brackets, e.g. http://[::1]:8080/");
            }
        }
        if (!std::all_of(host.begin(), host.end(), is_reg_name_char)) {
            return invalid(url, "invalid character in host '" + std::string(host) + "'");
        }
    }
    if (host.empty()) return invalid(url, "missing host");

    if (has_port) {
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return invalid(url, "port must be a number from 1 to 65535");
        }
        const int value = std::stoi(std::string(port));
        if (value < 1 || value > 65535) return invalid(url, "port must be a number from 1 to 65535");
        ep.port = std::to_string(value);
    } else {
        ep.port = ep.tls ? "443" : "80";
    }
    if (std::any_of(path.begin(), path.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
        return invalid(url, "the path must be percent-encoded (no spaces or control characters)");
    }

    ep.host = lower(host);
    if (path.empty()) {
        ep.base_path = "/";
    } else if (path.front() == '?') {
        ep.base_path = "/" + std::string(path);
    } else {
        ep.base_path = std::string(path);
    }
    return ep;
}

bool endpoint::is_ipv6_literal() const {
    return host.find(':') != std::string::npos;
}

std::string endpoint::host_header() const {
    std::string out = is_ipv6_literal() ? "[" + host + "]" : host;
    if (port != (tls ? "443" : "80")) out += ":" + port;
    return out;
}

std::string endpoint::authority() const {
    return (is_ipv6_literal() ? "[" + host + "]" : host) + ":" + port;
}

} // namespace swfrt::swf::http
