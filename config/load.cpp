// The tables of every key, the checks across entries, and load_string.
#include "config/config.hpp"
#include "config/fields.hpp"
#include "swf/model/limits.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

namespace swfrt::config {
namespace {

using namespace std::chrono_literals;
using detail::field;
using detail::quote;
using detail::reader;
using detail::table;
using detail::value;

namespace limits = swf::model::limits;
// Domain, task list and type names share one bound; a domain name's is the same.
static_assert(limits::max_domain_name == limits::max_name);
constexpr std::size_t max_name = limits::max_name;
constexpr std::size_t max_version = limits::max_version;
constexpr std::size_t max_identity = limits::max_identity;
constexpr std::size_t max_description = limits::max_description;
constexpr auto max_duration = std::chrono::milliseconds{24h};

// --- checks on single strings ----------------------------------------------

// Characters as SWF counts them: code points of the (already valid) UTF-8.
std::size_t characters(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// SWF's rule for domain, task list and type names and versions.
std::optional<std::string> swf_name_problem(std::string_view s, std::string_view noun, std::size_t max) {
    if (s.empty()) return "expected a non-empty " + std::string(noun);
    if (auto n = characters(s); n > max) {
        return "expected a " + std::string(noun) + " of at most " + std::to_string(max) +
               " characters, got " + std::to_string(n);
    }
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == ':' || c == '/' || c == '|' || u < 0x20 || u == 0x7f) {
            return "expected a " + std::string(noun) +
                   " without \":\", \"/\", \"|\" or control characters, got " + quote(s);
        }
    }
    if (s == "arn") return "expected a " + std::string(noun) + " other than \"arn\"";
    return std::nullopt;
}

std::optional<std::string> check_name(std::string_view s) {
    return swf_name_problem(s, "name", max_name);
}

std::optional<std::string> check_length(std::string_view s, std::size_t max) {
    const auto n = characters(s);
    if (n <= max) return std::nullopt;
    return "expected at most " + std::to_string(max) + " characters, got " + std::to_string(n);
}

std::optional<std::string> check_identity(std::string_view s) {
    return check_length(s, max_identity);
}
std::optional<std::string> check_description(std::string_view s) {
    return check_length(s, max_description);
}

std::optional<std::string> check_not_empty(std::string_view s) {
    if (s.empty()) return "expected a non-empty string";
    return std::nullopt;
}

// As the client resolves it (swf/auth/settings.cpp): the region becomes part
// of a host name and of the SigV4 scope. Empty: from the environment.
std::optional<std::string> check_region(std::string_view s) {
    if (s.empty()) return std::nullopt;
    bool ok =
        s.size() <= 63 && s.front() != '-' && s.back() != '-' && std::all_of(s.begin(), s.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
    if (ok) return std::nullopt;
    return "expected a region name such as \"us-east-1\", got " + quote(s);
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What the client refuses of an endpoint URL at start-up, with the same
// rules (swf/auth/settings.cpp normalize_endpoint, swf/http/endpoint.cpp
// endpoint::parse): `run` would stop there, so `check` must stop here.
// tests/runtime/config_agreement_test.cpp holds the two to each other.
std::optional<std::string> endpoint_problem(std::string_view url) {
    while (!url.empty() && is_space(url.back()))
        url.remove_suffix(1);
    while (!url.empty() && is_space(url.front()))
        url.remove_prefix(1);
    std::string_view rest;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (url.substr(0, scheme.size()) == scheme) rest = url.substr(scheme.size());
    }
    if (rest.data() == nullptr) return "a URL starting with http:// or https://";
    while (rest.size() > 1 && rest.back() == '/')
        rest.remove_suffix(1);
    const auto authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    std::string_view path =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (auto hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
    if (authority.empty()) return "a URL with a host after the scheme";
    if (authority.find('@') != std::string_view::npos) return "a URL without user information (user@)";

    std::string_view port;
    bool has_port = false;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return "a URL whose IPv6 address is closed with \"]\"";
        const std::string_view host = authority.substr(1, close - 1);
        bool ipv6_chars = std::all_of(host.begin(), host.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        });
        if (host.empty() || !ipv6_chars || host.find(':') == std::string_view::npos)
            return "a URL with an IPv6 address of hexadecimal digits, \":\" and \".\" in brackets";
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return "a URL with nothing but :port after the \"]\" of its IPv6 address";
            port = after.substr(1);
            has_port = true;
        }
    } else {
        const auto colon = authority.find(':');
        const std::string_view host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            has_port = true;
            if (port.find(':') != std::string_view::npos)
                return "a URL with its IPv6 address in brackets, such as http://[::1]:8080";
        }
        bool host_chars = std::all_of(host.begin(), host.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
        });
        if (host.empty()) return "a URL with a host after the scheme";
        if (!host_chars) return "a URL whose host has only letters, digits, \"-\", \".\" and \"_\"";
    }
    if (has_port) {
        unsigned value = 0;
        if (is_digits(port) && port.size() <= 5) {
            for (char c : port)
                value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value < 1 || value > 65535) return "a URL with a port from 1 to 65535";
    }
    if (std::any_of(path.begin(), path.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
        return "a URL whose path is percent-encoded (no spaces or control characters)";
    return std::nullopt;
}

std::optional<std::string> check_endpoint(std::string_view s) {
    if (s.empty()) return std::nullopt;
    if (auto expected = endpoint_problem(s)) return "expected " + *expected + ", got " + quote(s);
    return std::nullopt;
}

struct host_port {
    std::string host;
    std::uint16_t port = 0;
};

std::optional<host_port> split_listen(std::string_view s) {
    std::string_view host;
    std::string_view rest;
    if (!s.empty() && s[0] == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = s.substr(1, close - 1);
        rest = s.substr(close + 1);
        if (host.find('[') != std::string_view::npos) return std::nullopt;
    } else {
        auto colon = s.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = s.substr(0, colon);
        rest = s.substr(colon);
        if (host.find_first_of(":[]") != std::string_view::npos) return std::nullopt;
    }
    if (host.empty() || rest.size() < 2 || rest.size() > 6 || rest[0] != ':') return std::nullopt;
    unsigned port = 0;
    for (char c : rest.substr(1)) {
        if (c < '0' || c > '9') return std::nullopt;
        port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port > 65535) return std::nullopt;
    return host_port{std::string(host), static_cast<std::uint16_t>(port)};
}

// The metrics endpoint binds an address and resolves no names
// (runtime/core/http_server.cpp): "localhost" or an IP address; an IPv6
// address may carry a %scope.
bool is_listen_address(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    if (host == "localhost" || ::inet_pton(AF_INET, host.c_str(), buf) == 1) return true;
    return ::inet_pton(AF_INET6, host.substr(0, host.find('%')).c_str(), buf) == 1;
}

std::optional<std::string> check_listen(std::string_view s) {
    if (s.empty()) return std::nullopt;
    auto hp = split_listen(s);
    if (!hp) {
        return "expected host:port or [ipv6-address]:port with a port from 0 to 65535, or \"\" to disable, "
               "got " +
               quote(s);
    }
    if (!is_listen_address(hp->host)) {
        return "expected an IP address or localhost as the host (the endpoint resolves no names), got " +
               quote(s);
    }
    return std::nullopt;
}

// --- list items ----------------------------------------------------------------

bool read_plugin(reader& r, const value& v, const std::string& path, plugin_ref& out) {
    auto s = r.scalar(v, path, "a plugin path");
    if (!s) return false;
    if (s->empty()) {
        r.error(v.at, path + ": expected a plugin path, got an empty string");
        return false;
    }
    std::filesystem::path p(*s);
    out.path = std::move(*s);
    out.resolved_path = p.is_absolute()
                            ? p.lexically_normal().string()
                            : (std::filesystem::path(r.base_dir()) / p).lexically_normal().string();
    out.location = v.at;
    return true;
}

bool read_handler(reader& r, const value& v, const std::string& path, handler_ref& out) {
    auto s = r.scalar(v, path, "a type name");
    if (!s) return false;
    out.location = v.at;
    auto colon = s->find(':');
    std::string name = s->substr(0, colon);
    std::string version = colon == std::string::npos ? std::string() : s->substr(colon + 1);
    if (name.empty() || (colon != std::string::npos && version.empty())) {
        r.error(v.at, path + ": expected \"name\" or \"name:version\", got " + detail::describe_text(*s));
        return false;
    }
    if (auto p = swf_name_problem(name, "name", max_name)) {
        r.error(v.at, path + ": " + *p);
        return false;
    }
    if (colon != std::string::npos) {
        if (auto p = swf_name_problem(version, "version", max_version)) {
            r.error(v.at, path + ": " + *p);
            return false;
        }
    }
    out.name = std::move(name);
    out.version = std::move(version);
    return true;
}

// --- checks across list entries --------------------------------------------------

void unique_plugins(reader& r, const std::string& path, const std::vector<plugin_ref>& items,
                    const std::vector<bool>& clean) {
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!clean[i]) continue;
        auto [it, inserted] = first.emplace(items[i].resolved_path, i);
        if (inserted) continue;
        const auto& f = items[it->second];
        r.error(items[i].location, detail::item_path(path, i) + ": duplicate plugin " + quote(items[i].path) +
                                       " (same file as " + detail::item_path(path, it->second) + " at " +
                                       detail::format_location(f.location) + ")");
    }
}

