// The local SWF service behind `swf-runtime dev-server`: domains, types,
// executions with SWF's decision-task rules, activity tasks, timers and
// timeouts, child workflows, signals, cancel requests, continue-as-new and
// visibility, answering SWF's JSON 1.0 operations as SWF does (the same
// members, faults and event sequences). It knows nothing of the network or
// of plugins: the HTTP front (swf/service/server.hpp) hands it requests and
// a Lambda invoker runs Lambda tasks.
//
// Not thread-safe: one strand calls it. Time comes from the injected clock;
// the caller asks next_deadline() and calls fire_due() then.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "swf/clock.hpp"
#include "swf/error.hpp"

namespace swfrt::swf::service {

// An HTTP answer: status and JSON body (a fault is {"__type", "message"}).
struct reply {
    int status = 200;
    std::string body;
};

// Runs a Lambda function: its result, or an error whose message is the
// failure's reason (code "UnknownFunction" when there is no such function).
using lambda_invoker = std::function<result<std::string>(const std::string& name, const std::string& input)>;

// A token bucket: at most `bucket` calls at once, refilled at `refill` a second.
struct rate {
    double bucket = 0;
    double refill = 0;
};

// Rates by name: API operations per account ("PollForActivityTask"),
// per workflow execution ("workflow:SignalWorkflowExecution") and decisions
// per account ("decision:StartTimer"). Empty: nothing is throttled.
using throttle_rates = std::map<std::string, rate, std::less<>>;

// SWF's own rates (the developer guide's throttling quotas, the same in
// every Region).
throttle_rates swf_default_rates();
// Rates from a file of lines "NAME BUCKET REFILL" ('#' starts a comment);
// errors name the line.
result<throttle_rates> read_rates(std::string_view text);

class store;

struct service_options {
    const swf::clock* clock = &swf::system_clock::instance();
    std::string region = "us-east-1";
    std::string account = "123456789012";
    lambda_invoker lambda; // empty: no function exists
    throttle_rates throttle;
    // Where the state is kept (--db); null: in memory only. Every request
    // that changes something is written before it is answered.
    store* durable = nullptr;
};

class service {
public:
    explicit service(service_options options = {});
    ~service();
    service(const service&) = delete;
    service& operator=(const service&) = delete;

    // A poll with no task to hand out is held: `now` is empty and the poll
    // is answered later through on_task (a task arrived) or by expire_poll.
    struct outcome {
        std::optional<reply> now;
        std::uint64_t held = 0; // the held poll's id
    };
    using poll_callback = std::function<void(reply)>;

    // One request: op is the operation of X-Amz-Target (e.g. "StartWorkflowExecution").
    outcome handle(std::string_view op, std::string_view body, poll_callback on_task = {});
    // A held poll whose time is up (or whose caller left): answered as a
    // poll without a task. False when it was answered already.
    std::optional<reply> expire_poll(std::uint64_t held);

    // When the next timer or timeout is due; fire_due() records what is due now.
    std::optional<swf::clock::time_point> next_deadline() const;
    // When the next closed execution's retention period ends (fire_due()
    // forgets it then). Not a deadline that time skipping jumps to.
    std::optional<swf::clock::time_point> next_expiry() const;
    void fire_due();

    // True when no decision or activity task is scheduled or handed out in
    // any open execution: only timers and timeouts can change anything.
    bool idle() const;

    // With a store: takes up what it holds (before any request) and re-arms
    // the timers and timeouts; an error names what could not be read.
    result<void> restore();

    // Registers a domain as RegisterDomain would (the --domain flag).
    result<void> register_domain(const std::string& name, const std::string& retention_days);

    // Polls held now (for tests and the load benchmark).
    std::size_t polls_held() const noexcept;

    struct state;

private:
    outcome handle_op(std::string_view op, std::string_view body, poll_callback on_task);
    std::unique_ptr<state> s_;
};

// The JSON of an SWF fault, e.g. fault_reply("UnknownResourceFault", "Unknown domain: x").
reply fault_reply(std::string_view fault, std::string_view message, int status = 400);

} // namespace swfrt::swf::service
