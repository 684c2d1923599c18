// The Kubernetes manifests of deploy/kubernetes agree with each other and
// with the runtime: the pod runs under the ServiceAccount that carries its
// IAM role, the configuration in the ConfigMap loads, the pod outlasts a
// long poll and the drain, and the KEDA ScaledObject scales that Deployment
// on metrics the runtime exports, with labels they have, for a worker the
// configuration runs.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "runtime/core/metrics.hpp"

namespace swfrt::runtime {
namespace {

const std::string k8s_dir = std::string(SWFRT_SOURCE_DIR) + "/deploy/kubernetes/";

std::vector<YAML::Node> documents(const std::string& file) {
    return YAML::LoadAllFromFile(k8s_dir + file);
}

YAML::Node find_kind(const std::vector<YAML::Node>& docs, const std::string& kind) {
    for (const auto& d : docs) {
        if (d["kind"] && d["kind"].as<std::string>() == kind) return d;
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

config::config configmap_config(const std::vector<YAML::Node>& docs) {
    const auto map = find_kind(docs, "ConfigMap");
    EXPECT_TRUE(map.IsDefined()) << "deployment.yaml has no ConfigMap";
    const auto text = map["data"]["config.yaml"].as<std::string>();
    auto loaded = config::load_string(text, "configmap/config.yaml", config::env_lookup{});
    std::string errors;
    for (const auto& e : loaded.errors) errors += e.to_string() + "\n";
    EXPECT_TRUE(loaded.ok()) << errors;
    EXPECT_TRUE(config::check_runnable(*loaded.value).empty());
    return loaded.ok() ? *loaded.value : config::config{};
}

TEST(deploy_manifests, the_pod_runs_under_the_service_account_that_carries_its_iam_role) {
    const auto docs = documents("deployment.yaml");
    const auto account = find_kind(docs, "ServiceAccount");
    ASSERT_TRUE(account.IsDefined()) << "deployment.yaml has no ServiceAccount";
    const auto role = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"];
    ASSERT_TRUE(role.IsDefined());
    EXPECT_TRUE(std::regex_match(role.as<std::string>(), std::regex(R"(arn:aws:iam::\d{12}:role/[\w+=,.@/-]+)")))
        << role.as<std::string>();

    const auto deployment = find_kind(docs, "Deployment");
    ASSERT_TRUE(deployment.IsDefined());
    EXPECT_EQ(deployment["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>(),
              account["metadata"]["name"].as<std::string>());
}

TEST(deploy_manifests, the_configmap_loads_and_the_pod_outlasts_a_long_poll_and_the_drain) {
    const auto docs = documents("deployment.yaml");
    const auto c = configmap_config(docs);
    const auto deployment = find_kind(docs, "Deployment");
    ASSERT_TRUE(deployment.IsDefined());
    const int grace_s = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].as<int>();
    // A long poll is answered within 70 s (SWF holds it 60 s).
    const auto needed = std::chrono::seconds(70) + c.runtime.shutdown_grace;
    EXPECT_GT(std::chrono::seconds(grace_s), needed);
}

TEST(deploy_manifests, keda_scales_the_deployment_on_exported_slot_metrics_of_a_configured_worker) {
    const auto deploy_docs = documents("deployment.yaml");
    const auto c = configmap_config(deploy_docs);
    const auto deployment = find_kind(deploy_docs, "Deployment");
    ASSERT_TRUE(deployment.IsDefined());

    const auto keda_docs = documents("keda-scaledobject.yaml");
    const auto scaled = find_kind(keda_docs, "ScaledObject");
    ASSERT_TRUE(scaled.IsDefined()) << "keda-scaledobject.yaml has no ScaledObject";
    EXPECT_EQ(scaled["spec"]["scaleTargetRef"]["name"].as<std::string>(),
              deployment["metadata"]["name"].as<std::string>());
    EXPECT_GE(scaled["spec"]["maxReplicaCount"].as<int>(), scaled["spec"]["minReplicaCount"].as<int>());

    const auto triggers = scaled["spec"]["triggers"];
    ASSERT_TRUE(triggers.IsSequence());
    ASSERT_EQ(triggers.size(), 1u);
    const auto trigger = triggers[0];
    EXPECT_EQ(trigger["type"].as<std::string>(), "prometheus");
    // A ratio compared per pod (AverageValue) would cap the replicas at two.
    EXPECT_EQ(trigger["metricType"].as<std::string>(), "Value");
    const double threshold = std::stod(trigger["metadata"]["threshold"].as<std::string>());
    EXPECT_GT(threshold, 0.0);
    EXPECT_LE(threshold, 1.0);

    const auto query = trigger["metadata"]["query"].as<std::string>();
    const std::regex selector(R"((swfrt_[a-z_]+)\{([^}]*)\})");
    const std::regex matcher(R"re(\s*([a-z_]+)="([^"]*)"\s*)re");
    std::set<std::string> metrics_used;
    for (std::sregex_iterator m(query.begin(), query.end(), selector), end; m != end; ++m) {
        const std::string name = (*m)[1];
        metrics_used.insert(name);
        const auto& docs = metrics::documented();
        const auto family = std::find_if(docs.begin(), docs.end(), [&](const auto& d) { return d.name == name; });
        ASSERT_NE(family, docs.end()) << name << " is not a metric the runtime exports";
        EXPECT_EQ(family->type, metrics::kind::gauge) << name;

        std::map<std::string, std::string> labels;
        const std::string list = (*m)[2];
        std::size_t start = 0;
        while (start <= list.size()) {
            const auto comma = std::min(list.find(',', start), list.size());
            const auto part = list.substr(start, comma - start);
            std::smatch kv;
            ASSERT_TRUE(std::regex_match(part, kv, matcher)) << "selector part '" << part << "'";
            labels[kv[1]] = kv[2];
            start = comma + 1;
        }
        for (const auto& [key, value] : labels) {
            EXPECT_NE(std::find(family->labels.begin(), family->labels.end(), key), family->labels.end())
                << name << " has no label " << key;
        }
        // The selector names a worker the ConfigMap's configuration runs.
        EXPECT_EQ(labels["kind"], "activity");
        const bool configured = std::any_of(c.workers.begin(), c.workers.end(), [&](const auto& w) {
            return w.kind == config::worker_kind::activity && w.domain == labels["domain"] &&
                   w.task_list == labels["task_list"];
        });
        EXPECT_TRUE(configured) << "no activity worker for domain " << labels["domain"] << ", task list "
                                << labels["task_list"];
    }
    EXPECT_EQ(metrics_used, (std::set<std::string>{"swfrt_slots_in_use", "swfrt_slots"})) << query;
}

} // namespace
} // namespace swfrt::runtime
