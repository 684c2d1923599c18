// The SWF client against a scripted transport: request shape and signing,
// response decoding, standard-mode retries, validation before sending, long
// poll timeouts, idempotent handling of retried calls, call_json, paginators
// and operation names. No network and no sleeping: the transport, the sleep,
// the random draw and the clock are all injected.
#include "swf/client/client.hpp"

#include "swf/client/operation.hpp"
#include "swf/client/paginate.hpp"
#include "swf/codec/codec.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace swfrt::swf;
using namespace std::chrono_literals;
using client::operation;
using std::chrono::milliseconds;

constexpr std::string_view region = "us-east-1";
constexpr std::string_view access_key = "AKIDEXAMPLE";
constexpr std::string_view secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

std::optional<std::string> header(const http::request& req, std::string_view name) {
    for (const auto& [k, v] : req.headers)
        if (iequals(k, name)) return v;
    return std::nullopt;
}

std::size_t header_count(const http::request& req, std::string_view name) {
    return static_cast<std::size_t>(
        std::count_if(req.headers.begin(), req.headers.end(), [&](const auto& h) { return iequals(h.first, name); }));
}

std::string fault_json(std::string_view type, std::string_view message = "from the script") {
    return R"({"__type":"com.amazonaws.swf.base.model#)" + std::string(type) + R"(","message":")" +
           std::string(message) + R"("})";
}

error transport_error(std::string code) {
    return make_error(error_kind::retryable, code, "scripted " + code);
}

// Answers each request with the next scripted outcome and records what it
// was sent. An exhausted script answers with a fatal error the tests see.
class fake_transport {
public:
    struct seen {
        http::request request;
        std::optional<milliseconds> read_timeout;
    };

    void respond(int status, std::string body) {
        http::response r;
        r.status = status;
        r.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
        r.body = std::move(body);
        script_.emplace_back(std::move(r));
    }
    void fault(int status, std::string_view type) { respond(status, fault_json(type)); }
    void fail(error e) { script_.emplace_back(std::move(e)); }

    asio::awaitable<result<http::response>> send(http::request req, std::optional<milliseconds> read_timeout) {
        requests.push_back({std::move(req), read_timeout});
        if (script_.empty())
            co_return make_error(error_kind::fatal, "ScriptExhausted", "the fake transport has no answer left");
        auto next = std::move(script_.front());
        script_.pop_front();
        if (auto* e = std::get_if<error>(&next)) co_return std::move(*e);
        co_return std::get<http::response>(std::move(next));
    }

    std::size_t remaining() const { return script_.size(); }
    std::vector<seen> requests;

private:
    std::deque<std::variant<http::response, error>> script_;
};

std::string target_of(const fake_transport::seen& s) { return header(s.request, "X-Amz-Target").value_or(""); }

class client_test : public ::testing::Test {
protected:
    client_test() : clock_(utc(2024, 5, 1, 12, 0, 0)) {}

    client::client_options options() {
        client::client_options o;
        o.region = std::string(region);
        o.endpoint_url = "https://swf.us-east-1.amazonaws.com";
        o.clock = &clock_;
        o.transport = [t = transport_](http::request req, std::optional<milliseconds> rt) {
            return t->send(std::move(req), rt);
        };
        o.sleep = [this](milliseconds d) { return record_sleep(d); };
        o.random = [] { return 0.5; };
        return o;
    }

    std::shared_ptr<client::client> make(client::client_options o, std::string session_token = {}) {
        auth::credentials creds;
        creds.access_key_id = std::string(access_key);
        creds.secret_access_key = std::string(secret_key);
        creds.session_token = std::move(session_token);
        auto c = client::client::create(ioc_.get_executor(), std::make_shared<auth::static_provider>(creds),
                                        std::move(o));
        if (!c) ADD_FAILURE() << c.error().to_string();
        return c ? *c : nullptr;
    }
    std::shared_ptr<client::client> make() { return make(options()); }

    template <class T>
    T run(asio::awaitable<T> op) {
        return swfrt::testing::run_on(ioc_, std::move(op));
    }

    asio::awaitable<void> record_sleep(milliseconds d) {
        delays_.push_back(d);
        if (sleep_advances_clock_) clock_.advance(d);
        co_return;
    }

    const std::vector<fake_transport::seen>& requests() const { return transport_->requests; }

    asio::io_context ioc_;
    manual_clock clock_;
    std::shared_ptr<fake_transport> transport_ = std::make_shared<fake_transport>();
    std::vector<milliseconds> delays_;
    bool sleep_advances_clock_ = false;
};

model::register_domain_input a_domain() {
    model::register_domain_input in;
    in.name = "orders";
    in.description = "order processing";
    in.workflow_execution_retention_period_in_days = "7";
    return in;
}

model::describe_domain_input describe(std::string name = "orders") {
    model::describe_domain_input in;
    in.name = std::move(name);
    return in;
}

const std::string domain_detail_json =
    R"({"configuration":{"workflowExecutionRetentionPeriodInDays":"7"},)"
    R"("domainInfo":{"name":"orders","status":"REGISTERED","description":"order processing",)"
    R"("arn":"arn:aws:swf:us-east-1:123456789012:/domain/orders"}})";

// ------------------------------------------------------------------ create

TEST_F(client_test, create_refuses_a_ca_bundle_it_cannot_load_with_an_error) {
    // The pool throws at start-up; create() turns that into an error.
    auto creds = std::make_shared<auth::static_provider>(auth::credentials{"AKID", "secret", "", {}, ""});
    auto o = options();
    o.transport = nullptr;
    o.pool.ca_file = "/nonexistent/swfrt-ca.pem";
    auto r = client::client::create(ioc_.get_executor(), creds, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InvalidCaBundle");
    EXPECT_NE(r.error().message.find("/nonexistent/swfrt-ca.pem"), std::string::npos) << r.error().message;
}

TEST_F(client_test, create_refuses_incomplete_options) {
    auto creds = std::make_shared<auth::static_provider>(auth::credentials{"AKID", "secret", "", {}, ""});
    auto no_region = options();
    no_region.region.clear();
    auto r1 = client::client::create(ioc_.get_executor(), creds, no_region);
    ASSERT_FALSE(r1);
    EXPECT_EQ(r1.error().code, "MissingRegion");
    EXPECT_EQ(r1.error().kind, error_kind::validation);

    auto no_endpoint = options();
    no_endpoint.endpoint_url.clear();
    auto r2 = client::client::create(ioc_.get_executor(), creds, no_endpoint);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, "InvalidEndpoint");

    auto bad_endpoint = options();
    bad_endpoint.endpoint_url = "ftp://swf.example.com";
    auto r3 = client::client::create(ioc_.get_executor(), creds, bad_endpoint);
    ASSERT_FALSE(r3);
    EXPECT_EQ(r3.error().code, "InvalidEndpoint");

    auto r4 = client::client::create(ioc_.get_executor(), nullptr, options());
    ASSERT_FALSE(r4);
    EXPECT_EQ(r4.error().code, "MissingCredentials");

    auto zero_attempts = options();
    zero_attempts.retry.max_attempts = 0;
    auto r5 = client::client::create(ioc_.get_executor(), creds, zero_attempts);
    ASSERT_FALSE(r5);
    EXPECT_EQ(r5.error().code, "InvalidRetryOptions");
}

// ----------------------------------------------------------- request shape

