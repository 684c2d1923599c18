// Text fitted to SWF's limits, and the close decisions made with it.
#include "swf/codec/fit.hpp"

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "swf/codec/codec.hpp"
#include "swf/model/limits.hpp"

namespace swfrt::swf::codec {
namespace {

const std::string marker(truncation_marker);

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

TEST(fit_test, leaves_absent_and_short_values_alone) {
    EXPECT_FALSE(fitted(std::optional<std::string>{}, 256));
    EXPECT_EQ(fitted(std::string(""), 256), "");
    EXPECT_EQ(fitted(std::string("disk full"), 256), "disk full");
    EXPECT_EQ(fitted(std::string(256, 'z'), 256), std::string(256, 'z'));
}

TEST(fit_test, cuts_to_the_limit_with_the_marker) {
    auto one_over = fitted(std::string(257, 'z'), 256);
    EXPECT_EQ(one_over, std::string(244, 'z') + marker);
    EXPECT_EQ(one_over.size(), 256u);
    EXPECT_EQ(fitted(std::string(100, 'q'), 20), std::string(8, 'q') + marker);
    EXPECT_EQ(fitted(std::optional<std::string>(std::string(100, 'q')), 20), std::string(8, 'q') + marker);
}

TEST(fit_test, counts_characters_as_swf_does) {
    const std::string emoji = "\xF0\x9F\x8C\x8D"; // U+1F30D
    const std::string e_acute = "\xC3\xA9";       // U+00E9
    // 128 emoji are 256 SWF characters (512 bytes): they fit exactly.
    EXPECT_EQ(fitted(repeat(emoji, 128), 256), repeat(emoji, 128));
    // 129 do not; 122 emoji are the 244 characters left beside the marker.
    EXPECT_EQ(fitted(repeat(emoji, 129), 256), repeat(emoji, 122) + marker);
    // 256 two-byte characters fit although they take 512 bytes.
    EXPECT_EQ(fitted(repeat(e_acute, 256), 256), repeat(e_acute, 256));
    // One character short of an emoji: the emoji is dropped, not split.
    auto odd = fitted("x" + repeat(emoji, 200), 20);
    EXPECT_EQ(odd, "x" + repeat(emoji, 3) + marker);
    EXPECT_TRUE(is_valid_utf8(odd));
    EXPECT_EQ(swf_length(odd), 19u);
}

TEST(fit_test, a_fail_decision_fits_its_reason_and_details) {
    auto d = fail_workflow_decision(std::string(300, 'r'), std::string(model::limits::max_data + 5, 'd'));
    EXPECT_EQ(d.decision_type, model::decision_type::fail_workflow_execution);
    ASSERT_TRUE(d.fail_workflow_execution_decision_attributes);
    const auto& a = *d.fail_workflow_execution_decision_attributes;
    ASSERT_TRUE(a.reason && a.details);
    EXPECT_EQ(swf_length(*a.reason), model::limits::max_failure_reason);
    EXPECT_TRUE(a.reason->ends_with(marker));
    EXPECT_EQ(swf_length(*a.details), model::limits::max_data);
    EXPECT_TRUE(a.details->ends_with(marker));
    // And the decision passes the model's own checks.
    EXPECT_TRUE(validate(d)) << validate(d).error().to_string();
}

TEST(fit_test, complete_and_cancel_decisions_fit_what_they_carry) {
    auto done = complete_workflow_decision(std::string(model::limits::max_data + 1, 'x'));
    ASSERT_TRUE(done.complete_workflow_execution_decision_attributes);
    EXPECT_EQ(swf_length(*done.complete_workflow_execution_decision_attributes->result_), model::limits::max_data);
    EXPECT_EQ(complete_workflow_decision("").complete_workflow_execution_decision_attributes->result_, "");

    auto canceled = cancel_workflow_decision("");
    EXPECT_EQ(canceled.decision_type, model::decision_type::cancel_workflow_execution);
    ASSERT_TRUE(canceled.cancel_workflow_execution_decision_attributes);
    EXPECT_FALSE(canceled.cancel_workflow_execution_decision_attributes->details) << "no details, none sent";
    auto long_cancel = cancel_workflow_decision(std::string(model::limits::max_data * 2, 'c'));
    EXPECT_EQ(swf_length(*long_cancel.cancel_workflow_execution_decision_attributes->details), model::limits::max_data);
}

} // namespace
} // namespace swfrt::swf::codec
