// Registers greet:1, which the example plugin registers too, and one type of
// its own; loaded after the example plugin, the greet registration is refused.
#include <swfrt/sdk.hpp>

#include <string>
#include <utility>

namespace {

swfrt::sdk::activity_registration blocking(std::string name, std::string version,
                                           swfrt::sdk::blocking_activity handler) {
    swfrt::sdk::activity_registration r;
    r.type.name = std::move(name);
    r.type.version = std::move(version);
    r.blocking = std::move(handler);
    return r;
}

} // namespace

SWFRT_PLUGIN(registrar) {
    registrar.add_activity(blocking("greet", "1", [](swfrt::sdk::activity_context&, const std::string&) {
        return std::string("from the duplicate plugin");
    }));
    registrar.add_activity(blocking("duplicate_only", "1", [](swfrt::sdk::activity_context&, const std::string& input) {
        return input;
    }));
}
