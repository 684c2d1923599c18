// Environment and static providers, and the shared parsers (ISO 8601, the
// credentials JSON documents).
#include "swf/auth/provider.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>

namespace auth = swfrt::swf::auth;
using namespace std::chrono_literals;

namespace {


template <class T> T run(boost::asio::awaitable<T> a) { return swfrt::testing::run(std::move(a), 5s); }

std::chrono::system_clock::time_point utc(int y, unsigned m, unsigned d, int h, int mi, int s) {
    return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{h} +
           std::chrono::minutes{mi} + std::chrono::seconds{s};
}

} // namespace

TEST(environment_provider, reads_keys_and_session_token) {
    auth::environment_provider p(auth::map_env({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                {"AWS_SECRET_ACCESS_KEY", "secret-env"},
                                                {"AWS_SESSION_TOKEN", "token-env"}}));
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "AKIDENV");
    EXPECT_EQ(r->secret_access_key, "secret-env");
    EXPECT_EQ(r->session_token, "token-env");
    EXPECT_FALSE(r->expiration);
    EXPECT_EQ(r->provider, "environment");
}

TEST(environment_provider, accepts_legacy_names) {
    auth::environment_provider p(
        auth::map_env({{"AWS_ACCESS_KEY", "AKIDOLD"}, {"AWS_SECRET_KEY", "secret-old"}}));
    auto r = p.load();
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "AKIDOLD");
    EXPECT_EQ(r->secret_access_key, "secret-old");
    EXPECT_TRUE(r->session_token.empty());
}

TEST(environment_provider, standard_names_win_over_legacy) {
    auth::environment_provider p(auth::map_env({{"AWS_ACCESS_KEY_ID", "AKIDNEW"},
                                                {"AWS_ACCESS_KEY", "AKIDOLD"},
                                                {"AWS_SECRET_ACCESS_KEY", "new"},
                                                {"AWS_SECRET_KEY", "old"}}));
    auto r = p.load();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDNEW");
    EXPECT_EQ(r->secret_access_key, "new");
}

TEST(environment_provider, nothing_set_is_not_found) {
    auth::environment_provider p(auth::map_env({{"HOME", "/nowhere"}}));
    auto r = p.load();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    EXPECT_EQ(r.error().kind, swfrt::swf::error_kind::auth);
}

TEST(environment_provider, empty_values_count_as_unset) {
    auth::environment_provider p(auth::map_env({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}}));
    auto r = p.load();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
}

TEST(environment_provider, half_configured_is_a_clear_error_without_the_secret) {
    auth::environment_provider only_secret(auth::map_env({{"AWS_SECRET_ACCESS_KEY", "s3cr3t-value"}}));
    auto r = only_secret.load();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
    EXPECT_NE(r.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
    EXPECT_EQ(r.error().message.find("s3cr3t-value"), std::string::npos);

    auth::environment_provider only_id(auth::map_env({{"AWS_ACCESS_KEY_ID", "AKID"}}));
    auto r2 = only_id.load();
    ASSERT_FALSE(r2);
    EXPECT_NE(r2.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(environment_provider, reads_expiration) {
    auth::environment_provider p(auth::map_env({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                {"AWS_SECRET_ACCESS_KEY", "s"},
                                                {"AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z"}}));
    auto r = p.load();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->expiration);
    EXPECT_EQ(*r->expiration, utc(2030, 1, 2, 3, 4, 5));

    auth::environment_provider bad(auth::map_env({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                  {"AWS_SECRET_ACCESS_KEY", "s"},
                                                  {"AWS_CREDENTIAL_EXPIRATION", "tomorrow"}}));
    auto r2 = bad.load();
    ASSERT_FALSE(r2);
    EXPECT_NE(r2.error().message.find("AWS_CREDENTIAL_EXPIRATION"), std::string::npos);
}

TEST(static_provider, returns_its_credentials) {
    auth::credentials c;
    c.access_key_id = "AKIDSTATIC";
    c.secret_access_key = "s";
    auth::static_provider p(c);
    auto r = run(p.fetch());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDSTATIC");
    EXPECT_EQ(r->provider, "static");

    auth::static_provider empty(auth::credentials{});
    auto r2 = run(empty.fetch());
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, auth::invalid_credentials);
}

TEST(parse_iso8601, years_past_the_clock_range_do_not_overflow) {
    // 4048 once overflowed the nanosecond count (found by inputs_fuzz).
    EXPECT_EQ(auth::parse_iso8601("4048-02-29T23:59:60.999999+14:00"),
              std::chrono::system_clock::time_point::max());
    EXPECT_EQ(auth::parse_iso8601("9999-12-31T23:59:59Z"), std::chrono::system_clock::time_point::max());
    EXPECT_FALSE(auth::parse_iso8601("0001-01-01T00:00:00Z"));
    EXPECT_TRUE(auth::parse_iso8601("2200-01-01T00:00:00Z"));
}

TEST(parse_iso8601, accepts_the_forms_credential_sources_write) {
    EXPECT_EQ(auth::parse_iso8601("2024-05-01T12:00:00Z"), utc(2024, 5, 1, 12, 0, 0));
    EXPECT_EQ(auth::parse_iso8601("2024-05-01T12:00:00.250Z"), utc(2024, 5, 1, 12, 0, 0) + 250ms);
    EXPECT_EQ(auth::parse_iso8601("2024-05-01T12:00:00.123456789Z"),
              utc(2024, 5, 1, 12, 0, 0) + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                              std::chrono::nanoseconds{123456789}));
    EXPECT_EQ(auth::parse_iso8601("2024-05-01T14:30:00+02:30"), utc(2024, 5, 1, 12, 0, 0));
    EXPECT_EQ(auth::parse_iso8601("2024-05-01T10:00:00-0200"), utc(2024, 5, 1, 12, 0, 0));
    EXPECT_EQ(auth::parse_iso8601("2024-05-01t12:00:00z"), utc(2024, 5, 1, 12, 0, 0));
    EXPECT_EQ(auth::parse_iso8601(" 2024-02-29T00:00:00Z\n"), utc(2024, 2, 29, 0, 0, 0));
}

