// SWF answers a failed call with an HTTP error status and a JSON body
// {"__type": "com.amazonaws.swf.base.model#UnknownResourceFault",
//  "message": "..."}. This turns such a response into an error whose code
// is the bare fault type and whose kind decides retry and logging.
#pragma once

#include <string_view>

#include "swf/error.hpp"

namespace swfrt::swf::client {

// The error_kind of a fault type; http_status decides for types it does not
// know (5xx retryable, 4xx fatal).
error_kind fault_kind(std::string_view fault_type, int http_status) noexcept;

// Decodes the body of a non-2xx response. A body without __type (a proxy's
// HTML page, an empty 503) still yields an error that names the status.
error decode_fault(int http_status, std::string_view body);

// "com.amazonaws.swf.base.model#UnknownResourceFault" -> "UnknownResourceFault";
// also drops a ":http://..." suffix some AWS protocols append.
std::string_view bare_fault_type(std::string_view type) noexcept;

} // namespace swfrt::swf::client
