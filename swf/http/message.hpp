// Plain HTTP request and response values shared by the signer, the
// connection pool and the client; no Beast types leak out of swf/http.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swfrt::swf::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct request {
    std::string method = "POST";
    std::string target = "/"; // path and query, already encoded
    header_list headers;      // Host is added by the pool when missing
    std::string body;
};

struct response {
    int status = 0;
    header_list headers;
    std::string body;

    // Case-insensitive lookup; empty when absent.
    std::string_view header(std::string_view name) const;
};

} // namespace swfrt::swf::http
