// Shared config/credentials files: parsing rules, profile selection, merging
// and the profile provider.
#include "swf/auth/profile.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>

namespace auth = swfrt::swf::auth;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {


template <class T> T run(boost::asio::awaitable<T> a) { return swfrt::testing::run(std::move(a), 10s); }

// A fake home directory with .aws/ files, removed afterwards.
class aws_home : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "swfrt-auth-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        home_ = tmpl;
        fs::create_directories(home_ / ".aws");
    }
    void TearDown() override { fs::remove_all(home_); }

    void write(const fs::path& rel, std::string_view text) {
        std::ofstream(home_ / rel, std::ios::binary) << text;
    }
    void credentials_file(std::string_view text) { write(".aws/credentials", text); }
    void config_file(std::string_view text) { write(".aws/config", text); }

    auth::env_lookup env(std::map<std::string, std::string, std::less<>> vars = {}) {
        vars.emplace("HOME", home_.string());
        return auth::map_env(std::move(vars));
    }

    fs::path home_;
};

} // namespace

// ---------------------------------------------------------------- parsing

TEST(parse_profile_file, credentials_file_sections_and_comments) {
    auto r = auth::parse_profile_file("# leading comment\n"
                                      "; another\n"
                                      "[default]\n"
                                      "aws_access_key_id = AKIDDEFAULT   \n"
                                      "aws_secret_access_key=secret   ; trailing comment\n"
                                      "\n"
                                      "[ work ]   # comment after section\r\n"
                                      "AWS_Access_Key_Id\t=\tAKIDWORK\r\n"
                                      "aws_secret_access_key = abc#def;ghi\r\n",
                                      auth::profile_file_kind::credentials);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ(r->at("default").at("aws_access_key_id"), "AKIDDEFAULT");
    EXPECT_EQ(r->at("default").at("aws_secret_access_key"), "secret");
    EXPECT_EQ(r->at("work").at("aws_access_key_id"), "AKIDWORK");
    // '#' and ';' not preceded by whitespace are part of the value.
    EXPECT_EQ(r->at("work").at("aws_secret_access_key"), "abc#def;ghi");
}

TEST(parse_profile_file, config_file_needs_the_profile_prefix) {
    auto r = auth::parse_profile_file("[default]\nregion = us-east-1\n"
                                      "[profile dev]\nregion = eu-west-1\n"
                                      "[plain]\nregion = ignored\n"
                                      "[sso-session corp]\nsso_region = us-east-1\n"
                                      "[profile   spaced  ]\nregion = ap-south-1\n"
                                      "[profilex]\nregion = ignored\n",
                                      auth::profile_file_kind::config);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->size(), 3u);
    EXPECT_EQ(r->at("default").at("region"), "us-east-1");
    EXPECT_EQ(r->at("dev").at("region"), "eu-west-1");
    EXPECT_EQ(r->at("spaced").at("region"), "ap-south-1");
    EXPECT_FALSE(r->contains("plain"));
    EXPECT_FALSE(r->contains("corp"));
    EXPECT_FALSE(r->contains("profilex"));
}

TEST(parse_profile_file, profile_default_beats_bare_default_in_config) {
    auto r =
        auth::parse_profile_file("[profile default]\nregion = us-west-2\n[default]\nregion = us-east-1\n",
                                 auth::profile_file_kind::config);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->at("default").at("region"), "us-west-2");
    auto r2 =
        auth::parse_profile_file("[default]\nregion = us-east-1\noutput = json\n[profile default]\nregion = "
                                 "us-west-2\n",
                                 auth::profile_file_kind::config);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->at("default").at("region"), "us-west-2");
    EXPECT_FALSE(r2->at("default").contains("output"));
}

TEST(parse_profile_file, sub_properties_and_continuations) {
    auto r = auth::parse_profile_file(
        "[profile p]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n"
        "region = us-east-1\n",
        auth::profile_file_kind::config);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->at("p").at("s3.max_concurrent_requests"), "20");
    EXPECT_EQ(r->at("p").at("s3.addressing_style"), "path");
    EXPECT_EQ(r->at("p").at("region"), "us-east-1");
}

TEST(parse_profile_file, indented_line_after_a_value_continues_it) {
    auto r = auth::parse_profile_file("[default]\nfoo = first\n  second line\nbar = x\n",
                                      auth::profile_file_kind::credentials);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->at("default").at("foo"), "first\nsecond line");
    EXPECT_EQ(r->at("default").at("bar"), "x");
}