TEST(parse_iso8601, rejects_malformed_text) {
    for (const char* bad :
         {"", "2024-05-01", "2024-05-01T12:00Z", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
          "2024-05-01T24:00:00Z", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00Zjunk",
          "2024-05-01T12:00:00+2", "1715000000", "2024/05/01T12:00:00Z"}) {
        EXPECT_FALSE(auth::parse_iso8601(bad)) << bad;
    }
}

TEST(parse_credentials_json, reads_container_and_imds_documents) {
    auto r = auth::parse_credentials_json(
        R"({"Code":"Success","LastUpdated":"2024-05-01T11:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIA1",)"
        R"("SecretAccessKey":"sec","Token":"tok","Expiration":"2024-05-01T18:00:00Z","Extra":{"a":[1,2]}})",
        "Token", "imds");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIA1");
    EXPECT_EQ(r->secret_access_key, "sec");
    EXPECT_EQ(r->session_token, "tok");
    EXPECT_EQ(r->expiration, utc(2024, 5, 1, 18, 0, 0));
    EXPECT_EQ(r->provider, "imds");
}

TEST(parse_credentials_json, reports_problems_without_echoing_the_document) {
    auto not_json = auth::parse_credentials_json("{\"SecretAccessKey\":\"SECRET123\"", "Token", "container");
    ASSERT_FALSE(not_json);
    EXPECT_EQ(not_json.error().message.find("SECRET123"), std::string::npos);

    auto missing = auth::parse_credentials_json(R"({"SecretAccessKey":"SECRET123"})", "Token", "container");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("AccessKeyId"), std::string::npos);
    EXPECT_EQ(missing.error().message.find("SECRET123"), std::string::npos);

    auto failed = auth::parse_credentials_json(R"({"Code":"AssumeRoleUnauthorizedAccess"})", "Token", "imds");
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("AssumeRoleUnauthorizedAccess"), std::string::npos);

    auto trailing =
        auth::parse_credentials_json(R"({"AccessKeyId":"a","SecretAccessKey":"b"} x)", "Token", "imds");
    EXPECT_FALSE(trailing);

    auto bad_exp = auth::parse_credentials_json(
        R"({"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"soon"})", "Token", "x");
    ASSERT_FALSE(bad_exp);
    EXPECT_NE(bad_exp.error().message.find("Expiration"), std::string::npos);

    auto array = auth::parse_credentials_json("[1]", "Token", "x");
    EXPECT_FALSE(array);
}

TEST(parse_credentials_json, process_documents_need_version_1) {
    auto ok = auth::parse_credentials_json(
        R"({"Version":1,"AccessKeyId":"a","SecretAccessKey":"b","SessionToken":"t"})", "SessionToken",
        "credential_process");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->session_token, "t");
    auto v2 = auth::parse_credentials_json(R"({"Version":2,"AccessKeyId":"a","SecretAccessKey":"b"})",
                                           "SessionToken", "credential_process");
    ASSERT_FALSE(v2);
    EXPECT_NE(v2.error().message.find("Version 2"), std::string::npos);
    auto none = auth::parse_credentials_json(R"({"AccessKeyId":"a","SecretAccessKey":"b"})", "SessionToken",
                                             "credential_process");
    EXPECT_FALSE(none);
}
