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

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include <swfrt/sdk.hpp>

#include "swf/codec/codec.hpp"
#include "swf/codec/fit.hpp"
#include "swf/model/limits.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"
#include "swf/model/decisions.hpp"

namespace swfrt::workflow {

// What the decider does when a decision task cannot be decided.
struct workflow_policies {
    // An exception other than workflow_failed / workflow_canceled /
    // continue_as_new leaves run: retry_task leaves the decision task to
    // time out and be retried (a fixed deployment picks it up), fail_workflow
    // answers FailWorkflowExecution with reason "UnhandledException".
    sdk::failure_policy on_exception = sdk::failure_policy::retry_task;
    // The code disagrees with the history: retry_task leaves the task (to be
    // fixed by deploying the code the execution started with), fail_workflow
    // answers FailWorkflowExecution with reason "NonDeterminism".
    sdk::failure_policy on_non_determinism = sdk::failure_policy::retry_task;
    // Where an activity goes that was scheduled without a task list, of a
    // type registered without a default (replay_options::activity_task_list);
    // unset: the workflow's own task list.
    std::optional<std::string> activity_task_list{};
};

namespace detail {

inline sdk::decision_result fail_with(std::string reason, std::string details) {
    return sdk::decision_result{{swf::codec::fail_workflow_decision(std::move(reason), std::move(details))},
                                std::nullopt};
}

} // namespace detail

static_assert(static_cast<int>(log_level::debug) == static_cast<int>(sdk::log_level::debug) &&
                  static_cast<int>(log_level::info) == static_cast<int>(sdk::log_level::info) &&
                  static_cast<int>(log_level::warn) == static_cast<int>(sdk::log_level::warn) &&
                  static_cast<int>(log_level::error) == static_cast<int>(sdk::log_level::error),
              "a workflow's log levels are the SDK's");

// A decider that replays the workflow. What it cannot decide it answers as
// non-determinism, a malformed history, or failed (the workflow's own
// exception), with the message, so that the runtime leaves the task, unless
// the policies say to fail the execution; a malformed history always
// leaves the task.
inline sdk::raw_decider make_decider(workflow_runner runner, workflow_policies policies = {}) {
    replay_options options;
    options.activity_task_list = policies.activity_task_list;
    options.log = [](log_level level, std::string_view message, const workflow_info& info) {
        auto* host = sdk::plugin_log();
        if (!host) return;
        const auto l = static_cast<sdk::log_level>(static_cast<int>(level));
        if (!host->enabled(l)) return;
        host->log(l, message,
                  {{"workflow", info.type.name},
                   {"workflow_id", info.execution.workflow_id},
                   {"run_id", info.execution.run_id}});
    };
    return [runner = std::move(runner), policies, options](const swf::model::decision_task& task) {
        std::optional<replay_result> r;
        try {
            r.emplace(replay(task, runner, options));
        } catch (const std::exception& e) {
            if (policies.on_exception == sdk::failure_policy::fail_workflow)
                return detail::fail_with("UnhandledException", e.what());
            return sdk::decision_result::not_decided(sdk::decider_outcome::failed,
                                                     sdk::describe_exception(std::current_exception()));
        } catch (...) {
            auto text = sdk::describe_exception(std::current_exception());
            if (policies.on_exception == sdk::failure_policy::fail_workflow)
                return detail::fail_with("UnhandledException", std::move(text));
            return sdk::decision_result::not_decided(sdk::decider_outcome::failed, std::move(text));
        }
        if (!*r) {
            const replay_error& e = r->error();
            if (e.kind == replay_error_kind::non_determinism) {
                if (policies.on_non_determinism == sdk::failure_policy::fail_workflow)
                    return detail::fail_with("NonDeterminism", e.message);
                return sdk::decision_result::not_decided(sdk::decider_outcome::non_determinism, full_text(e));
            }
            return sdk::decision_result::not_decided(sdk::decider_outcome::malformed_history, full_text(e));
        }
        return sdk::decision_result{std::move(*r).value(), std::nullopt};
    };
}

template <workflow_class W> sdk::raw_decider make_decider(workflow_policies policies = {}) {
    return make_decider(make_runner<W>(), policies);
}

namespace detail {

inline std::optional<std::string> seconds_or_none(const std::optional<std::chrono::seconds>& s) {
    if (!s) return std::nullopt;
    if (*s == unlimited) return "NONE";
    return std::to_string(s->count());
}

} // namespace detail

// The decider applies the policies itself; the runtime is told to leave
// the task when the decider answers failed.
template <workflow_class W> sdk::workflow_registration make_registration(workflow_policies policies = {}) {
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
    r.decider = make_decider<W>(policies);
    r.on_exception = sdk::failure_policy::retry_task;
    return r;
}

} // namespace swfrt::workflow
