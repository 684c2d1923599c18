// The four role facades (workflow, decision, activity, registration) over a
// client whose transport answers by operation from a script and records each
// request. Request bodies are decoded back into model structs to check what
// the roles send; no network and no sleeping.
#include "swf/client/roles.hpp"

#include "swf/client/blocking.hpp"
#include "swf/codec/codec.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace swfrt::swf;
using std::chrono::milliseconds;

constexpr std::string_view target_prefix = "SimpleWorkflowService.";
const std::string marker(client::truncation_marker);

std::string repeat(std::string_view piece, std::size_t n) {
    std::string s;
    s.reserve(piece.size() * n);
    for (std::size_t i = 0; i < n; ++i) s += piece;
    return s;
}

// Answers each request from the queue of its operation (the X-Amz-Target
// header) and records the operation and body. An operation with no answer
// left gets a fatal "ScriptExhausted" error.
class scripted_swf {
public:
    struct call {
        std::string op;
        std::string body;
    };

    void answer(std::string_view op, std::string body, int status = 200) {
        http::response r;
        r.status = status;
        r.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
        r.body = std::move(body);
        script_[std::string(op)].push_back(std::move(r));
    }

    void fault(std::string_view op, std::string_view type, std::string_view message, int status = 400) {
        answer(op,
               R"({"__type":"com.amazonaws.swf.base.model#)" + std::string(type) + R"(","message":")" +
                   std::string(message) + R"("})",
               status);
    }

    asio::awaitable<result<http::response>> send(http::request req, std::optional<milliseconds>) {
        std::string op;
        for (const auto& [name, value] : req.headers)
            if (name == "X-Amz-Target" && value.starts_with(target_prefix)) op = value.substr(target_prefix.size());
        calls.push_back({op, req.body});
        auto it = script_.find(op);
        if (it == script_.end() || it->second.empty())
            co_return make_error(error_kind::fatal, "ScriptExhausted", "no scripted answer for " + op);
        auto r = std::move(it->second.front());
        it->second.pop_front();
        co_return r;
    }

    std::vector<std::string> ops() const {
        std::vector<std::string> out;
        for (const auto& c : calls) out.push_back(c.op);
        return out;
    }

    std::size_t unanswered() const {
        std::size_t n = 0;
        for (const auto& [op, q] : script_) n += q.size();
        return n;
    }

    std::vector<call> calls;

private:
    std::map<std::string, std::deque<http::response>> script_;
};

class role_test : public ::testing::Test {
protected:
    client::client_options options() {
        client::client_options o;
        o.region = "us-east-1";
        o.endpoint_url = "https://swf.us-east-1.amazonaws.com";
        o.clock = &clock_;
        o.transport = [s = swf_](http::request req, std::optional<milliseconds> rt) {
            return s->send(std::move(req), rt);
        };
        o.sleep = [this](milliseconds d) -> asio::awaitable<void> {
            slept_ += d;
            if (sleep_advances_clock_) clock_.advance(d);
            co_return;
        };
        o.random = [] { return 0.5; };
        return o;
    }

    std::shared_ptr<auth::static_provider> credentials() {
        auth::credentials creds;
        creds.access_key_id = "AKIDEXAMPLE";
        creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        return std::make_shared<auth::static_provider>(creds);
    }

    std::shared_ptr<client::client> make() {
        auto c = client::client::create(ioc_.get_executor(), credentials(), options());
        if (!c) throw std::runtime_error(c.error().to_string());
        return *c;
    }

    template <class T>
    T run(asio::awaitable<T> op) {
        return swfrt::testing::run_on(ioc_, std::move(op));
    }

    // The body of the i-th request, checked to be operation op and decoded
    // strictly (only members the model knows).
    template <class T>
    T sent(std::size_t i, std::string_view op) {
        if (i >= swf_->calls.size()) {
            ADD_FAILURE() << "request " << i << " (" << op << ") was never sent";
            return T{};
        }
        EXPECT_EQ(swf_->calls[i].op, op) << "request " << i;
        codec::decode_options strict;
        strict.strict = true;
        auto r = codec::decode<T>(swf_->calls[i].body, strict);
        if (!r) {
            ADD_FAILURE() << "request " << i << " body does not decode: " << r.error().to_string() << "\n"
                          << swf_->calls[i].body;
            return T{};
        }
        return std::move(*r);
    }

    asio::io_context ioc_;
    manual_clock clock_;
    std::shared_ptr<scripted_swf> swf_ = std::make_shared<scripted_swf>();
    milliseconds slept_{0};
    bool sleep_advances_clock_ = false;
};

std::string execution_info_json(std::string_view workflow_id, std::string_view status = "OPEN") {
    return R"({"execution":{"workflowId":")" + std::string(workflow_id) + R"(","runId":"run-)" +
           std::string(workflow_id) + R"("},"workflowType":{"name":"order","version":"1"},)" +
           R"("startTimestamp":1700000000.25,"executionStatus":")" + std::string(status) + R"("})";
}

std::string infos_page(const std::vector<std::string>& ids, std::optional<std::string> next,
                       std::string_view status = "OPEN") {
    std::string s = R"({"executionInfos":[)";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) s += ',';
        s += execution_info_json(ids[i], status);
    }
    s += ']';
    if (next) s += R"(,"nextPageToken":")" + *next + '"';
    return s + '}';
}

std::string event_json(int id) {
    static const char* types[] = {"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                  "DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
                                  "ActivityTaskCompleted"};
    return R"({"eventId":)" + std::to_string(id) + R"(,"eventTimestamp":)" + std::to_string(1700000000 + id) +
           R"(,"eventType":")" + types[(id - 1) % 7] + R"("})";
}

std::string events_json(const std::vector<int>& ids) {
    std::string s = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) s += ',';
        s += event_json(ids[i]);
    }
    return s + ']';
}

std::string history_page(const std::vector<int>& ids, std::optional<std::string> next) {
    std::string s = R"({"events":)" + events_json(ids);
    if (next) s += R"(,"nextPageToken":")" + *next + '"';
    return s + '}';
}

std::string decision_page(const std::vector<int>& ids, std::optional<std::string> next) {
    std::string s = R"({"taskToken":"decision-token","startedEventId":7,"previousStartedEventId":3,)"
                    R"("workflowExecution":{"workflowId":"order-42","runId":"run-9"},)"
                    R"("workflowType":{"name":"order","version":"1"},"events":)" +
                    events_json(ids);
    if (next) s += R"(,"nextPageToken":")" + *next + '"';
    return s + '}';
}

std::vector<std::int64_t> event_ids(const std::vector<model::history_event>& events) {
    std::vector<std::int64_t> out;
    for (const auto& e : events) out.push_back(e.event_id);
    return out;
}

std::vector<std::string> workflow_ids(const std::vector<model::workflow_execution_info>& infos) {
    std::vector<std::string> out;
    for (const auto& i : infos) out.push_back(i.execution.workflow_id);
    return out;
}

// ------------------------------------------------------------ workflow_client

using workflow_client_test = role_test;

