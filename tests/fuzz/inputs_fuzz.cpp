// libFuzzer target for the other decoders of outside input: the credential
// JSON of credential_process, the container endpoint and IMDS; ISO 8601
// expirations; the shared config and credentials files; the YAML
// configuration with ${VAR} interpolation. Besides crashes and UB it traps
// when a failure comes back without a message.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "swf/auth/profile.hpp"
#include "swf/auth/provider.hpp"

namespace {

using namespace swfrt;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the decoder, the rest is the input.
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
    case 0:
    case 1: {
        auto r = swf::auth::parse_credentials_json(input, data[0] % 2 ? "Token" : "SessionToken", "fuzz");
        if (!r) check(!r.error().message.empty());
        break;
    }
    case 2: (void)swf::auth::parse_iso8601(input); break;
    case 3: {
        auto kind = size % 2 ? swf::auth::profile_file_kind::config : swf::auth::profile_file_kind::credentials;
        auto r = swf::auth::parse_profile_file(input, kind, "fuzz");
        if (!r) check(!r.error().message.empty());
        break;
    }
    default: {
        auto env = [](std::string_view name) -> std::optional<std::string> {
            if (name == "HOME") return std::string("/home/fuzz");
            if (name.size() == 1) return std::string(name) + "-value";
            return std::nullopt;
        };
        auto r = config::load_string(input, "fuzz.yaml", env);
        check(r.ok() || !r.errors.empty());
        for (const auto& e : r.errors) check(!e.to_string().empty());
        break;
    }
    }
    return 0;
}
