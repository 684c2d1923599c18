// A plugin whose registration throws after it has registered one activity:
// nothing of it may stay in the registry once it is refused and unloaded.
#include <swfrt/sdk.hpp>

#include <stdexcept>
#include <string>

SWFRT_PLUGIN(registrar) {
    swfrt::sdk::activity_registration r;
    r.type.name = std::string("registered_before_throw");
    r.type.version = std::string("1");
    r.blocking = [](swfrt::sdk::activity_context&, const std::string& input) { return input; };
    registrar.add_activity(std::move(r));
    throw std::runtime_error("cannot read the plugin's settings");
}
