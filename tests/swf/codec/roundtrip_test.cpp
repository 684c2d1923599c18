// Every operation's request and response, every history event type and every
// decision type, with every member present, survive decode -> encode ->
// decode unchanged. The samples are made at run time from the SWF API model
// in ../shared/swf-model, so a member the generator drops or misnames fails.
#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"
#include "swf/model/operations.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace codec = swfrt::swf::codec;
namespace model = swfrt::swf::model;
namespace dom = simdjson::dom;

namespace {

const std::string shapes_path = SWFRT_SHARED_DIR "/swf-model/swf-2012-01-25.shapes.json";

struct swf_model {
    dom::parser parser;
    dom::object shapes;
    dom::object operations;
};

// Loaded once; null when the reference data is absent. A file that exists
// but does not parse throws, which fails the test instead of skipping it.
const swf_model* load_model() {
    static const std::unique_ptr<swf_model> loaded = []() -> std::unique_ptr<swf_model> {
        if (!std::filesystem::exists(shapes_path)) return nullptr;
        auto m = std::make_unique<swf_model>();
        dom::element root = m->parser.load(shapes_path).value();
        m->shapes = root["shapes"].get_object().value();
        m->operations = root["operations"].get_object().value();
        return m;
    }();
    return loaded.get();
}

#define SWFRT_REQUIRE_MODEL(var)                                                                     \
    const swf_model* var = load_model();                                                             \
    if (!var) GTEST_SKIP() << "SWF model not found at " << shapes_path << " (shared data absent)"

std::string snake(std::string_view s) {
    std::string out;
    auto up = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
    auto low_or_digit = [](char c) {
        return std::islower(static_cast<unsigned char>(c)) != 0 || std::isdigit(static_cast<unsigned char>(c)) != 0;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (up(c) && i > 0 &&
            (low_or_digit(s[i - 1]) || (up(s[i - 1]) && i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1])))))
            out += '_';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string lower_first(std::string_view s) {
    std::string out(s);
    if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
    return out;
}

// Writes a JSON document for a shape with every member present. Values
// vary from member to member and honour enums, minimum and maximum lengths
// (counted as SWF counts: UTF-16 units), list sizes and integer ranges.
// Strings mix escapes, \u escapes (also surrogate pairs) and raw multibyte
// UTF-8 so the decoder's unescaping and the encoder's escaping both run.
class sample_maker {
public:
    explicit sample_maker(dom::object shapes) : shapes_(shapes) {}

    std::string make(std::string_view shape, std::string_view skip_member = {}) {
        std::string out;
        write(out, shape, skip_member);
        return out;
    }

    dom::object shape(std::string_view name) const { return shapes_[name].get_object().value(); }

private:
    struct piece {
        std::string_view json;
        std::size_t units;
    };
    static constexpr piece pieces[] = {
        {"a", 1},          {"\xC3\xA9", 1},     {"\\u20ac", 1},          {"\xF0\x9F\x98\x80", 2},
        {"\\\"", 1},       {"\\\\", 1},         {"\\n", 1},              {"\\u0001", 1},
        {"\\ud834\\udd1e", 2}, {"\\/", 1},      {"\xE2\x82\xAC", 1},     {"Z", 1},
        {"\\t", 1},        {"\x7F", 1},         {"7", 1},
    };

    static std::optional<std::int64_t> int_field(dom::object o, std::string_view key) {
        std::int64_t v = 0;
        if (o[key].get_int64().get(v)) return std::nullopt;
        return v;
    }

