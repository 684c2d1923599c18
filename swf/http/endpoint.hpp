// Where an HTTP call goes: scheme, host, port and path parsed once from a URL
// such as https://swf.us-east-1.amazonaws.com or http://169.254.170.2/v2/credentials/x.
// The connection pool keys its idle connections on (tls, host, port).
#pragma once

#include "swf/error.hpp"

#include <string>
#include <string_view>

namespace swfrt::swf::http {

struct endpoint {
    bool tls = true;
    std::string host;      // lower case; IPv6 literals without brackets ("::1")
    std::string port;      // always set: "443" / "80" when the URL names none
    std::string base_path; // path and query as written in the URL, "/" when absent

    // Accepts http:// and https:// URLs (scheme case-insensitive), an optional
    // port, IPv6 literals in brackets and an optional path; a fragment is
    // dropped. Anything else (user info, bad port, empty host, other schemes)
    // is a validation error with code "InvalidEndpoint".
    static result<endpoint> parse(std::string_view url);

    // Value for the Host header: host, plus ":port" when not the scheme's default.
    std::string host_header() const;
    // "host:port" ("[::1]:443" for IPv6) as error messages and logs name it.
    std::string authority() const;
    bool is_ipv6_literal() const;

    friend bool operator==(const endpoint&, const endpoint&) = default;
};

} // namespace swfrt::swf::http
