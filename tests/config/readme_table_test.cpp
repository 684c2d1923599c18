// The configuration table of README.md lists exactly the keys the loader
// accepts, with the defaults it applies.
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace {

std::map<std::string, std::string> readme_rows() {
    std::ifstream f(std::string(SWFRT_SOURCE_DIR) + "/README.md");
    std::string line;
    bool in_table = false;
    std::map<std::string, std::string> rows;
    while (std::getline(f, line)) {
        if (line.rfind("<!-- config-table", 0) == 0) {
            in_table = true;
            continue;
        }
        if (line.rfind("<!-- end config-table", 0) == 0) break;
        if (!in_table || line.rfind("| `", 0) != 0) continue;
        // | `path` | type | default | meaning |
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        std::string cell;
        while (std::getline(ss, cell, '|')) {
            auto b = cell.find_first_not_of(' ');
            auto e = cell.find_last_not_of(' ');
            cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
        }
        if (cells.size() < 4) continue;
        auto unquote = [](std::string s) {
            if (s.size() >= 2 && s.front() == '`' && s.back() == '`') s = s.substr(1, s.size() - 2);
            return s;
        };
        rows[unquote(cells[0])] = unquote(cells[2]);
    }
    return rows;
}

TEST(readme_config_table, lists_every_key_with_its_default) {
    auto rows = readme_rows();
    ASSERT_FALSE(rows.empty()) << "README.md has no config table between the config-table markers";
    for (const auto& k : swfrt::config::schema()) {
        auto it = rows.find(k.path);
        ASSERT_NE(it, rows.end()) << "README.md config table lacks " << k.path;
        EXPECT_EQ(it->second, k.required ? "required" : k.default_value) << k.path;
        rows.erase(it);
    }
    for (const auto& [path, def] : rows) ADD_FAILURE() << "README.md documents " << path << ", which the loader does not accept";
}

} // namespace
