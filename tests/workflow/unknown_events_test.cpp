// An event type this SDK does not know (moto writes TimerCancelled for
// SWF's TimerCanceled) decodes with its text; the replay of that execution
// fails as a malformed history naming it, at the decision tasks that see
// it, and decides as before at those that do not.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "replay_support.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using namespace wf::testing;

namespace {

struct sequence : wf::workflow<> {
    static constexpr std::string_view name = "Sequence";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        auto a = co_await ctx.activity("a", "1");
        co_await ctx.timer(10s);
        co_return a + co_await ctx.activity("b", "1");
    }
};

model::history with_unknown_event_type() {
    auto json = read_file(history_path("sequence"));
    const std::string fired = "\"eventType\": \"TimerFired\"";
    auto at = json.find(fired);
    EXPECT_NE(at, std::string::npos);
    json.replace(at, fired.size(), "\"eventType\": \"TimerCancelled\"");
    auto h = swfrt::swf::codec::decode<model::history>(json);
    EXPECT_TRUE(h.has_value()) << (h ? "" : h.error().to_string());
    return h ? std::move(h).value() : model::history{};
}

} // namespace

TEST(unknown_event_type, decodes_with_its_text) {
    auto h = with_unknown_event_type();
    ASSERT_GT(h.events.size(), 12u);
    EXPECT_EQ(h.events[11].event_type, model::event_type::unknown_to_sdk);
    EXPECT_EQ(h.events[11].event_type_text, "TimerCancelled");
    EXPECT_EQ(wf::rule_for(h.events[11].event_type).role, wf::event_role::unknown);
    EXPECT_EQ(wf::describe(h.events[11]).rfind("TimerCancelled", 0), 0u) << wf::describe(h.events[11]);
}

TEST(unknown_event_type, fails_the_replay_of_the_tasks_that_see_it_naming_it) {
    auto h = with_unknown_event_type();
    auto r = wf::replay(task_at(h, 14), wf::make_runner<sequence>());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::malformed_history);
    EXPECT_EQ(r.error().event_id, 12);
    EXPECT_NE(r.error().message.find("\"TimerCancelled\" is unknown"), std::string::npos) << r.error().message;
}

TEST(unknown_event_type, tasks_before_it_decide_as_before) {
    auto h = with_unknown_event_type();
    auto r = wf::replay(task_at(h, 9), wf::make_runner<sequence>());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(json_of(r.value()), canonical({start_timer("t1", "10")}));
}
