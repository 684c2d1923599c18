#include "swf/auth/signer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace swfrt::swf;
using auth::signer;
using time_point = std::chrono::system_clock::time_point;

time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

std::string header(const http::request& req, std::string_view name) {
    for (const auto& [k, v] : req.headers) {
        if (std::equal(k.begin(), k.end(), name.begin(), name.end(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            return v;
    }
    return {};
}

std::size_t header_count(const http::request& req, std::string_view name) {
    return static_cast<std::size_t>(std::count_if(req.headers.begin(), req.headers.end(), [&](const auto& h) {
        return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                          [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    }));
}

// ---------------------------------------------------------------------------
// The AWS SigV4 test suite (aws-c-auth's aws-signing-test-suite/v4).

const fs::path suite_dir = fs::path(SWFRT_SHARED_DIR) / "sigv4-testsuite" / "v4";

std::vector<std::string> discover_cases() {
    std::vector<std::string> names;
    std::error_code ec;
    if (!fs::is_directory(suite_dir, ec)) {
        // stderr: gtest_discover_tests parses the test list from stdout.
        std::fprintf(stderr, "SigV4 suite not found at %s: no SigV4 suite cases instantiated\n",
                     suite_dir.c_str());
        return names;
    }
    for (const auto& entry : fs::directory_iterator(suite_dir, ec))
        if (entry.is_directory() && fs::exists(entry.path() / "request.txt"))
            names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

const std::vector<std::string>& suite_cases() {
    static const std::vector<std::string> cases = discover_cases();
    return cases;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// request.txt is a raw HTTP/1.1 request: "METHOD target HTTP/1.1", header
// lines (a line starting with whitespace continues the previous value),
// a blank line, the body. The target may hold a raw space (get-space-*),
// so it runs up to the last " HTTP/".
http::request parse_raw_request(const std::string& raw) {
    http::request req;
    req.headers.clear();
    std::size_t pos = 0;
    auto next_line = [&](std::string& line) {
        if (pos > raw.size()) return false;
        std::size_t nl = raw.find('\n', pos);
        if (nl == std::string::npos) nl = raw.size();
        line = raw.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        pos = nl + 1;
        return true;
    };
    std::string line;
    next_line(line);
    const std::size_t sp = line.find(' ');
    const std::size_t ver = line.rfind(" HTTP/");
    req.method = line.substr(0, sp);
    req.target = line.substr(sp + 1, ver - sp - 1);
    while (next_line(line) && !line.empty()) {
        if ((line[0] == ' ' || line[0] == '\t') && !req.headers.empty()) {
            req.headers.back().second += "\n" + line;
            continue;
        }
        const std::size_t colon = line.find(':');
        req.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    req.body = pos < raw.size() ? raw.substr(pos) : std::string{};
    return req;
}

struct suite_context {
    auth::credentials creds;
    std::string region;
    std::string service;
    time_point when;
    auth::signing_options options;
};

time_point parse_iso8601(std::string_view s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    std::string copy(s);
    EXPECT_EQ(std::sscanf(copy.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &sec), 6) << s;
    return utc(y, static_cast<unsigned>(mo), static_cast<unsigned>(d), h, mi, sec);
}

suite_context parse_context(const fs::path& p) {
    suite_context ctx;
    simdjson::ondemand::parser parser;
    simdjson::padded_string json = simdjson::padded_string::load(p.string());
    simdjson::ondemand::document doc = parser.iterate(json);
    simdjson::ondemand::object root = doc.get_object();
    for (auto field : root) {
        std::string_view key = field.unescaped_key();
        auto value = field.value();
        if (key == "credentials") {
            for (auto c : value.get_object()) {
                std::string_view ck = c.unescaped_key();
                std::string_view cv = c.value().get_string();
                if (ck == "access_key_id") ctx.creds.access_key_id = cv;
                if (ck == "secret_access_key") ctx.creds.secret_access_key = cv;
                if (ck == "token") ctx.creds.session_token = cv;
            }
        } else if (key == "expiration_in_seconds") {
            ctx.options.expiration = std::chrono::seconds{int64_t(value.get_int64())};
        } else if (key == "normalize") {
            ctx.options.normalize_path = bool(value.get_bool());
        } else if (key == "sign_body") {
            ctx.options.sign_body = bool(value.get_bool());
        } else if (key == "omit_session_token") {
            ctx.options.omit_session_token = bool(value.get_bool());
        } else if (key == "region") {
            ctx.region = std::string_view(value.get_string());
        } else if (key == "service") {
            ctx.service = std::string_view(value.get_string());
        } else if (key == "timestamp") {
            ctx.when = parse_iso8601(value.get_string());
        }
    }
    return ctx;
}

class sigv4_suite : public testing::TestWithParam<std::string> {};

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(sigv4_suite);

TEST_P(sigv4_suite, header_signing_matches_byte_for_byte) {
    const fs::path dir = suite_dir / GetParam();
    const suite_context ctx = parse_context(dir / "context.json");
    http::request req = parse_raw_request(read_file(dir / "request.txt"));
    signer s(ctx.region, ctx.service, ctx.options);

    auto res = s.sign(req, ctx.creds, ctx.when);
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->canonical_request, read_file(dir / "header-canonical-request.txt"));
    EXPECT_EQ(res->string_to_sign, read_file(dir / "header-string-to-sign.txt"));
    EXPECT_EQ(res->signature, read_file(dir / "header-signature.txt"));

    // The headers we added must be the ones of the expected signed request.
    const http::request expected = parse_raw_request(read_file(dir / "header-signed-request.txt"));
    EXPECT_EQ(header(req, "Authorization"), header(expected, "Authorization"));
    EXPECT_EQ(header(req, "X-Amz-Date"), header(expected, "X-Amz-Date"));
    EXPECT_EQ(header(req, "X-Amz-Security-Token"), header(expected, "X-Amz-Security-Token"));
    EXPECT_EQ(header(req, "x-amz-content-sha256"), header(expected, "x-amz-content-sha256"));
}

TEST_P(sigv4_suite, query_signing_matches_byte_for_byte) {
    const fs::path dir = suite_dir / GetParam();
    const suite_context ctx = parse_context(dir / "context.json");
    http::request req = parse_raw_request(read_file(dir / "request.txt"));
    const std::size_t headers_before = req.headers.size();
    signer s(ctx.region, ctx.service, ctx.options);

    auto res = s.presign(req, ctx.creds, ctx.when);
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->canonical_request, read_file(dir / "query-canonical-request.txt"));
    EXPECT_EQ(res->string_to_sign, read_file(dir / "query-string-to-sign.txt"));
    EXPECT_EQ(res->signature, read_file(dir / "query-signature.txt"));

    const http::request expected = parse_raw_request(read_file(dir / "query-signed-request.txt"));
    EXPECT_EQ(req.target, expected.target);
    EXPECT_EQ(req.headers.size(), headers_before);
}

std::string case_name(const testing::TestParamInfo<std::string>& info) {
    std::string n = info.param;
    std::replace_if(
        n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return n;
}

INSTANTIATE_TEST_SUITE_P(aws, sigv4_suite, testing::ValuesIn(suite_cases()), case_name);

TEST(sigv4_suite_discovery, finds_all_38_cases_when_present) {
    std::error_code ec;
    if (fs::is_directory(suite_dir, ec))
        EXPECT_EQ(suite_cases().size(), 38u);
    else
        EXPECT_TRUE(suite_cases().empty());
}

TEST(sigv4_suite_parser, folds_continuation_lines_and_keeps_duplicates) {
    const http::request req = parse_raw_request("GET /a b HTTP/1.1\nHost:h\nX:1\n  2\nX:3\n\nbody");
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.target, "/a b");
    ASSERT_EQ(req.headers.size(), 3u);
    EXPECT_EQ(req.headers[1].second, "1\n  2");
    EXPECT_EQ(req.headers[2].second, "3");
    EXPECT_EQ(req.body, "body");
}

// ---------------------------------------------------------------------------
// Our own cases.

const auth::credentials example_creds{
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "test"};

std::string hex(const std::array<std::uint8_t, 32>& k) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : k) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

http::request simple_get() {
    http::request req;
    req.method = "GET";
    req.target = "/";
    req.headers = {{"Host", "example.amazonaws.com"}};
    req.body.clear();
    return req;
}

TEST(signer_key, matches_the_aws_documentation_example) {
    // The derivation example of the AWS General Reference (20150830,
    // us-east-1, iam).
    signer s("us-east-1", "iam");
    auto key = s.signing_key(example_creds.secret_access_key, "20150830");
    ASSERT_TRUE(key);
    EXPECT_EQ(hex(*key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(signer_key, is_derived_once_per_day_and_reused) {
    signer s("us-east-1", "swf");
    const time_point morning = utc(2024, 1, 2, 3, 4, 5);

    http::request a = simple_get();
    http::request b = simple_get();
    auto ra = s.sign(a, example_creds, morning);
    auto rb = s.sign(b, example_creds, morning + std::chrono::hours{5});
    ASSERT_TRUE(ra);
    ASSERT_TRUE(rb);
    EXPECT_EQ(s.key_derivations(), 1u);

    http::request c = simple_get();
    auto rc = s.sign(c, example_creds, morning);
    ASSERT_TRUE(rc);
    EXPECT_EQ(rc->signature, ra->signature);
    EXPECT_EQ(s.key_derivations(), 1u);

    auto day1 = s.signing_key(example_creds.secret_access_key, "20240102");
    auto day2 = s.signing_key(example_creds.secret_access_key, "20240103");
    ASSERT_TRUE(day1);
    ASSERT_TRUE(day2);
    EXPECT_NE(*day1, *day2);
    EXPECT_EQ(s.key_derivations(), 2u);

    // Crossing midnight signs with the new day's key.
    http::request d = simple_get();
    auto rd = s.sign(d, example_creds, utc(2024, 1, 3, 0, 0, 1));
    ASSERT_TRUE(rd);
    EXPECT_EQ(s.key_derivations(), 2u); // 20240103 was cached just above
    EXPECT_NE(rd->signature, ra->signature);
}

TEST(signer_key, a_new_secret_derives_a_new_key) {
    signer s("us-east-1", "swf");
    auth::credentials other = example_creds;
    other.secret_access_key = "another-secret";
    auto k1 = s.signing_key(example_creds.secret_access_key, "20240102");
    auto k2 = s.signing_key(other.secret_access_key, "20240102");
    ASSERT_TRUE(k1);
    ASSERT_TRUE(k2);
    EXPECT_NE(*k1, *k2);
    // Both stay cached through a rotation.
    ASSERT_TRUE(s.signing_key(example_creds.secret_access_key, "20240102"));
    ASSERT_TRUE(s.signing_key(other.secret_access_key, "20240102"));
    EXPECT_EQ(s.key_derivations(), 2u);
}

TEST(signer, adds_and_signs_the_session_token) {
    signer s("us-east-1", "swf");
    auth::credentials temp = example_creds;
    temp.session_token = "FQoGZXIvYXdzEXAMPLE//token+with/slashes=";
    http::request req = simple_get();
    auto res = s.sign(req, temp, utc(2024, 1, 2, 3, 4, 5));
    ASSERT_TRUE(res);
    EXPECT_EQ(header(req, "X-Amz-Security-Token"), temp.session_token);
    EXPECT_NE(res->canonical_request.find("\nx-amz-security-token:" + temp.session_token + "\n"),
              std::string::npos);
    EXPECT_NE(header(req, "Authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
              std::string::npos);

    http::request no_token = simple_get();
    ASSERT_TRUE(s.sign(no_token, example_creds, utc(2024, 1, 2, 3, 4, 5)));
    EXPECT_EQ(header_count(no_token, "X-Amz-Security-Token"), 0u);
}

TEST(signer, resigning_a_retried_request_replaces_the_signing_headers) {
    signer s("us-east-1", "swf");
    auth::credentials temp = example_creds;
    temp.session_token = "token";
    http::request req = simple_get();
    ASSERT_TRUE(s.sign(req, temp, utc(2024, 1, 2, 3, 4, 5)));
    auto second = s.sign(req, temp, utc(2024, 1, 2, 3, 9, 5));
    ASSERT_TRUE(second);
    EXPECT_EQ(header_count(req, "Authorization"), 1u);
    EXPECT_EQ(header_count(req, "X-Amz-Date"), 1u);
    EXPECT_EQ(header_count(req, "X-Amz-Security-Token"), 1u);
    EXPECT_EQ(header(req, "X-Amz-Date"), "20240102T030905Z");

    http::request fresh = simple_get();
    auto direct = s.sign(fresh, temp, utc(2024, 1, 2, 3, 9, 5));
    ASSERT_TRUE(direct);
    EXPECT_EQ(second->signature, direct->signature);
}

TEST(signer, rejects_a_request_without_host_and_empty_credentials) {
    signer s("us-east-1", "swf");
    http::request req;
    req.headers.clear();
    auto no_host = s.sign(req, example_creds, utc(2024, 1, 2, 3, 4, 5));
    ASSERT_FALSE(no_host);
    EXPECT_EQ(no_host.error().kind, error_kind::validation);
    EXPECT_TRUE(req.headers.empty());

    http::request ok = simple_get();
    auto no_creds = s.sign(ok, auth::credentials{}, utc(2024, 1, 2, 3, 4, 5));
    ASSERT_FALSE(no_creds);
    EXPECT_EQ(no_creds.error().kind, error_kind::auth);
}

// Same request, credentials and time as bench/sign_baseline.py; the expected
// signature was produced by botocore 1.43.11 SigV4Auth from that script.
TEST(signer, swf_poll_for_decision_task_has_a_stable_signature) {
    http::request req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"Host", "swf.us-east-1.amazonaws.com"},
                   {"Content-Type", "application/x-amz-json-1.0"},
                   {"X-Amz-Target", "SimpleWorkflowService.PollForDecisionTask"}};
    req.body =
        R"({"domain":"orders-prod","taskList":{"name":"order-decisions"},)"
        R"("identity":"worker-7f3c@ip-10-0-12-34.ec2.internal:4242","maximumPageSize":1000,)"
        R"("reverseOrder":false,"startAtPreviousStartedEvent":true,)"
        R"("nextPageToken":"AAAAKgAAAAIAAAAAAAAAAzsvvH5L7tEXAMPLEtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="})";
    auth::credentials creds;
    creds.access_key_id = "ASIAEXAMPLEEXAMPLE01";
    creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    creds.session_token =
        "IQoJb3JpZ2luX2VjEXAMPLEaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexample"
        "AiBexampleexampleexampleexampleexampleexampleKpwDCBAQARoMMTIzNDU2Nzg5MDEyIgxexample"
        "exampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexample==";

    signer s("us-east-1", "swf");
    auto res = s.sign(req, creds, utc(2024, 1, 2, 3, 4, 5));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->signature, "f9c8e179693de65e876fa1eeef3748498c235a615cc62317da7c83452b16d9f7");
    EXPECT_EQ(header(req, "Authorization"),
              "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE01/20240102/us-east-1/swf/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
              "Signature=f9c8e179693de65e876fa1eeef3748498c235a615cc62317da7c83452b16d9f7");
    EXPECT_EQ(header(req, "X-Amz-Date"), "20240102T030405Z");
}

TEST(signer, signs_the_same_from_many_threads) {
    signer s("us-east-1", "swf");
    http::request base = simple_get();
    http::request first = base;
    auto expected = s.sign(first, example_creds, utc(2024, 1, 2, 3, 4, 5));
    ASSERT_TRUE(expected);

    std::vector<std::string> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < seen.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                http::request r = base;
                // Alternate days so the cache is written while others read it.
                auto res = s.sign(r, example_creds, utc(2024, 1, 2 + unsigned(i % 2), 3, 4, 5));
                if (!res) return;
                if (i % 2 == 0) seen[t] = res->signature;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    for (const auto& sig : seen)
        EXPECT_EQ(sig, expected->signature);
}

TEST(signer, presign_keeps_existing_query_and_uses_expiration) {
    auth::signing_options o;
    o.expiration = std::chrono::seconds{900};
    signer s("us-east-1", "swf", o);
    http::request req = simple_get();
    req.target = "/path?b=2&a=1";
    auto res = s.presign(req, example_creds, utc(2024, 1, 2, 3, 4, 5));
    ASSERT_TRUE(res);
    EXPECT_EQ(req.target.rfind("/path?b=2&a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&", 0), 0u);
    EXPECT_NE(req.target.find("&X-Amz-Expires=900&"), std::string::npos);
    EXPECT_NE(req.target.find("&X-Amz-Signature=" + res->signature), std::string::npos);
    // Byte order: upper-case "X-Amz-*" sorts before "a" and "b".
    EXPECT_NE(res->canonical_request.find("&X-Amz-SignedHeaders=host&a=1&b=2\n"), std::string::npos);
    EXPECT_EQ(header_count(req, "Authorization"), 0u);
}

TEST(signer, s3_defaults_neither_normalise_nor_double_encode) {
    const auto s3 = auth::signing_options::for_service("s3");
    EXPECT_FALSE(s3.normalize_path);
    EXPECT_FALSE(s3.double_encode_path);
    const auto swf = auth::signing_options::for_service("swf");
    EXPECT_TRUE(swf.normalize_path);
    EXPECT_TRUE(swf.double_encode_path);
}

TEST(signer, sign_body_adds_the_payload_hash) {
    auth::signing_options o;
    o.sign_body = true;
    signer s("us-east-1", "swf", o);
    http::request req = simple_get();
    req.body = "Param1=value1";
    ASSERT_TRUE(s.sign(req, example_creds, utc(2024, 1, 2, 3, 4, 5)));
    EXPECT_EQ(header(req, "x-amz-content-sha256"),
              "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

TEST(canonical, path_normalisation_and_encoding) {
    using auth::canonical_path;
    EXPECT_EQ(canonical_path("", true, true), "/");
    EXPECT_EQ(canonical_path("/a/b/../c/./d", true, true), "/a/c/d");
    EXPECT_EQ(canonical_path("/a/b/..", true, true), "/a");
    EXPECT_EQ(canonical_path("/../../x", true, true), "/x");
    EXPECT_EQ(canonical_path("//a//b//", true, true), "/a/b/");
    EXPECT_EQ(canonical_path("//a//b//", false, true), "//a//b//");
    // Double encoding: the target is already encoded, AWS encodes it again.
    EXPECT_EQ(canonical_path("/a%20b", true, true), "/a%2520b");
    EXPECT_EQ(canonical_path("/a%20b", false, false), "/a%20b");
    EXPECT_EQ(canonical_path("/a b:c", true, true), "/a%20b%3Ac");
    EXPECT_EQ(canonical_path("rel", false, true), "/rel");
}

TEST(canonical, query_sorting_and_encoding) {
    using auth::canonical_query;
    EXPECT_EQ(canonical_query(""), "");
    EXPECT_EQ(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
    EXPECT_EQ(canonical_query("flag&x="), "flag=&x=");
    EXPECT_EQ(canonical_query("&&k=v&"), "k=v");
    EXPECT_EQ(canonical_query("k=a%2fb"), "k=a%2Fb");
    EXPECT_EQ(canonical_query("k=a b+c"), "k=a%20b%2Bc");
    EXPECT_EQ(canonical_query("k=%zz%4"), "k=%25zz%254");
    EXPECT_EQ(canonical_query("k=a=b"), "k=a%3Db");
    // Sorted by the encoded key: "%" (0x25) sorts before letters.
    EXPECT_EQ(canonical_query("a=1&%C3%A9=2"), "%C3%A9=2&a=1");
}

TEST(canonical, header_values_are_trimmed_and_collapsed) {
    using auth::canonical_header_value;
    EXPECT_EQ(canonical_header_value("  a   b\t\tc  "), "a b c");
    EXPECT_EQ(canonical_header_value("value1\r\n  value2\n     value3"), "value1 value2 value3");
    EXPECT_EQ(canonical_header_value(" \t "), "");
    EXPECT_EQ(canonical_header_value("\"a   b\""), "\"a b\"");
}

TEST(canonical, amz_date_and_sha256) {
    EXPECT_EQ(auth::amz_date(utc(2015, 8, 30, 12, 36, 0)), "20150830T123600Z");
    EXPECT_EQ(auth::amz_date(utc(2024, 1, 2, 3, 4, 5) + std::chrono::milliseconds{999}), "20240102T030405Z");
    EXPECT_EQ(auth::amz_date(utc(1970, 1, 1, 0, 0, 0)), "19700101T000000Z");
    EXPECT_EQ(auth::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

} // namespace
