// The container and IMDS providers against scripted HTTP servers on
// 127.0.0.1, and the default chain's order with real providers.
#include "swf/auth/cached_provider.hpp"
#include "swf/auth/container_provider.hpp"
#include "swf/auth/imds_provider.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace auth = swfrt::swf::auth;
namespace swf = swfrt::swf;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct seen_request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;

    std::optional<std::string> header(const std::string& name) const {
        auto it = headers.find(name);
        if (it == headers.end()) return std::nullopt;
        return it->second;
    }
};

struct canned {
    int status = 200;
    std::string body;
};

std::string lower(std::string s) {
    for (auto& ch : s)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// HTTP/1.1 with keep-alive on its own thread; answers each request with what
// the test's handler returns and records it.
class fake_http_server {
public:
    using handler = std::function<canned(const seen_request&)>;

    explicit fake_http_server(handler h)
        : handler_(std::move(h)), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(io_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~fake_http_server() {
        io_.stop();
        thread_.join();
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<seen_request> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        std::string buf;
        for (;;) {
            auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buf), "\r\n\r\n",
                                                           asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            seen_request req;
            std::string head = buf.substr(0, n);
            buf.erase(0, n);
            auto line_end = head.find("\r\n");
            std::string first = head.substr(0, line_end);
            auto sp1 = first.find(' ');
            auto sp2 = first.find(' ', sp1 + 1);
            req.method = first.substr(0, sp1);
            req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
            std::size_t pos = line_end + 2;
            while (pos < head.size()) {
                auto end = head.find("\r\n", pos);
                std::string h = head.substr(pos, end - pos);
                pos = end + 2;
                if (h.empty()) break;
                auto colon = h.find(':');
                std::string value = h.substr(colon + 1);
                while (!value.empty() && value.front() == ' ')
                    value.erase(0, 1);
                req.headers[lower(h.substr(0, colon))] = value;
            }
            std::size_t length = 0;
            if (auto cl = req.header("content-length")) length = std::stoul(*cl);
            if (buf.size() < length) {
                auto [ec2, got] = co_await asio::async_read(socket, asio::dynamic_buffer(buf),
                                                            asio::transfer_exactly(length - buf.size()),
                                                            asio::as_tuple(asio::use_awaitable));
                if (ec2) co_return;
            }
            req.body = buf.substr(0, length);
            buf.erase(0, length);

            const canned answer = handler_(req);
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(req);
            }
            std::string out = "HTTP/1.1 " + std::to_string(answer.status) +
                              " Scripted\r\nContent-Length: " + std::to_string(answer.body.size()) +
                              "\r\nContent-Type: text/plain\r\n\r\n" + answer.body;
            auto [ec3, written] =
                co_await asio::async_write(socket, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
            if (ec3) co_return;
        }
    }

    handler handler_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<seen_request> requests_;
};

// A loopback port nobody listens on: connections are refused at once.
std::string closed_port_url() {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = a.local_endpoint().port();
    a.close();
    return "http://127.0.0.1:" + std::to_string(port);
}


const std::string creds_json =
    R"({"AccessKeyId":"ASIAHTTP","SecretAccessKey":"httpsecret","Token":"httptoken",)"
    R"("Expiration":"2031-02-03T04:05:06Z"})";

class http_providers : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "swfrt-http-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Runs until the coroutine ends; the pools' idle connections do not keep it running.
    template <class T> T run(asio::awaitable<T> a) { return swfrt::testing::run_on(io_, std::move(a)); }

    auth::env_lookup env(std::map<std::string, std::string, std::less<>> vars = {}) {
        vars.emplace("HOME", dir_.string());
        return auth::map_env(std::move(vars));
    }

    asio::io_context io_;
    swf::manual_clock clock_;
    fs::path dir_;
};

// ---------------------------------------------------------------- container

TEST_F(http_providers, container_relative_uri) {
    fake_http_server server([](const seen_request&) { return canned{200, creds_json}; });
    auth::container_options o;
    o.relative_base = server.url();
    auth::container_provider p(
        io_.get_executor(), env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc-123"}}), o);
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIAHTTP");
    EXPECT_EQ(r->secret_access_key, "httpsecret");
    EXPECT_EQ(r->session_token, "httptoken");
    EXPECT_EQ(r->expiration, std::chrono::sys_days{std::chrono::year{2031} / 2 / 3} + 4h + 5min + 6s);
    EXPECT_EQ(r->provider, "container");
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "GET");
    EXPECT_EQ(reqs[0].target, "/v2/credentials/abc-123");
    EXPECT_FALSE(reqs[0].header("authorization"));
}