TEST_F(workflow_client_test, start_fills_the_domain_and_returns_the_run_id) {
    swf_->answer("StartWorkflowExecution", R"({"runId":"22Ab9xz"})");
    client::workflow_client wf(make(), "orders");
    model::start_workflow_execution_input in;
    in.workflow_id = "order-42";
    in.workflow_type = {"order", "1"};
    in.input = R"({"sku":"A1"})";
    auto r = run(wf.start(in));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "22Ab9xz");

    auto req = sent<model::start_workflow_execution_input>(0, "StartWorkflowExecution");
    EXPECT_EQ(req.domain, "orders");
    EXPECT_EQ(req.workflow_id, "order-42");
    EXPECT_EQ(req.workflow_type, (model::workflow_type{"order", "1"}));
    EXPECT_EQ(req.input, R"({"sku":"A1"})");
    EXPECT_EQ(swf_->calls.size(), 1u);
}

TEST_F(workflow_client_test, start_keeps_an_explicit_domain_and_returns_faults) {
    swf_->fault("StartWorkflowExecution", "WorkflowExecutionAlreadyStartedFault", "already running");
    client::workflow_client wf(make(), "orders");
    model::start_workflow_execution_input in;
    in.domain = "billing";
    in.workflow_id = "order-42";
    in.workflow_type = {"order", "1"};
    auto r = run(wf.start(in));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "WorkflowExecutionAlreadyStartedFault");
    EXPECT_EQ(r.error().kind, error_kind::conflict);
    EXPECT_EQ(sent<model::start_workflow_execution_input>(0, "StartWorkflowExecution").domain, "billing");
}

TEST_F(workflow_client_test, signal_builds_the_request) {
    swf_->answer("SignalWorkflowExecution", "");
    swf_->answer("SignalWorkflowExecution", "");
    client::workflow_client wf(make(), "orders");
    ASSERT_TRUE(run(wf.signal("order-42", "payment-received", std::string(R"({"amount":12})"), std::string("run-9"))));
    ASSERT_TRUE(run(wf.signal("order-43", "ping")));

    auto first = sent<model::signal_workflow_execution_input>(0, "SignalWorkflowExecution");
    EXPECT_EQ(first.domain, "orders");
    EXPECT_EQ(first.workflow_id, "order-42");
    EXPECT_EQ(first.signal_name, "payment-received");
    EXPECT_EQ(first.input, R"({"amount":12})");
    EXPECT_EQ(first.run_id, "run-9");

    auto second = sent<model::signal_workflow_execution_input>(1, "SignalWorkflowExecution");
    EXPECT_EQ(second.workflow_id, "order-43");
    EXPECT_EQ(second.signal_name, "ping");
    EXPECT_FALSE(second.input);
    EXPECT_FALSE(second.run_id);
}

TEST_F(workflow_client_test, request_cancel_builds_the_request) {
    swf_->answer("RequestCancelWorkflowExecution", "");
    swf_->fault("RequestCancelWorkflowExecution", "UnknownResourceFault", "no such execution");
    client::workflow_client wf(make(), "orders");
    ASSERT_TRUE(run(wf.request_cancel("order-42", std::string("run-9"))));
    auto r = run(wf.request_cancel("order-43"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");

    auto first = sent<model::request_cancel_workflow_execution_input>(0, "RequestCancelWorkflowExecution");
    EXPECT_EQ(first.domain, "orders");
    EXPECT_EQ(first.workflow_id, "order-42");
    EXPECT_EQ(first.run_id, "run-9");
    auto second = sent<model::request_cancel_workflow_execution_input>(1, "RequestCancelWorkflowExecution");
    EXPECT_EQ(second.workflow_id, "order-43");
    EXPECT_FALSE(second.run_id);
}

TEST_F(workflow_client_test, terminate_builds_the_request) {
    swf_->answer("TerminateWorkflowExecution", "");
    client::workflow_client wf(make(), "orders");
    ASSERT_TRUE(run(wf.terminate("order-42", std::string("run-9"), std::string("operator request"),
                                 std::string("ticket 7"), model::child_policy::abandon)));
    auto req = sent<model::terminate_workflow_execution_input>(0, "TerminateWorkflowExecution");
    EXPECT_EQ(req.domain, "orders");
    EXPECT_EQ(req.workflow_id, "order-42");
    EXPECT_EQ(req.run_id, "run-9");
    EXPECT_EQ(req.reason, "operator request");
    EXPECT_EQ(req.details, "ticket 7");
    EXPECT_EQ(req.child_policy, model::child_policy::abandon);
    EXPECT_NE(swf_->calls[0].body.find(R"("childPolicy":"ABANDON")"), std::string::npos) << swf_->calls[0].body;
}

TEST_F(workflow_client_test, terminate_cuts_a_long_reason_to_256_with_the_marker) {
    swf_->answer("TerminateWorkflowExecution", "");
    client::workflow_client wf(make(), "orders");
    ASSERT_TRUE(run(wf.terminate("order-42", {}, std::string(300, 'r'), std::string(40000, 'd'))));
    auto req = sent<model::terminate_workflow_execution_input>(0, "TerminateWorkflowExecution");
    ASSERT_TRUE(req.reason);
    EXPECT_EQ(codec::swf_length(*req.reason), 256u);
    EXPECT_EQ(*req.reason, std::string(256 - marker.size(), 'r') + marker);
    ASSERT_TRUE(req.details);
    EXPECT_EQ(*req.details, std::string(32768 - marker.size(), 'd') + marker);
    EXPECT_FALSE(req.run_id);
    EXPECT_FALSE(req.child_policy);
}

TEST_F(workflow_client_test, list_open_follows_next_page_token_and_merges) {
    swf_->answer("ListOpenWorkflowExecutions", infos_page({"a"}, "page-2"));
    swf_->answer("ListOpenWorkflowExecutions", infos_page({"b", "c"}, "page-3"));
    swf_->answer("ListOpenWorkflowExecutions", infos_page({"d"}, std::nullopt));
    client::workflow_client wf(make(), "orders");
    model::list_open_workflow_executions_input in;
    in.tag_filter.emplace().tag = "vip";
    in.start_time_filter.oldest_date = 1600000000;
    auto r = run(wf.list_open(in));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(workflow_ids(*r), (std::vector<std::string>{"a", "b", "c", "d"}));
    EXPECT_EQ((*r)[1].execution.run_id, "run-b");

    ASSERT_EQ(swf_->calls.size(), 3u);
    std::vector<std::optional<std::string>> tokens = {std::nullopt, "page-2", "page-3"};
    for (std::size_t i = 0; i < 3; ++i) {
        auto req = sent<model::list_open_workflow_executions_input>(i, "ListOpenWorkflowExecutions");
        EXPECT_EQ(req.domain, "orders") << i;
        EXPECT_EQ(req.next_page_token, tokens[i]) << i;
        ASSERT_TRUE(req.tag_filter) << i;
        EXPECT_EQ(req.tag_filter->tag, "vip");
        EXPECT_EQ(req.start_time_filter.oldest_date, 1600000000);
    }
}

TEST_F(workflow_client_test, list_open_returns_a_failing_page) {
    swf_->answer("ListOpenWorkflowExecutions", infos_page({"a"}, "page-2"));
    swf_->fault("ListOpenWorkflowExecutions", "UnknownResourceFault", "domain gone");
    client::workflow_client wf(make(), "orders");
    auto r = run(wf.list_open());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
    EXPECT_EQ(swf_->calls.size(), 2u);
}

TEST_F(workflow_client_test, list_closed_merges_pages_and_defaults_the_start_time_filter) {
    swf_->answer("ListClosedWorkflowExecutions", infos_page({"x", "y"}, "t2", "CLOSED"));
    swf_->answer("ListClosedWorkflowExecutions", infos_page({"z"}, std::nullopt, "CLOSED"));
    client::workflow_client wf(make(), "orders");
    auto r = run(wf.list_closed());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(workflow_ids(*r), (std::vector<std::string>{"x", "y", "z"}));
    EXPECT_EQ((*r)[2].execution_status, model::execution_status::closed);

    ASSERT_EQ(swf_->calls.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        auto req = sent<model::list_closed_workflow_executions_input>(i, "ListClosedWorkflowExecutions");
        EXPECT_EQ(req.domain, "orders");
        ASSERT_TRUE(req.start_time_filter) << i;
        EXPECT_EQ(req.start_time_filter->oldest_date, 0);
        EXPECT_FALSE(req.start_time_filter->latest_date);
        EXPECT_FALSE(req.close_time_filter) << i;
    }
    EXPECT_FALSE(sent<model::list_closed_workflow_executions_input>(0, "ListClosedWorkflowExecutions").next_page_token);
    EXPECT_EQ(sent<model::list_closed_workflow_executions_input>(1, "ListClosedWorkflowExecutions").next_page_token,
              "t2");
}

TEST_F(workflow_client_test, list_closed_keeps_a_given_filter) {
    swf_->answer("ListClosedWorkflowExecutions", infos_page({}, std::nullopt, "CLOSED"));
    swf_->answer("ListClosedWorkflowExecutions", infos_page({}, std::nullopt, "CLOSED"));
    client::workflow_client wf(make(), "orders");

    model::list_closed_workflow_executions_input by_close;
    by_close.close_time_filter.emplace().oldest_date = 1650000000;
    auto r1 = run(wf.list_closed(by_close));
    ASSERT_TRUE(r1) << r1.error().to_string();
    EXPECT_TRUE(r1->empty());
    auto req1 = sent<model::list_closed_workflow_executions_input>(0, "ListClosedWorkflowExecutions");
    EXPECT_FALSE(req1.start_time_filter);
    ASSERT_TRUE(req1.close_time_filter);
    EXPECT_EQ(req1.close_time_filter->oldest_date, 1650000000);

    model::list_closed_workflow_executions_input by_start;
    by_start.start_time_filter.emplace().oldest_date = 1660000000;
    ASSERT_TRUE(run(wf.list_closed(by_start)));
    auto req2 = sent<model::list_closed_workflow_executions_input>(1, "ListClosedWorkflowExecutions");
    ASSERT_TRUE(req2.start_time_filter);
    EXPECT_EQ(req2.start_time_filter->oldest_date, 1660000000);
    EXPECT_FALSE(req2.close_time_filter);
}

TEST_F(workflow_client_test, count_closed_defaults_the_start_time_filter) {
    swf_->answer("CountClosedWorkflowExecutions", R"({"count":12,"truncated":false})");
    swf_->answer("CountClosedWorkflowExecutions", R"({"count":3})");
    client::workflow_client wf(make(), "orders");
    auto r = run(wf.count_closed());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->count, 12);
    EXPECT_EQ(r->truncated, false);
    auto req = sent<model::count_closed_workflow_executions_input>(0, "CountClosedWorkflowExecutions");
    EXPECT_EQ(req.domain, "orders");
    ASSERT_TRUE(req.start_time_filter);
    EXPECT_EQ(req.start_time_filter->oldest_date, 0);
    EXPECT_FALSE(req.close_time_filter);

    model::count_closed_workflow_executions_input by_close;
    by_close.close_time_filter.emplace().oldest_date = 1650000000;
    auto r2 = run(wf.count_closed(by_close));
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->count, 3);
    auto req2 = sent<model::count_closed_workflow_executions_input>(1, "CountClosedWorkflowExecutions");
    EXPECT_FALSE(req2.start_time_filter);
    ASSERT_TRUE(req2.close_time_filter);
    EXPECT_EQ(req2.close_time_filter->oldest_date, 1650000000);
}

