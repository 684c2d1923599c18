// The dev server's state in SQLite: what one service wrote is what the next
// takes up, with its tasks' tokens, timers and timeouts.
#include "swf/service/store.hpp"

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"
#include "swf/service/service.hpp"

namespace swfrt::swf::service {
namespace {

using namespace std::chrono_literals;
namespace model = swf::model;

class store_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("swfrt-store-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "state.db").string();
    }
    void TearDown() override {
        svc_.reset();
        db_.reset();
        std::filesystem::remove_all(dir_);
    }
    // A service on the file, restored from what it holds.
    void open() {
        svc_.reset();
        db_.reset();
        auto db = store::open(path_);
        ASSERT_TRUE(db) << db.error().to_string();
        db_ = std::move(*db);
        service_options o;
        o.clock = &clock_;
        o.durable = db_.get();
        svc_ = std::make_unique<service>(std::move(o));
        auto r = svc_->restore();
        ASSERT_TRUE(r) << r.error().to_string();
    }
    std::string ok(std::string_view op, std::string_view body) {
        auto r = svc_->handle(op, body).now.value_or(reply{});
        EXPECT_EQ(r.status, 200) << op << ": " << r.body;
        return r.body;
    }
    template <class T>
    T decoded(const std::string& json) {
        auto v = codec::decode<T>(json);
        EXPECT_TRUE(v) << json;
        return v ? std::move(*v) : T{};
    }
    std::string history(const std::string& run) {
        return ok("GetWorkflowExecutionHistory", R"({"domain":"d","execution":{"workflowId":"w","runId":")" + run + R"("}})");
    }

    std::filesystem::path dir_;
    std::string path_;
    swf::manual_clock clock_;
    std::unique_ptr<store> db_;
    std::unique_ptr<service> svc_;
};

TEST_F(store_test, a_restarted_service_has_everything_acknowledged_and_rearms_its_timers) {
    open();
    ok("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1","tags":[{"key":"team","value":"a"}]})");
    ok("RegisterWorkflowType", R"({"domain":"d","name":"wf","version":"1","defaultTaskList":{"name":"deciders"},)"
                               R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30","defaultChildPolicy":"TERMINATE"})");
    ok("RegisterActivityType", R"({"domain":"d","name":"act","version":"1","defaultTaskList":{"name":"workers"},)"
                               R"("defaultTaskScheduleToStartTimeout":"NONE","defaultTaskScheduleToCloseTimeout":"NONE",)"
                               R"("defaultTaskStartToCloseTimeout":"NONE","defaultTaskHeartbeatTimeout":"100"})");
    const auto run = decoded<model::run>(ok("StartWorkflowExecution",
                                            R"({"domain":"d","workflowId":"w","workflowType":{"name":"wf","version":"1"},"input":"in"})"))
                         .run_id.value_or("");
    auto d = decoded<model::decision_task>(ok("PollForDecisionTask", R"({"domain":"d","taskList":{"name":"deciders"}})"));
    ok("RespondDecisionTaskCompleted",
       R"({"taskToken":")" + d.task_token + R"(","executionContext":"ctx","decisions":[)"
       R"({"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t","startToFireTimeout":"50"}},)"
       R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"a","activityType":{"name":"act","version":"1"}}}]})");
    auto a = decoded<model::activity_task>(ok("PollForActivityTask", R"({"domain":"d","taskList":{"name":"workers"}})"));
    ok("RecordActivityTaskHeartbeat", R"({"taskToken":")" + a.task_token + R"(","details":"half way"})");
    ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s","input":"sig"})");
    const std::string before = history(run);

    open(); // a new service on the same file, as after a restart
    EXPECT_EQ(history(run), before) << "the history is not what was acknowledged";
    auto domain = decoded<model::domain_detail>(ok("DescribeDomain", R"({"name":"d"})"));
    EXPECT_EQ(domain.configuration.workflow_execution_retention_period_in_days, "1");
    auto detail = decoded<model::workflow_execution_detail>(
        ok("DescribeWorkflowExecution", R"({"domain":"d","execution":{"workflowId":"w","runId":")" + run + R"("}})"));
    EXPECT_EQ(detail.latest_execution_context, "ctx");
    EXPECT_EQ(detail.open_counts.open_timers, 1);
    EXPECT_EQ(detail.open_counts.open_activity_tasks, 1);
    EXPECT_EQ(detail.open_counts.open_decision_tasks, 1) << "the signal's decision task";
    // The worker's token still answers its task; the scheduled decision
    // task is handed out; the timer fires at its time.
    ok("RespondActivityTaskCompleted", R"({"taskToken":")" + a.task_token + R"(","result":"r"})");
    auto d2 = decoded<model::decision_task>(ok("PollForDecisionTask", R"({"domain":"d","taskList":{"name":"deciders"}})"));
    EXPECT_FALSE(d2.task_token.empty());
    EXPECT_EQ(d2.previous_started_event_id, 3);
    ok("RespondDecisionTaskCompleted", R"({"taskToken":")" + d2.task_token + R"("})");
    clock_.advance(49s);
    svc_->fire_due();
    EXPECT_EQ(history(run).find("TimerFired"), std::string::npos);
    clock_.advance(1s);
    svc_->fire_due();
    EXPECT_NE(history(run).find("TimerFired"), std::string::npos) << "the timer was not re-armed";

    // And once more: the events of the second life were written too.
    const std::string after = history(run);
    open();
    EXPECT_EQ(history(run), after);
    auto again = svc_->handle("StartWorkflowExecution", R"({"domain":"d","workflowId":"w","workflowType":{"name":"wf","version":"1"}})");
    EXPECT_NE(again.now->body.find("WorkflowExecutionAlreadyStartedFault"), std::string::npos);
}

