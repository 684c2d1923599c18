// The SWF client against moto_server, a third-party SWF emulator, on a free
// loopback port: idempotent registration, one workflow from start to
// completion through the four roles, signals and termination, listing and
// counting, pagination, faults and their kinds, and reason truncation. Each
// test works in a domain of its own. Where moto departs from SWF (it ignores
// maximumPageSize, lacks the Count*WorkflowExecutions operations) the test
// checks what SWF promises that still holds and prints the difference.
#include "tests/integration/moto.hpp"

#include "swf/auth/provider.hpp"
#include "swf/client/blocking.hpp"
#include "swf/client/paginate.hpp"
#include "swf/client/roles.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace integration = swfrt::tests::integration;
using namespace swfrt::swf;
using namespace std::chrono_literals;

[[maybe_unused]] ::testing::Environment* const moto_env =
    ::testing::AddGlobalTestEnvironment(new integration::moto_environment);

const model::workflow_type workflow_kind{"integration.workflow", "1"};
const model::activity_type activity_kind{"integration.activity", "1"};

std::string decision_list(const std::string& domain) { return domain + "-decisions"; }
std::string activity_list(const std::string& domain) { return domain + "-activities"; }

model::task_list named(std::string name) { return model::task_list{std::move(name)}; }

std::vector<std::string> event_types(const std::vector<model::history_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.emplace_back(model::to_string(e.event_type));
    return out;
}

const model::history_event* find_event(const std::vector<model::history_event>& events, model::event_type type) {
    auto it = std::find_if(events.begin(), events.end(), [&](const auto& e) { return e.event_type == type; });
    return it == events.end() ? nullptr : &*it;
}

bool contains_execution(const std::vector<model::workflow_execution_info>& infos, const std::string& workflow_id,
                        const std::string& run_id) {
    return std::any_of(infos.begin(), infos.end(), [&](const auto& i) {
        return i.execution.workflow_id == workflow_id && i.execution.run_id == run_id;
    });
}

model::register_domain_input domain_request(const std::string& domain) {
    model::register_domain_input r;
    r.name = domain;
    r.workflow_execution_retention_period_in_days = "1";
    r.description = "integration tests of the swf-runtime client";
    return r;
}

model::register_workflow_type_input workflow_type_request(const std::string& domain) {
    model::register_workflow_type_input r;
    r.domain = domain;
    r.name = workflow_kind.name;
    r.version = workflow_kind.version;
    r.default_task_list = named(decision_list(domain));
    r.default_child_policy = model::child_policy::terminate;
    r.default_execution_start_to_close_timeout = "600";
    r.default_task_start_to_close_timeout = "30";
    r.description = "a workflow that runs one activity";
    return r;
}

model::register_activity_type_input activity_type_request(const std::string& domain) {
    model::register_activity_type_input r;
    r.domain = domain;
    r.name = activity_kind.name;
    r.version = activity_kind.version;
    r.default_task_list = named(activity_list(domain));
    r.default_task_heartbeat_timeout = "300";
    r.default_task_schedule_to_start_timeout = "300";
    r.default_task_schedule_to_close_timeout = "600";
    r.default_task_start_to_close_timeout = "300";
    return r;
}

model::decision schedule_activity(std::string activity_id, std::string input, const std::string& domain) {
    model::decision d;
    d.decision_type = model::decision_type::schedule_activity_task;
    auto& a = d.schedule_activity_task_decision_attributes.emplace();
    a.activity_id = std::move(activity_id);
    a.activity_type = activity_kind;
    a.input = std::move(input);
    a.task_list = named(activity_list(domain));
    return d;
}

model::decision complete_workflow(std::string result) {
    model::decision d;
    d.decision_type = model::decision_type::complete_workflow_execution;
    d.complete_workflow_execution_decision_attributes.emplace().result_ = std::move(result);
    return d;
}