TEST_F(client_test, request_shape_and_signature) {
    auto c = make();
    transport_->respond(200, "{}");
    auto in = a_domain();
    auto r = run(c->register_domain(in));
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(requests().size(), 1u);
    const auto& seen = requests()[0];
    const auto& req = seen.request;
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/");
    EXPECT_EQ(header(req, "Host"), "swf.us-east-1.amazonaws.com");
    EXPECT_EQ(header(req, "Content-Type"), "application/x-amz-json-1.0");
    EXPECT_EQ(header(req, "X-Amz-Target"), "SimpleWorkflowService.RegisterDomain");
    EXPECT_EQ(header(req, "X-Amz-Date"), "20240501T120000Z");
    EXPECT_EQ(header_count(req, "Authorization"), 1u);
    auto authz = header(req, "Authorization").value_or("");
    EXPECT_EQ(authz.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/swf/aws4_request", 0), 0u)
        << authz;
    EXPECT_NE(authz.find("SignedHeaders="), std::string::npos) << authz;
    EXPECT_NE(authz.find("x-amz-target"), std::string::npos) << "the target must be signed: " << authz;
    EXPECT_EQ(header_count(req, "X-Amz-Security-Token"), 0u);
    EXPECT_EQ(req.body, codec::encode(in));
    auto sent = codec::decode<model::register_domain_input>(req.body);
    ASSERT_TRUE(sent) << sent.error().to_string();
    EXPECT_EQ(*sent, in);
    EXPECT_FALSE(seen.read_timeout);
}

TEST_F(client_test, signature_matches_an_independent_signer) {
    auto c = make();
    transport_->respond(200, domain_detail_json);
    ASSERT_TRUE(run(c->describe_domain(describe())));
    ASSERT_EQ(requests().size(), 1u);
    const auto& sent = requests()[0].request;

    // Strip what signing added and sign again: the same request must come out.
    http::request unsigned_req = sent;
    std::erase_if(unsigned_req.headers, [](const auto& h) {
        return iequals(h.first, "Authorization") || iequals(h.first, "X-Amz-Date");
    });
    auth::signer s{std::string(region), "swf"};
    auth::credentials creds{std::string(access_key), std::string(secret_key), "", {}, "test"};
    ASSERT_TRUE(s.sign(unsigned_req, creds, clock_.now()));
    EXPECT_EQ(header(unsigned_req, "Authorization"), header(sent, "Authorization"));
}

TEST_F(client_test, session_token_is_sent) {
    auto c = make(options(), "FwoGZXIvYXdzEXAMPLETOKEN");
    transport_->respond(200, domain_detail_json);
    ASSERT_TRUE(run(c->describe_domain(describe())));
    ASSERT_EQ(requests().size(), 1u);
    EXPECT_EQ(header(requests()[0].request, "X-Amz-Security-Token"), "FwoGZXIvYXdzEXAMPLETOKEN");
    auto authz = header(requests()[0].request, "Authorization").value_or("");
    EXPECT_NE(authz.find("x-amz-security-token"), std::string::npos) << authz;
}

TEST_F(client_test, endpoint_port_and_path) {
    auto o = options();
    o.endpoint_url = "http://127.0.0.1:8080/swf";
    auto c = make(o);
    transport_->respond(200, domain_detail_json);
    ASSERT_TRUE(run(c->describe_domain(describe())));
    ASSERT_EQ(requests().size(), 1u);
    EXPECT_EQ(requests()[0].request.target, "/swf");
    EXPECT_EQ(header(requests()[0].request, "Host"), "127.0.0.1:8080");
}

TEST_F(client_test, every_operation_names_its_target) {
    auto c = make();
    for (std::size_t i = 0; i < model::operation_count; ++i) {
        auto op = static_cast<operation>(i);
        transport_->respond(200, "{}");
        auto r = run(c->send(op, "{}"));
        ASSERT_TRUE(r) << client::api_name(op) << ": " << r.error().to_string();
        EXPECT_EQ(*r, "{}");
        ASSERT_EQ(requests().size(), i + 1);
        EXPECT_EQ(target_of(requests()[i]), "SimpleWorkflowService." + std::string(client::api_name(op)));
        EXPECT_EQ(requests()[i].request.body, "{}");
    }
    EXPECT_EQ(c->calls(), static_cast<std::uint64_t>(model::operation_count));
}

TEST_F(client_test, unusable_credentials_fail_before_sending) {
    auth::credentials empty_secret{"AKID", "", "", {}, ""};
    auto c = client::client::create(ioc_.get_executor(), std::make_shared<auth::static_provider>(empty_secret),
                                    options());
    ASSERT_TRUE(c);
    transport_->respond(200, domain_detail_json);
    auto r = run((*c)->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::auth);
    EXPECT_TRUE(requests().empty());
}

// ---------------------------------------------------------------- decoding

TEST_F(client_test, response_is_decoded) {
    auto c = make();
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->configuration.workflow_execution_retention_period_in_days, "7");
    EXPECT_EQ(r->domain_info.name, "orders");
    EXPECT_EQ(r->domain_info.status, model::registration_status::registered);
    EXPECT_EQ(r->domain_info.description, "order processing");
    EXPECT_EQ(r->domain_info.arn, "arn:aws:swf:us-east-1:123456789012:/domain/orders");
}

TEST_F(client_test, decision_task_is_decoded) {
    auto c = make();
    transport_->respond(200, R"({"taskToken":"tok-1","startedEventId":3,"previousStartedEventId":0,)"
                             R"("workflowExecution":{"workflowId":"wf","runId":"run"},)"
                             R"("workflowType":{"name":"order","version":"1"},)"
                             R"("events":[{"eventId":1,"eventTimestamp":1714564800.25,"eventType":"DecisionTaskScheduled",)"
                             R"("decisionTaskScheduledEventAttributes":{"taskList":{"name":"deciders"}}}]})");
    model::poll_for_decision_task_input in;
    in.domain = "orders";
    in.task_list.name = "deciders";
    auto r = run(c->poll_for_decision_task(in));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->task_token, "tok-1");
    EXPECT_EQ(r->started_event_id, 3);
    EXPECT_EQ(r->workflow_execution.run_id, "run");
    EXPECT_EQ(r->workflow_type.name, "order");
    ASSERT_EQ(r->events.size(), 1u);
    EXPECT_EQ(r->events[0].event_type, model::event_type::decision_task_scheduled);
    EXPECT_DOUBLE_EQ(r->events[0].event_timestamp, 1714564800.25);
    ASSERT_TRUE(r->events[0].decision_task_scheduled_event_attributes);
    EXPECT_EQ(r->events[0].decision_task_scheduled_event_attributes->task_list.name, "deciders");
}

TEST_F(client_test, an_event_type_this_sdk_does_not_know_does_not_fail_the_task) {
    // moto_server writes TimerCancelled where SWF writes TimerCanceled.
    auto c = make();
    transport_->respond(200, R"({"taskToken":"tok-1","startedEventId":3,"previousStartedEventId":0,)"
                             R"("workflowExecution":{"workflowId":"wf","runId":"run"},)"
                             R"("workflowType":{"name":"order","version":"1"},)"
                             R"("events":[{"eventId":1,"eventTimestamp":1714564800.25,"eventType":"TimerCancelled",)"
                             R"("timerCancelledEventAttributes":{"timerId":"t"}},)"
                             R"({"eventId":2,"eventTimestamp":1714564801.25,"eventType":"DecisionTaskScheduled",)"
                             R"("decisionTaskScheduledEventAttributes":{"taskList":{"name":"deciders"}}}]})");
    model::poll_for_decision_task_input in;
    in.domain = "orders";
    in.task_list.name = "deciders";
    auto r = run(c->poll_for_decision_task(in));
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->events.size(), 2u);
    EXPECT_EQ(r->events[0].event_type, model::event_type::unknown_to_sdk);
    EXPECT_EQ(r->events[0].event_type_text, "TimerCancelled");
    EXPECT_EQ(r->events[1].event_type, model::event_type::decision_task_scheduled);
}