TEST_F(store_test, an_execution_past_its_retention_is_deleted_from_the_file_and_its_serial_not_reused) {
    open();
    ok("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})");
    ok("RegisterWorkflowType", R"({"domain":"d","name":"wf","version":"1","defaultTaskList":{"name":"deciders"},)"
                               R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30","defaultChildPolicy":"TERMINATE"})");
    auto start = [&](const std::string& id) {
        return decoded<model::run>(ok("StartWorkflowExecution", R"({"domain":"d","workflowId":")" + id +
                                                                    R"(","workflowType":{"name":"wf","version":"1"}})"))
            .run_id.value_or("");
    };
    const auto old_run = start("w");
    auto d = decoded<model::decision_task>(ok("PollForDecisionTask", R"({"domain":"d","taskList":{"name":"deciders"}})"));
    const std::string old_token = d.task_token;
    ok("TerminateWorkflowExecution", R"({"domain":"d","workflowId":"w"})");
    // Closed: kept across a restart until its day is over, then forgotten
    // by a server that was down when it ended.
    open();
    EXPECT_NE(history(old_run).find("WorkflowExecutionTerminated"), std::string::npos);
    clock_.advance(24h);
    open();
    svc_->fire_due();
    auto gone = svc_->handle("GetWorkflowExecutionHistory",
                             R"({"domain":"d","execution":{"workflowId":"w","runId":")" + old_run + R"("}})");
    EXPECT_NE(gone.now->body.find("UnknownResourceFault"), std::string::npos) << gone.now->body;
    open();
    gone = svc_->handle("GetWorkflowExecutionHistory",
                        R"({"domain":"d","execution":{"workflowId":"w","runId":")" + old_run + R"("}})");
    EXPECT_NE(gone.now->body.find("UnknownResourceFault"), std::string::npos) << "deleted, but read back from the file";
    // A new execution gets a serial of its own: the old task's token does
    // not name it.
    const auto new_run = start("w");
    auto d2 = decoded<model::decision_task>(ok("PollForDecisionTask", R"({"domain":"d","taskList":{"name":"deciders"}})"));
    ASSERT_FALSE(d2.task_token.empty());
    EXPECT_NE(d2.task_token, old_token);
    auto stale = svc_->handle("RespondDecisionTaskCompleted", R"({"taskToken":")" + old_token + R"("})");
    EXPECT_NE(stale.now->body.find("UnknownResourceFault"), std::string::npos) << stale.now->body;
    EXPECT_NE(history(new_run).find("DecisionTaskStarted"), std::string::npos);
}

TEST_F(store_test, a_heartbeat_timeout_due_while_down_fires_after_the_restart) {
    open();
    ok("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})");
    ok("RegisterWorkflowType", R"({"domain":"d","name":"wf","version":"1","defaultTaskList":{"name":"deciders"},)"
                               R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30","defaultChildPolicy":"TERMINATE"})");
    ok("RegisterActivityType", R"({"domain":"d","name":"act","version":"1","defaultTaskList":{"name":"workers"},)"
                               R"("defaultTaskScheduleToStartTimeout":"NONE","defaultTaskScheduleToCloseTimeout":"NONE",)"
                               R"("defaultTaskStartToCloseTimeout":"NONE","defaultTaskHeartbeatTimeout":"10"})");
    const auto run = decoded<model::run>(ok("StartWorkflowExecution", R"({"domain":"d","workflowId":"w","workflowType":{"name":"wf","version":"1"}})"))
                         .run_id.value_or("");
    auto d = decoded<model::decision_task>(ok("PollForDecisionTask", R"({"domain":"d","taskList":{"name":"deciders"}})"));
    ok("RespondDecisionTaskCompleted", R"({"taskToken":")" + d.task_token + R"(","decisions":[)"
                                       R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"a","activityType":{"name":"act","version":"1"}}}]})");
    ok("PollForActivityTask", R"({"domain":"d","taskList":{"name":"workers"}})");
    svc_.reset();
    clock_.advance(60s); // down for a minute
    open();
    svc_->fire_due();
    EXPECT_NE(history(run).find("ActivityTaskTimedOut"), std::string::npos);
}

TEST_F(store_test, one_writer_a_second_server_on_the_file_is_refused) {
    open();
    ok("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})");
    auto second = store::open(path_);
    ASSERT_FALSE(second) << "a second store opened a file another one holds";
    EXPECT_NE(second.error().message.find(path_), std::string::npos);
    EXPECT_NE(second.error().message.find("locked"), std::string::npos) << second.error().message;
}

TEST_F(store_test, a_file_that_is_not_sqlite_is_an_error_naming_it) {
    {
        std::FILE* f = std::fopen(path_.c_str(), "w");
        std::fputs("not a database, just text that is long enough to be read as a header by sqlite\n", f);
        std::fclose(f);
    }
    auto db = store::open(path_);
    ASSERT_FALSE(db);
    EXPECT_NE(db.error().message.find(path_), std::string::npos) << db.error().message;
}

} // namespace
} // namespace swfrt::swf::service
