#include <charconv>
#include <cmath>

#include "swf/codec/codec_impl.hpp"

namespace swfrt::swf::codec {

namespace {

// Length of the UTF-8 sequence starting with lead byte c (0 when invalid as a lead).
inline int sequence_length(unsigned char c) noexcept {
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

} // namespace

bool is_valid_utf8(std::string_view s) noexcept { return simdjson::validate_utf8(s.data(), s.size()); }

std::size_t swf_length(std::string_view s) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        int len = sequence_length(static_cast<unsigned char>(s[i]));
        if (len == 0) len = 1;
        n += len == 4 ? 2 : 1; // astral code points are surrogate pairs in UTF-16
        i += static_cast<std::size_t>(len);
    }
    return n;
}

bool truncate(std::string& s, std::size_t max_units, std::string_view marker) {
    if (swf_length(s) <= max_units) return false;
    std::size_t marker_units = swf_length(marker);
    // A marker that does not fit is left out rather than the text.
    std::size_t budget = marker_units <= max_units ? max_units - marker_units : max_units;
    std::size_t units = 0, i = 0;
    while (i < s.size()) {
        int len = sequence_length(static_cast<unsigned char>(s[i]));
        if (len == 0) len = 1;
        std::size_t u = len == 4 ? 2 : 1;
        if (units + u > budget) break;
        units += u;
        i += static_cast<std::size_t>(len);
    }
    s.resize(i);
    if (marker_units <= max_units) s += marker;
    return true;
}

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    out.append(s.data() + start, s.size() - start);
    out += '"';
}

void json_writer::string(std::string_view s) {
    separate();
    append_json_string(out_, s);
    comma_ = true;
}

void json_writer::number(std::int64_t v) {
    separate();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    comma_ = true;
}

void json_writer::number(double v) {
    separate();
    if (!std::isfinite(v)) v = 0; // JSON has no NaN/Inf; timestamps are never either
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    comma_ = true;
}

namespace detail {

namespace {
bool skip_level(simdjson::ondemand::value v, decode_context& ctx);
}

bool decode_value(simdjson::ondemand::value v, model::empty&, decode_context& ctx) {
    simdjson::ondemand::object obj;
    if (v.get_object().get(obj)) return ctx.fail_type("object");
    for (auto field_result : obj) {
        simdjson::ondemand::field field;
        if (std::move(field_result).get(field)) return ctx.fail_syntax();
        std::string_view key;
        if (field.unescaped_key().get(key)) return ctx.fail_syntax();
        if (ctx.strict) return ctx.fail_unknown_member(key);
        if (!skip_value(field.value(), ctx)) return ctx.in_member(key);
    }
    return true;
}

bool skip_value(simdjson::ondemand::value v, decode_context& ctx) {
    // Each level is a stack frame: a hostile document nested 100,000 deep
    // would overflow the stack. The model's own shapes nest a few levels.
    if (ctx.skip_depth >= max_unknown_nesting) {
        ctx.message = "nested deeper than " + std::to_string(max_unknown_nesting) +
                      " levels inside a member the model does not know";
        return false;
    }
    ++ctx.skip_depth;
    bool ok = skip_level(v, ctx);
    --ctx.skip_depth;
    return ok;
}

namespace {
bool skip_level(simdjson::ondemand::value v, decode_context& ctx) {
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) return ctx.fail_syntax();
    switch (type) {
    case simdjson::ondemand::json_type::object: {
        simdjson::ondemand::object obj;
        if (v.get_object().get(obj)) return ctx.fail_syntax();
        for (auto field_result : obj) {
            simdjson::ondemand::field field;
            if (std::move(field_result).get(field)) return ctx.fail_syntax();
            std::string_view key;
            if (field.unescaped_key().get(key)) return ctx.fail_syntax();
            if (!skip_value(field.value(), ctx)) return ctx.in_member(key);
        }
        return true;
    }
    case simdjson::ondemand::json_type::array: {
        simdjson::ondemand::array arr;
        if (v.get_array().get(arr)) return ctx.fail_syntax();
        std::size_t i = 0;
        for (auto elem : arr) {
            simdjson::ondemand::value ev;
            if (std::move(elem).get(ev)) return ctx.fail_syntax();
            if (!skip_value(ev, ctx)) return ctx.in_index_only(i);
            ++i;
        }
        return true;
    }
    case simdjson::ondemand::json_type::string: {
        std::string_view s;
        return v.get_string().get(s) ? ctx.fail_syntax() : true;
    }
    case simdjson::ondemand::json_type::number: {
        double d;
        return v.get_double().get(d) ? ctx.fail_syntax() : true;
    }
    case simdjson::ondemand::json_type::boolean: {
        bool b;
        return v.get_bool().get(b) ? ctx.fail_syntax() : true;
    }
    case simdjson::ondemand::json_type::null: {
        bool is_null = false;
        if (v.is_null().get(is_null) || !is_null) return ctx.fail_syntax();
        return true;
    }
    }
    return ctx.fail_syntax();
}
} // namespace

void encode_value(json_writer& w, const model::empty&) {
    w.begin_object();
    w.end_object();
}

bool validate_value(const model::empty&, validate_context&) { return true; }

result<void> decode_document(std::string_view json, const decode_options& options, void* out, root_decoder fn) {
    // One parser per thread: it keeps its buffers between documents.
    thread_local simdjson::ondemand::parser parser;
    thread_local std::string buffer;
    buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(json.data(), json.size());

    auto fail = [](std::string msg) { return make_error(error_kind::validation, "DecodeError", std::move(msg)); };

    simdjson::ondemand::document doc;
    if (auto ec = parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc))
        return fail(std::string("malformed JSON: ") + simdjson::error_message(ec));
    simdjson::ondemand::value root;
    if (auto ec = doc.get_value().get(root)) return fail(std::string("malformed JSON: ") + simdjson::error_message(ec));

    decode_context ctx;
    ctx.strict = options.strict;
    if (!fn(root, out, ctx)) {
        auto path = ctx.path();
        return fail((path.empty() ? std::string() : path + ": ") + ctx.message);
    }
    // At the end of the input the iterator has no location left to report.
    if (!doc.current_location().error()) return fail("malformed JSON: trailing content after the document");
    return {};
}

} // namespace detail
} // namespace swfrt::swf::codec