class moto_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto* env = integration::moto_environment::current();
        ASSERT_TRUE(env && env->ready()) << (env ? env->error() : std::string("the moto environment did not run"));
        server_ = &env->server();
        client::client_options options;
        options.region = "us-east-1";
        options.endpoint_url = server_->endpoint_url();
        // Retries are exercised (moto answers 500 to what it lacks); short
        // delays keep them from dominating the run time.
        options.retry.base_delay = 50ms;
        options.retry.max_backoff = 200ms;
        auth::credentials creds;
        creds.access_key_id = "AKIDINTEGRATIONTEST";
        creds.secret_access_key = "integration/test/secret/key/for/moto";
        auto c = client::blocking_client::create(std::make_shared<auth::static_provider>(creds), options);
        ASSERT_TRUE(c) << c.error().to_string();
        client_ = std::move(*c);
    }

    template <class T>
    T run(asio::awaitable<T> work) {
        return client_->run(std::move(work));
    }

    client::workflow_client workflows(const std::string& domain) { return {client_->shared(), domain}; }
    client::decision_client decider(const std::string& domain) {
        return {client_->shared(), domain, decision_list(domain), "integration-decider"};
    }
    client::activity_client worker(const std::string& domain) {
        return {client_->shared(), domain, activity_list(domain), "integration-worker"};
    }
    client::registration_client registrar() { return client::registration_client(client_->shared()); }

    // Domain, workflow type and activity type, as a worker registers them.
    void register_all(const std::string& domain) {
        auto d = run(registrar().register_domain(domain_request(domain)));
        ASSERT_TRUE(d) << d.error().to_string();
        auto w = run(registrar().register_workflow_type(workflow_type_request(domain)));
        ASSERT_TRUE(w) << w.error().to_string();
        auto a = run(registrar().register_activity_type(activity_type_request(domain)));
        ASSERT_TRUE(a) << a.error().to_string();
    }

    model::start_workflow_execution_input start_request(const std::string& workflow_id,
                                                        std::optional<std::string> input = {}) {
        model::start_workflow_execution_input r;
        r.workflow_id = workflow_id;
        r.workflow_type = workflow_kind;
        r.input = std::move(input);
        return r;
    }

    std::string start(const std::string& domain, const std::string& workflow_id,
                      std::optional<std::string> input = {}) {
        auto run_id = run(workflows(domain).start(start_request(workflow_id, std::move(input))));
        EXPECT_TRUE(run_id) << run_id.error().to_string();
        return run_id ? *run_id : std::string();
    }

    std::int32_t pending_activity_tasks(const std::string& domain) {
        model::count_pending_activity_tasks_input r;
        r.domain = domain;
        r.task_list = named(activity_list(domain));
        auto n = client_->count_pending_activity_tasks(r);
        EXPECT_TRUE(n) << n.error().to_string();
        return n ? n->count : -1;
    }

    const integration::moto_server* server_ = nullptr;
    std::unique_ptr<client::blocking_client> client_;
};

// ---- registration ----

TEST_F(moto_test, registering_the_same_domain_and_types_again_succeeds) {
    const std::string domain = "it-registration-same";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    auto calls_before = client_->async().calls();
    // SWF answers DomainAlreadyExists / TypeAlreadyExists; the client
    // compares with what is registered and finds no difference.
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    // Each second registration is a register call and a describe call.
    EXPECT_EQ(client_->async().calls() - calls_before, 6u);

    // What was registered reads back as requested.
    model::describe_workflow_type_input dw;
    dw.domain = domain;
    dw.workflow_type = workflow_kind;
    auto w = client_->describe_workflow_type(dw);
    ASSERT_TRUE(w) << w.error().to_string();
    EXPECT_EQ(w->type_info.status, model::registration_status::registered);
    ASSERT_TRUE(w->configuration.default_task_list);
    EXPECT_EQ(w->configuration.default_task_list->name, decision_list(domain));
    EXPECT_EQ(w->configuration.default_task_start_to_close_timeout, "30");
    EXPECT_EQ(w->configuration.default_execution_start_to_close_timeout, "600");
    EXPECT_EQ(w->configuration.default_child_policy, model::child_policy::terminate);
    EXPECT_TRUE(client::registration_differences(workflow_type_request(domain), *w).empty());

    model::describe_activity_type_input da;
    da.domain = domain;
    da.activity_type = activity_kind;
    auto a = client_->describe_activity_type(da);
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(a->configuration.default_task_heartbeat_timeout, "300");
    EXPECT_TRUE(client::registration_differences(activity_type_request(domain), *a).empty());

    model::describe_domain_input dd;
    dd.name = domain;
    auto d = client_->describe_domain(dd);
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(d->configuration.workflow_execution_retention_period_in_days, "1");
    EXPECT_TRUE(client::registration_differences(domain_request(domain), *d).empty());
}