TEST_F(workflow_client_test, count_open_fills_the_domain) {
    swf_->answer("CountOpenWorkflowExecutions", R"({"count":5,"truncated":true})");
    client::workflow_client wf(make(), "orders");
    auto r = run(wf.count_open());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->count, 5);
    EXPECT_EQ(r->truncated, true);
    EXPECT_EQ(sent<model::count_open_workflow_executions_input>(0, "CountOpenWorkflowExecutions").domain, "orders");
}

TEST_F(workflow_client_test, history_merges_pages) {
    swf_->answer("GetWorkflowExecutionHistory", history_page({1, 2, 3}, "h2"));
    swf_->answer("GetWorkflowExecutionHistory", history_page({4, 5}, "h3"));
    swf_->answer("GetWorkflowExecutionHistory", history_page({6}, std::nullopt));
    client::workflow_client wf(make(), "orders");
    auto r = run(wf.history("order-42", "run-9"));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(event_ids(r->events), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_FALSE(r->next_page_token);
    EXPECT_EQ(r->events[0].event_type, model::event_type::workflow_execution_started);
    EXPECT_EQ(r->events[5].event_type, model::event_type::activity_task_started);

    ASSERT_EQ(swf_->calls.size(), 3u);
    std::vector<std::optional<std::string>> tokens = {std::nullopt, "h2", "h3"};
    for (std::size_t i = 0; i < 3; ++i) {
        auto req = sent<model::get_workflow_execution_history_input>(i, "GetWorkflowExecutionHistory");
        EXPECT_EQ(req.domain, "orders");
        EXPECT_EQ(req.execution, (model::workflow_execution{"run-9", "order-42"}));
        EXPECT_EQ(req.next_page_token, tokens[i]) << i;
    }
}

// ------------------------------------------------------------ decision_client

using decision_client_test = role_test;

TEST_F(decision_client_test, poll_follows_next_page_token_across_three_pages) {
    swf_->answer("PollForDecisionTask", decision_page({1, 2, 3}, "d2"));
    swf_->answer("PollForDecisionTask", decision_page({4, 5}, "d3"));
    swf_->answer("PollForDecisionTask", decision_page({6, 7}, std::nullopt));
    client::decision_client dc(make(), "orders", "deciders", "host-1");
    auto r = run(dc.poll());
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(*r);
    const auto& task = **r;
    EXPECT_EQ(task.task_token, "decision-token");
    EXPECT_EQ(task.started_event_id, 7);
    EXPECT_EQ(task.previous_started_event_id, 3);
    EXPECT_EQ(task.workflow_execution, (model::workflow_execution{"run-9", "order-42"}));
    EXPECT_EQ(task.workflow_type, (model::workflow_type{"order", "1"}));
    EXPECT_EQ(event_ids(task.events), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(task.events[6].event_type, model::event_type::activity_task_completed);
    EXPECT_FALSE(task.next_page_token);

    ASSERT_EQ(swf_->calls.size(), 3u);
    std::vector<std::optional<std::string>> tokens = {std::nullopt, "d2", "d3"};
    for (std::size_t i = 0; i < 3; ++i) {
        auto req = sent<model::poll_for_decision_task_input>(i, "PollForDecisionTask");
        EXPECT_EQ(req.domain, "orders") << i;
        EXPECT_EQ(req.task_list.name, "deciders") << i;
        EXPECT_EQ(req.identity, "host-1") << i;
        EXPECT_EQ(req.next_page_token, tokens[i]) << i;
    }
}

TEST_F(decision_client_test, empty_poll_is_nullopt) {
    swf_->answer("PollForDecisionTask", "{}");
    swf_->answer("PollForDecisionTask", R"({"previousStartedEventId":0,"startedEventId":0,"events":[]})");
    client::decision_client dc(make(), "orders", "deciders", "host-1");
    for (int i = 0; i < 2; ++i) {
        auto r = run(dc.poll());
        ASSERT_TRUE(r) << i << ": " << r.error().to_string();
        EXPECT_FALSE(*r) << i;
    }
    EXPECT_EQ(swf_->calls.size(), 2u);
}

TEST_F(decision_client_test, poll_without_identity_leaves_it_unset) {
    swf_->answer("PollForDecisionTask", "{}");
    client::decision_client dc(make(), "orders", "deciders", "");
    auto r = run(dc.poll());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(*r);
    auto req = sent<model::poll_for_decision_task_input>(0, "PollForDecisionTask");
    EXPECT_FALSE(req.identity);
    EXPECT_EQ(req.task_list.name, "deciders");
}

TEST_F(decision_client_test, repeated_next_page_token_is_a_pagination_loop) {
    swf_->answer("PollForDecisionTask", decision_page({1, 2}, "again"));
    swf_->answer("PollForDecisionTask", decision_page({3}, "again"));
    swf_->answer("PollForDecisionTask", decision_page({4}, std::nullopt));
    client::decision_client dc(make(), "orders", "deciders", "host-1");
    auto r = run(dc.poll());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "PaginationLoop");
    EXPECT_NE(r.error().message.find("PollForDecisionTask"), std::string::npos) << r.error().message;
    EXPECT_EQ(swf_->calls.size(), 2u);
    EXPECT_EQ(swf_->unanswered(), 1u);
}

TEST_F(decision_client_test, a_failing_history_page_fails_the_poll) {
    swf_->answer("PollForDecisionTask", decision_page({1, 2}, "d2"));
    swf_->fault("PollForDecisionTask", "UnknownResourceFault", "execution closed");
    client::decision_client dc(make(), "orders", "deciders", "host-1");
    auto r = run(dc.poll());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
    EXPECT_EQ(r.error().kind, error_kind::not_found);
}

TEST_F(decision_client_test, a_later_page_is_retried_past_max_attempts_while_the_task_can_be_answered) {
    // Three attempts (the generic budget) would lose the task; the page of
    // a started task is retried until its start-to-close timeout.
    swf_->answer("PollForDecisionTask", decision_page({1, 2}, "d2"));
    for (int i = 0; i < 6; ++i) swf_->fault("PollForDecisionTask", "InternalFailure", "try again", 500);
    swf_->answer("PollForDecisionTask", decision_page({3}, std::nullopt));
    client::decision_client dc(make(), "orders", "deciders", "host-1");
    auto r = run(dc.poll());
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(*r);
    EXPECT_EQ(event_ids((*r)->events), (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(swf_->calls.size(), 8u);
}

std::string started_page(std::string_view task_timeout, std::optional<std::string> next) {
    std::string s = R"({"taskToken":"decision-token","startedEventId":3,)"
                    R"("workflowExecution":{"workflowId":"order-42","runId":"run-9"},)"
                    R"("workflowType":{"name":"order","version":"1"},"events":[)"
                    R"({"eventId":1,"eventTimestamp":1700000001,"eventType":"WorkflowExecutionStarted",)"
                    R"("workflowExecutionStartedEventAttributes":{"childPolicy":"TERMINATE",)"
                    R"("taskList":{"name":"deciders"},"workflowType":{"name":"order","version":"1"},)"
                    R"("taskStartToCloseTimeout":")" +
                    std::string(task_timeout) + R"("}}])";
    if (next) s += R"(,"nextPageToken":")" + *next + '"';
    return s + '}';
}

