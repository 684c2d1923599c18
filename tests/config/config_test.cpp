#include "config/config.hpp"
#include "config/interpolate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace swfrt::config {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path test_dir = fs::path(SWFRT_SOURCE_DIR) / "tests" / "config";

env_lookup fixed_env(std::map<std::string, std::string, std::less<>> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// "line:column: message" for each error, the form the bad files list.
std::vector<std::string> positioned(const std::vector<config_error>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) {
        out.push_back(std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message);
    }
    return out;
}

config load_ok(std::string_view yaml, env_lookup env = fixed_env({})) {
    auto r = load_string(yaml, "test.yaml", std::move(env));
    EXPECT_THAT(positioned(r.errors), ::testing::IsEmpty()) << yaml;
    EXPECT_TRUE(r.ok());
    return r.value ? *r.value : config{};
}

std::vector<std::string> load_errors(std::string_view yaml, env_lookup env = fixed_env({})) {
    auto r = load_string(yaml, "test.yaml", std::move(env));
    EXPECT_FALSE(r.value.has_value()) << yaml;
    return positioned(r.errors);
}

constexpr std::string_view one_worker = "workers:\n"
                                        "  - {kind: activity, domain: d, task_list: t, handlers: [h]}\n";

// --- good files ------------------------------------------------------------------