TEST_F(moto_test, registering_with_other_defaults_is_a_registration_mismatch) {
    const std::string domain = "it-registration-mismatch";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));

    auto other_workflow = workflow_type_request(domain);
    other_workflow.default_task_start_to_close_timeout = "45";
    auto w = run(registrar().register_workflow_type(other_workflow));
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, "RegistrationMismatch");
    EXPECT_EQ(w.error().kind, error_kind::conflict);
    EXPECT_NE(w.error().message.find("defaultTaskStartToCloseTimeout: requested \"45\", registered \"30\""),
              std::string::npos)
        << w.error().message;
    EXPECT_NE(w.error().message.find(workflow_kind.name), std::string::npos) << w.error().message;

    auto other_activity = activity_type_request(domain);
    other_activity.default_task_list = named("somewhere-else");
    other_activity.default_task_heartbeat_timeout = "NONE";
    auto a = run(registrar().register_activity_type(other_activity));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, "RegistrationMismatch");
    EXPECT_EQ(a.error().kind, error_kind::conflict);
    EXPECT_NE(a.error().message.find("defaultTaskList"), std::string::npos) << a.error().message;
    EXPECT_NE(a.error().message.find("defaultTaskHeartbeatTimeout"), std::string::npos) << a.error().message;
    EXPECT_EQ(a.error().message.find("defaultTaskStartToCloseTimeout"), std::string::npos) << a.error().message;

    auto other_domain = domain_request(domain);
    other_domain.workflow_execution_retention_period_in_days = "7";
    auto d = run(registrar().register_domain(other_domain));
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, "RegistrationMismatch");
    EXPECT_NE(d.error().message.find("workflowExecutionRetentionPeriodInDays"), std::string::npos)
        << d.error().message;

    // The registration SWF holds is unchanged.
    model::describe_workflow_type_input dw;
    dw.domain = domain;
    dw.workflow_type = workflow_kind;
    auto held = client_->describe_workflow_type(dw);
    ASSERT_TRUE(held) << held.error().to_string();
    EXPECT_EQ(held->configuration.default_task_start_to_close_timeout, "30");
}

// ---- one workflow through the four roles ----

