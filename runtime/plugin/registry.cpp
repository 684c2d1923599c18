#include "runtime/plugin/registry.hpp"

#include "runtime/plugin/log_host.hpp"

namespace swfrt::runtime::plugin {

namespace {

template <class Map>
std::vector<std::string> versions_of(const Map& m, const std::string& name) {
    std::vector<std::string> out;
    for (auto it = m.lower_bound({name, ""}); it != m.end() && it->first.first == name; ++it)
        out.push_back(it->first.second);
    return out;
}

template <class Map>
const typename Map::mapped_type* find_in(const Map& m, const std::string& name, const std::string& version) {
    if (!version.empty()) {
        auto it = m.find({name, version});
        return it == m.end() ? nullptr : &it->second;
    }
    auto it = m.lower_bound({name, ""});
    if (it == m.end() || it->first.first != name) return nullptr;
    return &it->second;
}

} // namespace

void registry::add_activity(sdk::activity_registration registration) {
    const auto& t = registration.type;
    std::string what = "activity " + t.name + ":" + t.version;
    if (t.name.empty() || t.version.empty()) {
        errors_.push_back(current_ + ": an activity registered without a name or version");
        return;
    }
    if (static_cast<bool>(registration.coroutine) == static_cast<bool>(registration.blocking)) {
        errors_.push_back(current_ + ": " + what + " needs exactly one handler, coroutine or blocking");
        return;
    }
    type_key key{t.name, t.version}; // before `registration` is moved from
    auto [it, inserted] = activities_.try_emplace(std::move(key), activity_entry{std::move(registration), current_});
    if (!inserted) errors_.push_back(current_ + ": " + what + " is already registered by " + it->second.plugin);
}

sdk::log_host* registry::log() {
    return &log_host();
}

void registry::add_workflow(sdk::workflow_registration registration) {
    const auto& t = registration.type;
    std::string what = "workflow " + t.name + ":" + t.version;
    if (t.name.empty() || t.version.empty()) {
        errors_.push_back(current_ + ": a workflow registered without a name or version");
        return;
    }
    if (!registration.decider) {
        errors_.push_back(current_ + ": " + what + " has no decider");
        return;
    }
    type_key key{t.name, t.version}; // before `registration` is moved from
    auto [it, inserted] = workflows_.try_emplace(std::move(key), workflow_entry{std::move(registration), current_});
    if (!inserted) errors_.push_back(current_ + ": " + what + " is already registered by " + it->second.plugin);
}

void registry::add_lambda_function(sdk::lambda_registration registration) {
    if (registration.name.empty()) {
        errors_.push_back(current_ + ": a Lambda function registered without a name");
        return;
    }
    if (!registration.handler) {
        errors_.push_back(current_ + ": Lambda function " + registration.name + " has no handler");
        return;
    }
    std::string name = registration.name;
    auto [it, inserted] = lambdas_.try_emplace(std::move(name), lambda_entry{std::move(registration), current_});
    if (!inserted)
        errors_.push_back(current_ + ": Lambda function " + it->first + " is already registered by " + it->second.plugin);
}

void registry::merge(registry&& other) {
    for (auto& [key, entry] : other.activities_) {
        auto it = activities_.find(key);
        if (it != activities_.end()) {
            errors_.push_back(entry.plugin + ": activity " + key.first + ":" + key.second +
                              " is already registered by " + it->second.plugin);
            continue;
        }
        activities_.emplace(key, std::move(entry));
    }
    for (auto& [key, entry] : other.workflows_) {
        auto it = workflows_.find(key);
        if (it != workflows_.end()) {
            errors_.push_back(entry.plugin + ": workflow " + key.first + ":" + key.second +
                              " is already registered by " + it->second.plugin);
            continue;
        }
        workflows_.emplace(key, std::move(entry));
    }
    for (auto& [name, entry] : other.lambdas_) {
        auto it = lambdas_.find(name);
        if (it != lambdas_.end()) {
            errors_.push_back(entry.plugin + ": Lambda function " + name + " is already registered by " + it->second.plugin);
            continue;
        }
        lambdas_.emplace(name, std::move(entry));
    }
    errors_.insert(errors_.end(), other.errors_.begin(), other.errors_.end());
    other.activities_.clear();
    other.workflows_.clear();
    other.lambdas_.clear();
    other.errors_.clear();
}

const activity_entry* registry::find_activity(const std::string& name, const std::string& version) const {
    return find_in(activities_, name, version);
}

const workflow_entry* registry::find_workflow(const std::string& name, const std::string& version) const {
    return find_in(workflows_, name, version);
}

std::vector<std::string> registry::activity_versions(const std::string& name) const {
    return versions_of(activities_, name);
}

std::vector<std::string> registry::workflow_versions(const std::string& name) const {
    return versions_of(workflows_, name);
}

} // namespace swfrt::runtime::plugin