TEST_F(decision_client_test, a_later_page_is_given_up_when_the_task_timeout_has_passed) {
    sleep_advances_clock_ = true;
    swf_->answer("PollForDecisionTask", started_page("5", "d2"));
    for (int i = 0; i < 20; ++i) swf_->fault("PollForDecisionTask", "ServiceUnavailable", "busy", 503);
    client::decision_client dc(make(), "orders", "deciders", "host-1");
    auto r = run(dc.poll());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ServiceUnavailable");
    EXPECT_NE(r.error().message.find("page 2"), std::string::npos) << r.error().message;
    // Back-off 0.5 s, 1 s, 2 s, then 0.5 s instead of 4 s: the last attempt
    // a second before the 5 s timeout.
    EXPECT_EQ(swf_->calls.size(), 1u + 5u);
    EXPECT_EQ(slept_, milliseconds{4000});
}

TEST_F(decision_client_test, endless_fresh_page_tokens_end_at_the_event_limit) {
    // A peer that never stops paging once grew memory until bad_alloc.
    swf_->answer("PollForDecisionTask", decision_page({1, 2, 3}, "t0"));
    for (int i = 1; i < 50; ++i)
        swf_->answer("PollForDecisionTask", decision_page({3 * i + 1, 3 * i + 2, 3 * i + 3}, "t" + std::to_string(i)));
    client::history_limits limits;
    limits.max_events = 10;
    client::decision_client dc(make(), "orders", "deciders", "host-1", limits);
    auto r = run(dc.poll());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "HistoryTooLarge");
    EXPECT_NE(r.error().message.find("12 events, over the limit of 10"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("order-42"), std::string::npos) << r.error().message;
    EXPECT_EQ(swf_->calls.size(), 4u);
}

TEST_F(decision_client_test, endless_pages_end_at_the_byte_limit) {
    swf_->answer("PollForDecisionTask", decision_page({1}, "t0"));
    for (int i = 1; i < 50; ++i) swf_->answer("PollForDecisionTask", decision_page({}, "t" + std::to_string(i)));
    client::history_limits limits;
    limits.max_bytes = 2000;
    client::decision_client dc(make(), "orders", "deciders", "host-1", limits);
    auto r = run(dc.poll());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "HistoryTooLarge");
    EXPECT_NE(r.error().message.find("bytes, over the limit of 2000"), std::string::npos) << r.error().message;
    EXPECT_LT(swf_->calls.size(), 20u);
}

TEST(decision_answer_deadline, from_the_task_the_workflow_or_the_fallback) {
    const swfrt::swf::clock::time_point t0{std::chrono::seconds{1700000000}};
    model::decision_task task;
    EXPECT_EQ(client::decision_answer_deadline(task, t0), t0 + client::unknown_task_timeout);
    auto& started = task.events.emplace_back();
    started.event_type = model::event_type::workflow_execution_started;
    started.workflow_execution_started_event_attributes.emplace().task_start_to_close_timeout = "30";
    EXPECT_EQ(client::decision_answer_deadline(task, t0), t0 + std::chrono::seconds{30});
    auto& scheduled = task.events.emplace_back();
    scheduled.event_type = model::event_type::decision_task_scheduled;
    scheduled.decision_task_scheduled_event_attributes.emplace().start_to_close_timeout = "120";
    EXPECT_EQ(client::decision_answer_deadline(task, t0), t0 + std::chrono::seconds{120});
    scheduled.decision_task_scheduled_event_attributes->start_to_close_timeout = "NONE";
    EXPECT_EQ(client::decision_answer_deadline(task, t0), t0 + std::chrono::seconds{30});
}

