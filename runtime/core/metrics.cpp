#include "runtime/core/metrics.hpp"

#include <charconv>

namespace swfrt::runtime {

const std::vector<metrics::family_doc>& metrics::documented() {
    static const std::vector<family_doc> docs{
        {"swfrt_polls_total", kind::counter, "Polls started, by worker kind and task list"},
        {"swfrt_polls_empty_total", kind::counter, "Polls that ended without a task"},
        {"swfrt_polls_failed_total", kind::counter, "Polls that failed, by error code"},
        {"swfrt_tasks_received_total", kind::counter, "Tasks received, by kind and type"},
        {"swfrt_tasks_completed_total", kind::counter, "Tasks answered as completed (counted once SWF took the answer)"},
        {"swfrt_tasks_failed_total", kind::counter, "Activity tasks answered as failed, decision tasks whose decider failed"},
        {"swfrt_tasks_canceled_total", kind::counter, "Activity tasks answered as canceled"},
        {"swfrt_tasks_unanswered_total", kind::counter, "Tasks left to time out, by reason"},
        {"swfrt_task_answers_total", kind::counter,
         "Answers to tasks by outcome: answered, ambiguous (an attempt may have taken effect before the one that "
         "settled it), given_up"},
        {"swfrt_loop_restarts_total", kind::counter, "Long-running loops restarted after an exception, by loop"},
        {"swfrt_handler_seconds", kind::histogram, "Time in handlers and deciders, by kind and type"},
        {"swfrt_slots_in_use", kind::gauge, "Task slots taken, by kind and task list"},
        {"swfrt_slots", kind::gauge, "Task slots configured, by kind and task list"},
        {"swfrt_heartbeats_total", kind::counter, "Activity heartbeats sent"},
        {"swfrt_heartbeats_failed_total", kind::counter, "Activity heartbeats that failed"},
        {"swfrt_swf_request_seconds", kind::histogram, "SWF calls (retries included), by operation"},
        {"swfrt_swf_requests_failed_total", kind::counter,
         "SWF calls that failed after retries, by operation and code (not those judged done by their effect)"},
        {"swfrt_swf_retries_total", kind::counter, "SWF call retries, by operation"},
        {"swfrt_swf_lost_answers_total", kind::counter,
         "SWF calls with an attempt that may have taken effect without an answer (lost answer, 5xx), by operation"},
        {"swfrt_credential_refreshes_total", kind::counter, "Credential loads and refreshes"},
        {"swfrt_ready", kind::gauge, "1 when every poller has started and the runtime is not draining"},
    };
    return docs;
}

metrics::metrics() {
    for (const auto& d : documented()) {
        auto& f = families_[std::string(d.name)];
        f.type = d.type;
        f.help = d.help;
    }
}

std::string metrics::label_text(std::initializer_list<label> labels) {
    std::string s;
    for (const auto& [k, v] : labels) {
        s += s.empty() ? "" : ",";
        s.append(k).append("=\"");
        for (char c : v) {
            if (c == '\\' || c == '"') s += '\\';
            if (c == '\n') {
                s += "\\n";
                continue;
            }
            s += c;
        }
        s += '"';
    }
    return s;
}

metrics::series& metrics::at(std::string_view name, std::initializer_list<label> labels) {
    auto it = families_.find(name);
    if (it == families_.end()) it = families_.emplace(std::string(name), family{}).first;
    return it->second.by_labels[label_text(labels)];
}

void metrics::add(std::string_view name, std::initializer_list<label> labels, double v) {
    std::lock_guard lock(mutex_);
    at(name, labels).value += v;
}

void metrics::set(std::string_view name, std::initializer_list<label> labels, double v) {
    std::lock_guard lock(mutex_);
    at(name, labels).value = v;
}

void metrics::observe(std::string_view name, std::initializer_list<label> labels, double seconds) {
    std::lock_guard lock(mutex_);
    auto& s = at(name, labels);
    for (std::size_t i = 0; i < buckets.size(); ++i)
        if (seconds <= buckets[i]) ++s.bucket_counts[i];
    ++s.count;
    s.sum += seconds;
}

double metrics::value(std::string_view name, std::initializer_list<label> labels) const {
    std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) return 0;
    auto s = it->second.by_labels.find(label_text(labels));
    return s == it->second.by_labels.end() ? 0 : s->second.value;
}

std::uint64_t metrics::count(std::string_view name, std::initializer_list<label> labels) const {
    std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) return 0;
    auto s = it->second.by_labels.find(label_text(labels));
    return s == it->second.by_labels.end() ? 0 : s->second.count;
}

namespace {

std::string number(double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v); // shortest text that reads back the same
    return std::string(buf, r.ptr);
}

std::string with_labels(const std::string& name, const std::string& labels, const std::string& extra = {}) {
    std::string all = labels;
    if (!extra.empty()) all += (all.empty() ? "" : ",") + extra;
    return all.empty() ? name : name + "{" + all + "}";
}

} // namespace

std::string metrics::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + f.help + "\n";
        out += "# TYPE " + name + " " +
               (f.type == kind::counter ? "counter" : f.type == kind::gauge ? "gauge" : "histogram") + "\n";
        for (const auto& [labels, s] : f.by_labels) {
            if (f.type != kind::histogram) {
                out += with_labels(name, labels) + " " + number(s.value) + "\n";
                continue;
            }
            for (std::size_t i = 0; i < buckets.size(); ++i)
                out += with_labels(name + "_bucket", labels, "le=\"" + number(buckets[i]) + "\"") + " " +
                       std::to_string(s.bucket_counts[i]) + "\n";
            out += with_labels(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
            out += with_labels(name + "_sum", labels) + " " + number(s.sum) + "\n";
            out += with_labels(name + "_count", labels) + " " + std::to_string(s.count) + "\n";
        }
    }
    return out;
}

} // namespace swfrt::runtime
