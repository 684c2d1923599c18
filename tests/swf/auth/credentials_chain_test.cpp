// chain_provider with scripted providers: order, the remembered winner, and
// the combined error.
#include "swf/auth/provider.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <exception>
#include <optional>

namespace auth = swfrt::swf::auth;
namespace swf = swfrt::swf;
using namespace std::chrono_literals;

namespace {


template <class T> T run(boost::asio::awaitable<T> a) { return swfrt::testing::run(std::move(a), 5s); }

class fixed_provider final : public auth::credentials_provider {
public:
    fixed_provider(std::string name, std::optional<std::string> key, std::string failure = "not configured")
        : name_(std::move(name)), key_(std::move(key)), failure_(std::move(failure)) {}

    boost::asio::awaitable<swf::result<auth::credentials>> fetch() override {
        ++calls;
        if (!key_)
            co_return swf::make_error(swf::error_kind::auth, std::string(auth::credentials_not_found),
                                      failure_);
        auth::credentials c;
        c.access_key_id = *key_;
        c.secret_access_key = "secret-of-" + name_;
        c.provider = name_;
        co_return c;
    }
    std::string_view name() const override { return name_; }

    void set_key(std::optional<std::string> k) { key_ = std::move(k); }
    int calls = 0;

private:
    std::string name_;
    std::optional<std::string> key_;
    std::string failure_;
};

} // namespace

TEST(chain_provider, first_provider_with_credentials_wins) {
    auto a = std::make_shared<fixed_provider>("a", std::nullopt);
    auto b = std::make_shared<fixed_provider>("b", "AKIDB");
    auto c = std::make_shared<fixed_provider>("c", "AKIDC");
    auth::chain_provider chain({a, b, c});
    EXPECT_EQ(chain.current_provider(), "");
    auto r = run(chain.fetch());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDB");
    EXPECT_EQ(a->calls, 1);
    EXPECT_EQ(b->calls, 1);
    EXPECT_EQ(c->calls, 0);
    EXPECT_EQ(chain.current_provider(), "b");
}

TEST(chain_provider, remembers_the_winner) {
    auto a = std::make_shared<fixed_provider>("a", std::nullopt);
    auto b = std::make_shared<fixed_provider>("b", "AKIDB");
    auth::chain_provider chain({a, b});
    ASSERT_TRUE(run(chain.fetch()));
    // Even once an earlier provider could answer, the chain keeps its identity.
    a->set_key("AKIDA");
    auto r = run(chain.fetch());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "AKIDB");
    EXPECT_EQ(a->calls, 1);
    EXPECT_EQ(b->calls, 2);

    // A later failure of the winner is its own error, not a silent switch.
    b->set_key(std::nullopt);
    auto failed = run(chain.fetch());
    ASSERT_FALSE(failed);
    EXPECT_EQ(a->calls, 1);
}

TEST(chain_provider, nothing_found_lists_every_provider) {
    auto a = std::make_shared<fixed_provider>("environment", std::nullopt, "AWS_ACCESS_KEY_ID is not set");
    auto b = std::make_shared<fixed_provider>("profile", std::nullopt, "no shared credentials file");
    auto c = std::make_shared<fixed_provider>("imds", std::nullopt, "disabled");
    auth::chain_provider chain({a, b, c});
    auto r = run(chain.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, swf::error_kind::auth);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
    const auto& m = r.error().message;
    EXPECT_NE(m.find("environment: AWS_ACCESS_KEY_ID is not set"), std::string::npos) << m;
    EXPECT_NE(m.find("profile: no shared credentials file"), std::string::npos) << m;
    EXPECT_NE(m.find("imds: disabled"), std::string::npos) << m;
    EXPECT_LT(m.find("environment:"), m.find("profile:"));
    EXPECT_LT(m.find("profile:"), m.find("imds:"));
    EXPECT_EQ(chain.current_provider(), "");

    // Nothing remembered: the next fetch tries all of them again.
    b->set_key("AKIDB");
    auto r2 = run(chain.fetch());
    ASSERT_TRUE(r2);
    EXPECT_EQ(a->calls, 2);
}

TEST(chain_provider, empty_chain_is_an_error) {
    auth::chain_provider chain({});
    auto r = run(chain.fetch());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_not_found);
}
