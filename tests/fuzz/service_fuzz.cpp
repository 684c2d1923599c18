// libFuzzer target for the dev server's handling of requests: each input is
// a few requests, one per line, the first byte of a line choosing the
// operation and the rest its JSON body, run in order on one service (so
// that a start, a poll and an answer reach the decision rules). Besides
// crashes and UB it traps on an answer that is not SWF-shaped: a status
// other than 200, 400, 413 or 500, a refusal without a __type, a body that
// is neither empty (an operation without output, as SWF answers it) nor an
// object.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "swf/clock.hpp"
#include "swf/service/service.hpp"

namespace {

using namespace swfrt::swf;

constexpr std::string_view operations[] = {
    "CountClosedWorkflowExecutions", "CountOpenWorkflowExecutions", "CountPendingActivityTasks",
    "CountPendingDecisionTasks", "DeleteActivityType", "DeleteWorkflowType", "DeprecateActivityType",
    "DeprecateDomain", "DeprecateWorkflowType", "DescribeActivityType", "DescribeDomain",
    "DescribeWorkflowExecution", "DescribeWorkflowType", "GetWorkflowExecutionHistory", "ListActivityTypes",
    "ListClosedWorkflowExecutions", "ListDomains", "ListOpenWorkflowExecutions", "ListTagsForResource",
    "ListWorkflowTypes", "PollForActivityTask", "PollForDecisionTask", "RecordActivityTaskHeartbeat",
    "RegisterActivityType", "RegisterDomain", "RegisterWorkflowType", "RequestCancelWorkflowExecution",
    "RespondActivityTaskCanceled", "RespondActivityTaskCompleted", "RespondActivityTaskFailed",
    "RespondDecisionTaskCompleted", "SignalWorkflowExecution", "StartWorkflowExecution", "TagResource",
    "TerminateWorkflowExecution", "UndeprecateActivityType", "UndeprecateDomain", "UndeprecateWorkflowType",
    "UntagResource", "NoSuchOperation"};

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void check_reply(const service::reply& r) {
    check(r.status == 200 || r.status == 400 || r.status == 413 || r.status == 500);
    check(r.body.empty() ? r.status == 200 : r.body.front() == '{');
    if (r.status != 200) check(r.body.find("\"__type\"") != std::string::npos);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    manual_clock clock;
    service::service_options o;
    o.clock = &clock;
    o.lambda = [](const std::string& name, const std::string& input) -> result<std::string> {
        if (name == "fail") return make_error(error_kind::fatal, "Boom", input);
        return input;
    };
    service::service svc(o);
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::uint64_t held = 0;
    int requests = 0;
    while (!in.empty() && requests++ < 64) {
        auto nl = in.find('\n');
        std::string_view line = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
        if (line.empty()) continue;
        const auto op = operations[static_cast<unsigned char>(line[0]) % std::size(operations)];
        auto out = svc.handle(op, line.substr(1), [](service::reply r) { check_reply(r); });
        if (out.now)
            check_reply(*out.now);
        else
            held = out.held;
        // Time moves a little with every request, so that timers and timeouts fire.
        clock.advance(std::chrono::seconds{static_cast<unsigned char>(line[0]) % 7});
        svc.fire_due();
    }
    if (held) {
        if (auto r = svc.expire_poll(held)) check_reply(*r);
    }
    return 0;
}
