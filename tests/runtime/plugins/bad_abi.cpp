// A plugin built against a newer SDK: its entry answers another ABI version
// and registers nothing, whatever it is passed.
#include <swfrt/sdk.hpp>

extern "C" __attribute__((visibility("default"))) int swfrt_plugin_entry(int, swfrt::sdk::registrar*, const char**) {
    return swfrt::sdk::abi_version + 1;
}
