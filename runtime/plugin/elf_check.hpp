// Checks the plugin loader makes around dlopen. The system loader trusts a
// file's ELF headers and maps the segments they name, so a file cut short
// faults (SIGBUS) inside dlopen; and dlsym hands out any symbol's address,
// so an entry point that is data would be "called" into a fault. These turn
// both into messages.
#pragma once

#include <optional>
#include <string>

namespace swfrt::runtime::plugin {

// Why the file at `path` cannot be a shared library of this process (not a
// regular file, not ELF, another class, byte order or machine, not a shared
// object, headers or segments past the end of the file), or nullopt.
std::optional<std::string> elf_problem(const std::string& path);

// Why `address` (of a symbol dlsym found) cannot be called: its dynamic
// symbol is not a function, or it lies in no executable segment; or nullopt.
std::optional<std::string> function_problem(const void* address);

} // namespace swfrt::runtime::plugin