void unique_handlers(reader& r, const std::string& path, const std::vector<handler_ref>& items,
                     const std::vector<bool>& clean) {
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!clean[i]) continue;
        auto [it, inserted] = first.emplace(items[i].text(), i);
        if (inserted) continue;
        r.error(items[i].location, detail::item_path(path, i) + ": duplicate handler " +
                                       quote(items[i].text()) + " (first at " +
                                       detail::format_location(items[it->second].location) + ")");
    }
}

void unique_domains(reader& r, const std::string& path, const std::vector<domain_config>& items,
                    const std::vector<bool>& clean) {
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!clean[i]) continue;
        auto [it, inserted] = first.emplace(items[i].name, i);
        if (inserted) continue;
        r.error(items[i].location, detail::item_path(path, i) + ": duplicate domain " + quote(items[i].name) +
                                       " (first at " + detail::format_location(items[it->second].location) +
                                       ")");
    }
}

// Two workers polling the same task list would split its tasks between
// handler sets that may differ; that is never what a config means.
void unique_workers(reader& r, const std::string& path, const std::vector<worker_config>& items,
                    const std::vector<bool>& clean) {
    std::map<std::tuple<worker_kind, std::string, std::string>, std::size_t> first;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!clean[i]) continue;
        const auto& w = items[i];
        auto [it, inserted] = first.emplace(std::tuple{w.kind, w.domain, w.task_list}, i);
        if (inserted) continue;
        r.error(w.location, detail::item_path(path, i) + ": duplicate " + std::string(to_string(w.kind)) +
                                " worker for domain " + quote(w.domain) + " and task list " +
                                quote(w.task_list) + " (first at " +
                                detail::format_location(items[it->second].location) + ")");
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& w = items[i];
        if (!clean[i] || w.sticky_schedule_to_start.count() == 0) continue;
        const std::string at = detail::item_path(path, i) + ".sticky_schedule_to_start";
        if (w.kind != worker_kind::decision)
            r.error(w.location, at + ": only a decision worker routes decision tasks to itself");
        else if (w.pollers < 2 || w.max_concurrent < 2)
            r.error(w.location, at + ": needs pollers and max_concurrent of 2 or more, for polls on the worker's "
                                     "own task list and on the shared one at once (pollers is " +
                                     std::to_string(w.pollers) + ", max_concurrent " +
                                     std::to_string(w.max_concurrent) + ")");
        else if (w.sticky_schedule_to_start % 1000ms != 0ms)
            r.error(w.location, at + ": SWF counts this timeout in whole seconds");
    }
}

