// The codec's edges: JSON string escaping, UTF-8 checks, SWF lengths and
// truncation, timestamps, strict and lenient decoding, the member paths in
// decode and validation errors, malformed input and the model's limits.
#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace codec = swfrt::swf::codec;
namespace model = swfrt::swf::model;
using swfrt::swf::error_kind;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

std::string json_string(std::string_view s) {
    std::string out;
    codec::append_json_string(out, s);
    return out;
}

// Reads a JSON string literal with simdjson's DOM parser, independently of
// the codec's decoder.
std::optional<std::string> parse_json_string(std::string_view literal) {
    simdjson::dom::parser parser;
    std::string_view v;
    if (parser.parse(literal.data(), literal.size()).get_string().get(v)) return std::nullopt;
    return std::string(v);
}

// The decode error message; "decoded" when the document decodes.
template <class T>
std::string decode_error(std::string_view json, bool strict = false) {
    auto r = codec::decode<T>(json, {.strict = strict});
    if (r) return "decoded";
    EXPECT_EQ(r.error().code, "DecodeError");
    EXPECT_EQ(r.error().kind, error_kind::validation);
    return r.error().message;
}

// The validation error message; "valid" when the value passes.
template <class T>
std::string validate_error(const T& value) {
    auto r = codec::validate(value);
    if (r) return "valid";
    EXPECT_EQ(r.error().code, "ValidationException");
    EXPECT_EQ(r.error().kind, error_kind::validation);
    return r.error().message;
}

std::string repeat(std::string_view unit, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += unit;
    return out;
}

const std::string e_acute = "\xC3\xA9";             // U+00E9, 2 bytes
const std::string euro = "\xE2\x82\xAC";            // U+20AC, 3 bytes
const std::string grinning = "\xF0\x9F\x98\x80";    // U+1F600, 4 bytes
const std::string max_code_point = "\xF4\x8F\xBF\xBF"; // U+10FFFF

struct bad_utf8 {
    const char* what;
    std::string bytes;
};

const std::vector<bad_utf8> invalid_utf8 = {
    {"overlong 2-byte '/'", "\xC0\xAF"},
    {"overlong 2-byte with C1 lead", "\xC1\xBF"},
    {"overlong 3-byte", "\xE0\x80\xAF"},
    {"overlong 4-byte", "\xF0\x80\x80\xAF"},
    {"high surrogate U+D800", "\xED\xA0\x80"},
    {"low surrogate U+DFFF", "\xED\xBF\xBF"},
    {"surrogate pair encoded as two 3-byte sequences", "\xED\xA0\xBD\xED\xB8\x80"},
    {"truncated 2-byte", "\xC3"},
    {"truncated 3-byte", "\xE2\x82"},
    {"truncated 4-byte", "\xF0\x9F\x98"},
    {"lone continuation byte", "\x80"},
    {"0xFF", "\xFF"},
    {"0xFE", "\xFE"},
    {"above U+10FFFF", "\xF4\x90\x80\x80"},
    {"F5 lead byte", "\xF5\x80\x80\x80"},
    {"lead byte followed by ASCII", "\xE2(a"},
};

model::respond_activity_task_failed_input failed_task(std::string reason, std::string details) {
    model::respond_activity_task_failed_input in;
    in.task_token = "token";
    in.reason = std::move(reason);
    in.details = std::move(details);
    return in;
}

model::start_workflow_execution_input start_input() {
    model::start_workflow_execution_input in;
    in.domain = "d";
    in.workflow_id = "w";
    in.workflow_type = {"wf", "1"};
    return in;
}

model::respond_decision_task_completed_input two_schedule_decisions() {
    model::respond_decision_task_completed_input in;
    in.task_token = "token";
    for (int i = 0; i < 2; ++i) {
        auto& d = in.decisions.emplace_back();
        d.decision_type = model::decision_type::schedule_activity_task;
        auto& a = d.schedule_activity_task_decision_attributes.emplace();
        a.activity_id = "a" + std::to_string(i);
        a.activity_type = {"act", "1"};
        a.input = "in";
    }
    return in;
}

constexpr std::string_view valid_poll = R"({"domain":"d","taskList":{"name":"q"}})";

} // namespace

// --- escaping ------------------------------------------------------------

TEST(json_escaping, quotes_and_backslashes) {
    EXPECT_EQ(json_string(R"(say "hi")"), R"("say \"hi\"")");
    EXPECT_EQ(json_string(R"(C:\dir\)"), R"("C:\\dir\\")");
    EXPECT_EQ(json_string(R"(\")"), R"("\\\"")");
    EXPECT_EQ(json_string(""), R"("")");
}

TEST(json_escaping, every_control_character) {
    for (int c = 0; c < 0x20; ++c) {
        std::string s(1, static_cast<char>(c));
        std::string expected;
        switch (c) {
        case '\b': expected = "\\b"; break;
        case '\t': expected = "\\t"; break;
        case '\n': expected = "\\n"; break;
        case '\f': expected = "\\f"; break;
        case '\r': expected = "\\r"; break;
        default: {
            static constexpr char hex[] = "0123456789abcdef";
            expected = std::string("\\u00") + hex[c >> 4] + hex[c & 0xF];
        }
        }
        auto encoded = json_string(s);
        EXPECT_EQ(encoded, "\"" + expected + "\"") << "control character " << c;
        EXPECT_EQ(parse_json_string(encoded), s) << "control character " << c;
    }
}

