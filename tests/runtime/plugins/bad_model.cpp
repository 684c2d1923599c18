// A plugin whose SDK was built from another SWF model: its ABI version is
// this runtime's, its model fingerprint is not. It would register (and
// crash on the first task, reading the model's structs with another
// layout) if the runtime called it with a registrar.
#include <swfrt/sdk.hpp>

#include <cstdlib>

extern "C" __attribute__((visibility("default"))) int swfrt_plugin_entry(int host_abi_version,
                                                                         swfrt::sdk::registrar* r,
                                                                         const char** fingerprint) {
    if (host_abi_version != swfrt::sdk::abi_version || !fingerprint) return swfrt::sdk::abi_version;
    if (!r) {
        *fingerprint = "swf-2012-01-25/0000000000000000";
        return swfrt::sdk::abi_version;
    }
    std::abort(); // never asked to register
}
