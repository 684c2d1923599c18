// Decoding SWF's error responses: every fault type the client acts on, with
// and without the "com.amazonaws.swf.base.model#" prefix, and the bodies a
// proxy or load balancer sends instead of an AWS error.
#include "swf/client/faults.hpp"
#include "swf/model/faults.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace swfrt::swf;
using client::bare_fault_type;
using client::decode_fault;
using client::fault_kind;

struct fault_case {
    std::string type;
    int status;
    error_kind kind;
};

std::string fault_body(const std::string& type, const std::string& message) {
    return R"({"__type":")" + type + R"(","message":")" + message + R"("})";
}

// Status codes as SWF sends them; the kind comes from the type, not the status.
const std::vector<fault_case> swf_faults = {
    {"UnknownResourceFault", 400, error_kind::not_found},
    {"TypeAlreadyExistsFault", 400, error_kind::conflict},
    {"DomainAlreadyExistsFault", 400, error_kind::conflict},
    {"LimitExceededFault", 400, error_kind::fatal},
    {"OperationNotPermittedFault", 400, error_kind::fatal},
    {"WorkflowExecutionAlreadyStartedFault", 400, error_kind::conflict},
    {"DefaultUndefinedFault", 400, error_kind::validation},
    {"TypeDeprecatedFault", 400, error_kind::conflict},
    {"DomainDeprecatedFault", 400, error_kind::conflict},
    {"ThrottlingException", 400, error_kind::throttled},
    {"ValidationException", 400, error_kind::validation},
    {"UnrecognizedClientException", 400, error_kind::auth},
    {"InvalidSignatureException", 400, error_kind::auth},
    {"ExpiredTokenException", 400, error_kind::auth},
    {"AccessDeniedException", 400, error_kind::auth},
    {"InternalFailure", 500, error_kind::retryable},
    {"ServiceUnavailable", 503, error_kind::retryable},
};

TEST(decode_fault, every_fault_with_the_model_prefix) {
    for (const auto& f : swf_faults) {
        SCOPED_TRACE(f.type);
        const std::string message = "details about " + f.type;
        auto e = decode_fault(f.status, fault_body("com.amazonaws.swf.base.model#" + f.type, message));
        EXPECT_EQ(e.code, f.type);
        EXPECT_EQ(e.kind, f.kind);
        EXPECT_EQ(e.message, message);
        EXPECT_EQ(e.http_status, f.status);
        EXPECT_TRUE(e.detail.empty());
    }
}

TEST(decode_fault, every_fault_bare) {
    for (const auto& f : swf_faults) {
        SCOPED_TRACE(f.type);
        const std::string message = "bare " + f.type;
        auto e = decode_fault(f.status, fault_body(f.type, message));
        EXPECT_EQ(e.code, f.type);
        EXPECT_EQ(e.kind, f.kind);
        EXPECT_EQ(e.message, message);
        EXPECT_EQ(e.http_status, f.status);
    }
}

TEST(decode_fault, kind_follows_the_type_whatever_the_status) {
    // A throttling fault is retried even when it arrives with a 400, and an
    // unknown resource is never retried even with a 5xx-looking status.
    EXPECT_EQ(decode_fault(400, fault_body("ThrottlingException", "slow down")).kind, error_kind::throttled);
    EXPECT_EQ(decode_fault(503, fault_body("UnknownResourceFault", "gone")).kind, error_kind::not_found);
    EXPECT_EQ(decode_fault(429, fault_body("ValidationException", "bad")).kind, error_kind::validation);
}