TEST_F(client_test, empty_poll_is_a_task_without_token) {
    // SWF answers a poll that found nothing within 60 s with an empty task.
    auto c = make();
    transport_->respond(200, R"({"startedEventId":0})");
    model::poll_for_activity_task_input in;
    in.domain = "orders";
    in.task_list.name = "workers";
    auto r = run(c->poll_for_activity_task(in));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->task_token.empty());
}

TEST_F(client_test, empty_body_of_an_operation_without_output_is_success) {
    // Operations without output may be answered with 200 and no body at all
    // (moto_server does so for every one of them).
    auto c = make();
    transport_->respond(200, "");
    model::respond_activity_task_completed_input in;
    in.task_token = "tok";
    auto r = run(c->respond_activity_task_completed(in));
    EXPECT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(requests().size(), 1u);
}

TEST_F(client_test, undecodable_response_is_an_error_and_not_retried) {
    auto c = make();
    transport_->respond(200, "<html>not json</html>");
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InvalidResponse");
    EXPECT_EQ(r.error().kind, error_kind::fatal);
    EXPECT_NE(r.error().message.find("DescribeDomain"), std::string::npos) << r.error().message;
    EXPECT_EQ(requests().size(), 1u);
}

// ----------------------------------------------------------------- retries

TEST_F(client_test, retries_server_errors_with_backoff) {
    auto c = make();
    transport_->fault(500, "InternalFailure");
    transport_->respond(503, "");
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->domain_info.name, "orders");
    EXPECT_EQ(requests().size(), 3u);
    // random 0.5, base 1 s: half of 1 s, then half of 2 s.
    EXPECT_EQ(delays_, (std::vector<milliseconds>{500ms, 1000ms}));
    EXPECT_EQ(c->calls(), 1u);
    EXPECT_EQ(c->retries(), 2u);
    EXPECT_EQ(c->retry_quota_available(), 500) << "a success gives back what its retries took";
    for (const auto& s : requests()) EXPECT_EQ(s.request.body, requests()[0].request.body);
}

TEST_F(client_test, retries_throttling_until_attempts_run_out) {
    auto c = make();
    for (int i = 0; i < 3; ++i) transport_->fault(400, "ThrottlingException");
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ThrottlingException");
    EXPECT_EQ(r.error().kind, error_kind::throttled);
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_NE(r.error().message.find("3 attempts"), std::string::npos) << r.error().message;
    EXPECT_EQ(requests().size(), 3u);
    EXPECT_EQ(delays_, (std::vector<milliseconds>{500ms, 1000ms}));
    EXPECT_EQ(c->retries(), 2u);
    EXPECT_EQ(c->retry_quota_available(), 490);
}

TEST_F(client_test, retries_transport_errors) {
    auto c = make();
    transport_->fail(transport_error("ReadTimeout"));
    transport_->fail(transport_error("NetworkError"));
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(requests().size(), 3u);
    EXPECT_EQ(delays_.size(), 2u);
    EXPECT_EQ(c->retries(), 2u);
}

TEST_F(client_test, transport_errors_exhaust_attempts) {
    auto c = make();
    for (int i = 0; i < 3; ++i) transport_->fail(transport_error("ReadTimeout"));
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ReadTimeout");
    EXPECT_EQ(r.error().http_status, 0);
    EXPECT_EQ(requests().size(), 3u);
    EXPECT_EQ(c->retry_quota_available(), 480) << "two timeout retries at 10 each";
}

TEST_F(client_test, server_errors_exhaust_attempts) {
    auto c = make();
    for (int i = 0; i < 3; ++i) transport_->fault(500, "InternalFailure");
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InternalFailure");
    EXPECT_EQ(r.error().http_status, 500);
    EXPECT_EQ(requests().size(), 3u);
    EXPECT_EQ(transport_->remaining(), 0u);
}

TEST_F(client_test, more_attempts_double_the_delay_each_time) {
    auto o = options();
    o.retry.max_attempts = 5;
    auto c = make(o);
    for (int i = 0; i < 4; ++i) transport_->fault(503, "ServiceUnavailable");
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(requests().size(), 5u);
    EXPECT_EQ(delays_, (std::vector<milliseconds>{500ms, 1000ms, 2000ms, 4000ms}));
}

TEST_F(client_test, each_attempt_is_signed_at_its_own_time) {
    auto o = options();
    o.retry.base_delay = 5000ms; // 2.5 s with random 0.5
    sleep_advances_clock_ = true;
    auto c = make(o);
    transport_->fault(500, "InternalFailure");
    transport_->respond(200, domain_detail_json);
    ASSERT_TRUE(run(c->describe_domain(describe())));
    ASSERT_EQ(requests().size(), 2u);
    EXPECT_EQ(header(requests()[0].request, "X-Amz-Date"), "20240501T120000Z");
    EXPECT_EQ(header(requests()[1].request, "X-Amz-Date"), "20240501T120002Z");
    EXPECT_EQ(header_count(requests()[1].request, "Authorization"), 1u);
    EXPECT_NE(header(requests()[0].request, "Authorization"), header(requests()[1].request, "Authorization"));
}

TEST_F(client_test, no_retry_on_validation_exception) {
    auto c = make();
    transport_->fault(400, "ValidationException");
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ValidationException");
    EXPECT_EQ(r.error().kind, error_kind::validation);
    EXPECT_EQ(r.error().message, "from the script") << "a first-attempt failure is reported as SWF said it";
    EXPECT_EQ(requests().size(), 1u);
    EXPECT_TRUE(delays_.empty());
    EXPECT_EQ(c->retries(), 0u);
}

TEST_F(client_test, no_retry_on_unknown_resource) {
    auto c = make();
    transport_->fault(400, "UnknownResourceFault");
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
    EXPECT_EQ(r.error().kind, error_kind::not_found);
    EXPECT_EQ(requests().size(), 1u);
    EXPECT_TRUE(delays_.empty());
}

TEST_F(client_test, one_attempt_disables_retries) {
    auto o = options();
    o.retry.max_attempts = 1;
    auto c = make(o);
    transport_->fault(500, "InternalFailure");
    transport_->respond(200, domain_detail_json);
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InternalFailure");
    EXPECT_EQ(requests().size(), 1u);
    EXPECT_TRUE(delays_.empty());
    EXPECT_EQ(c->retries(), 0u);
    EXPECT_EQ(c->retry_quota_available(), 500);
}