TEST_F(http_providers, container_relative_uri_default_base) {
    auto url = auth::container_credentials_url(
        auth::map_env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"},
                       {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/y"}}));
    ASSERT_TRUE(url);
    EXPECT_EQ(*url, "http://169.254.170.2/v2/x");
}

TEST_F(http_providers, container_full_uri_with_token) {
    fake_http_server server([](const seen_request&) { return canned{200, creds_json}; });
    auth::container_provider p(io_.get_executor(),
                               env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/get?x=1"},
                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc=="}}));
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/get?x=1");
    EXPECT_EQ(reqs[0].header("authorization"), "Basic abc==");
}

TEST_F(http_providers, container_token_file_wins_and_is_reread) {
    fake_http_server server([](const seen_request&) { return canned{200, creds_json}; });
    const auto token_file = dir_ / "token";
    std::ofstream(token_file) << "file-token-1\n";
    auth::container_provider p(io_.get_executor(),
                               env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds"},
                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token"},
                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.string()}}));
    ASSERT_TRUE(run(p.fetch()));
    std::ofstream(token_file) << "file-token-2";
    ASSERT_TRUE(run(p.fetch()));
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].header("authorization"), "file-token-1");
    EXPECT_EQ(reqs[1].header("authorization"), "file-token-2");
}

