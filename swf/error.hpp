// Errors on the data path: every failure carries an error_kind that decides
// retry and logging in one place, the SWF fault type (or a local code such
// as NetworkError) and a human message. No exceptions per request.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "swf/model/faults.hpp"

namespace swfrt::swf {

enum class error_kind {
    retryable,  // 5xx, network, timeouts: try again with backoff
    throttled,  // ThrottlingException and friends: back off harder
    auth,       // signature, credentials, access denied
    validation, // the request is wrong; retrying cannot help
    not_found,  // UnknownResourceFault
    conflict,   // already exists / already started / deprecated
    fatal,      // anything else that must not be retried
};

std::string_view to_string(error_kind kind) noexcept;

struct error {
    error_kind kind = error_kind::fatal;
    std::string code;    // SWF fault type, e.g. "UnknownResourceFault", or a local code
    std::string message; // human readable
    int http_status = 0; // 0 when no response was received
    // Facts a caller may act on, e.g. the run id of the execution that a
    // retried StartWorkflowExecution found running. Usually empty.
    std::string detail;

    std::string to_string() const { return code + ": " + message; }

    // The model's fault type this error's code names; fault::other for the
    // common AWS errors and local codes. Compare with is(), never by text.
    model::fault fault() const noexcept { return model::fault_from_string(code); }
    bool is(model::fault f) const noexcept { return f != model::fault::other && code == model::to_string(f); }
};

// A small expected-like result; std::expected needs C++23.
template <class T>
class [[nodiscard]] result {
public:
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    result(swf::error e) : v_(std::in_place_index<1>, std::move(e)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { assert(has_value()); return std::get<0>(v_); }
    const T& value() const& { assert(has_value()); return std::get<0>(v_); }
    T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const swf::error& error() const& { assert(!has_value()); return std::get<1>(v_); }
    swf::error&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

private:
    std::variant<T, swf::error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() = default;
    result(swf::error e) : e_(std::move(e)), ok_(false) {}

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const swf::error& error() const& { assert(!ok_); return e_; }
    swf::error&& error() && { assert(!ok_); return std::move(e_); }

private:
    swf::error e_;
    bool ok_ = true;
};

inline error make_error(error_kind kind, std::string code, std::string message, int http_status = 0) {
    return error{kind, std::move(code), std::move(message), http_status, {}};
}

} // namespace swfrt::swf