TEST(json_escaping, printable_ascii_and_del_are_written_as_they_are) {
    // JSON requires escapes only for '"', '\\' and U+0000..U+001F.
    for (int c = 0x20; c <= 0x7F; ++c) {
        if (c == '"' || c == '\\') continue;
        std::string s(1, static_cast<char>(c));
        EXPECT_EQ(json_string(s), "\"" + s + "\"") << "character " << c;
        EXPECT_EQ(parse_json_string(json_string(s)), s) << "character " << c;
    }
}

TEST(json_escaping, multibyte_utf8_is_written_unescaped) {
    for (const auto& s : {e_acute, euro, grinning, max_code_point, "a" + e_acute + euro + grinning + "z"}) {
        EXPECT_EQ(json_string(s), "\"" + s + "\"");
        EXPECT_EQ(parse_json_string(json_string(s)), s);
    }
}

TEST(json_escaping, every_special_character_survives_a_model_round_trip) {
    std::string all;
    for (int c = 0; c < 0x20; ++c) all += static_cast<char>(c);
    all += "\"\\/\x7F" + e_acute + euro + grinning + max_code_point;
    auto in = failed_task("reason " + all, all + all);
    in.task_token = all;
    auto json = codec::encode(in);
    // The encoding is valid JSON for an independent parser.
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_FALSE(parser.parse(json).get(doc)) << json;
    EXPECT_EQ(std::string_view(doc["taskToken"].get_string().value()), all);

    auto back = codec::decode<model::respond_activity_task_failed_input>(json, {.strict = true});
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, in);
    EXPECT_EQ(back->task_token.size(), all.size()); // the NUL byte stays
    EXPECT_EQ(validate_error(*back), "valid");
}

TEST(json_escaping, unicode_escapes_decode_to_utf8) {
    auto r = codec::decode<model::task_list>(R"({"name":"\u00e9\u20ac\ud83d\ude00\u0000\/\"x"})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->name, e_acute + euro + grinning + std::string(1, '\0') + "/\"x");
    // Member names may be escaped too.
    auto k = codec::decode<model::task_list>(R"({"na\u006de":"q"})", {.strict = true});
    ASSERT_TRUE(k) << k.error().message;
    EXPECT_EQ(k->name, "q");
}

TEST(json_escaping, lone_surrogate_escapes_are_rejected) {
    for (std::string_view doc : {R"({"name":"\ud800"})", R"({"name":"\udc00"})", R"({"name":"\ud800x"})"})
        EXPECT_THAT(decode_error<model::task_list>(doc), StartsWith("name: ")) << doc;
}

// --- UTF-8 ---------------------------------------------------------------

TEST(utf8, valid_text_is_accepted) {
    EXPECT_TRUE(codec::is_valid_utf8(""));
    EXPECT_TRUE(codec::is_valid_utf8("plain ASCII"));
    EXPECT_TRUE(codec::is_valid_utf8(e_acute + euro + grinning + max_code_point));
    EXPECT_TRUE(codec::is_valid_utf8("\xEF\xBF\xBF"));  // U+FFFF
    EXPECT_TRUE(codec::is_valid_utf8("\xED\x9F\xBF"));  // U+D7FF, just below the surrogates
    EXPECT_TRUE(codec::is_valid_utf8("\xEE\x80\x80"));  // U+E000, just above them
    EXPECT_TRUE(codec::is_valid_utf8(std::string("a\0b", 3)));
}

TEST(utf8, invalid_sequences_are_rejected) {
    for (const auto& bad : invalid_utf8) {
        EXPECT_FALSE(codec::is_valid_utf8(bad.bytes)) << bad.what;
        EXPECT_FALSE(codec::is_valid_utf8("valid prefix " + bad.bytes + " valid suffix")) << bad.what;
    }
}

TEST(utf8, validate_names_the_member_holding_invalid_text) {
    for (const auto& bad : invalid_utf8) {
        EXPECT_EQ(validate_error(failed_task("ok", "x" + bad.bytes)), "details is not valid UTF-8") << bad.what;
        EXPECT_EQ(validate_error(failed_task(bad.bytes, "ok")), "reason is not valid UTF-8") << bad.what;
        auto in = failed_task("ok", "ok");
        in.task_token = "tok" + bad.bytes;
        EXPECT_EQ(validate_error(in), "taskToken is not valid UTF-8") << bad.what;
    }
}

TEST(utf8, validate_names_the_path_inside_lists_and_nested_structs) {
    auto in = two_schedule_decisions();
    in.decisions[1].schedule_activity_task_decision_attributes->input = "\xED\xA0\x80";
    EXPECT_EQ(validate_error(in), "decisions[1].scheduleActivityTaskDecisionAttributes.input is not valid UTF-8");

    in = two_schedule_decisions();
    in.decisions[0].schedule_activity_task_decision_attributes->activity_type.name = "\xFF";
    EXPECT_EQ(validate_error(in),
              "decisions[0].scheduleActivityTaskDecisionAttributes.activityType.name is not valid UTF-8");
}

TEST(utf8, validate_names_the_index_of_a_bad_string_in_a_list) {
    auto in = start_input();
    in.tag_list = {"fine", "bad\xC0\xAF"};
    EXPECT_EQ(validate_error(in), "tagList[1] is not valid UTF-8");

    model::untag_resource_input untag;
    untag.resource_arn = "arn:aws:swf:us-east-1:123456789012:/domain/d";
    untag.tag_keys = {"a", "b", "\xF0\x9F\x98"};
    EXPECT_EQ(validate_error(untag), "tagKeys[2] is not valid UTF-8");
}

