// The local SWF service driven through its operations as SWF's JSON, on a
// manual clock: the event sequences, causes and faults the SWF API
// reference and developer guide give, timers and timeouts fired by moving
// the clock, long polls held and answered.
#include "swf/service/service.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"

namespace swfrt::swf::service {
namespace {

using namespace std::chrono_literals;
namespace model = swf::model;

class service_test : public ::testing::Test {
protected:
    service_test() { make(); }

    void make(lambda_invoker lambda = {}) {
        service_options o;
        o.clock = &clock_;
        o.lambda = std::move(lambda);
        svc_ = std::make_unique<service>(std::move(o));
        ok("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})");
        ok("RegisterWorkflowType",
           R"({"domain":"d","name":"wf","version":"1","defaultTaskList":{"name":"deciders"},)"
           R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30","defaultChildPolicy":"TERMINATE"})");
        ok("RegisterActivityType",
           R"({"domain":"d","name":"act","version":"1","defaultTaskList":{"name":"workers"},)"
           R"("defaultTaskScheduleToStartTimeout":"NONE","defaultTaskScheduleToCloseTimeout":"NONE",)"
           R"("defaultTaskStartToCloseTimeout":"NONE","defaultTaskHeartbeatTimeout":"NONE"})");
    }

    reply call(std::string_view op, std::string_view body) {
        auto out = svc_->handle(op, body);
        EXPECT_TRUE(out.now) << op << " was held";
        return out.now.value_or(reply{0, ""});
    }
    std::string ok(std::string_view op, std::string_view body) {
        auto r = call(op, body);
        EXPECT_EQ(r.status, 200) << op << ": " << r.body;
        return r.body;
    }
    // The fault type of a refused call.
    std::string fault(std::string_view op, std::string_view body) {
        auto r = call(op, body);
        EXPECT_EQ(r.status, 400) << op << ": " << r.body;
        auto at = r.body.find('#');
        auto end = r.body.find('"', at);
        return at == std::string::npos ? r.body : r.body.substr(at + 1, end - at - 1);
    }
    template <class T>
    T decoded(const std::string& json) {
        auto v = codec::decode<T>(json);
        EXPECT_TRUE(v) << json << ": " << (v ? "" : v.error().to_string());
        return v ? std::move(*v) : T{};
    }

    std::string start(std::string_view id, std::string extra = "") {
        auto body = ok("StartWorkflowExecution", R"({"domain":"d","workflowId":")" + std::string(id) +
                                                     R"(","workflowType":{"name":"wf","version":"1"})" + extra + "}");
        return decoded<model::run>(body).run_id.value_or("");
    }
    model::decision_task poll_decision(std::string_view list = "deciders", std::string extra = "") {
        return decoded<model::decision_task>(ok(
            "PollForDecisionTask", R"({"domain":"d","taskList":{"name":")" + std::string(list) + R"("})" + extra + "}"));
    }
    model::activity_task poll_activity(std::string_view list = "workers") {
        return decoded<model::activity_task>(
            ok("PollForActivityTask", R"({"domain":"d","taskList":{"name":")" + std::string(list) + R"("},"identity":"w1"})"));
    }
    void decide(const std::string& token, const std::string& decisions) {
        ok("RespondDecisionTaskCompleted", R"({"taskToken":")" + token + R"(","decisions":[)" + decisions + "]}");
    }
    // The whole history, every page.
    std::vector<model::history_event> history(std::string_view id, const std::string& run) {
        std::vector<model::history_event> all;
        std::optional<std::string> token;
        for (int pages = 0; pages < 100; ++pages) {
            std::string body = R"({"domain":"d","execution":{"workflowId":")" + std::string(id) + R"(","runId":")" + run + "\"}";
            if (token) body += R"(,"nextPageToken":")" + *token + "\"";
            auto page = decoded<model::history>(ok("GetWorkflowExecutionHistory", body + "}"));
            for (auto& e : page.events) all.push_back(std::move(e));
            token = page.next_page_token;
            if (!token) break;
        }
        return all;
    }
    static std::vector<std::string> types(const std::vector<model::history_event>& events) {
        std::vector<std::string> out;
        for (const auto& e : events) out.emplace_back(model::to_string(e.event_type));
        return out;
    }
    static std::string schedule(std::string_view id, std::string extra = "") {
        return R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":")" +
               std::string(id) + R"(","activityType":{"name":"act","version":"1"})" + extra + "}}";
    }
    static std::string complete(std::string_view result = "done") {
        return R"({"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":")" +
               std::string(result) + R"("}})";
    }
    void advance(std::chrono::seconds d) {
        clock_.advance(d);
        svc_->fire_due();
    }

    swf::manual_clock clock_;
    std::unique_ptr<service> svc_;
};

// ------------------------------------------------------------ registration

TEST_F(service_test, registration_faults_are_swfs) {
    EXPECT_EQ(fault("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})"),
              "DomainAlreadyExistsFault");
    EXPECT_EQ(fault("DescribeDomain", R"({"name":"nope"})"), "UnknownResourceFault");
    EXPECT_EQ(fault("RegisterWorkflowType", R"({"domain":"d","name":"wf","version":"1"})"), "TypeAlreadyExistsFault");
    EXPECT_EQ(fault("RegisterWorkflowType", R"({"domain":"nope","name":"wf","version":"1"})"), "UnknownResourceFault");
    ok("DeprecateDomain", R"({"name":"d"})");
    EXPECT_EQ(fault("DeprecateDomain", R"({"name":"d"})"), "DomainDeprecatedFault");
    EXPECT_EQ(fault("RegisterActivityType", R"({"domain":"d","name":"other","version":"1"})"), "DomainDeprecatedFault");
    ok("UndeprecateDomain", R"({"name":"d"})");
    ok("RegisterActivityType", R"({"domain":"d","name":"other","version":"1"})");
    // A type is deleted only once deprecated.
    EXPECT_EQ(fault("DeleteActivityType", R"({"domain":"d","activityType":{"name":"other","version":"1"}})"),
              "TypeNotDeprecatedFault");
    ok("DeprecateActivityType", R"({"domain":"d","activityType":{"name":"other","version":"1"}})");
    EXPECT_EQ(fault("DeprecateActivityType", R"({"domain":"d","activityType":{"name":"other","version":"1"}})"),
              "TypeDeprecatedFault");
    ok("DeleteActivityType", R"({"domain":"d","activityType":{"name":"other","version":"1"}})");
    EXPECT_EQ(fault("DescribeActivityType", R"({"domain":"d","activityType":{"name":"other","version":"1"}})"),
              "UnknownResourceFault");
}

