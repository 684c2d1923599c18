// The JSON data converter: a type nlohmann::json converts (its
// NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE, or to_json / from_json found by
// argument-dependent lookup) travels as JSON text, as a workflow's input
// and result, and as what activities, children and signals take and give:
//
//   struct order { std::string id; int cents; };
//   NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, cents)
//
//   struct shop : swfrt::workflow::workflow<order, receipt> { ... };
//   auto text = swfrt::workflow::to_json_text(order{"o-1", 250});
//   receipt r = co_await swfrt::workflow::json_result<receipt>(ctx.activity("charge", "1", text));
//
// Opt in by including this header (nlohmann-json 3, Debian's
// nlohmann-json3-dev). Text that is not JSON, or JSON that is not the
// type, raises invalid_payload naming the type; a value that cannot be
// written as JSON (a string that is not UTF-8) raises it too, so invalid
// JSON is never sent.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include <nlohmann/json.hpp>

#include "workflow/future.hpp"
#include "workflow/task.hpp"
#include "workflow/workflow.hpp"

namespace swfrt::workflow {

// A payload that is not what the code expects, or that cannot be JSON.
class invalid_payload : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

template <class T>
concept json_convertible = requires(const T& v, const nlohmann::json& j) {
    nlohmann::json(v);
    j.template get<T>();
};

// JSON text of v.
template <json_convertible T> std::string to_json_text(const T& v) {
    try {
        return nlohmann::json(v).dump();
    } catch (const nlohmann::json::exception& e) {
        throw invalid_payload(std::string("cannot write a value as JSON: ") + e.what());
    }
}

// The T that JSON text holds.
template <json_convertible T> T from_json_text(std::string_view text, std::string_view what = "payload") {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw invalid_payload("the " + std::string(what) + " is not JSON: " + detail::excerpt(text) + " (" + e.what() +
                              ")");
    }
    try {
        return j.template get<T>();
    } catch (const nlohmann::json::exception& e) {
        throw invalid_payload("the " + std::string(what) + " " + detail::excerpt(text) + " is not the type expected (" +
                              e.what() + ")");
    }
}

// Awaits a command's JSON result as a T (raises what the command raises,
// or invalid_payload).
template <json_convertible T> task<T> json_result(future<std::string> f) {
    auto text = co_await f;
    co_return from_json_text<T>(text, "result");
}

// Workflow input and result of such a type go through JSON; a type with
// to_swf_string / from_swf_string of its own keeps them.
template <class T>
    requires(json_convertible<T> && !std::is_arithmetic_v<T> && !std::is_same_v<T, std::string> &&
             !requires(const T& v) { to_swf_string(v); })
struct serializer<T> {
    static std::string encode(const T& v) { return to_json_text(v); }
    static T decode(std::string s) { return from_json_text<T>(s, "input"); }
};

} // namespace swfrt::workflow
