// cached_provider with a manual clock and a provider the test holds back:
// refresh ahead of expiry, a single refresh in flight, failures.
#include "swf/auth/cached_provider.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/run_awaitable.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <exception>
#include <optional>

namespace auth = swfrt::swf::auth;
namespace swf = swfrt::swf;
using namespace std::chrono_literals;

namespace {

using swfrt::testing::store;

// Answers from a script; while held, every fetch waits until release().
class held_provider final : public auth::credentials_provider {
public:
    explicit held_provider(boost::asio::io_context& io)
        : gate_(io, boost::asio::steady_timer::time_point::max()) {}

    boost::asio::awaitable<swf::result<auth::credentials>> fetch() override {
        ++calls;
        while (held_)
            co_await gate_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (script.empty()) throw std::logic_error("no scripted answer left");
        auto r = script.front();
        script.pop_front();
        co_return r;
    }
    std::string_view name() const override { return "held"; }

    void hold() { held_ = true; }
    void release() {
        held_ = false;
        gate_.cancel();
    }

    std::deque<swf::result<auth::credentials>> script;
    int calls = 0;

private:
    boost::asio::steady_timer gate_;
    bool held_ = false;
};

auth::credentials creds(std::string key, std::optional<std::chrono::system_clock::time_point> exp) {
    auth::credentials c;
    c.access_key_id = std::move(key);
    c.secret_access_key = "secret";
    c.expiration = exp;
    c.provider = "held";
    return c;
}

swf::error failure() {
    return swf::make_error(swf::error_kind::auth, std::string(auth::credentials_unavailable),
                           "source is down");
}

class cached : public ::testing::Test {
protected:
    cached() : inner_(std::make_shared<held_provider>(io_)), cache_(inner_, clock_, options()) {}

    static auth::cache_options options() {
        auth::cache_options o;
        o.refresh_ahead = 5min;
        o.expiry_margin = 1min;
        o.retry_interval = 10s;
        return o;
    }

    // Runs one fetch to completion (it may leave a background refresh pending).
    swf::result<auth::credentials> fetch_now() {
        std::optional<swf::result<auth::credentials>> out;
        boost::asio::co_spawn(io_, store(cache_.fetch(), out), [&](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        io_.restart();
        for (int i = 0; i < 1000 && !out; ++i)
            io_.poll();
        if (!out) throw std::runtime_error("fetch did not complete");
        return std::move(*out);
    }

    // Starts a fetch and lets it run as far as it can without waiting.
    std::shared_ptr<std::optional<swf::result<auth::credentials>>> start_fetch() {
        auto out = std::make_shared<std::optional<swf::result<auth::credentials>>>();
        boost::asio::co_spawn(io_, store(cache_.fetch(), *out), [out](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        return out;
    }

    void settle() {
        io_.restart();
        io_.poll();
    }

    std::chrono::system_clock::time_point now() const { return clock_.now(); }

    boost::asio::io_context io_;
    swf::manual_clock clock_;
    std::shared_ptr<held_provider> inner_;
    auth::cached_provider cache_;
};

} // namespace

TEST_F(cached, no_refresh_while_fresh) {
    inner_->script.push_back(creds("A", now() + 1h));
    auto r = fetch_now();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "A");
    for (int i = 0; i < 5; ++i) {
        clock_.advance(10min);
        auto again = fetch_now();
        ASSERT_TRUE(again) << again.error().to_string();
        EXPECT_EQ(again->access_key_id, "A");
    }
    // 50 minutes in, still outside the 5-minute window.
    EXPECT_EQ(inner_->calls, 1);
    EXPECT_EQ(cache_.refresh_count(), 1u);
    EXPECT_FALSE(cache_.refresh_in_flight());
}

TEST_F(cached, credentials_without_expiration_are_kept) {
    inner_->script.push_back(creds("STATIC", std::nullopt));
    ASSERT_TRUE(fetch_now());
    clock_.advance(24h * 3650);
    auto r = fetch_now();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "STATIC");
    EXPECT_EQ(inner_->calls, 1);
}

TEST_F(cached, refreshes_ahead_of_expiry_in_the_background) {
    const auto expiry = now() + 1h;
    inner_->script.push_back(creds("A", expiry));
    ASSERT_TRUE(fetch_now());

    clock_.set(expiry - 4min);
    inner_->hold();
    inner_->script.push_back(creds("B", expiry + 1h));
    auto r = fetch_now();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "A"); // served at once, refresh still running
    EXPECT_EQ(inner_->calls, 2);
    EXPECT_TRUE(cache_.refresh_in_flight());

    for (int i = 0; i < 10; ++i) {
        auto during = fetch_now();
        ASSERT_TRUE(during);
        EXPECT_EQ(during->access_key_id, "A");
    }
    EXPECT_EQ(inner_->calls, 2);
    EXPECT_EQ(cache_.refresh_count(), 2u);

    inner_->release();
    settle();
    EXPECT_FALSE(cache_.refresh_in_flight());
    auto after = fetch_now();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->access_key_id, "B");
    EXPECT_EQ(inner_->calls, 2);
}

