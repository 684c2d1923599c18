// `swf-runtime api OPERATION ...`: any of the 39 SWF operations from the
// command line, like `aws swf <op> --cli-input-json`.
#pragma once

#include <cstddef>

#include <CLI/CLI.hpp>

namespace swfrt::runtime::cli {

// Exit codes of every swf-runtime command.
inline constexpr int exit_ok = 0;
inline constexpr int exit_service_error = 1; // SWF or the network said no
inline constexpr int exit_usage = 2;         // bad arguments or input, nothing sent

// The most an --input-file may hold: SWF refuses requests over 1 MB; the
// rest leaves room for pretty-printed JSON.
inline constexpr std::size_t max_input_bytes = std::size_t{2} << 20;

// Adds the `api` subcommand; its callback sets exit_code.
void add_api_command(CLI::App& app, int& exit_code);

} // namespace swfrt::runtime::cli
