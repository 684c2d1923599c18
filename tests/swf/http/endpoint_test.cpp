#include "swf/http/endpoint.hpp"
#include "swf/http/message.hpp"

#include <gtest/gtest.h>

namespace swfrt::swf::http {
namespace {

endpoint parse_ok(std::string_view url) {
    auto ep = endpoint::parse(url);
    EXPECT_TRUE(ep.has_value()) << url << ": " << (ep ? "" : ep.error().to_string());
    return ep ? *ep : endpoint{};
}

void expect_invalid(std::string_view url, std::string_view fragment) {
    auto ep = endpoint::parse(url);
    ASSERT_FALSE(ep.has_value()) << url;
    EXPECT_EQ(ep.error().kind, error_kind::validation);
    EXPECT_EQ(ep.error().code, "InvalidEndpoint");
    EXPECT_NE(ep.error().message.find(fragment), std::string::npos) << ep.error().message;
    EXPECT_NE(ep.error().message.find(std::string(url)), std::string::npos) << ep.error().message;
}

TEST(endpoint, https_defaults_to_443_and_root_path) {
    auto ep = parse_ok("https://swf.us-east-1.amazonaws.com");
    EXPECT_TRUE(ep.tls);
    EXPECT_EQ(ep.host, "swf.us-east-1.amazonaws.com");
    EXPECT_EQ(ep.port, "443");
    EXPECT_EQ(ep.base_path, "/");
    EXPECT_EQ(ep.host_header(), "swf.us-east-1.amazonaws.com");
    EXPECT_EQ(ep.authority(), "swf.us-east-1.amazonaws.com:443");
}

TEST(endpoint, http_defaults_to_80_and_keeps_the_path) {
    auto ep = parse_ok("http://169.254.170.2/v2/credentials/abc-123");
    EXPECT_FALSE(ep.tls);
    EXPECT_EQ(ep.host, "169.254.170.2");
    EXPECT_EQ(ep.port, "80");
    EXPECT_EQ(ep.base_path, "/v2/credentials/abc-123");
    EXPECT_EQ(ep.host_header(), "169.254.170.2");
}

TEST(endpoint, explicit_port_appears_in_host_header_unless_default) {
    auto ep = parse_ok("http://localhost:8080/");
    EXPECT_EQ(ep.port, "8080");
    EXPECT_EQ(ep.host_header(), "localhost:8080");
    EXPECT_EQ(parse_ok("https://example.com:443/").host_header(), "example.com");
    EXPECT_EQ(parse_ok("http://example.com:443/").host_header(), "example.com:443");
    EXPECT_EQ(parse_ok("http://example.com:0080").port, "80");
}

TEST(endpoint, scheme_and_host_are_case_insensitive) {
    auto ep = parse_ok("HTTPS://SWF.Example.COM:8443/Path");
    EXPECT_TRUE(ep.tls);
    EXPECT_EQ(ep.host, "swf.example.com");
    EXPECT_EQ(ep.base_path, "/Path"); // paths are case-sensitive
}

TEST(endpoint, ipv6_literals_in_brackets) {
    auto ep = parse_ok("http://[fd00:ec2::254]/latest/api/token");
    EXPECT_EQ(ep.host, "fd00:ec2::254");
    EXPECT_EQ(ep.port, "80");
    EXPECT_TRUE(ep.is_ipv6_literal());
    EXPECT_EQ(ep.host_header(), "[fd00:ec2::254]");
    EXPECT_EQ(ep.base_path, "/latest/api/token");

    auto with_port = parse_ok("https://[::1]:8443");
    EXPECT_EQ(with_port.host, "::1");
    EXPECT_EQ(with_port.port, "8443");
    EXPECT_EQ(with_port.host_header(), "[::1]:8443");
    EXPECT_EQ(with_port.authority(), "[::1]:8443");
}

TEST(endpoint, query_without_path_and_fragment) {
    EXPECT_EQ(parse_ok("http://h?x=1").base_path, "/?x=1");
    EXPECT_EQ(parse_ok("http://h/a?x=1#frag").base_path, "/a?x=1");
    EXPECT_EQ(parse_ok("http://h#frag").base_path, "/");
}

TEST(endpoint, rejects_malformed_urls) {
    expect_invalid("swf.us-east-1.amazonaws.com", "expected http:// or https://");
    expect_invalid("ftp://example.com", "unsupported scheme 'ftp'");
    expect_invalid("https://", "missing host");
    expect_invalid("https://:443/", "missing host");
    expect_invalid("http://example.com:0", "port");
    expect_invalid("http://example.com:65536", "port");
    expect_invalid("http://example.com:http", "port");
    expect_invalid("http://example.com:", "port");
    expect_invalid("http://user:pw@example.com/", "user information");
    expect_invalid("http://::1/", "brackets");
    expect_invalid("http://[::1/", "unterminated");
    expect_invalid("http://[zz::1]/", "malformed IPv6");
    expect_invalid("http://[::1]x/", "after ']'");
    expect_invalid("http://exa mple.com/", "invalid character");
    expect_invalid("http://example.com/a b", "percent-encoded");
}

TEST(endpoint, equality_compares_all_fields) {
    EXPECT_EQ(parse_ok("https://a.com"), parse_ok("https://A.com:443/"));
    EXPECT_FALSE(parse_ok("https://a.com") == parse_ok("http://a.com:443"));
}

TEST(response, header_lookup_is_case_insensitive) {
    response r;
    r.headers = {{"Content-Type", "application/json"}, {"x-amzn-RequestId", "abc"}};
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.header("X-AMZN-REQUESTID"), "abc");
    EXPECT_EQ(r.header("Content-Typ"), "");
    EXPECT_EQ(r.header("Retry-After"), "");
}

} // namespace
} // namespace swfrt::swf::http
