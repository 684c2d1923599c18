// The YAML configuration of `swf-runtime run` / `check`: plain structs with
// their defaults, a loader that validates the whole file and reports every
// problem with file:line:column, and the table of keys the README documents.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swfrt::config {

// Where `${VAR}` values come from; injected so tests never touch the real environment.
using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

// Reads the process environment with getenv.
env_lookup system_env();

// 1-based; line 0 means "not from the file" (defaults, or a whole-file problem).
struct source_location {
    int line = 0;
    int column = 0;
    friend bool operator==(const source_location&, const source_location&) = default;
};

struct static_credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; // empty: long-term keys
};

struct swf_timeouts {
    std::chrono::milliseconds connect{5'000};
    std::chrono::milliseconds call{10'000};
    // SWF holds a poll open for 60 s, so the read timeout must be longer.
    std::chrono::milliseconds poll{70'000};
};

struct retry_config {
    int max_attempts = 3; // including the first
    std::chrono::milliseconds max_backoff{20'000};
};

struct swf_config {
    std::string region;                            // empty: from the environment / profile
    std::string endpoint_url;                      // empty: the regional AWS endpoint
    std::string profile;                           // empty: AWS_PROFILE or "default"
    std::optional<static_credentials> credentials; // absent: the default chain
    std::string ca_file;
    swf_timeouts timeouts;
    retry_config retry;
};

struct runtime_config {
    int threads = 0; // 0: one per core
    std::chrono::milliseconds shutdown_grace{60'000};
    std::string identity; // empty: hostname:pid, chosen by the runtime
};

struct plugin_ref {
    std::string path;          // as written (after ${} interpolation)
    std::string resolved_path; // relative paths joined to the config file's directory
    source_location location;
};

struct domain_config {
    std::string name;
    int retention_days = 30;
    std::string description;
    bool register_domain = false; // the `register` key
    source_location location;     // of the list entry
};

enum class worker_kind { activity, decision };

// An activity type (activity workers) or workflow type (decision workers)
// the worker serves: "name" or "name:version".
struct handler_ref {
    std::string name;
    std::string version; // empty: any version registered under the name
    source_location location;
    std::string text() const; // "name" or "name:version"
};

struct worker_config {
    worker_kind kind = worker_kind::activity;
    std::string domain;
    std::string task_list;
    std::string identity; // when absent in the file: runtime.identity
    int pollers = 1;
    int max_concurrent = 10; // slots: tasks of this worker that run at once
    // Decision workers: while not zero, each answer sends the execution's
    // next decision task to this process's own task list
    // (RespondDecisionTaskCompleted.taskList), which SWF gives back to
    // task_list when it waits there this long.
    std::chrono::milliseconds sticky_schedule_to_start{0};
    std::vector<handler_ref> handlers;
    // The `register` key: register the handlers' types at start-up. False for
    // credentials that may only poll; start-up then checks the types exist.
    bool register_types = true;
    source_location location; // of the list entry
};

struct metrics_config {
    std::string listen = "127.0.0.1:9464"; // empty: no metrics endpoint
    // Split from `listen` by the loader; host without brackets for IPv6.
    std::string host = "127.0.0.1";
    std::uint16_t port = 9464;
    bool enabled() const { return !listen.empty(); }
};

enum class log_level { trace, debug, info, warn, error };
enum class log_format { text, json };

struct log_config {
    log_level level = log_level::info;
    log_format format = log_format::text;
};

struct config_error {
    std::string file;
    int line = 0; // 1-based; 0 when the error is about the whole file
    int column = 0;
    std::string message;
    // "file:line:column: message", or "file: message" without a line.
    std::string to_string() const;
};

struct config {
    std::string source_file; // the name given to load_file / load_string
    swf_config swf;
    runtime_config runtime;
    std::vector<plugin_ref> plugins;
    std::vector<domain_config> domains;
    std::vector<worker_config> workers;
    metrics_config metrics;
    log_config log;
    source_location workers_location; // of the `workers` value, line 0 when absent

    // An error pointing into this config's file, for checks made later
    // (e.g. "config.yaml:12:9: handler 'x' is not registered by any plugin").
    config_error error_at(source_location where, std::string message) const;
};

struct load_result {
    std::optional<config> value;      // set only when errors is empty
    std::vector<config_error> errors; // all problems found, ordered by position
    bool ok() const { return value.has_value(); }
};

// Parses and validates a whole file. A file that cannot be read (missing, a
// directory or a device, larger than max_config_bytes of input_file.hpp)
// gives one error naming the file and the reason.
load_result load_file(const std::string& path, env_lookup env);

// As load_file; `file_name` is used in errors and its directory part anchors
// relative plugin paths (none: they stay relative to the working directory).
load_result load_string(std::string_view yaml, std::string file_name, env_lookup env);

// What `run` needs beyond a valid file: at least one worker.
std::vector<config_error> check_runnable(const config& c);

// One row per key the loader accepts, in file order.
struct key_doc {
    std::string path;          // "swf.timeouts.poll", "workers[].pollers"
    std::string type;          // "string", "integer", "seconds", "boolean", "mapping", ...
    std::string default_value; // as YAML text; "(required)" for required keys
    std::string description;   // meaning and allowed values
    bool required = false;
};
const std::vector<key_doc>& schema();

std::string_view to_string(worker_kind k);
std::string_view to_string(log_level l);
std::string_view to_string(log_format f);

} // namespace swfrt::config
