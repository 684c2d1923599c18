// Activities whose input and result travel as JSON through nlohmann-json 3
// (Debian's nlohmann-json3-dev): In and Out are types nlohmann::json
// converts (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE, or to_json / from_json).
//
//   registrar.add_activity({.type = {.name = "charge", .version = "1"},
//                           .blocking = swfrt::sdk::json_blocking<order, receipt>(
//                               [](swfrt::sdk::activity_context&, order o) { return receipt{...}; })});
//
// Input that is not an In fails the task with reason "InvalidInput"; a
// result that cannot be written as JSON fails it with "InvalidResult", so
// invalid JSON is never sent.
#pragma once

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include <swfrt/sdk.hpp>

namespace swfrt::sdk {

namespace detail {

template <class In> In json_input(const std::string& input) {
    auto j = nlohmann::json::parse(input, nullptr, false);
    if (j.is_discarded()) throw activity_failure("InvalidInput", "the input is not JSON: " + input.substr(0, 200));
    try {
        return j.template get<In>();
    } catch (const nlohmann::json::exception& e) {
        throw activity_failure("InvalidInput", std::string("the input is not the type expected: ") + e.what());
    }
}

template <class Out> std::string json_output(const Out& out) {
    try {
        return nlohmann::json(out).dump();
    } catch (const nlohmann::json::exception& e) {
        throw activity_failure("InvalidResult", std::string("the result cannot be written as JSON: ") + e.what());
    }
}

} // namespace detail

// A blocking handler fn(activity_context&, In) -> Out.
template <class In, class Out, class F> blocking_activity json_blocking(F fn) {
    return [fn = std::move(fn)](activity_context& ctx, const std::string& input) -> std::string {
        return detail::json_output<Out>(fn(ctx, detail::json_input<In>(input)));
    };
}

// A coroutine handler fn(activity_context&, In) -> awaitable<Out>.
template <class In, class Out, class F> coroutine_activity json_coroutine(F fn) {
    return [fn = std::move(fn)](activity_context& ctx, std::string input) -> boost::asio::awaitable<std::string> {
        In in = detail::json_input<In>(input);
        Out out = co_await fn(ctx, std::move(in));
        co_return detail::json_output<Out>(out);
    };
}

} // namespace swfrt::sdk
