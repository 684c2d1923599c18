// The decision block: a decision task's commands matched, in order, to the
// decision events of its block, whatever outcome events SWF records among
// them and in whichever place; the block ends at the first other event,
// and says which command the history lacks.
#include "workflow/decision_block.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "workflow/machines/commands.hpp"

namespace model = swfrt::swf::model;
namespace wf = swfrt::workflow;
using wf::detail::block_match;
using wf::detail::decision_block;
using et = model::event_type;

namespace {

model::decision cancel_activity(const std::string& id) {
    model::decision d;
    d.decision_type = model::decision_type::request_cancel_activity_task;
    d.request_cancel_activity_task_decision_attributes.emplace().activity_id = id;
    return d;
}

model::decision schedule(const std::string& id) {
    model::decision d;
    d.decision_type = model::decision_type::schedule_activity_task;
    auto& a = d.schedule_activity_task_decision_attributes.emplace();
    a.activity_id = id;
    a.activity_type = {"charge", "1"};
    return d;
}

model::history_event cancel_requested(std::int64_t id, const std::string& activity) {
    model::history_event e;
    e.event_id = id;
    e.event_type = et::activity_task_cancel_requested;
    auto& a = e.activity_task_cancel_requested_event_attributes.emplace();
    a.activity_id = activity;
    a.decision_task_completed_event_id = 10;
    return e;
}

model::history_event scheduled(std::int64_t id, const std::string& activity) {
    model::history_event e;
    e.event_id = id;
    e.event_type = et::activity_task_scheduled;
    auto& a = e.activity_task_scheduled_event_attributes.emplace();
    a.activity_id = activity;
    a.activity_type = {"charge", "1"};
    a.decision_task_completed_event_id = 10;
    return e;
}

struct block_of_three : ::testing::Test {
    decision_block block;
    std::vector<std::shared_ptr<wf::detail::activity_machine>> machines;

    void SetUp() override {
        for (int i = 0; i < 3; ++i)
            machines.push_back(std::make_shared<wf::detail::activity_machine>());
        // Two RequestCancelActivityTask and a ScheduleActivityTask, as the
        // cancellation of a fan-out gives with a clean-up activity after it.
        block.issue({cancel_activity("1"), machines[0]});
        block.issue({cancel_activity("2"), machines[1]});
        block.issue({schedule("3"), machines[2]});
        block.open();
    }

    // Feeds events by role, as the engine does: outcomes pass by the
    // matching, anything else ends the block.
    std::vector<block_match> feed(const std::vector<model::history_event>& events) {
        std::vector<block_match> out;
        for (const auto& e : events) {
            const auto role = wf::rule_for(e.event_type).role;
            if (decision_block::ends_block(role)) {
                EXPECT_EQ(block.close(), nullptr) << "a command is left at event " << e.event_id;
                break;
            }
            if (role == wf::event_role::decision) out.push_back(block.take(e).kind);
        }
        return out;
    }
};

model::history_event canceled(std::int64_t id, std::int64_t scheduled_id) {
    model::history_event e;
    e.event_id = id;
    e.event_type = et::activity_task_canceled;
    e.activity_task_canceled_event_attributes.emplace().scheduled_event_id = scheduled_id;
    return e;
}

model::history_event decision_task_scheduled(std::int64_t id) {
    model::history_event e;
    e.event_id = id;
    e.event_type = et::decision_task_scheduled;
    e.decision_task_scheduled_event_attributes.emplace().task_list = {"tl"};
    return e;
}

} // namespace

TEST_F(block_of_three, outcomes_right_after_each_request_do_not_end_the_block) {
    auto kinds = feed({cancel_requested(11, "1"), canceled(12, 5), cancel_requested(13, "2"), canceled(14, 6),
                       scheduled(15, "3"), decision_task_scheduled(16)});
    EXPECT_EQ(kinds, std::vector<block_match>(3, block_match::matched));
    EXPECT_TRUE(block.pending().empty());
    EXPECT_FALSE(block.is_open());
}

TEST_F(block_of_three, outcomes_after_all_of_the_blocks_decisions_do_not_end_it_either) {
    auto kinds = feed({cancel_requested(11, "1"), cancel_requested(12, "2"), scheduled(13, "3"), canceled(14, 5),
                       canceled(15, 6), decision_task_scheduled(16)});
    EXPECT_EQ(kinds, std::vector<block_match>(3, block_match::matched));
    EXPECT_TRUE(block.pending().empty());
}

