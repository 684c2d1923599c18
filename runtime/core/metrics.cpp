#include "runtime/core/metrics.hpp"

#include <charconv>

namespace swfrt::runtime {

namespace {

template <metric_kind K, std::size_t N>
metrics::family_doc doc(const metric_family<K, N>& f) {
    return {f.name, K, f.help, std::vector<std::string_view>(f.labels.begin(), f.labels.end())};
}

} // namespace

const std::vector<metrics::family_doc>& metrics::documented() {
    static const std::vector<family_doc> docs{
        doc(metric::polls),           doc(metric::polls_empty),         doc(metric::polls_failed),
        doc(metric::tasks_received),  doc(metric::tasks_completed),     doc(metric::tasks_failed),
        doc(metric::tasks_canceled),  doc(metric::tasks_unanswered),    doc(metric::task_answers),
        doc(metric::loop_restarts),   doc(metric::handler_seconds),     doc(metric::slots_in_use),
        doc(metric::slots),           doc(metric::heartbeats),          doc(metric::heartbeats_failed),
        doc(metric::swf_request_seconds), doc(metric::swf_requests_failed), doc(metric::swf_retries),
        doc(metric::swf_lost_answers), doc(metric::credential_refreshes), doc(metric::ready),
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

std::string metrics::label_text(const std::string_view* names, const std::string_view* values, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += s.empty() ? "" : ",";
        s.append(names[i]).append("=\"");
        for (char c : values[i]) {
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

void metrics::update(std::string_view name, const std::string_view* names, const std::string_view* values,
                     std::size_t n, op o, double v) {
    auto key = label_text(names, values, n);
    std::lock_guard lock(mutex_);
    auto it = families_.find(name); // declared families are all there from the start
    if (it == families_.end()) return;
    auto& s = it->second.by_labels[key];
    switch (o) {
    case op::add: s.value += v; break;
    case op::set: s.value = v; break;
    case op::observe:
        for (std::size_t i = 0; i < buckets.size(); ++i)
            if (v <= buckets[i]) ++s.bucket_counts[i];
        ++s.count;
        s.sum += v;
        break;
    }
}

const metrics::series* metrics::find(std::string_view name, std::initializer_list<label> labels) const {
    auto it = families_.find(name);
    if (it == families_.end()) return nullptr;
    std::vector<std::string_view> names, values;
    for (const auto& [k, v] : labels) {
        names.push_back(k);
        values.push_back(v);
    }
    auto s = it->second.by_labels.find(label_text(names.data(), values.data(), names.size()));
    return s == it->second.by_labels.end() ? nullptr : &s->second;
}

double metrics::value(std::string_view name, std::initializer_list<label> labels) const {
    std::lock_guard lock(mutex_);
    const auto* s = find(name, labels);
    return s ? s->value : 0;
}

std::uint64_t metrics::count(std::string_view name, std::initializer_list<label> labels) const {
    std::lock_guard lock(mutex_);
    const auto* s = find(name, labels);
    return s ? s->count : 0;
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
