#include "runtime/cli/ops_print.hpp"

#include <cstdio>
#include <ctime>

#include <simdjson.h>

#include "swf/codec/codec.hpp"

namespace swfrt::runtime::cli {

namespace model = swf::model;

namespace {

// A value this SDK does not know is shown as SWF sent it; an empty text as
// "" so that the field does not vanish from the line.
template <class E> std::string shown(E v, const std::string& text) {
    auto s = model::to_string(v, text);
    return s.empty() ? std::string("\"\"") : std::string(s);
}

} // namespace

std::string iso_time(double epoch) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string event_line(const model::history_event& e) {
    std::string json = swf::codec::encode(e);
    std::string attrs;
    simdjson::dom::parser parser;
    simdjson::dom::object obj;
    if (!parser.parse(json).get(obj)) {
        for (auto [key, value] : obj) {
            if (key.size() > 15 && key.substr(key.size() - 15) == "EventAttributes") {
                attrs = simdjson::minify(value);
                break;
            }
        }
    }
    if (attrs.size() > 160) {
        attrs.resize(157);
        attrs += "...";
    }
    char id[16];
    std::snprintf(id, sizeof id, "%4lld", static_cast<long long>(e.event_id));
    return std::string(id) + " " + iso_time(e.event_timestamp) + " " +
           shown(e.event_type, e.event_type_text) + (attrs.empty() ? "" : " " + attrs);
}

std::string execution_description(const model::workflow_execution_detail& d) {
    const auto& i = d.execution_info;
    std::string out = "workflow_id: " + i.execution.workflow_id + "\nrun_id: " + i.execution.run_id +
                      "\ntype: " + i.workflow_type.name + ":" + i.workflow_type.version +
                      "\nstatus: " + shown(i.execution_status, i.execution_status_text);
    if (i.close_status) out += " (" + shown(*i.close_status, i.close_status_text) + ")";
    out += "\nstarted: " + iso_time(i.start_timestamp) + "\n";
    if (i.close_timestamp) out += "closed: " + iso_time(*i.close_timestamp) + "\n";
    out += "open activities: " + std::to_string(d.open_counts.open_activity_tasks) +
           ", timers: " + std::to_string(d.open_counts.open_timers) +
           ", decision tasks: " + std::to_string(d.open_counts.open_decision_tasks) + "\n";
    return out;
}

std::string execution_line(const model::workflow_execution_info& i) {
    auto status = i.close_status ? shown(*i.close_status, i.close_status_text)
                                 : shown(i.execution_status, i.execution_status_text);
    return i.execution.workflow_id + " " + i.execution.run_id + " " + i.workflow_type.name + ":" +
           i.workflow_type.version + " " + status + " " + iso_time(i.start_timestamp);
}

} // namespace swfrt::runtime::cli
