// `swf-runtime run`, `check` and `register`: from a loaded configuration to
// plugins, an SWF client, workers, the observability endpoint and an orderly
// shutdown.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "config/config.hpp"
#include "runtime/core/log.hpp"
#include "runtime/plugin/loader.hpp"
#include "runtime/plugin/registry.hpp"
#include "swf/client/client.hpp"

namespace swfrt::runtime {

// Exit codes of the runtime commands.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;      // SWF, network or start-up failure
inline constexpr int exit_config = 2;       // the configuration or a plugin is wrong; nothing started
inline constexpr int exit_forced = 3;       // a second signal ended the process at once

// The loaded plugins. The registry (holding handlers that live in the
// libraries) goes before the libraries are closed.
struct plugin_set {
    std::unique_ptr<plugin::registry> registry = std::make_unique<plugin::registry>();
    std::vector<std::unique_ptr<plugin::library>> libraries;
    plugin_set() = default;
    plugin_set(plugin_set&&) = default;
    plugin_set& operator=(plugin_set&&) = default;
    ~plugin_set() { registry.reset(); }
};

// Loads every configured plugin and checks every worker's handlers against
// what they registered. Errors point into the configuration file.
std::vector<config::config_error> load_and_check(const config::config& c, plugin_set& plugins);

struct run_limits {
    std::optional<std::chrono::milliseconds> max_time; // then shut down as on SIGTERM
    std::optional<std::uint64_t> max_tasks;            // tasks received, all workers together
};

// Runs until a signal or a limit; returns the exit code.
int run(const config::config& c, plugin_set& plugins, const run_limits& limits, logger& log);

// Registers what the configuration asks for (domains with register: true;
// every type a worker serves, in the worker's domain), idempotently.
int register_types(const config::config& c, const plugin_set& plugins, logger& log);

class metrics;

// The SWF client the configuration's `swf` section describes (region,
// endpoint, profile or static credentials, CA file, timeouts, retries);
// `m` (may be null) receives per-call metrics.
swf::result<std::shared_ptr<swf::client::client>> make_client(const config::config& c,
                                                               boost::asio::any_io_executor executor, metrics* m);

// "hostname:pid"
std::string default_identity();

} // namespace swfrt::runtime
