// The table machinery behind the loader: each struct has one table of
// fields, and the same table both reads YAML into the struct and documents
// its keys, so the parser and schema() cannot disagree.
#pragma once

#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swfrt::config::detail {

// A YAML value and the position to report it at. An empty value has no
// useful position of its own (yaml-cpp puts it on the next token), so it
// borrows its key's.
struct value {
    YAML::Node node;
    source_location at;
};

source_location location_of(const YAML::Mark& mark);
std::string format_location(source_location at); // "line:column"

class reader {
public:
    reader(std::string file, std::string base_dir, const env_lookup& env)
        : file_(std::move(file)), base_dir_(std::move(base_dir)), env_(env) {}

    void error(source_location at, std::string message);
    std::size_t error_count() const { return errors_.size(); }
    std::vector<config_error> take_errors() { return std::move(errors_); }
    const std::string& base_dir() const { return base_dir_; }

    // The scalar's text after ${} interpolation, or nullopt once the reason
    // (not a scalar, null, bad interpolation) is reported. `expected` names
    // what the key wants: "an integer", "a string".
    std::optional<std::string> scalar(const value& v, const std::string& path, std::string_view expected);

private:
    std::string file_;
    std::string base_dir_;
    const env_lookup& env_;
    std::vector<config_error> errors_;
};

// "a mapping", "a sequence", "null", or describe_text of a scalar.
std::string describe(const YAML::Node& node);
// How a scalar's text reads: "a number (1.5)", "a boolean (true)",
// "a string (\"ten\")", "an empty string".
std::string describe_text(std::string_view text);
std::string quote(std::string_view text);
// A close candidate for a misspelt word (typo, other case, camelCase), if any.
std::optional<std::string_view> suggest(std::string_view word,
                                        const std::vector<std::string_view>& candidates);
std::string join(const std::vector<std::string_view>& words, std::string_view separator);
std::string child_path(const std::string& path, std::string_view key);
std::string item_path(const std::string& path, std::size_t index);
std::string format_seconds(std::chrono::milliseconds d);

// Checks a value already known to be a string; returns what was expected when it fails.
using string_check = std::optional<std::string> (*)(std::string_view);

template <class T> struct field {
    std::string_view key;
    std::string type;
    std::string default_value;
    std::string_view description;
    bool required = false;
    std::function<void(reader&, const value&, const std::string& path, T&)> read;
    // Documents nested keys under the given path (sections and lists of mappings).
    std::function<void(const std::string& path, std::vector<key_doc>&)> nested;
};

template <class T> using table = std::vector<field<T>>;

// Called once a list is read, with which items read without error, for
// checks across items (duplicates).
template <class Item>
using list_check = std::function<void(reader&, const std::string& path, const std::vector<Item>&,
                                      const std::vector<bool>& clean)>;

template <class T> std::vector<std::string_view> keys_of(const table<T>& t) {
    std::vector<std::string_view> keys;
    for (const auto& f : t)
        keys.push_back(f.key);
    return keys;
}

template <class T>
void read_mapping(reader& r, const value& v, const std::string& path, const table<T>& t, T& out) {
    const std::string where = path.empty() ? "at the top level" : "under " + path;
    if (!v.node.IsNull() && !v.node.IsMap()) {
        r.error(v.at, (path.empty() ? std::string("top level") : path) + ": expected a mapping, got " +
                          describe(v.node));
        return;
    }
    std::vector<std::pair<std::string, source_location>> seen;
    if (v.node.IsMap()) {
        for (auto it = v.node.begin(); it != v.node.end(); ++it) {
            const YAML::Node key_node = it->first; // a copy: the iterator hands out a temporary
            source_location key_at = location_of(key_node.Mark());
            if (!key_node.IsScalar()) {
                r.error(key_at, "expected a key name " + where + ", got " + describe(key_node));
                continue;
            }
            const std::string& key = key_node.Scalar();
            auto previous =
                std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key; });
            if (previous != seen.end()) {
                r.error(key_at, "duplicate key " + quote(key) + " " + where + " (first at " +
                                    format_location(previous->second) + ")");
                continue;
            }
            seen.emplace_back(key, key_at);
            auto f = std::find_if(t.begin(), t.end(), [&](const field<T>& x) { return x.key == key; });
            if (f == t.end() && key == "<<") {
                // yaml-cpp 0.7 reads a merge key as an ordinary key.
                r.error(key_at,
                        "YAML merge keys (\"<<\") are not supported " + where + "; write the keys out");
                continue;
            }
            if (f == t.end()) {
                auto keys = keys_of(t);
                std::string message = "unknown key " + quote(key) + " " + where;
                if (auto s = suggest(key, keys)) {
                    message += "; did you mean " + quote(*s) + "?";
                } else {
                    message += " (expected one of: " + join(keys, ", ") + ")";
                }
                r.error(key_at, std::move(message));
                continue;
            }
            const YAML::Node val = it->second;
            value child{val, val.IsNull() ? key_at : location_of(val.Mark())};
            f->read(r, child, child_path(path, key), out);
        }
    }
    for (const auto& f : t) {
        if (!f.required) continue;
        bool present = std::any_of(seen.begin(), seen.end(), [&](const auto& s) { return s.first == f.key; });
        if (!present) {
            r.error(v.at, (path.empty() ? std::string("top level") : path) + ": missing required key " +
                              quote(f.key));
        }
    }
}

