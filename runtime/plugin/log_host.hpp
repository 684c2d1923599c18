// The runtime's log as plugins see it (sdk::log_host): lines go to the
// logger the command set, or as text to stderr before it set one.
#pragma once

#include <swfrt/sdk.hpp>

#include "runtime/core/log.hpp"

namespace swfrt::runtime::plugin {

sdk::log_host& log_host();

// Where plugin lines go from now on; null: stderr as text. The logger must
// outlive its use (reset it before it goes).
void set_log_target(logger* target);

// The runtime's level for an SDK level.
log_level to_runtime(sdk::log_level level) noexcept;

} // namespace swfrt::runtime::plugin