TEST(utf8, invalid_bytes_in_a_json_document_are_rejected_by_decode) {
    auto doc = std::string(R"({"domain":"a)") + "\xFF" + R"(","taskList":{"name":"q"}})";
    EXPECT_THAT(decode_error<model::poll_for_activity_task_input>(doc), HasSubstr("UTF-8"));
}

// --- SWF lengths and truncation -----------------------------------------

TEST(swf_length, counts_utf16_code_units) {
    EXPECT_EQ(codec::swf_length(""), 0u);
    EXPECT_EQ(codec::swf_length("abc"), 3u);
    EXPECT_EQ(codec::swf_length(e_acute), 1u);
    EXPECT_EQ(codec::swf_length(euro), 1u);
    EXPECT_EQ(codec::swf_length("\xEF\xBF\xBF"), 1u); // U+FFFF is the last single unit
    EXPECT_EQ(codec::swf_length(grinning), 2u);
    EXPECT_EQ(codec::swf_length(max_code_point), 2u);
    EXPECT_EQ(codec::swf_length("a" + grinning + e_acute + euro), 5u);
    EXPECT_EQ(codec::swf_length(std::string("a\0b", 3)), 3u);
    EXPECT_EQ(codec::swf_length(repeat(grinning, 100)), 200u);
}

TEST(truncate, leaves_text_within_the_limit_alone) {
    std::string s = "twenty characters!!!";
    EXPECT_FALSE(codec::truncate(s, 20));
    EXPECT_EQ(s, "twenty characters!!!");
    std::string e = repeat(grinning, 10); // 20 units
    EXPECT_FALSE(codec::truncate(e, 20));
    EXPECT_EQ(e, repeat(grinning, 10));
}

TEST(truncate, cuts_and_appends_the_marker_within_the_limit) {
    std::string s(100, 'a');
    EXPECT_TRUE(codec::truncate(s, 20));
    EXPECT_EQ(s, std::string(8, 'a') + " [truncated]");
    EXPECT_EQ(codec::swf_length(s), 20u);

    std::string r(300, 'r');
    EXPECT_TRUE(codec::truncate(r, 256, "..."));
    EXPECT_EQ(r, std::string(253, 'r') + "...");
}

TEST(truncate, never_splits_a_code_point) {
    std::string e = repeat(euro, 30);
    EXPECT_TRUE(codec::truncate(e, 20));
    EXPECT_EQ(e, repeat(euro, 8) + " [truncated]");

    // Nine units of room before the marker: four 2-unit characters fit, the
    // fifth would need ten.
    std::string g = repeat(grinning, 20);
    EXPECT_TRUE(codec::truncate(g, 21));
    EXPECT_EQ(g, repeat(grinning, 4) + " [truncated]");
    EXPECT_TRUE(codec::is_valid_utf8(g));
    EXPECT_LE(codec::swf_length(g), 21u);
}

TEST(truncate, multibyte_marker_counts_in_units) {
    std::string s = repeat("x", 50);
    const std::string ellipsis = "\xE2\x80\xA6"; // U+2026, one unit, three bytes
    EXPECT_TRUE(codec::truncate(s, 10, ellipsis));
    EXPECT_EQ(s, std::string(9, 'x') + ellipsis);
}

TEST(truncate, marker_longer_than_the_limit_is_left_out) {
    std::string s(50, 'x');
    EXPECT_TRUE(codec::truncate(s, 5));
    EXPECT_LE(codec::swf_length(s), 5u);
    EXPECT_TRUE(codec::is_valid_utf8(s));
    EXPECT_EQ(std::string(50, 'x').substr(0, s.size()), s);
}

TEST(truncate, result_is_valid_within_the_limit_and_as_long_as_possible) {
    // Every limit against text mixing 1-, 2-, 3- and 4-byte characters.
    const std::string text = repeat("a" + e_acute + euro + grinning + "b" + grinning + grinning, 12);
    const std::string marker = " [truncated]";
    for (std::size_t max = 0; max <= codec::swf_length(text) + 1; ++max) {
        std::string s = text;
        bool cut = codec::truncate(s, max, marker);
        EXPECT_EQ(cut, codec::swf_length(text) > max) << max;
        EXPECT_TRUE(codec::is_valid_utf8(s)) << max;
        EXPECT_LE(codec::swf_length(s), max) << max;
        if (!cut) {
            EXPECT_EQ(s, text);
            continue;
        }
        if (max < codec::swf_length(marker)) continue;
        ASSERT_GE(s.size(), marker.size()) << max;
        ASSERT_EQ(s.substr(s.size() - marker.size()), marker) << max;
        std::string kept = s.substr(0, s.size() - marker.size());
        ASSERT_EQ(text.compare(0, kept.size(), kept), 0) << max;
        // The next code point of the original would not have fit.
        std::size_t next = kept.size() + 1;
        while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) ++next;
        EXPECT_GT(codec::swf_length(text.substr(0, next)) + codec::swf_length(marker), max) << max;
    }
}

TEST(truncate, truncated_reason_and_details_pass_validation) {
    auto in = failed_task(repeat(grinning, 200), repeat(euro, 40000));
    EXPECT_THAT(validate_error(in), StartsWith("details is 40000 characters long"));
    EXPECT_TRUE(codec::truncate(*in.reason, 256));
    EXPECT_TRUE(codec::truncate(*in.details, 32768));
    EXPECT_EQ(validate_error(in), "valid");
}

// --- timestamps ----------------------------------------------------------

TEST(timestamps, integers_and_fractions_decode) {
    struct sample {
        std::string_view json;
        double value;
    };
    for (auto [json, value] : std::initializer_list<sample>{{"1700000000", 1700000000.0},
                                                            {"1700000000.123", 1700000000.123},
                                                            {"1700000000.5", 1700000000.5},
                                                            {"1.7e9", 1700000000.0},
                                                            {"0", 0.0}}) {
        auto doc = R"({"eventId":1,"eventType":"TimerFired","eventTimestamp":)" + std::string(json) + "}";
        auto r = codec::decode<model::history_event>(doc, {.strict = true});
        ASSERT_TRUE(r) << json << ": " << r.error().message;
        EXPECT_EQ(r->event_timestamp, value) << json;
    }
}

