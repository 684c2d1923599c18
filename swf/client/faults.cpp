#include "swf/client/faults.hpp"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include <simdjson.h>

#include "swf/redact.hpp"

namespace swfrt::swf::client {
namespace {

struct fault_entry {
    std::string_view type;
    error_kind kind;
};

// The model's faults: a switch over the generated enum, so a fault type a
// new model adds does not compile until it has a kind.
constexpr std::optional<error_kind> model_fault_kind(model::fault f) noexcept {
    using model::fault;
    switch (f) {
    case fault::unknown_resource: return error_kind::not_found;
    case fault::type_already_exists:
    case fault::domain_already_exists:
    case fault::workflow_execution_already_started:
    case fault::type_deprecated:
    case fault::type_not_deprecated:
    case fault::domain_deprecated: return error_kind::conflict;
    case fault::default_undefined:
    case fault::too_many_tags: return error_kind::validation;
    case fault::limit_exceeded:
    case fault::operation_not_permitted: return error_kind::fatal;
    case fault::other: break;
    }
    return std::nullopt;
}

// The errors every AWS JSON service may return.
constexpr fault_entry common_faults[] = {
    {"ValidationException", error_kind::validation},
    {"SerializationException", error_kind::validation},
    {"InvalidParameterValue", error_kind::validation},
    {"InvalidParameterCombination", error_kind::validation},
    {"InvalidQueryParameter", error_kind::validation},
    {"MissingParameter", error_kind::validation},
    {"MissingAction", error_kind::validation},
    {"InvalidAction", error_kind::validation},
    {"MalformedQueryString", error_kind::validation},
    {"UnknownOperationException", error_kind::validation},
    {"UnrecognizedClientException", error_kind::auth},
    {"InvalidSignatureException", error_kind::auth},
    {"SignatureDoesNotMatch", error_kind::auth},
    {"IncompleteSignature", error_kind::auth},
    {"ExpiredTokenException", error_kind::auth},
    {"ExpiredToken", error_kind::auth},
    {"InvalidClientTokenId", error_kind::auth},
    {"MissingAuthenticationToken", error_kind::auth},
    {"AccessDeniedException", error_kind::auth},
    {"NotAuthorized", error_kind::auth},
    {"RequestExpired", error_kind::auth},
    {"OptInRequired", error_kind::auth},
    {"ThrottlingException", error_kind::throttled},
    {"Throttling", error_kind::throttled},
    {"ThrottledException", error_kind::throttled},
    {"RequestThrottledException", error_kind::throttled},
    {"TooManyRequestsException", error_kind::throttled},
    {"RequestLimitExceeded", error_kind::throttled},
    {"InternalFailure", error_kind::retryable},
    {"ServiceUnavailable", error_kind::retryable},
    {"RequestTimeout", error_kind::retryable},
    {"RequestTimeoutException", error_kind::retryable},
    {"InternalServerError", error_kind::retryable},
    {"PriorRequestNotComplete", error_kind::retryable},
};

} // namespace

error_kind fault_kind(std::string_view fault_type, int http_status) noexcept {
    if (auto kind = model_fault_kind(model::fault_from_string(fault_type))) return *kind;
    for (const auto& f : common_faults)
        if (f.type == fault_type) return f.kind;
    if (http_status == 429) return error_kind::throttled;
    if (http_status >= 500) return error_kind::retryable;
    if (http_status == 401 || http_status == 403) return error_kind::auth;
    return error_kind::fatal;
}

std::string_view bare_fault_type(std::string_view type) noexcept {
    if (auto hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
    if (auto colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
    return type;
}

error decode_fault(int http_status, std::string_view body) {
    std::string type;
    std::string message;
    {
        simdjson::padded_string padded(body);
        simdjson::ondemand::parser parser;
        simdjson::ondemand::document doc;
        simdjson::ondemand::object obj;
        if (!parser.iterate(padded).get(doc) && !doc.get_object().get(obj)) {
            for (auto field_result : obj) {
                simdjson::ondemand::field field;
                if (std::move(field_result).get(field)) break;
                std::string_view key;
                if (field.unescaped_key().get(key)) break;
                std::string_view value;
                if (key == "__type") {
                    if (!field.value().get_string().get(value)) type = bare_fault_type(value);
                } else if (key == "message" || key == "Message") {
                    if (!field.value().get_string().get(value)) message = value;
                }
            }
        }
    }
    if (type.empty()) {
        type = http_status >= 500 ? "InternalFailure" : "HttpError";
        if (message.empty()) {
            std::string_view excerpt = body.substr(0, 200);
            message = "HTTP status " + std::to_string(http_status) +
                      (excerpt.empty() ? std::string(" with an empty body")
                                       : " with a body that is not an AWS error: " + std::string(excerpt));
        }
    } else if (message.empty()) {
        message = "HTTP status " + std::to_string(http_status);
    }
    auto kind = fault_kind(type, http_status);
    // SWF's InvalidSignatureException quotes the canonical request, security
    // token included; a misbehaving peer may send megabytes.
    // Cut before redacting (a body may be 64 MiB), with room for a
    // credential cut in half at the edge, then cut to size again.
    return make_error(kind, excerpt(redact(excerpt(type, 1024)), 256), excerpt(redact(excerpt(message, 8192))),
                      http_status);
}

} // namespace swfrt::swf::client
