// `swf-runtime replay`: runs a plugin's decider on a recorded history (a
// file, or fetched from SWF) and prints the decisions it would make now, so
// that a code change can be checked against real histories before it ships.
#pragma once

#include <CLI/CLI.hpp>

namespace swfrt::runtime::cli {

// Exit codes of replay beyond those of every command (0, 1, 2).
inline constexpr int exit_non_determinism = 4; // the history disagrees with the code
inline constexpr int exit_decider_failed = 5;  // the decider threw anything else

// Adds the `replay` subcommand; its callback sets exit_code.
void add_replay_command(CLI::App& app, int& exit_code);

} // namespace swfrt::runtime::cli