TEST_F(service_test, bad_input_is_a_validation_exception_naming_the_member) {
    auto missing = call("RegisterDomain", R"({"workflowExecutionRetentionPeriodInDays":"1"})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(missing.body.find("com.amazon.coral.validate#ValidationException"), std::string::npos) << missing.body;
    // AWS's own words for each constraint.
    EXPECT_NE(missing.body.find("1 validation error detected: Value null at 'name' failed to satisfy constraint: "
                                "Member must not be null"),
              std::string::npos)
        << missing.body;
    auto long_name = call("RegisterDomain", R"({"name":")" + std::string(257, 'n') +
                                                R"(","workflowExecutionRetentionPeriodInDays":"1"})");
    EXPECT_EQ(long_name.status, 400);
    EXPECT_NE(long_name.body.find("Value at 'name' failed to satisfy constraint: Member must have length less than or "
                                  "equal to 256"),
              std::string::npos)
        << long_name.body;
    auto empty_name = call("RegisterDomain", R"({"name":"","workflowExecutionRetentionPeriodInDays":"1"})");
    EXPECT_NE(empty_name.body.find("Value '' at 'name' failed to satisfy constraint: Member must have length greater "
                                   "than or equal to 1"),
              std::string::npos)
        << empty_name.body;
    auto status = call("ListDomains", R"({"registrationStatus":"SOMETIMES"})");
    EXPECT_NE(status.body.find("Value 'SOMETIMES' at 'registrationStatus' failed to satisfy constraint: Member must "
                               "satisfy enum value set"),
              std::string::npos)
        << status.body;
    auto page = call("ListDomains", R"({"registrationStatus":"REGISTERED","maximumPageSize":1001})");
    EXPECT_NE(page.body.find("Value '1001' at 'maximumPageSize' failed to satisfy constraint: Member must have value "
                             "less than or equal to 1000"),
              std::string::npos)
        << page.body;
    EXPECT_EQ(call("RegisterDomain", "not json").status, 400);
    EXPECT_EQ(fault("StartWorkflowExecution",
                    R"({"domain":"d","workflowId":"w","workflowType":{"name":"wf","version":"1"},"childPolicy":"SOMETIMES"})"),
              "ValidationException");
    auto op = call("NoSuchOperation", "{}");
    EXPECT_EQ(op.status, 400);
    EXPECT_NE(op.body.find("UnknownOperationException"), std::string::npos);
}

TEST_F(service_test, lists_page_with_opaque_tokens) {
    for (int i = 0; i < 5; ++i)
        ok("RegisterDomain", R"({"name":"p)" + std::to_string(i) + R"(","workflowExecutionRetentionPeriodInDays":"1"})");
    std::vector<std::string> names;
    std::optional<std::string> token;
    int pages = 0;
    do {
        std::string body = R"({"registrationStatus":"REGISTERED","maximumPageSize":2)";
        if (token) body += R"(,"nextPageToken":")" + *token + "\"";
        auto page = decoded<model::domain_infos>(ok("ListDomains", body + "}"));
        EXPECT_LE(page.domain_infos.size(), 2u);
        for (const auto& d : page.domain_infos) names.push_back(d.name);
        token = page.next_page_token;
        ++pages;
    } while (token && pages < 10);
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(names, (std::vector<std::string>{"d", "p0", "p1", "p2", "p3", "p4"}));
    EXPECT_EQ(fault("ListDomains", R"({"registrationStatus":"REGISTERED","nextPageToken":"forged"})"), "ValidationException");
}

TEST_F(service_test, answers_have_swfs_shape_void_bodies_empty_tasks_and_closed_tasks) {
    // An operation without output: 200 and no body at all.
    auto void_body = call("RegisterDomain", R"({"name":"e","workflowExecutionRetentionPeriodInDays":"1"})");
    EXPECT_EQ(void_body.status, 200);
    EXPECT_EQ(void_body.body, "");
    // A poll that ends without a task: no taskToken member (what SWF sends,
    // and what clients test for).
    for (const std::string op : {"PollForDecisionTask", "PollForActivityTask"}) {
        auto held = svc_->handle(op, R"({"domain":"d","taskList":{"name":"nobody"}})", [](reply) {});
        ASSERT_FALSE(held.now) << op;
        auto empty = svc_->expire_poll(held.held);
        ASSERT_TRUE(empty) << op;
        EXPECT_EQ(empty->body.find("taskToken"), std::string::npos) << empty->body;
    }
    // An activity task answered already: SWF names the scheduled event.
    auto run = start("w");
    decide(poll_decision().task_token, schedule("a"));
    auto a = poll_activity();
    ok("RespondActivityTaskCompleted", R"({"taskToken":")" + a.task_token + R"("})");
    auto again = call("RespondActivityTaskCompleted", R"({"taskToken":")" + a.task_token + R"("})");
    EXPECT_NE(again.body.find(R"("message":"Unknown activity, scheduledEventId = 5")"), std::string::npos) << again.body;
    EXPECT_NE(call("RecordActivityTaskHeartbeat", R"({"taskToken":"never-given"})").body.find("UnknownResourceFault"),
              std::string::npos);
}

// ------------------------------------------------------------- retention

TEST_F(service_test, a_closed_execution_is_kept_for_its_domains_retention_period_then_is_gone) {
    const std::string long_run = R"(,"executionStartToCloseTimeout":"864000")";
    auto first = start("first", long_run);
    decide(poll_decision().task_token, complete());
    auto open_run = start("open", long_run);
    advance(12h);
    auto later = start("later", long_run);
    auto d = poll_decision();
    ASSERT_EQ(d.workflow_execution.workflow_id, "open");
    d = poll_decision();
    ASSERT_EQ(d.workflow_execution.workflow_id, "later");
    decide(d.task_token, complete());
    const std::string execution_of_first = R"({"domain":"d","execution":{"workflowId":"first","runId":")" + first + R"("}})";
    const std::string closed_list = R"({"domain":"d","startTimeFilter":{"oldestDate":0}})";
    advance(12h - 1s);
    EXPECT_EQ(history("first", first).back().event_type, model::event_type::workflow_execution_completed);
    EXPECT_EQ(decoded<model::workflow_execution_count>(ok("CountClosedWorkflowExecutions", closed_list)).count, 2);
    advance(1s); // a day after it closed
    EXPECT_EQ(fault("GetWorkflowExecutionHistory", execution_of_first), "UnknownResourceFault");
    EXPECT_EQ(fault("DescribeWorkflowExecution", execution_of_first), "UnknownResourceFault");
    auto closed = decoded<model::workflow_execution_infos>(ok("ListClosedWorkflowExecutions", closed_list));
    ASSERT_EQ(closed.execution_infos.size(), 1u);
    EXPECT_EQ(closed.execution_infos[0].execution.workflow_id, "later") << "closed 12 hours later, still kept";
    EXPECT_EQ(decoded<model::workflow_execution_count>(ok("CountClosedWorkflowExecutions", closed_list)).count, 1);
    // An open execution stays however old it is.
    EXPECT_EQ(history("open", open_run).front().event_type, model::event_type::workflow_execution_started);
    advance(12h);
    EXPECT_EQ(fault("GetWorkflowExecutionHistory",
                    R"({"domain":"d","execution":{"workflowId":"later","runId":")" + later + R"("}})"),
              "UnknownResourceFault");
    // The workflow id is free; a new run starts as usual.
    EXPECT_FALSE(start("first").empty());
}

TEST_F(service_test, a_domain_that_retains_nothing_forgets_an_execution_when_it_closes) {
    for (const std::string days : {"0", "NONE"}) {
        const std::string domain = "brief" + days;
        ok("RegisterDomain", R"({"name":")" + domain + R"(","workflowExecutionRetentionPeriodInDays":")" + days + R"("})");
        ok("RegisterWorkflowType", R"({"domain":")" + domain + R"(","name":"wf","version":"1","defaultTaskList":{"name":"b"},)"
                                   R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30",)"
                                   R"("defaultChildPolicy":"TERMINATE"})");
        auto run = decoded<model::run>(ok("StartWorkflowExecution", R"({"domain":")" + domain +
                                                                       R"(","workflowId":"w","workflowType":{"name":"wf","version":"1"}})"))
                       .run_id.value_or("");
        auto d = decoded<model::decision_task>(
            ok("PollForDecisionTask", R"({"domain":")" + domain + R"(","taskList":{"name":"b"}})"));
        decide(d.task_token, complete());
        advance(0s);
        EXPECT_EQ(fault("GetWorkflowExecutionHistory",
                        R"({"domain":")" + domain + R"(","execution":{"workflowId":"w","runId":")" + run + R"("}})"),
                  "UnknownResourceFault")
            << days;
    }
    EXPECT_EQ(fault("RegisterDomain", R"({"name":"x","workflowExecutionRetentionPeriodInDays":"91"})"), "ValidationException");
}