TEST_F(decision_client_test, respond_completed_sends_the_decisions) {
    swf_->answer("RespondDecisionTaskCompleted", "");
    client::decision_client dc(make(), "orders", "deciders", "host-1");

    std::vector<model::decision> decisions(2);
    decisions[0].decision_type = model::decision_type::schedule_activity_task;
    auto& schedule = decisions[0].schedule_activity_task_decision_attributes.emplace();
    schedule.activity_id = "1";
    schedule.activity_type = {"resize", "2"};
    schedule.input = R"({"w":100})";
    schedule.task_list.emplace().name = "images";
    decisions[1].decision_type = model::decision_type::complete_workflow_execution;
    decisions[1].complete_workflow_execution_decision_attributes.emplace().result_ = "done";

    auto r = run(dc.respond_completed("decision-token", decisions, std::string("ctx-1")));
    ASSERT_TRUE(r) << r.error().to_string();
    auto req = sent<model::respond_decision_task_completed_input>(0, "RespondDecisionTaskCompleted");
    EXPECT_EQ(req.task_token, "decision-token");
    EXPECT_EQ(req.execution_context, "ctx-1");
    ASSERT_EQ(req.decisions.size(), 2u);
    EXPECT_TRUE(req.decisions == decisions);
    EXPECT_EQ(req.decisions[0].decision_type, model::decision_type::schedule_activity_task);
    ASSERT_TRUE(req.decisions[0].schedule_activity_task_decision_attributes);
    EXPECT_EQ(req.decisions[0].schedule_activity_task_decision_attributes->activity_type.name, "resize");
    ASSERT_TRUE(req.decisions[1].complete_workflow_execution_decision_attributes);
    EXPECT_EQ(req.decisions[1].complete_workflow_execution_decision_attributes->result_, "done");
    EXPECT_NE(swf_->calls[0].body.find(R"("decisionType":"ScheduleActivityTask")"), std::string::npos);
}

TEST_F(decision_client_test, respond_completed_passes_a_whole_request_through) {
    swf_->answer("RespondDecisionTaskCompleted", "");
    client::decision_client dc(make(), "orders", "deciders", "host-1");
    model::respond_decision_task_completed_input in;
    in.task_token = "decision-token";
    in.task_list.emplace().name = "sticky-host-1";
    in.task_list_schedule_to_start_timeout = "5";
    auto r = run(dc.respond_completed(in));
    ASSERT_TRUE(r) << r.error().to_string();
    auto req = sent<model::respond_decision_task_completed_input>(0, "RespondDecisionTaskCompleted");
    EXPECT_TRUE(req == in);
    EXPECT_TRUE(req.decisions.empty());
}

// ------------------------------------------------------------ activity_client

using activity_client_test = role_test;

TEST_F(activity_client_test, poll_returns_the_task) {
    swf_->answer("PollForActivityTask",
                 R"({"taskToken":"activity-token","activityId":"1","startedEventId":6,)"
                 R"("workflowExecution":{"workflowId":"order-42","runId":"run-9"},)"
                 R"("activityType":{"name":"resize","version":"2"},"input":"{\"w\":100}"})");
    client::activity_client ac(make(), "orders", "images", "host-2");
    auto r = run(ac.poll());
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(*r);
    EXPECT_EQ((*r)->task_token, "activity-token");
    EXPECT_EQ((*r)->activity_id, "1");
    EXPECT_EQ((*r)->started_event_id, 6);
    EXPECT_EQ((*r)->activity_type, (model::activity_type{"resize", "2"}));
    EXPECT_EQ((*r)->workflow_execution, (model::workflow_execution{"run-9", "order-42"}));
    EXPECT_EQ((*r)->input, R"({"w":100})");

    auto req = sent<model::poll_for_activity_task_input>(0, "PollForActivityTask");
    EXPECT_EQ(req.domain, "orders");
    EXPECT_EQ(req.task_list.name, "images");
    EXPECT_EQ(req.identity, "host-2");
}

TEST_F(activity_client_test, empty_poll_is_nullopt) {
    swf_->answer("PollForActivityTask", "{}");
    swf_->answer("PollForActivityTask", R"({"startedEventId":0})");
    client::activity_client ac(make(), "orders", "images", "host-2");
    for (int i = 0; i < 2; ++i) {
        auto r = run(ac.poll());
        ASSERT_TRUE(r) << i << ": " << r.error().to_string();
        EXPECT_FALSE(*r) << i;
    }
}

TEST_F(activity_client_test, poll_fault_is_returned) {
    swf_->fault("PollForActivityTask", "UnknownResourceFault", "no such domain");
    client::activity_client ac(make(), "orders", "images", "host-2");
    auto r = run(ac.poll());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
}

TEST_F(activity_client_test, heartbeat_reports_cancel_requested) {
    swf_->answer("RecordActivityTaskHeartbeat", R"({"cancelRequested":true})");
    swf_->answer("RecordActivityTaskHeartbeat", R"({"cancelRequested":false})");
    client::activity_client ac(make(), "orders", "images", "host-2");
    auto cancel = run(ac.heartbeat("activity-token", std::string("50%")));
    ASSERT_TRUE(cancel) << cancel.error().to_string();
    EXPECT_TRUE(*cancel);
    auto go_on = run(ac.heartbeat("activity-token"));
    ASSERT_TRUE(go_on) << go_on.error().to_string();
    EXPECT_FALSE(*go_on);

    auto first = sent<model::record_activity_task_heartbeat_input>(0, "RecordActivityTaskHeartbeat");
    EXPECT_EQ(first.task_token, "activity-token");
    EXPECT_EQ(first.details, "50%");
    EXPECT_FALSE(sent<model::record_activity_task_heartbeat_input>(1, "RecordActivityTaskHeartbeat").details);
}

TEST_F(activity_client_test, heartbeat_details_are_cut_to_2048) {
    swf_->answer("RecordActivityTaskHeartbeat", R"({"cancelRequested":false})");
    swf_->answer("RecordActivityTaskHeartbeat", R"({"cancelRequested":false})");
    client::activity_client ac(make(), "orders", "images", "host-2");
    auto r = run(ac.heartbeat("activity-token", std::string(5000, 'h')));
    ASSERT_TRUE(r) << r.error().to_string();
    auto req = sent<model::record_activity_task_heartbeat_input>(0, "RecordActivityTaskHeartbeat");
    ASSERT_TRUE(req.details);
    EXPECT_EQ(*req.details, std::string(2048 - marker.size(), 'h') + marker);

    // Exactly at the limit: sent as is.
    ASSERT_TRUE(run(ac.heartbeat("activity-token", std::string(2048, 'k'))));
    EXPECT_EQ(sent<model::record_activity_task_heartbeat_input>(1, "RecordActivityTaskHeartbeat").details,
              std::string(2048, 'k'));
}

