// AWS credentials as the signer consumes them.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace swfrt::swf::auth {

struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; // empty when not temporary
    // Set for temporary credentials; they are refreshed ahead of it.
    std::optional<std::chrono::system_clock::time_point> expiration;
    std::string provider; // which provider produced them, for logs (never the secret)
};

} // namespace swfrt::swf::auth