template <class T> void document(const table<T>& t, const std::string& prefix, std::vector<key_doc>& out) {
    for (const auto& f : t) {
        std::string path = child_path(prefix, f.key);
        out.push_back({path, f.type, f.default_value, std::string(f.description), f.required});
        if (f.nested) f.nested(path, out);
    }
}

// --- field makers: each takes a pointer to the member it fills ------------

template <class T>
field<T> string_field(std::string_view key, std::string T::*m, std::string_view description,
                      string_check check = nullptr, bool required = false) {
    field<T> f{key, "string", required ? "(required)" : quote(T{}.*m), description, required, {}, {}};
    f.read = [m, check](reader& r, const value& v, const std::string& path, T& out) {
        auto s = r.scalar(v, path, "a string");
        if (!s) return;
        if (check) {
            if (auto expected = check(*s)) {
                r.error(v.at, path + ": " + *expected);
                return;
            }
        }
        out.*m = std::move(*s);
    };
    return f;
}

void read_int(reader& r, const value& v, const std::string& path, long long lo, long long hi, int& out);

template <class T>
field<T> int_field(std::string_view key, int T::*m, long long lo, long long hi,
                   std::string_view description) {
    field<T> f{key,
               "integer, " + std::to_string(lo) + " to " + std::to_string(hi),
               std::to_string(T{}.*m),
               description,
               false,
               {},
               {}};
    f.read = [m, lo, hi](reader& r, const value& v, const std::string& path, T& out) {
        read_int(r, v, path, lo, hi, out.*m);
    };
    return f;
}

void read_seconds(reader& r, const value& v, const std::string& path, std::chrono::milliseconds lo,
                  std::chrono::milliseconds hi, std::chrono::milliseconds& out);

template <class T>
field<T> seconds_field(std::string_view key, std::chrono::milliseconds T::*m, std::chrono::milliseconds lo,
                       std::chrono::milliseconds hi, std::string_view description) {
    field<T> f{key,
               "seconds, " + format_seconds(lo) + " to " + format_seconds(hi),
               format_seconds(T{}.*m),
               description,
               false,
               {},
               {}};
    f.read = [m, lo, hi](reader& r, const value& v, const std::string& path, T& out) {
        read_seconds(r, v, path, lo, hi, out.*m);
    };
    return f;
}

void read_bool(reader& r, const value& v, const std::string& path, bool& out);

template <class T> field<T> bool_field(std::string_view key, bool T::*m, std::string_view description) {
    field<T> f{key, "boolean", T{}.*m ? "true" : "false", description, false, {}, {}};
    f.read = [m](reader& r, const value& v, const std::string& path, T& out) {
        read_bool(r, v, path, out.*m);
    };
    return f;
}

// Reads one of `names`; its index is stored through `store`.
std::optional<std::size_t> read_choice(reader& r, const value& v, const std::string& path,
                                       const std::vector<std::string_view>& names);

template <class T, class E>
field<T> enum_field(std::string_view key, E T::*m, std::vector<std::string_view> names,
                    std::string_view description, bool required = false) {
    field<T> f{key,
               "one of " + join(names, ", "),
               required ? "(required)" : std::string(names[static_cast<std::size_t>(T{}.*m)]),
               description,
               required,
               {},
               {}};
    f.read = [m, names = std::move(names)](reader& r, const value& v, const std::string& path, T& out) {
        if (auto i = read_choice(r, v, path, names)) out.*m = static_cast<E>(*i);
    };
    return f;
}

