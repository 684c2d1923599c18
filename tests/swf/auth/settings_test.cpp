// Region and endpoint resolution order, defaults and errors.
#include "swf/auth/settings.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace auth = swfrt::swf::auth;
namespace fs = std::filesystem;

namespace {

class settings : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "swfrt-settings-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        home_ = tmpl;
        fs::create_directories(home_ / ".aws");
    }
    void TearDown() override { fs::remove_all(home_); }

    void config_file(std::string_view text) { std::ofstream(home_ / ".aws/config") << text; }
    void credentials_file(std::string_view text) { std::ofstream(home_ / ".aws/credentials") << text; }

    auth::env_lookup env(std::map<std::string, std::string, std::less<>> vars = {}) {
        vars.emplace("HOME", home_.string());
        return auth::map_env(std::move(vars));
    }

    auth::client_settings resolve(const auth::env_lookup& e, const auth::settings_overrides& o = {}) {
        auto r = auth::resolve_settings(e, o);
        if (!r) throw std::runtime_error(r.error().to_string());
        return *r;
    }

    fs::path home_;
};

} // namespace

TEST_F(settings, region_order) {
    config_file("[default]\nregion = eu-west-1\n");
    EXPECT_EQ(resolve(env()).region, "eu-west-1");
    EXPECT_EQ(resolve(env({{"AWS_DEFAULT_REGION", "us-west-1"}})).region, "us-west-1");
    EXPECT_EQ(resolve(env({{"AWS_DEFAULT_REGION", "us-west-1"}, {"AWS_REGION", "us-west-2"}})).region,
              "us-west-2");
    auth::settings_overrides o;
    o.region = "ap-northeast-1";
    EXPECT_EQ(resolve(env({{"AWS_DEFAULT_REGION", "us-west-1"}, {"AWS_REGION", "us-west-2"}}), o).region,
              "ap-northeast-1");
}

TEST_F(settings, region_from_the_selected_profile) {
    config_file("[default]\nregion = eu-west-1\n[profile dev]\nregion = sa-east-1\n");
    auto s = resolve(env({{"AWS_PROFILE", "dev"}}));
    EXPECT_EQ(s.region, "sa-east-1");
    EXPECT_EQ(s.profile, "dev");

    auth::settings_overrides o;
    o.profile = "default";
    auto s2 = resolve(env({{"AWS_PROFILE", "dev"}}), o);
    EXPECT_EQ(s2.region, "eu-west-1");
    EXPECT_EQ(s2.profile, "default");
}

TEST_F(settings, credentials_file_region_overrides_config) {
    config_file("[default]\nregion = eu-west-1\n");
    credentials_file("[default]\nregion = eu-north-1\n");
    EXPECT_EQ(resolve(env()).region, "eu-north-1");
}

TEST_F(settings, missing_region_says_how_to_set_it) {
    auto r = auth::resolve_settings(env());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, swfrt::swf::error_kind::validation);
    EXPECT_EQ(r.error().code, "MissingRegion");
    EXPECT_NE(r.error().message.find("AWS_REGION"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("region"), std::string::npos);
    EXPECT_NE(r.error().message.find("'default'"), std::string::npos);

    auto named = auth::resolve_settings(env({{"AWS_PROFILE", "ghost"}}));
    ASSERT_FALSE(named);
    EXPECT_NE(named.error().message.find("'ghost'"), std::string::npos) << named.error().message;
}

