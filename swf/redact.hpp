// Credentials never reach a log: redact() blanks the values of anything that
// looks like a credential (security tokens, signatures, secret keys, access
// key ids) and every secret the credential providers have handed out, in
// any text about to be logged or printed. Peer messages are cut to a few KB.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace swfrt::swf {

inline constexpr std::string_view redacted_marker = "<redacted>";

// Text with credential values replaced by redacted_marker.
std::string redact(std::string_view text);

// A secret to blank wherever it appears (a secret access key, a session
// token). Kept for the life of the process; the last 64 are remembered.
void remember_secret(std::string_view secret);

// A peer's text cut to max bytes (never inside a UTF-8 sequence), with a
// note of how much was left out.
std::string excerpt(std::string_view text, std::size_t max = 4096);

} // namespace swfrt::swf