// --- the tables ------------------------------------------------------------------

const table<static_credentials>& credentials_table() {
    static const table<static_credentials> t{
        detail::string_field<static_credentials>("access_key_id", &static_credentials::access_key_id,
                                                 "AWS access key id", check_not_empty, true),
        detail::string_field<static_credentials>("secret_access_key", &static_credentials::secret_access_key,
                                                 "AWS secret access key", check_not_empty, true),
        detail::string_field<static_credentials>("session_token", &static_credentials::session_token,
                                                 "session token of temporary credentials"),
    };
    return t;
}

const table<swf_timeouts>& timeouts_table() {
    static const table<swf_timeouts> t{
        detail::seconds_field<swf_timeouts>("connect", &swf_timeouts::connect, 1ms, max_duration,
                                            "TCP connect and TLS handshake timeout"),
        detail::seconds_field<swf_timeouts>("call", &swf_timeouts::call, 1ms, max_duration,
                                            "timeout of one call other than a poll"),
        detail::seconds_field<swf_timeouts>("poll", &swf_timeouts::poll, 61s, max_duration,
                                            "read timeout of a long poll; SWF holds polls for 60 s"),
    };
    return t;
}

const table<retry_config>& retry_table() {
    static const table<retry_config> t{
        detail::int_field<retry_config>("max_attempts", &retry_config::max_attempts, 1, 20,
                                        "attempts per call, the first included"),
        detail::seconds_field<retry_config>("max_backoff", &retry_config::max_backoff, 1ms, max_duration,
                                            "cap of the exponential backoff between attempts"),
    };
    return t;
}

