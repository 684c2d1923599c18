// JSON activities (swfrt/json.hpp): input read as In, result written from
// Out; bad input and unwritable results fail the task with a reason that
// says which, and nothing invalid is returned.
#include <swfrt/json.hpp>

#include <gtest/gtest.h>

#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace sdk = swfrt::sdk;
namespace model = swfrt::swf::model;

namespace pay {

struct order {
    std::string id;
    int cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, cents)

struct receipt {
    std::string note;
    int charged = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(receipt, note, charged)

} // namespace pay

namespace {

class context_stub : public sdk::activity_context {
public:
    const model::activity_task& task() const override { return task_; }
    std::stop_token stop_token() const override { return stop_.get_token(); }
    bool cancel_requested() const override { return false; }
    void heartbeat(std::string) override {}
    void log(sdk::log_level, std::string_view) override {}

private:
    model::activity_task task_{};
    std::stop_source stop_;
};

auto charge = sdk::json_blocking<pay::order, pay::receipt>([](sdk::activity_context&, pay::order o) {
    return pay::receipt{o.id == "bad-utf8" ? std::string("\xff") : "charged " + o.id, o.cents};
});

std::string reason_of(const std::string& input) {
    context_stub ctx;
    try {
        (void)charge(ctx, input);
    } catch (const sdk::activity_failure& f) {
        return f.reason() + ": " + f.details();
    }
    return "no failure";
}

} // namespace

TEST(json_activity, reads_the_input_and_writes_the_result_as_json) {
    context_stub ctx;
    EXPECT_EQ(charge(ctx, R"({"id":"o-1","cents":250})"), R"({"charged":250,"note":"charged o-1"})");
}

TEST(json_activity, input_that_is_not_json_or_not_the_type_is_invalid_input) {
    EXPECT_EQ(reason_of("order 1").rfind("InvalidInput: the input is not JSON", 0), 0u) << reason_of("order 1");
    EXPECT_EQ(reason_of(R"({"id":1})").rfind("InvalidInput: the input is not the type expected", 0), 0u);
}

TEST(json_activity, a_result_that_cannot_be_json_is_invalid_result) {
    EXPECT_EQ(reason_of(R"({"id":"bad-utf8","cents":1})").rfind("InvalidResult:", 0), 0u)
        << reason_of(R"({"id":"bad-utf8","cents":1})");
}

TEST(json_activity, a_coroutine_handler_the_same) {
    auto handler = sdk::json_coroutine<pay::order, pay::receipt>(
        [](sdk::activity_context&, pay::order o) -> boost::asio::awaitable<pay::receipt> {
            co_return pay::receipt{"async " + o.id, o.cents * 2};
        });
    boost::asio::io_context io;
    context_stub ctx;
    auto f = boost::asio::co_spawn(io, handler(ctx, R"({"id":"o-2","cents":2})"), boost::asio::use_future);
    io.run();
    EXPECT_EQ(f.get(), R"({"charged":4,"note":"async o-2"})");
}
