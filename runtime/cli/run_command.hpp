// `swf-runtime run CONFIG`, `check CONFIG` and `register CONFIG`.
#pragma once

#include <CLI/CLI.hpp>

namespace swfrt::runtime::cli {

void add_run_commands(CLI::App& app, int& exit_code);

} // namespace swfrt::runtime::cli