TEST(timestamps, encode_then_decode_keeps_the_value) {
    for (double t : {1700000000.0, 1700000000.125, 1326238240.987654, 0.001, 4102444800.0}) {
        model::execution_time_filter f;
        f.oldest_date = t;
        f.latest_date = t + 0.5;
        auto back = codec::decode<model::execution_time_filter>(codec::encode(f), {.strict = true});
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(back->oldest_date, t);
        EXPECT_EQ(back->latest_date, t + 0.5);
    }
}

TEST(timestamps, a_string_timestamp_is_a_type_error) {
    EXPECT_EQ(decode_error<model::history_event>(
                  R"({"eventId":1,"eventType":"TimerFired","eventTimestamp":"2023-11-14T22:13:20Z"})"),
              "eventTimestamp: expected number (epoch seconds)");
}

// --- unknown members -----------------------------------------------------

TEST(unknown_members, ignored_when_lenient) {
    auto r = codec::decode<model::poll_for_activity_task_input>(
        R"({"newThing":{"a":[1,2,{"b":null}]},"domain":"d","taskList":{"name":"q","kind":"NORMAL"},"z":true})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->domain, "d");
    EXPECT_EQ(r->task_list.name, "q");
    EXPECT_FALSE(r->identity);
}

TEST(unknown_members, rejected_when_strict_with_their_path) {
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(R"({"domain":"d","taskList":{"name":"q"},"newThing":1})",
                                                                true),
              "newThing: member does not exist in the SWF model");
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(R"({"domain":"d","taskList":{"name":"q","kind":"N"}})",
                                                                true),
              "taskList.kind: member does not exist in the SWF model");
    EXPECT_EQ(decode_error<model::history>(
                  R"({"events":[{"eventId":1,"eventType":"TimerFired","eventTimestamp":1},)"
                  R"({"eventId":2,"eventType":"TimerFired","eventTimestamp":2,"bogus":0}]})",
                  true),
              "events[1].bogus: member does not exist in the SWF model");
    EXPECT_EQ(decode_error<model::empty>(R"({"anything":1})", true), "anything: member does not exist in the SWF model");
    EXPECT_EQ(decode_error<model::empty>(R"({"anything":1})", false), "decoded");
    // Member names are case sensitive.
    EXPECT_EQ(decode_error<model::task_list>(R"({"Name":"q"})", true), "Name: member does not exist in the SWF model");
}

TEST(unknown_members, malformed_json_inside_an_ignored_member_is_rejected) {
    // Skipping a member must not skip the check that the document is JSON.
    for (std::string_view doc : {R"({"registrationStatus":"REGISTERED","x":tru})",
                                 R"({"registrationStatus":"REGISTERED","x":{"a" 1}})",
                                 R"({"registrationStatus":"REGISTERED","x":[1,2,]})",
                                 R"({"registrationStatus":"REGISTERED","x":01})",
                                 R"({"registrationStatus":"REGISTERED","x":"\q"})"})
        EXPECT_NE(decode_error<model::list_domains_input>(doc), "decoded") << doc;
}

TEST(unknown_members, deep_nesting_is_an_error_not_a_stack_overflow) {
    // 100,000 levels once overflowed the stack of the recursive skip.
    for (std::string_view open_close : {"[]", "{}"}) {
        std::string deep = R"({"events":[],"x":)";
        const std::size_t levels = 100000;
        for (std::size_t i = 0; i < levels; ++i) {
            deep += open_close[0];
            if (open_close[0] == '{') deep += R"("k":)";
        }
        deep += "1";
        for (std::size_t i = 0; i < levels; ++i) deep += open_close[1];
        deep += "}";
        auto msg = decode_error<model::history>(deep);
        EXPECT_NE(msg.find("nested deeper than 128 levels inside a member the model does not know"), std::string::npos)
            << msg.substr(0, 300);
        EXPECT_EQ(msg.rfind("x", 0), 0u) << msg.substr(0, 300); // the path starts at the unknown member
    }
    // Within the bound, an unknown member is still skipped.
    std::string ok = R"({"events":[],"x":)" + std::string(100, '[') + std::string(100, ']') + "}";
    EXPECT_EQ(decode_error<model::history>(ok), "decoded");
}

// --- required members ----------------------------------------------------

TEST(required_members, missing_member_is_named_with_its_path) {
    EXPECT_EQ(decode_error<model::history>(R"({"events":[)"
                                           R"({"eventId":1,"eventType":"TimerFired","eventTimestamp":1},)"
                                           R"({"eventId":2,"eventType":"TimerFired","eventTimestamp":2},)"
                                           R"({"eventId":3,"eventTimestamp":3}]})"),
              "events[2].eventType: required member is missing");
    EXPECT_EQ(decode_error<model::start_workflow_execution_input>(R"({"domain":"d","workflowType":{"name":"n","version":"1"}})"),
              "workflowId: required member is missing");
    EXPECT_EQ(decode_error<model::start_workflow_execution_input>(R"({"domain":"d","workflowId":"w","workflowType":{"name":"n"}})"),
              "workflowType.version: required member is missing");
    EXPECT_EQ(decode_error<model::history_event>("{}"), "eventTimestamp: required member is missing");
}

