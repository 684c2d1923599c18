#include "runtime/plugin/loader.hpp"

#include "runtime/plugin/elf_check.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace swfrt::runtime::plugin {

library::~library() {
    // Handlers and the std::function objects that hold them live in the
    // library: the registry must be gone before the library is closed.
    if (handle_) ::dlclose(handle_);
}

std::unique_ptr<library> load(const std::string& path, registry& into, std::string& error) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = path + ": cannot load plugin: " + std::strerror(errno);
        return nullptr;
    }
    if (!S_ISREG(st.st_mode)) {
        error = path + ": cannot load plugin: not a regular file";
        return nullptr;
    }
    if (auto why = elf_problem(path)) {
        error = path + ": cannot load plugin: not a loadable shared library (" + *why + ")";
        return nullptr;
    }
    ::dlerror();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        error = path + ": cannot load plugin: not a loadable shared library (" + (why ? why : "unknown error") + ")";
        return nullptr;
    }
    auto lib = std::make_unique<library>(path, handle);
    ::dlerror();
    void* sym = ::dlsym(handle, SWFRT_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        error = path + ": not an swf-runtime plugin: it does not export " SWFRT_PLUGIN_ENTRY_SYMBOL
                       " (define it with SWFRT_PLUGIN from <swfrt/sdk.hpp>)";
        return nullptr;
    }
    if (auto why = function_problem(sym)) {
        error = path + ": not an swf-runtime plugin: its " SWFRT_PLUGIN_ENTRY_SYMBOL " is " + *why +
                " (define it with SWFRT_PLUGIN from <swfrt/sdk.hpp>)";
        return nullptr;
    }
    auto entry = reinterpret_cast<swfrt_plugin_entry_fn>(sym);
    // Ask first without a registrar: nothing of the plugin runs but the check.
    const char* fingerprint = nullptr;
    int abi = entry(sdk::abi_version, nullptr, &fingerprint);
    if (abi != sdk::abi_version) {
        error = path + ": plugin ABI version " + std::to_string(abi) + ", this swf-runtime needs " +
                std::to_string(sdk::abi_version) + "; rebuild the plugin against this version's SDK";
        return nullptr;
    }
    // The plugin's structs are the model's: built from another model, it
    // would read and write them with another layout.
    if (!fingerprint || std::strcmp(fingerprint, sdk::model_fingerprint) != 0) {
        error = path + ": plugin built against SWF model " +
                (fingerprint ? std::string(fingerprint, ::strnlen(fingerprint, 128)) : std::string("(none given)")) +
                ", this swf-runtime has " + sdk::model_fingerprint +
                "; rebuild the plugin against this version's SDK";
        return nullptr;
    }
    // Register into a staging registry first: a plugin whose registration
    // throws leaves nothing behind (its handlers would outlive its code).
    registry staging;
    staging.set_current_plugin(path);
    try {
        const char* host_fingerprint = sdk::model_fingerprint;
        entry(sdk::abi_version, &staging, &host_fingerprint);
        into.merge(std::move(staging));
    } catch (const std::exception& e) {
        error = path + ": the plugin's registration threw: " + e.what();
        return nullptr;
    } catch (...) {
        error = path + ": the plugin's registration threw a non-standard exception";
        return nullptr;
    }
    return lib;
}

} // namespace swfrt::runtime::plugin
