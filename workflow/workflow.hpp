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
// Input and result are std::string (JSON text as it is), numbers, bool, or
// user types with a serializer (below).
#pragma once

#include <charconv>
#include <chrono>
#include <cmath>
#include <concepts>
#include <stdexcept>
#include <type_traits>
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

namespace detail {

inline std::string_view trim_json(std::string_view s) noexcept {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

inline std::string excerpt(std::string_view s) {
    constexpr std::size_t max = 60;
    return "\"" + std::string(s.substr(0, max)) + (s.size() > max ? "...\"" : "\"");
}

} // namespace detail

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

// How input and result travel as SWF strings (JSON text, by convention):
// std::string as it is; numbers and bool as JSON literals; a user type
// through two functions found by argument-dependent lookup,
//
//   std::string to_swf_string(const order& o);
//   order from_swf_string(std::string_view text, std::type_identity<order>);
//
// or a specialisation of serializer<T> with static encode and decode.
// decode throws (e.g. invalid_argument) on text that is not a T: the
// workflow then fails with reason "InvalidInput".
template <class T> struct serializer {
    static_assert(requires(const T& v, std::string_view s) {
        { to_swf_string(v) } -> std::convertible_to<std::string>;
        { from_swf_string(s, std::type_identity<T>{}) } -> std::convertible_to<T>;
    }, "give the type to_swf_string / from_swf_string functions or a serializer specialisation");
    static std::string encode(const T& v) { return to_swf_string(v); }
    static T decode(std::string s) { return from_swf_string(std::string_view(s), std::type_identity<T>{}); }
};

template <> struct serializer<std::string> {
    static std::string decode(std::string s) { return s; }
    static std::string encode(std::string s) { return s; }
};

template <> struct serializer<bool> {
    static std::string encode(bool v) { return v ? "true" : "false"; }
    static bool decode(std::string s) {
        auto t = detail::trim_json(s);
        if (t == "true") return true;
        if (t == "false") return false;
        throw std::invalid_argument("not a JSON boolean: " + detail::excerpt(s));
    }
};

template <class T>
    requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
struct serializer<T> {
    static std::string encode(T v) {
        if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(v)) throw std::invalid_argument("JSON has no NaN or infinity");
        }
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
        return std::string(buf, end);
    }
    static T decode(std::string s) {
        auto t = detail::trim_json(s);
        T v{};
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec == std::errc::result_out_of_range)
            throw std::invalid_argument("a JSON number out of range: " + detail::excerpt(s));
        if (ec != std::errc{} || end != t.data() + t.size() || t.empty())
            throw std::invalid_argument("not a JSON number: " + detail::excerpt(s));
        if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(v)) throw std::invalid_argument("not a JSON number: " + detail::excerpt(s));
        }
        return v;
    }
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
    // Kept by the replay, not this frame: a signal handler may refer to its
    // members after run returned (see context::on_signal).
    std::shared_ptr<W> w = factory();
    ctx.keep_alive(w);
    std::optional<in> decoded;
    try {
        decoded.emplace(serializer<in>::decode(std::move(input)));
    } catch (const std::exception& e) {
        throw workflow_failed("InvalidInput", std::string("the input cannot be read: ") + e.what());
    }
    auto result = co_await w->run(ctx, std::move(*decoded));
    co_return serializer<out>::encode(std::move(result));
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