TEST_F(moto_test, workflow_runs_one_activity_to_completion) {
    const std::string domain = "it-lifecycle";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    const std::string workflow_id = "order-42";
    auto run_id = start(domain, workflow_id, "workflow input");
    ASSERT_FALSE(run_id.empty());

    // The start scheduled a decision task, so this poll returns at once.
    auto first = run(decider(domain).poll());
    ASSERT_TRUE(first) << first.error().to_string();
    ASSERT_TRUE(first->has_value()) << "no decision task although one was scheduled";
    const model::decision_task& t1 = **first;
    EXPECT_FALSE(t1.task_token.empty());
    EXPECT_EQ(t1.workflow_execution.workflow_id, workflow_id);
    EXPECT_EQ(t1.workflow_execution.run_id, run_id);
    EXPECT_EQ(t1.workflow_type, workflow_kind);
    ASSERT_FALSE(t1.events.empty());
    EXPECT_EQ(t1.events.front().event_type, model::event_type::workflow_execution_started);
    ASSERT_TRUE(t1.events.front().workflow_execution_started_event_attributes);
    EXPECT_EQ(t1.events.front().workflow_execution_started_event_attributes->input, "workflow input");
    EXPECT_EQ(t1.events.back().event_type, model::event_type::decision_task_started);
    EXPECT_EQ(t1.started_event_id, t1.events.back().event_id);

    auto r1 = run(decider(domain).respond_completed(t1.task_token, {schedule_activity("charge", "activity input", domain)}));
    ASSERT_TRUE(r1) << r1.error().to_string();
    EXPECT_EQ(pending_activity_tasks(domain), 1);

    auto at = run(worker(domain).poll());
    ASSERT_TRUE(at) << at.error().to_string();
    ASSERT_TRUE(at->has_value()) << "no activity task although one was scheduled";
    const model::activity_task& activity = **at;
    EXPECT_EQ(activity.activity_id, "charge");
    EXPECT_EQ(activity.activity_type, activity_kind);
    EXPECT_EQ(activity.input, "activity input");
    EXPECT_EQ(activity.workflow_execution.workflow_id, workflow_id);
    EXPECT_EQ(activity.workflow_execution.run_id, run_id);

    auto beat = run(worker(domain).heartbeat(activity.task_token, "half way"));
    ASSERT_TRUE(beat) << beat.error().to_string();
    EXPECT_FALSE(*beat);

    auto done = run(worker(domain).respond_completed(activity.task_token, "activity result"));
    ASSERT_TRUE(done) << done.error().to_string();

    auto second = run(decider(domain).poll());
    ASSERT_TRUE(second) << second.error().to_string();
    ASSERT_TRUE(second->has_value()) << "no decision task after the activity completed";
    const model::decision_task& t2 = **second;
    EXPECT_EQ(t2.previous_started_event_id.value_or(-1), t1.started_event_id);
    const auto* completed = find_event(t2.events, model::event_type::activity_task_completed);
    ASSERT_NE(completed, nullptr) << ::testing::PrintToString(event_types(t2.events));
    ASSERT_TRUE(completed->activity_task_completed_event_attributes);
    EXPECT_EQ(completed->activity_task_completed_event_attributes->result_, "activity result");

    auto r2 = run(decider(domain).respond_completed(t2.task_token, {complete_workflow("workflow result")}));
    ASSERT_TRUE(r2) << r2.error().to_string();

    auto detail = run(workflows(domain).describe(workflow_id, run_id));
    ASSERT_TRUE(detail) << detail.error().to_string();
    EXPECT_EQ(detail->execution_info.execution_status, model::execution_status::closed);
    EXPECT_EQ(detail->execution_info.close_status, model::close_status::completed);
    EXPECT_EQ(detail->execution_info.workflow_type, workflow_kind);

    // Every page, two events per page where the server honours the size.
    model::get_workflow_execution_history_input hr;
    hr.domain = domain;
    hr.execution.workflow_id = workflow_id;
    hr.execution.run_id = run_id;
    hr.maximum_page_size = 2;
    auto calls_before = client_->async().calls();
    auto history = run(client::get_workflow_execution_history_all_pages(client_->async(), hr));
    ASSERT_TRUE(history) << history.error().to_string();
    auto pages = client_->async().calls() - calls_before;
    EXPECT_FALSE(history->next_page_token);
    const std::vector<std::string> expected{
        "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
        "ActivityTaskScheduled",    "ActivityTaskStarted",   "ActivityTaskCompleted", "DecisionTaskScheduled",
        "DecisionTaskStarted",      "DecisionTaskCompleted", "WorkflowExecutionCompleted"};
    EXPECT_EQ(event_types(history->events), expected);
    for (std::size_t i = 0; i < history->events.size(); ++i)
        EXPECT_EQ(history->events[i].event_id, static_cast<std::int64_t>(i + 1)) << "event " << i;
    if (pages == 1)
        std::cout << "[ moto     ] GetWorkflowExecutionHistory ignored maximumPageSize=2 and returned all "
                  << history->events.size() << " events in one page (SWF pages them)\n";
    else
        EXPECT_EQ(pages, (expected.size() + 1) / 2);

    const auto* closed = find_event(history->events, model::event_type::workflow_execution_completed);
    ASSERT_NE(closed, nullptr);
    ASSERT_TRUE(closed->workflow_execution_completed_event_attributes);
    EXPECT_EQ(closed->workflow_execution_completed_event_attributes->result_, "workflow result");

    // The role's history() agrees with the explicit paging.
    auto again = run(workflows(domain).history(workflow_id, run_id));
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(event_types(again->events), expected);

    auto open = run(workflows(domain).list_open());
    ASSERT_TRUE(open) << open.error().to_string();
    EXPECT_FALSE(contains_execution(*open, workflow_id, run_id));
    auto closed_list = run(workflows(domain).list_closed());
    ASSERT_TRUE(closed_list) << closed_list.error().to_string();
    ASSERT_TRUE(contains_execution(*closed_list, workflow_id, run_id));
    EXPECT_EQ(closed_list->front().close_status, model::close_status::completed);
}