// ------------------------------------------------------------- executions

TEST_F(service_test, start_faults) {
    EXPECT_EQ(fault("StartWorkflowExecution", R"({"domain":"d","workflowId":"w","workflowType":{"name":"none","version":"1"}})"),
              "UnknownResourceFault");
    ok("RegisterWorkflowType", R"({"domain":"d","name":"bare","version":"1"})");
    EXPECT_EQ(fault("StartWorkflowExecution", R"({"domain":"d","workflowId":"w","workflowType":{"name":"bare","version":"1"}})"),
              "DefaultUndefinedFault");
    start("w");
    EXPECT_EQ(fault("StartWorkflowExecution", R"({"domain":"d","workflowId":"w","workflowType":{"name":"wf","version":"1"}})"),
              "WorkflowExecutionAlreadyStartedFault");
}

TEST_F(service_test, an_activity_round_trip_records_swfs_sequence) {
    auto run = start("w", R"(,"input":"in")");
    auto d1 = poll_decision("deciders", R"(,"identity":"decider-1")");
    ASSERT_FALSE(d1.task_token.empty());
    EXPECT_EQ(types(d1.events), (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled",
                                                          "DecisionTaskStarted"}));
    EXPECT_EQ(d1.started_event_id, 3);
    EXPECT_EQ(d1.previous_started_event_id, 0);
    EXPECT_EQ(d1.events[0].workflow_execution_started_event_attributes->input, "in");
    EXPECT_EQ(d1.events[2].decision_task_started_event_attributes->identity, "decider-1");
    decide(d1.task_token, schedule("a1", R"(,"input":"x")"));
    auto a = poll_activity();
    EXPECT_EQ(a.activity_id, "a1");
    EXPECT_EQ(a.input, "x");
    EXPECT_EQ(a.workflow_execution.run_id, run);
    ok("RespondActivityTaskCompleted", R"({"taskToken":")" + a.task_token + R"(","result":"42"})");
    // A second answer to the same task is refused.
    EXPECT_EQ(fault("RespondActivityTaskCompleted", R"({"taskToken":")" + a.task_token + R"("})"), "UnknownResourceFault");
    auto d2 = poll_decision();
    EXPECT_EQ(d2.previous_started_event_id, 3);
    decide(d2.task_token, complete());
    EXPECT_EQ(fault("RespondDecisionTaskCompleted", R"({"taskToken":")" + d2.task_token + R"("})"), "UnknownResourceFault");
    auto h = history("w", run);
    EXPECT_EQ(types(h), (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                                  "DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
                                                  "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                                  "DecisionTaskCompleted", "WorkflowExecutionCompleted"}));
    // Back-references point at the right events.
    EXPECT_EQ(h[3].decision_task_completed_event_attributes->scheduled_event_id, 2);
    EXPECT_EQ(h[3].decision_task_completed_event_attributes->started_event_id, 3);
    EXPECT_EQ(h[4].activity_task_scheduled_event_attributes->decision_task_completed_event_id, 4);
    EXPECT_EQ(h[4].activity_task_scheduled_event_attributes->task_list.name, "workers") << "the type's default list";
    EXPECT_EQ(h[5].activity_task_started_event_attributes->scheduled_event_id, 5);
    EXPECT_EQ(h[5].activity_task_started_event_attributes->identity, "w1");
    EXPECT_EQ(h[6].activity_task_completed_event_attributes->started_event_id, 6);
    EXPECT_EQ(h[6].activity_task_completed_event_attributes->result_, "42");
    EXPECT_EQ(h[10].workflow_execution_completed_event_attributes->decision_task_completed_event_id, 10);
    for (std::size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h[i].event_id, static_cast<std::int64_t>(i + 1));
    auto detail = decoded<model::workflow_execution_detail>(
        ok("DescribeWorkflowExecution", R"({"domain":"d","execution":{"workflowId":"w","runId":")" + run + R"("}})"));
    EXPECT_EQ(detail.execution_info.execution_status, model::execution_status::closed);
    EXPECT_EQ(detail.execution_info.close_status, model::close_status::completed);
}

TEST_F(service_test, events_during_a_started_decision_task_are_recorded_in_place_and_refuse_a_close) {
    auto run = start("w");
    auto d1 = poll_decision();
    // Two signals while the task is started: recorded now, one task after it.
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s1"})");
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s2"})");
    decide(d1.task_token, complete());
    auto h = history("w", run);
    EXPECT_EQ(types(h), (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                                  "WorkflowExecutionSignaled", "WorkflowExecutionSignaled",
                                                  "DecisionTaskCompleted", "CompleteWorkflowExecutionFailed",
                                                  "DecisionTaskScheduled"}));
    EXPECT_EQ(h[6].complete_workflow_execution_failed_event_attributes->cause,
              model::complete_workflow_execution_failed_cause::unhandled_decision);
    EXPECT_EQ(h[6].complete_workflow_execution_failed_event_attributes->decision_task_completed_event_id, 6);
    // The next task shows the signals after the previous started event.
    auto d2 = poll_decision();
    EXPECT_EQ(d2.previous_started_event_id, 3);
    decide(d2.task_token, complete());
    EXPECT_EQ(types(history("w", run)).back(), "WorkflowExecutionCompleted");
}

TEST_F(service_test, only_one_decision_task_is_scheduled_at_a_time) {
    auto run = start("w");
    for (int i = 0; i < 3; ++i) ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
    auto h = history("w", run);
    EXPECT_EQ(std::count(h.begin(), h.end(), h[1]), 1);
    EXPECT_EQ(types(h), (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionSignaled",
                                                  "WorkflowExecutionSignaled", "WorkflowExecutionSignaled"}));
    auto pending = decoded<model::pending_task_count>(
        ok("CountPendingDecisionTasks", R"({"domain":"d","taskList":{"name":"deciders"}})"));
    EXPECT_EQ(pending.count, 1);
}

TEST_F(service_test, a_long_poll_is_held_and_answered_when_a_task_arrives) {
    std::optional<reply> answered;
    auto out = svc_->handle("PollForDecisionTask", R"({"domain":"d","taskList":{"name":"deciders"}})",
                            [&](reply r) { answered = std::move(r); });
    EXPECT_FALSE(out.now) << "a poll with no task is held";
    EXPECT_EQ(svc_->polls_held(), 1u);
    EXPECT_FALSE(answered);
    start("w");
    ASSERT_TRUE(answered) << "the start did not answer the held poll";
    auto task = decoded<model::decision_task>(answered->body);
    EXPECT_FALSE(task.task_token.empty());
    EXPECT_EQ(svc_->polls_held(), 0u);
    EXPECT_FALSE(svc_->expire_poll(out.held)) << "an answered poll cannot expire";
    // A poll that nothing answers ends empty, as SWF's does after 60 s.
    auto idle = svc_->handle("PollForActivityTask", R"({"domain":"d","taskList":{"name":"workers"}})", [](reply) {});
    ASSERT_FALSE(idle.now);
    auto empty = svc_->expire_poll(idle.held);
    ASSERT_TRUE(empty);
    EXPECT_EQ(decoded<model::activity_task>(empty->body).task_token, "");
}

