// The plugin SDK of swf-runtime: what a handler plugin sees of the runtime.
//
// A plugin is a shared library that defines its entry point with
// SWFRT_PLUGIN and registers activity handlers and workflows with the
// registrar it is given:
//
//   #include <swfrt/sdk.hpp>
//
//   SWFRT_PLUGIN(registrar) {
//       registrar.add_activity({.type = {.name = "greet", .version = "1"},
//                               .blocking = [](swfrt::sdk::activity_context&, const std::string& input) {
//                                   return "Hello, " + input + "!";
//                               }});
//   }
//
// Build it against the installed package:
//   find_package(SwfRuntime REQUIRED)
//   swfrt_add_plugin(my_plugin plugin.cpp)
// Workflows as code: <swfrt/workflow.hpp> and SwfRuntime::workflow.
#pragma once

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "swf/model/fingerprint.hpp"
#include "swf/model/model.hpp"

namespace swfrt::sdk {

// Raised whenever a type below changes layout or meaning. The runtime
// refuses a plugin built against another version, and one built against
// another SWF model (whose structs the types below carry).
inline constexpr int abi_version = 4;
inline constexpr const char* model_fingerprint = swf::model::model_fingerprint;

// "type: what()" of an exception, the type demangled: how the runtime and
// the workflow adapter describe what a handler or decider threw.
inline std::string describe_exception(const std::exception_ptr& e) {
    auto type_of = [](const std::type_info* t) -> std::string {
        if (!t) return "unknown exception";
        int status = 0;
        char* demangled = abi::__cxa_demangle(t->name(), nullptr, nullptr, &status);
        std::string out = status == 0 && demangled ? demangled : t->name();
        std::free(demangled);
        return out;
    };
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return type_of(&typeid(x)) + ": " + x.what();
    } catch (...) {
        return "a non-standard exception (" + type_of(abi::__cxa_current_exception_type()) + ")";
    }
}

// ---- logging ----

enum class log_level { debug, info, warn, error };
using log_field = std::pair<std::string_view, std::string_view>;

// The runtime's log: one line per call, in its text or JSON format, at or
// above its level, with the fields given (empty values left out).
class log_host {
public:
    virtual ~log_host() = default;
    virtual bool enabled(log_level level) const = 0;
    virtual void log(log_level level, std::string_view message, std::initializer_list<log_field> fields) = 0;
};

// The runtime's log for this plugin's code, kept by the SWFRT_PLUGIN entry
// point before the plugin registers; null in a program without a runtime.
inline log_host*& plugin_log() noexcept {
    static log_host* host = nullptr;
    return host;
}

// ---- activities ----

// What an activity handler sees of its task. Valid until the handler returns.
class activity_context {
public:
    virtual ~activity_context() = default;

    virtual const swf::model::activity_task& task() const = 0;
    // Requested when SWF reports cancelRequested on a heartbeat, when the task
    // timed out (SWF no longer knows its token) or when the runtime stops
    // after its shutdown grace period.
    virtual std::stop_token stop_token() const = 0;
    // True once SWF has asked to cancel this task; the handler should stop,
    // and the task is then answered with RespondActivityTaskCanceled.
    virtual bool cancel_requested() const = 0;
    // Records progress; sent as a heartbeat at once unless one was sent very
    // recently (the runtime also heartbeats on its own while a handler runs).
    // Never blocks. Details are cut to SWF's 2048 characters.
    virtual void heartbeat(std::string details) = 0;
    // A line in the runtime's log with the task's coordinates as fields
    // (activity type and id, workflow id and run id).
    virtual void log(log_level level, std::string_view message) = 0;
};

// Throw from a handler to fail the task with this reason and details
// (cut to SWF's limits of 256 and 32768 characters). Any other exception
// fails it with the exception's type as reason and what() as details.
class activity_failure : public std::runtime_error {
public:
    activity_failure(std::string reason, std::string details = {})
        : std::runtime_error(reason), reason_(std::move(reason)), details_(std::move(details)) {}
    const std::string& reason() const noexcept { return reason_; }
    const std::string& details() const noexcept { return details_; }

private:
    std::string reason_;
    std::string details_;
};

// Coroutine handlers run on the runtime's io_context (one strand per task)
// and must not block; blocking handlers run on a bounded thread pool.
// Both return the task's result (any string, typically JSON).
using coroutine_activity = std::function<boost::asio::awaitable<std::string>(activity_context&, std::string input)>;
using blocking_activity = std::function<std::string(activity_context&, const std::string& input)>;

// Registered as is with SWF at start-up (durations are seconds as strings,
// or "NONE", as SWF spells them).
struct activity_type {
    std::string name{};
    std::string version{};
    std::optional<std::string> description{};
    std::optional<std::string> default_task_list{};
    std::optional<std::string> default_task_heartbeat_timeout{};
    std::optional<std::string> default_task_schedule_to_start_timeout{};
    std::optional<std::string> default_task_schedule_to_close_timeout{};
    std::optional<std::string> default_task_start_to_close_timeout{};
    std::optional<std::string> default_task_priority{};
};

// Exactly one of coroutine and blocking is set.
struct activity_registration {
    activity_type type{};
    coroutine_activity coroutine{};
    blocking_activity blocking{};
};