TEST_F(client_test, empty_quota_stops_retrying) {
    auto o = options();
    o.retry.max_attempts = 5;
    o.retry.initial_quota = 5;
    auto c = make(o);
    for (int i = 0; i < 3; ++i) transport_->fault(500, "InternalFailure");
    auto r = run(c->describe_domain(describe()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InternalFailure");
    EXPECT_EQ(requests().size(), 2u) << "the quota paid for one retry only";
    EXPECT_EQ(transport_->remaining(), 1u);
    EXPECT_EQ(c->retry_quota_available(), 0);
    EXPECT_EQ(c->retries(), 1u);

    // The quota is shared by calls: the next call cannot retry at all...
    transport_->requests.clear();
    transport_->respond(200, domain_detail_json);
    ASSERT_FALSE(run(c->describe_domain(describe())));
    EXPECT_EQ(requests().size(), 1u);
    EXPECT_EQ(transport_->remaining(), 1u);

    // ...until successes refill it.
    for (int i = 0; i < 4; ++i) transport_->respond(200, domain_detail_json);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(run(c->describe_domain(describe())));
    EXPECT_EQ(c->retry_quota_available(), 5);
    transport_->fault(500, "InternalFailure");
    transport_->respond(200, domain_detail_json);
    EXPECT_TRUE(run(c->describe_domain(describe())));
    EXPECT_EQ(c->retries(), 2u);
    EXPECT_EQ(c->retry_quota_available(), 5);
    EXPECT_EQ(c->calls(), 8u);
}

TEST_F(client_test, counters) {
    auto c = make();
    EXPECT_EQ(c->calls(), 0u);
    EXPECT_EQ(c->retries(), 0u);
    transport_->respond(200, domain_detail_json);
    ASSERT_TRUE(run(c->describe_domain(describe())));
    transport_->fail(transport_error("ReadTimeout"));
    transport_->respond(200, domain_detail_json);
    ASSERT_TRUE(run(c->describe_domain(describe())));
    transport_->fault(400, "UnknownResourceFault");
    ASSERT_FALSE(run(c->describe_domain(describe())));
    EXPECT_EQ(c->calls(), 3u);
    EXPECT_EQ(c->retries(), 1u);
    // Refused before sending: not a call.
    ASSERT_FALSE(run(c->describe_domain(describe(""))));
    EXPECT_EQ(c->calls(), 3u);
}

TEST_F(client_test, call_info_reports_attempts_and_ambiguity) {
    auto c = make();
    transport_->fail(transport_error("ConnectTimeout"));
    transport_->respond(200, "{}");
    client::call_info info;
    ASSERT_TRUE(run(c->send(operation::deprecate_domain, R"({"name":"orders"})", &info)));
    EXPECT_EQ(info.attempts, 2);
    EXPECT_FALSE(info.earlier_attempt_ambiguous) << "a connection that never opened cannot have taken effect";

    transport_->fail(transport_error("ReadTimeout"));
    transport_->respond(200, "{}");
    ASSERT_TRUE(run(c->send(operation::deprecate_domain, R"({"name":"orders"})", &info)));
    EXPECT_EQ(info.attempts, 2);
    EXPECT_TRUE(info.earlier_attempt_ambiguous);

    transport_->respond(200, "{}");
    ASSERT_TRUE(run(c->send(operation::deprecate_domain, R"({"name":"orders"})", &info)));
    EXPECT_EQ(info.attempts, 1);
    EXPECT_FALSE(info.earlier_attempt_ambiguous) << "info is reset for each call";
}

// -------------------------------------------------------------- validation

TEST_F(client_test, empty_domain_name_is_refused_before_sending) {
    auto c = make();
    transport_->respond(200, "{}");
    auto in = a_domain();
    in.name.clear();
    auto r = run(c->register_domain(in));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::validation);
    EXPECT_EQ(r.error().message.rfind("RegisterDomain: ", 0), 0u) << r.error().message;
    EXPECT_NE(r.error().message.find("name"), std::string::npos) << r.error().message;
    EXPECT_TRUE(requests().empty());
    EXPECT_EQ(c->calls(), 0u);
}

TEST_F(client_test, invalid_utf8_is_refused_before_sending) {
    auto c = make();
    transport_->respond(200, "{}");
    auto in = a_domain();
    in.description = std::string("bad \xff\xfe bytes");
    auto r = run(c->register_domain(in));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::validation);
    EXPECT_NE(r.error().message.find("description"), std::string::npos) << r.error().message;
    EXPECT_TRUE(requests().empty());
}

TEST_F(client_test, empty_task_token_is_refused_before_sending) {
    auto c = make();
    transport_->respond(200, "{}");
    model::respond_activity_task_completed_input in;
    auto r = run(c->respond_activity_task_completed(in));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::validation);
    EXPECT_EQ(r.error().message.rfind("RespondActivityTaskCompleted: ", 0), 0u) << r.error().message;
    EXPECT_TRUE(requests().empty());
}

TEST_F(client_test, a_value_this_sdk_does_not_know_is_refused_before_sending) {
    auto c = make();
    transport_->respond(200, "{}");
    model::respond_decision_task_completed_input in;
    in.task_token = "tok";
    auto& d = in.decisions.emplace_back();
    d.decision_type = model::decision_type::unknown_to_sdk;
    d.decision_type_text = "TimerCancelled";
    auto r = run(c->respond_decision_task_completed(in));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::validation);
    EXPECT_NE(r.error().message.find("decisions[0].decisionType holds 'TimerCancelled'"), std::string::npos)
        << r.error().message;
    EXPECT_TRUE(requests().empty());
}

TEST_F(client_test, call_json_prints_a_value_this_sdk_does_not_know_as_it_came) {
    auto c = make();
    transport_->respond(200, R"({"domainInfo":{"name":"orders","status":"RETIRED"},)"
                             R"("configuration":{"workflowExecutionRetentionPeriodInDays":"7"}})");
    auto r = run(c->call_json(operation::describe_domain, R"({"name":"orders"})"));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_NE(r->find(R"("status":"RETIRED")"), std::string::npos) << *r;
    // A request is decoded strictly: the same value there is an input error.
    auto q = run(c->call_json(operation::list_domains, R"({"registrationStatus":"RETIRED"})"));
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().kind, error_kind::validation);
    EXPECT_NE(q.error().message.find("unknown RegistrationStatus value 'RETIRED'"), std::string::npos)
        << q.error().message;
    EXPECT_EQ(requests().size(), 1u);
}

// -------------------------------------------------------------- long polls

TEST_F(client_test, long_polls_get_the_poll_read_timeout) {
    EXPECT_EQ(client::client_options{}.poll_read_timeout, 70000ms);
    auto c = make();
    transport_->respond(200, R"({"startedEventId":0})");
    transport_->respond(200, R"({"startedEventId":0})");
    transport_->respond(200, domain_detail_json);
    transport_->respond(200, "{}");
    model::poll_for_decision_task_input d;
    d.domain = "orders";
    d.task_list.name = "deciders";
    ASSERT_TRUE(run(c->poll_for_decision_task(d)));
    model::poll_for_activity_task_input a;
    a.domain = "orders";
    a.task_list.name = "workers";
    ASSERT_TRUE(run(c->poll_for_activity_task(a)));
    ASSERT_TRUE(run(c->describe_domain(describe())));
    model::respond_activity_task_completed_input done;
    done.task_token = "tok";
    ASSERT_TRUE(run(c->respond_activity_task_completed(done)));
    ASSERT_EQ(requests().size(), 4u);
    EXPECT_EQ(requests()[0].read_timeout, 70000ms);
    EXPECT_EQ(requests()[1].read_timeout, 70000ms);
    EXPECT_FALSE(requests()[2].read_timeout);
    EXPECT_FALSE(requests()[3].read_timeout);
}

TEST_F(client_test, poll_read_timeout_follows_the_options_on_every_attempt) {
    auto o = options();
    o.poll_read_timeout = 65000ms;
    auto c = make(o);
    transport_->fail(transport_error("ReadTimeout"));
    transport_->respond(200, R"({"startedEventId":0})");
    model::poll_for_activity_task_input a;
    a.domain = "orders";
    a.task_list.name = "workers";
    ASSERT_TRUE(run(c->poll_for_activity_task(a)));
    ASSERT_EQ(requests().size(), 2u);
    EXPECT_EQ(requests()[0].read_timeout, 65000ms);
    EXPECT_EQ(requests()[1].read_timeout, 65000ms);
}