TEST(parse_profile_file, later_duplicates_win) {
    auto r = auth::parse_profile_file("[a]\nx = 1\n[b]\nx = 2\n[a]\nx = 3\ny = 4\n",
                                      auth::profile_file_kind::credentials);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->at("a").at("x"), "3");
    EXPECT_EQ(r->at("a").at("y"), "4");
}

TEST(parse_profile_file, malformed_lines_name_the_file_and_line) {
    auto r = auth::parse_profile_file("[default]\naws_access_key_id = A\nthis line has no equals\n",
                                      auth::profile_file_kind::credentials, "/x/credentials");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
    EXPECT_NE(r.error().message.find("/x/credentials:3"), std::string::npos) << r.error().message;

    auto outside = auth::parse_profile_file("region = us-east-1\n", auth::profile_file_kind::config, "cfg");
    ASSERT_FALSE(outside);
    EXPECT_NE(outside.error().message.find("cfg:1"), std::string::npos);

    auto unclosed = auth::parse_profile_file("[default\n", auth::profile_file_kind::config, "cfg");
    ASSERT_FALSE(unclosed);
}

// ---------------------------------------------------------------- files

TEST_F(aws_home, default_paths_come_from_home) {
    auto p = auth::resolve_shared_file_paths(env());
    EXPECT_EQ(p.credentials, (home_ / ".aws/credentials").string());
    EXPECT_EQ(p.config, (home_ / ".aws/config").string());

    auto q = auth::resolve_shared_file_paths(
        env({{"AWS_SHARED_CREDENTIALS_FILE", "~/creds"}, {"AWS_CONFIG_FILE", "/etc/aws.conf"}}));
    EXPECT_EQ(q.credentials, (home_ / "creds").string());
    EXPECT_EQ(q.config, "/etc/aws.conf");

    auto none = auth::resolve_shared_file_paths(auth::map_env({}));
    EXPECT_TRUE(none.credentials.empty());
    EXPECT_TRUE(none.config.empty());
}

TEST_F(aws_home, profile_name_resolution) {
    EXPECT_EQ(auth::resolve_profile_name(env(), std::nullopt), "default");
    EXPECT_EQ(auth::resolve_profile_name(env({{"AWS_PROFILE", "dev"}}), std::nullopt), "dev");
    EXPECT_EQ(auth::resolve_profile_name(env({{"AWS_PROFILE", "dev"}}), std::string("ops")), "ops");
}

TEST_F(aws_home, default_profile_from_credentials_file) {
    credentials_file("[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = secdef\n"
                     "aws_session_token = tokdef\n");
    auth::profile_provider p(env());
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "AKIDDEF");
    EXPECT_EQ(r->secret_access_key, "secdef");
    EXPECT_EQ(r->session_token, "tokdef");
    EXPECT_EQ(r->provider, "profile");
}

TEST_F(aws_home, named_profile_via_aws_profile) {
    credentials_file("[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = secdef\n"
                     "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = secdev\n");
    auth::profile_provider p(env({{"AWS_PROFILE", "dev"}}));
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "AKIDDEV");

    auth::profile_provider explicit_name(env({{"AWS_PROFILE", "dev"}}), std::string("default"));
    auto r2 = run(explicit_name.fetch());
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->access_key_id, "AKIDDEF");
}

TEST_F(aws_home, profile_section_in_config_file) {
    config_file("[profile ops]\nregion = eu-central-1\naws_access_key_id = AKIDCFG\naws_secret_access_key = "
                "seccfg\n");
    auth::profile_provider p(env({{"AWS_PROFILE", "ops"}}));
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "AKIDCFG");

    auto prof = auth::load_profile(env(), "ops");
    ASSERT_TRUE(prof);
    EXPECT_EQ(*prof->get("region"), "eu-central-1");
    EXPECT_EQ(prof->sources, std::vector<std::string>{(home_ / ".aws/config").string()});
}