const table<swf_config>& swf_table() {
    static const table<swf_config> t{
        detail::string_field<swf_config>("region", &swf_config::region,
                                         "AWS region; empty: from AWS_REGION or the profile", check_region),
        detail::string_field<swf_config>(
            "endpoint_url", &swf_config::endpoint_url,
            "http:// or https:// URL of the SWF endpoint; empty: the regional one", check_endpoint),
        detail::string_field<swf_config>("profile", &swf_config::profile,
                                         "shared config/credentials profile; empty: AWS_PROFILE or default"),
        detail::optional_section<swf_config, static_credentials>(
            "credentials", &swf_config::credentials, credentials_table,
            "static credentials; absent: the default provider chain"),
        detail::string_field<swf_config>("ca_file", &swf_config::ca_file,
                                         "PEM file of CA certificates to trust besides the system store; empty: AWS_CA_BUNDLE, the profile's ca_bundle"),
        detail::section<swf_config, swf_timeouts>("timeouts", &swf_config::timeouts, timeouts_table,
                                                  "network timeouts"),
        detail::section<swf_config, retry_config>("retry", &swf_config::retry, retry_table,
                                                  "retries of failed calls (AWS standard mode)"),
    };
    return t;
}

const table<runtime_config>& runtime_table() {
    static const table<runtime_config> t{
        detail::int_field<runtime_config>("threads", &runtime_config::threads, 0, 1024,
                                          "threads running the io_context; 0: one per core"),
        detail::seconds_field<runtime_config>("shutdown_grace", &runtime_config::shutdown_grace, 0ms,
                                              max_duration,
                                              "after SIGTERM, how long in-flight tasks may take"),
        detail::string_field<runtime_config>("identity", &runtime_config::identity,
                                             "default identity of workers; empty: hostname:pid",
                                             check_identity),
    };
    return t;
}

const table<domain_config>& domain_table() {
    static const table<domain_config> t{
        detail::string_field<domain_config>("name", &domain_config::name, "domain name", check_name, true),
        detail::int_field<domain_config>("retention_days", &domain_config::retention_days, 0, 90,
                                         "workflow execution retention period in days, when registering"),
        detail::string_field<domain_config>("description", &domain_config::description,
                                            "description, when registering", check_description),
        detail::bool_field<domain_config>("register", &domain_config::register_domain,
                                          "register the domain at start-up if it does not exist"),
    };
    return t;
}

const table<worker_config>& worker_table() {
    static const table<worker_config> t{
        detail::enum_field<worker_config, worker_kind>("kind", &worker_config::kind, {"activity", "decision"},
                                                       "what the worker polls for", true),
        detail::string_field<worker_config>("domain", &worker_config::domain,
                                            "domain to poll; need not be listed under domains", check_name,
                                            true),
        detail::string_field<worker_config>("task_list", &worker_config::task_list, "task list to poll",
                                            check_name, true),
        detail::string_field<worker_config>("identity", &worker_config::identity,
                                            "identity sent with polls; empty: runtime.identity",
                                            check_identity),
        detail::int_field<worker_config>("pollers", &worker_config::pollers, 1, 100,
                                         "concurrent long polls on the task list"),
        detail::int_field<worker_config>("max_concurrent", &worker_config::max_concurrent, 1, 10000,
                                         "tasks run at once (slots); a poller waits for a free slot"),
        detail::seconds_field<worker_config>(
            "sticky_schedule_to_start", &worker_config::sticky_schedule_to_start, 0ms, 3600s,
            "decision workers: send an execution's next decision task to this process's own task list, "
            "given back to task_list after waiting there this long; 0: off (needs pollers and max_concurrent of 2 or more)"),
        detail::string_list<worker_config, handler_ref>(
            "handlers", &worker_config::handlers, read_handler, 1,
            "activity types (activity workers) or workflow types (decision workers) served, as name or "
            "name:version",
            unique_handlers, true),
        detail::bool_field<worker_config>("register", &worker_config::register_types,
                                          "register the handlers' types at start-up; false: only check that "
                                          "they are registered (for credentials that may only poll)"),
    };
    return t;
}

const table<metrics_config>& metrics_table() {
    static const table<metrics_config> t{
        detail::string_field<metrics_config>("listen", &metrics_config::listen,
                                             "host:port or [ipv6]:port of the metrics and health endpoint; "
                                             "empty: disabled",
                                             check_listen),
    };
    return t;
}

const table<log_config>& log_table() {
    static const table<log_config> t{
        detail::enum_field<log_config, log_level>("level", &log_config::level,
                                                  {"trace", "debug", "info", "warn", "error"},
                                                  "least severe level written"),
        detail::enum_field<log_config, log_format>("format", &log_config::format, {"text", "json"},
                                                   "text lines or one JSON object per line"),
    };
    return t;
}