TEST_F(moto_test, empty_polls_return_no_task) {
    // moto answers an empty long poll after about a second (SWF after 60 s);
    // either way the roles report "no task", not an error.
    const std::string domain = "it-empty-poll";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    auto d = run(decider(domain).poll());
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_FALSE(d->has_value());
    auto a = run(worker(domain).poll());
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_FALSE(a->has_value());
}

// ---- signals, termination, listing and counting ----

TEST_F(moto_test, signal_and_terminate_show_in_history_and_listings) {
    const std::string domain = "it-signal-terminate";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    const std::string workflow_id = "to-be-terminated";
    auto run_id = start(domain, workflow_id);
    ASSERT_FALSE(run_id.empty());
    const std::string bystander_id = "stays-open";
    auto bystander_run = start(domain, bystander_id);
    ASSERT_FALSE(bystander_run.empty());

    auto open = run(workflows(domain).list_open());
    ASSERT_TRUE(open) << open.error().to_string();
    EXPECT_EQ(open->size(), 2u);
    EXPECT_TRUE(contains_execution(*open, workflow_id, run_id));
    EXPECT_TRUE(contains_execution(*open, bystander_id, bystander_run));

    auto s = run(workflows(domain).signal(workflow_id, "approve", "signal payload", run_id));
    ASSERT_TRUE(s) << s.error().to_string();
    auto t = run(workflows(domain).terminate(workflow_id, run_id, "operator stopped it", "details of the stop"));
    ASSERT_TRUE(t) << t.error().to_string();

    auto history = run(workflows(domain).history(workflow_id, run_id));
    ASSERT_TRUE(history) << history.error().to_string();
    const auto* signaled = find_event(history->events, model::event_type::workflow_execution_signaled);
    ASSERT_NE(signaled, nullptr) << ::testing::PrintToString(event_types(history->events));
    ASSERT_TRUE(signaled->workflow_execution_signaled_event_attributes);
    EXPECT_EQ(signaled->workflow_execution_signaled_event_attributes->signal_name, "approve");
    EXPECT_EQ(signaled->workflow_execution_signaled_event_attributes->input, "signal payload");
    ASSERT_FALSE(history->events.empty());
    const auto& last = history->events.back();
    EXPECT_EQ(last.event_type, model::event_type::workflow_execution_terminated);
    ASSERT_TRUE(last.workflow_execution_terminated_event_attributes);
    EXPECT_EQ(last.workflow_execution_terminated_event_attributes->reason, "operator stopped it");
    EXPECT_EQ(last.workflow_execution_terminated_event_attributes->details, "details of the stop");

    auto detail = run(workflows(domain).describe(workflow_id, run_id));
    ASSERT_TRUE(detail) << detail.error().to_string();
    EXPECT_EQ(detail->execution_info.execution_status, model::execution_status::closed);
    EXPECT_EQ(detail->execution_info.close_status, model::close_status::terminated);

    // A signal to a closed execution is an unknown resource. (moto answers
    // 500 to a signal without input, so this one has input.)
    auto late = run(workflows(domain).signal(workflow_id, "approve", "too late", run_id));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, "UnknownResourceFault");

    open = run(workflows(domain).list_open());
    ASSERT_TRUE(open) << open.error().to_string();
    EXPECT_FALSE(contains_execution(*open, workflow_id, run_id));
    EXPECT_TRUE(contains_execution(*open, bystander_id, bystander_run));

    // Unfiltered: moto's closeStatusFilter compares the filter object with
    // the status string and so drops every execution.
    auto closed = run(workflows(domain).list_closed());
    ASSERT_TRUE(closed) << closed.error().to_string();
    ASSERT_EQ(closed->size(), 1u);
    EXPECT_EQ(closed->front().execution.workflow_id, workflow_id);
    EXPECT_EQ(closed->front().execution.run_id, run_id);
    EXPECT_EQ(closed->front().execution_status, model::execution_status::closed);
    EXPECT_EQ(closed->front().close_status, model::close_status::terminated);

    auto term = run(workflows(domain).terminate(bystander_id, bystander_run));
    ASSERT_TRUE(term) << term.error().to_string();
}

