// The metrics table of README.md names exactly the families the runtime
// exports, with their types.
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
    std::map<std::string, std::string> rows;
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
        rows[line.substr(3, name_end - 3)] = line.substr(type_start, type_end - type_start);
    }
    ASSERT_FALSE(rows.empty()) << "README.md has no metrics table between the metrics-table markers";
    using kind = swfrt::runtime::metrics::kind;
    for (const auto& d : swfrt::runtime::metrics::documented()) {
        auto it = rows.find(std::string(d.name));
        ASSERT_NE(it, rows.end()) << "README.md metrics table lacks " << d.name;
        EXPECT_EQ(it->second, d.type == kind::counter ? "counter" : d.type == kind::gauge ? "gauge" : "histogram")
            << d.name;
        rows.erase(it);
    }
    for (const auto& [name, type] : rows) ADD_FAILURE() << "README.md documents " << name << ", which is not exported";
}

TEST(metrics_render, prometheus_text_with_help_type_and_cumulative_buckets) {
    swfrt::runtime::metrics m;
    m.add("swfrt_polls_total", {{"kind", "activity"}, {"task_list", "a\"b"}}, 2);
    m.observe("swfrt_handler_seconds", {{"kind", "activity"}, {"type", "t:1"}}, 0.02);
    m.observe("swfrt_handler_seconds", {{"kind", "activity"}, {"type", "t:1"}}, 3);
    auto text = m.render();
    EXPECT_NE(text.find("# TYPE swfrt_polls_total counter\n"), std::string::npos);
    EXPECT_NE(text.find("swfrt_polls_total{kind=\"activity\",task_list=\"a\\\"b\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("swfrt_handler_seconds_bucket{kind=\"activity\",type=\"t:1\",le=\"0.025\"} 1\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("swfrt_handler_seconds_bucket{kind=\"activity\",type=\"t:1\",le=\"5\"} 2\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("swfrt_handler_seconds_count{kind=\"activity\",type=\"t:1\"} 2\n"), std::string::npos);
    EXPECT_EQ(m.value("swfrt_polls_total", {{"kind", "activity"}, {"task_list", "a\"b"}}), 2);
    EXPECT_EQ(m.count("swfrt_handler_seconds", {{"kind", "activity"}, {"type", "t:1"}}), 2u);
}

} // namespace