TEST(config_load, full_file_sets_every_value) {
    const std::string path = (test_dir / "good" / "full.yaml").string();
    auto r = load_file(path, fixed_env({}));
    ASSERT_THAT(positioned(r.errors), ::testing::IsEmpty());
    ASSERT_TRUE(r.value);
    const config& c = *r.value;
    EXPECT_EQ(c.source_file, path);

    EXPECT_EQ(c.swf.region, "eu-west-1");
    EXPECT_EQ(c.swf.endpoint_url, "http://127.0.0.1:4566");
    EXPECT_EQ(c.swf.profile, "work");
    ASSERT_TRUE(c.swf.credentials);
    EXPECT_EQ(c.swf.credentials->access_key_id, "AKIDEXAMPLE");
    EXPECT_EQ(c.swf.credentials->secret_access_key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    EXPECT_EQ(c.swf.credentials->session_token, "token-1");
    EXPECT_EQ(c.swf.ca_file, "certs/ca.pem");
    EXPECT_EQ(c.swf.timeouts.connect, 2500ms);
    EXPECT_EQ(c.swf.timeouts.call, 15s);
    EXPECT_EQ(c.swf.timeouts.poll, 75s);
    EXPECT_EQ(c.swf.retry.max_attempts, 5);
    EXPECT_EQ(c.swf.retry.max_backoff, 750ms);

    EXPECT_EQ(c.runtime.threads, 4);
    EXPECT_EQ(c.runtime.shutdown_grace, 0ms);
    EXPECT_EQ(c.runtime.identity, "host-a");

    const fs::path dir = test_dir / "good";
    ASSERT_EQ(c.plugins.size(), 3u);
    EXPECT_EQ(c.plugins[0].path, "./libexample.so");
    EXPECT_EQ(c.plugins[0].resolved_path, (dir / "libexample.so").string());
    EXPECT_EQ(c.plugins[1].path, "/opt/swf/libother.so");
    EXPECT_EQ(c.plugins[1].resolved_path, "/opt/swf/libother.so");
    EXPECT_EQ(c.plugins[2].path, "sub/../plugins/libthird.so");
    EXPECT_EQ(c.plugins[2].resolved_path, (dir / "plugins" / "libthird.so").string());
    EXPECT_EQ(c.plugins[0].location, (source_location{23, 5}));
    EXPECT_EQ(c.plugins[1].location, (source_location{24, 5}));
    EXPECT_EQ(c.plugins[2].location, (source_location{25, 5}));

    ASSERT_EQ(c.domains.size(), 2u);
    EXPECT_EQ(c.domains[0].name, "orders");
    EXPECT_EQ(c.domains[0].retention_days, 7);
    EXPECT_EQ(c.domains[0].description, "Order processing");
    EXPECT_TRUE(c.domains[0].register_domain);
    EXPECT_EQ(c.domains[0].location, (source_location{27, 5}));
    EXPECT_EQ(c.domains[1].name, "billing");
    EXPECT_EQ(c.domains[1].retention_days, 30);
    EXPECT_EQ(c.domains[1].description, "");
    EXPECT_FALSE(c.domains[1].register_domain);
    EXPECT_EQ(c.domains[1].location, (source_location{31, 5}));

    ASSERT_EQ(c.workers.size(), 2u);
    EXPECT_EQ(c.workers_location, (source_location{33, 3}));
    const auto& a = c.workers[0];
    EXPECT_EQ(a.kind, worker_kind::activity);
    EXPECT_EQ(a.domain, "orders");
    EXPECT_EQ(a.task_list, "work");
    EXPECT_EQ(a.identity, "worker-1");
    EXPECT_EQ(a.pollers, 4);
    EXPECT_EQ(a.max_concurrent, 50);
    EXPECT_FALSE(a.register_types);
    EXPECT_EQ(a.location, (source_location{33, 5}));
    ASSERT_EQ(a.handlers.size(), 2u);
    EXPECT_EQ(a.handlers[0].name, "resize");
    EXPECT_EQ(a.handlers[0].version, "");
    EXPECT_EQ(a.handlers[0].text(), "resize");
    EXPECT_EQ(a.handlers[0].location, (source_location{39, 16}));
    EXPECT_EQ(a.handlers[1].name, "crop");
    EXPECT_EQ(a.handlers[1].version, "2");
    EXPECT_EQ(a.handlers[1].text(), "crop:2");
    EXPECT_EQ(a.handlers[1].location, (source_location{39, 24}));
    const auto& d = c.workers[1];
    EXPECT_EQ(d.kind, worker_kind::decision);
    EXPECT_EQ(d.identity, "host-a"); // from runtime.identity
    EXPECT_EQ(d.pollers, 2);
    EXPECT_EQ(d.sticky_schedule_to_start, 5s);
    EXPECT_EQ(a.sticky_schedule_to_start, 0s);
    EXPECT_EQ(d.max_concurrent, 10);
    EXPECT_TRUE(d.register_types);
    ASSERT_EQ(d.handlers.size(), 1u);
    EXPECT_EQ(d.handlers[0].name, "order_flow");
    EXPECT_EQ(d.handlers[0].version, "1.0");
    EXPECT_EQ(d.handlers[0].location, (source_location{45, 9}));

    EXPECT_EQ(c.metrics.listen, "[::1]:9100");
    EXPECT_TRUE(c.metrics.enabled());
    EXPECT_EQ(c.metrics.host, "::1");
    EXPECT_EQ(c.metrics.port, 9100);
    EXPECT_EQ(c.log.level, log_level::debug);
    EXPECT_EQ(c.log.format, log_format::json);

    EXPECT_THAT(check_runnable(c), ::testing::IsEmpty());
    EXPECT_EQ(
        c.error_at(a.handlers[0].location, "handler \"resize\" is not registered by any plugin").to_string(),
        path + ":39:16: handler \"resize\" is not registered by any plugin");
}

TEST(config_load, minimal_file_takes_defaults) {
    auto r = load_file((test_dir / "good" / "minimal.yaml").string(), fixed_env({}));
    ASSERT_THAT(positioned(r.errors), ::testing::IsEmpty());
    ASSERT_TRUE(r.value);
    const config& c = *r.value;
    EXPECT_EQ(c.swf.region, "");
    EXPECT_EQ(c.swf.endpoint_url, "");
    EXPECT_EQ(c.swf.profile, "");
    EXPECT_FALSE(c.swf.credentials);
    EXPECT_EQ(c.swf.ca_file, "");
    EXPECT_EQ(c.swf.timeouts.connect, 5s);
    EXPECT_EQ(c.swf.timeouts.call, 10s);
    EXPECT_EQ(c.swf.timeouts.poll, 70s);
    EXPECT_EQ(c.swf.retry.max_attempts, 3);
    EXPECT_EQ(c.swf.retry.max_backoff, 20s);
    EXPECT_EQ(c.runtime.threads, 0);
    EXPECT_EQ(c.runtime.shutdown_grace, 60s);
    EXPECT_EQ(c.runtime.identity, "");
    EXPECT_TRUE(c.plugins.empty());
    EXPECT_TRUE(c.domains.empty());
    ASSERT_EQ(c.workers.size(), 1u);
    EXPECT_EQ(c.workers[0].kind, worker_kind::activity);
    EXPECT_EQ(c.workers[0].identity, "");
    EXPECT_EQ(c.workers[0].pollers, 1);
    EXPECT_EQ(c.workers[0].max_concurrent, 10);
    EXPECT_EQ(c.metrics.listen, "127.0.0.1:9464");
    EXPECT_EQ(c.metrics.host, "127.0.0.1");
    EXPECT_EQ(c.metrics.port, 9464);
    EXPECT_EQ(c.log.level, log_level::info);
    EXPECT_EQ(c.log.format, log_format::text);
    EXPECT_THAT(check_runnable(c), ::testing::IsEmpty());
}

TEST(config_load, empty_document_is_valid_but_not_runnable) {
    for (std::string_view yaml : {"", "# nothing here\n", "workers:\n"}) {
        auto c = load_ok(yaml);
        EXPECT_TRUE(c.workers.empty());
        auto errors = check_runnable(c);
        ASSERT_EQ(errors.size(), 1u) << yaml;
    }
    auto c = load_ok("");
    EXPECT_EQ(check_runnable(c)[0].to_string(),
              "test.yaml: no workers configured: `run` needs at least one entry under workers");
    auto listed = load_ok("log: {level: info}\nworkers: []\n");
    EXPECT_EQ(check_runnable(listed)[0].to_string(),
              "test.yaml:2:10: no workers configured: `run` needs at least one entry under workers");
}

TEST(config_load, more_than_one_document_is_an_error) {
    EXPECT_THAT(load_errors("log: {level: info}\n---\nlog: {level: debug}\n"),
                ::testing::ElementsAre("3:1: expected one YAML document, found more than one"));
}

TEST(config_load, input_that_once_made_the_yaml_parser_loop_forever_is_an_error) {
    // yaml-cpp's LoadAll never returned on these (found by inputs_fuzz).
    for (std::string_view yaml : {"b','", ",", "a: b','\n"}) {
        auto errors = load_errors(yaml);
        EXPECT_FALSE(errors.empty()) << yaml;
    }
}

TEST(config_load, worker_identity_defaults_to_runtime_identity) {
    auto c = load_ok("runtime: {identity: box-1}\n"
                     "workers:\n"
                     "  - {kind: activity, domain: d, task_list: a, handlers: [h]}\n"
                     "  - {kind: activity, domain: d, task_list: b, handlers: [h], identity: own}\n"
                     "  - {kind: activity, domain: d, task_list: c, handlers: [h], identity: ''}\n");
    ASSERT_EQ(c.workers.size(), 3u);
    EXPECT_EQ(c.workers[0].identity, "box-1");
    EXPECT_EQ(c.workers[1].identity, "own");
    EXPECT_EQ(c.workers[2].identity, "box-1");
}

TEST(config_load, scalar_forms) {
    auto c = load_ok("swf:\n"
                     "  timeouts: {connect: 0.0015, call: 1e1, poll: +61}\n"
                     "  retry: {max_attempts: '+4', max_backoff: \"2\"}\n"
                     "runtime: {threads: 1024, shutdown_grace: 86400}\n"
                     "domains:\n"
                     "  - {name: a, register: True, retention_days: 0}\n"
                     "  - {name: b, register: FALSE, retention_days: 90}\n"
                     "  - {name: c, description: 42}\n");
    EXPECT_EQ(c.swf.timeouts.connect, 2ms); // rounded to the millisecond
    EXPECT_EQ(c.swf.timeouts.call, 10s);
    EXPECT_EQ(c.swf.timeouts.poll, 61s);
    EXPECT_EQ(c.swf.retry.max_attempts, 4);
    EXPECT_EQ(c.swf.retry.max_backoff, 2s);
    EXPECT_EQ(c.runtime.threads, 1024);
    EXPECT_EQ(c.runtime.shutdown_grace, 86400s);
    EXPECT_TRUE(c.domains[0].register_domain);
    EXPECT_EQ(c.domains[0].retention_days, 0);
    EXPECT_FALSE(c.domains[1].register_domain);
    EXPECT_EQ(c.domains[1].retention_days, 90);
    EXPECT_EQ(c.domains[2].description, "42"); // strings take any scalar
}

TEST(config_load, metrics_listen_forms) {
    struct good_case {
        std::string listen;
        std::string host;
        int port;
    };
    for (const auto& g : std::vector<good_case>{{"127.0.0.1:0", "127.0.0.1", 0},
                                                {"0.0.0.0:9464", "0.0.0.0", 9464},
                                                {"localhost:65535", "localhost", 65535},
                                                {"[::1]:80", "::1", 80},
                                                {"[fe80::1%eth0]:9", "fe80::1%eth0", 9}}) {
        auto c = load_ok("metrics: {listen: \"" + g.listen + "\"}\n");
        EXPECT_TRUE(c.metrics.enabled());
        EXPECT_EQ(c.metrics.host, g.host) << g.listen;
        EXPECT_EQ(c.metrics.port, g.port) << g.listen;
    }
    auto off = load_ok("metrics: {listen: \"\"}\n");
    EXPECT_FALSE(off.metrics.enabled());
    EXPECT_EQ(off.metrics.host, "");
    EXPECT_EQ(off.metrics.port, 0);

    for (std::string bad : {"9464", ":9464", "host:", "host:65536", "host:12345678", "host:9a", "::1:9464",
                            "[::1]9464", "[::1]:", "[]:80", "[::1:80", "a[b]:80"}) {
        auto errors = load_errors("metrics: {listen: \"" + bad + "\"}\n");
        EXPECT_THAT(errors,
                    ::testing::ElementsAre(
                        "1:19: metrics.listen: expected host:port or [ipv6-address]:port with a port from 0 "
                        "to 65535, or \"\" to disable, got \"" +
                        bad + "\""))
            << bad;
    }
}

// What `run` refuses at start-up (swf/auth/settings.cpp, swf/http/endpoint.cpp,
// runtime/core/http_server.cpp) the file is refused for, so that `check`
// agrees with `run`. tests/runtime/config_agreement_test.cpp asks the
// client itself.
TEST(config_load, endpoint_urls_follow_the_client_rules) {
    for (std::string good :
         {"http://127.0.0.1:4566", "https://swf.us-east-1.amazonaws.com", "http://[::1]:8080/",
          "https://h/base/path?x=1", "http://h:65535", "http://h:1", "http://my_host.local", "  http://h  ",
          "http://h#fragment", "http://h/a%20b", "https://h///"}) {
        auto c = load_ok("swf: {endpoint_url: \"" + good + "\"}\n");
        EXPECT_EQ(c.swf.endpoint_url, good);
    }
    struct bad_case {
        std::string url;
        std::string expected;
    };
    for (const auto& b : std::vector<bad_case>{
             {"http://127.0.0.1:99999", "a URL with a port from 1 to 65535"},
             {"http://h:0", "a URL with a port from 1 to 65535"},
             {"http://h:", "a URL with a port from 1 to 65535"},
             {"http://h:80a", "a URL with a port from 1 to 65535"},
             {"http://h:0065536", "a URL with a port from 1 to 65535"},
             {"https://[::1", "a URL whose IPv6 address is closed with \"]\""},
             {"https://[::1/x", "a URL whose IPv6 address is closed with \"]\""},
             {"https://[]:80",
              "a URL with an IPv6 address of hexadecimal digits, \":\" and \".\" in brackets"},
             {"https://[host]",
              "a URL with an IPv6 address of hexadecimal digits, \":\" and \".\" in brackets"},
             {"https://[::1]x", "a URL with nothing but :port after the \"]\" of its IPv6 address"},
             {"https://[::1]:99999", "a URL with a port from 1 to 65535"},
             {"http://::1:80", "a URL with its IPv6 address in brackets, such as http://[::1]:8080"},
             {"http://user@h", "a URL without user information (user@)"},
             {"http://", "a URL with a host after the scheme"},
             {"http:///path", "a URL with a host after the scheme"},
             {"http://:80", "a URL with a host after the scheme"},
             {"http://?q", "a URL with a host after the scheme"},
             {"http://h b", "a URL whose host has only letters, digits, \"-\", \".\" and \"_\""},
             {"http://h\\u00e9", "a URL whose host has only letters, digits, \"-\", \".\" and \"_\""},
             {"http://h/a b", "a URL whose path is percent-encoded (no spaces or control characters)"},
             {"ftp://h", "a URL starting with http:// or https://"},
             {"HTTP://h", "a URL starting with http:// or https://"},
         }) {
        SCOPED_TRACE(b.url);
        auto r = load_string("swf: {endpoint_url: \"" + b.url + "\"}\n", "test.yaml", fixed_env({}));
        ASSERT_EQ(r.errors.size(), 1u);
        EXPECT_EQ(r.errors[0].line, 1);
        EXPECT_EQ(r.errors[0].column, 21);
        EXPECT_THAT(r.errors[0].message,
                    ::testing::StartsWith("swf.endpoint_url: expected " + b.expected + ", got \""));
    }
    EXPECT_THAT(
        load_errors("swf:\n  endpoint_url: http://127.0.0.1:99999\n"),
        ::testing::ElementsAre("2:17: swf.endpoint_url: expected a URL with a port from 1 to 65535, got "
                               "\"http://127.0.0.1:99999\""));
}

TEST(config_load, regions_follow_the_client_rules) {
    const std::string longest(63, 'a');
    for (const std::string& good :
         std::vector<std::string>{"us-east-1", "eu-west-2", "cn-north-1", "local", longest})
        EXPECT_EQ(load_ok("swf: {region: " + good + "}\n").swf.region, good);
    for (const std::string& bad : std::vector<std::string>{"-us-east-1", "us-east-1-", "-",
                                                           std::string(64, 'a'), "US-EAST-1", "us_east_1"}) {
        EXPECT_THAT(
            load_errors("swf: {region: \"" + bad + "\"}\n"),
            ::testing::ElementsAre("1:15: swf.region: expected a region name such as \"us-east-1\", got \"" +
                                   bad + "\""))
            << bad;
    }
}

TEST(config_load, metrics_listen_host_is_an_address) {
    for (std::string bad : {"metrics.example:9464", "example:80", "999.1.1.1:80", "1.2.3:80", "[::g]:80"}) {
        EXPECT_THAT(
            load_errors("metrics: {listen: \"" + bad + "\"}\n"),
            ::testing::ElementsAre("1:19: metrics.listen: expected an IP address or localhost as the host "
                                   "(the endpoint resolves no names), got \"" +
                                   bad + "\""))
            << bad;
    }
}

TEST(config_load, every_value_must_be_utf8) {
    // Well-formed text in any script loads as written.
    auto c = load_ok("runtime: {identity: \"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"}\n");
    EXPECT_EQ(c.runtime.identity, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");

    struct bad_case {
        std::string bytes;
        std::size_t at; // 1-based byte of the value reported
        std::string byte;
    };
    for (const auto& b : std::vector<bad_case>{
             {"id\xff", 3, "0xff"},           // never in UTF-8
             {"\xc3", 1, "0xc3"},             // cut short at the end
             {"a\xc3(b", 2, "0xc3"},          // a lead byte without its continuation
             {"\x80", 1, "0x80"},             // a continuation without a lead
             {"\xc0\xaf", 1, "0xc0"},         // overlong "/"
             {"\xe0\x80\xaf", 1, "0xe0"},     // overlong, three bytes
             {"ok\xed\xa0\x80", 3, "0xed"},   // a UTF-16 surrogate
             {"\xf4\x90\x80\x80", 1, "0xf4"}, // past U+10FFFF
             {"caf\xe9", 4, "0xe9"},          // Latin-1
         }) {
        SCOPED_TRACE(b.byte);
        EXPECT_THAT(load_errors("runtime: {identity: \"" + b.bytes + "\"}\n"),
                    ::testing::ElementsAre("1:21: runtime.identity: expected UTF-8 text, got the byte " +
                                           b.byte + " at byte " + std::to_string(b.at) +
                                           " of the value, which is not valid UTF-8"));
    }

    // Every kind of value, and a value from the environment.
    const std::string bad = "x\xff";
    EXPECT_THAT(
        load_errors("swf: {profile: \"" + bad +
                        "\"}\n"
                        "domains: [{name: \"" +
                        bad + "\", description: \"" + bad +
                        "\"}]\n"
                        "workers: [{kind: activity, domain: d, task_list: \"${TL}\", handlers: [\"" +
                        bad +
                        "\"]}]\n"
                        "plugins: [\"" +
                        bad + "\"]\n",
                    fixed_env({{"TL", bad}})),
        ::testing::ElementsAre(::testing::StartsWith("1:16: swf.profile: expected UTF-8 text"),
                               ::testing::StartsWith("2:18: domains[0].name: expected UTF-8 text"),
                               ::testing::StartsWith("2:37: domains[0].description: expected UTF-8 text"),
                               ::testing::StartsWith("3:50: workers[0].task_list: expected UTF-8 text"),
                               ::testing::StartsWith("3:70: workers[0].handlers[0]: expected UTF-8 text"),
                               ::testing::StartsWith("4:11: plugins[0]: expected UTF-8 text")));
}

TEST(config_load, plugin_paths_resolve_against_the_file_directory) {
    const std::string yaml = "plugins: [x.so, ./y/z.so, ../up.so, /abs/p.so]\n";
    auto in_dir = load_string(yaml, "etc/swf/runtime.yaml", fixed_env({}));
    ASSERT_TRUE(in_dir.value);
    const auto& p = in_dir.value->plugins;
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p[0].path, "x.so");
    EXPECT_EQ(p[0].resolved_path, "etc/swf/x.so");
    EXPECT_EQ(p[1].resolved_path, "etc/swf/y/z.so");
    EXPECT_EQ(p[2].resolved_path, "etc/up.so");
    EXPECT_EQ(p[3].resolved_path, "/abs/p.so");
    EXPECT_EQ(p[1].location, (source_location{1, 17}));

    auto no_dir = load_string(yaml, "runtime.yaml", fixed_env({}));
    ASSERT_TRUE(no_dir.value);
    EXPECT_EQ(no_dir.value->plugins[0].resolved_path, "x.so");
    EXPECT_EQ(no_dir.value->plugins[2].resolved_path, "../up.so");

    // The same file under two spellings is one plugin loaded twice.
    EXPECT_THAT(load_errors("plugins: [a/b.so, a/./c/../b.so]\n"),
                ::testing::ElementsAre("1:19: plugins[1]: duplicate plugin \"a/./c/../b.so\" (same file as "
                                       "plugins[0] at 1:11)"));
}

TEST(config_load, handler_and_name_limits) {
    const std::string name256(256, 'n');
    const std::string version64(64, 'v');
    auto c = load_ok("workers:\n  - {kind: decision, domain: " + name256 + ", task_list: " + name256 +
                     ", handlers: [\"" + name256 + ":" + version64 + "\", flow]}\n" +
                     "domains: [{name: " + name256 + "}]\n");
    ASSERT_EQ(c.workers[0].handlers.size(), 2u);
    EXPECT_EQ(c.workers[0].handlers[0].name, name256);
    EXPECT_EQ(c.workers[0].handlers[0].version, version64);

    EXPECT_THAT(load_errors("workers:\n  - {kind: decision, domain: d, task_list: t, handlers: [\"f:" +
                            version64 + "v\"]}\n"),
                ::testing::ElementsAre("2:58: workers[0].handlers[0]: expected a version of at most 64 "
                                       "characters, got 65"));
}

TEST(config_load, workers_register_their_types_unless_told_not_to) {
    auto c = load_ok("workers:\n"
                     "  - {kind: activity, domain: d, task_list: a, handlers: [x]}\n"
                     "  - {kind: decision, domain: d, task_list: b, handlers: [y], register: false}\n");
    ASSERT_EQ(c.workers.size(), 2u);
    EXPECT_TRUE(c.workers[0].register_types);
    EXPECT_FALSE(c.workers[1].register_types);
    EXPECT_THAT(load_errors("workers:\n  - {kind: activity, domain: d, task_list: a, handlers: [x], register: maybe}\n"),
                ::testing::ElementsAre(::testing::HasSubstr("workers[0].register: expected")));
}

TEST(config_load, a_sticky_decision_worker_needs_two_pollers_and_whole_seconds) {
    auto c = load_ok("workers:\n"
                     "  - {kind: decision, domain: d, task_list: b, handlers: [y], pollers: 2, sticky_schedule_to_start: 5}\n");
    EXPECT_EQ(c.workers[0].sticky_schedule_to_start, 5s);
    EXPECT_THAT(load_errors("workers:\n"
                            "  - {kind: decision, domain: d, task_list: b, handlers: [y], sticky_schedule_to_start: 5}\n"),
                ::testing::ElementsAre("2:5: workers[0].sticky_schedule_to_start: needs pollers and max_concurrent "
                                       "of 2 or more, for polls on the worker's own task list and on the shared one "
                                       "at once (pollers is 1, max_concurrent 10)"));
    EXPECT_THAT(load_errors("workers:\n"
                            "  - {kind: decision, domain: d, task_list: b, handlers: [y], pollers: 2, max_concurrent: 1, "
                            "sticky_schedule_to_start: 5}\n"),
                ::testing::ElementsAre(::testing::HasSubstr("(pollers is 2, max_concurrent 1)")));
    EXPECT_THAT(load_errors("workers:\n"
                            "  - {kind: activity, domain: d, task_list: b, handlers: [y], pollers: 2, "
                            "sticky_schedule_to_start: 5}\n"),
                ::testing::ElementsAre(::testing::HasSubstr("only a decision worker routes decision tasks to itself")));
    EXPECT_THAT(load_errors("workers:\n"
                            "  - {kind: decision, domain: d, task_list: b, handlers: [y], pollers: 2, "
                            "sticky_schedule_to_start: 0.5}\n"),
                ::testing::ElementsAre(::testing::HasSubstr("SWF counts this timeout in whole seconds")));
}

TEST(config_load, name_limits_count_characters_as_swf_does_not_bytes) {
    // 256 two-byte characters are 512 bytes and still within SWF's 256.
    std::string wide;
    for (int i = 0; i < 256; ++i) wide += "\xc3\xa9"; // é
    auto c = load_ok("workers:\n  - {kind: decision, domain: d, task_list: " + wide + ", handlers: [\"" + wide +
                     "\"]}\n");
    EXPECT_EQ(c.workers[0].task_list, wide);
    EXPECT_THAT(load_errors("workers:\n  - {kind: decision, domain: d, task_list: t, handlers: [\"" + wide +
                            "\xc3\xa9\"]}\n"),
                ::testing::ElementsAre(::testing::HasSubstr("expected a name of at most 256 characters, got 257")));
}

TEST(config_load, duplicates_are_not_reported_for_entries_with_errors) {
    // Both workers lack a domain; they are not reported as duplicates of each other.
    EXPECT_THAT(load_errors("workers:\n"
                            "  - {kind: activity, task_list: t, handlers: [a]}\n"
                            "  - {kind: activity, task_list: t, handlers: [a]}\n"),
                ::testing::ElementsAre("2:5: workers[0]: missing required key \"domain\"",
                                       "3:5: workers[1]: missing required key \"domain\""));
}

TEST(config_load, errors_are_ordered_by_position_and_carry_the_file) {
    auto r = load_string("log: {format: xml}\nswf: {retry: {max_attempts: 0}}\nruntime: {threads: x}\n",
                         "a/b.yaml", fixed_env({}));
    ASSERT_EQ(r.errors.size(), 3u);
    EXPECT_EQ(r.errors[0].to_string(), "a/b.yaml:1:15: log.format: expected one of text, json, got a string "
                                       "(\"xml\")");
    EXPECT_EQ(r.errors[1].to_string(),
              "a/b.yaml:2:29: swf.retry.max_attempts: expected an integer from 1 to 20, got 0");
    EXPECT_EQ(r.errors[2].to_string(),
              "a/b.yaml:3:20: runtime.threads: expected an integer, got a string (\"x\")");
    for (const auto& e : r.errors)
        EXPECT_EQ(e.file, "a/b.yaml");
}

TEST(config_load, unreadable_files_give_one_error_with_the_reason) {
    const std::string missing = (test_dir / "no-such-file.yaml").string();
    auto r = load_file(missing, fixed_env({}));
    EXPECT_FALSE(r.value);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].file, missing);
    EXPECT_EQ(r.errors[0].line, 0);
    EXPECT_EQ(r.errors[0].to_string(), missing + ": cannot read the config file: " + std::strerror(ENOENT));

    const std::string dir = test_dir.string();
    auto d = load_file(dir, fixed_env({}));
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_EQ(d.errors[0].to_string(), dir + ": cannot read the config file: " + std::strerror(EISDIR));
}

