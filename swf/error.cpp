#include "swf/error.hpp"

namespace swfrt::swf {

std::string_view to_string(error_kind kind) noexcept {
    switch (kind) {
    case error_kind::retryable: return "retryable";
    case error_kind::throttled: return "throttled";
    case error_kind::auth: return "auth";
    case error_kind::validation: return "validation";
    case error_kind::not_found: return "not_found";
    case error_kind::conflict: return "conflict";
    case error_kind::fatal: return "fatal";
    }
    return "unknown";
}

} // namespace swfrt::swf
