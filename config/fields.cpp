#include "config/fields.hpp"

#include "config/interpolate.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace swfrt::config::detail {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Lower case without separators, so "taskList", "task-list" and "TASK_LIST" compare equal.
std::string squash(std::string_view s) {
    std::string out;
    for (char c : lower(s)) {
        if (c != '_' && c != '-') out += c;
    }
    return out;
}

// Edit distance counting a swap of neighbours as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::optional<double> parse_number(std::string_view s) {
    if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
    return d;
}

// The offset of the first byte that does not belong to a well-formed UTF-8
// character (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), or npos. SWF refuses any other text, and so does the codec
// before a request leaves.
std::size_t invalid_utf8_at(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned char lo = 0x80, hi = 0xbf; // allowed range of the second byte
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            return i;
        }
        if (i + n >= s.size()) return i; // cut short at the end
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return i;
        }
        i += n + 1;
    }
    return std::string_view::npos;
}

std::optional<bool> parse_bool(std::string_view s) {
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    return std::nullopt;
}

} // namespace

source_location location_of(const YAML::Mark& mark) {
    if (mark.is_null()) return {};
    return {mark.line + 1, mark.column + 1};
}

std::string format_location(source_location at) {
    return std::to_string(at.line) + ":" + std::to_string(at.column);
}

void reader::error(source_location at, std::string message) {
    errors_.push_back({file_, at.line, at.column, std::move(message)});
}

std::optional<std::string> reader::scalar(const value& v, const std::string& path,
                                          std::string_view expected) {
    if (!v.node.IsScalar()) {
        error(v.at, path + ": expected " + std::string(expected) + ", got " + describe(v.node));
        return std::nullopt;
    }
    auto result = interpolate(v.node.Scalar(), env_);
    if (!result.value) {
        error(v.at, path + ": " + result.error);
        return std::nullopt;
    }
    // After interpolation: a variable's value may be what is not UTF-8.
    if (auto bad = invalid_utf8_at(*result.value); bad != std::string_view::npos) {
        std::array<char, 8> hex{};
        std::snprintf(hex.data(), hex.size(), "0x%02x", static_cast<unsigned char>((*result.value)[bad]));
        error(v.at, path + ": expected UTF-8 text, got the byte " + hex.data() + " at byte " +
                        std::to_string(bad + 1) + " of the value, which is not valid UTF-8");
        return std::nullopt;
    }
    return std::move(result.value);
}

std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return describe_text(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
    }
    return "null";
}

std::string describe_text(std::string_view text) {
    if (text.empty()) return "an empty string";
    if (parse_bool(text)) return "a boolean (" + std::string(text) + ")";
    if (parse_number(text)) return "a number (" + std::string(text) + ")";
    return "a string (" + quote(text) + ")";
}

std::string quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            std::array<char, 8> buf{};
            std::snprintf(buf.data(), buf.size(), "\\x%02x", u);
            out += buf.data();
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::optional<std::string_view> suggest(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
    const std::string squashed = squash(word);
    for (auto c : candidates) {
        if (squash(c) == squashed) return c;
    }
    const std::string w = lower(word);
    std::optional<std::string_view> best;
    std::size_t best_distance = 0;
    for (auto c : candidates) {
        std::size_t longest = std::max(w.size(), c.size());
        std::size_t allowed = longest <= 4 ? 1 : longest <= 8 ? 2 : 3;
        std::size_t d = edit_distance(w, c);
        if (d <= allowed && (!best || d < best_distance)) {
            best = c;
            best_distance = d;
        }
    }
    if (best) return best;
    // "endpoint" for "endpoint_url", "warning" for "warn".
    for (auto c : candidates) {
        std::string_view shorter = w.size() < c.size() ? std::string_view(w) : c;
        std::string_view longer = w.size() < c.size() ? c : std::string_view(w);
        if (shorter.size() >= 3 && longer.substr(0, shorter.size()) == shorter) return c;
    }
    return std::nullopt;
}

std::string join(const std::vector<std::string_view>& words, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += separator;
        out += words[i];
    }
    return out;
}

std::string child_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string item_path(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

std::string format_seconds(std::chrono::milliseconds d) {
    auto ms = d.count();
    std::string out = std::to_string(ms / 1000);
    if (auto frac = ms % 1000; frac != 0) {
        std::array<char, 8> buf{};
        std::snprintf(buf.data(), buf.size(), ".%03lld", static_cast<long long>(frac));
        std::string f = buf.data();
        while (f.back() == '0')
            f.pop_back();
        out += f;
    }
    return out;
}

void read_int(reader& r, const value& v, const std::string& path, long long lo, long long hi, int& out) {
    auto s = r.scalar(v, path, "an integer");
    if (!s) return;
    std::string_view t = *s;
    if (t.size() > 1 && t[0] == '+' && t[1] != '-') t.remove_prefix(1);
    std::string_view digits = !t.empty() && t[0] == '-' ? t.substr(1) : t;
    bool integral = !digits.empty() &&
                    std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!integral) {
        r.error(v.at, path + ": expected an integer, got " + describe_text(*s));
        return;
    }
    long long n = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc{} || n < lo || n > hi) {
        r.error(v.at, path + ": expected an integer from " + std::to_string(lo) + " to " +
                          std::to_string(hi) + ", got " + *s);
        return;
    }
    out = static_cast<int>(n);
}

void read_seconds(reader& r, const value& v, const std::string& path, std::chrono::milliseconds lo,
                  std::chrono::milliseconds hi, std::chrono::milliseconds& out) {
    auto s = r.scalar(v, path, "a number of seconds");
    if (!s) return;
    auto d = parse_number(*s);
    if (!d) {
        r.error(v.at, path + ": expected a number of seconds, got " + describe_text(*s));
        return;
    }
    double ms = *d * 1000.0;
    if (ms < static_cast<double>(lo.count()) || ms > static_cast<double>(hi.count())) {
        r.error(v.at, path + ": expected a number of seconds from " + format_seconds(lo) + " to " +
                          format_seconds(hi) + ", got " + *s);
        return;
    }
    out = std::chrono::milliseconds{std::llround(ms)};
}

void read_bool(reader& r, const value& v, const std::string& path, bool& out) {
    auto s = r.scalar(v, path, "true or false");
    if (!s) return;
    auto b = parse_bool(*s);
    if (!b) {
        r.error(v.at, path + ": expected true or false, got " + describe_text(*s));
        return;
    }
    out = *b;
}

std::optional<std::size_t> read_choice(reader& r, const value& v, const std::string& path,
                                       const std::vector<std::string_view>& names) {
    const std::string expected = "one of " + join(names, ", ");
    auto s = r.scalar(v, path, expected);
    if (!s) return std::nullopt;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == *s) return i;
    }
    std::string message = path + ": expected " + expected + ", got " + describe_text(*s);
    if (auto close = suggest(*s, names)) message += "; did you mean " + quote(*close) + "?";
    r.error(v.at, std::move(message));
    return std::nullopt;
}

} // namespace swfrt::config::detail