TEST_F(activity_client_test, heartbeat_fault_is_returned) {
    swf_->fault("RecordActivityTaskHeartbeat", "UnknownResourceFault", "task timed out");
    client::activity_client ac(make(), "orders", "images", "host-2");
    auto r = run(ac.heartbeat("activity-token"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
    EXPECT_EQ(r.error().kind, error_kind::not_found);
}

TEST_F(activity_client_test, respond_failed_cuts_reason_and_details) {
    swf_->answer("RespondActivityTaskFailed", "");
    client::activity_client ac(make(), "orders", "images", "host-2");
    auto r = run(ac.respond_failed("activity-token", std::string(1000, 'x'), std::string(40000, 'y')));
    ASSERT_TRUE(r) << r.error().to_string();
    auto req = sent<model::respond_activity_task_failed_input>(0, "RespondActivityTaskFailed");
    EXPECT_EQ(req.task_token, "activity-token");
    ASSERT_TRUE(req.reason);
    ASSERT_TRUE(req.details);
    EXPECT_EQ(codec::swf_length(*req.reason), 256u);
    EXPECT_EQ(*req.reason, std::string(256 - marker.size(), 'x') + marker);
    EXPECT_EQ(codec::swf_length(*req.details), 32768u);
    EXPECT_EQ(*req.details, std::string(32768 - marker.size(), 'y') + marker);
}

TEST_F(activity_client_test, respond_failed_never_cuts_inside_a_code_point) {
    const std::string emoji = "\xF0\x9F\x98\x80"; // U+1F600: 4 bytes, 2 SWF characters
    const std::string euro = "\xE2\x82\xAC";      // U+20AC: 3 bytes, 1 SWF character
    swf_->answer("RespondActivityTaskFailed", "");
    swf_->answer("RespondActivityTaskFailed", "");
    client::activity_client ac(make(), "orders", "images", "host-2");

    // 1 + 2 * 200 characters; the 244 left for text hold "a" and 121 emoji.
    ASSERT_TRUE(run(ac.respond_failed("t1", "a" + repeat(emoji, 200), repeat(euro, 40000))));
    auto req = sent<model::respond_activity_task_failed_input>(0, "RespondActivityTaskFailed");
    ASSERT_TRUE(req.reason);
    EXPECT_EQ(*req.reason, "a" + repeat(emoji, 121) + marker);
    EXPECT_EQ(codec::swf_length(*req.reason), 255u);
    EXPECT_TRUE(codec::is_valid_utf8(*req.reason));
    ASSERT_TRUE(req.details);
    EXPECT_EQ(*req.details, repeat(euro, 32768 - marker.size()) + marker);
    EXPECT_EQ(codec::swf_length(*req.details), 32768u);

    // 243 characters, then an emoji that would need the 244th and 245th:
    // it is dropped whole.
    ASSERT_TRUE(run(ac.respond_failed("t2", std::string(243, 'b') + repeat(emoji, 10))));
    auto req2 = sent<model::respond_activity_task_failed_input>(1, "RespondActivityTaskFailed");
    ASSERT_TRUE(req2.reason);
    EXPECT_EQ(*req2.reason, std::string(243, 'b') + marker);
    EXPECT_TRUE(codec::is_valid_utf8(*req2.reason));
    EXPECT_FALSE(req2.details);
}

TEST_F(activity_client_test, respond_failed_keeps_short_values) {
    swf_->answer("RespondActivityTaskFailed", "");
    client::activity_client ac(make(), "orders", "images", "host-2");
    std::string reason(256, 'r');
    ASSERT_TRUE(run(ac.respond_failed("activity-token", reason, std::string("stack"))));
    auto req = sent<model::respond_activity_task_failed_input>(0, "RespondActivityTaskFailed");
    EXPECT_EQ(req.reason, reason);
    EXPECT_EQ(req.details, "stack");
}

TEST_F(activity_client_test, respond_completed_and_canceled) {
    swf_->answer("RespondActivityTaskCompleted", "");
    swf_->answer("RespondActivityTaskCanceled", "");
    swf_->answer("RespondActivityTaskCanceled", "");
    client::activity_client ac(make(), "orders", "images", "host-2");
    ASSERT_TRUE(run(ac.respond_completed("t1", std::string(R"({"url":"s3://b/k"})"))));
    ASSERT_TRUE(run(ac.respond_canceled("t2", std::string("stopped at 40%"))));
    ASSERT_TRUE(run(ac.respond_canceled("t3", std::string(33000, 'c'))));

    EXPECT_EQ(swf_->ops(), (std::vector<std::string>{"RespondActivityTaskCompleted", "RespondActivityTaskCanceled",
                                                     "RespondActivityTaskCanceled"}));
    auto done = sent<model::respond_activity_task_completed_input>(0, "RespondActivityTaskCompleted");
    EXPECT_EQ(done.task_token, "t1");
    EXPECT_EQ(done.result_, R"({"url":"s3://b/k"})");
    auto canceled = sent<model::respond_activity_task_canceled_input>(1, "RespondActivityTaskCanceled");
    EXPECT_EQ(canceled.task_token, "t2");
    EXPECT_EQ(canceled.details, "stopped at 40%");
    auto cut = sent<model::respond_activity_task_canceled_input>(2, "RespondActivityTaskCanceled");
    EXPECT_EQ(cut.details, std::string(32768 - marker.size(), 'c') + marker);
}

TEST_F(activity_client_test, respond_completed_fault_is_returned) {
    swf_->fault("RespondActivityTaskCompleted", "UnknownResourceFault", "unknown token");
    client::activity_client ac(make(), "orders", "images", "host-2");
    auto r = run(ac.respond_completed("t1"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
    EXPECT_FALSE(sent<model::respond_activity_task_completed_input>(0, "RespondActivityTaskCompleted").result_);
}

// -------------------------------------------------------- registration_client

model::register_domain_input orders_domain() {
    model::register_domain_input in;
    in.name = "orders";
    in.description = "order processing";
    in.workflow_execution_retention_period_in_days = "7";
    return in;
}

std::string domain_detail_json(std::string_view retention, std::string_view description,
                               std::string_view status = "REGISTERED") {
    return R"({"configuration":{"workflowExecutionRetentionPeriodInDays":")" + std::string(retention) +
           R"("},"domainInfo":{"name":"orders","status":")" + std::string(status) + R"(","description":")" +
           std::string(description) + R"("}})";
}

model::register_workflow_type_input order_workflow() {
    model::register_workflow_type_input in;
    in.domain = "orders";
    in.name = "order";
    in.version = "1";
    in.default_task_list.emplace().name = "deciders";
    in.default_child_policy = model::child_policy::terminate;
    in.default_execution_start_to_close_timeout = "3600";
    in.default_task_start_to_close_timeout = "30";
    in.description = "one order";
    return in;
}

std::string workflow_type_detail_json(std::string_view configuration, std::string_view status = "REGISTERED") {
    return R"({"configuration":)" + std::string(configuration) +
           R"(,"typeInfo":{"workflowType":{"name":"order","version":"1"},"status":")" + std::string(status) +
           R"(","description":"one order","creationDate":1700000000}})";
}

const std::string same_workflow_configuration =
    R"({"defaultTaskList":{"name":"deciders"},"defaultChildPolicy":"TERMINATE",)"
    R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30"})";

model::register_activity_type_input resize_activity() {
    model::register_activity_type_input in;
    in.domain = "orders";
    in.name = "resize";
    in.version = "2";
    in.default_task_list.emplace().name = "images";
    in.default_task_heartbeat_timeout = "60";
    in.default_task_schedule_to_close_timeout = "600";
    in.default_task_schedule_to_start_timeout = "300";
    in.default_task_start_to_close_timeout = "300";
    in.description = "resize an image";
    return in;
}

std::string activity_type_detail_json(std::string_view heartbeat, std::string_view status = "REGISTERED") {
    return R"({"configuration":{"defaultTaskList":{"name":"images"},"defaultTaskHeartbeatTimeout":")" +
           std::string(heartbeat) +
           R"(","defaultTaskScheduleToCloseTimeout":"600","defaultTaskScheduleToStartTimeout":"300",)"
           R"("defaultTaskStartToCloseTimeout":"300"},)"
           R"("typeInfo":{"activityType":{"name":"resize","version":"2"},"status":")" +
           std::string(status) + R"(","description":"resize an image","creationDate":1700000000}})";
}