TEST_F(service_test, timers_fire_when_the_clock_passes_them_and_can_be_canceled) {
    auto run = start("w");
    auto d1 = poll_decision();
    decide(d1.task_token,
           R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t1","startToFireTimeout":"10"}},)"
           R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t2","startToFireTimeout":"100"}},)"
           R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t1","startToFireTimeout":"5"}})");
    advance(9s);
    auto h = history("w", run);
    EXPECT_EQ(types(h).back(), "DecisionTaskScheduled") << "the refused second t1 schedules a task at once";
    EXPECT_EQ(h[h.size() - 2].start_timer_failed_event_attributes->cause,
              model::start_timer_failed_cause::timer_id_already_in_use);
    auto d2 = poll_decision();
    decide(d2.task_token,
           R"({"decisionType":"CancelTimer","cancelTimerDecisionAttributes":{"timerId":"t2"}},)"
           R"({"decisionType":"CancelTimer","cancelTimerDecisionAttributes":{"timerId":"nope"}})");
    poll_decision(); // for the CancelTimerFailed
    advance(1s);
    h = history("w", run);
    auto t = types(h);
    EXPECT_NE(std::find(t.begin(), t.end(), "TimerCanceled"), t.end());
    auto failed = std::find(t.begin(), t.end(), "CancelTimerFailed");
    ASSERT_NE(failed, t.end());
    EXPECT_EQ(h[failed - t.begin()].cancel_timer_failed_event_attributes->cause, model::cancel_timer_failed_cause::timer_id_unknown);
    auto fired = std::find(t.begin(), t.end(), "TimerFired");
    ASSERT_NE(fired, t.end()) << "t1 did not fire at 10 s";
    EXPECT_EQ(h[fired - t.begin()].timer_fired_event_attributes->timer_id, "t1");
    EXPECT_EQ(h[fired - t.begin()].timer_fired_event_attributes->started_event_id, 5);
    advance(200s);
    t = types(history("w", run));
    EXPECT_EQ(std::count(t.begin(), t.end(), "TimerFired"), 1) << "the canceled t2 fired";
}

TEST_F(service_test, activity_timeouts_of_each_kind) {
    auto run = start("w");
    auto d = poll_decision();
    decide(d.task_token, schedule("s2s", R"(,"scheduleToStartTimeout":"5")") + "," +
                             schedule("hb", R"(,"heartbeatTimeout":"10","taskList":{"name":"hb"})") + "," +
                             schedule("s2c", R"(,"scheduleToCloseTimeout":"40","taskList":{"name":"slow"})"));
    auto hb = poll_activity("hb");
    auto slow = poll_activity("slow");
    advance(5s); // s2s was never taken
    // Heartbeats at 5, 13 and 21 s keep the task alive past its 10 s heartbeat timeout.
    for (int i = 0; i < 3; ++i) {
        auto st = decoded<model::activity_task_status>(
            ok("RecordActivityTaskHeartbeat", R"({"taskToken":")" + hb.task_token + R"(","details":"at )" +
                                                  std::to_string(i) + R"("})"));
        EXPECT_FALSE(st.cancel_requested);
        if (i < 2) advance(8s);
    }
    advance(9s);
    EXPECT_EQ(decoded<model::workflow_execution_detail>(
                  ok("DescribeWorkflowExecution", R"({"domain":"d","execution":{"workflowId":"w","runId":")" + run + R"("}})"))
                  .open_counts.open_activity_tasks,
              2) << "hb timed out before 10 s without a heartbeat";
    advance(1s);  // 10 s since the last heartbeat (31 s)
    advance(10s); // past 40 s since scheduling
    auto h = history("w", run);
    std::vector<std::pair<std::string, model::activity_task_timeout_type>> timed_out;
    for (const auto& e : h)
        if (e.activity_task_timed_out_event_attributes) {
            const auto& a = *e.activity_task_timed_out_event_attributes;
            std::string id;
            for (const auto& s : h)
                if (s.event_id == a.scheduled_event_id) id = s.activity_task_scheduled_event_attributes->activity_id;
            timed_out.emplace_back(id, a.timeout_type);
            if (id == "hb") {
                EXPECT_EQ(a.details, "at 2") << "the last heartbeat's details";
            }
        }
    EXPECT_EQ(timed_out, (std::vector<std::pair<std::string, model::activity_task_timeout_type>>{
                             {"s2s", model::activity_task_timeout_type::schedule_to_start},
                             {"hb", model::activity_task_timeout_type::heartbeat},
                             {"s2c", model::activity_task_timeout_type::schedule_to_close}}));
    EXPECT_EQ(fault("RespondActivityTaskCompleted", R"({"taskToken":")" + slow.task_token + R"("})"), "UnknownResourceFault")
        << "a timed out task cannot be answered";
}

TEST_F(service_test, a_decision_task_that_times_out_is_scheduled_again) {
    auto run = start("w");
    auto d = poll_decision();
    advance(30s);
    auto h = history("w", run);
    EXPECT_EQ(types(h), (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                                  "DecisionTaskTimedOut", "DecisionTaskScheduled"}));
    EXPECT_EQ(h[3].decision_task_timed_out_event_attributes->timeout_type, model::decision_task_timeout_type::start_to_close);
    EXPECT_EQ(fault("RespondDecisionTaskCompleted", R"({"taskToken":")" + d.task_token + R"("})"), "UnknownResourceFault");
}

TEST_F(service_test, the_execution_times_out) {
    auto run = start("w", R"(,"executionStartToCloseTimeout":"60")");
    advance(60s);
    auto h = history("w", run);
    EXPECT_EQ(types(h).back(), "WorkflowExecutionTimedOut");
    EXPECT_EQ(fault("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"late"})"), "UnknownResourceFault");
}

TEST_F(service_test, schedule_failures_carry_swfs_causes_and_schedule_a_new_task) {
    ok("RegisterActivityType", R"({"domain":"d","name":"nolist","version":"1"})");
    auto run = start("w");
    auto d = poll_decision();
    decide(d.task_token, R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":)"
                         R"({"activityId":"x","activityType":{"name":"missing","version":"1"}}},)"
                         R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":)"
                         R"({"activityId":"y","activityType":{"name":"nolist","version":"1"}}})");
    auto h = history("w", run);
    EXPECT_EQ(types(h), (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                                  "DecisionTaskCompleted", "ScheduleActivityTaskFailed",
                                                  "ScheduleActivityTaskFailed", "DecisionTaskScheduled"}));
    EXPECT_EQ(h[4].schedule_activity_task_failed_event_attributes->cause,
              model::schedule_activity_task_failed_cause::activity_type_does_not_exist);
    EXPECT_EQ(h[5].schedule_activity_task_failed_event_attributes->cause,
              model::schedule_activity_task_failed_cause::default_task_list_undefined);
}

