// What the loaded plugins registered: activity handlers and workflows by
// name and version, and the problems found while registering.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <swfrt/sdk.hpp>

namespace swfrt::runtime::plugin {

struct activity_entry {
    sdk::activity_registration registration;
    std::string plugin; // the file that registered it
};

struct workflow_entry {
    sdk::workflow_registration registration;
    std::string plugin;
};

using type_key = std::pair<std::string, std::string>; // name, version

class registry : public sdk::registrar {
public:
    // Registrations that follow come from this plugin file.
    void set_current_plugin(std::string path) { current_ = std::move(path); }

    void add_activity(sdk::activity_registration registration) override;
    void add_workflow(sdk::workflow_registration registration) override;
    void add_lambda_function(sdk::lambda_registration registration) override;
    sdk::log_host* log() override;

    const std::map<type_key, activity_entry>& activities() const noexcept { return activities_; }
    const std::map<type_key, workflow_entry>& workflows() const noexcept { return workflows_; }
    struct lambda_entry {
        sdk::lambda_registration registration;
        std::string plugin;
    };
    const std::map<std::string, lambda_entry>& lambda_functions() const noexcept { return lambdas_; }

    // An empty version finds the lowest version registered under the name
    // (the runtime serves every version of a name given without one).
    const activity_entry* find_activity(const std::string& name, const std::string& version) const;
    const workflow_entry* find_workflow(const std::string& name, const std::string& version) const;
    // The registered versions of a name, for messages and "name" lookups.
    std::vector<std::string> activity_versions(const std::string& name) const;
    std::vector<std::string> workflow_versions(const std::string& name) const;

    // Moves everything `other` registered into this registry; a name and
    // version already here is reported as a duplicate and left out.
    void merge(registry&& other);

    // Problems found while plugins registered (duplicates, empty names,
    // missing handlers), each naming the plugin file.
    const std::vector<std::string>& errors() const noexcept { return errors_; }

private:
    std::string current_;
    std::map<type_key, activity_entry> activities_;
    std::map<type_key, workflow_entry> workflows_;
    std::map<std::string, lambda_entry> lambdas_;
    std::vector<std::string> errors_;
};

} // namespace swfrt::runtime::plugin
