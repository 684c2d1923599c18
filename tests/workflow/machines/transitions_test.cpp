// Each command is a state machine: an event that does not fit the state of
// the command it names is a malformed history whose error names the
// transitions the command went through; events that fit (a timer firing
// after its CancelTimer) change nothing the code sees.
#include "workflow/machines/machine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "../replay_support.hpp"
#include "workflow/machines/commands.hpp"
#include "workflow/workflow.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace std::chrono_literals;
using wf::testing::load_history;
using wf::testing::task_at;
using et = model::event_type;

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

// The "sequence" history up to its second decision task, with event 7
// (ActivityTaskCompleted) edited and the decision task moved to event 10.
model::history with_event_seven(const std::function<void(model::history_event&)>& edit,
                                bool twice = false) {
    auto file = load_history("sequence");
    model::history h;
    h.events.assign(file.events.begin(), file.events.begin() + 7);
    edit(h.events[6]);
    auto next = h.events[6];
    next.event_id = 8;
    if (twice) h.events.push_back(next);
    auto scheduled = file.events[7];
    scheduled.event_id = twice ? 9 : 8;
    h.events.push_back(scheduled);
    auto started = file.events[8];
    started.event_id = scheduled.event_id + 1;
    started.decision_task_started_event_attributes->scheduled_event_id = scheduled.event_id;
    h.events.push_back(started);
    return h;
}

wf::replay_error replay_error_of(const model::history& h) {
    auto r = wf::replay(task_at(h, h.events.back().event_id), wf::make_runner<sequence>());
    EXPECT_FALSE(r.has_value());
    return r ? wf::replay_error{} : r.error();
}

struct parent : wf::workflow<> {
    static constexpr std::string_view name = "Parent";
    static constexpr std::string_view version = "1";
    wf::task<std::string> run(wf::context& ctx, std::string) override {
        // Not one co_await expression: g++ 12 copies a braced temporary of
        // one bytewise into the coroutine frame.
        wf::child_options options;
        options.workflow_id = "kid-a";
        auto result = ctx.child({"Kid", "1"}, "\"a\"", std::move(options));
        co_return co_await result;
    }
};

} // namespace

TEST(transitions, a_second_outcome_names_what_the_activity_went_through) {
    auto e = replay_error_of(with_event_seven([](model::history_event&) {}, true));
    EXPECT_EQ(e.kind, wf::replay_error_kind::malformed_history);
    EXPECT_EQ(e.event_id, 8);
    EXPECT_EQ(e.transitions, "created -ActivityTaskScheduled@5-> scheduled -ActivityTaskCompleted@7-> completed");
    // What a decider throws carries them too.
    EXPECT_NE(wf::full_text(e).find(e.transitions), std::string::npos) << wf::full_text(e);
}

TEST(transitions, a_timer_event_for_an_activity_is_no_such_command) {
    auto e = replay_error_of(with_event_seven([](model::history_event& ev) {
        ev.event_type = et::timer_fired;
        ev.activity_task_completed_event_attributes.reset();
        auto& a = ev.timer_fired_event_attributes.emplace();
        a.timer_id = "1";
        a.started_event_id = 5; // ActivityTaskScheduled
    }));
    EXPECT_EQ(e.kind, wf::replay_error_kind::malformed_history);
    EXPECT_NE(e.message.find("names event 5, which records no such command"), std::string::npos) << e.message;
}

TEST(transitions, a_cancel_outcome_nobody_asked_for_is_accepted_as_a_workers_answer) {
    // A worker may answer its task canceled unasked; the activity raises.
    auto h = with_event_seven([](model::history_event& ev) {
        ev.event_type = et::activity_task_canceled;
        ev.activity_task_completed_event_attributes.reset();
        auto& a = ev.activity_task_canceled_event_attributes.emplace();
        a.scheduled_event_id = 5;
        a.started_event_id = 6;
    });
    EXPECT_THROW((void)wf::replay(task_at(h, h.events.back().event_id), wf::make_runner<sequence>()),
                 wf::activity_canceled);
}

TEST(transitions, a_child_that_completes_before_it_started_does_not_fit) {
    auto file = load_history("child");
    model::history h;
    h.events.assign(file.events.begin(), file.events.begin() + 5); // up to StartChildWorkflowExecutionInitiated
    ASSERT_EQ(h.events[4].event_type, et::start_child_workflow_execution_initiated);
    const auto& initiated = *h.events[4].start_child_workflow_execution_initiated_event_attributes;
    model::history_event done;
    done.event_id = 6;
    done.event_timestamp = h.events[4].event_timestamp;
    done.event_type = et::child_workflow_execution_completed;
    auto& a = done.child_workflow_execution_completed_event_attributes.emplace();
    a.initiated_event_id = 5;
    a.started_event_id = 5;
    a.workflow_execution = {"run-of-the-kid", initiated.workflow_id};
    a.workflow_type = initiated.workflow_type;
    a.result_ = "\"r\"";
    h.events.push_back(done);
    auto scheduled = file.events[6];
    scheduled.event_id = 7;
    h.events.push_back(scheduled);
    auto started = file.events[7];
    started.event_id = 8;
    started.decision_task_started_event_attributes->scheduled_event_id = 7;
    h.events.push_back(started);
    auto first = wf::replay(task_at(h, 3), wf::make_runner<parent>());
    ASSERT_TRUE(first.has_value()) << first.error().message;
    ASSERT_EQ(first.value().size(), 1u);
    auto workflow_id = first.value()[0].start_child_workflow_execution_decision_attributes->workflow_id;
    ASSERT_EQ(workflow_id, initiated.workflow_id);
    auto r = wf::replay(task_at(h, 8), wf::make_runner<parent>());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, wf::replay_error_kind::malformed_history);
    EXPECT_EQ(r.error().transitions, "created -StartChildWorkflowExecutionInitiated@5-> initiated");
    EXPECT_NE(r.error().message.find("ChildWorkflowExecutionCompleted does not fit the child workflow \"kid-a\" "
                                     "(Kid 1), which is initiated"),
              std::string::npos)
        << r.error().message;
}

namespace {

// A machine of no kind in particular, to see how transitions are kept.
struct probe final : wf::detail::command_machine {
    probe() : command_machine(wf::detail::op_kind::timer) {}
    bool recorded(const model::history_event&, wf::detail::engine&) override { return false; }
    void outcome(const model::history_event&, wf::detail::engine&) override {}
    std::string_view state_name() const noexcept override { return "probed"; }
    void step(std::string_view cause, std::string_view to) { moved_by_code(cause, to); }
};

} // namespace

TEST(transitions, the_last_eight_are_kept_and_the_earlier_ones_counted) {
    probe p;
    EXPECT_EQ(p.transitions(), "created");
    p.step("cancel", "cancel_issued");
    EXPECT_EQ(p.transitions(), "created -cancel-> cancel_issued");
    for (int i = 0; i < 9; ++i) // 10 in all
        p.step("again", "step");
    const auto text = p.transitions();
    EXPECT_EQ(text.rfind("(2 earlier transitions)", 0), 0u) << text;
    std::size_t arrows = 0;
    for (std::size_t at = text.find("-> "); at != std::string::npos; at = text.find("-> ", at + 1))
        ++arrows;
    EXPECT_EQ(arrows, 8u) << text;
}