TEST_F(aws_home, credentials_file_overrides_config_file) {
    config_file(
        "[default]\nregion = us-west-2\naws_access_key_id = AKIDCFG\naws_secret_access_key = seccfg\n");
    credentials_file("[default]\naws_access_key_id = AKIDCRED\n");
    auto prof = auth::load_profile(env(), "default");
    ASSERT_TRUE(prof) << prof.error().to_string();
    EXPECT_EQ(*prof->get("aws_access_key_id"), "AKIDCRED");
    EXPECT_EQ(*prof->get("aws_secret_access_key"), "seccfg");
    EXPECT_EQ(*prof->get("region"), "us-west-2");
    EXPECT_EQ(prof->sources.size(), 2u);
}

TEST_F(aws_home, files_named_by_environment) {
    write("elsewhere-creds", "[default]\naws_access_key_id = AKIDELSE\naws_secret_access_key = s\n");
    credentials_file("[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = s\n");
    auth::profile_provider p(env({{"AWS_SHARED_CREDENTIALS_FILE", (home_ / "elsewhere-creds").string()}}));
    auto r = run(p.fetch());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDELSE");
}

TEST_F(aws_home, missing_files_are_not_found) {
    auth::profile_provider p(env());
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    EXPECT_NE(r.error().message.find(".aws/credentials"), std::string::npos) << r.error().message;
}

TEST_F(aws_home, missing_profile_is_named) {
    credentials_file("[default]\naws_access_key_id = A\naws_secret_access_key = s\n");
    auth::profile_provider p(env({{"AWS_PROFILE", "nope"}}));
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    EXPECT_NE(r.error().message.find("'nope'"), std::string::npos) << r.error().message;
}

TEST_F(aws_home, missing_secret_is_a_clear_error) {
    credentials_file("[default]\naws_access_key_id = AKIDONLY\n");
    auth::profile_provider p(env());
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
    EXPECT_NE(r.error().message.find("aws_secret_access_key"), std::string::npos) << r.error().message;

    credentials_file("[default]\naws_secret_access_key = TOPSECRET\n");
    auto r2 = run(p.fetch());
    ASSERT_FALSE(r2);
    EXPECT_NE(r2.error().message.find("aws_access_key_id"), std::string::npos);
    EXPECT_EQ(r2.error().message.find("TOPSECRET"), std::string::npos);
}

TEST_F(aws_home, profile_without_credentials) {
    config_file("[default]\nregion = us-east-1\n");
    auth::profile_provider p(env());
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    EXPECT_NE(r.error().message.find("credential_process"), std::string::npos);
}

TEST_F(aws_home, assume_role_profiles_are_reported_as_unsupported) {
    config_file("[profile r]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n");
    auth::profile_provider p(env({{"AWS_PROFILE", "r"}}));
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
    EXPECT_NE(r.error().message.find("role_arn"), std::string::npos);
}

TEST_F(aws_home, malformed_file_is_an_error_with_location) {
    credentials_file("[default]\naws_access_key_id = A\ngarbage\n");
    auth::profile_provider p(env());
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
    EXPECT_NE(r.error().message.find("credentials:3"), std::string::npos) << r.error().message;
}

TEST_F(aws_home, edited_files_are_picked_up_on_the_next_fetch) {
    credentials_file("[default]\naws_access_key_id = AKID1\naws_secret_access_key = s\n");
    auth::profile_provider p(env());
    auto r1 = run(p.fetch());
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->access_key_id, "AKID1");
    credentials_file("[default]\naws_access_key_id = AKID2\naws_secret_access_key = s\n");
    auto r2 = run(p.fetch());
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->access_key_id, "AKID2");
}

TEST_F(aws_home, a_device_or_directory_as_a_shared_file_is_refused_not_read_forever) {
    // /dev/zero would be read until memory ran out.
    for (const std::string& path : {std::string("/dev/zero"), home_.string()}) {
        auto p = auth::load_profile(env({{"AWS_CONFIG_FILE", path}}), "default");
        ASSERT_FALSE(p) << path;
        EXPECT_NE(p.error().message.find("cannot read " + path), std::string::npos) << p.error().message;
    }
    EXPECT_FALSE(auth::read_bounded_file("/dev/zero", 1024));
    EXPECT_EQ(auth::read_bounded_file("/dev/null", 1024), std::optional<std::string>(""));
    write(".aws/big", std::string(2048, 'x'));
    EXPECT_FALSE(auth::read_bounded_file((home_ / ".aws/big").string(), 1024));
    auto ok = auth::read_bounded_file((home_ / ".aws/big").string(), 4096);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->size(), 2048u);
}
