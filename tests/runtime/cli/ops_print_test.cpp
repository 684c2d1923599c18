// What `swf-runtime history`, `describe` and `list` print for a person: one
// line per event with its attributes, the execution's status, and values
// this SDK does not know shown as SWF sent them.
#include "runtime/cli/ops_print.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"

namespace cli = swfrt::runtime::cli;
namespace codec = swfrt::swf::codec;
namespace model = swfrt::swf::model;
using ::testing::HasSubstr;

namespace {

model::history history_of(std::string_view json) {
    auto h = codec::decode<model::history>(json);
    EXPECT_TRUE(h) << h.error().message;
    return h ? std::move(*h) : model::history{};
}

model::workflow_execution_info execution(std::string_view status, std::string_view close_status) {
    std::string json = R"({"execution":{"workflowId":"order-1","runId":"run-1"},)"
                       R"("workflowType":{"name":"order","version":"2"},"startTimestamp":1763922022,)"
                       R"("executionStatus":")" +
                       std::string(status) + '"';
    if (!close_status.empty())
        json += R"(,"closeStatus":")" + std::string(close_status) + R"(","closeTimestamp":1763922082)";
    auto i = codec::decode<model::workflow_execution_info>(json + "}");
    EXPECT_TRUE(i) << i.error().message;
    return i ? std::move(*i) : model::workflow_execution_info{};
}

} // namespace

TEST(iso_time, utc_whole_seconds) {
    EXPECT_EQ(cli::iso_time(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(cli::iso_time(1763922022.75), "2025-11-23T18:20:22Z");
}

TEST(event_line, id_time_type_and_attributes) {
    auto h =
        history_of(R"({"events":[{"eventId":12,"eventTimestamp":1763922022,"eventType":"TimerFired",)"
                   R"("timerFiredEventAttributes":{"timerId":"t1","startedEventId":11}},)"
                   R"({"eventId":13,"eventTimestamp":1763922023,"eventType":"DecisionTaskScheduled"}]})");
    ASSERT_EQ(h.events.size(), 2u);
    EXPECT_EQ(cli::event_line(h.events[0]),
              R"(  12 2025-11-23T18:20:22Z TimerFired {"startedEventId":11,"timerId":"t1"})");
    EXPECT_EQ(cli::event_line(h.events[1]), "  13 2025-11-23T18:20:23Z DecisionTaskScheduled");
}

TEST(event_line, long_attributes_are_cut) {
    model::history_event e;
    e.event_id = 1;
    e.event_type = model::event_type::marker_recorded;
    auto& m = e.marker_recorded_event_attributes.emplace();
    m.marker_name = "m";
    m.details = std::string(500, 'x');
    auto line = cli::event_line(e);
    EXPECT_THAT(line, HasSubstr(R"( MarkerRecorded {"decisionTaskCompletedEventId":0,"details":"xxx)"));
    EXPECT_EQ(line.substr(line.size() - 3), "...");
    EXPECT_EQ(line.size(), std::string("   1 1970-01-01T00:00:00Z MarkerRecorded ").size() + 160);
}

TEST(execution_description, status_times_and_open_counts) {
    model::workflow_execution_detail d;
    d.execution_info = execution("CLOSED", "COMPLETED");
    d.open_counts.open_activity_tasks = 1;
    d.open_counts.open_timers = 2;
    EXPECT_EQ(cli::execution_description(d), "workflow_id: order-1\nrun_id: run-1\ntype: order:2\n"
                                             "status: CLOSED (COMPLETED)\nstarted: 2025-11-23T18:20:22Z\n"
                                             "closed: 2025-11-23T18:21:22Z\n"
                                             "open activities: 1, timers: 2, decision tasks: 0\n");
    d.execution_info = execution("OPEN", "");
    EXPECT_THAT(cli::execution_description(d),
                HasSubstr("\nstatus: OPEN\nstarted: 2025-11-23T18:20:22Z\nopen "));
}

TEST(execution_line, close_status_or_else_execution_status) {
    EXPECT_EQ(cli::execution_line(execution("OPEN", "")), "order-1 run-1 order:2 OPEN 2025-11-23T18:20:22Z");
    EXPECT_EQ(cli::execution_line(execution("CLOSED", "TIMED_OUT")),
              "order-1 run-1 order:2 TIMED_OUT 2025-11-23T18:20:22Z");
}

TEST(event_line, an_event_type_this_sdk_does_not_know_is_printed_as_swf_sent_it) {
    // moto_server writes TimerCancelled where SWF writes TimerCanceled; the
    // rest of the history prints as usual.
    auto h =
        history_of(R"({"events":[{"eventId":7,"eventTimestamp":1763922022,"eventType":"TimerCancelled",)"
                   R"("timerCancelledEventAttributes":{"timerId":"t1","startedEventId":5}},)"
                   R"({"eventId":8,"eventTimestamp":1763922022,"eventType":"StartTimerFailed",)"
                   R"("startTimerFailedEventAttributes":{"timerId":"t2","cause":"TIMER_QUOTA_EXHAUSTED",)"
                   R"("decisionTaskCompletedEventId":6}},)"
                   R"({"eventId":9,"eventTimestamp":1763922023,"eventType":"DecisionTaskScheduled"}]})");
    ASSERT_EQ(h.events.size(), 3u);
    // Its attributes are a member the model does not know: skipped.
    EXPECT_EQ(cli::event_line(h.events[0]), "   7 2025-11-23T18:20:22Z TimerCancelled");
    EXPECT_EQ(cli::event_line(h.events[1]),
              R"(   8 2025-11-23T18:20:22Z StartTimerFailed {"cause":"TIMER_QUOTA_EXHAUSTED",)"
              R"("decisionTaskCompletedEventId":6,"timerId":"t2"})");
    EXPECT_EQ(cli::event_line(h.events[2]), "   9 2025-11-23T18:20:23Z DecisionTaskScheduled");
}

TEST(event_line, an_unknown_value_without_text_is_printed_as_an_empty_string) {
    model::history_event e;
    e.event_id = 3;
    e.event_type = model::event_type::unknown_to_sdk;
    EXPECT_EQ(cli::event_line(e), R"(   3 1970-01-01T00:00:00Z "")");
}

TEST(execution_description, statuses_this_sdk_does_not_know_are_printed_as_swf_sent_them) {
    model::workflow_execution_detail d;
    d.execution_info = execution("PAUSED", "VANISHED");
    EXPECT_THAT(cli::execution_description(d), HasSubstr("\nstatus: PAUSED (VANISHED)\n"));
    EXPECT_EQ(cli::execution_line(d.execution_info), "order-1 run-1 order:2 VANISHED 2025-11-23T18:20:22Z");
    EXPECT_EQ(cli::execution_line(execution("PAUSED", "")),
              "order-1 run-1 order:2 PAUSED 2025-11-23T18:20:22Z");
}
