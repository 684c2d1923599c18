// How the operator commands (history, describe, list) print what SWF
// returned, as text for a person. An enum value this SDK does not know is
// printed as the text SWF sent, never as an empty field.
#pragma once

#include <string>

#include "swf/model/model.hpp"

namespace swfrt::runtime::cli {

// "2026-11-23T18:20:22Z" (UTC, whole seconds).
std::string iso_time(double epoch);

// "  12 2026-11-23T18:20:22Z ActivityTaskCompleted {"result":"...",...}": the
// event's attributes as JSON, cut to 160 characters.
std::string event_line(const swf::model::history_event& e);

// The lines of `describe`, each ending with a newline.
std::string execution_description(const swf::model::workflow_execution_detail& d);

// One line of `list`, without its newline.
std::string execution_line(const swf::model::workflow_execution_info& i);

} // namespace swfrt::runtime::cli
