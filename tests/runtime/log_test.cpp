// Log lines: text and JSON forms, quoting, empty fields, levels.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "runtime/core/log.hpp"

namespace {

using swfrt::runtime::log_format;
using swfrt::runtime::log_level;
using swfrt::runtime::logger;

TEST(log_line, text_quotes_values_with_spaces_and_drops_empty_ones) {
    logger l(log_level::info, log_format::text, nullptr);
    auto line = l.format_line(log_level::warn, "poll failed",
                              {{"task_list", "work"}, {"error", "ReadTimeout: waited \"70\" s"}, {"run_id", ""}},
                              "2026-01-02T03:04:05.678Z");
    EXPECT_EQ(line, "2026-01-02T03:04:05.678Z warn  poll failed task_list=work "
                    "error=\"ReadTimeout: waited \\\"70\\\" s\"\n");
}

TEST(log_line, credentials_are_redacted_in_the_message_and_every_field_at_every_level) {
    for (auto format : {log_format::text, log_format::json}) {
        logger l(log_level::trace, format, nullptr);
        for (auto level : {log_level::trace, log_level::debug, log_level::info, log_level::warn, log_level::error}) {
            auto line = l.format_line(level, "x-amz-security-token:TOPSECRETtoken1 in the message",
                                      {{"error", "InvalidSignatureException: ...\nx-amz-security-token:TOPSECRETtoken2"},
                                       {"auth", "Credential=AKIAIOSFODNN7EXAMPLE/20240501, Signature=abcdef0123"}},
                                      "T");
            EXPECT_EQ(line.find("TOPSECRET"), std::string::npos) << line;
            EXPECT_EQ(line.find("IOSFODNN7EXAMPLE"), std::string::npos) << line;
            EXPECT_EQ(line.find("abcdef0123"), std::string::npos) << line;
            EXPECT_NE(line.find("<redacted>"), std::string::npos) << line;
        }
    }
}

TEST(log_line, json_is_one_object_per_line_with_escaping) {
    logger l(log_level::info, log_format::json, nullptr);
    auto line = l.format_line(log_level::error, "decider failed\nbadly", {{"workflow_id", "w\t1"}, {"empty", ""}},
                              "T");
    EXPECT_EQ(line, "{\"time\":\"T\",\"level\":\"error\",\"msg\":\"decider failed\\nbadly\",\"workflow_id\":\"w\\t1\"}\n");
}

TEST(log_level_filter, writes_only_at_or_above_the_level) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    logger l(log_level::warn, log_format::text, f);
    EXPECT_FALSE(l.enabled(log_level::info));
    EXPECT_TRUE(l.enabled(log_level::error));
    l.info("hidden");
    l.warn("shown", {{"k", "v"}});
    std::rewind(f);
    char buf[256] = {};
    std::string all;
    while (std::fgets(buf, sizeof buf, f)) all += buf;
    std::fclose(f);
    EXPECT_EQ(all.find("hidden"), std::string::npos);
    EXPECT_NE(all.find("warn  shown k=v\n"), std::string::npos) << all;
}

TEST(log_level_names, round_trip) {
    for (auto l : {log_level::trace, log_level::debug, log_level::info, log_level::warn, log_level::error})
        EXPECT_EQ(swfrt::runtime::log_level_from_string(swfrt::runtime::to_string(l)), l);
    EXPECT_FALSE(swfrt::runtime::log_level_from_string("verbose"));
}

} // namespace
