// Credentials never reach a log: redact() on the texts that carried them.
#include <gtest/gtest.h>

#include "swf/redact.hpp"

namespace {

using swfrt::swf::excerpt;
using swfrt::swf::redact;
using swfrt::swf::remember_secret;

bool has(const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; }

TEST(redact, security_token_in_a_quoted_canonical_request) {
    // The shape of SWF's InvalidSignatureException message.
    const std::string msg =
        "The request signature we calculated does not match the signature you provided. The Canonical String for "
        "this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:swf.us-east-1."
        "amazonaws.com\nx-amz-date:20240501T120000Z\nx-amz-security-token:IQoJb3JpZ2luX2VjEJv//////////wEaCXVz+"
        "token/with=padding==\nx-amz-target:SimpleWorkflowService.PollForDecisionTask\n\ncontent-type;host;"
        "x-amz-date;x-amz-security-token;x-amz-target\n3a1f0c'";
    auto out = redact(msg);
    EXPECT_FALSE(has(out, "IQoJb3JpZ2luX2VjEJv")) << out;
    EXPECT_FALSE(has(out, "padding")) << out;
    EXPECT_TRUE(has(out, "x-amz-security-token:<redacted>\nx-amz-target:SimpleWorkflowService")) << out;
    // The signed-headers list names the header without a value: left as it is.
    EXPECT_TRUE(has(out, "x-amz-date;x-amz-security-token;x-amz-target")) << out;
    EXPECT_TRUE(has(out, "The request signature we calculated")) << out;
}

TEST(redact, authorization_header_signature_and_credential) {
    auto out = redact("Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240501/us-east-1/swf/"
                      "aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d04");
    EXPECT_FALSE(has(out, "fe5f80f77d5fa3beca038a248ff027d04")) << out;
    EXPECT_FALSE(has(out, "IOSFODNN7EXAMPLE")) << out;
    EXPECT_TRUE(has(out, "Credential=<redacted>, SignedHeaders=host;x-amz-date")) << out;
    EXPECT_TRUE(has(out, "Signature=<redacted>")) << out;
}

TEST(redact, json_and_ini_credentials) {
    auto out = redact(R"({"AccessKeyId":"ASIAXXXXXXXXXXXXXXXX","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG",)"
                      R"("Token":"FQoGZXIvYXdzEJr","SessionToken" : "AQoDYXdzEJr"})");
    EXPECT_FALSE(has(out, "wJalrXUtnFEMI")) << out;
    EXPECT_FALSE(has(out, "FQoGZXIvYXdzEJr")) << out;
    EXPECT_FALSE(has(out, "AQoDYXdzEJr")) << out;
    EXPECT_FALSE(has(out, "XXXXXXXXXXXXXXXX")) << out;
    auto ini = redact("aws_secret_access_key = abcdEFGH1234\naws_session_token=zzzzTOKEN\n");
    EXPECT_FALSE(has(ini, "abcdEFGH1234")) << ini;
    EXPECT_FALSE(has(ini, "zzzzTOKEN")) << ini;
    // JSON escaped inside another message.
    auto nested = redact(R"(body: {\"SecretAccessKey\":\"s3cr3tValue\"})");
    EXPECT_FALSE(has(nested, "s3cr3tValue")) << nested;
}

TEST(redact, remembered_secrets_are_blanked_anywhere) {
    remember_secret("Zm9vYmFyLXNlY3JldC12YWx1ZQ");
    auto out = redact("handler echoed Zm9vYmFyLXNlY3JldC12YWx1ZQ in its error, twice: Zm9vYmFyLXNlY3JldC12YWx1ZQ");
    EXPECT_FALSE(has(out, "Zm9vYmFy")) << out;
    EXPECT_EQ(out, "handler echoed <redacted> in its error, twice: <redacted>");
}

TEST(redact, ordinary_text_is_left_alone) {
    for (std::string_view s : {"activity task answered outcome=completed", "InvalidSignatureException: bad",
                               "token bucket empty", "signature mismatch", ""})
        EXPECT_EQ(redact(s), s);
}

TEST(excerpt, cuts_long_text_with_a_note_and_never_inside_a_code_point) {
    EXPECT_EQ(excerpt("short", 10), "short");
    std::string big(10000, 'x');
    auto cut = excerpt(big, 4096);
    EXPECT_EQ(cut.substr(0, 4096), std::string(4096, 'x'));
    EXPECT_TRUE(has(cut, "[... 5904 more bytes]")) << cut.substr(4096);
    std::string utf = "ab\xC3\xA9";
    EXPECT_EQ(excerpt(utf, 3).substr(0, 2), "ab");
}

} // namespace