// ------------------------------------------------------------- idempotency

struct respond_call {
    const char* name;
    std::function<asio::awaitable<result<model::empty>>(client::client&)> call;
};

std::vector<respond_call> respond_calls() {
    return {
        {"RespondActivityTaskCompleted",
         [](client::client& c) {
             model::respond_activity_task_completed_input in;
             in.task_token = "tok";
             in.result_ = "42";
             return c.respond_activity_task_completed(in);
         }},
        {"RespondActivityTaskFailed",
         [](client::client& c) {
             model::respond_activity_task_failed_input in;
             in.task_token = "tok";
             in.reason = "boom";
             return c.respond_activity_task_failed(in);
         }},
        {"RespondActivityTaskCanceled",
         [](client::client& c) {
             model::respond_activity_task_canceled_input in;
             in.task_token = "tok";
             return c.respond_activity_task_canceled(in);
         }},
        {"RespondDecisionTaskCompleted",
         [](client::client& c) {
             model::respond_decision_task_completed_input in;
             in.task_token = "tok";
             in.execution_context = "ctx";
             return c.respond_decision_task_completed(in);
         }},
    };
}

TEST_F(client_test, answer_whose_lost_first_attempt_used_the_token_succeeds) {
    auto c = make();
    for (const auto& rc : respond_calls()) {
        SCOPED_TRACE(rc.name);
        transport_->requests.clear();
        transport_->fail(transport_error("ReadTimeout"));
        transport_->fault(400, "UnknownResourceFault");
        auto r = run(rc.call(*c));
        EXPECT_TRUE(r) << r.error().to_string();
        ASSERT_EQ(requests().size(), 2u);
        EXPECT_EQ(target_of(requests()[1]), std::string("SimpleWorkflowService.") + rc.name);
    }
}

TEST_F(client_test, answer_after_a_500_then_unknown_resource_succeeds) {
    auto c = make();
    for (const auto& rc : respond_calls()) {
        SCOPED_TRACE(rc.name);
        transport_->requests.clear();
        transport_->fault(500, "InternalFailure");
        transport_->fault(400, "UnknownResourceFault");
        auto r = run(rc.call(*c));
        EXPECT_TRUE(r) << r.error().to_string();
        EXPECT_EQ(requests().size(), 2u);
    }
}

TEST_F(client_test, answer_with_unknown_resource_on_the_first_attempt_fails) {
    auto c = make();
    for (const auto& rc : respond_calls()) {
        SCOPED_TRACE(rc.name);
        transport_->requests.clear();
        transport_->fault(400, "UnknownResourceFault");
        auto r = run(rc.call(*c));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "UnknownResourceFault");
        EXPECT_EQ(r.error().kind, error_kind::not_found);
        EXPECT_EQ(requests().size(), 1u);
    }
}

TEST_F(client_test, answer_after_unambiguous_failures_then_unknown_resource_fails) {
    // Neither a connection that never opened nor a throttled request can
    // have used the token, so the task is really unknown (e.g. timed out).
    auto c = make();
    for (const auto& rc : respond_calls()) {
        SCOPED_TRACE(rc.name);
        transport_->requests.clear();
        transport_->fail(transport_error("ConnectTimeout"));
        transport_->fault(400, "ThrottlingException");
        transport_->fault(400, "UnknownResourceFault");
        auto r = run(rc.call(*c));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "UnknownResourceFault");
        EXPECT_EQ(requests().size(), 3u);
    }
}

TEST_F(client_test, retry_until_retries_past_max_attempts_without_the_quota) {
    auto o = options();
    o.retry.initial_quota = 0; // an empty quota stops standard-mode retries at once
    auto c = make(std::move(o));
    for (int i = 0; i < 6; ++i) transport_->fault(500, "InternalFailure");
    transport_->respond(200, "");
    model::respond_activity_task_completed_input in;
    in.task_token = "tok";
    client::call_options co;
    co.retry_until = clock_.now() + std::chrono::minutes{5};
    client::call_info info;
    auto r = run(c->respond_activity_task_completed(in, co, &info));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(requests().size(), 7u);
    EXPECT_EQ(info.attempts, 7);
    EXPECT_FALSE(info.deadline_reached);
}

TEST_F(client_test, retry_until_gives_up_before_sleeping_past_the_deadline) {
    sleep_advances_clock_ = true;
    auto c = make();
    for (int i = 0; i < 30; ++i) transport_->fault(503, "ServiceUnavailable");
    model::respond_decision_task_completed_input in;
    in.task_token = "tok";
    client::call_options co;
    co.retry_until = clock_.now() + std::chrono::seconds{10};
    client::call_info info;
    auto r = run(c->respond_decision_task_completed(in, co, &info));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ServiceUnavailable");
    EXPECT_TRUE(info.deadline_reached);
    // Delays 0.5, 1, 2, 4 s (7.5 s); the next, 8 s, is cut to 1.5 s so the
    // last attempt goes a second before the deadline, at 9 s.
    EXPECT_EQ(requests().size(), 6u);
    ASSERT_EQ(delays_.size(), 5u);
    EXPECT_EQ(delays_.back(), milliseconds{1500});
    milliseconds total{0};
    for (auto d : delays_) total += d;
    EXPECT_EQ(total, std::chrono::seconds{9});
}

TEST_F(client_test, signal_whose_answer_was_lost_is_not_sent_again) {
    auto c = make();
    transport_->fail(transport_error("NetworkError"));
    model::signal_workflow_execution_input in;
    in.domain = "orders";
    in.workflow_id = "order-1001";
    in.signal_name = "approve";
    auto r = run(c->signal_workflow_execution(in));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("may have taken effect"), std::string::npos) << r.error().message;
    EXPECT_EQ(requests().size(), 1u);
    // A 5xx answer is SWF saying it failed: retried as usual.
    transport_->requests.clear();
    transport_->fault(500, "InternalFailure");
    transport_->respond(200, "");
    ASSERT_TRUE(run(c->signal_workflow_execution(in)));
    EXPECT_EQ(requests().size(), 2u);
}

TEST_F(client_test, on_call_reports_a_fault_settled_by_its_effect_as_success) {
    std::vector<std::string> reported;
    auto o = options();
    o.on_call = [&](client::operation op, double, const client::call_info& ci, const error* e) {
        reported.push_back(std::string(client::api_name(op)) + (e ? " failed " + e->code : " ok") +
                           (ci.settled_by_effect ? " settled" : "") + (ci.already_exists ? " exists" : ""));
    };
    auto c = make(std::move(o));
    transport_->fail(transport_error("ReadTimeout"));
    transport_->fault(400, "UnknownResourceFault");
    model::respond_activity_task_completed_input in;
    in.task_token = "tok";
    ASSERT_TRUE(run(c->respond_activity_task_completed(in)));
    transport_->fault(400, "DomainAlreadyExistsFault");
    EXPECT_FALSE(run(c->register_domain(a_domain())));
    transport_->fault(400, "UnknownResourceFault");
    EXPECT_FALSE(run(c->respond_activity_task_completed(in)));
    EXPECT_EQ(reported, (std::vector<std::string>{"RespondActivityTaskCompleted ok settled", "RegisterDomain ok exists",
                                                  "RespondActivityTaskCompleted failed UnknownResourceFault"}));
}