TEST(config_load, yaml_syntax_errors_have_a_position) {
    EXPECT_THAT(load_errors("swf:\n  region: [a\n"),
                ::testing::ElementsAre(::testing::StartsWith("3:1: YAML syntax error: ")));
    EXPECT_THAT(load_errors("log: {level: info\n"),
                ::testing::ElementsAre(::testing::StartsWith("2:1: YAML syntax error: ")));
    EXPECT_THAT(load_errors("a: *missing\n"),
                ::testing::ElementsAre("1:4: YAML syntax error: the referenced anchor is not defined"));
}

TEST(config_load, error_to_string) {
    EXPECT_EQ((config_error{"c.yaml", 12, 9, "boom"}).to_string(), "c.yaml:12:9: boom");
    EXPECT_EQ((config_error{"c.yaml", 0, 0, "boom"}).to_string(), "c.yaml: boom");
    EXPECT_EQ(to_string(worker_kind::decision), "decision");
    EXPECT_EQ(to_string(log_level::warn), "warn");
    EXPECT_EQ(to_string(log_format::json), "json");
}

// --- interpolation -----------------------------------------------------------------

TEST(config_interpolate, substitutes_and_reports) {
    auto env = fixed_env({{"HOST", "db"}, {"PORT", "5432"}, {"EMPTY", ""}});
    struct good_case {
        std::string_view in;
        std::string_view out;
    };
    for (const auto& g : std::vector<good_case>{
             {"plain", "plain"},
             {"", ""},
             {"${HOST}", "db"},
             {"${HOST}:${PORT}", "db:5432"},
             {"x${HOST}y", "xdby"},
             {"${EMPTY}", ""},
             {"${EMPTY:-fallback}", "fallback"},
             {"${UNSET:-fallback}", "fallback"},
             {"${UNSET:-}", ""},
             {"${HOST:-fallback}", "db"},
             {"${UNSET:-a:-b-c}", "a:-b-c"},
             {"${UNSET:-{x}", "{x"},
             {"$$", "$"},
             {"$${HOST}", "${HOST}"},
             {"a$$$${HOST}", "a$${HOST}"},
             {"$$$${HOST}", "$${HOST}"},
             {"$$${HOST}", "$db"},
             {"cost $5", "cost $5"},
             {"end$", "end$"},
             {"$HOST", "$HOST"},
         }) {
        auto r = interpolate(g.in, env);
        ASSERT_TRUE(r.value) << g.in << ": " << r.error;
        EXPECT_EQ(*r.value, g.out) << g.in;
        EXPECT_EQ(r.error, "");
    }

    struct bad_case {
        std::string_view in;
        std::string_view error;
    };
    for (const auto& b : std::vector<bad_case>{
             {"${UNSET}",
              "environment variable \"UNSET\" is not set (write ${UNSET:-default} to give a default)"},
             {"ok ${HOST} ${NOPE}",
              "environment variable \"NOPE\" is not set (write ${NOPE:-default} to give a default)"},
             {"${HOST",
              "unterminated \"${\" at character 1 (expected \"}\" to close it; write \"$$\" for a literal "
              "\"$\")"},
             {"ab${",
              "unterminated \"${\" at character 3 (expected \"}\" to close it; write \"$$\" for a literal "
              "\"$\")"},
             {"${}", "invalid variable name \"\" in \"${}\" (expected letters, digits and \"_\", not "
                     "starting with a "
                     "digit)"},
             {"${9A}",
              "invalid variable name \"9A\" in \"${9A}\" (expected letters, digits and \"_\", not starting "
              "with a digit)"},
             {"${A-B}",
              "invalid variable name \"A-B\" in \"${A-B}\" (expected letters, digits and \"_\", not "
              "starting with a digit)"},
             {"${:-x}",
              "invalid variable name \"\" in \"${:-x}\" (expected letters, digits and \"_\", not starting "
              "with a digit)"},
         }) {
        auto r = interpolate(b.in, env);
        EXPECT_FALSE(r.value) << b.in;
        EXPECT_EQ(r.error, b.error) << b.in;
    }
}