const table<config>& root_table() {
    static const table<config> t{
        detail::section<config, swf_config>("swf", &config::swf, swf_table, "connection to SWF"),
        detail::section<config, runtime_config>("runtime", &config::runtime, runtime_table, "the process"),
        detail::string_list<config, plugin_ref>(
            "plugins", &config::plugins, read_plugin, 0,
            "shared libraries with handlers; relative paths are relative to the config file's directory",
            unique_plugins),
        detail::mapping_list<config, domain_config>("domains", &config::domains, domain_table,
                                                    "domains the runtime knows, optionally registers",
                                                    unique_domains),
        detail::mapping_list<config, worker_config>("workers", &config::workers, worker_table,
                                                    "poll loops; run needs at least one", unique_workers),
        detail::section<config, metrics_config>("metrics", &config::metrics, metrics_table,
                                                "metrics and health endpoint"),
        detail::section<config, log_config>("log", &config::log, log_table, "logging"),
    };
    return t;
}

// Values that follow from others once everything is read.
void complete(config& c, const YAML::Node& root) {
    for (auto& w : c.workers) {
        if (w.identity.empty()) w.identity = c.runtime.identity;
    }
    if (auto hp = split_listen(c.metrics.listen)) {
        c.metrics.host = std::move(hp->host);
        c.metrics.port = hp->port;
    } else {
        c.metrics.host.clear();
        c.metrics.port = 0;
    }
    if (root.IsMap()) {
        for (auto it = root.begin(); it != root.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == "workers") {
                c.workers_location =
                    detail::location_of(it->second.IsNull() ? it->first.Mark() : it->second.Mark());
                break;
            }
        }
    }
}

// yaml-cpp 0.7's LoadAll never returns on some malformed input ("b','"):
// its parser keeps reporting one more empty document without consuming a
// token, and LoadAll keeps collecting them until memory runs out. So the
// documents are counted here, up to two, and the first one is loaded alone.
class document_counter final : public YAML::EventHandler {
public:
    // Where the second document's content starts (else the document itself).
    std::optional<YAML::Mark> second;
    void OnDocumentStart(const YAML::Mark& mark) override {
        if (++starts_ == 2) second = mark;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark& m) {
        if (starts_ == 2 && !node_seen_) {
            node_seen_ = true;
            second = m;
        }
    }
    int starts_ = 0;
    bool node_seen_ = false;
};

// Documents in the text, counted up to two (throws YAML::Exception on a
// syntax error); `second` is where the second one starts, when known.
int count_documents(const std::string& text, YAML::Mark& second) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    document_counter counter;
    int documents = 0;
    while (documents < 2 && parser.HandleNextDocument(counter)) ++documents;
    if (counter.second) second = *counter.second;
    return documents;
}

} // namespace

load_result load_string(std::string_view yaml, std::string file_name, env_lookup env) {
    std::string base_dir = std::filesystem::path(file_name).parent_path().string();
    reader r(file_name, base_dir, env);
    config c;
    c.source_file = file_name;
    try {
        const std::string text(yaml);
        YAML::Mark second = YAML::Mark::null_mark();
        const int documents = count_documents(text, second);
        if (documents > 1) {
            r.error(second.is_null() ? source_location{1, 1} : detail::location_of(second),
                    "expected one YAML document, found more than one");
        }
        YAML::Node root = documents == 0 ? YAML::Node() : YAML::Load(text);
        value top{root, documents == 0 ? source_location{1, 1} : detail::location_of(root.Mark())};
        if (!root.IsNull() && !root.IsMap()) {
            r.error(top.at, "expected a mapping of settings (" +
                                detail::join(detail::keys_of(root_table()), ", ") +
                                ") at the top level, got " + detail::describe(root));
        } else {
            detail::read_mapping(r, top, "", root_table(), c);
            complete(c, root);
        }
    } catch (const YAML::Exception& e) {
        // Syntax errors stop the parser, so there is only ever one.
        r.error(detail::location_of(e.mark), "YAML syntax error: " + e.msg);
    }
    load_result result;
    result.errors = r.take_errors();
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const config_error& a, const config_error& b) {
                         return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    if (result.errors.empty()) result.value = std::move(c);
    return result;
}

const std::vector<key_doc>& schema() {
    static const std::vector<key_doc> docs = [] {
        std::vector<key_doc> out;
        detail::document(root_table(), "", out);
        return out;
    }();
    return docs;
}

} // namespace swfrt::config
