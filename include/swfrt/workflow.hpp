// Workflows as code for a plugin: the workflow class, its context and
// futures, the JSON data converter, and the registration that turns a
// workflow class into a decider the runtime replays on every decision task.
//
//   #include <swfrt/workflow.hpp>
//
//   struct greet : swfrt::workflow::workflow<> { ... };
//   SWFRT_PLUGIN(registrar) {
//       registrar.add_workflow(swfrt::workflow::make_registration<greet>());
//   }
//
// Link SwfRuntime::workflow (find_package(SwfRuntime COMPONENTS workflow)).
#pragma once

#include <swfrt/sdk.hpp>

#include "workflow/json.hpp"
#include "workflow/sdk_adapter.hpp"
#include "workflow/workflow.hpp"