TEST(config_interpolate, without_an_environment_every_variable_is_unset) {
    EXPECT_EQ(*interpolate("${A:-x}", env_lookup{}).value, "x");
    EXPECT_FALSE(interpolate("${A}", env_lookup{}).value);
}

TEST(config_interpolate, applies_to_every_scalar_before_its_type_is_checked) {
    auto env = fixed_env({{"POLLERS", "7"},
                          {"REGION", "us-west-2"},
                          {"LIST", "[a, b]"},
                          {"GRACE", "2.5"},
                          {"KIND", "decision"},
                          {"ON", "true"},
                          {"LIB", "/opt/lib.so"}});
    const std::string yaml = "swf: {region: '${REGION}'}\n"
                             "runtime: {shutdown_grace: '${GRACE}', identity: 'id-$$-${LIST}'}\n"
                             "plugins: ['${LIB}']\n"
                             "domains: [{name: d, register: '${ON}'}]\n"
                             "workers:\n"
                             "  - kind: ${KIND}\n"
                             "    domain: d\n"
                             "    task_list: ${TL:-main}\n"
                             "    pollers: ${POLLERS:-2}\n"
                             "    max_concurrent: ${SLOTS:-3}\n"
                             "    handlers: ['${KIND}-flow:${V:-1}']\n";
    auto c = load_ok(yaml, env);
    EXPECT_EQ(c.swf.region, "us-west-2");
    EXPECT_EQ(c.runtime.shutdown_grace, 2500ms);
    EXPECT_EQ(c.runtime.identity, "id-$-[a, b]"); // a value from the environment is never parsed as YAML
    EXPECT_EQ(c.plugins[0].path, "/opt/lib.so");
    EXPECT_TRUE(c.domains[0].register_domain);
    EXPECT_EQ(c.workers[0].kind, worker_kind::decision);
    EXPECT_EQ(c.workers[0].task_list, "main");
    EXPECT_EQ(c.workers[0].pollers, 7);
    EXPECT_EQ(c.workers[0].max_concurrent, 3);
    EXPECT_EQ(c.workers[0].handlers[0].text(), "decision-flow:1");

    // Keys are not interpolated; a value from the environment is type-checked like any other.
    EXPECT_THAT(load_errors("${KEY}: 1\nruntime: {threads: '${POLLERS}${POLLERS}x'}\n", env),
                ::testing::ElementsAre(::testing::StartsWith("1:1: unknown key \"${KEY}\" at the top level"),
                                       "2:20: runtime.threads: expected an integer, got a string (\"77x\")"));
}