TEST_F(moto_test, counts_of_open_and_closed_executions) {
    const std::string domain = "it-counts";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    auto open_run = start(domain, "counted-open");
    auto closed_run = start(domain, "counted-closed");
    ASSERT_FALSE(open_run.empty());
    ASSERT_FALSE(closed_run.empty());
    auto t = run(workflows(domain).terminate("counted-closed", closed_run));
    ASSERT_TRUE(t) << t.error().to_string();

    // SWF counts 1 open and 1 closed. moto 5 has no Count*WorkflowExecutions
    // and answers HTTP 500 (NotImplementedError): then the client must have
    // treated it as a retryable server error and retried to the limit.
    const int attempts = client_->async().options().retry.max_attempts;
    auto check = [&](std::string_view action, auto call) {
        auto retries_before = client_->async().retries();
        auto calls_before = client_->async().calls();
        result<model::workflow_execution_count> n = call();
        if (n) {
            EXPECT_EQ(n->count, 1) << action;
            EXPECT_FALSE(n->truncated.value_or(false)) << action;
            return;
        }
        const auto& e = n.error();
        EXPECT_EQ(e.http_status, 500) << action << ": " << e.to_string();
        EXPECT_EQ(e.kind, error_kind::retryable) << action << ": " << e.to_string();
        EXPECT_EQ(client_->async().calls() - calls_before, 1u) << action;
        EXPECT_EQ(client_->async().retries() - retries_before, static_cast<std::uint64_t>(attempts - 1)) << action;
        const std::string snake = action == "CountOpenWorkflowExecutions" ? "count_open_workflow_executions"
                                                                          : "count_closed_workflow_executions";
        EXPECT_NE(server_->log().find("The " + snake + " action has not been implemented"), std::string::npos)
            << action << " failed for another reason than moto lacking it: " << e.to_string();
        std::cout << "[ moto     ] " << action << " is not implemented by moto (HTTP 500); SWF would answer "
                  << "count 1\n";
    };
    check("CountOpenWorkflowExecutions", [&] { return run(workflows(domain).count_open()); });
    check("CountClosedWorkflowExecutions", [&] { return run(workflows(domain).count_closed()); });

    // The listings give the same numbers.
    auto open = run(workflows(domain).list_open());
    ASSERT_TRUE(open) << open.error().to_string();
    EXPECT_EQ(open->size(), 1u);
    auto closed = run(workflows(domain).list_closed());
    ASSERT_TRUE(closed) << closed.error().to_string();
    EXPECT_EQ(closed->size(), 1u);

    auto term = run(workflows(domain).terminate("counted-open", open_run));
    ASSERT_TRUE(term) << term.error().to_string();
}

// ---- pagination ----

TEST_F(moto_test, list_domains_merges_every_page) {
    const std::vector<std::string> mine{"it-pages-a", "it-pages-b", "it-pages-c"};
    for (const auto& name : mine) {
        auto d = run(registrar().register_domain(domain_request(name)));
        ASSERT_TRUE(d) << d.error().to_string();
    }
    model::list_domains_input req;
    req.registration_status = model::registration_status::registered;
    req.maximum_page_size = 1;
    auto calls_before = client_->async().calls();
    auto all = run(client::list_domains_all_pages(client_->async(), req));
    ASSERT_TRUE(all) << all.error().to_string();
    auto pages = client_->async().calls() - calls_before;
    EXPECT_FALSE(all->next_page_token);

    std::set<std::string> names;
    for (const auto& info : all->domain_infos) {
        EXPECT_TRUE(names.insert(info.name).second) << "domain listed twice: " << info.name;
        EXPECT_EQ(info.status, model::registration_status::registered);
    }
    for (const auto& name : mine) EXPECT_TRUE(names.count(name)) << name << " missing from the merged pages";
    if (pages == 1)
        std::cout << "[ moto     ] ListDomains ignored maximumPageSize=1 and returned all " << names.size()
                  << " domains in one page (SWF pages them)\n";
    else
        EXPECT_EQ(pages, names.size()) << "one page per domain, then no nextPageToken";
}

// ---- faults ----

