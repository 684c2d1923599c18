// The metrics table of README.md names exactly the families the runtime
// exports, with their types.
#include <algorithm>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "runtime/core/metrics.hpp"

namespace {

TEST(readme_metrics_table, lists_every_family_with_its_type) {
    std::ifstream f(std::string(SWFRT_SOURCE_DIR) + "/README.md");
    std::string line;
    bool in_table = false;
    std::map<std::string, std::string> rows, labels;
    while (std::getline(f, line)) {
        if (line.rfind("<!-- metrics-table", 0) == 0) {
            in_table = true;
            continue;
        }
        if (line.rfind("<!-- end metrics-table", 0) == 0) break;
        if (!in_table || line.rfind("| `", 0) != 0) continue;
        auto name_end = line.find('`', 3);
        auto type_start = line.find("| ", name_end) + 2;
        auto type_end = line.find(" |", type_start);
        auto labels_start = type_end + 3;
        auto labels_end = line.find(" |", labels_start);
        rows[line.substr(3, name_end - 3)] = line.substr(type_start, type_end - type_start);
        labels[line.substr(3, name_end - 3)] =
            labels_end == std::string::npos || labels_end < labels_start ? "" : line.substr(labels_start, labels_end - labels_start);
    }
    ASSERT_FALSE(rows.empty()) << "README.md has no metrics table between the metrics-table markers";
    using kind = swfrt::runtime::metrics::kind;
    for (const auto& d : swfrt::runtime::metrics::documented()) {
        auto it = rows.find(std::string(d.name));
        ASSERT_NE(it, rows.end()) << "README.md metrics table lacks " << d.name;
        EXPECT_EQ(it->second, d.type == kind::counter ? "counter" : d.type == kind::gauge ? "gauge" : "histogram")
            << d.name;
        std::string declared;
        for (auto l : d.labels) declared += (declared.empty() ? "" : ", ") + std::string(l);
        EXPECT_EQ(labels[std::string(d.name)], declared) << "labels of " << d.name;
        rows.erase(it);
    }
    for (const auto& [name, type] : rows) ADD_FAILURE() << "README.md documents " << name << ", which is not exported";
}

TEST(metrics_render, prometheus_text_with_help_type_and_cumulative_buckets) {
    namespace metric = swfrt::runtime::metric;
    swfrt::runtime::metrics m;
    m.add(metric::polls, {"activity", "d", "a\"b"}, 2);
    m.observe(metric::handler_seconds, {"activity", "d", "tl", "t:1"}, 0.02);
    m.observe(metric::handler_seconds, {"activity", "d", "tl", "t:1"}, 3);
    auto text = m.render();
    EXPECT_NE(text.find("# TYPE swfrt_polls_total counter\n"), std::string::npos);
    EXPECT_NE(text.find("swfrt_polls_total{kind=\"activity\",domain=\"d\",task_list=\"a\\\"b\"} 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("swfrt_handler_seconds_bucket{kind=\"activity\",domain=\"d\",task_list=\"tl\",type=\"t:1\","
                        "le=\"0.025\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("swfrt_handler_seconds_bucket{kind=\"activity\",domain=\"d\",task_list=\"tl\",type=\"t:1\","
                        "le=\"5\"} 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("swfrt_handler_seconds_count{kind=\"activity\",domain=\"d\",task_list=\"tl\",type=\"t:1\"} 2\n"),
              std::string::npos);
    EXPECT_EQ(m.value("swfrt_polls_total", {{"kind", "activity"}, {"domain", "d"}, {"task_list", "a\"b"}}), 2);
    EXPECT_EQ(m.count("swfrt_handler_seconds",
                      {{"kind", "activity"}, {"domain", "d"}, {"task_list", "tl"}, {"type", "t:1"}}),
              2u);
}

TEST(metrics_render, the_same_task_list_in_two_domains_is_two_series) {
    namespace metric = swfrt::runtime::metric;
    swfrt::runtime::metrics m;
    m.add(metric::polls, {"decision", "billing", "main"});
    m.add(metric::polls, {"decision", "shipping", "main"});
    m.add(metric::polls, {"decision", "shipping", "main"});
    EXPECT_EQ(m.value("swfrt_polls_total", {{"kind", "decision"}, {"domain", "billing"}, {"task_list", "main"}}), 1);
    EXPECT_EQ(m.value("swfrt_polls_total", {{"kind", "decision"}, {"domain", "shipping"}, {"task_list", "main"}}), 2);
}

TEST(metrics_render, a_long_poll_lands_in_a_bucket_below_infinity) {
    namespace metric = swfrt::runtime::metric;
    swfrt::runtime::metrics m;
    m.observe(metric::swf_request_seconds, {"PollForDecisionTask"}, 61.5); // a long poll that ran its course
    auto text = m.render();
    EXPECT_NE(text.find("swfrt_swf_request_seconds_bucket{operation=\"PollForDecisionTask\",le=\"60\"} 0\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("swfrt_swf_request_seconds_bucket{operation=\"PollForDecisionTask\",le=\"75\"} 1\n"),
              std::string::npos)
        << text;
}

TEST(metrics_declarations, every_worker_family_carries_domain_and_task_list) {
    for (const auto& d : swfrt::runtime::metrics::documented()) {
        if (d.name.find("swfrt_swf_") == 0 || d.name == "swfrt_ready" || d.name == "swfrt_credential_refreshes_total")
            continue; // process-wide families
        auto has = [&](std::string_view l) { return std::find(d.labels.begin(), d.labels.end(), l) != d.labels.end(); };
        EXPECT_TRUE(has("domain") && has("task_list")) << d.name;
    }
}

} // namespace