    void write(std::string& out, std::string_view name, std::string_view skip_member = {}) {
        dom::object s = shape(name);
        std::string_view type = s["type"].get_string().value();
        ++n_;
        if (type == "structure") {
            out += '{';
            bool first = true;
            dom::object members = s["members"].get_object().value();
            for (auto field : members) {
                if (field.key == skip_member) continue;
                if (!first) out += ',';
                first = false;
                out += '"';
                out += field.key;
                out += "\":";
                write(out, field.value["shape"].get_string().value());
            }
            out += '}';
        } else if (type == "list") {
            std::int64_t count = std::min<std::int64_t>(2, int_field(s, "max").value_or(2));
            out += '[';
            for (std::int64_t i = 0; i < count; ++i) {
                if (i) out += ',';
                write(out, s["member"]["shape"].get_string().value());
            }
            out += ']';
        } else if (type == "string") {
            dom::array values;
            if (!s["enum"].get_array().get(values)) {
                std::size_t n = values.size();
                std::string_view v = values.at(n_ % n).get_string().value();
                out += '"';
                out += v;
                out += '"';
            } else {
                write_string(out, int_field(s, "min").value_or(0), int_field(s, "max"));
            }
        } else if (type == "integer" || type == "long") {
            std::int64_t lo = int_field(s, "min").value_or(0);
            auto hi = int_field(s, "max");
            std::int64_t v = hi ? lo + static_cast<std::int64_t>(n_ % static_cast<std::uint64_t>(*hi - lo + 1))
                                : (type == "long" ? 5'000'000'000 : 1'000) + static_cast<std::int64_t>(n_);
            out += std::to_string(v);
        } else if (type == "boolean") {
            out += n_ % 2 ? "true" : "false";
        } else if (type == "timestamp") {
            // Whole seconds and fractions both occur in SWF answers.
            out += std::to_string(1'700'000'000 + n_);
            if (n_ % 2) out += ".25";
        } else {
            ADD_FAILURE() << "shape " << name << " has a type the sample maker does not know: " << type;
            out += "null";
        }
    }

    void write_string(std::string& out, std::int64_t min, std::optional<std::int64_t> max) {
        std::int64_t target = 12;
        if (max && *max <= 2048 && n_ % 3 == 0) target = *max; // the limit itself
        else if (min > 0 && n_ % 3 == 1) target = min;
        target = std::max(target, min);
        if (max) target = std::min(target, *max);
        out += '"';
        std::size_t units = 0, i = n_;
        while (units < static_cast<std::size_t>(target)) {
            const piece& p = pieces[i++ % std::size(pieces)];
            if (units + p.units > static_cast<std::size_t>(target)) {
                out += 'a';
                ++units;
                continue;
            }
            out += p.json;
            units += p.units;
        }
        out += '"';
    }

    dom::object shapes_;
    std::uint64_t n_ = 0;
};

// First difference between two JSON documents (objects unordered, numbers
// by value), empty when they are the same.
std::string json_diff(dom::element a, dom::element b, const std::string& path) {
    auto where = path.empty() ? std::string("<root>") : path;
    auto number = [](dom::element e) {
        return e.type() == dom::element_type::INT64 || e.type() == dom::element_type::UINT64 ||
               e.type() == dom::element_type::DOUBLE;
    };
    if (number(a) && number(b)) {
        bool ints = a.type() != dom::element_type::DOUBLE && b.type() != dom::element_type::DOUBLE;
        if (ints ? a.get_int64().value() == b.get_int64().value() : a.get_double().value() == b.get_double().value())
            return {};
        return where + ": numbers differ";
    }
    if (a.type() != b.type()) return where + ": types differ";
    switch (a.type()) {
    case dom::element_type::OBJECT: {
        dom::object oa = a.get_object().value(), ob = b.get_object().value();
        if (oa.size() != ob.size())
            return where + ": " + std::to_string(oa.size()) + " members vs " + std::to_string(ob.size());
        for (auto field : oa) {
            dom::element other;
            if (ob[field.key].get(other)) return where + ": member " + std::string(field.key) + " missing";
            auto d = json_diff(field.value, other, path + (path.empty() ? "" : ".") + std::string(field.key));
            if (!d.empty()) return d;
        }
        return {};
    }
    case dom::element_type::ARRAY: {
        dom::array xa = a.get_array().value(), xb = b.get_array().value();
        if (xa.size() != xb.size()) return where + ": array sizes differ";
        for (std::size_t i = 0; i < xa.size(); ++i) {
            auto d = json_diff(xa.at(i).value(), xb.at(i).value(), path + "[" + std::to_string(i) + "]");
            if (!d.empty()) return d;
        }
        return {};
    }
    case dom::element_type::STRING:
        return a.get_string().value() == b.get_string().value() ? std::string() : where + ": strings differ";
    case dom::element_type::BOOL:
        return a.get_bool().value() == b.get_bool().value() ? std::string() : where + ": booleans differ";
    default:
        return {};
    }
}

std::string json_diff(std::string_view a, std::string_view b) {
    dom::parser pa, pb;
    dom::element ea, eb;
    if (auto ec = pa.parse(a.data(), a.size()).get(ea)) return std::string("first document: ") + simdjson::error_message(ec);
    if (auto ec = pb.parse(b.data(), b.size()).get(eb)) return std::string("second document: ") + simdjson::error_message(ec);
    return json_diff(ea, eb, "");
}

// Decodes strictly, re-encodes, decodes again: the two values are equal,
// the re-encoded JSON means the same as the input, and the value passes
// validation (the samples honour every limit of the model).
template <class T>
void check_roundtrip(std::string_view json, std::string_view what) {
    auto first = codec::decode<T>(json, {.strict = true});
    ASSERT_TRUE(first) << what << ": " << first.error().message << "\n" << json;
    std::string again = codec::encode(*first);
    auto second = codec::decode<T>(again, {.strict = true});
    ASSERT_TRUE(second) << what << ": re-encoded JSON does not decode: " << second.error().message << "\n" << again;
    EXPECT_TRUE(*first == *second) << what << ": value changed by encode/decode\n" << again;
    EXPECT_EQ(json_diff(json, again), "") << what << "\ninput:   " << json << "\noutput:  " << again;
    EXPECT_EQ(codec::encode(*second), again) << what << ": encoding is not stable";
    auto valid = codec::validate(*first);
    EXPECT_TRUE(valid) << what << ": " << (valid ? std::string() : valid.error().message);
}

// The decode error message, or nothing when the document decodes.
template <class T>
std::optional<std::string> decode_error(std::string_view json, bool strict) {
    auto r = codec::decode<T>(json, {.strict = strict});
    if (r) return std::nullopt;
    EXPECT_EQ(r.error().code, "DecodeError");
    EXPECT_EQ(r.error().kind, swfrt::swf::error_kind::validation);
    return r.error().message;
}

// Lenient and strict decodes of the same document give equal values.
template <class T>
bool same_value_both_ways(std::string_view lenient_json, std::string_view strict_json) {
    auto a = codec::decode<T>(lenient_json);
    auto b = codec::decode<T>(strict_json, {.strict = true});
    return a && b && *a == *b;
}

using roundtrip_fn = void (*)(std::string_view, std::string_view);
using decode_error_fn = std::optional<std::string> (*)(std::string_view, bool);
using same_value_fn = bool (*)(std::string_view, std::string_view);

struct type_hooks {
    std::string_view cxx_name;
    roundtrip_fn roundtrip;
    decode_error_fn error;
    same_value_fn same_value;
};

template <class T>
constexpr type_hooks hooks_for(std::string_view name) {
    return {name, &check_roundtrip<T>, &decode_error<T>, &same_value_both_ways<T>};
}

struct operation_case {
    std::string_view api;
    type_hooks request;
    type_hooks response;
};

#define SWFRT_OPERATION_CASE(api, snake_name, request_type, response_type)                              \
    operation_case{#api, hooks_for<model::request_type>(#request_type),                                \
                   hooks_for<model::response_type>(#response_type)},
constexpr operation_case operation_cases[] = {SWFRT_SWF_OPERATIONS(SWFRT_OPERATION_CASE)};
#undef SWFRT_OPERATION_CASE

template <class E>
std::vector<std::string> enum_names() {
    std::vector<std::string> out;
    for (int i = 0;; ++i) {
        auto s = model::to_string(static_cast<E>(i));
        if (s.empty()) break;
        out.emplace_back(s);
    }
    return out;
}

// The JSON of one history event carrying only the attributes of its type.
std::string event_json(sample_maker& mk, dom::object history_event_members, const std::string& type, std::int64_t id) {
    std::string member = lower_first(type) + "EventAttributes";
    std::string_view shape = history_event_members[member]["shape"].get_string().value();
    return "{\"eventId\":" + std::to_string(id) + ",\"eventTimestamp\":1700000000.125,\"eventType\":\"" + type +
           "\",\"" + member + "\":" + mk.make(shape) + "}";
}

std::size_t members_ending_with(dom::object members, std::string_view suffix) {
    std::size_t n = 0;
    for (auto field : members)
        if (field.key.size() > suffix.size() && field.key.substr(field.key.size() - suffix.size()) == suffix) ++n;
    return n;
}

// A document with one member more, in front: "{...}" -> "{"x":...,...}".
std::string with_unknown_member(std::string_view json, std::string_view name, std::string_view value) {
    std::string out = "{\"" + std::string(name) + "\":" + std::string(value);
    if (json.size() > 2) out += ',';
    out.append(json.substr(1));
    return out;
}

std::vector<std::string> required_members(dom::object shape) {
    std::vector<std::string> out;
    dom::array req;
    if (shape["required"].get_array().get(req)) return out;
    for (auto r : req) out.emplace_back(r.get_string().value());
    return out;
}

} // namespace

TEST(roundtrip_counts, thirty_nine_operations_fifty_four_events_thirteen_decisions) {
    EXPECT_EQ(std::size(operation_cases), 39u);
    EXPECT_EQ(static_cast<int>(std::size(operation_cases)), model::operation_count);
    EXPECT_EQ(enum_names<model::event_type>().size(), 54u);
    EXPECT_EQ(enum_names<model::decision_type>().size(), 13u);

    SWFRT_REQUIRE_MODEL(m);
    EXPECT_EQ(m->operations.size(), 39u);
    for (const auto& c : operation_cases) EXPECT_FALSE(m->operations[c.api].error()) << c.api << " is not in the model";

    sample_maker mk(m->shapes);
    auto event_members = mk.shape("HistoryEvent")["members"].get_object().value();
    auto decision_members = mk.shape("Decision")["members"].get_object().value();
    EXPECT_EQ(members_ending_with(event_members, "EventAttributes"), 54u);
    EXPECT_EQ(members_ending_with(decision_members, "DecisionAttributes"), 13u);
    EXPECT_EQ(mk.shape("EventType")["enum"].get_array().value().size(), 54u);
    EXPECT_EQ(mk.shape("DecisionType")["enum"].get_array().value().size(), 13u);
    // Each type has its attributes member and each attributes member its type.
    for (const auto& t : enum_names<model::event_type>())
        EXPECT_FALSE(event_members[lower_first(t) + "EventAttributes"].error()) << t;
    for (const auto& t : enum_names<model::decision_type>())
        EXPECT_FALSE(decision_members[lower_first(t) + "DecisionAttributes"].error()) << t;
}

class operation_roundtrip : public ::testing::TestWithParam<operation_case> {};

TEST_P(operation_roundtrip, request_and_response_fully_populated) {
    const auto& c = GetParam();
    SWFRT_REQUIRE_MODEL(m);
    sample_maker mk(m->shapes);
    dom::object op = m->operations[c.api].get_object().value();

    std::string_view input_shape = op["input"]["shape"].get_string().value();
    EXPECT_EQ(snake(input_shape), c.request.cxx_name);
    auto request_json = mk.make(input_shape);
    c.request.roundtrip(request_json, std::string(c.api) + " request");

    std::string_view output_shape;
    if (op["output"]["shape"].get_string().get(output_shape)) {
        EXPECT_EQ(c.response.cxx_name, "empty");
        c.response.roundtrip("{}", std::string(c.api) + " response");
    } else {
        EXPECT_EQ(snake(output_shape), c.response.cxx_name);
        c.response.roundtrip(mk.make(output_shape), std::string(c.api) + " response");
    }
}

TEST_P(operation_roundtrip, missing_required_member_is_named) {
    const auto& c = GetParam();
    SWFRT_REQUIRE_MODEL(m);
    sample_maker mk(m->shapes);
    dom::object op = m->operations[c.api].get_object().value();

    auto check = [&](std::string_view shape_name, const type_hooks& hooks) {
        for (const auto& member : required_members(mk.shape(shape_name))) {
            auto json = mk.make(shape_name, member);
            auto err = hooks.error(json, true);
            // A poll that ended without a task has no taskToken and nothing else.
            bool no_task = member == "taskToken" && (shape_name == "DecisionTask" || shape_name == "ActivityTask");
            if (no_task) {
                EXPECT_FALSE(err) << shape_name << " without taskToken: " << err.value_or("");
                continue;
            }
            ASSERT_TRUE(err) << shape_name << " decoded without required " << member;
            EXPECT_EQ(*err, member + ": required member is missing") << shape_name;
            // Lenient decoding still insists on required members.
            EXPECT_TRUE(hooks.error(json, false)) << shape_name << " (lenient) without " << member;
        }
    };
    check(op["input"]["shape"].get_string().value(), c.request);
    std::string_view output_shape;
    if (!op["output"]["shape"].get_string().get(output_shape)) check(output_shape, c.response);
}

TEST_P(operation_roundtrip, unknown_member_rejected_only_when_strict) {
    const auto& c = GetParam();
    SWFRT_REQUIRE_MODEL(m);
    sample_maker mk(m->shapes);
    dom::object op = m->operations[c.api].get_object().value();

    auto check = [&](const std::string& json, const type_hooks& hooks) {
        auto extended = with_unknown_member(json, "memberFromTheFuture", R"({"a":[1,{"b":null}],"c":"d"})");
        auto err = hooks.error(extended, true);
        ASSERT_TRUE(err) << c.api << ": strict decode accepted an unknown member";
        EXPECT_EQ(*err, "memberFromTheFuture: member does not exist in the SWF model");
        EXPECT_TRUE(hooks.same_value(extended, json)) << c.api << ": lenient decode of " << extended;
    };
    check(mk.make(op["input"]["shape"].get_string().value()), c.request);
    std::string_view output_shape;
    check(op["output"]["shape"].get_string().get(output_shape) ? std::string("{}") : mk.make(output_shape),
          c.response);
}

INSTANTIATE_TEST_SUITE_P(all, operation_roundtrip, ::testing::ValuesIn(operation_cases),
                         [](const auto& info) { return std::string(info.param.api); });

class event_roundtrip : public ::testing::TestWithParam<std::string> {};

TEST_P(event_roundtrip, history_event_with_its_attributes) {
    const auto& type = GetParam();
    SWFRT_REQUIRE_MODEL(m);
    sample_maker mk(m->shapes);
    auto members = mk.shape("HistoryEvent")["members"].get_object().value();
    auto json = event_json(mk, members, type, 4'294'967'301);
    check_roundtrip<model::history_event>(json, type);

    auto ev = codec::decode<model::history_event>(json, {.strict = true});
    ASSERT_TRUE(ev);
    EXPECT_EQ(model::to_string(ev->event_type), type);
    EXPECT_EQ(ev->event_id, 4'294'967'301);
    EXPECT_EQ(ev->event_timestamp, 1700000000.125);
}

INSTANTIATE_TEST_SUITE_P(all, event_roundtrip, ::testing::ValuesIn(enum_names<model::event_type>()),
                         [](const auto& info) { return info.param; });

class decision_roundtrip : public ::testing::TestWithParam<std::string> {};

TEST_P(decision_roundtrip, decision_with_its_attributes) {
    const auto& type = GetParam();
    SWFRT_REQUIRE_MODEL(m);
    sample_maker mk(m->shapes);
    auto members = mk.shape("Decision")["members"].get_object().value();
    std::string member = lower_first(type) + "DecisionAttributes";
    std::string_view shape = members[member]["shape"].get_string().value();
    auto json = "{\"decisionType\":\"" + type + "\",\"" + member + "\":" + mk.make(shape) + "}";
    check_roundtrip<model::decision>(json, type);

    auto d = codec::decode<model::decision>(json, {.strict = true});
    ASSERT_TRUE(d);
    EXPECT_EQ(model::to_string(d->decision_type), type);

    // The same decision inside RespondDecisionTaskCompleted, as sent to SWF.
    auto request = R"({"taskToken":"token","decisions":[)" + json + "," + json + "]}";
    check_roundtrip<model::respond_decision_task_completed_input>(request, type + " in a response");
}

INSTANTIATE_TEST_SUITE_P(all, decision_roundtrip, ::testing::ValuesIn(enum_names<model::decision_type>()),
                         [](const auto& info) { return info.param; });

TEST(history_roundtrip, one_event_of_every_type_in_one_page) {
    SWFRT_REQUIRE_MODEL(m);
    sample_maker mk(m->shapes);
    auto members = mk.shape("HistoryEvent")["members"].get_object().value();
    auto types = enum_names<model::event_type>();
    std::string json = "{\"events\":[";
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (i) json += ',';
        json += event_json(mk, members, types[i], static_cast<std::int64_t>(i + 1));
    }
    json += "],\"nextPageToken\":\"page-2\"}";
    check_roundtrip<model::history>(json, "history");

    auto h = codec::decode<model::history>(json, {.strict = true});
    ASSERT_TRUE(h);
    ASSERT_EQ(h->events.size(), 54u);
    for (std::size_t i = 0; i < types.size(); ++i) {
        EXPECT_EQ(model::to_string(h->events[i].event_type), types[i]);
        EXPECT_EQ(h->events[i].event_id, static_cast<std::int64_t>(i + 1));
    }
    ASSERT_TRUE(h->next_page_token);
    EXPECT_EQ(*h->next_page_token, "page-2");
}

TEST(sample_maker_check, samples_reach_the_limits_of_the_model) {
    // The round trips above are only as strong as the samples: they must hold
    // strings at their maximum length, multibyte text and escapes.
    SWFRT_REQUIRE_MODEL(m);
    sample_maker mk(m->shapes);
    auto json = mk.make("RegisterDomainInput");
    auto v = codec::decode<model::register_domain_input>(json, {.strict = true});
    ASSERT_TRUE(v) << v.error().message;
    std::size_t at_limit = 0;
    auto note = [&](const std::string& s, std::size_t max) { at_limit += codec::swf_length(s) == max; };
    note(v->name, 256);
    if (v->description) note(*v->description, 1024);
    note(v->workflow_execution_retention_period_in_days, 8);
    for (const auto& t : v->tags) {
        note(t.key, 128);
        if (t.value) note(*t.value, 256);
    }
    EXPECT_GE(at_limit, 1u) << json;

    auto task = mk.make("DecisionTask");
    EXPECT_NE(task.find("\\u"), std::string::npos);
    EXPECT_NE(task.find("\xF0\x9F\x98\x80"), std::string::npos);
    EXPECT_NE(task.find("\\\""), std::string::npos);
}
