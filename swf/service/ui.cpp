#include "swf/service/ui.hpp"

#include <chrono>
#include <ctime>
#include <map>
#include <optional>

#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"

namespace swfrt::swf::service {

namespace {

namespace model = swf::model;

std::string escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::map<std::string, std::string> query_of(std::string_view target) {
    std::map<std::string, std::string> q;
    auto at = target.find('?');
    if (at == std::string_view::npos) return q;
    std::string_view rest = target.substr(at + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        auto pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos) q[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    }
    return q;
}

std::string json_string(std::string_view s) {
    std::string j;
    codec::append_json_string(j, s);
    return j;
}

template <class T>
std::optional<T> ask(service& svc, std::string_view op, const std::string& body) {
    auto out = svc.handle(op, body);
    if (!out.now || out.now->status != 200) return std::nullopt;
    auto v = codec::decode<T>(out.now->body);
    if (!v) return std::nullopt;
    return std::move(*v);
}

std::string when(double ts) {
    const auto t = static_cast<std::time_t>(ts);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
    return buf;
}

const char* style = R"(<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.decision{color:#666}.activity{color:#0a5}.timer{color:#a60}.child{color:#06a}.signal{color:#a0a}.close{font-weight:bold}
.failed{color:#c00}code{font-size:.9em}
</style>)";

std::string head(std::string_view title) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>" + style +
           "</head><body>";
}

// The kind of an event, for its colour in the timeline.
const char* kind_of(std::string_view type) {
    if (type.find("Failed") != std::string_view::npos || type.find("TimedOut") != std::string_view::npos)
        return "failed";
    if (type.starts_with("DecisionTask")) return "decision";
    if (type.starts_with("ActivityTask") || type.starts_with("ScheduleActivity") || type.starts_with("RequestCancelActivity"))
        return "activity";
    if (type.starts_with("Timer") || type.starts_with("StartTimer") || type.starts_with("CancelTimer")) return "timer";
    if (type.find("Child") != std::string_view::npos) return "child";
    if (type.find("Signal") != std::string_view::npos || type.find("External") != std::string_view::npos) return "signal";
    if (type.starts_with("WorkflowExecution") && type != "WorkflowExecutionStarted") return "close";
    return "";
}

// The attributes of an event, compact.
std::string summary(const model::history_event& e) {
    std::string json = codec::encode(e);
    // The attributes object is the member that is not id, time or type.
    auto at = json.find("EventAttributes\":");
    if (at == std::string::npos) return {};
    std::string attrs = json.substr(at + 17);
    if (!attrs.empty() && attrs.back() == '}') attrs.pop_back();
    if (attrs.size() > 400) attrs = attrs.substr(0, 400) + "…";
    return attrs;
}

page index(service& svc) {
    std::string html = head("swf-runtime dev-server") + "<h1>swf-runtime dev-server</h1>";
    std::vector<model::domain_info> domains;
    for (const char* status : {"REGISTERED", "DEPRECATED"})
        if (auto d = ask<model::domain_infos>(svc, "ListDomains", std::string(R"({"registrationStatus":")") + status + "\"}"))
            for (auto& i : d->domain_infos) domains.push_back(std::move(i));
    if (domains.empty()) html += "<p>No domains yet.</p>";
    for (const auto& d : domains) {
        html += "<h2 class=\"domain\">" + escape(d.name) + "</h2>";
        std::vector<model::workflow_execution_info> all;
        for (const char* op : {"ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions"})
            if (auto x = ask<model::workflow_execution_infos>(svc, op, R"({"domain":)" + json_string(d.name) +
                                                                             R"(,"startTimeFilter":{"oldestDate":0}})"))
                for (auto& i : x->execution_infos) all.push_back(std::move(i));
        if (all.empty()) {
            html += "<p>No executions.</p>";
            continue;
        }
        html += "<table><tr><th>workflow id</th><th>type</th><th>status</th><th>started</th></tr>";
        for (const auto& x : all) {
            const std::string status = x.close_status ? std::string(model::to_string(*x.close_status)) : "OPEN";
            html += "<tr class=\"execution\"><td><a href=\"/execution?domain=" + url_encode(d.name) +
                    "&workflowId=" + url_encode(x.execution.workflow_id) + "&runId=" + url_encode(x.execution.run_id) +
                    "\">" + escape(x.execution.workflow_id) + "</a></td><td>" + escape(x.workflow_type.name) + ":" +
                    escape(x.workflow_type.version) + "</td><td class=\"status\">" + status + "</td><td>" +
                    when(x.start_timestamp) + "</td></tr>";
        }
        html += "</table>";
    }
    return {200, html + "</body></html>"};
}

page execution(service& svc, std::string_view target) {
    auto q = query_of(target);
    const std::string domain = q["domain"], wid = q["workflowId"], rid = q["runId"];
    const std::string exec = R"({"domain":)" + json_string(domain) + R"(,"execution":{"workflowId":)" +
                             json_string(wid) + R"(,"runId":)" + json_string(rid) + "}";
    std::vector<model::history_event> events;
    std::optional<std::string> token;
    for (int pages = 0; pages < 100; ++pages) {
        auto h = ask<model::history>(svc, "GetWorkflowExecutionHistory",
                                     exec + (token ? R"(,"nextPageToken":)" + json_string(*token) : std::string()) + "}");
        if (!h) return {404, head("not found") + "<p>No execution " + escape(wid) + " (" + escape(rid) + ") in domain " +
                                 escape(domain) + ".</p><p><a href=\"/\">back</a></p></body></html>"};
        for (auto& e : h->events) events.push_back(std::move(e));
        token = h->next_page_token;
        if (!token) break;
    }
    std::string html = head(wid) + "<p><a href=\"/\">all executions</a></p><h1>" + escape(wid) + "</h1><p>run <code>" +
                       escape(rid) + "</code> in domain " + escape(domain) + "</p><table id=\"timeline\">"
                       "<tr><th>#</th><th>after</th><th>event</th><th>attributes</th></tr>";
    const double t0 = events.empty() ? 0 : events.front().event_timestamp;
    for (const auto& e : events) {
        const std::string type(model::to_string(e.event_type));
        char after[32];
        std::snprintf(after, sizeof after, "+%.3f s", e.event_timestamp - t0);
        html += "<tr class=\"event " + std::string(kind_of(type)) + "\"><td>" + std::to_string(e.event_id) + "</td><td>" +
                after + "</td><td>" + type + "</td><td><code>" + escape(summary(e)) + "</code></td></tr>";
    }
    return {200, html + "</table></body></html>"};
}

} // namespace

page render_ui(service& svc, std::string_view target) {
    const auto path = target.substr(0, target.find('?'));
    if (path == "/") return index(svc);
    if (path == "/execution") return execution(svc, target);
    return {404, head("not found") + "<p>Nothing at " + escape(path) + ". <a href=\"/\">Executions</a></p></body></html>"};
}

} // namespace swfrt::swf::service