using registration_client_test = role_test;

TEST_F(registration_client_test, register_domain_succeeds) {
    swf_->answer("RegisterDomain", "");
    client::registration_client reg(make());
    auto r = run(reg.register_domain(orders_domain()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(swf_->ops(), (std::vector<std::string>{"RegisterDomain"}));
    auto req = sent<model::register_domain_input>(0, "RegisterDomain");
    EXPECT_TRUE(req == orders_domain());
}

TEST_F(registration_client_test, existing_identical_domain_is_success) {
    swf_->fault("RegisterDomain", "DomainAlreadyExistsFault", "orders exists");
    swf_->answer("DescribeDomain", domain_detail_json("7", "order processing"));
    client::registration_client reg(make());
    auto r = run(reg.register_domain(orders_domain()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(swf_->ops(), (std::vector<std::string>{"RegisterDomain", "DescribeDomain"}));
    EXPECT_EQ(sent<model::describe_domain_input>(1, "DescribeDomain").name, "orders");
}

TEST_F(registration_client_test, existing_differing_domain_is_a_mismatch) {
    swf_->fault("RegisterDomain", "DomainAlreadyExistsFault", "orders exists");
    swf_->answer("DescribeDomain", domain_detail_json("30", "legacy"));
    client::registration_client reg(make());
    auto r = run(reg.register_domain(orders_domain()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "RegistrationMismatch");
    EXPECT_EQ(r.error().kind, error_kind::conflict);
    const auto& m = r.error().message;
    EXPECT_NE(m.find("domain orders"), std::string::npos) << m;
    EXPECT_NE(m.find(R"(workflowExecutionRetentionPeriodInDays: requested "7", registered "30")"), std::string::npos)
        << m;
    EXPECT_NE(m.find(R"(description: requested "order processing", registered "legacy")"), std::string::npos) << m;
}

TEST_F(registration_client_test, existing_identical_workflow_type_is_success) {
    swf_->fault("RegisterWorkflowType", "TypeAlreadyExistsFault", "order 1 exists");
    swf_->answer("DescribeWorkflowType", workflow_type_detail_json(same_workflow_configuration));
    client::registration_client reg(make());
    auto r = run(reg.register_workflow_type(order_workflow()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(swf_->ops(), (std::vector<std::string>{"RegisterWorkflowType", "DescribeWorkflowType"}));
    EXPECT_TRUE(sent<model::register_workflow_type_input>(0, "RegisterWorkflowType") == order_workflow());
    auto d = sent<model::describe_workflow_type_input>(1, "DescribeWorkflowType");
    EXPECT_EQ(d.domain, "orders");
    EXPECT_EQ(d.workflow_type, (model::workflow_type{"order", "1"}));
}

TEST_F(registration_client_test, existing_differing_workflow_type_is_a_mismatch) {
    swf_->fault("RegisterWorkflowType", "TypeAlreadyExistsFault", "order 1 exists");
    swf_->answer("DescribeWorkflowType",
                 workflow_type_detail_json(R"({"defaultTaskList":{"name":"old-deciders"},"defaultChildPolicy":"ABANDON",)"
                                           R"("defaultExecutionStartToCloseTimeout":"3600"})"));
    client::registration_client reg(make());
    auto r = run(reg.register_workflow_type(order_workflow()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "RegistrationMismatch");
    EXPECT_EQ(r.error().kind, error_kind::conflict);
    const auto& m = r.error().message;
    EXPECT_NE(m.find("workflow type order version 1 in domain orders"), std::string::npos) << m;
    EXPECT_NE(m.find(R"(defaultTaskList: requested "deciders", registered "old-deciders")"), std::string::npos) << m;
    EXPECT_NE(m.find(R"(defaultChildPolicy: requested "TERMINATE", registered "ABANDON")"), std::string::npos) << m;
    EXPECT_NE(m.find(R"(defaultTaskStartToCloseTimeout: requested "30", registered unset)"), std::string::npos) << m;
    EXPECT_EQ(m.find("defaultExecutionStartToCloseTimeout"), std::string::npos) << m;
    EXPECT_EQ(m.find("status"), std::string::npos) << m;
}

TEST_F(registration_client_test, existing_identical_activity_type_is_success) {
    swf_->fault("RegisterActivityType", "TypeAlreadyExistsFault", "resize 2 exists");
    swf_->answer("DescribeActivityType", activity_type_detail_json("60"));
    client::registration_client reg(make());
    auto r = run(reg.register_activity_type(resize_activity()));
    ASSERT_TRUE(r) << r.error().to_string();
    auto d = sent<model::describe_activity_type_input>(1, "DescribeActivityType");
    EXPECT_EQ(d.domain, "orders");
    EXPECT_EQ(d.activity_type, (model::activity_type{"resize", "2"}));
}

TEST_F(registration_client_test, existing_differing_activity_type_is_a_mismatch) {
    swf_->fault("RegisterActivityType", "TypeAlreadyExistsFault", "resize 2 exists");
    swf_->answer("DescribeActivityType", activity_type_detail_json("120"));
    client::registration_client reg(make());
    auto r = run(reg.register_activity_type(resize_activity()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "RegistrationMismatch");
    EXPECT_EQ(r.error().kind, error_kind::conflict);
    const auto& m = r.error().message;
    EXPECT_NE(m.find("activity type resize version 2 in domain orders"), std::string::npos) << m;
    EXPECT_NE(m.find(R"(defaultTaskHeartbeatTimeout: requested "60", registered "120")"), std::string::npos) << m;
}

TEST_F(registration_client_test, deprecated_type_is_a_mismatch_naming_the_status) {
    swf_->fault("RegisterActivityType", "TypeAlreadyExistsFault", "resize 2 exists");
    swf_->answer("DescribeActivityType", activity_type_detail_json("60", "DEPRECATED"));
    client::registration_client reg(make());
    auto r = run(reg.register_activity_type(resize_activity()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "RegistrationMismatch");
    EXPECT_EQ(r.error().kind, error_kind::conflict);
    EXPECT_NE(r.error().message.find("status: registered as DEPRECATED"), std::string::npos) << r.error().message;
}

TEST_F(registration_client_test, describe_failing_returns_the_original_fault) {
    swf_->fault("RegisterWorkflowType", "TypeAlreadyExistsFault", "order 1 exists");
    swf_->fault("DescribeWorkflowType", "AccessDeniedException", "not allowed to describe", 403);
    client::registration_client reg(make());
    auto r = run(reg.register_workflow_type(order_workflow()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "TypeAlreadyExistsFault");
    EXPECT_EQ(r.error().kind, error_kind::conflict);
    EXPECT_EQ(r.error().message,
              "order 1 exists; describing the registered one failed: AccessDeniedException: not allowed to describe");
}

TEST_F(registration_client_test, describe_failing_for_a_domain_returns_the_original_fault) {
    swf_->fault("RegisterDomain", "DomainAlreadyExistsFault", "orders exists");
    swf_->fault("DescribeDomain", "UnknownResourceFault", "gone meanwhile");
    client::registration_client reg(make());
    auto r = run(reg.register_domain(orders_domain()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "DomainAlreadyExistsFault");
    EXPECT_EQ(r.error().message,
              "orders exists; describing the registered one failed: UnknownResourceFault: gone meanwhile");
}

TEST_F(registration_client_test, other_faults_are_returned_without_describing) {
    swf_->fault("RegisterActivityType", "LimitExceededFault", "too many types");
    swf_->fault("RegisterDomain", "TypeAlreadyExistsFault", "wrong fault for a domain");
    client::registration_client reg(make());
    auto r = run(reg.register_activity_type(resize_activity()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "LimitExceededFault");
    auto d = run(reg.register_domain(orders_domain()));
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, "TypeAlreadyExistsFault");
    EXPECT_EQ(swf_->ops(), (std::vector<std::string>{"RegisterActivityType", "RegisterDomain"}));
}

TEST_F(registration_client_test, runs_on_the_blocking_client) {
    swf_->fault("RegisterDomain", "DomainAlreadyExistsFault", "orders exists");
    swf_->answer("DescribeDomain", domain_detail_json("7", "order processing"));
    swf_->answer("RegisterWorkflowType", "");
    auto bc = client::blocking_client::create(credentials(), options());
    ASSERT_TRUE(bc) << bc.error().to_string();
    client::registration_client reg((*bc)->shared());
    auto d = (*bc)->run(reg.register_domain(orders_domain()));
    ASSERT_TRUE(d) << d.error().to_string();
    auto w = (*bc)->run(reg.register_workflow_type(order_workflow()));
    ASSERT_TRUE(w) << w.error().to_string();
    EXPECT_EQ(swf_->ops(), (std::vector<std::string>{"RegisterDomain", "DescribeDomain", "RegisterWorkflowType"}));
}

// ---------------------------------------------------- registration_differences

TEST(registration_differences_test, domain) {
    auto requested = orders_domain();
    model::domain_detail registered;
    registered.configuration.workflow_execution_retention_period_in_days = "7";
    registered.domain_info.name = "orders";
    registered.domain_info.description = "order processing";
    registered.domain_info.status = model::registration_status::registered;
    EXPECT_TRUE(client::registration_differences(requested, registered).empty());

    registered.configuration.workflow_execution_retention_period_in_days = "90";
    registered.domain_info.description.reset();
    registered.domain_info.status = model::registration_status::deprecated;
    EXPECT_EQ(client::registration_differences(requested, registered),
              (std::vector<std::string>{R"(workflowExecutionRetentionPeriodInDays: requested "7", registered "90")",
                                        R"(description: requested "order processing", registered unset)",
                                        "status: registered as DEPRECATED"}));
}

TEST(registration_differences_test, workflow_type) {
    auto requested = order_workflow();
    model::workflow_type_detail registered;
    auto& c = registered.configuration;
    c.default_task_list.emplace().name = "deciders";
    c.default_child_policy = model::child_policy::terminate;
    c.default_execution_start_to_close_timeout = "3600";
    c.default_task_start_to_close_timeout = "30";
    registered.type_info.workflow_type = {"order", "1"};
    registered.type_info.description = "one order";
    EXPECT_TRUE(client::registration_differences(requested, registered).empty());

    requested.default_task_priority = "5";
    requested.default_lambda_role = "arn:aws:iam::123456789012:role/lambda";
    c.default_task_list.reset();
    c.default_child_policy = model::child_policy::request_cancel;
    c.default_execution_start_to_close_timeout = "7200";
    c.default_task_start_to_close_timeout = "60";
    registered.type_info.description = "two orders";
    EXPECT_EQ(client::registration_differences(requested, registered),
              (std::vector<std::string>{
                  R"(defaultTaskList: requested "deciders", registered unset)",
                  R"(defaultChildPolicy: requested "TERMINATE", registered "REQUEST_CANCEL")",
                  R"(defaultExecutionStartToCloseTimeout: requested "3600", registered "7200")",
                  R"(defaultTaskStartToCloseTimeout: requested "30", registered "60")",
                  R"(defaultTaskPriority: requested "5", registered unset)",
                  R"(defaultLambdaRole: requested "arn:aws:iam::123456789012:role/lambda", registered unset)",
                  R"(description: requested "one order", registered "two orders")",
              }));
}

TEST(registration_differences_test, values_this_sdk_does_not_know_are_named_as_swf_sent_them) {
    auto requested = order_workflow();
    model::workflow_type_detail registered;
    auto& c = registered.configuration;
    c.default_task_list.emplace().name = "deciders";
    c.default_child_policy = model::child_policy::unknown_to_sdk;
    c.default_child_policy_text = "DETACH";
    c.default_execution_start_to_close_timeout = "3600";
    c.default_task_start_to_close_timeout = "30";
    registered.type_info.workflow_type = {"order", "1"};
    registered.type_info.description = "one order";
    registered.type_info.status = model::registration_status::unknown_to_sdk;
    registered.type_info.status_text = "RETIRED";
    EXPECT_EQ(client::registration_differences(requested, registered),
              (std::vector<std::string>{R"(defaultChildPolicy: requested "TERMINATE", registered "DETACH")",
                                        "status: registered as RETIRED"}));
}

TEST(registration_differences_test, activity_type) {
    auto requested = resize_activity();
    model::activity_type_detail registered;
    auto& c = registered.configuration;
    c.default_task_list.emplace().name = "images";
    c.default_task_heartbeat_timeout = "60";
    c.default_task_schedule_to_close_timeout = "600";
    c.default_task_schedule_to_start_timeout = "300";
    c.default_task_start_to_close_timeout = "300";
    registered.type_info.activity_type = {"resize", "2"};
    registered.type_info.description = "resize an image";
    EXPECT_TRUE(client::registration_differences(requested, registered).empty());

    // Members the request leaves unset accept what SWF holds (service defaults).
    requested.default_task_list.reset();
    c.default_task_list.emplace().name = "gpu-images";
    c.default_task_heartbeat_timeout = "NONE";
    c.default_task_schedule_to_close_timeout = "601";
    c.default_task_schedule_to_start_timeout = "301";
    c.default_task_start_to_close_timeout = "299";
    c.default_task_priority = "3";
    registered.type_info.description.reset();
    registered.type_info.status = model::registration_status::deprecated;
    EXPECT_EQ(client::registration_differences(requested, registered),
              (std::vector<std::string>{
                  R"(defaultTaskHeartbeatTimeout: requested "60", registered "NONE")",
                  R"(defaultTaskScheduleToCloseTimeout: requested "600", registered "601")",
                  R"(defaultTaskScheduleToStartTimeout: requested "300", registered "301")",
                  R"(defaultTaskStartToCloseTimeout: requested "300", registered "299")",
                  R"(description: requested "resize an image", registered unset)",
                  "status: registered as DEPRECATED",
              }));
}

} // namespace
