// `check` validates the file with config/; `run` goes on to build the SWF
// client (runtime/core/app.cpp make_client), which parses the endpoint and
// the region again, and the codec refuses text that is not UTF-8 before a
// request leaves. Whatever the client refuses the config loader must refuse
// too, or `check` says ok to a file `run` stops on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "runtime/core/app.hpp"
#include "swf/auth/settings.hpp"
#include "swf/codec/codec.hpp"
#include "swf/http/endpoint.hpp"

namespace swfrt::runtime {
namespace {

namespace asio = boost::asio;

std::string yaml_quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// Whether `check` accepts the swf section, and whether `run` gets past
// building its client from it.
struct verdicts {
    bool check_ok;
    bool run_ok;
    std::string why; // the refusal, from whichever side refused
};

config::load_result check_swf(const std::string& region, const std::string& endpoint) {
    const std::string yaml = "swf:\n  region: " + yaml_quoted(region) +
                             "\n  endpoint_url: " + yaml_quoted(endpoint) +
                             "\n  credentials: {access_key_id: AKID, secret_access_key: secret}\n";
    return config::load_string(yaml, "agree.yaml", config::env_lookup{});
}

// make_client itself (it also sets up TLS, some milliseconds a call).
swf::result<std::shared_ptr<swf::client::client>> run_swf(const std::string& region,
                                                          const std::string& endpoint) {
    config::config c;
    c.swf.region = region;
    c.swf.endpoint_url = endpoint;
    c.swf.credentials = config::static_credentials{"AKID", "secret", ""};
    asio::io_context io;
    return make_client(c, io.get_executor(), nullptr);
}

// The two checks make_client makes of region and endpoint, without the TLS
// set-up: the settings resolver, then the endpoint parser of client::create.
swf::result<swf::http::endpoint> run_swf_checks(const std::string& region, const std::string& endpoint) {
    swf::auth::settings_overrides ov;
    ov.region = region;
    ov.endpoint_url = endpoint;
    auto settings = swf::auth::resolve_settings(swf::auth::map_env({}), ov);
    if (!settings) return std::move(settings).error();
    return swf::http::endpoint::parse(settings->endpoint_url);
}

template <class Result> verdicts judge(const config::load_result& loaded, const Result& run) {
    std::string why = !loaded.ok() ? loaded.errors[0].to_string() : !run ? run.error().to_string() : "";
    return {loaded.ok(), static_cast<bool>(run), why};
}

TEST(config_agreement, endpoint_urls_check_accepts_are_those_run_accepts) {
    const std::vector<std::string> schemes{"http://", "https://", "HTTP://", "ftp://", "", "http:/"};
    const std::vector<std::string> hosts{"h",       "127.0.0.1", "swf.us-east-1.amazonaws.com",
                                         "my_host", "[::1]",     "[::1",
                                         "[]",      "[fe80::1]", "[x]",
                                         "[::1]x",  "",          "a b",
                                         "user@h",  "::1",       "h\xc3\xa9"};
    const std::vector<std::string> ports{"",       ":",      ":0",      ":1",  ":80", ":65535",
                                         ":65536", ":99999", ":123456", ":8a", ":-1", "::80"};
    const std::vector<std::string> paths{"", "/", "/a/b", "/a b", "?q=1", "#frag", "///", "/%20", "/\x7f"};
    std::size_t accepted = 0, refused = 0, n = 0;
    for (const auto& scheme : schemes)
        for (const auto& host : hosts)
            for (const auto& port : ports)
                for (const auto& path : paths) {
                    const std::string url = scheme + host + port + path;
                    if (url.empty()) continue; // no endpoint: the regional one
                    for (const std::string& spaced : {url, " " + url + "\t"}) {
                        auto v = judge(check_swf("us-east-1", spaced), run_swf_checks("us-east-1", spaced));
                        EXPECT_EQ(v.check_ok, v.run_ok)
                            << "endpoint " << yaml_quoted(spaced) << ": " << v.why;
                        (v.run_ok ? accepted : refused)++;
                        // Now and then, that the two checks are what make_client decides.
                        if (++n % 199 == 0) {
                            EXPECT_EQ(static_cast<bool>(run_swf("us-east-1", spaced)), v.run_ok) << spaced;
                        }
                    }
                }
    // Both kinds were tried in numbers.
    EXPECT_GT(accepted, 500u);
    EXPECT_GT(refused, 5000u);

    // The reported ones, through make_client itself.
    for (const std::string url : {"http://127.0.0.1:99999", "https://[::1", "http://127.0.0.1:4566"}) {
        auto v = judge(check_swf("us-east-1", url), run_swf("us-east-1", url));
        EXPECT_EQ(v.check_ok, v.run_ok) << url << ": " << v.why;
    }
}

TEST(config_agreement, regions_check_accepts_are_those_run_accepts) {
    for (const std::string& region :
         std::vector<std::string>{"us-east-1", "eu-central-1", "local", "a", "-us-east-1", "us-east-1-", "-",
                                  "US-EAST-1", "us_east_1", "us east 1", std::string(63, 'a'),
                                  std::string(64, 'a'), "us-east-1.", "us-east-1\xc3\xa9"}) {
        auto v = judge(check_swf(region, "http://127.0.0.1:4566"), run_swf(region, "http://127.0.0.1:4566"));
        EXPECT_EQ(v.check_ok, v.run_ok) << "region " << yaml_quoted(region) << ": " << v.why;
    }
}

// The codec's UTF-8 check (simdjson's) and the loader's see the same bytes
// alike: every one- and two-byte value, and three- and four-byte ones built
// around each boundary of the encoding.
TEST(config_agreement, utf8_check_accepts_what_the_codec_accepts) {
    std::vector<std::string> values;
    const std::vector<unsigned char> edges{0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    for (int a = 1; a < 256; ++a) {
        values.push_back(std::string(1, static_cast<char>(a)));
        for (int b = 0x20; b < 256; ++b)
            values.push_back({static_cast<char>(a), static_cast<char>(b)});
    }
    for (int a = 0xc0; a < 256; ++a)
        for (unsigned char b : edges)
            for (unsigned char c : edges) {
                values.push_back({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
                for (unsigned char d : edges)
                    values.push_back({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                                      static_cast<char>(d)});
            }
    std::size_t valid = 0;
    for (const auto& value : values) {
        // Through the environment, so that no YAML escaping stands between.
        auto loaded =
            config::load_string("runtime: {identity: '${V}'}\n", "agree.yaml",
                                [&](std::string_view) { return std::optional<std::string>(value); });
        const bool codec_ok = swf::codec::is_valid_utf8(value);
        // Control characters are a YAML question, not a UTF-8 one: only the verdict on encoding counts.
        const bool utf8_refused = !loaded.ok() && loaded.errors[0].message.find("UTF-8") != std::string::npos;
        EXPECT_EQ(!utf8_refused, codec_ok) << ::testing::PrintToString(value);
        valid += codec_ok;
    }
    EXPECT_GT(valid, 2000u);
}

} // namespace
} // namespace swfrt::runtime
