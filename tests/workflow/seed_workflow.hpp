// The seed example in C++: MyWorkflow 1.0 fails with BAD_INPUT / "Received
// bad input" on input "bad_input", else calls the Lambda function
// some_lambda_func, adds 2 to its result, calls other_lambda_func and
// returns its result. Shared by the replay and the adapter tests.
#pragma once

#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include "swf/model/model.hpp"
#include "workflow/context.hpp"
#include "workflow/errors.hpp"
#include "workflow/workflow.hpp"

namespace swfrt::workflow::testing {

namespace wf = swfrt::workflow;
using namespace std::chrono_literals;

inline long parse_integer(const std::string& s) {
    long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        throw wf::workflow_failed("BAD_LAMBDA_RESULT", "not an integer: " + s);
    return v;
}

struct my_workflow : wf::workflow<> {
    static constexpr std::string_view name = "MyWorkflow";
    static constexpr std::string_view version = "1.0";
    static wf::workflow_defaults defaults() {
        return {.description = "the seed example",
                .task_list = "deciders",
                .execution_start_to_close_timeout = 3600s,
                .task_start_to_close_timeout = 60s,
                .child_policy = swf::model::child_policy::terminate,
                .lambda_role = "arn:aws:iam::123456789012:role/swf-lambda",
                .task_priority = 5};
    }

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        if (input == "\"bad_input\"") throw wf::workflow_failed("BAD_INPUT", "Received bad input");
        auto first = co_await ctx.lambda("some_lambda_func", input);
        auto second = co_await ctx.lambda("other_lambda_func", std::to_string(parse_integer(first) + 2));
        co_return second;
    }
};

// The same, but a later code version calls another function first.
struct my_workflow_changed : wf::workflow<> {
    static constexpr std::string_view name = "MyWorkflow";
    static constexpr std::string_view version = "1.0";
    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        auto first = co_await ctx.lambda("renamed_lambda_func", input);
        co_return first;
    }
};

inline const std::string schedule_first =
    R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":)"
    R"({"id":"l1","name":"some_lambda_func","input":"\"some input\""}})";

} // namespace swfrt::workflow::testing