TEST(required_members, null_is_not_a_value_for_a_required_member) {
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(R"({"domain":null,"taskList":{"name":"q"}})"),
              "domain: expected string");
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(R"({"domain":"d","taskList":null})"),
              "taskList: expected object");
}

TEST(required_members, null_optional_members_are_absent) {
    auto r = codec::decode<model::start_workflow_execution_input>(
        R"({"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},)"
        R"("input":null,"taskList":null,"tagList":null,"childPolicy":null})",
        {.strict = true});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->input);
    EXPECT_FALSE(r->task_list);
    EXPECT_TRUE(r->tag_list.empty());
    EXPECT_FALSE(r->child_policy);
}

TEST(required_members, empty_poll_answers_decode_without_a_task_token) {
    auto d = codec::decode<model::decision_task>("{}", {.strict = true});
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_TRUE(d->task_token.empty());
    EXPECT_TRUE(d->events.empty());
    auto a = codec::decode<model::activity_task>("{}", {.strict = true});
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_TRUE(a->task_token.empty());

    // What SWF sends when a long poll ends without a task.
    auto d0 = codec::decode<model::decision_task>(R"({"previousStartedEventId":0,"startedEventId":0})");
    ASSERT_TRUE(d0) << d0.error().message;
    EXPECT_TRUE(d0->task_token.empty());
    auto a0 = codec::decode<model::activity_task>(R"({"startedEventId":0})");
    ASSERT_TRUE(a0) << a0.error().message;
    EXPECT_TRUE(a0->task_token.empty());
    // The form the API reference describes: a taskToken that is the empty string.
    auto d1 = codec::decode<model::decision_task>(R"({"previousStartedEventId":0,"startedEventId":0,"taskToken":""})");
    ASSERT_TRUE(d1) << d1.error().message;
    EXPECT_TRUE(d1->task_token.empty());
    auto a1 = codec::decode<model::activity_task>(R"({"startedEventId":0,"taskToken":""})");
    ASSERT_TRUE(a1) << a1.error().message;
    EXPECT_TRUE(a1->task_token.empty());
}

TEST(required_members, a_task_with_a_token_needs_everything_else) {
    EXPECT_EQ(decode_error<model::activity_task>(R"({"taskToken":"t"})"), "activityId: required member is missing");
    EXPECT_EQ(decode_error<model::decision_task>(R"({"taskToken":"t"})"), "startedEventId: required member is missing");
    EXPECT_EQ(decode_error<model::decision_task>(
                  R"({"taskToken":"t","startedEventId":3,"workflowExecution":{"workflowId":"w","runId":"r"},)"
                  R"("workflowType":{"name":"n","version":"1"}})"),
              "events: required member is missing");
}

// --- wrong types ---------------------------------------------------------

TEST(wrong_types, error_names_the_member_and_the_expected_type) {
    EXPECT_EQ(decode_error<model::history>(R"({"events":[{"eventId":"1","eventType":"TimerFired","eventTimestamp":1}]})"),
              "events[0].eventId: expected integer");
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(R"({"domain":5,"taskList":{"name":"q"}})"),
              "domain: expected string");
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(R"({"domain":"d","taskList":"q"})"),
              "taskList: expected object");
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(R"({"domain":"d","taskList":{"name":["q"]}})"),
              "taskList.name: expected string");
    EXPECT_EQ(decode_error<model::history>(R"({"events":{}})"), "events: expected array");
    EXPECT_EQ(decode_error<model::list_domains_input>(R"({"registrationStatus":"REGISTERED","reverseOrder":"true"})"),
              "reverseOrder: expected boolean");
    EXPECT_EQ(decode_error<model::list_domains_input>(R"({"registrationStatus":1})"),
              "registrationStatus: expected string");
    EXPECT_EQ(decode_error<model::start_workflow_execution_input>(
                  R"({"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"tagList":["a",5]})"),
              "tagList[1]: expected string");
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>("[]"), "expected object");
}

