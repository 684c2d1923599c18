#include "runtime/cli/run_command.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "runtime/core/app.hpp"
#include "runtime/plugin/log_host.hpp"

namespace swfrt::runtime::cli {

namespace {

struct run_args {
    std::string config_path;
    std::optional<double> max_time;
    std::optional<std::uint64_t> max_tasks;
};

void print_errors(const std::vector<config::config_error>& errors) {
    for (const auto& e : errors) std::cerr << e.to_string() << "\n";
    std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << "; nothing started\n";
}

logger make_logger(const config::config& c) { return logger(c.log.level, c.log.format); }

// Loads the file and the plugins; nullopt (after printing every error) when anything is wrong.
std::optional<config::config> prepare(const std::string& path, bool need_workers, plugin_set& plugins) {
    auto loaded = config::load_file(path, config::system_env());
    if (!loaded.ok()) {
        print_errors(loaded.errors);
        return std::nullopt;
    }
    auto errors = load_and_check(*loaded.value, plugins);
    if (need_workers) {
        auto more = config::check_runnable(*loaded.value);
        errors.insert(errors.end(), more.begin(), more.end());
    }
    // What run checks next, before it connects: the region and endpoint as
    // the environment and profile complete them, the CA bundle. Building
    // the client sends nothing.
    if (errors.empty()) {
        boost::asio::io_context io;
        auto client = make_client(*loaded.value, io.get_executor(), nullptr);
        if (!client) errors.push_back(loaded.value->error_at({}, "cannot create the SWF client: " + client.error().to_string()));
    }
    if (!errors.empty()) {
        print_errors(errors);
        return std::nullopt;
    }
    return std::move(*loaded.value);
}

} // namespace

void add_run_commands(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<run_args>();

    auto* run_cmd = app.add_subcommand("run", "Run the workers a configuration file describes until SIGTERM/SIGINT");
    run_cmd->add_option("config", args->config_path, "YAML configuration file")->required();
    run_cmd->add_option("--max-time", args->max_time, "Shut down gracefully after this many seconds")
        ->check(CLI::PositiveNumber);
    run_cmd->add_option("--max-tasks", args->max_tasks, "Shut down gracefully after receiving this many tasks")
        ->check(CLI::PositiveNumber);
    run_cmd->callback([args, &exit_code] {
        plugin_set plugins;
        auto c = prepare(args->config_path, true, plugins);
        if (!c) {
            exit_code = exit_config;
            return;
        }
        logger log = make_logger(*c);
        run_limits limits;
        if (args->max_time) limits.max_time = std::chrono::milliseconds{static_cast<long long>(*args->max_time * 1000)};
        limits.max_tasks = args->max_tasks;
        plugin::set_log_target(&log); // what plugins log, in the configured format
        exit_code = run(*c, plugins, limits, log);
        plugin::set_log_target(nullptr);
    });

    auto* check_cmd = app.add_subcommand(
        "check", "Validate a configuration file and its plugins without connecting to SWF");
    check_cmd->add_option("config", args->config_path, "YAML configuration file")->required();
    check_cmd->callback([args, &exit_code] {
        plugin_set plugins;
        auto c = prepare(args->config_path, true, plugins);
        if (!c) {
            exit_code = exit_config;
            return;
        }
        std::cout << args->config_path << ": ok (" << c->workers.size() << " workers, "
                  << plugins.registry->activities().size() << " activity types, "
                  << plugins.registry->workflows().size() << " workflow types from " << plugins.libraries.size()
                  << " plugins)\n";
        exit_code = exit_ok;
    });

    auto* register_cmd = app.add_subcommand(
        "register", "Register the configuration's domains and the types its workers serve, then exit");
    register_cmd->add_option("config", args->config_path, "YAML configuration file")->required();
    register_cmd->callback([args, &exit_code] {
        plugin_set plugins;
        auto c = prepare(args->config_path, false, plugins);
        if (!c) {
            exit_code = exit_config;
            return;
        }
        logger log = make_logger(*c);
        exit_code = register_types(*c, plugins, log);
    });
}

} // namespace swfrt::runtime::cli