TEST_F(service_test, a_child_runs_and_its_close_is_recorded_in_the_parent) {
    auto run = start("parent");
    auto d = poll_decision();
    decide(d.task_token, R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":)"
                         R"({"workflowId":"kid","workflowType":{"name":"wf","version":"1"},"input":"for kid"}})");
    // The parent and the child each have a decision task; the child's first.
    auto first = poll_decision();
    auto second = poll_decision();
    auto child_task = first.workflow_execution.workflow_id == "kid" ? first : second;
    auto parent_task = first.workflow_execution.workflow_id == "kid" ? second : first;
    ASSERT_EQ(child_task.workflow_execution.workflow_id, "kid");
    const auto& started = *child_task.events[0].workflow_execution_started_event_attributes;
    ASSERT_TRUE(started.parent_workflow_execution);
    EXPECT_EQ(started.parent_workflow_execution->run_id, run);
    EXPECT_EQ(started.parent_initiated_event_id, 5);
    EXPECT_EQ(started.input, "for kid");
    decide(child_task.task_token, complete("kid result"));
    decide(parent_task.task_token, "");
    auto h = history("parent", run);
    EXPECT_EQ(types(h), (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                                  "DecisionTaskCompleted", "StartChildWorkflowExecutionInitiated",
                                                  "ChildWorkflowExecutionStarted", "DecisionTaskScheduled",
                                                  "DecisionTaskStarted", "ChildWorkflowExecutionCompleted",
                                                  "DecisionTaskCompleted", "DecisionTaskScheduled"}));
    EXPECT_EQ(h[8].child_workflow_execution_completed_event_attributes->result_, "kid result");
    EXPECT_EQ(h[8].child_workflow_execution_completed_event_attributes->initiated_event_id, 5);
    EXPECT_EQ(h[8].child_workflow_execution_completed_event_attributes->started_event_id, 6);
}

TEST_F(service_test, a_terminated_parent_terminates_its_children_under_the_terminate_policy) {
    start("parent");
    auto d = poll_decision();
    decide(d.task_token, R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":)"
                         R"({"workflowId":"kid","workflowType":{"name":"wf","version":"1"}}},)"
                         R"({"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":)"
                         R"({"workflowId":"calm","workflowType":{"name":"wf","version":"1"},"childPolicy":"ABANDON"}})");
    ok("TerminateWorkflowExecution", R"({"domain":"d","workflowId":"parent","reason":"enough"})");
    auto kid = decoded<model::workflow_execution_infos>(
        ok("ListClosedWorkflowExecutions", R"({"domain":"d","startTimeFilter":{"oldestDate":0},"executionFilter":{"workflowId":"kid"}})"));
    ASSERT_EQ(kid.execution_infos.size(), 1u);
    EXPECT_EQ(kid.execution_infos[0].close_status, model::close_status::terminated);
    auto h = history("kid", kid.execution_infos[0].execution.run_id);
    ASSERT_TRUE(h.back().workflow_execution_terminated_event_attributes);
    EXPECT_EQ(h.back().workflow_execution_terminated_event_attributes->cause,
              model::workflow_execution_terminated_cause::child_policy_applied);
    // The parent's policy applies to every child (calm's own policy is for its children).
    auto open = decoded<model::workflow_execution_infos>(
        ok("ListOpenWorkflowExecutions", R"({"domain":"d","startTimeFilter":{"oldestDate":0}})"));
    EXPECT_TRUE(open.execution_infos.empty());
}

TEST_F(service_test, continue_as_new_closes_the_run_and_starts_the_next) {
    auto run = start("w", R"(,"tagList":["t1"])");
    auto d = poll_decision();
    decide(d.task_token, R"({"decisionType":"ContinueAsNewWorkflowExecution",)"
                         R"("continueAsNewWorkflowExecutionDecisionAttributes":{"input":"round 2"}})");
    auto h = history("w", run);
    ASSERT_TRUE(h.back().workflow_execution_continued_as_new_event_attributes);
    const auto next_run = h.back().workflow_execution_continued_as_new_event_attributes->new_execution_run_id;
    EXPECT_NE(next_run, run);
    auto next = poll_decision();
    EXPECT_EQ(next.workflow_execution.run_id, next_run);
    const auto& started = *next.events[0].workflow_execution_started_event_attributes;
    EXPECT_EQ(started.continued_execution_run_id, run);
    EXPECT_EQ(started.input, "round 2");
    EXPECT_EQ(started.tag_list, (std::vector<std::string>{"t1"}));
    // The workflow id now names the new run.
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
    EXPECT_EQ(types(history("w", next_run)).back(), "WorkflowExecutionSignaled");
}

TEST_F(service_test, a_cancel_request_and_the_cancel_decision) {
    auto run = start("w");
    auto d = poll_decision();
    decide(d.task_token, "");
    ok("RequestCancelWorkflowExecution", R"({"domain":"d","workflowId":"w"})");
    auto d2 = poll_decision();
    EXPECT_EQ(types(d2.events)[d2.events.size() - 3], "WorkflowExecutionCancelRequested");
    decide(d2.task_token, R"({"decisionType":"CancelWorkflowExecution","cancelWorkflowExecutionDecisionAttributes":{"details":"bye"}})");
    auto h = history("w", run);
    EXPECT_EQ(types(h).back(), "WorkflowExecutionCanceled");
    EXPECT_EQ(h.back().workflow_execution_canceled_event_attributes->details, "bye");
}

TEST_F(service_test, an_activity_cancel_request_reaches_the_worker_through_its_heartbeat) {
    auto run = start("w");
    auto d = poll_decision();
    decide(d.task_token, schedule("running") + "," + schedule("waiting", R"(,"taskList":{"name":"idle"})"));
    auto a = poll_activity();
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"cancel them"})");
    auto d2 = poll_decision();
    decide(d2.task_token, R"({"decisionType":"RequestCancelActivityTask","requestCancelActivityTaskDecisionAttributes":{"activityId":"running"}},)"
                          R"({"decisionType":"RequestCancelActivityTask","requestCancelActivityTaskDecisionAttributes":{"activityId":"waiting"}},)"
                          R"({"decisionType":"RequestCancelActivityTask","requestCancelActivityTaskDecisionAttributes":{"activityId":"nope"}})");
    auto st = decoded<model::activity_task_status>(ok("RecordActivityTaskHeartbeat", R"({"taskToken":")" + a.task_token + R"("})"));
    EXPECT_TRUE(st.cancel_requested);
    ok("RespondActivityTaskCanceled", R"({"taskToken":")" + a.task_token + R"(","details":"stopped"})");
    auto h = history("w", run);
    std::vector<std::string> t = types(h);
    // The waiting one is canceled at once; the running one when its worker says so.
    std::vector<std::string> tail(t.begin() + 10, t.end());
    EXPECT_EQ(tail, (std::vector<std::string>{"DecisionTaskCompleted", "ActivityTaskCancelRequested", "ActivityTaskCancelRequested",
                                              "ActivityTaskCanceled", "RequestCancelActivityTaskFailed", "DecisionTaskScheduled",
                                              "ActivityTaskCanceled"}))
        << ::testing::PrintToString(t);
    EXPECT_EQ(h.back().activity_task_canceled_event_attributes->latest_cancel_requested_event_id, 12);
    EXPECT_EQ(h.back().activity_task_canceled_event_attributes->details, "stopped");
}

