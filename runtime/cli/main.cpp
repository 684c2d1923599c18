// swf-runtime: the command line of the SWF worker runtime.
#include <iostream>

#include <CLI/CLI.hpp>

#include "runtime/cli/api_command.hpp"
#include "runtime/cli/ops_commands.hpp"
#include "runtime/cli/replay_command.hpp"
#include "runtime/cli/run_command.hpp"

int main(int argc, char** argv) {
    using namespace swfrt::runtime::cli;
    CLI::App app{"swf-runtime: a worker runtime for Amazon Simple Workflow Service"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("swf-runtime ") + SWFRT_VERSION);
    int exit_code = exit_ok;
    add_api_command(app, exit_code);
    add_run_commands(app, exit_code);
    add_ops_commands(app, exit_code);
    add_replay_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? exit_ok : exit_usage;
    }
    return exit_code;
}
