// The JSON data converter: user types as a workflow's input and result and
// as activity payloads, through nlohmann-json; text that is not the type,
// or a value that cannot be JSON, is a clear error and nothing is sent.
#include "workflow/json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "replay_support.hpp"

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
using namespace wf::testing;

namespace shop {

struct order {
    std::string id;
    int cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, cents)

struct receipt {
    bool ok = false;
    int charged = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(receipt, ok, charged)

} // namespace shop

namespace {

struct defaulted : wf::workflow<shop::order, shop::receipt> {
    static constexpr std::string_view name = "Defaulted";
    static constexpr std::string_view version = "1";
    wf::task<shop::receipt> run(wf::context& ctx, shop::order o) override {
        if (o.cents <= 0) throw wf::workflow_failed("NothingToCharge", o.id);
        auto charged = ctx.activity("legacy", "1", wf::to_json_text(o));
        co_return co_await wf::json_result<shop::receipt>(std::move(charged));
    }
};

// The api_task_list_default history with an order as input and a receipt
// as the activity's result.
model::history shop_history(const std::string& input, const std::string& result) {
    auto h = load_history("api_task_list_default");
    h.events[0].workflow_execution_started_event_attributes->input = input;
    h.events[8].activity_task_scheduled_event_attributes->input = R"({"cents":250,"id":"o-1"})";
    h.events[10].activity_task_completed_event_attributes->result_ = result;
    h.events[14].workflow_execution_completed_event_attributes->result_ = R"({"charged":250,"ok":true})";
    return h;
}

} // namespace

TEST(json_converter, a_user_type_travels_as_json_both_ways) {
    auto h = shop_history(R"({"id": "o-1", "cents": 250})", R"({"ok": true, "charged": 250})");
    auto runner = wf::make_runner<defaulted>();
    expect_history_reproduced(h, runner);
    EXPECT_EQ(decisions_at(h, 3, runner).find(R"(\"cents\":250,\"id\":\"o-1\")") != std::string::npos, true)
        << decisions_at(h, 3, runner);
    EXPECT_EQ(decisions_at(h, 13, runner), canonical({complete(R"({"charged":250,"ok":true})")}));
}

TEST(json_converter, input_that_is_not_the_type_fails_the_workflow_with_invalid_input) {
    auto h = shop_history(R"({"id": 7})", "{}");
    auto d = decisions_at(h, 3, wf::make_runner<defaulted>());
    EXPECT_NE(d.find(R"("reason":"InvalidInput")"), std::string::npos) << d;
    EXPECT_NE(d.find("not the type expected"), std::string::npos) << d;
}

TEST(json_converter, input_that_is_not_json_fails_the_workflow_with_invalid_input) {
    auto h = shop_history("order o-1", "{}");
    auto d = decisions_at(h, 3, wf::make_runner<defaulted>());
    EXPECT_NE(d.find(R"("reason":"InvalidInput")"), std::string::npos) << d;
    EXPECT_NE(d.find("is not JSON"), std::string::npos) << d;
}

TEST(json_converter, a_result_that_is_not_the_type_raises_invalid_payload) {
    auto h = shop_history(R"({"id": "o-1", "cents": 250})", R"({"ok": "yes"})");
    EXPECT_THROW((void)wf::replay(task_at(h, 13), wf::make_runner<defaulted>()), wf::invalid_payload);
}

TEST(json_converter, a_value_that_cannot_be_json_is_refused_before_anything_is_sent) {
    shop::order bad{"\xff\xfe", 1};
    EXPECT_THROW((void)wf::to_json_text(bad), wf::invalid_payload);
    EXPECT_EQ(wf::to_json_text(shop::order{"o-2", 3}), R"({"cents":3,"id":"o-2"})");
    EXPECT_EQ(wf::from_json_text<shop::order>(R"({"id":"o-3","cents":4})").cents, 4);
}

TEST(json_converter, strings_numbers_and_types_with_their_own_functions_keep_their_serializers) {
    EXPECT_EQ(wf::serializer<std::string>::encode("as is"), "as is");
    EXPECT_EQ(wf::serializer<int>::encode(42), "42");
    EXPECT_EQ(wf::serializer<shop::receipt>::encode({true, 5}), R"({"charged":5,"ok":true})");
}
