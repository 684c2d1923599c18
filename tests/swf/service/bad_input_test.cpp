// Every operation of the SWF model against the service with an empty
// request: each is known (none is UnknownOperationException), and each with
// required members refuses the request with a ValidationException naming
// one of them. Reads the model from ../shared (skips, saying so, without it).
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "swf/service/service.hpp"

namespace swfrt::swf::service {
namespace {

const std::string shapes_path = SWFRT_SHARED_DIR "/swf-model/swf-2012-01-25.shapes.json";

// The model, read once per test, and a service on a manual clock.
struct model_file {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::object operations;
    swf::manual_clock clock;
    service svc{options(clock)};
    static service_options options(const swf::clock& c) {
        service_options o;
        o.clock = &c;
        return o;
    }
    bool load() { return !parser.load(shapes_path).get(root) && !root["operations"].get_object().get(operations); }
};

// Every test reads the model (in CI it is always there; in a clone without
// ../shared the tests say so and skip).
class bad_input : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(shapes_path))
            GTEST_SKIP() << "SWF model not found at " << shapes_path << " (shared data absent)";
        ASSERT_TRUE(model.load());
    }
    model_file model;
};

TEST_F(bad_input, every_operation_is_served_and_names_a_missing_required_member) {
    auto& m = model.root;
    auto& svc = model.svc;
    int operations = 0, with_required = 0;
    auto& ops = model.operations;
    for (auto [name, op] : ops) {
        ++operations;
        const std::string op_name(name);
        std::string_view input_shape;
        ASSERT_FALSE(op["input"]["shape"].get_string().get(input_shape)) << op_name;
        std::set<std::string> required;
        simdjson::dom::array req;
        if (!m["shapes"][input_shape]["required"].get_array().get(req))
            for (auto r : req) {
                std::string_view member;
                if (!r.get_string().get(member)) required.emplace(member);
            }
        auto out = svc.handle(op_name, "{}", [](reply) {});
        ASSERT_TRUE(out.now) << op_name << " held an empty request";
        const auto& r = *out.now;
        EXPECT_EQ(r.body.find("UnknownOperationException"), std::string::npos) << op_name << " is not served";
        if (required.empty()) continue;
        ++with_required;
        EXPECT_EQ(r.status, 400) << op_name;
        EXPECT_NE(r.body.find("com.amazon.coral.validate#ValidationException"), std::string::npos) << op_name << ": " << r.body;
        bool named = false;
        for (const auto& member : required) named = named || r.body.find(member) != std::string::npos;
        EXPECT_TRUE(named) << op_name << " did not name a missing member: " << r.body;
    }
    EXPECT_EQ(operations, 39);
    EXPECT_GT(with_required, 30);
}

// The smallest request the model allows: every required member, strings of
// "1" (a valid name and a valid duration alike), enums at their first value.
std::string minimal(const simdjson::dom::element& shapes, std::string_view shape_name, int depth = 0) {
    simdjson::dom::element shape = shapes[shape_name];
    std::string_view type;
    if (shape["type"].get_string().get(type)) return "{}";
    if (type == "string") {
        simdjson::dom::array e;
        if (!shape["enum"].get_array().get(e)) return "\"" + std::string(e.at(0).get_string().value()) + "\"";
        std::int64_t min = 1;
        if (shape["min"].get_int64().get(min)) min = 1;
        return "\"" + std::string(static_cast<std::size_t>(std::max<std::int64_t>(min, 1)), '1') + "\"";
    }
    if (type == "integer" || type == "long") {
        std::int64_t min = 1;
        if (shape["min"].get_int64().get(min)) min = 1;
        return std::to_string(std::max<std::int64_t>(min, 1));
    }
    if (type == "boolean") return "false";
    if (type == "timestamp") return "0";
    if (type == "list") return "[]";
    if (type != "structure" || depth > 8) return "{}";
    std::string out = "{";
    simdjson::dom::array req;
    if (!shape["required"].get_array().get(req)) {
        bool first = true;
        for (auto r : req) {
            std::string_view member = r.get_string().value();
            std::string_view target = shape["members"][member]["shape"].get_string().value();
            if (!first) out += ",";
            first = false;
            out += "\"" + std::string(member) + "\":" + minimal(shapes, target, depth + 1);
        }
    }
    return out + "}";
}

// The request `base` (a JSON object) with `member` set to `value`.
std::string with(const std::string& base, std::string_view member, const std::string& value) {
    std::string out = base.substr(0, base.size() - 1);
    if (out.size() > 1) out += ",";
    return out + "\"" + std::string(member) + "\":" + value + "}";
}

