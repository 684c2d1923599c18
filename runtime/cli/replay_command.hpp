// `swf-runtime replay`: runs a plugin's decider on a recorded history (a
// file, or fetched from SWF) and prints the decisions it would make now, so
// that a code change can be checked against real histories before it ships.
#pragma once

#include <cstddef>

#include <CLI/CLI.hpp>

namespace swfrt::runtime::cli {

// Exit codes of replay beyond those of every command (0, 1, 2).
inline constexpr int exit_non_determinism = 4; // the history disagrees with the code
inline constexpr int exit_decider_failed = 5;  // the decider threw anything else

// The most a HISTORY file may hold. SWF caps a history at 25,000 events, so
// one near 1 GB exists only in theory; real ones are a few MB. The cap
// keeps a wrong file or a stream from taking all memory.
inline constexpr std::size_t max_history_bytes = std::size_t{256} << 20;

// Adds the `replay` subcommand; its callback sets exit_code.
void add_replay_command(CLI::App& app, int& exit_code);

} // namespace swfrt::runtime::cli
