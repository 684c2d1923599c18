#include "swf/codec/fit.hpp"

#include <utility>

#include "swf/codec/codec.hpp"
#include "swf/model/decisions.hpp"
#include "swf/model/limits.hpp"

namespace swfrt::swf::codec {

std::string fitted(std::string s, std::size_t max_units) {
    truncate(s, max_units, truncation_marker);
    return s;
}

std::optional<std::string> fitted(std::optional<std::string> s, std::size_t max_units) {
    if (s) truncate(*s, max_units, truncation_marker);
    return s;
}

model::decision fail_workflow_decision(std::string reason, std::string details) {
    model::fail_workflow_execution_decision_attributes a;
    a.reason = fitted(std::move(reason), model::limits::max_failure_reason);
    a.details = fitted(std::move(details), model::limits::max_data);
    return model::make_decision(std::move(a));
}

model::decision complete_workflow_decision(std::string result) {
    model::complete_workflow_execution_decision_attributes a;
    a.result_ = fitted(std::move(result), model::limits::max_data);
    return model::make_decision(std::move(a));
}

model::decision cancel_workflow_decision(std::string details) {
    model::cancel_workflow_execution_decision_attributes a;
    if (!details.empty()) a.details = fitted(std::move(details), model::limits::max_data);
    return model::make_decision(std::move(a));
}

} // namespace swfrt::swf::codec