// --- bad files ---------------------------------------------------------------------

// Each file in tests/config/bad starts with one "# expect: line:column: message"
// comment per error, in the order the loader reports them. The environment
// they are loaded with is this one.
const std::map<std::string, std::string, std::less<>> bad_file_env{{"PRESENT", "x"}, {"EMPTY", ""}};

std::vector<std::string> expectations(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    std::string line;
    const std::string tag = "# expect: ";
    while (std::getline(in, line) && line.rfind(tag, 0) == 0)
        out.push_back(line.substr(tag.size()));
    return out;
}

TEST(config_bad_files, each_reports_exactly_its_expected_errors) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(test_dir / "bad")) {
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    ASSERT_GE(files.size(), 15u);
    std::size_t with_several = 0;
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        auto expected = expectations(file);
        ASSERT_FALSE(expected.empty()) << "no \"# expect:\" lines";
        if (expected.size() > 1) ++with_several;
        auto r = load_file(file.string(), fixed_env(bad_file_env));
        EXPECT_FALSE(r.value);
        EXPECT_EQ(positioned(r.errors), expected);
        for (const auto& e : r.errors)
            EXPECT_EQ(e.file, file.string());
    }
    EXPECT_GE(with_several, 5u);
}

// --- schema -------------------------------------------------------------------------

