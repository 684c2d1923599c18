// Workflows as code in a plugin: a decider for the runtime's raw decider
// interface that replays the workflow on each decision task, and the
// registration of a workflow class with its name, version and defaults.
//
//   SWFRT_PLUGIN(registrar) {
//       registrar.add_workflow(swfrt::workflow::make_registration<my_workflow>());
//   }
//
// Header-only so that swfrt_workflow itself does not depend on the SDK.
#pragma once

#include <string>
#include <utility>

#include <swfrt/sdk.hpp>

#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

namespace swfrt::workflow {

// Throws non_determinism_error or malformed_history_error when replay
// fails, and lets any exception of the workflow's own through: the
// registration's failure policy decides what the runtime does with both.
inline sdk::raw_decider make_decider(workflow_runner runner) {
    return [runner = std::move(runner)](const swf::model::decision_task& task) {
        auto r = replay(task, runner);
        if (!r) throw_replay_error(std::move(r).error());
        return sdk::decision_result{std::move(r).value(), std::nullopt};
    };
}

template <workflow_class W> sdk::raw_decider make_decider() {
    return make_decider(make_runner<W>());
}

namespace detail {

inline std::optional<std::string> seconds_or_none(const std::optional<std::chrono::seconds>& s) {
    if (!s) return std::nullopt;
    if (*s == unlimited) return "NONE";
    return std::to_string(s->count());
}

} // namespace detail

template <workflow_class W>
sdk::workflow_registration
make_registration(sdk::failure_policy on_exception = sdk::failure_policy::retry_task) {
    const workflow_defaults d = defaults_of<W>();
    sdk::workflow_registration r;
    r.type.name = std::string(W::name);
    r.type.version = std::string(W::version);
    r.type.description = d.description;
    r.type.default_task_list = d.task_list;
    r.type.default_execution_start_to_close_timeout =
        detail::seconds_or_none(d.execution_start_to_close_timeout);
    r.type.default_task_start_to_close_timeout = detail::seconds_or_none(d.task_start_to_close_timeout);
    if (d.child_policy) r.type.default_child_policy = std::string(swf::model::to_string(*d.child_policy));
    r.type.default_lambda_role = d.lambda_role;
    if (d.task_priority) r.type.default_task_priority = std::to_string(*d.task_priority);
    r.decider = make_decider<W>();
    r.on_exception = on_exception;
    return r;
}

} // namespace swfrt::workflow
