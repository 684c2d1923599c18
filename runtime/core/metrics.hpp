// Counters, gauges and histograms in the Prometheus text format. Cheap
// enough for every task and SWF call (one short lock per update).
//
// Every family is declared once, below in `metric::`, with its type, its
// labels and its help; it is updated only through that declaration, so a
// misspelt name or a missing label does not compile, and the README table
// is checked against the same list.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swfrt::runtime {

using label = std::pair<std::string_view, std::string_view>;

enum class metric_kind { counter, gauge, histogram };

template <metric_kind K, std::size_t N>
struct metric_family {
    std::string_view name;
    std::array<std::string_view, N> labels;
    std::string_view help;
};

template <std::size_t N>
using counter_family = metric_family<metric_kind::counter, N>;
template <std::size_t N>
using gauge_family = metric_family<metric_kind::gauge, N>;
template <std::size_t N>
using histogram_family = metric_family<metric_kind::histogram, N>;

// Every family the runtime exports. Worker families carry the worker's
// domain and task list (two domains may each have a task list "main").
namespace metric {
using sv = std::string_view;
inline constexpr counter_family<3> polls{
    "swfrt_polls_total", {sv{"kind"}, sv{"domain"}, sv{"task_list"}}, "Polls started, by worker kind, domain and task list"};
inline constexpr counter_family<3> polls_empty{
    "swfrt_polls_empty_total", {sv{"kind"}, sv{"domain"}, sv{"task_list"}}, "Polls that ended without a task"};
inline constexpr counter_family<4> polls_failed{"swfrt_polls_failed_total",
                                                {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"code"}},
                                                "Polls that failed, by error code"};
inline constexpr counter_family<4> tasks_received{"swfrt_tasks_received_total",
                                                  {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"type"}},
                                                  "Tasks received, by kind and type"};
inline constexpr counter_family<4> tasks_completed{
    "swfrt_tasks_completed_total", {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"type"}},
    "Tasks answered as completed (counted once SWF took the answer)"};
inline constexpr counter_family<4> tasks_failed{
    "swfrt_tasks_failed_total", {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"type"}},
    "Activity tasks answered as failed, decision tasks whose decider failed"};
inline constexpr counter_family<4> tasks_canceled{"swfrt_tasks_canceled_total",
                                                  {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"type"}},
                                                  "Activity tasks answered as canceled"};
inline constexpr counter_family<4> tasks_unanswered{"swfrt_tasks_unanswered_total",
                                                    {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"reason"}},
                                                    "Tasks left to time out, by reason"};
inline constexpr counter_family<4> task_answers{
    "swfrt_task_answers_total", {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"outcome"}},
    "Answers to tasks by outcome: answered, ambiguous (an attempt may have taken effect before the one that "
    "settled it), given_up"};
inline constexpr counter_family<3> loop_restarts{"swfrt_loop_restarts_total",
                                                 {sv{"loop"}, sv{"domain"}, sv{"task_list"}},
                                                 "Long-running loops restarted after an exception, by loop"};
inline constexpr histogram_family<4> handler_seconds{"swfrt_handler_seconds",
                                                     {sv{"kind"}, sv{"domain"}, sv{"task_list"}, sv{"type"}},
                                                     "Time in handlers and deciders, by kind and type"};
inline constexpr gauge_family<3> slots_in_use{"swfrt_slots_in_use", {sv{"kind"}, sv{"domain"}, sv{"task_list"}},
                                              "Tasks running (slots taken by a task, not by a poll waiting for one)"};
inline constexpr gauge_family<3> slots{"swfrt_slots", {sv{"kind"}, sv{"domain"}, sv{"task_list"}},
                                       "Task slots configured, by kind, domain and task list"};
inline constexpr counter_family<3> heartbeats{"swfrt_heartbeats_total", {sv{"domain"}, sv{"task_list"}, sv{"type"}},
                                              "Activity heartbeats sent (those that failed included)"};
inline constexpr counter_family<3> heartbeats_failed{"swfrt_heartbeats_failed_total",
                                                     {sv{"domain"}, sv{"task_list"}, sv{"type"}},
                                                     "Activity heartbeats that failed"};
inline constexpr histogram_family<1> swf_request_seconds{"swfrt_swf_request_seconds", {sv{"operation"}},
                                                         "SWF calls (retries included), by operation"};
inline constexpr counter_family<2> swf_requests_failed{
    "swfrt_swf_requests_failed_total", {sv{"operation"}, sv{"code"}},
    "SWF calls that failed after retries, by operation and code (not those judged done by their effect)"};
inline constexpr counter_family<1> swf_retries{"swfrt_swf_retries_total", {sv{"operation"}},
                                               "SWF call retries, by operation"};
inline constexpr counter_family<1> swf_lost_answers{
    "swfrt_swf_lost_answers_total", {sv{"operation"}},
    "SWF calls with an attempt that may have taken effect without an answer (lost answer, 5xx), by operation"};
inline constexpr counter_family<0> credential_refreshes{"swfrt_credential_refreshes_total", {},
                                                        "Credential loads and refreshes"};
inline constexpr gauge_family<0> ready{"swfrt_ready", {},
                                       "1 when every poller has started and the runtime is not draining"};
} // namespace metric

class metrics {
public:
    using kind = metric_kind;
    template <std::size_t N>
    using values = std::array<std::string_view, N>;

    metrics();

    template <std::size_t N>
    void add(const counter_family<N>& f, const values<N>& v, double n = 1) {
        update(f.name, f.labels.data(), v.data(), N, op::add, n);
    }
    template <std::size_t N>
    void set(const gauge_family<N>& f, const values<N>& v, double n) {
        update(f.name, f.labels.data(), v.data(), N, op::set, n);
    }
    // A counter kept elsewhere (e.g. by the credential cache), copied in.
    template <std::size_t N>
    void set_total(const counter_family<N>& f, const values<N>& v, double n) {
        update(f.name, f.labels.data(), v.data(), N, op::set, n);
    }
    template <std::size_t N>
    void observe(const histogram_family<N>& f, const values<N>& v, double seconds) {
        update(f.name, f.labels.data(), v.data(), N, op::observe, seconds);
    }

    // The value of one series (0 when absent), for tests and health; labels
    // in their declared order.
    double value(std::string_view name, std::initializer_list<label> labels = {}) const;
    std::uint64_t count(std::string_view histogram, std::initializer_list<label> labels = {}) const;

    // Everything, with # HELP and # TYPE lines, families in name order.
    std::string render() const;

    struct family_doc {
        std::string_view name;
        kind type;
        std::string_view help;
        std::vector<std::string_view> labels;
    };
    // Every family this runtime exports (the README table is checked against it).
    static const std::vector<family_doc>& documented();

    // Histogram buckets (seconds): long polls take up to about 70 s.
    static constexpr std::array<double, 15> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                    2.5,   5,    10,    30,   60,  75,   120};

private:
    enum class op { add, set, observe };
    struct series {
        double value = 0;
        std::array<std::uint64_t, buckets.size()> bucket_counts{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    struct family {
        kind type = kind::counter;
        std::string help;
        std::map<std::string, series> by_labels;
    };
    void update(std::string_view name, const std::string_view* names, const std::string_view* values, std::size_t n,
                op o, double v);
    const series* find(std::string_view name, std::initializer_list<label> labels) const; // under mutex_
    static std::string label_text(const std::string_view* names, const std::string_view* values, std::size_t n);

    mutable std::mutex mutex_;
    std::map<std::string, family, std::less<>> families_;
};

} // namespace swfrt::runtime