TEST_F(http_providers, container_token_problems) {
    auto missing = auth::container_authorization(
        auth::map_env({{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (dir_ / "nope").string()}}));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), std::string::npos);
    auto injected = auth::container_authorization(
        auth::map_env({{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: 1"}}));
    ASSERT_FALSE(injected);
    EXPECT_EQ(injected.error().message.find("X-Evil"), std::string::npos);
    auto none = auth::container_authorization(auth::map_env({}));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_F(http_providers, container_full_uri_host_rules) {
    auto url_for = [](std::string full) {
        return auth::container_credentials_url(
            auth::map_env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", std::move(full)}}));
    };
    for (const char* ok :
         {"http://127.0.0.1:8080/c", "http://127.1.2.3/c", "http://localhost/c", "http://[::1]:9/c",
          "http://169.254.170.2/c", "http://169.254.170.23/v1/credentials",
          "http://[fd00:ec2::23]/v1/credentials", "https://creds.example.com/c"}) {
        EXPECT_TRUE(url_for(ok)) << ok;
    }
    for (const char* bad : {"http://example.com/c", "http://10.0.0.1/c", "http://169.254.169.254/c",
                            "ftp://127.0.0.1/c", "http://[fd00:ec2::24]/c"}) {
        auto r = url_for(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, auth::invalid_credentials) << bad;
    }
    auto nothing = auth::container_credentials_url(auth::map_env({}));
    ASSERT_FALSE(nothing);
    EXPECT_EQ(nothing.error().code, auth::credentials_not_found);
}

TEST_F(http_providers, container_retries_a_5xx_once) {
    int calls = 0;
    fake_http_server server([&](const seen_request&) {
        return ++calls == 1 ? canned{503, "busy"} : canned{200, creds_json};
    });
    auth::container_provider p(io_.get_executor(),
                               env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/c"}}));
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(http_providers, container_client_error_is_reported) {
    fake_http_server server([](const seen_request&) { return canned{403, R"({"message":"denied"})"}; });
    auth::container_provider p(io_.get_executor(),
                               env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/c"}}));
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().http_status, 403);
    EXPECT_NE(r.error().message.find("HTTP 403"), std::string::npos) << r.error().message;
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(http_providers, container_bad_json) {
    fake_http_server server([](const seen_request&) { return canned{200, "<html>SECRETISH</html>"}; });
    auth::container_provider p(io_.get_executor(),
                               env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/c"}}));
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
    EXPECT_EQ(r.error().message.find("SECRETISH"), std::string::npos);
}

TEST_F(http_providers, container_not_configured_makes_no_request) {
    auth::container_provider p(io_.get_executor(), env());
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
}

// ---------------------------------------------------------------- IMDS

// Scripted IMDSv2: tokens are "tok-<generation>"; a request with an older
// token gets 401, as IMDS does after the instance restarts.
struct imds_script {
    std::mutex mutex;
    int generation = 1;
    int token_status = 200;
    int role_status = 200;
    int fail_role_creds_times = 0;

    canned operator()(const seen_request& req) {
        std::lock_guard lock(mutex);
        const std::string token = "tok-" + std::to_string(generation);
        if (req.method == "PUT" && req.target == "/latest/api/token") {
            if (token_status != 200) return {token_status, ""};
            if (req.header("x-aws-ec2-metadata-token-ttl-seconds") != "21600") return {400, "missing ttl"};
            return {200, token};
        }
        const bool v1 = token_status != 200;
        if (!v1 && req.header("x-aws-ec2-metadata-token") != token) return {401, ""};
        if (req.method != "GET") return {405, ""};
        if (req.target == "/latest/meta-data/iam/security-credentials/") return {role_status, "test-role\n"};
        if (req.target == "/latest/meta-data/iam/security-credentials/test-role") {
            if (fail_role_creds_times > 0) {
                --fail_role_creds_times;
                return {500, ""};
            }
            return {200, R"({"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC",)"
                         R"("AccessKeyId":"ASIAIMDS","SecretAccessKey":"imdssecret","Token":"imdstoken",)"
                         R"("Expiration":"2031-01-01T06:00:00Z"})"};
        }
        return {404, ""};
    }
};

class imds : public http_providers {
protected:
    auth::imds_provider provider(std::map<std::string, std::string, std::less<>> vars = {}) {
        vars.emplace("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_.url());
        return auth::imds_provider(io_.get_executor(), env(std::move(vars)), clock_);
    }

    imds_script script_;
    fake_http_server server_{[this](const seen_request& r) { return script_(r); }};
};

TEST_F(imds, full_v2_flow) {
    auto p = provider();
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIAIMDS");
    EXPECT_EQ(r->secret_access_key, "imdssecret");
    EXPECT_EQ(r->session_token, "imdstoken");
    EXPECT_TRUE(r->expiration);
    EXPECT_EQ(r->provider, "imds");

    auto reqs = server_.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(reqs[0].method, "PUT");
    EXPECT_EQ(reqs[0].target, "/latest/api/token");
    EXPECT_EQ(reqs[0].header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
    EXPECT_FALSE(reqs[0].header("x-aws-ec2-metadata-token"));
    EXPECT_EQ(reqs[1].method, "GET");
    EXPECT_EQ(reqs[1].target, "/latest/meta-data/iam/security-credentials/");
    EXPECT_EQ(reqs[1].header("x-aws-ec2-metadata-token"), "tok-1");
    EXPECT_EQ(reqs[2].target, "/latest/meta-data/iam/security-credentials/test-role");
    EXPECT_EQ(reqs[2].header("x-aws-ec2-metadata-token"), "tok-1");
}

TEST_F(imds, session_token_is_reused_until_its_ttl) {
    auto p = provider();
    ASSERT_TRUE(run(p.fetch()));
    ASSERT_TRUE(run(p.fetch()));
    auto reqs = server_.requests();
    ASSERT_EQ(reqs.size(), 5u);
    EXPECT_EQ(reqs[3].method, "GET");

    clock_.advance(6h);
    ASSERT_TRUE(run(p.fetch()));
    reqs = server_.requests();
    ASSERT_EQ(reqs.size(), 8u);
    EXPECT_EQ(reqs[5].method, "PUT");
}

TEST_F(imds, stale_token_is_replaced_once) {
    auto p = provider();
    ASSERT_TRUE(run(p.fetch()));
    {
        std::lock_guard lock(script_.mutex);
        script_.generation = 2;
    }
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    auto reqs = server_.requests();
    // first fetch (3) + GET with tok-1 -> 401 + PUT + 2 GETs with tok-2
    ASSERT_EQ(reqs.size(), 7u);
    EXPECT_EQ(reqs[4].method, "PUT");
    EXPECT_EQ(reqs[6].header("x-aws-ec2-metadata-token"), "tok-2");
}

TEST_F(imds, disabled_makes_no_request) {
    auto p = provider({{"AWS_EC2_METADATA_DISABLED", "TRUE"}});
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    EXPECT_NE(r.error().message.find("AWS_EC2_METADATA_DISABLED"), std::string::npos);
    EXPECT_TRUE(server_.requests().empty());
}

TEST_F(imds, no_instance_profile) {
    script_.role_status = 404;
    auto p = provider();
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    EXPECT_NE(r.error().message.find("no IAM role"), std::string::npos);
}

TEST_F(imds, server_error_is_retried_once) {
    script_.fail_role_creds_times = 1;
    auto p = provider();
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(server_.requests().size(), 4u);

    script_.fail_role_creds_times = 2;
    auto failed = run(p.fetch());
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().http_status, 500);
}

TEST_F(imds, falls_back_to_v1_when_tokens_are_refused) {
    script_.token_status = 403;
    auto p = provider();
    auto r = run(p.fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    auto reqs = server_.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_FALSE(reqs[1].header("x-aws-ec2-metadata-token"));

    auto strict = provider({{"AWS_EC2_METADATA_V1_DISABLED", "true"}});
    auto refused = run(strict.fetch());
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("AWS_EC2_METADATA_V1_DISABLED"), std::string::npos);
}

TEST_F(imds, unreachable_fails_fast) {
    auth::imds_provider p(io_.get_executor(), env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", closed_port_url()}}),
                          clock_);
    const auto start = std::chrono::steady_clock::now();
    auto r = run(p.fetch());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not reachable"), std::string::npos) << r.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(imds_endpoint, resolution) {
    EXPECT_EQ(auth::imds_endpoint(auth::map_env({})), "http://169.254.169.254");
    EXPECT_EQ(auth::imds_endpoint(auth::map_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}})),
              "http://[fd00:ec2::254]");
    EXPECT_EQ(
        auth::imds_endpoint(auth::map_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://10.0.0.1:81/"}})),
        "http://10.0.0.1:81");
    auth::imds_options o;
    o.endpoint = "http://127.0.0.1:9";
    EXPECT_EQ(
        auth::imds_endpoint(auth::map_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://10.0.0.1"}}), o),
        "http://127.0.0.1:9");
}

// ---------------------------------------------------------------- default chain

class default_chain : public http_providers {
protected:
    void credentials_file(std::string_view text) {
        fs::create_directories(dir_ / ".aws");
        std::ofstream(dir_ / ".aws/credentials") << text;
    }

    fake_http_server container_{[](const seen_request&) { return canned{200, creds_json}; }};
};

TEST_F(default_chain, environment_beats_profile) {
    credentials_file("[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n");
    auto chain = auth::make_default_chain(
        io_.get_executor(), env({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}}), clock_);
    auto r = run(chain->fetch());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDENV");
    EXPECT_EQ(chain->current_provider(), "environment");
}

TEST_F(default_chain, profile_beats_container) {
    credentials_file("[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n");
    auto chain = auth::make_default_chain(
        io_.get_executor(), env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", container_.url() + "/c"}}), clock_);
    auto r = run(chain->fetch());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDPROFILE");
    EXPECT_TRUE(container_.requests().empty());
}

TEST_F(default_chain, container_beats_imds) {
    imds_script script;
    fake_http_server metadata([&](const seen_request& r) { return script(r); });
    auto chain =
        auth::make_default_chain(io_.get_executor(),
                                 env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", container_.url() + "/c"},
                                      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", metadata.url()}}),
                                 clock_);
    auto r = run(chain->fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIAHTTP");
    EXPECT_EQ(chain->current_provider(), "container");
    EXPECT_TRUE(metadata.requests().empty());
}

TEST_F(default_chain, imds_is_last) {
    imds_script script;
    fake_http_server metadata([&](const seen_request& r) { return script(r); });
    auto chain = auth::make_default_chain(
        io_.get_executor(), env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", metadata.url()}}), clock_);
    auto r = run(chain->fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "ASIAIMDS");
    EXPECT_EQ(chain->current_provider(), "imds");
}

TEST_F(default_chain, nothing_names_each_provider) {
    auto chain = auth::make_default_chain(
        io_.get_executor(), env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", closed_port_url()}}), clock_);
    auto r = run(chain->fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    const auto& m = r.error().message;
    for (const char* name : {"environment: ", "profile: ", "container: ", "imds: "})
        EXPECT_NE(m.find(name), std::string::npos) << name << " in " << m;
    EXPECT_LT(m.find("environment: "), m.find("profile: "));
    EXPECT_LT(m.find("profile: "), m.find("container: "));
    EXPECT_LT(m.find("container: "), m.find("imds: "));
}

TEST_F(default_chain, explicit_profile_name_beats_aws_profile) {
    credentials_file("[a]\naws_access_key_id = AKIDA\naws_secret_access_key = s\n"
                     "[b]\naws_access_key_id = AKIDB\naws_secret_access_key = s\n");
    auto chain = auth::make_default_chain(io_.get_executor(),
                                          env({{"AWS_PROFILE", "a"}, {"AWS_EC2_METADATA_DISABLED", "true"}}),
                                          clock_, std::string("b"));
    auto r = run(chain->fetch());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDB");
}

TEST_F(default_chain, cached_default_credentials) {
    auto creds = auth::make_default_credentials(
        io_.get_executor(), env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", container_.url() + "/c"}}), clock_);
    auto r = run(creds->fetch());
    ASSERT_TRUE(r) << r.error().to_string();
    auto again = run(creds->fetch());
    ASSERT_TRUE(again);
    EXPECT_EQ(container_.requests().size(), 1u);
    EXPECT_EQ(creds->current_provider(), "container");
    EXPECT_EQ(creds->refresh_count(), 1u);
}

} // namespace
