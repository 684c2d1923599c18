#include "config/interpolate.hpp"

namespace swfrt::config {
namespace {

bool valid_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    for (char c : name) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

} // namespace

interpolation interpolate(std::string_view text, const env_lookup& env) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
            out += c;
            ++i;
            continue;
        }
        if (text[i + 1] == '$') {
            out += '$';
            i += 2;
            continue;
        }
        auto close = text.find('}', i + 2);
        if (close == std::string_view::npos) {
            return {std::nullopt, "unterminated \"${\" at character " + std::to_string(i + 1) +
                                      " (expected \"}\" to close it; write \"$$\" for a literal \"$\")"};
        }
        std::string_view body = text.substr(i + 2, close - i - 2);
        std::string_view name = body;
        std::optional<std::string_view> fallback;
        if (auto sep = body.find(":-"); sep != std::string_view::npos) {
            name = body.substr(0, sep);
            fallback = body.substr(sep + 2);
        }
        if (!valid_name(name)) {
            return {std::nullopt, "invalid variable name \"" + std::string(name) + "\" in \"${" +
                                      std::string(body) +
                                      "}\" (expected letters, digits and \"_\", not starting with a digit)"};
        }
        std::optional<std::string> v = env ? env(name) : std::nullopt;
        if (fallback && (!v || v->empty())) {
            out += *fallback;
        } else if (v) {
            out += *v;
        } else {
            return {std::nullopt, "environment variable \"" + std::string(name) + "\" is not set (write ${" +
                                      std::string(name) + ":-default} to give a default)"};
        }
        i = close + 1;
    }
    return {std::move(out), {}};
}

} // namespace swfrt::config