TEST_F(block_of_three, an_outcome_before_the_first_decision_event_is_passed_by) {
    auto kinds = feed({canceled(11, 5), cancel_requested(12, "1"), cancel_requested(13, "2"), canceled(14, 6),
                       scheduled(15, "3"), decision_task_scheduled(16)});
    EXPECT_EQ(kinds, std::vector<block_match>(3, block_match::matched));
}

TEST_F(block_of_three, the_matched_commands_machines_come_back_in_order) {
    EXPECT_EQ(block.take(cancel_requested(11, "1")).machine, machines[0]);
    EXPECT_EQ(block.take(cancel_requested(12, "2")).machine, machines[1]);
    EXPECT_EQ(block.take(scheduled(13, "3")).machine, machines[2]);
}

TEST_F(block_of_three, a_block_that_ends_early_names_the_first_command_the_history_lacks) {
    EXPECT_EQ(block.take(cancel_requested(11, "1")).kind, block_match::matched);
    const auto* left = block.close();
    ASSERT_NE(left, nullptr);
    EXPECT_EQ(left->machine, machines[1]);
    EXPECT_EQ(left->decision.request_cancel_activity_task_decision_attributes->activity_id, "2");
}

TEST_F(block_of_three, another_order_in_the_history_differs) {
    auto r = block.take(scheduled(11, "3"));
    EXPECT_EQ(r.kind, block_match::differs);
    EXPECT_EQ(r.machine, nullptr);
    EXPECT_EQ(block.pending().size(), 3u); // nothing taken
}

TEST_F(block_of_three, another_id_differs) {
    EXPECT_EQ(block.take(cancel_requested(11, "2")).kind, block_match::differs);
}

TEST_F(block_of_three, more_decision_events_than_commands_is_a_decision_the_code_did_not_issue) {
    (void)block.take(cancel_requested(11, "1"));
    (void)block.take(cancel_requested(12, "2"));
    (void)block.take(scheduled(13, "3"));
    EXPECT_EQ(block.take(scheduled(14, "4")).kind, block_match::nothing_issued);
}

TEST_F(block_of_three, an_event_without_its_attributes_cannot_be_matched) {
    auto e = scheduled(11, "1");
    e.activity_task_scheduled_event_attributes.reset();
    EXPECT_EQ(block.take(e).kind, block_match::no_attributes);
}

TEST(decision_block, a_decision_event_outside_a_block_is_refused) {
    decision_block block;
    block.issue({schedule("1"), std::make_shared<wf::detail::activity_machine>()});
    EXPECT_EQ(block.take(scheduled(5, "1")).kind, block_match::outside_block);
    block.open();
    EXPECT_EQ(block.take(scheduled(5, "1")).kind, block_match::matched);
}

TEST(decision_block, a_command_dropped_before_it_was_sent_is_not_matched) {
    decision_block block;
    auto first = std::make_shared<wf::detail::activity_machine>();
    auto second = std::make_shared<wf::detail::activity_machine>();
    block.issue({schedule("1"), first});
    block.issue({schedule("2"), second});
    EXPECT_TRUE(block.drop(*first));
    EXPECT_FALSE(block.drop(*first));
    block.open();
    auto r = block.take(scheduled(5, "2"));
    EXPECT_EQ(r.kind, block_match::matched);
    EXPECT_EQ(r.machine, second);
}

TEST(decision_block, only_decision_events_and_outcomes_keep_a_block_open) {
    std::vector<std::string> ending;
    for (const auto& rule : wf::event_rules())
        if (decision_block::ends_block(rule.role)) ending.push_back(std::string(model::to_string(rule.type)));
    for (const auto& name : {"DecisionTaskScheduled", "DecisionTaskStarted", "WorkflowExecutionSignaled",
                             "WorkflowExecutionCancelRequested", "ActivityTaskStarted", "LambdaFunctionStarted"})
        EXPECT_NE(std::find(ending.begin(), ending.end(), name), ending.end()) << name;
    for (const auto& name : {"ActivityTaskCanceled", "ActivityTaskCancelRequested", "TimerFired", "MarkerRecorded"})
        EXPECT_EQ(std::find(ending.begin(), ending.end(), name), ending.end()) << name;
}
