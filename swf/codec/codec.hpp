// JSON encode and decode of every SWF model struct, for requests and
// responses alike (a local SWF server reuses it). Decoding uses simdjson
// On-Demand; errors name the member path, e.g. events[3].eventType.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "swf/error.hpp"
#include "swf/model/model.hpp"

namespace swfrt::swf::codec {

struct decode_options {
    // Reject members the model does not know (CLI input); responses are
    // decoded leniently so that new SWF members do not break old workers.
    bool strict = false;
};

// Decodes one JSON document into T. Errors are validation errors whose
// message starts with the member path.
template <class T>
result<T> decode(std::string_view json, const decode_options& options = {});

template <class T>
std::string encode(const T& value);

// Appends the encoding to out (reuses its capacity).
template <class T>
void encode_to(std::string& out, const T& value);

// Checks what the model says before data leaves us: UTF-8 validity, length
// limits (counted in UTF-16 code units, as SWF counts characters), list
// sizes and integer ranges. Required members are plain values in the model
// types; empty required strings fail their minimum length here.
template <class T>
result<void> validate(const T& value);

// Length as SWF counts it (UTF-16 code units); s must be valid UTF-8.
std::size_t swf_length(std::string_view s) noexcept;

// Cuts s to at most max_units SWF characters on a code point boundary. When
// it cuts, the result ends with marker (the marker counts towards the limit).
// Returns true when s was cut.
bool truncate(std::string& s, std::size_t max_units, std::string_view marker = " [truncated]");

// Appends s as a JSON string literal (with quotes), escaping what JSON needs.
void append_json_string(std::string& out, std::string_view s);

bool is_valid_utf8(std::string_view s) noexcept;

// Whether this CPU has the instruction set the codec was built for
// (SWFRT_SIMD); decoding on a CPU without it would stop the process.
bool cpu_supported() noexcept;
// That instruction set's name ("haswell", "westmere" or "none").
std::string_view cpu_requirement() noexcept;

} // namespace swfrt::swf::codec
