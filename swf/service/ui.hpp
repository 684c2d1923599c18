// The dev server's web page (--ui): GET / lists the domains and their
// executions; GET /execution?domain=D&workflowId=W&runId=R shows one
// execution's history as a timeline (decision tasks, activities, timers,
// children, signals, the close). Rendered on the server from the service's
// own operations, so it shows exactly what a client would read.
#pragma once

#include <string>
#include <string_view>

#include "swf/service/service.hpp"

namespace swfrt::swf::service {

struct page {
    int status = 200;
    std::string html;
};

// target: the request target, path and query (e.g. "/execution?domain=d&...").
page render_ui(service& svc, std::string_view target);

} // namespace swfrt::swf::service