TEST_F(client_test, heartbeat_is_not_treated_as_an_answer) {
    auto c = make();
    transport_->fail(transport_error("ReadTimeout"));
    transport_->fault(400, "UnknownResourceFault");
    model::record_activity_task_heartbeat_input in;
    in.task_token = "tok";
    auto r = run(c->record_activity_task_heartbeat(in));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
}

model::register_activity_type_input an_activity_type() {
    model::register_activity_type_input in;
    in.domain = "orders";
    in.name = "charge";
    in.version = "1";
    return in;
}

model::register_workflow_type_input a_workflow_type() {
    model::register_workflow_type_input in;
    in.domain = "orders";
    in.name = "order";
    in.version = "1";
    return in;
}

TEST_F(client_test, registration_whose_lost_first_attempt_took_effect_succeeds) {
    auto c = make();
    transport_->fault(500, "InternalFailure");
    transport_->fault(400, "TypeAlreadyExistsFault");
    auto r1 = run(c->register_activity_type(an_activity_type()));
    EXPECT_TRUE(r1) << r1.error().to_string();

    transport_->fault(500, "InternalFailure");
    transport_->fault(400, "TypeAlreadyExistsFault");
    auto r2 = run(c->register_workflow_type(a_workflow_type()));
    EXPECT_TRUE(r2) << r2.error().to_string();

    transport_->fault(500, "InternalFailure");
    transport_->fault(400, "DomainAlreadyExistsFault");
    auto r3 = run(c->register_domain(a_domain()));
    EXPECT_TRUE(r3) << r3.error().to_string();

    transport_->fail(transport_error("ReadTimeout"));
    transport_->fault(400, "DomainAlreadyExistsFault");
    auto r4 = run(c->register_domain(a_domain()));
    EXPECT_TRUE(r4) << r4.error().to_string();

    ASSERT_EQ(requests().size(), 8u);
    EXPECT_EQ(target_of(requests()[1]), "SimpleWorkflowService.RegisterActivityType");
    EXPECT_EQ(target_of(requests()[3]), "SimpleWorkflowService.RegisterWorkflowType");
    EXPECT_EQ(target_of(requests()[5]), "SimpleWorkflowService.RegisterDomain");
}

TEST_F(client_test, registration_of_an_existing_type_fails) {
    auto c = make();
    transport_->fault(400, "TypeAlreadyExistsFault");
    auto r1 = run(c->register_activity_type(an_activity_type()));
    ASSERT_FALSE(r1);
    EXPECT_EQ(r1.error().code, "TypeAlreadyExistsFault");
    EXPECT_EQ(r1.error().kind, error_kind::conflict);

    transport_->fault(400, "TypeAlreadyExistsFault");
    auto r2 = run(c->register_workflow_type(a_workflow_type()));
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, "TypeAlreadyExistsFault");

    transport_->fault(400, "DomainAlreadyExistsFault");
    auto r3 = run(c->register_domain(a_domain()));
    ASSERT_FALSE(r3);
    EXPECT_EQ(r3.error().code, "DomainAlreadyExistsFault");

    // A throttled first attempt cannot have registered anything.
    transport_->fault(400, "ThrottlingException");
    transport_->fault(400, "DomainAlreadyExistsFault");
    auto r4 = run(c->register_domain(a_domain()));
    ASSERT_FALSE(r4);
    EXPECT_EQ(r4.error().code, "DomainAlreadyExistsFault");
    EXPECT_EQ(requests().size(), 5u);
}

