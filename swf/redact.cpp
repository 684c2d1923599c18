#include "swf/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <mutex>

namespace swfrt::swf {
namespace {

// Names after which a credential value follows, as they appear in SigV4
// canonical requests and headers (x-amz-security-token:..., Signature=...),
// shared credential files, credential_process and metadata JSON.
constexpr std::array<std::string_view, 11> secret_names{
    "x-amz-security-token", "signature",     "aws_secret_access_key", "secretaccesskey",
    "secret_access_key",    "sessiontoken",  "aws_session_token",     "session_token",
    "\"token\"",            "credential=",   "x-amz-credential",
};

std::mutex secrets_mutex;
std::deque<std::string> secrets; // guarded by secrets_mutex

bool is_separator(char c) { return c == ':' || c == '=' || c == '"' || c == '\'' || c == '\\'; }
bool ends_value(char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '&' || c == ',' ||
           c == ';' || c == '}' || c == '\\' || c == ')' || c == ']';
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// AKIA/ASIA followed by 16 upper-case letters or digits.
bool is_access_key_id_at(std::string_view s, std::size_t i) {
    if (i + 20 > s.size()) return false;
    auto p = s.substr(i, 4);
    if (p != "AKIA" && p != "ASIA") return false;
    for (std::size_t k = i + 4; k < i + 20; ++k)
        if (!std::isupper(static_cast<unsigned char>(s[k])) && !std::isdigit(static_cast<unsigned char>(s[k])))
            return false;
    return i + 20 == s.size() || !std::isalnum(static_cast<unsigned char>(s[i + 20]));
}

} // namespace

void remember_secret(std::string_view secret) {
    if (secret.size() < 8) return; // too short to blank without blanking ordinary words
    std::lock_guard lock(secrets_mutex);
    if (std::find(secrets.begin(), secrets.end(), secret) != secrets.end()) return;
    secrets.emplace_back(secret);
    if (secrets.size() > 64) secrets.pop_front();
}

std::string redact(std::string_view text) {
    std::string out(text);
    {
        std::lock_guard lock(secrets_mutex);
        for (const auto& s : secrets) {
            for (auto at = out.find(s); at != std::string::npos; at = out.find(s, at + redacted_marker.size()))
                out.replace(at, s.size(), redacted_marker);
        }
    }
    const std::string low = lower(out);
    // Value ranges to blank, found on the lower-case copy.
    std::string result;
    result.reserve(out.size());
    std::size_t copied = 0;
    std::size_t i = 0;
    while (i < out.size()) {
        std::size_t value_start = std::string::npos;
        for (auto name : secret_names) {
            if (low.compare(i, name.size(), name) == 0) {
                std::size_t j = i + name.size();
                std::size_t seps = 0;
                bool assigned = name.back() == '='; // the run holds ':' or '='
                while (j < out.size() && seps < 8 && (is_separator(out[j]) || out[j] == ' ')) {
                    assigned = assigned || out[j] == ':' || out[j] == '=';
                    ++j;
                    ++seps;
                }
                // A name that is not assigned a value ("x-amz-security-token;"
                // in a signed-headers list, "the signature we calculated") is
                // left alone.
                if (assigned && j < out.size() && !ends_value(out[j])) value_start = j;
                i += name.size();
                break;
            }
        }
        if (value_start != std::string::npos) {
            std::size_t end = value_start;
            while (end < out.size() && !ends_value(out[end])) ++end;
            result.append(out, copied, value_start - copied);
            result += redacted_marker;
            copied = end;
            i = end;
            continue;
        }
        if (is_access_key_id_at(out, i) && (i == 0 || !std::isalnum(static_cast<unsigned char>(out[i - 1])))) {
            result.append(out, copied, i + 4 - copied); // the prefix says what kind of key it was
            result += redacted_marker;
            copied = i + 20;
            i += 20;
            continue;
        }
        ++i;
    }
    result.append(out, copied, std::string::npos);
    return result;
}

std::string excerpt(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + " [... " + std::to_string(text.size() - cut) + " more bytes]";
}

} // namespace swfrt::swf
