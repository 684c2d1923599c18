// Loads handler plugins (shared libraries) with dlopen and lets each
// register into a registry, after checking its ABI version.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/plugin/registry.hpp"

namespace swfrt::runtime::plugin {

// Keeps a loaded library open for as long as its handlers may run.
class library {
public:
    library(std::string path, void* handle) : path_(std::move(path)), handle_(handle) {}
    ~library();
    library(const library&) = delete;
    library& operator=(const library&) = delete;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    void* handle_;
};

// Opens `path` and runs its entry point into `into`. On failure returns
// nullptr and sets `error` to a message naming the file and the cause: not
// found, not a shared library of this machine or cut short (checked before
// dlopen, which would fault on it), refused by the system loader (in its
// own words), no swfrt_plugin_entry symbol or one that is not a function,
// or an ABI version other than the runtime's.
std::unique_ptr<library> load(const std::string& path, registry& into, std::string& error);

} // namespace swfrt::runtime::plugin