TEST_F(client_test, registration_fault_of_the_other_kind_is_not_swallowed) {
    // Only the fault that means "what this call creates exists" is success.
    auto c = make();
    transport_->fault(500, "InternalFailure");
    transport_->fault(400, "UnknownResourceFault");
    auto r = run(c->register_activity_type(an_activity_type()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
}

model::start_workflow_execution_input a_start() {
    model::start_workflow_execution_input in;
    in.domain = "orders";
    in.workflow_id = "order-1001";
    in.workflow_type = {"order", "1"};
    in.task_list = model::task_list{"deciders"};
    in.input = "{}";
    return in;
}

const std::string open_execution_json =
    R"({"executionInfos":[{"execution":{"workflowId":"order-1001","runId":"22xyzRUN"},)"
    R"("workflowType":{"name":"order","version":"1"},"startTimestamp":1714564800.0,)"
    R"("executionStatus":"OPEN"}]})";

TEST_F(client_test, retried_start_returns_the_run_an_earlier_attempt_started) {
    auto c = make();
    transport_->fail(transport_error("ReadTimeout"));
    transport_->fault(400, "WorkflowExecutionAlreadyStartedFault");
    transport_->respond(200, open_execution_json);
    client::call_info info;
    auto r = run(c->start_workflow_execution(a_start(), {}, &info));
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(r->run_id);
    EXPECT_EQ(*r->run_id, "22xyzRUN");
    EXPECT_TRUE(info.settled_by_effect);

    ASSERT_EQ(requests().size(), 3u);
    EXPECT_EQ(target_of(requests()[0]), "SimpleWorkflowService.StartWorkflowExecution");
    EXPECT_EQ(target_of(requests()[1]), "SimpleWorkflowService.StartWorkflowExecution");
    EXPECT_EQ(target_of(requests()[2]), "SimpleWorkflowService.ListOpenWorkflowExecutions");
    auto q = codec::decode<model::list_open_workflow_executions_input>(requests()[2].request.body);
    ASSERT_TRUE(q) << q.error().to_string();
    EXPECT_EQ(q->domain, "orders");
    ASSERT_TRUE(q->execution_filter);
    EXPECT_EQ(q->execution_filter->workflow_id, "order-1001");
}

TEST_F(client_test, retried_start_ignores_a_listed_run_of_another_workflow_id_or_type) {
    for (std::string listed : {std::string(R"({"executionInfos":[{"execution":{"workflowId":"order-9999","runId":"R1"},)"
                                           R"("workflowType":{"name":"order","version":"1"},"startTimestamp":1.0,)"
                                           R"("executionStatus":"OPEN"}]})"),
                               std::string(R"({"executionInfos":[{"execution":{"workflowId":"order-1001","runId":"R2"},)"
                                           R"("workflowType":{"name":"refund","version":"1"},"startTimestamp":1.0,)"
                                           R"("executionStatus":"OPEN"}]})")}) {
        transport_->requests.clear();
        transport_->fail(transport_error("ReadTimeout"));
        transport_->fault(400, "WorkflowExecutionAlreadyStartedFault");
        transport_->respond(200, listed);
        auto c = make();
        auto r = run(c->start_workflow_execution(a_start()));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "WorkflowExecutionAlreadyStartedFault");
        EXPECT_EQ(requests().size(), 3u);
    }
}

TEST_F(client_test, retried_start_does_not_claim_a_run_that_was_open_before_the_call) {
    // Yesterday's run of the same id is a real WorkflowExecutionAlreadyStarted.
    auto c = make();
    transport_->fail(transport_error("ReadTimeout"));
    transport_->fault(400, "WorkflowExecutionAlreadyStartedFault");
    transport_->respond(200, R"({"executionInfos":[{"execution":{"workflowId":"order-1001","runId":"OLD"},)"
                             R"("workflowType":{"name":"order","version":"1"},"startTimestamp":1714478400.0,)"
                             R"("executionStatus":"OPEN"}]})");
    auto r = run(c->start_workflow_execution(a_start()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "WorkflowExecutionAlreadyStartedFault");
    ASSERT_EQ(requests().size(), 3u);
    auto q = codec::decode<model::list_open_workflow_executions_input>(requests()[2].request.body);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->start_time_filter.oldest_date, 1714564800.0 - 300);
}

TEST_F(client_test, start_already_started_on_the_first_attempt_looks_nothing_up) {
    auto c = make();
    transport_->fault(400, "WorkflowExecutionAlreadyStartedFault");
    transport_->respond(200, open_execution_json);
    auto r = run(c->start_workflow_execution(a_start()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "WorkflowExecutionAlreadyStartedFault");
    EXPECT_TRUE(r.error().detail.empty());
    EXPECT_EQ(requests().size(), 1u);
}

TEST_F(client_test, retried_start_without_an_open_run_keeps_the_fault) {
    auto c = make();
    transport_->fault(503, "ServiceUnavailable");
    transport_->fault(400, "WorkflowExecutionAlreadyStartedFault");
    transport_->respond(200, R"({"executionInfos":[]})");
    auto r = run(c->start_workflow_execution(a_start()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "WorkflowExecutionAlreadyStartedFault");
    EXPECT_TRUE(r.error().detail.empty());
    EXPECT_EQ(requests().size(), 3u);
}

TEST_F(client_test, start_returns_the_run_id) {
    auto c = make();
    transport_->respond(200, R"({"runId":"22abcRUN"})");
    auto in = a_start();
    auto r = run(c->start_workflow_execution(in));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->run_id, "22abcRUN");
    ASSERT_EQ(requests().size(), 1u);
    EXPECT_EQ(requests()[0].request.body, codec::encode(in));
}

// --------------------------------------------------------------- call_json

TEST_F(client_test, call_json_returns_the_response_json) {
    auto c = make();
    transport_->respond(200, domain_detail_json);
    auto r = run(c->call_json(operation::describe_domain, R"({"name":"orders"})"));
    ASSERT_TRUE(r) << r.error().to_string();
    auto out = codec::decode<model::domain_detail>(*r, {.strict = true});
    ASSERT_TRUE(out) << out.error().to_string() << " in " << *r;
    EXPECT_EQ(out->domain_info.name, "orders");
    EXPECT_EQ(out->domain_info.description, "order processing");
    EXPECT_EQ(out->configuration.workflow_execution_retention_period_in_days, "7");
    ASSERT_EQ(requests().size(), 1u);
    EXPECT_EQ(target_of(requests()[0]), "SimpleWorkflowService.DescribeDomain");
    EXPECT_EQ(requests()[0].request.body, codec::encode(describe("orders")));
}

TEST_F(client_test, call_json_decodes_strictly_before_sending) {
    auto c = make();
    transport_->respond(200, domain_detail_json);
    auto r = run(c->call_json(operation::describe_domain, R"({"name":"orders","nmae":"typo"})"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::validation);
    EXPECT_NE(r.error().message.find("DescribeDomain"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("nmae"), std::string::npos) << r.error().message;
    EXPECT_TRUE(requests().empty());
    EXPECT_EQ(c->calls(), 0u);
}

TEST_F(client_test, call_json_refuses_malformed_json_before_sending) {
    auto c = make();
    transport_->respond(200, domain_detail_json);
    for (const char* bad : {R"({"name":"orders")", "", "not json", R"({"name":"orders"} trailing)"}) {
        SCOPED_TRACE(bad);
        auto r = run(c->call_json(operation::describe_domain, bad));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, error_kind::validation);
    }
    EXPECT_TRUE(requests().empty());
}

TEST_F(client_test, call_json_validates_before_sending) {
    auto c = make();
    transport_->respond(200, domain_detail_json);
    auto r = run(c->call_json(operation::describe_domain, R"({"name":""})"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_kind::validation);
    EXPECT_TRUE(requests().empty());
}

TEST_F(client_test, call_json_passes_service_errors_through) {
    auto c = make();
    transport_->fault(400, "UnknownResourceFault");
    auto r = run(c->call_json(operation::describe_domain, R"({"name":"nope"})"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
}

std::string domains_page(std::vector<std::string> names, std::optional<std::string> token) {
    std::string out = R"({"domainInfos":[)";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += ',';
        out += R"({"name":")" + names[i] + R"(","status":"REGISTERED"})";
    }
    out += ']';
    if (token) out += R"(,"nextPageToken":")" + *token + '"';
    return out + '}';
}

TEST_F(client_test, call_json_all_pages_follows_next_page_token) {
    auto c = make();
    transport_->respond(200, domains_page({"a", "b"}, "tok-1"));
    transport_->respond(200, domains_page({"c"}, "tok-2"));
    transport_->respond(200, domains_page({"d", "e"}, std::nullopt));
    auto r = run(c->call_json(operation::list_domains, R"({"registrationStatus":"REGISTERED"})", true));
    ASSERT_TRUE(r) << r.error().to_string();
    auto out = codec::decode<model::domain_infos>(*r);
    ASSERT_TRUE(out) << out.error().to_string();
    std::vector<std::string> names;
    for (const auto& d : out->domain_infos) names.push_back(d.name);
    EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
    EXPECT_FALSE(out->next_page_token);
    EXPECT_EQ(r->find("nextPageToken"), std::string::npos) << *r;

    ASSERT_EQ(requests().size(), 3u);
    std::vector<std::optional<std::string>> tokens;
    for (const auto& s : requests()) {
        EXPECT_EQ(target_of(s), "SimpleWorkflowService.ListDomains");
        auto in = codec::decode<model::list_domains_input>(s.request.body);
        ASSERT_TRUE(in) << in.error().to_string();
        EXPECT_EQ(in->registration_status, model::registration_status::registered);
        tokens.push_back(in->next_page_token);
    }
    EXPECT_EQ(tokens, (std::vector<std::optional<std::string>>{std::nullopt, "tok-1", "tok-2"}));
    EXPECT_EQ(c->calls(), 3u);
}

TEST_F(client_test, call_json_without_all_pages_returns_one_page) {
    auto c = make();
    transport_->respond(200, domains_page({"a", "b"}, "tok-1"));
    transport_->respond(200, domains_page({"c"}, std::nullopt));
    auto r = run(c->call_json(operation::list_domains, R"({"registrationStatus":"REGISTERED"})"));
    ASSERT_TRUE(r) << r.error().to_string();
    auto out = codec::decode<model::domain_infos>(*r);
    ASSERT_TRUE(out) << out.error().to_string();
    EXPECT_EQ(out->domain_infos.size(), 2u);
    EXPECT_EQ(out->next_page_token, "tok-1");
    EXPECT_EQ(requests().size(), 1u);
}

TEST_F(client_test, call_json_all_pages_on_an_unpaginated_operation_is_one_call) {
    auto c = make();
    transport_->respond(200, domain_detail_json);
    transport_->respond(200, domain_detail_json);
    auto r = run(c->call_json(operation::describe_domain, R"({"name":"orders"})", true));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(requests().size(), 1u);
}

// ---------------------------------------------------------------- paginate

std::string history_page(std::int64_t first, std::int64_t last, std::optional<std::string> token) {
    std::string out = R"({"events":[)";
    for (auto id = first; id <= last; ++id) {
        if (id != first) out += ',';
        out += R"({"eventId":)" + std::to_string(id) +
               R"(,"eventTimestamp":1714564800.5,"eventType":"DecisionTaskScheduled",)"
               R"("decisionTaskScheduledEventAttributes":{"taskList":{"name":"deciders"}}})";
    }
    out += ']';
    if (token) out += R"(,"nextPageToken":")" + *token + '"';
    return out + '}';
}

model::get_workflow_execution_history_input history_request() {
    model::get_workflow_execution_history_input in;
    in.domain = "orders";
    in.execution = {"22xyzRUN", "order-1001"};
    in.maximum_page_size = 2;
    return in;
}

TEST_F(client_test, history_all_pages_merges_events) {
    auto c = make();
    transport_->respond(200, history_page(1, 2, "h2"));
    transport_->respond(200, history_page(3, 4, "h3"));
    transport_->respond(200, history_page(5, 5, std::nullopt));
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request()));
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->events.size(), 5u);
    for (std::size_t i = 0; i < r->events.size(); ++i) EXPECT_EQ(r->events[i].event_id, std::int64_t(i + 1));
    EXPECT_FALSE(r->next_page_token);

    ASSERT_EQ(requests().size(), 3u);
    std::vector<std::optional<std::string>> tokens;
    for (const auto& s : requests()) {
        auto in = codec::decode<model::get_workflow_execution_history_input>(s.request.body);
        ASSERT_TRUE(in) << in.error().to_string();
        EXPECT_EQ(in->execution.workflow_id, "order-1001");
        EXPECT_EQ(in->maximum_page_size, 2);
        tokens.push_back(in->next_page_token);
    }
    EXPECT_EQ(tokens, (std::vector<std::optional<std::string>>{std::nullopt, "h2", "h3"}));
}

