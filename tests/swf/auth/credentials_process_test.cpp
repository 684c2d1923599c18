// credential_process: the command protocol, failures, timeouts, and that the
// io_context keeps running while the command does.
#include "swf/auth/profile.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>

namespace auth = swfrt::swf::auth;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using swfrt::testing::store;

template <class T> T run(boost::asio::io_context& io, boost::asio::awaitable<T> a) {
    return swfrt::testing::run_on(io, std::move(a));
}

class credential_process : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "swfrt-proc-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A command that prints `json` on stdout.
    std::string printing(std::string_view json) {
        const auto path = dir_ / "out.json";
        std::ofstream(path, std::ios::binary) << json;
        return "cat '" + path.string() + "'";
    }

    swfrt::swf::result<auth::credentials> fetch(std::string command, auth::process_options o = {}) {
        auth::credential_process_provider p(std::move(command), o);
        return run(io_, p.fetch());
    }

    boost::asio::io_context io_;
    fs::path dir_;
};

} // namespace

TEST_F(credential_process, success_with_expiration) {
    auto r = fetch(printing(R"({"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "procsecret",
                               "SessionToken": "proctoken", "Expiration": "2031-06-07T08:09:10Z"})"));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIAPROC");
    EXPECT_EQ(r->secret_access_key, "procsecret");
    EXPECT_EQ(r->session_token, "proctoken");
    ASSERT_TRUE(r->expiration);
    EXPECT_EQ(*r->expiration, std::chrono::sys_days{std::chrono::year{2031} / 6 / 7} + 8h + 9min + 10s);
    EXPECT_EQ(r->provider, "credential_process");
}

TEST_F(credential_process, long_lived_keys_have_no_expiration) {
    auto r = fetch(printing(R"({"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s"})"));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(r->expiration);
    EXPECT_TRUE(r->session_token.empty());
}

TEST_F(credential_process, runs_through_the_shell) {
    auto r = fetch(
        "X=ASIASHELL; printf '{\"Version\":1,\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"s\"}' \"$X\"");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIASHELL");
}

TEST_F(credential_process, non_zero_exit_reports_stderr_but_not_stdout) {
    auto r = fetch("echo '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"LEAKED-SECRET\"}'; "
                   "echo 'token expired, run login' >&2; exit 3");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_unavailable);
    EXPECT_NE(r.error().message.find("exited with 3"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("token expired, run login"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("LEAKED-SECRET"), std::string::npos);
}

TEST_F(credential_process, bad_json_is_a_clear_error_without_the_output) {
    auto r = fetch("echo '{\"SecretAccessKey\": \"LEAKED-SECRET\", oops'");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
    EXPECT_NE(r.error().message.find("credential_process"), std::string::npos);
    EXPECT_EQ(r.error().message.find("LEAKED-SECRET"), std::string::npos);

    auto empty = fetch("true");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, auth::invalid_credentials);
}

TEST_F(credential_process, wrong_version_or_missing_keys) {
    auto v2 = fetch(printing(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"})"));
    ASSERT_FALSE(v2);
    EXPECT_NE(v2.error().message.find("Version"), std::string::npos);
    auto no_secret = fetch(printing(R"({"Version":1,"AccessKeyId":"A"})"));
    ASSERT_FALSE(no_secret);
    EXPECT_NE(no_secret.error().message.find("SecretAccessKey"), std::string::npos);
    auto bad_exp =
        fetch(printing(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"later"})"));
    ASSERT_FALSE(bad_exp);
    EXPECT_NE(bad_exp.error().message.find("Expiration"), std::string::npos);
}

TEST_F(credential_process, missing_command) {
    auto r = fetch("/definitely/not/a/command-swfrt");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("exited with 127"), std::string::npos) << r.error().message;
}

TEST_F(credential_process, timeout_kills_the_command) {
    auth::process_options o;
    o.timeout = 200ms;
    const auto start = std::chrono::steady_clock::now();
    auto r = fetch("echo starting >&2; sleep 5; echo late", o);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("did not finish within 200 ms"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("starting"), std::string::npos);
    EXPECT_LT(took, 3s);
}

TEST_F(credential_process, does_not_block_the_io_context) {
    auth::credential_process_provider p("sleep 0.3; " +
                                        printing(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s"})"));
    std::optional<swfrt::swf::result<auth::credentials>> out;
    std::optional<std::chrono::steady_clock::time_point> timer_fired, fetch_done;
    boost::asio::co_spawn(io_, store(p.fetch(), out),
                          [&](std::exception_ptr) { fetch_done = std::chrono::steady_clock::now(); });
    boost::asio::steady_timer timer(io_, 50ms);
    timer.async_wait([&](boost::system::error_code) { timer_fired = std::chrono::steady_clock::now(); });
    io_.run_for(10s);
    ASSERT_TRUE(out && *out);
    ASSERT_TRUE(timer_fired && fetch_done);
    // The timer ran on the same single thread while the command was sleeping.
    EXPECT_LT(*timer_fired, *fetch_done);
}

TEST_F(credential_process, large_output_is_cut_at_the_limit) {
    auth::process_options o;
    o.max_output = 1024;
    // Far more than the limit and than a pipe buffer: the command must not block.
    auto r = fetch("head -c 1000000 /dev/zero | tr '\\0' 'x'", o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
}

TEST_F(credential_process, run_shell_command_reports_both_streams) {
    auto out = run(io_, auth::run_shell_command("printf out; printf err >&2; exit 7"));
    EXPECT_EQ(out.exit_code, 7);
    EXPECT_EQ(out.out, "out");
    EXPECT_EQ(out.err, "err");
    EXPECT_FALSE(out.timed_out);
    EXPECT_TRUE(out.spawn_error.empty());
}

TEST_F(credential_process, profile_uses_credential_process) {
    const auto home = dir_ / "home";
    fs::create_directories(home / ".aws");
    std::ofstream(home / ".aws/config")
        << "[profile proc]\ncredential_process = "
        << printing(R"({"Version":1,"AccessKeyId":"ASIAPROF","SecretAccessKey":"s",)"
                    R"("Expiration":"2031-01-01T00:00:00Z"})")
        << "\n";
    auth::profile_provider p(auth::map_env({{"HOME", home.string()}, {"AWS_PROFILE", "proc"}}));
    auto r = run(io_, p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIAPROF");
    EXPECT_TRUE(r->expiration);
    EXPECT_EQ(r->provider, "profile:credential_process");

    std::ofstream(home / ".aws/config")
        << "[profile proc]\ncredential_process = sh -c 'echo nope >&2; exit 2'\n";
    auto failed = run(io_, p.fetch());
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("profile 'proc'"), std::string::npos) << failed.error().message;
    EXPECT_NE(failed.error().message.find("nope"), std::string::npos);
}
