// Operator commands on top of the client, with the connection settings of a
// configuration file (--config) or the environment: start, signal,
// terminate, cancel, describe, history, list.
#pragma once

#include <CLI/CLI.hpp>

namespace swfrt::runtime::cli {

void add_ops_commands(CLI::App& app, int& exit_code);

} // namespace swfrt::runtime::cli