TEST_F(service_test, an_external_signal_reaches_the_other_execution) {
    auto other = start("other");
    decide(poll_decision().task_token, "");
    auto run = start("w");
    auto d = poll_decision();
    decide(d.task_token, R"({"decisionType":"SignalExternalWorkflowExecution","signalExternalWorkflowExecutionDecisionAttributes":)"
                         R"({"workflowId":"other","signalName":"hello","input":"hi"}},)"
                         R"({"decisionType":"SignalExternalWorkflowExecution","signalExternalWorkflowExecutionDecisionAttributes":)"
                         R"({"workflowId":"ghost","signalName":"hello"}})");
    auto h = history("w", run);
    auto t = types(h);
    EXPECT_EQ(std::vector<std::string>(t.begin() + 4, t.end()),
              (std::vector<std::string>{"SignalExternalWorkflowExecutionInitiated", "ExternalWorkflowExecutionSignaled",
                                        "SignalExternalWorkflowExecutionInitiated", "SignalExternalWorkflowExecutionFailed",
                                        "DecisionTaskScheduled"}));
    auto oh = history("other", other);
    auto ot = types(oh);
    EXPECT_EQ(std::vector<std::string>(ot.end() - 2, ot.end()),
              (std::vector<std::string>{"WorkflowExecutionSignaled", "DecisionTaskScheduled"}));
    ASSERT_TRUE(oh[oh.size() - 2].workflow_execution_signaled_event_attributes);
    const auto& s = *oh[oh.size() - 2].workflow_execution_signaled_event_attributes;
    EXPECT_EQ(s.signal_name, "hello");
    EXPECT_EQ(s.external_initiated_event_id, 5);
    EXPECT_EQ(s.external_workflow_execution->run_id, run);
}

TEST_F(service_test, histories_and_decision_tasks_page) {
    auto run = start("w");
    for (int i = 0; i < 9; ++i) ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
    std::vector<std::int64_t> ids;
    std::optional<std::string> token;
    int pages = 0;
    do {
        std::string body = R"({"domain":"d","execution":{"workflowId":"w","runId":")" + run + R"("},"maximumPageSize":4)";
        if (token) body += R"(,"nextPageToken":")" + *token + "\"";
        auto page = decoded<model::history>(ok("GetWorkflowExecutionHistory", body + "}"));
        for (const auto& e : page.events) ids.push_back(e.event_id);
        token = page.next_page_token;
        ++pages;
    } while (token && pages < 10);
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(ids.size(), 11u);
    auto reversed = decoded<model::history>(ok("GetWorkflowExecutionHistory", R"({"domain":"d","execution":{"workflowId":"w","runId":")" +
                                                                                   run + R"("},"reverseOrder":true,"maximumPageSize":2})"));
    EXPECT_EQ(reversed.events[0].event_id, 11);
    EXPECT_EQ(reversed.events[1].event_id, 10);
    // A decision task's history pages through the poll.
    auto first = poll_decision("deciders", R"(,"maximumPageSize":5)");
    EXPECT_EQ(first.events.size(), 5u);
    ASSERT_TRUE(first.next_page_token);
    auto rest = poll_decision("deciders", R"(,"maximumPageSize":5,"nextPageToken":")" + *first.next_page_token + "\"");
    EXPECT_EQ(rest.task_token, first.task_token) << "a page of the same task, not a new one";
    EXPECT_EQ(rest.events.front().event_id, 6);
}

TEST_F(service_test, a_history_past_25000_events_terminates_the_execution) {
    auto run = start("w");
    int sent = 0;
    while (sent < 30000) {
        auto r = call("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
        if (r.status != 200) break;
        ++sent;
    }
    auto h = history("w", run);
    EXPECT_LE(h.size(), 25000u);
    ASSERT_TRUE(h.back().workflow_execution_terminated_event_attributes);
    EXPECT_EQ(h.back().workflow_execution_terminated_event_attributes->cause,
              model::workflow_execution_terminated_cause::event_limit_exceeded);
}

TEST_F(service_test, a_long_list_of_decisions_cannot_carry_the_history_past_25000_events) {
    auto run = start("w");
    decide(poll_decision().task_token, "");
    // 4 events so far; signals (and the one decision task they schedule) up
    // to 24,900, then one decision task with 200 markers.
    for (int i = 0; i < 24895; ++i)
        ASSERT_EQ(call("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})").status, 200);
    ASSERT_EQ(history("w", run).size(), 24900u);
    auto d = poll_decision();
    std::string markers;
    for (int i = 0; i < 200; ++i)
        markers += std::string(i ? "," : "") +
                   R"({"decisionType":"RecordMarker","recordMarkerDecisionAttributes":{"markerName":"m"}})";
    decide(d.task_token, markers);
    auto h = history("w", run);
    EXPECT_LE(h.size(), 25000u);
    ASSERT_TRUE(h.back().workflow_execution_terminated_event_attributes);
    EXPECT_EQ(h.back().workflow_execution_terminated_event_attributes->cause,
              model::workflow_execution_terminated_cause::event_limit_exceeded);
}

TEST_F(service_test, lambda_functions_need_a_role_and_an_invoker) {
    make([](const std::string& name, const std::string& input) -> result<std::string> {
        if (name == "upper") {
            std::string out = input;
            std::transform(out.begin(), out.end(), out.begin(), ::toupper);
            return out;
        }
        return make_error(error_kind::validation, "UnknownFunction", "no function " + name);
    });
    const std::string lambda = R"({"decisionType":"ScheduleLambdaFunction","scheduleLambdaFunctionDecisionAttributes":{"id":"l1","name":"upper","input":"abc"}})";
    auto no_role = start("w");
    decide(poll_decision().task_token, lambda);
    auto h = history("w", no_role);
    auto t = types(h);
    ASSERT_NE(std::find(t.begin(), t.end(), "StartLambdaFunctionFailed"), t.end());
    EXPECT_EQ(h[std::find(t.begin(), t.end(), "StartLambdaFunctionFailed") - t.begin()].start_lambda_function_failed_event_attributes->cause,
              model::start_lambda_function_failed_cause::assume_role_failed);
    auto with_role = start("w2", R"(,"lambdaRole":"arn:aws:iam::123456789012:role/lambda","taskList":{"name":"w2"})");
    decide(poll_decision("w2").task_token, lambda);
    h = history("w2", with_role);
    t = types(h);
    EXPECT_EQ(std::vector<std::string>(t.begin() + 4, t.end()),
              (std::vector<std::string>{"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionCompleted",
                                        "DecisionTaskScheduled"}));
    EXPECT_EQ(h[6].lambda_function_completed_event_attributes->result_, "ABC");
}

} // namespace
} // namespace swfrt::swf::service

