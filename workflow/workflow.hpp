// A workflow is a class deriving from workflow<Input, Result> with a static
// name, version and (optionally) defaults, whose run coroutine is the
// workflow's whole logic:
//
//   struct greet : swfrt::workflow::workflow<> {
//       static constexpr std::string_view name = "greet";
//       static constexpr std::string_view version = "1";
//       task<std::string> run(context& ctx, std::string input) override {
//           co_return co_await ctx.activity("hello", "1", input);
//       }
//   };
//
// A new object runs each replay; it must keep no state outside run.
// Input and result are JSON text for now (serializer<std::string>).
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "swf/model/model.hpp"
#include "workflow/context.hpp"
#include "workflow/errors.hpp"
#include "workflow/task.hpp"

namespace swfrt::workflow {

// Registered with the workflow type; what StartWorkflowExecution may omit.
struct workflow_defaults {
    std::optional<std::string> description{};
    std::optional<std::string> task_list{};
    std::optional<std::chrono::seconds> execution_start_to_close_timeout{};
    std::optional<std::chrono::seconds> task_start_to_close_timeout{};
    std::optional<swf::model::child_policy> child_policy{};
    std::optional<std::string> lambda_role{};
    std::optional<int> task_priority{};
};

template <class Input = std::string, class Result = std::string> class workflow {
public:
    using input_type = Input;
    using result_type = Result;
    virtual ~workflow() = default;
    virtual task<Result> run(context& ctx, Input input) = 0;
};

// How input and result travel as SWF strings. Only JSON text as a string
// for now; other types add a specialisation.
template <class T> struct serializer;

template <> struct serializer<std::string> {
    static std::string decode(std::string s) { return s; }
    static std::string encode(std::string s) { return s; }
};

template <class W>
concept workflow_class = requires {
    { W::name } -> std::convertible_to<std::string_view>;
    { W::version } -> std::convertible_to<std::string_view>;
    typename W::input_type;
    typename W::result_type;
}
&&std::derived_from<W, workflow<typename W::input_type, typename W::result_type>>;

template <workflow_class W> workflow_defaults defaults_of() {
    if constexpr (requires {
                      { W::defaults() } -> std::convertible_to<workflow_defaults>;
                  })
        return W::defaults();
    else
        return {};
}

// The workflow as the replayer runs it: input and result as SWF strings.
using workflow_runner = std::function<task<std::string>(context&, std::string input)>;

namespace detail {

template <class W, class Factory>
task<std::string> run_erased(Factory factory, context& ctx, std::string input) {
    using in = typename W::input_type;
    using out = typename W::result_type;
    std::unique_ptr<W> w = factory();
    co_return serializer<out>::encode(co_await w->run(ctx, serializer<in>::decode(std::move(input))));
}

} // namespace detail

// factory() returns a std::unique_ptr<W>; it is called once per replay.
template <workflow_class W, class Factory> workflow_runner make_runner(Factory factory) {
    return [factory = std::move(factory)](context& ctx, std::string input) {
        return detail::run_erased<W>(factory, ctx, std::move(input));
    };
}

template <workflow_class W> workflow_runner make_runner() {
    return make_runner<W>([] { return std::make_unique<W>(); });
}

} // namespace swfrt::workflow
