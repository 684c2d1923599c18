// task<T> and future<T> on their own, driven by hand without a history:
// laziness, exceptions, symmetric transfer, resumption through the ready
// queue in resolution order, and the when_all / when_any combinators.
#include "workflow/future.hpp"
#include "workflow/task.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "workflow/context.hpp"

namespace wf = swfrt::workflow;
namespace detail = swfrt::workflow::detail;

namespace {

// Runs t to its first suspension; the driver is destroyed with the fixture.
class driven : public ::testing::Test {
protected:
    ~driven() override {
        for (auto h : drivers_)
            h.destroy();
    }

    template <class T> std::shared_ptr<detail::state<T>> start(wf::task<T> t) {
        auto out = std::make_shared<detail::state<T>>(&sched_);
        auto d = detail::drive(std::move(t), out);
        drivers_.push_back(d.handle);
        d.handle.resume();
        return out;
    }

    template <class T> wf::future<T> pending() {
        return wf::future<T>(std::make_shared<detail::state<T>>(&sched_));
    }

    detail::scheduler sched_;
    std::vector<std::coroutine_handle<>> drivers_;
};

int steps = 0;

wf::task<int> forty_two() {
    ++steps;
    co_return 42;
}

wf::task<int> add_one(wf::task<int> inner) {
    co_return co_await std::move(inner) + 1;
}

wf::task<void> thrower() {
    throw std::runtime_error("inner failure");
    co_return;
}

wf::task<std::string> catches() {
    try {
        co_await thrower();
    } catch (const std::runtime_error& e) {
        co_return std::string("caught ") + e.what();
    }
    co_return "not caught";
}

using driven_task = driven;

TEST_F(driven_task, is_lazy_and_runs_when_awaited) {
    steps = 0;
    auto t = forty_two();
    EXPECT_EQ(steps, 0);
    auto out = start(add_one(std::move(t)));
    EXPECT_EQ(steps, 1);
    ASSERT_TRUE(out->ready());
    EXPECT_EQ(out->value(), 43);
}

TEST_F(driven_task, exceptions_propagate_to_the_awaiter) {
    auto out = start(catches());
    ASSERT_TRUE(out->ready());
    EXPECT_EQ(out->value(), "caught inner failure");

    auto failed = start(thrower());
    ASSERT_TRUE(failed->ready());
    EXPECT_THROW(failed->value(), std::runtime_error);
}

wf::task<long> sum_of_many(int n) {
    long total = 0;
    for (int i = 0; i < n; ++i)
        total += co_await forty_two();
    co_return total;
}

TEST_F(driven_task, awaiting_millions_of_finished_tasks_uses_no_stack) {
    // Without symmetric transfer each completion would nest one more frame.
    auto out = start(sum_of_many(3'000'000));
    ASSERT_TRUE(out->ready());
    EXPECT_EQ(out->value(), 42L * 3'000'000);
}

wf::task<std::string> waits_for(wf::future<std::string> f, std::vector<std::string>* log, std::string name) {
    auto v = co_await f;
    log->push_back(name + ":" + v);
    co_return v;
}

using driven_future = driven;

TEST_F(driven_future, resolution_queues_awaiters_until_the_code_runs) {
    std::vector<std::string> log;
    auto a = pending<std::string>();
    auto b = pending<std::string>();
    auto wa = start(waits_for(a, &log, "first"));
    auto wb = start(waits_for(b, &log, "second"));
    b.shared_state()->set_value("B");
    a.shared_state()->set_value("A");
    EXPECT_TRUE(log.empty()); // resolving never runs code inline
    sched_.run();
    EXPECT_EQ(log, (std::vector<std::string>{"second:B", "first:A"})); // in resolution order
    EXPECT_EQ(wa->value(), "A");
}

TEST_F(driven_future, a_stopped_scheduler_runs_nothing_more) {
    std::vector<std::string> log;
    auto a = pending<std::string>();
    auto wa = start(waits_for(a, &log, "first"));
    a.shared_state()->set_value("A");
    sched_.stop();
    sched_.run();
    EXPECT_TRUE(log.empty());
    EXPECT_FALSE(wa->ready());
}

TEST_F(driven_future, when_all_collects_values_in_argument_order) {
    auto a = pending<std::string>();
    auto t = pending<void>();
    auto all = wf::when_all(a, t);
    EXPECT_FALSE(all.ready());
    t.shared_state()->set_value();
    EXPECT_FALSE(all.ready());
    a.shared_state()->set_value("A");
    ASSERT_TRUE(all.ready());
    auto [va, vt] = all.shared_state()->value();
    EXPECT_EQ(va, "A");
    EXPECT_TRUE((std::is_same_v<decltype(vt), std::monostate>));

    std::vector<wf::future<std::string>> many{pending<std::string>(), pending<std::string>(),
                                              pending<std::string>()};
    auto every = wf::when_all(many);
    many[2].shared_state()->set_value("z");
    many[0].shared_state()->set_value("x");
    many[1].shared_state()->set_value("y");
    ASSERT_TRUE(every.ready());
    EXPECT_EQ(every.shared_state()->value(), (std::vector<std::string>{"x", "y", "z"}));
}

TEST_F(driven_future, when_all_fails_with_the_first_failure) {
    std::vector<wf::future<std::string>> many{pending<std::string>(), pending<std::string>(),
                                              pending<std::string>()};
    auto every = wf::when_all(many);
    many[2].shared_state()->set_exception(std::make_exception_ptr(std::runtime_error("third")));
    ASSERT_TRUE(every.ready());
    many[1].shared_state()->set_exception(std::make_exception_ptr(std::runtime_error("second")));
    try {
        (void)every.shared_state()->value();
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "third");
    }
    // Inputs that failed before the call count in argument order.
    auto again = wf::when_all(many);
    ASSERT_TRUE(again.ready());
    try {
        (void)again.shared_state()->value();
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "second");
    }
}

