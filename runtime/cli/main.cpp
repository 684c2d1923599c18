// swf-runtime: the command line of the SWF worker runtime.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "runtime/cli/api_command.hpp"
#include "runtime/cli/dev_server_command.hpp"
#include "runtime/cli/ops_commands.hpp"
#include "runtime/cli/replay_command.hpp"
#include "runtime/cli/run_command.hpp"
#include "swf/codec/codec.hpp"

int main(int argc, char** argv) {
    using namespace swfrt::runtime::cli;
    if (!swfrt::swf::codec::cpu_supported()) {
        std::fprintf(stderr,
                     "swf-runtime: this build needs a CPU with the %s instruction set (SWFRT_SIMD); this one lacks "
                     "it. Build with -DSWFRT_SIMD=westmere or -DSWFRT_SIMD=none for this machine.\n",
                     std::string(swfrt::swf::codec::cpu_requirement()).c_str());
        return exit_usage;
    }
    CLI::App app{"swf-runtime: a worker runtime for Amazon Simple Workflow Service"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("swf-runtime ") + SWFRT_VERSION);
    int exit_code = exit_ok;
    add_api_command(app, exit_code);
    add_run_commands(app, exit_code);
    add_ops_commands(app, exit_code);
    add_replay_command(app, exit_code);
    add_dev_server_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? exit_ok : exit_usage;
    } catch (const std::exception& e) {
        // Commands report their own errors; this is the last line, so that
        // nothing ends the process with an uncaught exception (abort, 134).
        std::fprintf(stderr, "swf-runtime: unexpected error: %s\n", e.what());
        return exit_service_error;
    } catch (...) {
        std::fprintf(stderr, "swf-runtime: unexpected error (a non-standard exception)\n");
        return exit_service_error;
    }
    return exit_code;
}