TEST(wrong_types, integers_must_be_whole_and_in_range) {
    using input = model::list_domains_input;
    EXPECT_EQ(decode_error<input>(R"({"registrationStatus":"REGISTERED","maximumPageSize":1.5})"),
              "maximumPageSize: expected integer");
    EXPECT_EQ(decode_error<input>(R"({"registrationStatus":"REGISTERED","maximumPageSize":2147483648})"),
              "maximumPageSize: integer out of 32-bit range");
    EXPECT_EQ(decode_error<input>(R"({"registrationStatus":"REGISTERED","maximumPageSize":-2147483649})"),
              "maximumPageSize: integer out of 32-bit range");
    auto ok = codec::decode<input>(R"({"registrationStatus":"REGISTERED","maximumPageSize":2147483647})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->maximum_page_size, 2147483647);
    // Event ids are 64-bit.
    auto big = codec::decode<model::history_event>(
        R"({"eventId":9007199254740993,"eventType":"TimerFired","eventTimestamp":1})");
    ASSERT_TRUE(big) << big.error().message;
    EXPECT_EQ(big->event_id, std::int64_t{9007199254740993});
}

// --- enums ---------------------------------------------------------------

// A page as moto_server writes one (TimerCancelled where SWF writes
// TimerCanceled) with a cause and a timeout type no SWF version has.
constexpr std::string_view page_with_unknown_values =
    R"({"events":[{"eventId":1,"eventTimestamp":1,"eventType":"TimerStarted",)"
    R"("timerStartedEventAttributes":{"timerId":"t","startToFireTimeout":"5","decisionTaskCompletedEventId":0}},)"
    R"({"eventId":2,"eventTimestamp":2,"eventType":"TimerCancelled",)"
    R"("timerCancelledEventAttributes":{"timerId":"t","startedEventId":1}},)"
    R"({"eventId":3,"eventTimestamp":3,"eventType":"StartTimerFailed",)"
    R"("startTimerFailedEventAttributes":{"timerId":"u","cause":"TIMER_QUOTA_EXHAUSTED","decisionTaskCompletedEventId":0}},)"
    R"({"eventId":4,"eventTimestamp":4,"eventType":"ActivityTaskTimedOut",)"
    R"("activityTaskTimedOutEventAttributes":{"timeoutType":"START_TO_\u0046INISH","scheduledEventId":1,"startedEventId":1}}]})";

TEST(enums, unknown_values_in_a_response_decode_and_keep_their_text) {
    auto h = codec::decode<model::history>(page_with_unknown_values);
    ASSERT_TRUE(h) << h.error().message;
    ASSERT_EQ(h->events.size(), 4u);
    const auto& started = h->events[0];
    EXPECT_EQ(started.event_type, model::event_type::timer_started);
    EXPECT_EQ(started.event_type_text, "") << "the text is kept only for unknown values";

    const auto& cancelled = h->events[1];
    EXPECT_EQ(cancelled.event_type, model::event_type::unknown_to_sdk);
    EXPECT_EQ(cancelled.event_type_text, "TimerCancelled");
    EXPECT_EQ(cancelled.event_id, 2);
    EXPECT_EQ(model::to_string(cancelled.event_type), "");
    EXPECT_EQ(model::to_string(cancelled.event_type, cancelled.event_type_text), "TimerCancelled");

    const auto& failed = h->events[2];
    EXPECT_EQ(failed.event_type, model::event_type::start_timer_failed);
    ASSERT_TRUE(failed.start_timer_failed_event_attributes);
    EXPECT_EQ(failed.start_timer_failed_event_attributes->cause, model::start_timer_failed_cause::unknown_to_sdk);
    EXPECT_EQ(failed.start_timer_failed_event_attributes->cause_text, "TIMER_QUOTA_EXHAUSTED");
    EXPECT_EQ(failed.start_timer_failed_event_attributes->timer_id, "u");

    // The text is kept unescaped, as for any string.
    ASSERT_TRUE(h->events[3].activity_task_timed_out_event_attributes);
    EXPECT_EQ(h->events[3].activity_task_timed_out_event_attributes->timeout_type,
              model::activity_task_timeout_type::unknown_to_sdk);
    EXPECT_EQ(h->events[3].activity_task_timed_out_event_attributes->timeout_type_text, "START_TO_FINISH");
}

TEST(enums, unknown_values_are_encoded_back_as_they_came) {
    auto h = codec::decode<model::history>(page_with_unknown_values);
    ASSERT_TRUE(h) << h.error().message;
    auto json = codec::encode(*h);
    EXPECT_THAT(json, HasSubstr(R"("eventType":"TimerCancelled")"));
    EXPECT_THAT(json, HasSubstr(R"("cause":"TIMER_QUOTA_EXHAUSTED")"));
    EXPECT_THAT(json, HasSubstr(R"("timeoutType":"START_TO_FINISH")"));
    EXPECT_THAT(json, HasSubstr(R"("eventType":"TimerStarted")"));
    auto again = codec::decode<model::history>(json);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(*again == *h);
    EXPECT_EQ(codec::encode(*again), json);
}

TEST(enums, unknown_values_of_optional_members_keep_their_text) {
    auto infos = codec::decode<model::workflow_execution_infos>(
        R"({"executionInfos":[{"execution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"n","version":"1"},)"
        R"("startTimestamp":1,"executionStatus":"PAUSED","closeStatus":"VANISHED"},)"
        R"({"execution":{"workflowId":"w","runId":"s"},"workflowType":{"name":"n","version":"1"},)"
        R"("startTimestamp":1,"executionStatus":"CLOSED","closeStatus":"COMPLETED"}]})");
    ASSERT_TRUE(infos) << infos.error().message;
    ASSERT_EQ(infos->execution_infos.size(), 2u);
    const auto& odd = infos->execution_infos[0];
    EXPECT_EQ(odd.execution_status, model::execution_status::unknown_to_sdk);
    EXPECT_EQ(odd.execution_status_text, "PAUSED");
    ASSERT_TRUE(odd.close_status);
    EXPECT_EQ(*odd.close_status, model::close_status::unknown_to_sdk);
    EXPECT_EQ(odd.close_status_text, "VANISHED");
    const auto& known = infos->execution_infos[1];
    EXPECT_EQ(known.close_status, model::close_status::completed);
    EXPECT_EQ(known.close_status_text, "");
    EXPECT_EQ(known.execution_status_text, "");
    auto json = codec::encode(*infos);
    EXPECT_THAT(json, HasSubstr(R"("closeStatus":"VANISHED")"));
    EXPECT_THAT(json, HasSubstr(R"("executionStatus":"PAUSED")"));
}

TEST(enums, a_later_known_value_clears_the_kept_text) {
    // JSON allows a member twice; the last one wins, text included.
    auto e = codec::decode<model::history_event>(
        R"({"eventId":1,"eventTimestamp":1,"eventType":"TimerCancelled","eventType":"TimerCanceled"})");
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->event_type, model::event_type::timer_canceled);
    EXPECT_EQ(e->event_type_text, "");
}