TEST_F(cached, many_concurrent_callers_share_one_refresh) {
    inner_->hold();
    inner_->script.push_back(creds("FIRST", now() + 1h));
    std::vector<std::shared_ptr<std::optional<swf::result<auth::credentials>>>> outs;
    for (int i = 0; i < 50; ++i)
        outs.push_back(start_fetch());
    settle();
    for (auto& o : outs)
        EXPECT_FALSE(o->has_value());
    EXPECT_EQ(inner_->calls, 1);
    EXPECT_TRUE(cache_.refresh_in_flight());

    inner_->release();
    settle();
    for (auto& o : outs) {
        ASSERT_TRUE(o->has_value());
        ASSERT_TRUE(**o);
        EXPECT_EQ((**o)->access_key_id, "FIRST");
    }
    EXPECT_EQ(inner_->calls, 1);
    EXPECT_EQ(cache_.refresh_count(), 1u);
}

TEST_F(cached, failed_refresh_keeps_valid_credentials) {
    const auto expiry = now() + 1h;
    inner_->script.push_back(creds("A", expiry));
    ASSERT_TRUE(fetch_now());

    clock_.set(expiry - 4min);
    inner_->script.push_back(failure());
    auto r = fetch_now();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "A");
    settle();
    EXPECT_EQ(cache_.refresh_failures(), 1u);
    ASSERT_TRUE(cache_.last_error());
    EXPECT_EQ(cache_.last_error()->message, "source is down");

    // Still valid: served, and the source is not asked again before retry_interval.
    auto again = fetch_now();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->access_key_id, "A");
    settle();
    EXPECT_EQ(inner_->calls, 2);

    clock_.advance(11s);
    inner_->script.push_back(creds("B", expiry + 1h));
    auto retried = fetch_now();
    ASSERT_TRUE(retried);
    EXPECT_EQ(retried->access_key_id, "A");
    settle();
    EXPECT_EQ(inner_->calls, 3);
    EXPECT_FALSE(cache_.last_error());
    auto fresh = fetch_now();
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->access_key_id, "B");
}

TEST_F(cached, expired_credentials_make_callers_wait_for_the_refresh) {
    const auto expiry = now() + 1h;
    inner_->script.push_back(creds("A", expiry));
    ASSERT_TRUE(fetch_now());

    // Inside the expiry margin counts as expired.
    clock_.set(expiry - 30s);
    inner_->hold();
    inner_->script.push_back(creds("B", expiry + 1h));
    auto first = start_fetch();
    auto second = start_fetch();
    settle();
    EXPECT_FALSE(first->has_value());
    EXPECT_FALSE(second->has_value());
    EXPECT_EQ(inner_->calls, 2);

    inner_->release();
    settle();
    ASSERT_TRUE(first->has_value() && **first);
    EXPECT_EQ((**first)->access_key_id, "B");
    ASSERT_TRUE(second->has_value() && **second);
    EXPECT_EQ((**second)->access_key_id, "B");
    EXPECT_EQ(inner_->calls, 2);
}

TEST_F(cached, expired_and_refresh_failing_returns_the_error) {
    const auto expiry = now() + 1h;
    inner_->script.push_back(creds("A", expiry));
    ASSERT_TRUE(fetch_now());

    clock_.set(expiry + 1s);
    inner_->script.push_back(failure());
    auto r = fetch_now();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "source is down");
    EXPECT_EQ(cache_.refresh_failures(), 1u);

    // The next caller tries again at once: waiting would not help it.
    inner_->script.push_back(creds("B", expiry + 1h));
    auto r2 = fetch_now();
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->access_key_id, "B");
}

TEST_F(cached, first_load_failure_is_returned) {
    inner_->script.push_back(failure());
    auto r = fetch_now();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::credentials_unavailable);
    EXPECT_EQ(cache_.refresh_count(), 1u);
}

TEST_F(cached, already_expired_answer_is_an_error_for_waiters) {
    inner_->script.push_back(creds("OLD", now() - 1min));
    auto r = fetch_now();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, auth::invalid_credentials);
}

TEST_F(cached, credentials_valid_for_less_than_the_margin_are_accepted) {
    // Refused as "already expired" once; AWS takes them until they expire.
    inner_->script.push_back(creds("BRIEF", now() + 30s));
    auto r = fetch_now();
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->access_key_id, "BRIEF");
    // The source was asked a moment ago: the next use gets them at once.
    clock_.advance(5s);
    auto again = fetch_now();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->access_key_id, "BRIEF");
    EXPECT_EQ(inner_->calls, 1);
    // Later a use that would outlive them asks the source first; when it
    // fails they still serve while valid, and once expired they do not.
    clock_.advance(11s);
    inner_->script.push_back(failure());
    auto kept = fetch_now();
    ASSERT_TRUE(kept) << kept.error().to_string();
    EXPECT_EQ(kept->access_key_id, "BRIEF");
    EXPECT_EQ(inner_->calls, 2);
    clock_.advance(20s);
    inner_->script.push_back(failure());
    EXPECT_FALSE(fetch_now());
}

TEST_F(cached, short_lived_answer_does_not_cause_a_refresh_storm) {
    // Credentials that arrive already inside the refresh window.
    inner_->script.push_back(creds("SHORT", now() + 3min));
    ASSERT_TRUE(fetch_now());
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(fetch_now());
    settle();
    EXPECT_EQ(inner_->calls, 1);
    clock_.advance(11s);
    inner_->script.push_back(creds("LONG", now() + 1h));
    ASSERT_TRUE(fetch_now());
    settle();
    EXPECT_EQ(inner_->calls, 2);
    auto r = fetch_now();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->access_key_id, "LONG");
}

TEST_F(cached, a_throwing_provider_releases_the_waiters) {
    // Empty script: the held provider throws.
    auto r = fetch_now();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("threw"), std::string::npos);
    EXPECT_FALSE(cache_.refresh_in_flight());
}
