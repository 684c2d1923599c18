// libFuzzer target for the SigV4 canonicaliser and signer. Input layout:
//   byte 0: option bits (normalize, double-encode, sign body, omit token, token)
//   bytes 1-4: signing time offset in seconds
//   then "method\ntarget\nname:value\n...\n\nbody"
// Besides crashes and UB, it traps when an output breaks a SigV4 invariant.
#include "swf/auth/signer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace swfrt::swf;

bool is_canonical_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '%';
}

void check(bool ok) {
    if (!ok) __builtin_trap();
}

std::string_view next_line(std::string_view& in) {
    const std::size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    return line;
}

bool is_hex64(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 5) return 0;
    const std::uint8_t flags = data[0];
    const std::uint32_t offset = std::uint32_t(data[1]) | std::uint32_t(data[2]) << 8 |
                                 std::uint32_t(data[3]) << 16 | std::uint32_t(data[4]) << 24;
    std::string_view in(reinterpret_cast<const char*>(data + 5), size - 5);

    auth::signing_options options;
    options.normalize_path = (flags & 1) != 0;
    options.double_encode_path = (flags & 2) != 0;
    options.sign_body = (flags & 4) != 0;
    options.omit_session_token = (flags & 8) != 0;
    options.expiration = std::chrono::seconds{offset % 604800};

    http::request req;
    req.method = next_line(in);
    req.target = next_line(in);
    req.headers.clear();
    while (!in.empty()) {
        std::string_view line = next_line(in);
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            req.headers.emplace_back(std::string(line), std::string());
        else
            req.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
    req.body = in;

    const std::string_view target = req.target;
    const std::size_t qmark = target.find('?');
    const std::string_view path = target.substr(0, qmark);
    const std::string_view query =
        qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);

    const std::string cpath = auth::canonical_path(path, options.normalize_path, options.double_encode_path);
    check(!cpath.empty() && cpath.front() == '/');
    if (options.double_encode_path) {
        for (char c : cpath)
            check(c == '/' || is_canonical_char(c));
    }
    if (options.normalize_path) check(cpath.find("//") == std::string::npos);

    const std::string cquery = auth::canonical_query(query);
    for (char c : cquery)
        check(c == '&' || c == '=' || is_canonical_char(c));
    check(auth::canonical_query(cquery) == cquery); // canonical form is a fixed point

    for (const auto& h : req.headers) {
        const std::string v = auth::canonical_header_value(h.second);
        check(v.empty() || (v.front() != ' ' && v.back() != ' '));
        check(v.find("  ") == std::string::npos);
        check(auth::canonical_header_value(v) == v);
    }

    auth::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "fuzz"};
    if (flags & 16) creds.session_token = "token/with+chars=";
    const auto when = std::chrono::system_clock::time_point{std::chrono::seconds{1400000000LL + offset}};
    auth::signer signer("us-east-1", "swf", options);

    bool has_host = false;
    for (const auto& h : req.headers) {
        if (h.first.size() == 4 && (h.first[0] | 0x20) == 'h' && (h.first[1] | 0x20) == 'o' &&
            (h.first[2] | 0x20) == 's' && (h.first[3] | 0x20) == 't')
            has_host = true;
    }

    http::request header_req = req;
    auto signed_headers = signer.sign(header_req, creds, when);
    check(signed_headers.has_value() == has_host);
    if (signed_headers) {
        check(is_hex64(signed_headers->signature));
        // Signing again (a retry) must give the same signature.
        auto again = signer.sign(header_req, creds, when);
        check(again && again->signature == signed_headers->signature);
    }

    http::request query_req = req;
    auto presigned = signer.presign(query_req, creds, when);
    check(presigned.has_value() == has_host);
    if (presigned) check(is_hex64(presigned->signature));
    return 0;
}