TEST(enums, unknown_values_are_refused_when_strict_with_the_enum_and_the_path) {
    EXPECT_EQ(decode_error<model::history>(
                  R"({"events":[{"eventId":1,"eventType":"WorkflowExecutionExploded","eventTimestamp":1}]})", true),
              "events[0].eventType: unknown EventType value 'WorkflowExecutionExploded'");
    EXPECT_EQ(decode_error<model::history>(page_with_unknown_values, true),
              "events[1].eventType: unknown EventType value 'TimerCancelled'");
    EXPECT_EQ(decode_error<model::start_workflow_execution_input>(
                  R"({"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"childPolicy":"KILL"})",
                  true),
              "childPolicy: unknown ChildPolicy value 'KILL'");
    // Enum values are case sensitive.
    EXPECT_EQ(decode_error<model::respond_decision_task_completed_input>(
                  R"({"taskToken":"t","decisions":[{"decisionType":"startTimer"}]})", true),
              "decisions[0].decisionType: unknown DecisionType value 'startTimer'");
    // An enum is a string: another JSON type is an error either way.
    EXPECT_EQ(decode_error<model::history_event>(R"({"eventId":1,"eventType":7,"eventTimestamp":1})"),
              "eventType: expected string");
}

TEST(enums, unknown_values_are_never_sent) {
    model::respond_decision_task_completed_input answer;
    answer.task_token = "t";
    auto& d = answer.decisions.emplace_back();
    d.decision_type = model::decision_type::unknown_to_sdk;
    d.decision_type_text = "ScheduleNothing";
    EXPECT_EQ(validate_error(answer), "decisions[0].decisionType holds 'ScheduleNothing', a value this SDK does not "
                                      "know (kept from a response); it is not sent");
    d.decision_type = model::decision_type::start_timer;
    d.start_timer_decision_attributes.emplace().timer_id = "t";
    d.start_timer_decision_attributes->start_to_fire_timeout = "5";
    EXPECT_EQ(validate_error(answer), "valid");

    // A value decoded from a response and copied into a request: an optional member.
    auto detail = codec::decode<model::workflow_execution_detail>(
        R"({"executionConfiguration":{"taskStartToCloseTimeout":"10","executionStartToCloseTimeout":"60",)"
        R"("taskList":{"name":"q"},"childPolicy":"DETACH"},)"
        R"("executionInfo":{"execution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"n","version":"1"},)"
        R"("startTimestamp":1,"executionStatus":"OPEN"},"openCounts":{"openActivityTasks":0,"openDecisionTasks":0,)"
        R"("openTimers":0,"openChildWorkflowExecutions":0}})");
    ASSERT_TRUE(detail) << detail.error().message;
    model::start_workflow_execution_input start;
    start.domain = "d";
    start.workflow_id = "w2";
    start.workflow_type = detail->execution_info.workflow_type;
    start.child_policy = detail->execution_configuration.child_policy;
    start.child_policy_text = detail->execution_configuration.child_policy_text;
    EXPECT_EQ(validate_error(start),
              "childPolicy holds 'DETACH', a value this SDK does not know (kept from a response); it is not sent");
    // A hand-made unknown value without text is refused all the same.
    start.child_policy = model::child_policy::unknown_to_sdk;
    start.child_policy_text.clear();
    EXPECT_THAT(validate_error(start), StartsWith("childPolicy holds ''"));
    start.child_policy = model::child_policy::abandon;
    EXPECT_EQ(validate_error(start), "valid");
}

// --- malformed input -----------------------------------------------------

TEST(malformed_json, is_rejected) {
    for (std::string_view doc : {"", "   ", "{", R"({"domain":"d",)", R"({"domain":"d",})", R"({"domain" "d"})",
                                 R"({"domain":"d)", "{'domain':'d'}", "nul", "5", "null", R"("text")",
                                 R"({"domain":"d","taskList":{"name":"q"})", R"({"domain":})"}) {
        auto msg = decode_error<model::poll_for_activity_task_input>(doc);
        EXPECT_NE(msg, "decoded") << doc;
    }
    EXPECT_THAT(decode_error<model::poll_for_activity_task_input>(""), StartsWith("malformed JSON"));
    EXPECT_THAT(decode_error<model::poll_for_activity_task_input>(R"({"domain":"d",})"), StartsWith("malformed JSON"));
}

TEST(malformed_json, trailing_content_is_rejected) {
    const std::string ok(valid_poll);
    for (const std::string& doc : {ok + "}", ok + " x", ok + "[]", ok + " " + ok, ok + ",", ok + "\n{}"})
        EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(doc),
                  "malformed JSON: trailing content after the document")
            << doc;
    EXPECT_EQ(decode_error<model::poll_for_activity_task_input>(ok + " \n\t\r "), "decoded");
}

// --- limits from the model ------------------------------------------------

TEST(limits, domain_name_is_at_most_256_characters) {
    model::register_domain_input in;
    in.workflow_execution_retention_period_in_days = "30";
    in.name = std::string(256, 'n');
    EXPECT_EQ(validate_error(in), "valid");
    in.name = std::string(257, 'n');
    EXPECT_EQ(validate_error(in), "name is 257 characters long, the limit is 256");
    // Counted in UTF-16 units: 128 astral characters are 256 units (512 bytes).
    in.name = repeat(grinning, 128);
    EXPECT_EQ(validate_error(in), "valid");
    in.name = repeat(grinning, 129);
    EXPECT_EQ(validate_error(in), "name is 258 characters long, the limit is 256");
    in.name = repeat(euro, 256); // 768 bytes, 256 units
    EXPECT_EQ(validate_error(in), "valid");
    in.name = "";
    EXPECT_EQ(validate_error(in), "name must not be empty");
    in.name = "d";
    in.workflow_execution_retention_period_in_days = "123456789";
    EXPECT_EQ(validate_error(in), "workflowExecutionRetentionPeriodInDays is 9 characters long, the limit is 8");
}

