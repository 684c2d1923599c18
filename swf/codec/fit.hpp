// Free text cut to the length SWF allows, and the decisions that close an
// execution with their reason, details or result fitted: the one place the
// workflow library and the runtime fit what they send.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "swf/model/model.hpp"

namespace swfrt::swf::codec {

// Ends a text that was cut (it counts towards the limit).
inline constexpr std::string_view truncation_marker = " [truncated]";

// s cut to at most max_units SWF characters, ending with the marker if cut.
std::string fitted(std::string s, std::size_t max_units);
std::optional<std::string> fitted(std::optional<std::string> s, std::size_t max_units);

// FailWorkflowExecution with reason and details fitted to their limits.
model::decision fail_workflow_decision(std::string reason, std::string details);
// CompleteWorkflowExecution with its result fitted.
model::decision complete_workflow_decision(std::string result);
// CancelWorkflowExecution with its details fitted (none when empty).
model::decision cancel_workflow_decision(std::string details);

// Whether a decision of this type closes the execution (complete, fail,
// cancel, continue as new): SWF takes one only as the last of its answer.
constexpr bool closes_execution(model::decision_type t) noexcept {
    using dt = model::decision_type;
    return t == dt::complete_workflow_execution || t == dt::fail_workflow_execution ||
           t == dt::cancel_workflow_execution || t == dt::continue_as_new_workflow_execution;
}

} // namespace swfrt::swf::codec