namespace swfrt::swf::service {
namespace {

TEST_F(service_test, idle_means_no_task_scheduled_or_handed_out_and_stale_deadlines_are_not_next) {
    EXPECT_TRUE(svc_->idle());
    auto run = start("w");
    EXPECT_FALSE(svc_->idle()) << "a decision task is scheduled";
    auto d = poll_decision();
    EXPECT_FALSE(svc_->idle()) << "a decision task is handed out";
    decide(d.task_token, R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t","startToFireTimeout":"500"}})");
    EXPECT_TRUE(svc_->idle()) << "only a timer is left";
    // The decision task's 30 s timeout is stale now: the timer is next.
    ASSERT_TRUE(svc_->next_deadline());
    EXPECT_EQ(*svc_->next_deadline(), clock_.now() + 500s);
    EXPECT_EQ(poll_decision().task_token, "") << "nothing scheduled a decision task";
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
    EXPECT_FALSE(svc_->idle());
    decide(poll_decision().task_token, schedule("a"));
    EXPECT_FALSE(svc_->idle()) << "an activity task is scheduled";
}

TEST_F(service_test, a_held_activity_poll_is_answered_after_all_of_a_decisions_events) {
    auto run = start("w");
    auto d = poll_decision();
    std::optional<reply> answered;
    auto held = svc_->handle("PollForActivityTask", R"({"domain":"d","taskList":{"name":"workers"}})",
                             [&](reply r) { answered = std::move(r); });
    ASSERT_FALSE(held.now);
    decide(d.task_token, schedule("1") + "," + schedule("2") + "," + schedule("3"));
    ASSERT_TRUE(answered);
    EXPECT_EQ(decoded<model::activity_task>(answered->body).activity_id, "1");
    EXPECT_EQ(types(history("w", run)),
              (std::vector<std::string>{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                        "DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskScheduled",
                                        "ActivityTaskScheduled", "ActivityTaskStarted"}));
}

TEST_F(service_test, a_task_list_holds_at_most_1000_polls) {
    std::vector<std::uint64_t> held;
    for (int i = 0; i < 1000; ++i) {
        auto out = svc_->handle("PollForActivityTask", R"({"domain":"d","taskList":{"name":"busy"}})", [](reply) {});
        ASSERT_FALSE(out.now) << i;
        held.push_back(out.held);
    }
    auto refused = svc_->handle("PollForActivityTask", R"({"domain":"d","taskList":{"name":"busy"}})", [](reply) {});
    ASSERT_TRUE(refused.now);
    EXPECT_EQ(refused.now->status, 400);
    EXPECT_NE(refused.now->body.find("LimitExceededFault"), std::string::npos);
    // Another list is not affected; an expired poll frees its place.
    EXPECT_FALSE(svc_->handle("PollForActivityTask", R"({"domain":"d","taskList":{"name":"other"}})", [](reply) {}).now);
    ASSERT_TRUE(svc_->expire_poll(held[0]));
    EXPECT_FALSE(svc_->handle("PollForActivityTask", R"({"domain":"d","taskList":{"name":"busy"}})", [](reply) {}).now);
}

TEST_F(service_test, a_domain_takes_at_most_fifty_tags) {
    auto arn = decoded<model::domain_detail>(ok("DescribeDomain", R"({"name":"d"})")).domain_info.arn.value_or("");
    ASSERT_FALSE(arn.empty());
    std::string tags;
    for (int i = 0; i < 50; ++i) tags += std::string(i ? "," : "") + R"({"key":"k)" + std::to_string(i) + R"("})";
    ok("TagResource", R"({"resourceArn":")" + arn + R"(","tags":[)" + tags + "]}");
    EXPECT_EQ(fault("TagResource", R"({"resourceArn":")" + arn + R"(","tags":[{"key":"one-more"}]})"), "TooManyTagsFault");
    auto listed = decoded<model::list_tags_for_resource_output>(ok("ListTagsForResource", R"({"resourceArn":")" + arn + R"("})"));
    EXPECT_EQ(listed.tags.size(), 50u) << "a refused TagResource changes nothing";
    ok("UntagResource", R"({"resourceArn":")" + arn + R"(","tagKeys":["k0","k1"]})");
    EXPECT_EQ(decoded<model::list_tags_for_resource_output>(ok("ListTagsForResource", R"({"resourceArn":")" + arn + R"("})")).tags.size(),
              48u);
}

} // namespace
} // namespace swfrt::swf::service

namespace swfrt::swf::service {
namespace {

class throttled_service_test : public ::testing::Test {
protected:
    reply call(std::string_view op, std::string_view body) { return svc_->handle(op, body).now.value_or(reply{}); }
    void make(throttle_rates rates) {
        service_options o;
        o.clock = &clock_;
        o.throttle = std::move(rates);
        svc_ = std::make_unique<service>(std::move(o));
    }
    swf::manual_clock clock_;
    std::unique_ptr<service> svc_;
};

TEST_F(throttled_service_test, an_empty_bucket_is_a_throttling_exception_until_it_refills) {
    make({{"DescribeDomain", rate{2, 1}}});
    EXPECT_EQ(call("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})").status, 200);
    EXPECT_EQ(call("DescribeDomain", R"({"name":"d"})").status, 200);
    EXPECT_EQ(call("DescribeDomain", R"({"name":"d"})").status, 200);
    auto third = call("DescribeDomain", R"({"name":"d"})");
    EXPECT_EQ(third.status, 400);
    EXPECT_NE(third.body.find("com.amazon.coral.availability#ThrottlingException"), std::string::npos) << third.body;
    clock_.advance(std::chrono::milliseconds{999});
    EXPECT_EQ(call("DescribeDomain", R"({"name":"d"})").status, 400) << "refilled before a second passed";
    clock_.advance(std::chrono::milliseconds{1});
    EXPECT_EQ(call("DescribeDomain", R"({"name":"d"})").status, 200);
    // Other operations have no rate here.
    for (int i = 0; i < 10; ++i) EXPECT_EQ(call("ListDomains", R"({"registrationStatus":"REGISTERED"})").status, 200);
}

TEST_F(throttled_service_test, per_execution_buckets_and_decision_rates) {
    make({{"workflow:SignalWorkflowExecution", rate{1, 0}}, {"decision:StartTimer", rate{1, 0}}});
    call("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})");
    call("RegisterWorkflowType", R"({"domain":"d","name":"wf","version":"1","defaultTaskList":{"name":"tl"},)"
                                 R"("defaultExecutionStartToCloseTimeout":"60","defaultTaskStartToCloseTimeout":"10","defaultChildPolicy":"TERMINATE"})");
    for (const char* id : {"a", "b"})
        call("StartWorkflowExecution", std::string(R"({"domain":"d","workflowId":")") + id +
                                           R"(","workflowType":{"name":"wf","version":"1"}})");
    EXPECT_EQ(call("SignalWorkflowExecution", R"({"domain":"d","workflowId":"a","signalName":"s"})").status, 200);
    EXPECT_EQ(call("SignalWorkflowExecution", R"({"domain":"d","workflowId":"a","signalName":"s"})").status, 400);
    EXPECT_EQ(call("SignalWorkflowExecution", R"({"domain":"d","workflowId":"b","signalName":"s"})").status, 200)
        << "each execution has its own bucket";
    auto task = codec::decode<model::decision_task>(call("PollForDecisionTask", R"({"domain":"d","taskList":{"name":"tl"}})").body);
    ASSERT_TRUE(task);
    call("RespondDecisionTaskCompleted", R"({"taskToken":")" + task->task_token + R"(","decisions":[)"
                                         R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t1","startToFireTimeout":"5"}},)"
                                         R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t2","startToFireTimeout":"5"}}]})");
    auto h = codec::decode<model::history>(call("GetWorkflowExecutionHistory", R"({"domain":"d","execution":{"workflowId":")" +
                                                                                     task->workflow_execution.workflow_id + R"(","runId":")" +
                                                                                     task->workflow_execution.run_id + R"("}})").body);
    ASSERT_TRUE(h);
    std::vector<model::start_timer_failed_cause> causes;
    for (const auto& e : h->events)
        if (e.start_timer_failed_event_attributes) causes.push_back(e.start_timer_failed_event_attributes->cause);
    EXPECT_EQ(causes, std::vector{model::start_timer_failed_cause::timer_creation_rate_exceeded});
}

TEST(throttle_rates_test, swf_defaults_and_files) {
    auto d = swf_default_rates();
    EXPECT_EQ(d.at("PollForActivityTask").bucket, 2000);
    EXPECT_EQ(d.at("PollForActivityTask").refill, 200);
    EXPECT_EQ(d.at("GetWorkflowExecutionHistory").refill, 60);
    EXPECT_EQ(d.at("SignalWorkflowExecution").refill, 30);
    EXPECT_EQ(d.at("decision:StartChildWorkflowExecution").bucket, 500);
    EXPECT_EQ(d.size(), 48u);
    auto f = read_rates("# tight polls\nPollForActivityTask 10 1\n\n  decision:StartTimer 5 0.5  # timers\n");
    ASSERT_TRUE(f) << f.error().to_string();
    EXPECT_EQ(f->size(), 2u);
    EXPECT_EQ(f->at("decision:StartTimer").refill, 0.5);
    auto bad = read_rates("PollForActivityTask 10 1\nPollForDecisionTask ten 1\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(read_rates("PollForActivityTask 10"));
    EXPECT_FALSE(read_rates("PollForActivityTask 0 1"));
}

} // namespace
} // namespace swfrt::swf::service