TEST(decode_fault, capitalised_message_member) {
    auto e = decode_fault(400, R"({"__type":"com.amazonaws.swf.base.model#UnknownResourceFault","Message":"Unknown domain: d"})");
    EXPECT_EQ(e.code, "UnknownResourceFault");
    EXPECT_EQ(e.message, "Unknown domain: d");
}

TEST(decode_fault, security_token_in_the_message_is_redacted) {
    auto e = decode_fault(
        400, R"({"__type":"com.amazon.coral.service#InvalidSignatureException","message":"The Canonical String )"
             R"(for this request should have been\n'POST\n/\n\nhost:swf\nx-amz-security-token:SECRETtoken123\n"})");
    EXPECT_EQ(e.code, "InvalidSignatureException");
    EXPECT_EQ(e.message.find("SECRETtoken123"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("x-amz-security-token:<redacted>"), std::string::npos) << e.message;
}

TEST(decode_fault, a_huge_message_is_cut_to_a_few_kilobytes) {
    std::string body = R"({"__type":"InternalFailure","message":")" + std::string(2 * 1024 * 1024, 'm') + R"("})";
    auto e = decode_fault(500, body);
    EXPECT_LT(e.message.size(), 5000u);
    EXPECT_NE(e.message.find("more bytes]"), std::string::npos);
    auto plain = decode_fault(502, std::string(2 * 1024 * 1024, '<'));
    EXPECT_LT(plain.message.size(), 5000u);
    // A body that repeats a header with a token is cut before it is
    // redacted, and what is left holds no token, also where the cut fell.
    std::string echoed;
    for (int i = 0; i < 100000; ++i) echoed += "x-amz-security-token:SECRETtoken123 ";
    auto e2 = decode_fault(500, R"({"__type":"InternalFailure","message":")" + echoed + R"("})");
    EXPECT_LT(e2.message.size(), 5000u);
    EXPECT_EQ(e2.message.find("SECRET"), std::string::npos) << e2.message.substr(0, 200);
}

TEST(decode_fault, members_in_any_order_and_unknown_members_ignored) {
    auto e = decode_fault(
        400, R"({"message":"Unknown type","extra":{"nested":[1,2]},"__type":"com.amazonaws.swf.base.model#UnknownResourceFault"})");
    EXPECT_EQ(e.code, "UnknownResourceFault");
    EXPECT_EQ(e.kind, error_kind::not_found);
    EXPECT_EQ(e.message, "Unknown type");
}

TEST(decode_fault, escaped_message_is_unescaped) {
    auto e = decode_fault(400, R"({"__type":"ValidationException","message":"name \"x\"\n is bad"})");
    EXPECT_EQ(e.message, "name \"x\"\n is bad");
}

TEST(decode_fault, type_without_message_names_the_status) {
    auto e = decode_fault(400, R"({"__type":"com.amazonaws.swf.base.model#LimitExceededFault"})");
    EXPECT_EQ(e.code, "LimitExceededFault");
    EXPECT_EQ(e.kind, error_kind::fatal);
    EXPECT_NE(e.message.find("400"), std::string::npos) << e.message;
}

TEST(decode_fault, html_page_from_a_proxy) {
    const std::string html = "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>";
    auto e = decode_fault(502, html);
    EXPECT_EQ(e.code, "InternalFailure");
    EXPECT_EQ(e.kind, error_kind::retryable);
    EXPECT_EQ(e.http_status, 502);
    EXPECT_NE(e.message.find("502"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("Bad Gateway"), std::string::npos) << e.message;
}

TEST(decode_fault, long_html_page_is_cut_in_the_message) {
    std::string html = "<html>" + std::string(5000, 'x') + "</html>";
    auto e = decode_fault(502, html);
    EXPECT_EQ(e.code, "InternalFailure");
    EXPECT_LT(e.message.size(), 400u) << e.message;
    EXPECT_EQ(e.message.find("</html>"), std::string::npos);
}

TEST(decode_fault, empty_503) {
    auto e = decode_fault(503, "");
    EXPECT_EQ(e.code, "InternalFailure");
    EXPECT_EQ(e.kind, error_kind::retryable);
    EXPECT_EQ(e.http_status, 503);
    EXPECT_NE(e.message.find("503"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("empty"), std::string::npos) << e.message;
}

TEST(decode_fault, garbage_400) {
    auto e = decode_fault(400, "this is {not json");
    EXPECT_EQ(e.code, "HttpError");
    EXPECT_EQ(e.kind, error_kind::fatal);
    EXPECT_EQ(e.http_status, 400);
    EXPECT_NE(e.message.find("400"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("this is {not json"), std::string::npos) << e.message;
}

TEST(decode_fault, json_without_type) {
    auto e = decode_fault(400, R"({"message":"something odd"})");
    EXPECT_EQ(e.code, "HttpError");
    EXPECT_EQ(e.kind, error_kind::fatal);
    EXPECT_EQ(e.message, "something odd");

    auto arr = decode_fault(500, R"(["__type","ThrottlingException"])");
    EXPECT_EQ(arr.code, "InternalFailure");
    EXPECT_EQ(arr.kind, error_kind::retryable);
}

TEST(decode_fault, type_that_is_not_a_string_is_ignored) {
    auto e = decode_fault(400, R"({"__type":42,"message":"m"})");
    EXPECT_EQ(e.code, "HttpError");
    EXPECT_EQ(e.message, "m");
}

TEST(decode_fault, unknown_types_by_status) {
    struct by_status {
        int status;
        error_kind kind;
    };
    for (auto [status, kind] : {by_status{400, error_kind::fatal}, by_status{404, error_kind::fatal},
                                by_status{401, error_kind::auth}, by_status{403, error_kind::auth},
                                by_status{429, error_kind::throttled}, by_status{500, error_kind::retryable},
                                by_status{502, error_kind::retryable}, by_status{503, error_kind::retryable},
                                by_status{504, error_kind::retryable}}) {
        SCOPED_TRACE(status);
        auto e = decode_fault(status, fault_body("com.amazonaws.swf.base.model#BrandNewFault", "new"));
        EXPECT_EQ(e.code, "BrandNewFault");
        EXPECT_EQ(e.kind, kind);
        EXPECT_EQ(e.http_status, status);
        EXPECT_EQ(e.message, "new");
        EXPECT_EQ(fault_kind("BrandNewFault", status), kind);
    }
}

TEST(decode_fault, non_json_bodies_by_status) {
    EXPECT_EQ(decode_fault(429, "Too Many Requests").kind, error_kind::throttled);
    EXPECT_EQ(decode_fault(403, "<html>Forbidden</html>").kind, error_kind::auth);
    EXPECT_EQ(decode_fault(504, "").kind, error_kind::retryable);
    EXPECT_EQ(decode_fault(404, "").kind, error_kind::fatal);
}

TEST(fault_kind, every_model_fault_is_classified_by_type) {
    // Every fault the model declares has a kind of its own; one that fell
    // back to the status rule would be retried whenever it came with a 5xx.
    for (auto f : model::model_faults) {
        const auto name = model::to_string(f);
        EXPECT_EQ(fault_kind(name, 400), fault_kind(name, 503)) << name;
        EXPECT_NE(fault_kind(name, 503), error_kind::retryable) << name;
    }
}

TEST(fault_kind, transient_aws_errors_are_retryable_on_any_status) {
    EXPECT_EQ(fault_kind("InternalServerError", 400), error_kind::retryable);
    EXPECT_EQ(fault_kind("RequestTimeoutException", 400), error_kind::retryable);
    EXPECT_EQ(fault_kind("PriorRequestNotComplete", 400), error_kind::retryable);
    EXPECT_EQ(fault_kind("RequestTimeout", 400), error_kind::retryable);
    EXPECT_EQ(fault_kind("TooManyRequestsException", 400), error_kind::throttled);
    EXPECT_EQ(fault_kind("RequestLimitExceeded", 400), error_kind::throttled);
}

TEST(fault_kind, every_model_fault_decoded_is_recognised_by_the_enum) {
    // An error decoded from SWF's answer names its fault through the enum;
    // the common AWS errors and local codes are fault::other.
    for (auto f : model::model_faults) {
        const auto name = std::string(model::to_string(f));
        auto e = decode_fault(400, fault_body("com.amazonaws.swf.base.model#" + name, "m"));
        EXPECT_EQ(e.fault(), f) << name;
        EXPECT_TRUE(e.is(f)) << name;
        for (auto g : model::model_faults) {
            if (g != f) {
                EXPECT_FALSE(e.is(g)) << name << " is " << model::to_string(g);
            }
        }
    }
    EXPECT_EQ(decode_fault(400, fault_body("ThrottlingException", "slow")).fault(), model::fault::other);
    error local{error_kind::retryable, "NetworkError", "reset", 0, ""};
    EXPECT_EQ(local.fault(), model::fault::other);
    EXPECT_FALSE(local.is(model::fault::other));
}

TEST(bare_fault_type, strips_prefix_and_suffix) {
    EXPECT_EQ(bare_fault_type("com.amazonaws.swf.base.model#UnknownResourceFault"), "UnknownResourceFault");
    EXPECT_EQ(bare_fault_type("UnknownResourceFault"), "UnknownResourceFault");
    EXPECT_EQ(bare_fault_type("ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/"),
              "ValidationException");
    EXPECT_EQ(bare_fault_type("aws.protocoltests#ThrottlingException:http://x/"), "ThrottlingException");
    EXPECT_EQ(bare_fault_type(""), "");
}

TEST(decode_fault, suffixed_type_is_recognised) {
    auto e = decode_fault(400, fault_body("ValidationException:http://internal.amazon.com/coral/validate/", "bad"));
    EXPECT_EQ(e.code, "ValidationException");
    EXPECT_EQ(e.kind, error_kind::validation);
}

} // namespace