TEST_F(settings, invalid_region_is_rejected) {
    auto r = auth::resolve_settings(env({{"AWS_REGION", "us-east-1.evil.com/"}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InvalidRegion");
    EXPECT_NE(r.error().message.find("AWS_REGION"), std::string::npos);
}

TEST_F(settings, default_endpoints) {
    EXPECT_EQ(resolve(env({{"AWS_REGION", "us-east-1"}})).endpoint_url,
              "https://swf.us-east-1.amazonaws.com");
    EXPECT_EQ(resolve(env({{"AWS_REGION", "cn-north-1"}})).endpoint_url,
              "https://swf.cn-north-1.amazonaws.com.cn");
    EXPECT_EQ(resolve(env({{"AWS_REGION", "us-gov-west-1"}})).endpoint_url,
              "https://swf.us-gov-west-1.amazonaws.com");
    EXPECT_EQ(resolve(env({{"AWS_REGION", "us-east-1"}, {"AWS_USE_FIPS_ENDPOINT", "true"}})).endpoint_url,
              "https://swf-fips.us-east-1.amazonaws.com");
    EXPECT_EQ(auth::default_endpoint("us-iso-east-1"), "https://swf.us-iso-east-1.c2s.ic.gov");
}

TEST_F(settings, fips_from_profile) {
    config_file("[default]\nregion = us-west-2\nuse_fips_endpoint = TRUE\n");
    EXPECT_EQ(resolve(env()).endpoint_url, "https://swf-fips.us-west-2.amazonaws.com");
}

TEST_F(settings, endpoint_order) {
    config_file("[default]\nregion = us-east-1\nendpoint_url = http://profile.local:1000\n");
    EXPECT_EQ(resolve(env()).endpoint_url, "http://profile.local:1000");
    EXPECT_EQ(resolve(env({{"AWS_ENDPOINT_URL", "http://global.local:2000/"}})).endpoint_url,
              "http://global.local:2000");
    EXPECT_EQ(resolve(env({{"AWS_ENDPOINT_URL", "http://global.local:2000"},
                           {"AWS_ENDPOINT_URL_SWF", "http://127.0.0.1:3000"}}))
                  .endpoint_url,
              "http://127.0.0.1:3000");
    auth::settings_overrides o;
    o.endpoint_url = "https://override.example.com/";
    EXPECT_EQ(resolve(env({{"AWS_ENDPOINT_URL_SWF", "http://127.0.0.1:3000"}}), o).endpoint_url,
              "https://override.example.com");
}

TEST_F(settings, ignore_configured_endpoint_urls) {
    config_file("[default]\nregion = us-east-1\nendpoint_url = http://profile.local:1000\n");
    auto e = env(
        {{"AWS_ENDPOINT_URL_SWF", "http://127.0.0.1:3000"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
    EXPECT_EQ(resolve(e).endpoint_url, "https://swf.us-east-1.amazonaws.com");
    // An explicit override is not a "configured" endpoint and still applies.
    auth::settings_overrides o;
    o.endpoint_url = "http://localhost:4000";
    EXPECT_EQ(resolve(e, o).endpoint_url, "http://localhost:4000");

    config_file("[default]\nregion = us-east-1\nendpoint_url = http://profile.local:1000\n"
                "ignore_configured_endpoint_urls = true\n");
    EXPECT_EQ(resolve(env()).endpoint_url, "https://swf.us-east-1.amazonaws.com");
}

TEST_F(settings, invalid_endpoint_names_its_source) {
    auto r = auth::resolve_settings(env({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL_SWF", "ftp://x"}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InvalidEndpoint");
    EXPECT_NE(r.error().message.find("AWS_ENDPOINT_URL_SWF"), std::string::npos);
    auto no_host =
        auth::resolve_settings(env({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http:///x"}}));
    EXPECT_FALSE(no_host);
}

TEST_F(settings, malformed_config_file_is_an_error) {
    config_file("[default]\nregion\n");
    auto r = auth::resolve_settings(env());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, swfrt::swf::error_kind::validation);
    EXPECT_NE(r.error().message.find("config:2"), std::string::npos) << r.error().message;
}

TEST_F(settings, profile_is_not_read_when_not_needed) {
    // Everything comes from the environment, so a broken file does not matter.
    config_file("garbage\n");
    auto r = auth::resolve_settings(env({{"AWS_REGION", "us-east-1"},
                                         {"AWS_ENDPOINT_URL_SWF", "http://127.0.0.1:1"},
                                         {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}}));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->endpoint_url, "http://127.0.0.1:1");
}

TEST_F(settings, ca_bundle_order) {
    config_file("[default]\nregion = us-east-1\nca_bundle = /etc/profile-ca.pem\n");
    EXPECT_EQ(resolve(env()).ca_bundle, "/etc/profile-ca.pem");
    EXPECT_EQ(resolve(env({{"AWS_CA_BUNDLE", "/etc/env-ca.pem"}})).ca_bundle, "/etc/env-ca.pem");
    auth::settings_overrides o;
    o.ca_bundle = "/etc/flag-ca.pem";
    EXPECT_EQ(resolve(env({{"AWS_CA_BUNDLE", "/etc/env-ca.pem"}}), o).ca_bundle, "/etc/flag-ca.pem");
    config_file("[default]\nregion = us-east-1\n");
    EXPECT_EQ(resolve(env()).ca_bundle, "");
}
