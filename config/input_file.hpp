// Reads a file a user names (the configuration, a request's input, a
// recorded history) whole and with a size cap. Only regular files and
// streams (pipes, sockets, terminals; "-" is standard input) are read: a
// directory or a device such as /dev/zero is refused with a message, never
// read until memory runs out. Never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace swfrt::config {

// The configuration file: far above any real one, far below harm.
inline constexpr std::size_t max_config_bytes = std::size_t{4} << 20;

struct input_text {
    std::optional<std::string> text; // set when the file was read
    std::string reason;              // otherwise why not: "Is a directory", "larger than the 4 MiB limit"
    std::string message;             // otherwise "PATH: cannot read the WHAT: REASON"
    bool ok() const { return text.has_value(); }
};

// Reads `path` up to `max_bytes`; "-" is standard input when `dash_is_stdin`.
// `what` names the file in messages: "config file", "input file", "history file".
input_text read_input_file(const std::string& path, std::size_t max_bytes, std::string_view what,
                           bool dash_is_stdin = true);

// "4 MiB", "1.5 MiB", "512 KiB", "100 bytes": sizes as the messages state them.
std::string format_size(std::size_t bytes);

} // namespace swfrt::config