TEST_F(client_test, history_all_pages_single_page) {
    auto c = make();
    transport_->respond(200, history_page(1, 3, std::nullopt));
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->events.size(), 3u);
    EXPECT_EQ(requests().size(), 1u);
}

TEST_F(client_test, empty_next_page_token_ends_pagination) {
    auto c = make();
    transport_->respond(200, history_page(1, 2, ""));
    transport_->respond(200, history_page(3, 4, std::nullopt));
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->events.size(), 2u);
    EXPECT_EQ(requests().size(), 1u);
}

TEST_F(client_test, repeated_next_page_token_is_a_pagination_loop) {
    auto c = make();
    transport_->respond(200, history_page(1, 2, "same"));
    transport_->respond(200, history_page(3, 4, "same"));
    transport_->respond(200, history_page(5, 6, std::nullopt));
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "PaginationLoop");
    EXPECT_NE(r.error().message.find("GetWorkflowExecutionHistory"), std::string::npos) << r.error().message;
    EXPECT_EQ(requests().size(), 2u);
}

TEST_F(client_test, token_repeated_after_other_pages_is_a_pagination_loop) {
    auto c = make();
    transport_->respond(200, history_page(1, 1, "a"));
    transport_->respond(200, history_page(2, 2, "b"));
    transport_->respond(200, history_page(3, 3, "a"));
    transport_->respond(200, history_page(4, 4, std::nullopt));
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "PaginationLoop");
    EXPECT_EQ(requests().size(), 3u);
}

TEST_F(client_test, max_pages_bounds_pagination) {
    auto c = make();
    transport_->respond(200, history_page(1, 1, "a"));
    transport_->respond(200, history_page(2, 2, "b"));
    transport_->respond(200, history_page(3, 3, std::nullopt));
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request(), 2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "PaginationLoop");
    EXPECT_EQ(requests().size(), 2u);
}

TEST_F(client_test, endless_fresh_tokens_end_at_the_history_event_limit) {
    // 26,000 events (SWF's 25,000 with a margin): 27 pages of 1,000.
    auto c = make();
    for (int page = 0; page < 40; ++page)
        transport_->respond(200, history_page(page * 1000 + 1, page * 1000 + 1000, "t" + std::to_string(page)));
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "PaginationLimit");
    EXPECT_NE(r.error().message.find("more than 26000 items"), std::string::npos) << r.error().message;
    EXPECT_EQ(requests().size(), 27u);
}

TEST_F(client_test, error_on_a_later_page_is_returned) {
    auto c = make();
    transport_->respond(200, history_page(1, 2, "h2"));
    transport_->fault(400, "UnknownResourceFault");
    auto r = run(client::get_workflow_execution_history_all_pages(*c, history_request()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "UnknownResourceFault");
    EXPECT_EQ(requests().size(), 2u);
}

// ------------------------------------------------------------------- names

TEST(operation_names, from_name_accepts_api_and_kebab_spelling) {
    EXPECT_EQ(client::operation_from_name("RegisterDomain"), operation::register_domain);
    EXPECT_EQ(client::operation_from_name("register-domain"), operation::register_domain);
    EXPECT_EQ(client::operation_from_name("PollForDecisionTask"), operation::poll_for_decision_task);
    EXPECT_EQ(client::operation_from_name("poll-for-decision-task"), operation::poll_for_decision_task);
    EXPECT_FALSE(client::operation_from_name("registerdomain"));
    EXPECT_FALSE(client::operation_from_name("Nope"));
    EXPECT_FALSE(client::operation_from_name(""));
    EXPECT_FALSE(client::operation_from_name("register_domain"));
    EXPECT_FALSE(client::operation_from_name("RegisterDomain "));
}

TEST(operation_names, kebab_name) {
    EXPECT_EQ(client::kebab_name(operation::register_domain), "register-domain");
    EXPECT_EQ(client::kebab_name(operation::respond_activity_task_completed), "respond-activity-task-completed");
    EXPECT_EQ(client::kebab_name(operation::list_tags_for_resource), "list-tags-for-resource");
    EXPECT_EQ(client::kebab_name(operation::count_closed_workflow_executions), "count-closed-workflow-executions");
    EXPECT_EQ(client::api_name(operation::untag_resource), "UntagResource");
}

TEST(operation_names, all_39_round_trip) {
    ASSERT_EQ(model::operation_count, 39);
    ASSERT_EQ(client::operation_names.size(), 39u);
    std::set<std::string> api, kebab;
    for (std::size_t i = 0; i < client::operation_names.size(); ++i) {
        auto op = static_cast<operation>(i);
        auto name = client::api_name(op);
        EXPECT_EQ(name, client::operation_names[i]);
        EXPECT_EQ(client::operation_from_name(name), op) << name;
        auto k = client::kebab_name(op);
        EXPECT_EQ(client::operation_from_name(k), op) << k;
        EXPECT_TRUE(std::all_of(k.begin(), k.end(), [](char ch) {
            return ch == '-' || std::islower(static_cast<unsigned char>(ch));
        })) << k;
        api.insert(std::string(name));
        kebab.insert(k);
    }
    EXPECT_EQ(api.size(), 39u);
    EXPECT_EQ(kebab.size(), 39u);
}

TEST(operation_names, long_polls_and_paginators) {
    std::set<operation> polls, paged;
    for (std::size_t i = 0; i < model::operation_count; ++i) {
        auto op = static_cast<operation>(i);
        if (client::is_long_poll(op)) polls.insert(op);
        if (client::is_paginated(op)) paged.insert(op);
    }
    EXPECT_EQ(polls, (std::set<operation>{operation::poll_for_decision_task, operation::poll_for_activity_task}));
    EXPECT_EQ(paged, (std::set<operation>{operation::get_workflow_execution_history, operation::list_activity_types,
                                          operation::list_closed_workflow_executions, operation::list_domains,
                                          operation::list_open_workflow_executions, operation::list_workflow_types,
                                          operation::poll_for_decision_task}));
}

} // namespace