TEST_F(bad_input, a_too_long_string_and_a_wrong_enum_are_refused_naming_the_member_in_every_operation) {
    auto& m = model.root;
    simdjson::dom::element shapes = m["shapes"];
    auto& svc = model.svc;
    int too_long = 0, wrong_enum = 0;
    auto& ops = model.operations;
    for (auto [name, op] : ops) {
        const std::string op_name(name);
        std::string_view input_shape = op["input"]["shape"].get_string().value();
        const std::string base = minimal(shapes, input_shape);
        simdjson::dom::object members;
        if (shapes[input_shape]["members"].get_object().get(members)) continue;
        for (auto [member, ref] : members) {
            std::string_view target = ref["shape"].get_string().value();
            simdjson::dom::element t = shapes[target];
            std::string_view type;
            if (t["type"].get_string().get(type)) continue;
            if (type != "string") continue;
            std::string body;
            simdjson::dom::array e;
            std::int64_t max = 0;
            if (!t["enum"].get_array().get(e)) {
                body = with(base, member, "\"NOT_A_VALUE\"");
                ++wrong_enum;
            } else if (!t["max"].get_int64().get(max)) {
                body = with(base, member, "\"" + std::string(static_cast<std::size_t>(max + 1), '1') + "\"");
                ++too_long;
            } else {
                continue;
            }
            auto out = svc.handle(op_name, body, [](reply) {});
            ASSERT_TRUE(out.now) << op_name << " " << member;
            EXPECT_EQ(out.now->status, 400) << op_name << " " << member << ": " << out.now->body;
            EXPECT_NE(out.now->body.find("ValidationException"), std::string::npos) << op_name << " " << member << ": " << out.now->body;
            EXPECT_NE(out.now->body.find(std::string(member)), std::string::npos)
                << op_name << " did not name " << member << ": " << out.now->body;
        }
    }
    EXPECT_GT(too_long, 60);
    EXPECT_GT(wrong_enum, 5);
}

TEST_F(bad_input, an_unknown_domain_or_task_token_is_an_unknown_resource_in_every_operation_that_takes_one) {
    auto& m = model.root;
    simdjson::dom::element shapes = m["shapes"];
    auto& svc = model.svc;
    int checked = 0;
    auto& ops = model.operations;
    for (auto [name, op] : ops) {
        const std::string op_name(name);
        std::string_view input_shape = op["input"]["shape"].get_string().value();
        simdjson::dom::array req;
        if (shapes[input_shape]["required"].get_array().get(req)) continue;
        bool takes_one = false;
        for (auto r : req) {
            std::string_view member;
            if (!r.get_string().get(member) && (member == "domain" || member == "taskToken")) takes_one = true;
        }
        if (!takes_one) continue;
        ++checked;
        // The minimal request names domain "1" or task token "1": neither exists.
        auto out = svc.handle(op_name, minimal(shapes, input_shape), [](reply) {});
        ASSERT_TRUE(out.now) << op_name;
        EXPECT_EQ(out.now->status, 400) << op_name << ": " << out.now->body;
        EXPECT_NE(out.now->body.find("#UnknownResourceFault"), std::string::npos) << op_name << ": " << out.now->body;
    }
    EXPECT_GT(checked, 30);
}

TEST_F(bad_input, an_unknown_type_or_execution_in_a_known_domain_is_an_unknown_resource) {
    auto& m = model.root;
    auto& svc = model.svc;
    // The minimal requests name domain "1": it exists now; their types and
    // executions ("1" everywhere) do not.
    ASSERT_TRUE(svc.register_domain("1", "1"));
    simdjson::dom::element shapes = m["shapes"];
    std::set<std::string> checked;
    for (auto [name, op] : model.operations) {
        const std::string op_name(name);
        if (op_name.starts_with("Register")) continue; // they create what they name
        std::string_view input_shape = op["input"]["shape"].get_string().value();
        simdjson::dom::array req;
        if (shapes[input_shape]["required"].get_array().get(req)) continue;
        bool domain = false, resource = false;
        for (auto r : req) {
            std::string_view member;
            if (r.get_string().get(member)) continue;
            domain = domain || member == "domain";
            resource = resource || member == "workflowType" || member == "activityType" || member == "execution" ||
                       member == "workflowId";
        }
        if (!domain || !resource) continue;
        checked.insert(op_name);
        auto out = svc.handle(op_name, minimal(shapes, input_shape), [](reply) {});
        ASSERT_TRUE(out.now) << op_name;
        EXPECT_EQ(out.now->status, 400) << op_name << ": " << out.now->body;
        EXPECT_NE(out.now->body.find("#UnknownResourceFault"), std::string::npos) << op_name << ": " << out.now->body;
    }
    // Describe/Deprecate/Undeprecate/Delete of both kinds of type, start,
    // describe and history of an execution, signal, cancel, terminate.
    EXPECT_EQ(checked.size(), 14u) << ::testing::PrintToString(checked);
}

} // namespace
} // namespace swfrt::swf::service