TEST_F(moto_test, starting_a_running_workflow_id_again_is_a_conflict_not_retried) {
    const std::string domain = "it-already-started";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    auto first = start(domain, "only-once");
    ASSERT_FALSE(first.empty());

    auto calls_before = client_->async().calls();
    auto retries_before = client_->async().retries();
    auto again = run(workflows(domain).start(start_request("only-once")));
    ASSERT_FALSE(again) << "a second run id: " << *again;
    EXPECT_EQ(again.error().code, "WorkflowExecutionAlreadyStartedFault");
    EXPECT_EQ(again.error().kind, error_kind::conflict);
    EXPECT_EQ(again.error().http_status, 400);
    EXPECT_EQ(client_->async().calls() - calls_before, 1u);
    EXPECT_EQ(client_->async().retries() - retries_before, 0u);

    auto open = run(workflows(domain).list_open());
    ASSERT_TRUE(open) << open.error().to_string();
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->front().execution.run_id, first);

    auto term = run(workflows(domain).terminate("only-once", first));
    ASSERT_TRUE(term) << term.error().to_string();
}

TEST_F(moto_test, unknown_domain_is_not_found_and_not_retried) {
    auto retries_before = client_->async().retries();
    model::describe_domain_input d;
    d.name = "it-no-such-domain";
    auto described = client_->describe_domain(d);
    ASSERT_FALSE(described);
    EXPECT_EQ(described.error().code, "UnknownResourceFault");
    EXPECT_EQ(described.error().kind, error_kind::not_found);
    EXPECT_EQ(described.error().http_status, 400);
    EXPECT_NE(described.error().message.find("it-no-such-domain"), std::string::npos) << described.error().message;

    auto started = run(workflows("it-no-such-domain").start(start_request("nowhere")));
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().code, "UnknownResourceFault");
    EXPECT_EQ(started.error().kind, error_kind::not_found);
    EXPECT_EQ(client_->async().retries() - retries_before, 0u);
}

// ---- limits enforced where data leaves the client ----

TEST_F(moto_test, a_long_failure_reason_is_truncated_to_256_characters) {
    const std::string domain = "it-truncation";
    ASSERT_NO_FATAL_FAILURE(register_all(domain));
    const std::string workflow_id = "fails-loudly";
    auto run_id = start(domain, workflow_id);
    ASSERT_FALSE(run_id.empty());

    auto dt = run(decider(domain).poll());
    ASSERT_TRUE(dt) << dt.error().to_string();
    ASSERT_TRUE(dt->has_value()) << "no decision task although one was scheduled";
    auto r = run(decider(domain).respond_completed((*dt)->task_token, {schedule_activity("explode", "x", domain)}));
    ASSERT_TRUE(r) << r.error().to_string();
    auto at = run(worker(domain).poll());
    ASSERT_TRUE(at) << at.error().to_string();
    ASSERT_TRUE(at->has_value()) << "no activity task although one was scheduled";

    std::string reason;
    for (int i = 0; reason.size() < 1000; ++i) reason += "reason-" + std::to_string(i) + " ";
    reason.resize(1000);
    auto failed = run(worker(domain).respond_failed((*at)->task_token, reason, "short details"));
    ASSERT_TRUE(failed) << failed.error().to_string();

    auto history = run(workflows(domain).history(workflow_id, run_id));
    ASSERT_TRUE(history) << history.error().to_string();
    const auto* event = find_event(history->events, model::event_type::activity_task_failed);
    ASSERT_NE(event, nullptr) << ::testing::PrintToString(event_types(history->events));
    ASSERT_TRUE(event->activity_task_failed_event_attributes);
    const auto& attrs = *event->activity_task_failed_event_attributes;
    ASSERT_TRUE(attrs.reason);
    const std::string& sent = *attrs.reason;
    EXPECT_EQ(sent.size(), model::limits::max_failure_reason);
    const std::string marker(client::truncation_marker);
    ASSERT_GE(sent.size(), marker.size());
    EXPECT_EQ(sent.substr(sent.size() - marker.size()), marker);
    EXPECT_EQ(sent.substr(0, sent.size() - marker.size()), reason.substr(0, sent.size() - marker.size()));
    EXPECT_EQ(attrs.details, "short details");

    auto term = run(workflows(domain).terminate(workflow_id, run_id));
    ASSERT_TRUE(term) << term.error().to_string();
}

} // namespace