// ---- workflows ----

// How a decision task went through a decider.
enum class decider_outcome {
    // decisions (and execution_context) answer the task.
    decided,
    // The code disagrees with the history: the task is left to time out
    // (deploying the code the execution started with fixes it).
    non_determinism,
    // The history breaks SWF's rules: the task is left, never guessed at.
    malformed_history,
    // The decider could not decide (the workflow's own exception): the
    // registration's failure_policy says what happens.
    failed,
};

// What a decider answers a decision task with. A raw decider that returns
// {decisions, execution_context} has decided; message says why otherwise.
// A raw decider may also throw: the runtime takes that as failed, with the
// exception as message.
struct decision_result {
    std::vector<swf::model::decision> decisions{};
    std::optional<std::string> execution_context{};
    decider_outcome outcome = decider_outcome::decided;
    std::string message{};

    static decision_result not_decided(decider_outcome outcome, std::string message) {
        decision_result r;
        r.outcome = outcome;
        r.message = std::move(message);
        return r;
    }
};

// What happens when a decider fails (decider_outcome::failed, or throws).
enum class failure_policy {
    // Leave the decision task unanswered so that it times out and SWF
    // schedules another (the Temporal default); logged loudly.
    retry_task,
    // Answer with FailWorkflowExecution carrying the exception.
    fail_workflow,
};

// A raw decider, py_swf style: it receives the decision task with every
// history page merged and returns the decisions. Called on the execution's
// strand, one task of an execution at a time; it must not block for long.
using raw_decider = std::function<decision_result(const swf::model::decision_task&)>;

struct workflow_type {
    std::string name{};
    std::string version{};
    std::optional<std::string> description{};
    std::optional<std::string> default_task_list{};
    std::optional<std::string> default_execution_start_to_close_timeout{};
    std::optional<std::string> default_task_start_to_close_timeout{};
    std::optional<std::string> default_child_policy{}; // TERMINATE | REQUEST_CANCEL | ABANDON
    std::optional<std::string> default_lambda_role{};
    std::optional<std::string> default_task_priority{};
};

struct workflow_registration {
    workflow_type type{};
    raw_decider decider{};
    failure_policy on_exception = failure_policy::retry_task;
};

// A Lambda function as `swf-runtime dev-server --plugin` runs it for a
// ScheduleLambdaFunction decision (in AWS, SWF invokes AWS Lambda; the local
// service calls this instead). The handler gets the decision's input and
// returns the result; what it throws fails the function (LambdaFunctionFailed
// with the exception's type as the reason and its message as the details).
struct lambda_registration {
    std::string name{};
    std::optional<std::string> description{};
    std::function<std::string(const std::string& input)> handler{};
};

// ---- registration ----

// Handed to the plugin's entry point. A second registration of the same
// name and version (from any plugin) is refused and names both plugins.
class registrar {
public:
    virtual ~registrar() = default;
    virtual void add_activity(activity_registration registration) = 0;
    virtual void add_workflow(workflow_registration registration) = 0;
    // Lambda functions are run by the dev server only; swf-runtime run
    // keeps them for it and otherwise ignores them.
    virtual void add_lambda_function(lambda_registration registration) = 0;
    // The runtime's log (the entry point keeps it as plugin_log()).
    virtual log_host* log() { return nullptr; }
};

} // namespace swfrt::sdk

// The one C entry point of a plugin, called twice by the runtime.
// First with no registrar, to check: the plugin returns its ABI version
// and, when that equals the runtime's, stores its model fingerprint in
// *model_fingerprint. Then, when both match, with the registrar and
// the runtime's fingerprint: the plugin registers only when the ABI version
// and the fingerprint equal its own. Nothing but the version is read or
// written while the versions differ, so plugins of other versions (whose
// entry takes other arguments) are refused safely.
extern "C" {
using swfrt_plugin_entry_fn = int (*)(int host_abi_version, swfrt::sdk::registrar* registrar,
                                      const char** model_fingerprint);
}
#define SWFRT_PLUGIN_ENTRY_SYMBOL "swfrt_plugin_entry"

#define SWFRT_PLUGIN(registrar_name)                                                                              \
    static void swfrt_plugin_register(::swfrt::sdk::registrar& registrar_name);                                   \
    extern "C" __attribute__((visibility("default"))) int swfrt_plugin_entry(                                    \
        int host_abi_version, ::swfrt::sdk::registrar* r, const char** fingerprint) {                            \
        if (host_abi_version != ::swfrt::sdk::abi_version || !fingerprint) return ::swfrt::sdk::abi_version;     \
        if (!r) {                                                                                                 \
            *fingerprint = ::swfrt::sdk::model_fingerprint;                                                       \
        } else if (*fingerprint && std::strcmp(*fingerprint, ::swfrt::sdk::model_fingerprint) == 0) {            \
            ::swfrt::sdk::plugin_log() = r->log();                                                                \
            swfrt_plugin_register(*r);                                                                            \
        }                                                                                                         \
        return ::swfrt::sdk::abi_version;                                                                         \
    }                                                                                                             \
    static void swfrt_plugin_register(::swfrt::sdk::registrar& registrar_name)
