// Every operation of the SWF model against the service with an empty
// request: each is known (none is UnknownOperationException), and each with
// required members refuses the request with a ValidationException naming
// one of them. Reads the model from ../shared (skips, saying so, without it).
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "swf/service/service.hpp"

namespace swfrt::swf::service {
namespace {

const std::string shapes_path = SWFRT_SHARED_DIR "/swf-model/swf-2012-01-25.shapes.json";

TEST(bad_input, every_operation_is_served_and_names_a_missing_required_member) {
    if (!std::filesystem::exists(shapes_path))
        GTEST_SKIP() << "SWF model not found at " << shapes_path << " (shared data absent)";
    simdjson::dom::parser parser;
    simdjson::dom::element m;
    ASSERT_FALSE(parser.load(shapes_path).get(m));
    swf::manual_clock clock;
    service_options o;
    o.clock = &clock;
    service svc(o);
    int operations = 0, with_required = 0;
    simdjson::dom::object ops;
    ASSERT_FALSE(m["operations"].get_object().get(ops));
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

} // namespace
} // namespace swfrt::swf::service
