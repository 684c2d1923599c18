// AWS Signature Version 4: signs an http::request in place, either with the
// Authorization header (what SWF uses) or as a presigned URL, and returns the
// intermediate strings so tests can compare them with the AWS test vectors.
#pragma once

#include "swf/auth/credentials.hpp"
#include "swf/error.hpp"
#include "swf/http/message.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace swfrt::swf::auth {

struct signing_options {
    // Remove "." / ".." segments and collapse "//"; every service but S3 expects it.
    bool normalize_path = true;
    // Percent-encode the (already encoded) path once more; every service but S3.
    bool double_encode_path = true;
    // Add and sign x-amz-content-sha256 (header mode only).
    bool sign_body = false;
    // Add the session token after signing instead of signing it (a few
    // services, e.g. IoT, want it unsigned).
    bool omit_session_token = false;
    // X-Amz-Expires of a presigned request.
    std::chrono::seconds expiration{3600};

    // The defaults AWS uses for `service` (S3 neither normalises nor double-encodes).
    static signing_options for_service(std::string_view service);
};

// What was signed, step by step, as the SigV4 test suite lists it.
struct signing_result {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature; // lowercase hex
};

// Thread-safe: one signer is shared by every connection of a client.
// Movable, not copyable (it owns the signing-key cache).
class signer {
public:
    using time_point = std::chrono::system_clock::time_point;

    signer(std::string region, std::string service);
    signer(std::string region, std::string service, signing_options options);
    signer(signer&&) noexcept;
    signer& operator=(signer&&) noexcept;
    ~signer();

    // Adds X-Amz-Date, X-Amz-Security-Token (temporary credentials),
    // x-amz-content-sha256 (sign_body) and Authorization. Signing headers left
    // by an earlier attempt are replaced, so a retried request can be re-signed.
    // Fails (validation) when the request has no Host header, which AWS
    // requires to be signed, or (auth) when the credentials are empty.
    result<signing_result> sign(http::request& req, const credentials& creds, time_point when) const;

    // Appends X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
    // -Security-Token (temporary credentials) and -Signature to req.target;
    // the headers are left as they are. Same failures as sign().
    result<signing_result> presign(http::request& req, const credentials& creds, time_point when) const;

    const std::string& region() const noexcept { return region_; }
    const std::string& service() const noexcept { return service_; }
    const signing_options& options() const noexcept { return options_; }

    // kSigning for (secret, yyyymmdd) in this signer's region and service.
    // Cached: signing many requests on one day derives it once.
    result<std::array<std::uint8_t, 32>> signing_key(std::string_view secret, std::string_view date) const;

    // Number of times a signing key was derived rather than taken from the
    // cache; lets tests check the cache.
    std::uint64_t key_derivations() const;

private:
    struct key_cache;

    result<signing_result> sign_impl(http::request& req, const credentials& creds, time_point when,
                                     bool query_mode) const;

    std::string region_;
    std::string service_;
    signing_options options_;
    std::unique_ptr<key_cache> cache_;
};

// Building blocks of the canonical request, public for tests and the fuzzer.

// RFC 3986 percent-encoding of every byte outside A-Z a-z 0-9 - . _ ~
// (and '/' when keep_slash), upper-case hex, as SigV4 requires.
std::string uri_encode(std::string_view in, bool keep_slash);

// Path part of a request target ("" becomes "/"), normalised and encoded.
std::string canonical_path(std::string_view path, bool normalize, bool double_encode);

// Query part (without '?'): each key and value decoded then re-encoded,
// pairs sorted by key then value, joined with '&'.
std::string canonical_query(std::string_view query);

// Header value with leading/trailing whitespace removed and every inner run
// of whitespace (folded lines included) turned into one space.
std::string canonical_header_value(std::string_view value);

// SigV4 timestamp, e.g. 20150830T123600Z (UTC).
std::string amz_date(std::chrono::system_clock::time_point when);

// Lowercase hex SHA-256; empty on an OpenSSL failure.
std::string sha256_hex(std::string_view data);

} // namespace swfrt::swf::auth