// Every key path in a YAML tree: "a.b", lists of mappings as "a[].b".
void collect_paths(const YAML::Node& node, const std::string& prefix, std::set<std::string>& out) {
    if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            std::string path = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
            out.insert(path);
            collect_paths(it->second, path, out);
        }
    } else if (node.IsSequence()) {
        for (const auto& item : node) {
            if (item.IsMap()) collect_paths(item, prefix + "[]", out);
        }
    }
}

TEST(config_schema, lists_exactly_the_keys_of_the_full_file) {
    std::set<std::string> in_file;
    collect_paths(YAML::LoadFile((test_dir / "good" / "full.yaml").string()), "", in_file);
    std::set<std::string> documented;
    for (const auto& k : schema()) {
        EXPECT_TRUE(documented.insert(k.path).second) << "listed twice: " << k.path;
        EXPECT_FALSE(k.type.empty()) << k.path;
        EXPECT_FALSE(k.description.empty()) << k.path;
        EXPECT_EQ(k.required, k.default_value == "(required)") << k.path;
    }
    EXPECT_EQ(in_file, documented);
}

// A document that sets `path` with its last key misspelt by one letter.
std::string misspelt(const std::string& path, std::string& parent, int& line, int& column) {
    std::string doc;
    std::string indent;
    std::string rest = path;
    parent.clear();
    line = 1;
    for (;;) {
        auto dot = rest.find('.');
        std::string part = rest.substr(0, dot);
        bool list = part.size() > 2 && part.ends_with("[]");
        std::string key = list ? part.substr(0, part.size() - 2) : part;
        if (dot == std::string::npos) {
            column = static_cast<int>(indent.size()) + 1;
            return doc + indent + key + "x: 1\n";
        }
        doc += indent + key + ":\n";
        ++line;
        parent += (parent.empty() ? "" : ".") + key;
        if (list) {
            doc += indent + "  -\n";
            ++line;
            indent += "    ";
            parent += "[0]";
        } else {
            indent += "  ";
        }
        rest = rest.substr(dot + 1);
    }
}

