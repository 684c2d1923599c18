// The dev server over loopback HTTP, driven by the project's own client:
// SWF's protocol end to end, long polls held and answered the moment a task
// arrives or empty when their time is up, and time skipping.
#include "swf/service/server.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "swf/auth/provider.hpp"
#include "swf/client/blocking.hpp"

namespace swfrt::swf::service {
namespace {

using namespace std::chrono_literals;
namespace model = swf::model;

class server_test : public ::testing::Test {
protected:
    void start_server(server_options o = {}) {
        o.host = "127.0.0.1";
        o.port = 0;
        auto s = server::listen(io_.get_executor(), std::move(o));
        ASSERT_TRUE(s) << s.error().to_string();
        server_ = std::move(*s);
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        if (server_) server_->stop();
        work_.reset();
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
    std::unique_ptr<client::blocking_client> client() {
        client::client_options o;
        o.region = "us-east-1";
        o.endpoint_url = server_->endpoint_url();
        o.retry.max_attempts = 1;
        auth::credentials creds;
        creds.access_key_id = "AKIDEXAMPLE";
        creds.secret_access_key = "secret";
        auto c = client::blocking_client::create(std::make_shared<auth::static_provider>(creds), o);
        EXPECT_TRUE(c) << c.error().to_string();
        return c ? std::move(*c) : nullptr;
    }
    // Something of the service, read on the server's strand.
    template <class Fn>
    auto on_server(Fn fn) {
        std::promise<decltype(fn(server_->backend()))> p;
        auto f = p.get_future();
        boost::asio::post(server_->executor(), [&] { p.set_value(fn(server_->backend())); });
        return f.get();
    }
    void setup_types(client::blocking_client& c) {
        model::register_domain_input d;
        d.name = "d";
        d.workflow_execution_retention_period_in_days = "1";
        ASSERT_TRUE(c.register_domain(d));
        model::register_workflow_type_input t;
        t.domain = "d";
        t.name = "wf";
        t.version = "1";
        t.default_task_list = model::task_list{"deciders"};
        t.default_execution_start_to_close_timeout = "31536000";
        t.default_task_start_to_close_timeout = "30";
        t.default_child_policy = model::child_policy::terminate;
        ASSERT_TRUE(c.register_workflow_type(t));
    }
    model::poll_for_decision_task_input decision_poll() {
        model::poll_for_decision_task_input p;
        p.domain = "d";
        p.task_list.name = "deciders";
        return p;
    }
    model::start_workflow_execution_input start_input(std::string id) {
        model::start_workflow_execution_input s;
        s.domain = "d";
        s.workflow_id = std::move(id);
        s.workflow_type = {"wf", "1"};
        return s;
    }

    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{io_.get_executor()};
    std::unique_ptr<server> server_;
    std::thread thread_;
};

TEST_F(server_test, a_held_poll_is_answered_the_moment_a_task_arrives) {
    start_server();
    auto c = client();
    setup_types(*c);
    auto poller = client();
    auto polled = std::async(std::launch::async, [&] { return poller->poll_for_decision_task(decision_poll()); });
    // Wait (bounded) until the server holds the poll.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (on_server([](service& s) { return s.polls_held(); }) == 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(5ms);
    ASSERT_EQ(on_server([](service& s) { return s.polls_held(); }), 1u);
    EXPECT_NE(polled.wait_for(100ms), std::future_status::ready) << "a poll with no task was answered at once";
    const auto started = std::chrono::steady_clock::now();
    auto run = c->start_workflow_execution(start_input("w"));
    ASSERT_TRUE(run) << run.error().to_string();
    ASSERT_EQ(polled.wait_for(5s), std::future_status::ready);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    auto task = polled.get();
    ASSERT_TRUE(task) << task.error().to_string();
    EXPECT_EQ(task->workflow_execution.run_id, run->run_id);
    ASSERT_EQ(task->events.size(), 3u);
    EXPECT_EQ(task->events[2].event_type, model::event_type::decision_task_started);
}

TEST_F(server_test, a_poll_nothing_answers_ends_empty_when_its_time_is_up) {
    server_options o;
    o.long_poll = 200ms;
    start_server(std::move(o));
    auto c = client();
    setup_types(*c);
    auto task = c->poll_for_decision_task(decision_poll());
    ASSERT_TRUE(task) << task.error().to_string();
    EXPECT_TRUE(task->task_token.empty());
    EXPECT_EQ(on_server([](service& s) { return s.polls_held(); }), 0u);
}

TEST_F(server_test, faults_reach_the_client_with_their_swf_codes) {
    start_server();
    auto c = client();
    setup_types(*c);
    model::describe_domain_input in;
    in.name = "nope";
    auto r = c->describe_domain(in);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
    ASSERT_TRUE(c->start_workflow_execution(start_input("w")));
    auto again = c->start_workflow_execution(start_input("w"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, "WorkflowExecutionAlreadyStartedFault");
}

TEST_F(server_test, a_request_over_1_mb_is_refused_and_the_server_goes_on) {
    start_server();
    auto c = client();
    setup_types(*c);
    // Past the client's own checks: a raw request with a 1.1 MB body.
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket sock(io);
    sock.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
    const std::string body(1100000, ' ');
    const std::string head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\n"
                             "Content-Type: application/x-amz-json-1.0\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n";
    boost::system::error_code ec;
    boost::asio::write(sock, boost::asio::buffer(head), ec);
    boost::asio::write(sock, boost::asio::buffer(body), ec); // the server may stop reading early
    std::string answer(512, '\0');
    auto n = sock.read_some(boost::asio::buffer(answer), ec);
    answer.resize(n);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
    EXPECT_NE(answer.find("RequestEntityTooLarge"), std::string::npos) << answer;
    // The server still answers.
    model::describe_domain_input in;
    in.name = "d";
    EXPECT_TRUE(c->describe_domain(in));
}

TEST_F(server_test, time_skipping_fires_a_week_long_timer_at_once) {
    std::atomic<long long> skipped{0};
    server_options o;
    o.time_skipping = true;
    o.on_skip = [&](std::chrono::seconds d, swf::clock::time_point) { skipped += d.count(); };
    start_server(std::move(o));
    auto c = client();
    setup_types(*c);
    ASSERT_TRUE(c->start_workflow_execution(start_input("w")));
    auto first = c->poll_for_decision_task(decision_poll());
    ASSERT_TRUE(first && !first->task_token.empty());
    model::start_timer_decision_attributes t;
    t.timer_id = "week";
    t.start_to_fire_timeout = "604800";
    model::decision d;
    d.decision_type = model::decision_type::start_timer;
    d.start_timer_decision_attributes = t;
    model::respond_decision_task_completed_input done;
    done.task_token = first->task_token;
    done.decisions.push_back(d);
    const auto began = std::chrono::steady_clock::now();
    ASSERT_TRUE(c->respond_decision_task_completed(done));
    auto next = c->poll_for_decision_task(decision_poll());
    ASSERT_TRUE(next) << next.error().to_string();
    EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
    ASSERT_GE(next->events.size(), 3u);
    const auto& fired = next->events[next->events.size() - 3];
    EXPECT_EQ(fired.event_type, model::event_type::timer_fired);
    // One jump of the whole week: no stop at the decision task's stale timeout.
    EXPECT_EQ(skipped.load(), 604800);
    EXPECT_GE(fired.event_timestamp - next->events[0].event_timestamp, 604800.0);
}

} // namespace
} // namespace swfrt::swf::service