template <class T, class S>
field<T> section(std::string_view key, S T::*m, const table<S>& (*sub)(), std::string_view description) {
    field<T> f{key, "mapping", "{}", description, false, {}, {}};
    f.read = [m, sub](reader& r, const value& v, const std::string& path, T& out) {
        read_mapping(r, v, path, sub(), out.*m);
    };
    f.nested = [sub](const std::string& path, std::vector<key_doc>& out) { document(sub(), path, out); };
    return f;
}

// A section whose presence means something (static credentials).
template <class T, class S>
field<T> optional_section(std::string_view key, std::optional<S> T::*m, const table<S>& (*sub)(),
                          std::string_view description) {
    field<T> f{key, "mapping", "(none)", description, false, {}, {}};
    f.read = [m, sub](reader& r, const value& v, const std::string& path, T& out) {
        S s;
        read_mapping(r, v, path, sub(), s);
        out.*m = std::move(s);
    };
    f.nested = [sub](const std::string& path, std::vector<key_doc>& out) { document(sub(), path, out); };
    return f;
}

// Reads a sequence; `item` fills one element and returns false after
// reporting a problem. A null value is an empty list.
template <class Item>
void read_list(reader& r, const value& v, const std::string& path, std::string_view item_noun,
               const std::function<bool(reader&, const value&, const std::string&, Item&)>& item,
               std::size_t min_items, const list_check<Item>& check, std::vector<Item>& out) {
    if (!v.node.IsNull() && !v.node.IsSequence()) {
        r.error(v.at, path + ": expected a list of " + std::string(item_noun) + ", got " + describe(v.node));
        return;
    }
    std::vector<Item> items;
    std::vector<bool> clean;
    if (v.node.IsSequence()) {
        std::size_t i = 0;
        for (const auto& n : v.node) {
            value element{n, location_of(n.Mark())};
            if (n.IsNull()) element.at = v.at;
            Item it{};
            std::size_t before = r.error_count();
            bool ok = item(r, element, item_path(path, i), it);
            items.push_back(std::move(it));
            clean.push_back(ok && r.error_count() == before);
            ++i;
        }
    }
    if (items.size() < min_items) {
        r.error(v.at, path + ": expected at least " +
                          (min_items == 1 ? std::string("one") : std::to_string(min_items)) +
                          (min_items == 1 ? " entry" : " entries") + ", got " +
                          (items.empty() ? std::string("none") : std::to_string(items.size())));
    }
    if (check) check(r, path, items, clean);
    out = std::move(items);
}

template <class T, class S>
field<T> mapping_list(std::string_view key, std::vector<S> T::*m, const table<S>& (*sub)(),
                      std::string_view description, list_check<S> check = {}) {
    field<T> f{key, "list of mappings", "[]", description, false, {}, {}};
    f.read = [m, sub, check](reader& r, const value& v, const std::string& path, T& out) {
        std::function<bool(reader&, const value&, const std::string&, S&)> item =
            [sub](reader& rr, const value& e, const std::string& p, S& s) {
                s.location = e.at;
                read_mapping(rr, e, p, sub(), s);
                return true;
            };
        read_list<S>(r, v, path, "mappings", item, 0, check, out.*m);
    };
    f.nested = [sub](const std::string& path, std::vector<key_doc>& out) {
        document(sub(), path + "[]", out);
    };
    return f;
}

template <class T, class Item>
field<T> string_list(std::string_view key, std::vector<Item> T::*m,
                     bool (*item)(reader&, const value&, const std::string&, Item&), std::size_t min_items,
                     std::string_view description, list_check<Item> check = {}, bool required = false) {
    field<T> f{key, "list of strings", required ? "(required)" : "[]", description, required, {}, {}};
    f.read = [m, item, min_items, check](reader& r, const value& v, const std::string& path, T& out) {
        std::function<bool(reader&, const value&, const std::string&, Item&)> fn = item;
        read_list<Item>(r, v, path, "strings", fn, min_items, check, out.*m);
    };
    return f;
}

} // namespace swfrt::config::detail
