// What plugins log goes through the runtime's logger (its format, its
// level), with their fields; before a command sets one, to stderr.
#include "runtime/plugin/log_host.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "runtime/plugin/registry.hpp"

namespace rt = swfrt::runtime;
namespace sdk = swfrt::sdk;

namespace {

std::string read_all(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    char buf[512];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
        out.append(buf, n);
    return out;
}

} // namespace

TEST(plugin_log_host, lines_go_to_the_logger_set_in_its_format_at_its_level) {
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    {
        rt::logger log(rt::log_level::info, rt::log_format::json, out);
        rt::plugin::set_log_target(&log);
        auto& host = rt::plugin::log_host();
        EXPECT_FALSE(host.enabled(sdk::log_level::debug));
        EXPECT_TRUE(host.enabled(sdk::log_level::warn));
        host.log(sdk::log_level::warn, "kid done", {{"workflow_id", "wf-1"}, {"run_id", ""}});
        rt::plugin::set_log_target(nullptr);
    }
    const auto text = read_all(out);
    std::fclose(out);
    EXPECT_NE(text.find("\"kid done\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"workflow_id\":\"wf-1\""), std::string::npos) << text;
    EXPECT_EQ(text.find("run_id"), std::string::npos) << text; // empty values are left out
    EXPECT_NE(text.find("warn"), std::string::npos) << text;
}

TEST(plugin_log_host, the_registry_hands_plugins_the_runtimes_log) {
    rt::plugin::registry r;
    sdk::registrar& as_plugin_sees_it = r;
    EXPECT_EQ(as_plugin_sees_it.log(), &rt::plugin::log_host());
}
