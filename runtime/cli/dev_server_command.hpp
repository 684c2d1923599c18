// `swf-runtime dev-server`: the local SWF service on a loopback port.
#pragma once

#include <CLI/CLI.hpp>

namespace swfrt::runtime::cli {

void add_dev_server_command(CLI::App& app, int& exit_code);

} // namespace swfrt::runtime::cli