TEST(config_schema, every_listed_key_is_one_the_parser_knows) {
    for (const auto& k : schema()) {
        std::string parent;
        int line = 0;
        int column = 0;
        std::string doc = misspelt(k.path, parent, line, column);
        auto dot = k.path.rfind('.');
        std::string key = dot == std::string::npos ? k.path : k.path.substr(dot + 1);
        std::string where = parent.empty() ? "at the top level" : "under " + parent;
        std::string expected = std::to_string(line) + ":" + std::to_string(column) + ": unknown key \"" +
                               key + "x\" " + where + "; did you mean \"" + key + "\"?";
        auto r = load_string(doc, "s.yaml", fixed_env({}));
        EXPECT_THAT(positioned(r.errors), ::testing::Contains(expected)) << doc;
    }
}

std::string seconds_text(std::chrono::milliseconds d) {
    std::ostringstream s;
    s << static_cast<double>(d.count()) / 1000.0;
    return s.str();
}

std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

TEST(config_schema, defaults_are_what_the_loader_gives_for_absent_keys) {
    // `bare` sets nothing; `items` has one domain and one worker with only their required keys.
    using reading = std::function<std::string(const config& bare, const config& items)>;
    std::map<std::string, reading> actual{
        {"swf", [](const config&, const config&) { return "{}"; }},
        {"swf.region", [](const config& c, const config&) { return quoted(c.swf.region); }},
        {"swf.endpoint_url", [](const config& c, const config&) { return quoted(c.swf.endpoint_url); }},
        {"swf.profile", [](const config& c, const config&) { return quoted(c.swf.profile); }},
        {"swf.credentials",
         [](const config& c, const config&) { return c.swf.credentials ? "set" : "(none)"; }},
        {"swf.credentials.session_token",
         [](const config&, const config&) {
             auto with = load_ok("swf: {credentials: {access_key_id: a, secret_access_key: b}}\n");
             return quoted(with.swf.credentials.value_or(static_credentials{"", "", "unset"}).session_token);
         }},
        {"swf.ca_file", [](const config& c, const config&) { return quoted(c.swf.ca_file); }},
        {"swf.timeouts", [](const config&, const config&) { return "{}"; }},
        {"swf.timeouts.connect",
         [](const config& c, const config&) { return seconds_text(c.swf.timeouts.connect); }},
        {"swf.timeouts.call",
         [](const config& c, const config&) { return seconds_text(c.swf.timeouts.call); }},
        {"swf.timeouts.poll",
         [](const config& c, const config&) { return seconds_text(c.swf.timeouts.poll); }},
        {"swf.retry", [](const config&, const config&) { return "{}"; }},
        {"swf.retry.max_attempts",
         [](const config& c, const config&) { return std::to_string(c.swf.retry.max_attempts); }},
        {"swf.retry.max_backoff",
         [](const config& c, const config&) { return seconds_text(c.swf.retry.max_backoff); }},
        {"runtime", [](const config&, const config&) { return "{}"; }},
        {"runtime.threads", [](const config& c, const config&) { return std::to_string(c.runtime.threads); }},
        {"runtime.shutdown_grace",
         [](const config& c, const config&) { return seconds_text(c.runtime.shutdown_grace); }},
        {"runtime.identity", [](const config& c, const config&) { return quoted(c.runtime.identity); }},
        {"plugins", [](const config& c, const config&) { return c.plugins.empty() ? "[]" : "set"; }},
        {"domains", [](const config& c, const config&) { return c.domains.empty() ? "[]" : "set"; }},
        {"domains[].retention_days",
         [](const config&, const config& i) { return std::to_string(i.domains.at(0).retention_days); }},
        {"domains[].description",
         [](const config&, const config& i) { return quoted(i.domains.at(0).description); }},
        {"domains[].register",
         [](const config&, const config& i) { return i.domains.at(0).register_domain ? "true" : "false"; }},
        {"workers", [](const config& c, const config&) { return c.workers.empty() ? "[]" : "set"; }},
        {"workers[].identity",
         [](const config&, const config& i) { return quoted(i.workers.at(0).identity); }},
        {"workers[].pollers",
         [](const config&, const config& i) { return std::to_string(i.workers.at(0).pollers); }},
        {"workers[].max_concurrent",
         [](const config&, const config& i) { return std::to_string(i.workers.at(0).max_concurrent); }},
        {"workers[].register",
         [](const config&, const config& i) { return std::string(i.workers.at(0).register_types ? "true" : "false"); }},
        {"workers[].sticky_schedule_to_start",
         [](const config&, const config& i) { return seconds_text(i.workers.at(0).sticky_schedule_to_start); }},
        {"metrics", [](const config&, const config&) { return "{}"; }},
        {"metrics.listen", [](const config& c, const config&) { return quoted(c.metrics.listen); }},
        {"log", [](const config&, const config&) { return "{}"; }},
        {"log.level", [](const config& c, const config&) { return std::string(to_string(c.log.level)); }},
        {"log.format", [](const config& c, const config&) { return std::string(to_string(c.log.format)); }},
    };
    auto bare = load_ok("");
    auto items = load_ok(std::string(one_worker) + "domains: [{name: d}]\n");
    std::set<std::string> optional_keys;
    for (const auto& k : schema()) {
        if (k.required) continue;
        optional_keys.insert(k.path);
        auto it = actual.find(k.path);
        ASSERT_NE(it, actual.end()) << "no check for the default of " << k.path;
        EXPECT_EQ(k.default_value, it->second(bare, items)) << k.path;
    }
    std::set<std::string> checked;
    for (const auto& [path, fn] : actual)
        checked.insert(path);
    EXPECT_EQ(checked, optional_keys);
}

TEST(config_schema, required_keys) {
    std::set<std::string> required;
    for (const auto& k : schema()) {
        if (k.required) required.insert(k.path);
    }
    EXPECT_EQ(required,
              (std::set<std::string>{"swf.credentials.access_key_id", "swf.credentials.secret_access_key",
                                     "domains[].name", "workers[].kind", "workers[].domain",
                                     "workers[].task_list", "workers[].handlers"}));
}

} // namespace
} // namespace swfrt::config