TEST_F(driven_future, when_any_takes_the_first_to_resolve) {
    auto a = pending<std::string>();
    auto t = pending<void>();
    auto any = wf::when_any(a, t);
    EXPECT_FALSE(any.ready());
    t.shared_state()->set_exception(std::make_exception_ptr(std::runtime_error("timer failed")));
    ASSERT_TRUE(any.ready());
    EXPECT_EQ(any.shared_state()->value(), 1u); // a failure wins too; when_any itself never fails
    a.shared_state()->set_value("A");
    EXPECT_EQ(any.shared_state()->value(), 1u);

    // Among inputs resolved before the call, the first in argument order.
    auto both = wf::when_any(a, t);
    ASSERT_TRUE(both.ready());
    EXPECT_EQ(both.shared_state()->value(), 0u);

    EXPECT_THROW(wf::when_any(std::vector<wf::future<int>>{}), std::invalid_argument);
    EXPECT_THROW(wf::when_all(wf::future<int>{}), std::invalid_argument);
    auto none = wf::when_all(std::vector<wf::future<int>>{});
    EXPECT_TRUE(none.ready());
}

TEST_F(driven_future, a_dropped_combination_leaves_its_inputs_alone) {
    auto a = pending<std::string>();
    {
        auto any = wf::when_any(a, pending<std::string>());
        EXPECT_FALSE(any.ready());
    }
    a.shared_state()->set_value("A"); // the combination is gone: its callback does nothing
    EXPECT_EQ(a.shared_state()->value(), "A");
}

TEST_F(driven_future, awaiting_an_empty_future_or_task_is_a_logic_error) {
    auto empty_future = []() -> wf::task<int> { co_return co_await wf::future<int>{}; };
    auto out = start(empty_future());
    ASSERT_TRUE(out->ready());
    EXPECT_THROW(out->value(), std::logic_error);
}

} // namespace