namespace swfrt::swf::service {
namespace {

TEST_F(service_test, a_decision_task_list_override_holds_until_a_schedule_to_start_timeout_reverts_it) {
    auto run = start("w");
    auto d = poll_decision();
    ok("RespondDecisionTaskCompleted", R"({"taskToken":")" + d.task_token +
                                           R"(","taskList":{"name":"sticky-1"},"taskListScheduleToStartTimeout":"5"})");
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
    EXPECT_EQ(poll_decision("deciders").task_token, "") << "the next task goes to the override list";
    auto sticky = poll_decision("sticky-1");
    ASSERT_FALSE(sticky.task_token.empty());
    const auto& scheduled = sticky.events[sticky.events.size() - 2];
    ASSERT_TRUE(scheduled.decision_task_scheduled_event_attributes);
    EXPECT_EQ(scheduled.decision_task_scheduled_event_attributes->task_list.name, "sticky-1");
    EXPECT_EQ(scheduled.decision_task_scheduled_event_attributes->schedule_to_start_timeout, "5");
    decide(sticky.task_token, "");
    // Nobody polls the override list: after 5 s the task times out there and
    // goes back to the execution's own list.
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s2"})");
    advance(5s);
    auto h = history("w", run);
    auto t = types(h);
    EXPECT_EQ(std::vector<std::string>(t.end() - 4, t.end()),
              (std::vector<std::string>{"WorkflowExecutionSignaled", "DecisionTaskScheduled", "DecisionTaskTimedOut",
                                        "DecisionTaskScheduled"}));
    EXPECT_EQ(h[h.size() - 2].decision_task_timed_out_event_attributes->timeout_type,
              model::decision_task_timeout_type::schedule_to_start);
    EXPECT_EQ(h.back().decision_task_scheduled_event_attributes->task_list.name, "deciders");
    EXPECT_FALSE(poll_decision("deciders").task_token.empty());
}

TEST_F(service_test, a_decision_without_its_attributes_refuses_the_answer_and_applies_nothing) {
    auto run = start("w");
    auto d = poll_decision();
    auto r = call("RespondDecisionTaskCompleted",
                  R"({"taskToken":")" + d.task_token + R"(","decisions":[)" + schedule("a") +
                      R"(,{"decisionType":"StartChildWorkflowExecution","startTimerDecisionAttributes":{"timerId":"t","startToFireTimeout":"1"}}]})");
    EXPECT_EQ(r.status, 400);
    // SWF's words for it.
    EXPECT_NE(r.body.find(R"("message":"StartChildWorkflowExecutionDecisionAttributes must be specified for decision )"
                          R"(of type StartChildWorkflowExecution")"),
              std::string::npos)
        << r.body;
    EXPECT_EQ(types(history("w", run)).size(), 3u) << "part of a refused answer was applied";
    // The task is still started; a close decision needs no attributes.
    decide(d.task_token, R"({"decisionType":"CompleteWorkflowExecution"})");
    EXPECT_EQ(types(history("w", run)).back(), "WorkflowExecutionCompleted");
}

TEST_F(service_test, a_close_decision_before_another_refuses_the_answer_and_applies_nothing) {
    const std::vector<std::string> closes = {
        complete(), R"({"decisionType":"FailWorkflowExecution"})", R"({"decisionType":"CancelWorkflowExecution"})",
        R"({"decisionType":"ContinueAsNewWorkflowExecution"})"};
    for (std::size_t i = 0; i < closes.size(); ++i) {
        const std::string id = "w" + std::to_string(i);
        auto run = start(id);
        auto d = poll_decision();
        auto r = call("RespondDecisionTaskCompleted", R"({"taskToken":")" + d.task_token + R"(","decisions":[)" +
                                                          closes[i] + "," + schedule("a") + "]}");
        EXPECT_EQ(r.status, 400) << closes[i];
        EXPECT_NE(r.body.find(R"({"__type":"com.amazon.coral.validate#ValidationException","message":"Close must be )"
                              R"(last decision in list"})"),
                  std::string::npos)
            << r.body;
        EXPECT_EQ(types(history(id, run)).size(), 3u) << closes[i] << ": part of a refused answer was applied";
        // The task is still the decider's: the same answer without the
        // decision after the close is taken.
        decide(d.task_token, schedule("a") + "," + closes[i]);
        auto t = types(history(id, run));
        EXPECT_EQ(t[4], "ActivityTaskScheduled");
        EXPECT_NE(t.back().find("Workflow"), std::string::npos) << t.back();
    }
}

TEST_F(service_test, a_member_inside_a_decision_is_named_by_its_place_in_the_list_as_aws_does) {
    start("w");
    auto d = poll_decision();
    // The message SWF gives a RecordMarker without its markerName.
    auto r = call("RespondDecisionTaskCompleted",
                  R"({"taskToken":")" + d.task_token + R"(","decisions":[{"decisionType":"RecordMarker",)"
                  R"("recordMarkerDecisionAttributes":{"details":"x"}}]})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("1 validation error detected: Value null at 'decisions.1.member.recordMarkerDecisionAttributes."
                          "markerName' failed to satisfy constraint: Member must not be null"),
              std::string::npos)
        << r.body;
    auto long_name = call("RespondDecisionTaskCompleted",
                          R"({"taskToken":")" + d.task_token + R"(","decisions":[)" + schedule("a") +
                              R"(,{"decisionType":"RecordMarker","recordMarkerDecisionAttributes":{"markerName":")" +
                              std::string(257, 'm') + R"("}}]})");
    EXPECT_NE(long_name.body.find("Value at 'decisions.2.member.recordMarkerDecisionAttributes.markerName' failed to "
                                  "satisfy constraint: Member must have length less than or equal to 256"),
              std::string::npos)
        << long_name.body;
    auto tag = call("StartWorkflowExecution", R"({"domain":"d","workflowId":"t","workflowType":{"name":"wf","version":"1"},)"
                                              R"("tagList":["ok",")" + std::string(257, 't') + R"("]})");
    EXPECT_NE(tag.body.find("Value at 'tagList.2.member' failed to satisfy constraint: Member must have length "
                            "less than or equal to 256"),
              std::string::npos)
        << tag.body;
}

TEST_F(service_test, start_at_previous_started_event_gives_only_the_new_events) {
    start("w");
    decide(poll_decision().task_token, "");
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
    auto t = poll_decision("deciders", R"(,"startAtPreviousStartedEvent":true)");
    ASSERT_FALSE(t.task_token.empty());
    EXPECT_EQ(t.previous_started_event_id, 3);
    ASSERT_FALSE(t.events.empty());
    EXPECT_EQ(t.events.front().event_id, 3) << "from the previous DecisionTaskStarted on";
    EXPECT_EQ(types(t.events), (std::vector<std::string>{"DecisionTaskStarted", "DecisionTaskCompleted",
                                                         "WorkflowExecutionSignaled", "DecisionTaskScheduled",
                                                         "DecisionTaskStarted"}));
}

} // namespace
} // namespace swfrt::swf::service