TEST(limits, activity_id_in_a_decision_is_at_most_256_characters) {
    auto in = two_schedule_decisions();
    in.decisions[1].schedule_activity_task_decision_attributes->activity_id = std::string(256, 'a');
    EXPECT_EQ(validate_error(in), "valid");
    in.decisions[1].schedule_activity_task_decision_attributes->activity_id = std::string(257, 'a');
    EXPECT_EQ(validate_error(in),
              "decisions[1].scheduleActivityTaskDecisionAttributes.activityId is 257 characters long, the limit is 256");
    in.decisions[1].schedule_activity_task_decision_attributes->activity_id = "";
    EXPECT_EQ(validate_error(in), "decisions[1].scheduleActivityTaskDecisionAttributes.activityId must not be empty");
}

TEST(limits, reason_256_and_details_32768) {
    EXPECT_EQ(validate_error(failed_task(std::string(256, 'r'), std::string(32768, 'd'))), "valid");
    EXPECT_EQ(validate_error(failed_task(std::string(257, 'r'), "d")), "reason is 257 characters long, the limit is 256");
    EXPECT_EQ(validate_error(failed_task("r", std::string(32769, 'd'))),
              "details is 32769 characters long, the limit is 32768");
    EXPECT_EQ(validate_error(failed_task("r", repeat(grinning, 16384))), "valid");
    EXPECT_EQ(validate_error(failed_task("r", repeat(grinning, 16384) + "x")),
              "details is 32769 characters long, the limit is 32768");
}

TEST(limits, task_token_between_1_and_1024) {
    auto in = failed_task("r", "d");
    in.task_token = std::string(1024, 't');
    EXPECT_EQ(validate_error(in), "valid");
    in.task_token = std::string(1025, 't');
    EXPECT_EQ(validate_error(in), "taskToken is 1025 characters long, the limit is 1024");
    in.task_token = "";
    EXPECT_EQ(validate_error(in), "taskToken must not be empty");
}

TEST(limits, list_sizes_and_string_lengths_in_lists) {
    auto in = start_input();
    in.tag_list = {"1", "2", "3", "4", "5"};
    EXPECT_EQ(validate_error(in), "valid");
    in.tag_list.push_back("6");
    EXPECT_EQ(validate_error(in), "tagList has 6 items, the limit is 5");
    in.tag_list = {"ok", std::string(257, 't')};
    EXPECT_EQ(validate_error(in), "tagList[1] is 257 characters long, the limit is 256");
}

TEST(limits, integer_ranges) {
    model::list_domains_input in;
    in.maximum_page_size = 1000;
    EXPECT_EQ(validate_error(in), "valid");
    in.maximum_page_size = 0;
    EXPECT_EQ(validate_error(in), "valid");
    in.maximum_page_size = 1001;
    EXPECT_EQ(validate_error(in), "maximumPageSize is 1001, the maximum is 1000");
    in.maximum_page_size = -1;
    EXPECT_EQ(validate_error(in), "maximumPageSize is -1, the minimum is 0");

    model::workflow_execution_open_counts counts;
    counts.open_decision_tasks = 2;
    EXPECT_EQ(validate_error(counts), "openDecisionTasks is 2, the maximum is 1");
}

TEST(limits, nested_optional_struct_is_validated) {
    auto in = start_input();
    in.task_list = model::task_list{std::string(257, 'q')};
    EXPECT_EQ(validate_error(in), "taskList.name is 257 characters long, the limit is 256");
    in.task_list.reset();
    in.workflow_type.version = std::string(65, 'v');
    EXPECT_EQ(validate_error(in), "workflowType.version is 65 characters long, the limit is 64");
}

// --- encoding --------------------------------------------------------------

TEST(encoding, members_in_model_order_and_absent_optionals_left_out) {
    model::poll_for_activity_task_input in;
    in.domain = "d";
    in.task_list.name = "q";
    EXPECT_EQ(codec::encode(in), valid_poll);
    in.identity = "worker-1";
    EXPECT_EQ(codec::encode(in), R"({"domain":"d","identity":"worker-1","taskList":{"name":"q"}})");

    auto start = start_input();
    EXPECT_EQ(codec::encode(start), R"({"domain":"d","workflowId":"w","workflowType":{"name":"wf","version":"1"}})");
    start.tag_list = {"a", "b"};
    start.child_policy = model::child_policy::request_cancel;
    start.task_list = model::task_list{"q"};
    EXPECT_EQ(codec::encode(start), R"({"childPolicy":"REQUEST_CANCEL","domain":"d","tagList":["a","b"],)"
                                    R"("taskList":{"name":"q"},"workflowId":"w","workflowType":{"name":"wf","version":"1"}})");
}

TEST(encoding, booleans_numbers_and_empty) {
    model::list_domains_input in;
    in.registration_status = model::registration_status::deprecated;
    in.reverse_order = false;
    in.maximum_page_size = 7;
    EXPECT_EQ(codec::encode(in), R"({"maximumPageSize":7,"registrationStatus":"DEPRECATED","reverseOrder":false})");
    EXPECT_EQ(codec::encode(model::empty{}), "{}");
    model::activity_task_status status;
    status.cancel_requested = true;
    EXPECT_EQ(codec::encode(status), R"({"cancelRequested":true})");
}

TEST(encoding, encode_to_appends) {
    std::string out = "prefix:";
    codec::encode_to(out, model::task_list{"q"});
    EXPECT_EQ(out, R"(prefix:{"name":"q"})");
    codec::encode_to(out, model::task_list{"r"});
    EXPECT_EQ(out, R"(prefix:{"name":"q"}{"name":"r"})");
}
