// Task slots, and the poll loops of activity and decision workers driven
// through a client whose transport answers from a script (by X-Amz-Target)
// and records every request. The io_context runs on two threads and
// blocking handlers on a thread pool, as in the runtime. Heartbeat and
// back-off timing is tested on virtual time (the worker's clock and sleep
// seams), which a test moves itself; elsewhere intervals are short and the
// test thread waits for states, bounded.
#include "runtime/core/worker.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gmock/gmock.h>
#include <future>

#include <gtest/gtest.h>

#include "swf/auth/provider.hpp"
#include "swf/client/client.hpp"
#include "swf/client/roles.hpp"
#include "swf/codec/codec.hpp"
#include "tests/support/run_awaitable.hpp"

namespace swfrt::runtime {
namespace {

namespace asio = boost::asio;
namespace model = swf::model;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr std::string_view target_prefix = "SimpleWorkflowService.";

// ---- slots ----

// Runs whatever is ready on io without blocking.
void settle(asio::io_context& io) {
    io.restart();
    io.poll();
}

TEST(slots_test, leases_up_to_capacity_at_once_then_waits_for_a_lease_to_end) {
    asio::io_context io;
    slots s(io.get_executor(), 3);
    EXPECT_EQ(s.capacity(), 3u);
    EXPECT_EQ(s.in_use(), 0u);

    std::vector<slot_lease> held;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 3; ++i)
                if (auto l = co_await s.acquire()) held.push_back(std::move(*l));
        },
        asio::detached);
    settle(io);
    EXPECT_EQ(held.size(), 3u);
    EXPECT_EQ(s.in_use(), 3u);

    std::optional<std::optional<slot_lease>> fourth;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { fourth = co_await s.acquire(); }, asio::detached);
    settle(io);
    EXPECT_FALSE(fourth.has_value()) << "a fourth slot was handed out while three were taken";
    EXPECT_EQ(s.in_use(), 3u);

    held.pop_back(); // a lease destroyed frees its slot
    EXPECT_EQ(s.in_use(), 2u);
    settle(io);
    ASSERT_TRUE(fourth.has_value()) << "the waiter was not woken when a lease ended";
    ASSERT_TRUE(fourth->has_value());
    EXPECT_EQ(s.in_use(), 3u);

    // Moving a lease moves the slot: it is freed once, by its last holder.
    slot_lease moved = std::move(**fourth);
    fourth.reset();
    EXPECT_EQ(s.in_use(), 3u);
    moved.reset();
    moved.reset();
    EXPECT_EQ(s.in_use(), 2u);
    held.clear();
    EXPECT_EQ(s.in_use(), 0u);
    // All three are free again: three acquires complete without waiting.
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 3; ++i)
                if (auto l = co_await s.acquire()) held.push_back(std::move(*l));
        },
        asio::detached);
    settle(io);
    EXPECT_EQ(held.size(), 3u);
}

TEST(slots_test, a_lease_is_freed_by_an_exception_that_unwinds_its_holder) {
    asio::io_context io;
    slots s(io.get_executor(), 1);
    bool thrown = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto l = co_await s.acquire();
            if (l) throw std::runtime_error("handler failed");
        },
        [&](std::exception_ptr e) { thrown = e != nullptr; });
    settle(io);
    EXPECT_TRUE(thrown);
    EXPECT_EQ(s.in_use(), 0u) << "the exception kept the slot";
}

TEST(slots_test, close_wakes_a_waiter_with_nothing_and_later_acquires_fail) {
    asio::io_context io;
    slots s(io.get_executor(), 1);
    auto first = swfrt::testing::run_on(io, s.acquire());
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(s.in_use(), 1u);

    std::optional<bool> waiter;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { waiter = (co_await s.acquire()).has_value(); }, asio::detached);
    settle(io);
    EXPECT_FALSE(waiter.has_value());

    s.close();
    settle(io);
    ASSERT_TRUE(waiter.has_value()) << "close() did not wake the waiter";
    EXPECT_FALSE(*waiter);
    EXPECT_EQ(s.in_use(), 1u) << "a failed acquire must not count as a slot in use";

    EXPECT_FALSE(swfrt::testing::run_on(io, s.acquire(), 1s).has_value());
    EXPECT_EQ(s.in_use(), 1u);
    first.reset(); // a lease out at close still frees its slot
    EXPECT_EQ(s.in_use(), 0u);
}

// ---- a scripted SWF ----

// Answers each request from the queue of its operation, or else from the
// operation's default, and records it. Empty polls wait a little (on an Asio
// timer) as a long poll would, so that pollers do not spin.
class fake_swf {
public:
    struct answer {
        int status = 200;
        std::string body = "{}";
        milliseconds delay{0};
        bool throws = false; // the transport throws instead of answering
    };
    struct request {
        std::string op;
        std::string body;
        clock_type::time_point at;
    };

    fake_swf() {
        defaults_["PollForActivityTask"] = {200, "{}", 50ms};
        defaults_["PollForDecisionTask"] = {200, "{}", 50ms};
        defaults_["RecordActivityTaskHeartbeat"] = {200, R"({"cancelRequested":false})", 0ms};
    }

    void script(std::string_view op, answer a) {
        std::lock_guard lock(mutex_);
        script_[std::string(op)].push_back(std::move(a));
    }
    void set_default(std::string_view op, answer a) {
        std::lock_guard lock(mutex_);
        defaults_[std::string(op)] = std::move(a);
    }
    static answer fault(std::string_view type, int status, std::string_view message = "scripted fault") {
        return {status,
                R"({"__type":"com.amazonaws.swf.base.model#)" + std::string(type) + R"(","message":")" +
                    std::string(message) + R"("})",
                0ms};
    }

    asio::awaitable<swf::result<swf::http::response>> send(swf::http::request req) {
        std::string op;
        for (const auto& [name, value] : req.headers)
            if (name == "X-Amz-Target" && value.starts_with(target_prefix)) op = value.substr(target_prefix.size());
        answer a;
        {
            std::lock_guard lock(mutex_);
            requests_.push_back({op, req.body, clock_type::now()});
            ++in_flight_;
            auto it = script_.find(op);
            if (it != script_.end() && !it->second.empty()) {
                a = std::move(it->second.front());
                it->second.pop_front();
            } else if (auto d = defaults_.find(op); d != defaults_.end()) {
                a = d->second;
            }
        }
        if (a.delay.count() > 0) {
            asio::steady_timer t(co_await asio::this_coro::executor, a.delay);
            boost::system::error_code ec;
            co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        if (a.throws) {
            std::lock_guard lock(mutex_);
            --in_flight_;
            throw std::runtime_error("scripted exception from the transport");
        }
        swf::http::response r;
        r.status = a.status;
        r.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
        r.body = std::move(a.body);
        {
            std::lock_guard lock(mutex_);
            --in_flight_;
        }
        co_return r;
    }

    std::vector<request> requests(std::string_view op = {}) const {
        std::lock_guard lock(mutex_);
        std::vector<request> out;
        for (const auto& r : requests_)
            if (op.empty() || r.op == op) out.push_back(r);
        return out;
    }
    std::size_t count(std::string_view op) const { return requests(op).size(); }
    std::size_t in_flight() const {
        std::lock_guard lock(mutex_);
        return in_flight_;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::deque<answer>> script_;
    std::map<std::string, answer> defaults_;
    std::vector<request> requests_;
    std::size_t in_flight_ = 0;
};

// A request body decoded strictly (only members the model knows).
template <class T>
T decode_request(const std::string& body) {
    swf::codec::decode_options strict;
    strict.strict = true;
    auto r = swf::codec::decode<T>(body, strict);
    if (!r) {
        ADD_FAILURE() << "request body does not decode: " << r.error().to_string() << "\n" << body;
        return T{};
    }
    return std::move(*r);
}

std::string activity_task_json(std::string_view token, std::string_view name, std::string_view input,
                               std::string_view activity_id = "a1") {
    return R"({"taskToken":")" + std::string(token) + R"(","activityId":")" + std::string(activity_id) +
           R"(","activityType":{"name":")" + std::string(name) + R"(","version":"1"},"input":")" +
           std::string(input) +
           R"(","startedEventId":5,"workflowExecution":{"workflowId":"wf-1","runId":"run-1"}})";
}

std::string decision_task_json(std::string_view token, std::string_view workflow_name) {
    return R"({"taskToken":")" + std::string(token) +
           R"(","startedEventId":3,"previousStartedEventId":0,)"
           R"("workflowExecution":{"workflowId":"order-7","runId":"run-7"},)"
           R"("workflowType":{"name":")" +
           std::string(workflow_name) +
           R"(","version":"1"},"events":[)"
           R"({"eventId":1,"eventTimestamp":1700000001,"eventType":"WorkflowExecutionStarted"},)"
           R"({"eventId":2,"eventTimestamp":1700000002,"eventType":"DecisionTaskScheduled"},)"
           R"({"eventId":3,"eventTimestamp":1700000003,"eventType":"DecisionTaskStarted"}]})";
}

// Waits (on the test thread) until pred holds or limit passes.
template <class Pred>
bool wait_until(Pred pred, milliseconds limit = 3000ms) {
    const auto deadline = clock_type::now() + limit;
    while (!pred()) {
        if (clock_type::now() >= deadline) return pred();
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Holds blocking handlers until the test opens it.
struct gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;

    void release() {
        {
            std::lock_guard lock(m);
            open = true;
        }
        cv.notify_all();
    }
    bool wait(milliseconds limit) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, limit, [&] { return open; });
    }
};

asio::awaitable<void> pause(milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// A coroutine handler's wait for its stop token, bounded.
asio::awaitable<bool> wait_for_stop(const sdk::activity_context& ctx, milliseconds limit) {
    const auto deadline = clock_type::now() + limit;
    while (!ctx.stop_token().stop_requested() && clock_type::now() < deadline) co_await pause(10ms);
    co_return ctx.stop_token().stop_requested();
}

// Time for the worker's clock and sleep seams that moves only when the test
// advances it: a sleep waits until the time passes its deadline (or until its
// caller cuts it short). Sleepers run on strands, so the wake posted to a
// sleeper's executor runs after its wait began.
class virtual_time final : public swf::clock {
public:
    time_point now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(std::chrono::nanoseconds d) {
        std::lock_guard lock(mutex_);
        now_ += std::chrono::duration_cast<time_point::duration>(d);
        for (auto it = sleepers_.begin(); it != sleepers_.end();) {
            if (it->second.deadline > now_) {
                ++it;
                continue;
            }
            auto timer = it->second.timer;
            asio::post(timer->get_executor(), [timer] { timer->cancel(); });
            it = sleepers_.erase(it);
        }
    }
    // The deadlines of the sleeps waiting now, soonest first.
    std::vector<time_point> deadlines() const {
        std::lock_guard lock(mutex_);
        std::vector<time_point> out;
        for (const auto& [id, s] : sleepers_) out.push_back(s.deadline);
        std::sort(out.begin(), out.end());
        return out;
    }
    swf::client::sleep_fn sleep_fn() {
        return [this](milliseconds d) { return sleep(d); };
    }

private:
    struct sleeper {
        time_point deadline;
        std::shared_ptr<asio::steady_timer> timer;
    };
    asio::awaitable<void> sleep(milliseconds d) {
        if (d.count() <= 0) co_return;
        auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                          asio::steady_timer::time_point::max());
        std::uint64_t id = 0;
        {
            std::lock_guard lock(mutex_);
            id = ++next_;
            sleepers_.emplace(id, sleeper{now_ + d, timer});
        }
        // Gone when the sleep ends, however it ends (a cut short sleep throws).
        struct unlist {
            virtual_time* t;
            std::uint64_t id;
            ~unlist() {
                std::lock_guard lock(t->mutex_);
                t->sleepers_.erase(id);
            }
        } gone{this, id};
        boost::system::error_code ec;
        co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }

    mutable std::mutex mutex_;
    time_point now_{std::chrono::seconds{1700000000}};
    std::map<std::uint64_t, sleeper> sleepers_;
    std::uint64_t next_ = 0;
};

sdk::activity_type activity_type_named(std::string name, std::optional<std::string> heartbeat_timeout = {}) {
    sdk::activity_type t;
    t.name = std::move(name);
    t.version = "1";
    t.default_task_heartbeat_timeout = std::move(heartbeat_timeout);
    return t;
}

class worker_test : public ::testing::Test {
protected:
    void SetUp() override {
        log_file_ = std::tmpfile();
        ASSERT_NE(log_file_, nullptr);
        log_ = std::make_unique<logger>(log_level::debug, log_format::text, log_file_);
        env_.registry = &registry_;
        env_.log = log_.get();
        env_.metrics = &metrics_;
        env_.blocking_pool = &blocking_;
        env_.decider_pool = &deciders_;
        // Types without a heartbeat timeout heartbeat this often here, so a
        // cancel answer is seen soon.
        env_.default_heartbeat_interval = 200ms;
        env_.poll_backoff_base = 10ms;
        env_.poll_backoff_max = 500ms;
    }

    void TearDown() override {
        finish();
        if (HasFailure() && log_file_) {
            std::rewind(log_file_);
            std::string text;
            char buf[4096];
            while (std::size_t n = std::fread(buf, 1, sizeof buf, log_file_)) text.append(buf, n);
            std::fprintf(stderr, "---- worker log ----\n%s--------------------\n", text.c_str());
        }
        if (log_file_) std::fclose(log_file_);
    }

    // Waits for the poller's next back-off on virtual time, lets it pass
    // and says how long it was (nothing if none comes). Heartbeat loops
    // sleep on the same seam: tests that use this give them an interval of
    // an hour, which no back-off reaches.
    std::optional<milliseconds> pass_back_off() {
        milliseconds d{};
        const bool seen = wait_until([&] {
            const auto now = time_.now();
            for (auto t : time_.deadlines())
                if (t - now < 1h) {
                    d = std::chrono::duration_cast<milliseconds>(t - now);
                    return true;
                }
            return false;
        });
        if (!seen) return std::nullopt;
        time_.advance(d);
        return d;
    }
    std::vector<milliseconds> pass_back_offs(std::size_t n) {
        std::vector<milliseconds> out;
        for (std::size_t i = 0; i < n; ++i)
            if (auto d = pass_back_off()) out.push_back(*d);
        return out;
    }

    // The worker's clock and sleeps run on virtual time from here on.
    virtual_time& use_virtual_time() {
        env_.clock = &time_;
        env_.sleep = time_.sleep_fn();
        return time_;
    }

    worker_settings settings(worker_kind kind, std::set<plugin::type_key> types) {
        worker_settings s;
        s.kind = kind;
        s.domain = "test-domain";
        s.task_list = "tl";
        s.identity = "worker-test";
        s.pollers = 1;
        s.max_concurrent = 4;
        s.types = std::move(types);
        return s;
    }

    worker& start(worker_settings s) {
        swf::client::client_options o;
        o.region = "us-east-1";
        o.endpoint_url = "https://swf.us-east-1.amazonaws.com";
        o.transport = [f = swf_](swf::http::request req, std::optional<milliseconds>) {
            return f->send(std::move(req));
        };
        // Every failure reaches the worker as it is: no client-side retries,
        // except for answers, which retry until the task's timeout (quickly here).
        o.retry.max_attempts = 1;
        o.retry.base_delay = 1ms;
        swf::auth::credentials creds;
        creds.access_key_id = "AKIDEXAMPLE";
        creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        auto c = swf::client::client::create(io_.get_executor(), std::make_shared<swf::auth::static_provider>(creds),
                                             std::move(o));
        if (!c) throw std::runtime_error(c.error().to_string());
        client_ = *c;
        env_.client = client_;
        worker_ = std::make_unique<worker>(env_, std::move(s), io_.get_executor());
        worker_->start();
        for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
        return *worker_;
    }

    // Stops polling, lets running tasks end and stops the threads before the
    // worker and what it uses go away.
    void finish() {
        if (finished_) return;
        finished_ = true;
        if (worker_) {
            worker_->stop_polling();
            worker_->cancel_running();
            EXPECT_TRUE(wait_until([&] { return worker_->pollers_running() == 0 && worker_->tasks_running() == 0; },
                                   2500ms))
                << "the worker did not wind down: pollers " << worker_->pollers_running() << ", tasks "
                << worker_->tasks_running();
            wait_until([&] { return swf_->in_flight() == 0; }, 1000ms);
            // Heartbeat loops end on their strand right after their task.
            EXPECT_TRUE(wait_until([&] { return worker_->heartbeat_loops() == 0; }, 1000ms))
                << "heartbeat loops still running: " << worker_->heartbeat_loops();
        }
        work_.reset();
        io_.stop();
        for (auto& t : threads_) t.join();
        blocking_.join();
        deciders_.join();
        worker_.reset();
        client_.reset();
    }

    bool io_thread(std::thread::id id) const {
        return std::any_of(threads_.begin(), threads_.end(), [&](const std::thread& t) { return t.get_id() == id; });
    }

    // Every request of operation op, decoded.
    template <class T>
    std::vector<T> answers(std::string_view op) const {
        std::vector<T> out;
        for (const auto& r : swf_->requests(op)) out.push_back(decode_request<T>(r.body));
        return out;
    }

    std::size_t responds() const {
        return swf_->count("RespondActivityTaskCompleted") + swf_->count("RespondActivityTaskFailed") +
               swf_->count("RespondActivityTaskCanceled");
    }

    // True once the worker has received n tasks and none is running.
    bool tasks_done(std::uint64_t n) const {
        return worker_->tasks_received() >= n && worker_->tasks_running() == 0;
    }

    virtual_time time_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
    asio::thread_pool blocking_{4};
    asio::thread_pool deciders_{1};
    std::vector<std::thread> threads_;
    std::shared_ptr<fake_swf> swf_ = std::make_shared<fake_swf>();
    plugin::registry registry_;
    runtime::metrics metrics_;
    std::FILE* log_file_ = nullptr;
    std::unique_ptr<logger> log_;
    worker_env env_;
    std::shared_ptr<swf::client::client> client_;
    std::unique_ptr<worker> worker_;
    bool finished_ = false;
};

// ---- activities ----

TEST_F(worker_test, coroutine_handler_result_is_sent_with_respond_completed) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    registry_.add_activity({.type = activity_type_named("echo"),
                            .coroutine = [calls](sdk::activity_context& ctx,
                                                 std::string input) -> asio::awaitable<std::string> {
                                ++*calls;
                                co_await pause(5ms);
                                co_return "echo:" + input + ":" + ctx.task().activity_id;
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-1", "echo", "hi", "act-9")});
    auto& w = start(settings(worker_kind::activity, {{"echo", "1"}}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 1; }));
    auto done = answers<model::respond_activity_task_completed_input>("RespondActivityTaskCompleted");
    EXPECT_EQ(done[0].task_token, "tok-1");
    EXPECT_EQ(done[0].result_, "echo:hi:act-9");
    EXPECT_EQ(calls->load(), 1);
    EXPECT_EQ(swf_->count("RespondActivityTaskFailed"), 0u);
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(w.tasks_received(), 1u);
    EXPECT_EQ(metrics_.value("swfrt_tasks_completed_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "echo:1"}}), 1);
    EXPECT_EQ(metrics_.count("swfrt_handler_seconds", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "echo:1"}}), 1u);
    // The poll carried the worker's domain, task list and identity.
    auto polls = answers<model::poll_for_activity_task_input>("PollForActivityTask");
    ASSERT_FALSE(polls.empty());
    EXPECT_EQ(polls[0].domain, "test-domain");
    EXPECT_EQ(polls[0].task_list.name, "tl");
    EXPECT_EQ(polls[0].identity, "worker-test");
}

TEST_F(worker_test, blocking_handler_runs_on_the_pool_and_its_result_is_sent) {
    auto ran_on = std::make_shared<std::thread::id>();
    auto mutex = std::make_shared<std::mutex>();
    registry_.add_activity({.type = activity_type_named("shout"),
                            .blocking = [ran_on, mutex](sdk::activity_context& ctx, const std::string& input) {
                                {
                                    std::lock_guard lock(*mutex);
                                    *ran_on = std::this_thread::get_id();
                                }
                                std::string out = input;
                                for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                                return out + "!" + ctx.task().task_token;
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-b", "shout", "quiet")});
    start(settings(worker_kind::activity, {{"shout", "1"}}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 1; }));
    auto done = answers<model::respond_activity_task_completed_input>("RespondActivityTaskCompleted");
    EXPECT_EQ(done[0].task_token, "tok-b");
    EXPECT_EQ(done[0].result_, "QUIET!tok-b");
    std::lock_guard lock(*mutex);
    EXPECT_NE(*ran_on, std::thread::id{});
    EXPECT_FALSE(io_thread(*ran_on)) << "a blocking handler ran on an io_context thread";
    EXPECT_NE(*ran_on, std::this_thread::get_id());
}

TEST_F(worker_test, handler_exception_fails_the_task_with_its_type_and_message) {
    registry_.add_activity({.type = activity_type_named("crash"),
                            .coroutine = [](sdk::activity_context&, std::string) -> asio::awaitable<std::string> {
                                co_await pause(1ms);
                                throw std::runtime_error("disk full on /var/data");
                            }});
    registry_.add_activity({.type = activity_type_named("crash_blocking"),
                            .blocking = [](sdk::activity_context&, const std::string& input) -> std::string {
                                throw std::invalid_argument("bad input: " + input);
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-c", "crash", "x")});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-d", "crash_blocking", "y")});
    start(settings(worker_kind::activity, {{"crash", "1"}, {"crash_blocking", "1"}}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskFailed") == 2; }));
    std::map<std::string, model::respond_activity_task_failed_input> by_token;
    for (auto& f : answers<model::respond_activity_task_failed_input>("RespondActivityTaskFailed"))
        by_token[f.task_token] = f;
    ASSERT_EQ(by_token.count("tok-c"), 1u);
    ASSERT_EQ(by_token.count("tok-d"), 1u);
    EXPECT_EQ(by_token["tok-c"].reason, "std::runtime_error");
    EXPECT_EQ(by_token["tok-c"].details, "disk full on /var/data");
    EXPECT_EQ(by_token["tok-d"].reason, "std::invalid_argument");
    EXPECT_EQ(by_token["tok-d"].details, "bad input: y");
    EXPECT_EQ(swf_->count("RespondActivityTaskCompleted"), 0u);
    // The counters move once the answer has been acknowledged, after the fake saw it.
    ASSERT_TRUE(wait_until([&] { return tasks_done(2); }));
    EXPECT_EQ(metrics_.value("swfrt_tasks_failed_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "crash:1"}}), 1);
    EXPECT_EQ(metrics_.value("swfrt_tasks_failed_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "crash_blocking:1"}}), 1);
}

TEST_F(worker_test, activity_failure_sets_reason_and_details_and_long_reasons_are_cut) {
    const std::string long_reason(1000, 'r');
    registry_.add_activity({.type = activity_type_named("refuse"),
                            .coroutine = [](sdk::activity_context&, std::string input) -> asio::awaitable<std::string> {
                                co_await pause(1ms);
                                throw sdk::activity_failure("OutOfStock", "item " + input + " is gone");
                            }});
    registry_.add_activity({.type = activity_type_named("verbose"),
                            .blocking = [long_reason](sdk::activity_context&, const std::string&) -> std::string {
                                throw sdk::activity_failure(long_reason, "short details");
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-e", "refuse", "sku-3")});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-f", "verbose", "x")});
    start(settings(worker_kind::activity, {{"refuse", "1"}, {"verbose", "1"}}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskFailed") == 2; }));
    std::map<std::string, model::respond_activity_task_failed_input> by_token;
    for (auto& f : answers<model::respond_activity_task_failed_input>("RespondActivityTaskFailed"))
        by_token[f.task_token] = f;
    EXPECT_EQ(by_token["tok-e"].reason, "OutOfStock");
    EXPECT_EQ(by_token["tok-e"].details, "item sku-3 is gone");

    const std::string marker(swf::client::truncation_marker);
    ASSERT_TRUE(by_token["tok-f"].reason.has_value());
    const std::string& cut = *by_token["tok-f"].reason;
    EXPECT_EQ(cut.size(), 256u);
    EXPECT_EQ(cut, std::string(256 - marker.size(), 'r') + marker);
    EXPECT_EQ(by_token["tok-f"].details, "short details");
}

TEST_F(worker_test, a_type_the_worker_does_not_serve_is_refused_not_dropped) {
    auto called = std::make_shared<std::atomic<bool>>(false);
    registry_.add_activity({.type = activity_type_named("echo"),
                            .blocking = [](sdk::activity_context&, const std::string& in) { return in; }});
    // Registered (another worker serves it) but not among this worker's types.
    registry_.add_activity({.type = activity_type_named("other"),
                            .blocking = [called](sdk::activity_context&, const std::string& in) {
                                called->store(true);
                                return in;
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-u", "other", "x")});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-v", "nowhere", "x")});
    start(settings(worker_kind::activity, {{"echo", "1"}}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskFailed") == 2; }));
    std::map<std::string, model::respond_activity_task_failed_input> by_token;
    for (auto& f : answers<model::respond_activity_task_failed_input>("RespondActivityTaskFailed"))
        by_token[f.task_token] = f;
    EXPECT_EQ(by_token["tok-u"].reason, "UnknownActivityType");
    EXPECT_THAT(by_token["tok-u"].details.value_or(""), HasSubstr("other:1"));
    EXPECT_THAT(by_token["tok-u"].details.value_or(""), HasSubstr("tl"));
    EXPECT_EQ(by_token["tok-v"].reason, "UnknownActivityType");
    EXPECT_THAT(by_token["tok-v"].details.value_or(""), HasSubstr("nowhere:1"));
    EXPECT_FALSE(called->load()) << "the handler of a type this worker does not serve was run";
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 0u);
}

TEST_F(worker_test, slots_bound_running_tasks_and_no_poll_is_sent_while_all_are_taken) {
    auto hold = std::make_shared<gate>();
    auto running = std::make_shared<std::atomic<int>>(0);
    auto peak = std::make_shared<std::atomic<int>>(0);
    registry_.add_activity({.type = activity_type_named("hold"),
                            .blocking = [hold, running, peak](sdk::activity_context&, const std::string& in) {
                                int now = ++*running;
                                int seen = peak->load();
                                while (now > seen && !peak->compare_exchange_weak(seen, now)) {
                                }
                                hold->wait(3000ms);
                                --*running;
                                return "held " + in;
                            }});
    for (int i = 0; i < 3; ++i)
        swf_->script("PollForActivityTask",
                     {200, activity_task_json("tok-h" + std::to_string(i), "hold", std::to_string(i))});
    auto s = settings(worker_kind::activity, {{"hold", "1"}});
    s.max_concurrent = 2;
    s.pollers = 3;
    auto& w = start(std::move(s));

    ASSERT_TRUE(wait_until([&] { return running->load() == 2; }));
    // Both slots are held by tasks: every poller waits for a slot instead of polling.
    ASSERT_TRUE(wait_until([&] { return w.pollers_waiting_for_slot() == 3; }));
    EXPECT_EQ(swf_->count("PollForActivityTask"), 2u);
    EXPECT_EQ(running->load(), 2);
    EXPECT_EQ(w.tasks_running(), 2u);
    EXPECT_EQ(w.polls_in_flight(), 0u);
    EXPECT_EQ(metrics_.value("swfrt_slots_in_use", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}}), 2);
    EXPECT_EQ(metrics_.value("swfrt_slots", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}}), 2);
    EXPECT_EQ(responds(), 0u);

    hold->release();
    // The freed slots let polling resume; the third task comes through.
    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 3; }));
    EXPECT_GT(swf_->count("PollForActivityTask"), 2u);
    EXPECT_LE(peak->load(), 2) << "more tasks ran at once than there are slots";
    EXPECT_EQ(swf_->count("RespondActivityTaskFailed"), 0u);
}

TEST_F(worker_test, explicit_heartbeats_are_throttled_and_the_latest_details_are_sent) {
    auto& time = use_virtual_time();
    const auto t0 = time.now();
    auto hold = std::make_shared<gate>();
    auto asked = std::make_shared<std::atomic<bool>>(false);
    auto sent_details = [f = swf_] {
        std::vector<std::string> out;
        for (const auto& r : f->requests("RecordActivityTaskHeartbeat"))
            out.push_back(decode_request<model::record_activity_task_heartbeat_input>(r.body).details.value_or(""));
        return out;
    };
    registry_.add_activity({.type = activity_type_named("progress", "1"),
                            .blocking = [hold, asked, f = swf_](sdk::activity_context& ctx, const std::string&) {
                                ctx.heartbeat("progress 0");
                                wait_until([&] { return f->count("RecordActivityTaskHeartbeat") == 1; });
                                for (int i = 1; i < 200; ++i) ctx.heartbeat("progress " + std::to_string(i));
                                asked->store(true);
                                hold->wait(5000ms);
                                return std::string("done");
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-p", "progress", "x")});
    start(settings(worker_kind::activity, {{"progress", "1"}}));

    // The heartbeat timeout "1" gives an interval of 0.8 s; explicit
    // heartbeats go out at most every min_gap = clamp(800 ms / 8, 500 ms,
    // 10 s) = 500 ms. The first one goes at once.
    ASSERT_TRUE(wait_until([&] { return swf_->count("RecordActivityTaskHeartbeat") == 1; }));
    EXPECT_EQ(sent_details(), (std::vector<std::string>{"progress 0"}));
    // 199 more asked for at the same instant wait for the gap, coalesced.
    ASSERT_TRUE(wait_until([&] { return asked->load() && time.deadlines() == std::vector{t0 + 500ms}; }))
        << "the heartbeat loop does not wait for the throttle gap";
    time.advance(499ms);
    EXPECT_EQ(time.deadlines(), std::vector{t0 + 500ms});
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 1u) << "an explicit heartbeat went out inside the gap";
    time.advance(1ms);
    // Then the latest details, and nothing is pending: the next one is the
    // automatic heartbeat a full interval later, with the same details.
    ASSERT_TRUE(wait_until([&] {
        return swf_->count("RecordActivityTaskHeartbeat") == 2 && time.deadlines() == std::vector{t0 + 1300ms};
    }));
    EXPECT_EQ(sent_details(), (std::vector<std::string>{"progress 0", "progress 199"}));
    time.advance(800ms);
    ASSERT_TRUE(wait_until([&] {
        return swf_->count("RecordActivityTaskHeartbeat") == 3 && time.deadlines() == std::vector{t0 + 2100ms};
    }));
    EXPECT_EQ(sent_details(), (std::vector<std::string>{"progress 0", "progress 199", "progress 199"}));

    hold->release();
    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 1; }));
    auto done = answers<model::respond_activity_task_completed_input>("RespondActivityTaskCompleted");
    EXPECT_EQ(done[0].result_, "done");
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 3u);
    EXPECT_EQ(metrics_.value("swfrt_heartbeats_total", {{"domain", "test-domain"}, {"task_list", "tl"}, {"type", "progress:1"}}), 3);
}

TEST_F(worker_test, a_quiet_handler_is_heartbeaten_automatically_every_interval) {
    auto& time = use_virtual_time();
    const auto t0 = time.now();
    auto hold = std::make_shared<gate>();
    registry_.add_activity({.type = activity_type_named("quiet", "1"),
                            .blocking = [hold](sdk::activity_context&, const std::string&) {
                                hold->wait(5000ms);
                                return std::string("quiet done");
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-q", "quiet", "x")});
    start(settings(worker_kind::activity, {{"quiet", "1"}}));

    // 0.8 s after the task arrived, then every 0.8 s.
    ASSERT_TRUE(wait_until([&] { return time.deadlines() == std::vector{t0 + 800ms}; }));
    time.advance(799ms);
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 0u);
    time.advance(1ms);
    ASSERT_TRUE(wait_until([&] {
        return swf_->count("RecordActivityTaskHeartbeat") == 1 && time.deadlines() == std::vector{t0 + 1600ms};
    }));
    time.advance(800ms);
    ASSERT_TRUE(wait_until([&] {
        return swf_->count("RecordActivityTaskHeartbeat") == 2 && time.deadlines() == std::vector{t0 + 2400ms};
    }));
    hold->release();
    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 1; }));
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 2u);
    for (const auto& r : swf_->requests("RecordActivityTaskHeartbeat")) {
        auto in = decode_request<model::record_activity_task_heartbeat_input>(r.body);
        EXPECT_EQ(in.task_token, "tok-q");
        EXPECT_FALSE(in.details.has_value()) << "no details were given, none are sent";
    }
}

TEST_F(worker_test, cancel_requested_on_heartbeat_stops_the_handler_and_answers_canceled) {
    auto& time = use_virtual_time();
    const auto t0 = time.now();
    auto saw_stop = std::make_shared<std::atomic<bool>>(false);
    auto saw_cancel = std::make_shared<std::atomic<bool>>(false);
    swf_->set_default("RecordActivityTaskHeartbeat", {200, R"({"cancelRequested":true})"});
    registry_.add_activity({.type = activity_type_named("long"),
                            .blocking = [saw_stop, saw_cancel](sdk::activity_context& ctx, const std::string&) {
                                std::mutex m;
                                std::condition_variable_any cv;
                                std::unique_lock lock(m);
                                auto token = ctx.stop_token();
                                cv.wait_for(lock, token, 5000ms, [] { return false; });
                                saw_stop->store(token.stop_requested());
                                saw_cancel->store(ctx.cancel_requested());
                                return std::string("partial");
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-x", "long", "x")});
    start(settings(worker_kind::activity, {{"long", "1"}}));

    // A type without a heartbeat timeout heartbeats every 200 ms here.
    ASSERT_TRUE(wait_until([&] { return time.deadlines() == std::vector{t0 + 200ms}; }));
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 0u);
    time.advance(200ms);
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_TRUE(saw_stop->load()) << "the stop token was not triggered by cancelRequested";
    EXPECT_TRUE(saw_cancel->load());
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 1u);
    ASSERT_EQ(swf_->count("RespondActivityTaskCanceled"), 1u);
    auto canceled = answers<model::respond_activity_task_canceled_input>("RespondActivityTaskCanceled");
    EXPECT_EQ(canceled[0].task_token, "tok-x");
    EXPECT_EQ(canceled[0].details, "partial");
    EXPECT_EQ(swf_->count("RespondActivityTaskCompleted"), 0u);
    EXPECT_EQ(swf_->count("RespondActivityTaskFailed"), 0u);
    EXPECT_EQ(metrics_.value("swfrt_tasks_canceled_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "long:1"}}), 1);
}

TEST_F(worker_test, unknown_token_on_heartbeat_stops_the_handler_and_leaves_the_task_unanswered) {
    auto& time = use_virtual_time();
    const auto t0 = time.now();
    auto saw_stop = std::make_shared<std::atomic<bool>>(false);
    auto saw_cancel = std::make_shared<std::atomic<bool>>(true);
    swf_->set_default("RecordActivityTaskHeartbeat",
                      fake_swf::fault("UnknownResourceFault", 400, "Unknown activity task token"));
    registry_.add_activity({.type = activity_type_named("orphan"),
                            .coroutine = [saw_stop, saw_cancel](sdk::activity_context& ctx,
                                                                std::string) -> asio::awaitable<std::string> {
                                saw_stop->store(co_await wait_for_stop(ctx, 5000ms));
                                saw_cancel->store(ctx.cancel_requested());
                                co_return "too late";
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-o", "orphan", "x")});
    start(settings(worker_kind::activity, {{"orphan", "1"}}));

    ASSERT_TRUE(wait_until([&] { return time.deadlines() == std::vector{t0 + 200ms}; }));
    time.advance(200ms);
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_TRUE(saw_stop->load());
    EXPECT_FALSE(saw_cancel->load()) << "a lost task is not a cancel request";
    EXPECT_EQ(responds(), 0u) << "a task SWF no longer knows must not be answered";
    // The loop ended: no heartbeat waits, however far time moves.
    ASSERT_TRUE(wait_until([&] { return worker_->heartbeat_loops() == 0; }));
    EXPECT_TRUE(time.deadlines().empty());
    time.advance(10s);
    EXPECT_EQ(swf_->count("RecordActivityTaskHeartbeat"), 1u) << "heartbeating stops once the token is unknown";
    EXPECT_EQ(metrics_.value("swfrt_tasks_unanswered_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"reason", "task_unknown"}}), 1);
    EXPECT_EQ(metrics_.value("swfrt_heartbeats_failed_total", {{"domain", "test-domain"}, {"task_list", "tl"}, {"type", "orphan:1"}}), 1);
}

TEST_F(worker_test, poll_failures_back_off_and_do_not_end_the_poll_loop) {
    registry_.add_activity({.type = activity_type_named("echo"),
                            .blocking = [](sdk::activity_context&, const std::string& in) { return "got " + in; }});
    swf_->script("PollForActivityTask", fake_swf::fault("ThrottlingException", 400, "Rate exceeded"));
    swf_->script("PollForActivityTask", fake_swf::fault("InternalFailure", 500));
    swf_->script("PollForActivityTask", {500, "not json at all"});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-r", "echo", "through")});
    // Back-offs wait on virtual time, which the test moves.
    auto& time = use_virtual_time();
    env_.default_heartbeat_interval = 1h;
    auto& w = start(settings(worker_kind::activity, {{"echo", "1"}}));
    // Backoff from a 10 ms base: a throttle first waits 5 x base, then it
    // doubles; the task resets it, so the poller goes on without waiting.
    EXPECT_EQ(pass_back_offs(3), (std::vector<milliseconds>{50ms, 100ms, 200ms}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 1; }));
    auto done = answers<model::respond_activity_task_completed_input>("RespondActivityTaskCompleted");
    EXPECT_EQ(done[0].task_token, "tok-r");
    EXPECT_EQ(done[0].result_, "got through");
    EXPECT_EQ(w.pollers_running(), 1u);
    EXPECT_EQ(metrics_.value("swfrt_polls_failed_total",
                             {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"code", "ThrottlingException"}}),
              1);
    EXPECT_EQ(metrics_.value("swfrt_polls_failed_total",
                             {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"code", "InternalFailure"}}),
              2);
    // The poller keeps polling after the task (an empty poll answers {}),
    // with no back-off.
    ASSERT_TRUE(wait_until([&] { return swf_->count("PollForActivityTask") >= 6; }));
    EXPECT_EQ(w.pollers_backing_off(), 0u);
    for (auto t : time.deadlines()) EXPECT_GE(t - time.now(), 1h) << "a back-off after the task";
    EXPECT_GE(metrics_.value("swfrt_polls_empty_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}}), 1);
}

TEST_F(worker_test, poll_back_off_doubles_up_to_its_maximum_and_restarts_from_the_base_after_a_success) {
    registry_.add_activity({.type = activity_type_named("echo"),
                            .blocking = [](sdk::activity_context&, const std::string& in) { return in; }});
    for (int i = 0; i < 7; ++i) swf_->script("PollForActivityTask", fake_swf::fault("InternalFailure", 500));
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-b", "echo", "x")});
    swf_->script("PollForActivityTask", fake_swf::fault("InternalFailure", 500));
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-c", "echo", "y")});
    use_virtual_time();
    env_.default_heartbeat_interval = 1h;
    start(settings(worker_kind::activity, {{"echo", "1"}}));
    // 10 ms base, 500 ms cap; the task in between starts the next series anew.
    EXPECT_EQ(pass_back_offs(8), (std::vector<milliseconds>{10ms, 20ms, 40ms, 80ms, 160ms, 320ms, 500ms, 10ms}));
    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 2; }));
}

TEST_F(worker_test, stop_polling_sends_no_new_poll_and_still_runs_a_task_from_the_poll_in_flight) {
    auto ran = std::make_shared<std::atomic<int>>(0);
    registry_.add_activity({.type = activity_type_named("late"),
                            .coroutine = [ran](sdk::activity_context&, std::string in) -> asio::awaitable<std::string> {
                                co_await pause(100ms);
                                ++*ran;
                                co_return "late " + in;
                            }});
    // The one poll that can be in flight (one slot) brings a task after 400 ms.
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-l", "late", "x"), 400ms});
    auto s = settings(worker_kind::activity, {{"late", "1"}});
    s.pollers = 2;
    s.max_concurrent = 1;
    auto& w = start(std::move(s));

    ASSERT_TRUE(wait_until([&] { return swf_->count("PollForActivityTask") == 1 && w.pollers_started() == 2; }));
    EXPECT_EQ(w.polls_in_flight(), 1u);
    w.stop_polling();
    const auto polls_at_stop = swf_->count("PollForActivityTask");
    EXPECT_EQ(polls_at_stop, 1u);

    // The task the poll in flight brings is still run and answered.
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }, 1500ms));
    EXPECT_EQ(ran->load(), 1);
    auto done = answers<model::respond_activity_task_completed_input>("RespondActivityTaskCompleted");
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].task_token, "tok-l");
    EXPECT_EQ(done[0].result_, "late x");
    // The poller waiting for a slot gives up; the one that was in flight ends after its poll.
    EXPECT_TRUE(wait_until([&] { return w.pollers_running() == 0; }, 500ms))
        << "pollers still running after stop_polling(): " << w.pollers_running();
    // Every poller has ended, so these counts are final.
    EXPECT_EQ(swf_->count("PollForActivityTask"), polls_at_stop) << "a poll was sent after stop_polling()";
    EXPECT_EQ(w.polls_in_flight(), 0u);
}

TEST_F(worker_test, a_poller_ended_by_an_exception_is_restarted) {
    registry_.add_activity({.type = activity_type_named("echo"),
                            .blocking = [](sdk::activity_context&, const std::string& in) { return "got " + in; }});
    fake_swf::answer boom;
    boom.throws = true;
    // More exceptions than slots: a restart that leaked its slot would leave
    // the poller waiting for one forever.
    for (int i = 0; i < 3; ++i) swf_->script("PollForActivityTask", boom);
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-x", "echo", "after")});
    auto s = settings(worker_kind::activity, {{"echo", "1"}});
    s.max_concurrent = 1;
    auto& w = start(std::move(s));
    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondActivityTaskCompleted") == 1; }, 5000ms));
    EXPECT_EQ(answers<model::respond_activity_task_completed_input>("RespondActivityTaskCompleted")[0].result_,
              "got after");
    EXPECT_EQ(metrics_.value("swfrt_loop_restarts_total", {{"loop", "poller"}, {"domain", "test-domain"}, {"task_list", "tl"}}), 3);
    EXPECT_EQ(w.pollers_running(), 1u);
    EXPECT_EQ(w.pollers_started(), 1u);
}

TEST_F(worker_test, stop_polling_cuts_a_back_off_sleep_short) {
    // On the poller's own timer (no sleep seam), 20 s that must not be waited.
    env_.poll_backoff_base = 20s;
    env_.poll_backoff_max = 30s;
    swf_->script("PollForActivityTask", fake_swf::fault("InternalFailure", 500));
    auto& w = start(settings(worker_kind::activity, {}));
    ASSERT_TRUE(wait_until([&] { return w.pollers_backing_off() == 1; }));
    EXPECT_EQ(swf_->count("PollForActivityTask"), 1u);
    w.stop_polling();
    EXPECT_TRUE(wait_until([&] { return w.pollers_running() == 0; }, 2000ms))
        << "the back-off sleep outlived stop_polling()";
    EXPECT_EQ(swf_->count("PollForActivityTask"), 1u);
}

TEST_F(worker_test, stop_polling_cuts_a_back_off_sleep_on_the_sleep_seam_short) {
    auto& time = use_virtual_time();
    const auto t0 = time.now();
    env_.poll_backoff_base = 20s;
    env_.poll_backoff_max = 30s;
    swf_->script("PollForActivityTask", fake_swf::fault("InternalFailure", 500));
    auto& w = start(settings(worker_kind::activity, {}));
    ASSERT_TRUE(wait_until([&] { return time.deadlines() == std::vector{t0 + 20s}; }));
    EXPECT_EQ(w.pollers_backing_off(), 1u);
    w.stop_polling();
    // Time does not move: the stop alone ends the sleep.
    EXPECT_TRUE(wait_until([&] { return w.pollers_running() == 0; }, 2000ms))
        << "the seam's back-off sleep outlived stop_polling()";
    EXPECT_TRUE(time.deadlines().empty());
    EXPECT_EQ(swf_->count("PollForActivityTask"), 1u);
}

TEST_F(worker_test, a_history_that_cannot_be_merged_fails_that_task_without_backing_off_the_poller) {
    env_.poll_backoff_base = 20s;
    env_.poll_backoff_max = 30s;
    // A peer that hands out the same nextPageToken again: PaginationLoop.
    std::string page = decision_task_json("tok-p", "order");
    page.insert(page.size() - 1, R"(,"nextPageToken":"again")");
    swf_->script("PollForDecisionTask", {200, page});
    swf_->script("PollForDecisionTask", {200, page});
    auto& w = start(settings(worker_kind::decision, {{"order", "1"}}));
    ASSERT_TRUE(wait_until([&] { return swf_->count("PollForDecisionTask") >= 3; }, 2000ms))
        << "the poller backed off after one task's history failed";
    EXPECT_EQ(metrics_.value("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"reason", "history_too_large"}}),
              1);
    EXPECT_EQ(swf_->count("RespondDecisionTaskCompleted"), 0u);
    EXPECT_EQ(w.pollers_running(), 1u);
}

TEST_F(worker_test, an_answer_is_retried_past_the_attempt_budget_until_it_is_taken) {
    registry_.add_activity({.type = activity_type_named("echo"),
                            .blocking = [](sdk::activity_context&, const std::string& in) { return in; }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-a", "echo", "kept")});
    for (int i = 0; i < 4; ++i) swf_->script("RespondActivityTaskCompleted", fake_swf::fault("ServiceUnavailable", 503));
    start(settings(worker_kind::activity, {{"echo", "1"}}));
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(swf_->count("RespondActivityTaskCompleted"), 5u);
    EXPECT_EQ(metrics_.value("swfrt_tasks_completed_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "echo:1"}}), 1);
    EXPECT_EQ(metrics_.value("swfrt_task_answers_total",
                             {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"outcome", "ambiguous"}}),
              1); // a 503 may have been SWF failing after taking it
}

TEST_F(worker_test, an_answer_refused_is_given_up_and_not_counted_completed) {
    registry_.add_activity({.type = activity_type_named("echo"),
                            .blocking = [](sdk::activity_context&, const std::string& in) { return in; }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-g", "echo", "late")});
    swf_->script("RespondActivityTaskCompleted", fake_swf::fault("UnknownResourceFault", 400, "timed out"));
    start(settings(worker_kind::activity, {{"echo", "1"}}));
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(swf_->count("RespondActivityTaskCompleted"), 1u);
    EXPECT_EQ(metrics_.value("swfrt_tasks_completed_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "echo:1"}}), 0);
    EXPECT_EQ(metrics_.value("swfrt_task_answers_total",
                             {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"outcome", "given_up"}}),
              1);
}

TEST_F(worker_test, an_answer_whose_lost_attempt_took_effect_counts_as_ambiguous) {
    registry_.add_activity({.type = activity_type_named("echo"),
                            .blocking = [](sdk::activity_context&, const std::string& in) { return in; }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-m", "echo", "once")});
    swf_->script("RespondActivityTaskCompleted", fake_swf::fault("InternalFailure", 500));
    swf_->script("RespondActivityTaskCompleted", fake_swf::fault("UnknownResourceFault", 400, "already used"));
    start(settings(worker_kind::activity, {{"echo", "1"}}));
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(swf_->count("RespondActivityTaskCompleted"), 2u);
    EXPECT_EQ(metrics_.value("swfrt_tasks_completed_total", {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "echo:1"}}), 1);
    EXPECT_EQ(metrics_.value("swfrt_task_answers_total",
                             {{"kind", "activity"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"outcome", "ambiguous"}}),
              1);
}

TEST_F(worker_test, a_handler_stopped_by_shutdown_is_answered_failed_not_completed) {
    registry_.add_activity({.type = activity_type_named("slow"),
                            .coroutine = [](sdk::activity_context& ctx, std::string) -> asio::awaitable<std::string> {
                                co_await wait_for_stop(ctx, 3000ms);
                                co_return "partial result";
                            }});
    swf_->script("PollForActivityTask", {200, activity_task_json("tok-s", "slow", "x")});
    auto& w = start(settings(worker_kind::activity, {{"slow", "1"}}));
    ASSERT_TRUE(wait_until([&] { return w.tasks_running() == 1; }));
    w.stop_polling();
    w.cancel_running();
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(swf_->count("RespondActivityTaskCompleted"), 0u);
    auto failed = answers<model::respond_activity_task_failed_input>("RespondActivityTaskFailed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].reason, "WorkerShutdown");
    EXPECT_THAT(failed[0].details.value_or(""), HasSubstr("partial result"));
    EXPECT_THAT(failed[0].details.value_or(""), HasSubstr("shutting down"));
}

// ---- decisions ----

model::decision complete_decision(std::string result) {
    model::decision d;
    d.decision_type = model::decision_type::complete_workflow_execution;
    d.complete_workflow_execution_decision_attributes.emplace().result_ = std::move(result);
    return d;
}

model::decision marker_decision(std::string name, std::string details) {
    model::decision d;
    d.decision_type = model::decision_type::record_marker;
    auto& a = d.record_marker_decision_attributes.emplace();
    a.marker_name = std::move(name);
    a.details = std::move(details);
    return d;
}

TEST_F(worker_test, a_raw_deciders_decisions_are_sent_with_respond_decision_task_completed) {
    auto seen_events = std::make_shared<std::atomic<int>>(-1);
    registry_.add_workflow({.type = {.name = "order", .version = "1"},
                            .decider = [seen_events](const model::decision_task& task) {
                                seen_events->store(static_cast<int>(task.events.size()));
                                sdk::decision_result r;
                                r.decisions.push_back(marker_decision("checked", task.workflow_execution.workflow_id));
                                r.decisions.push_back(complete_decision("shipped"));
                                r.execution_context = "ctx-1";
                                return r;
                            }});
    swf_->script("PollForDecisionTask", {200, decision_task_json("dtok-1", "order")});
    auto& w = start(settings(worker_kind::decision, {{"order", "1"}}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondDecisionTaskCompleted") == 1; }));
    auto sent = answers<model::respond_decision_task_completed_input>("RespondDecisionTaskCompleted");
    EXPECT_EQ(sent[0].task_token, "dtok-1");
    std::vector<model::decision> expected{marker_decision("checked", "order-7"), complete_decision("shipped")};
    EXPECT_TRUE(sent[0].decisions == expected);
    ASSERT_EQ(sent[0].decisions.size(), 2u);
    EXPECT_EQ(sent[0].decisions[1].decision_type, model::decision_type::complete_workflow_execution);
    EXPECT_EQ(sent[0].execution_context, "ctx-1");
    EXPECT_EQ(seen_events->load(), 3);
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(w.tasks_received(), 1u);
    EXPECT_EQ(metrics_.value("swfrt_tasks_completed_total", {{"kind", "decision"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "order:1"}}), 1);
    EXPECT_EQ(swf_->count("PollForActivityTask"), 0u);
}

TEST_F(worker_test, a_sticky_decision_worker_polls_its_own_list_and_names_it_in_answers_that_leave_the_execution_open) {
    registry_.add_workflow({.type = {.name = "order", .version = "1"},
                            .decider = [](const model::decision_task& task) {
                                sdk::decision_result r;
                                if (task.task_token == "dtok-close") r.decisions.push_back(complete_decision("done"));
                                else r.decisions.push_back(marker_decision("step", "1"));
                                return r;
                            }});
    swf_->script("PollForDecisionTask", {200, decision_task_json("dtok-open", "order")});
    swf_->script("PollForDecisionTask", {200, decision_task_json("dtok-close", "order")});
    auto s = settings(worker_kind::decision, {{"order", "1"}});
    s.pollers = 4;
    s.identity = "host:42/a|b";
    s.sticky_schedule_to_start = std::chrono::seconds{5};
    start(std::move(s));
    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondDecisionTaskCompleted") == 2; }));
    ASSERT_TRUE(wait_until([&] { return swf_->count("PollForDecisionTask") >= 8; }));

    // Its own list: the shared list's name, the identity in SWF's name
    // characters and a random part.
    std::map<std::string, int> lists;
    for (const auto& p : answers<model::poll_for_decision_task_input>("PollForDecisionTask")) ++lists[p.task_list.name];
    ASSERT_EQ(lists.size(), 2u);
    ASSERT_TRUE(lists.count("tl"));
    const std::string own = std::next(lists.begin())->first == "tl" ? lists.begin()->first : std::next(lists.begin())->first;
    EXPECT_TRUE(own.starts_with("tl-sticky-host-42-a-b-")) << own;
    EXPECT_EQ(own.size(), std::string("tl-sticky-host-42-a-b-").size() + 8) << own;
    EXPECT_GT(lists[own], 0);
    // At most half the pollers on it at once: never all of them, so the
    // shared list is always polled.
    EXPECT_GT(lists["tl"], 0);

    auto sent = answers<model::respond_decision_task_completed_input>("RespondDecisionTaskCompleted");
    std::map<std::string, model::respond_decision_task_completed_input> by_token;
    for (auto& a : sent) by_token[a.task_token] = a;
    ASSERT_TRUE(by_token.count("dtok-open") && by_token.count("dtok-close"));
    ASSERT_TRUE(by_token["dtok-open"].task_list);
    EXPECT_EQ(by_token["dtok-open"].task_list->name, own);
    EXPECT_EQ(by_token["dtok-open"].task_list_schedule_to_start_timeout, "5");
    EXPECT_FALSE(by_token["dtok-close"].task_list) << "an answer that closes the execution needs no list";
    EXPECT_FALSE(by_token["dtok-close"].task_list_schedule_to_start_timeout);
}

TEST_F(worker_test, a_sticky_decision_worker_keeps_half_its_polls_on_the_shared_list) {
    registry_.add_workflow({.type = {.name = "order", .version = "1"},
                            .decider = [](const model::decision_task&) { return sdk::decision_result{}; }});
    // Polls held long enough that every slot polls at once; four slots for
    // six pollers: the slots, not the pollers, bound the polls in flight.
    swf_->set_default("PollForDecisionTask", {200, "{}", 400ms});
    auto s = settings(worker_kind::decision, {{"order", "1"}});
    s.pollers = 6;
    s.max_concurrent = 4;
    s.sticky_schedule_to_start = std::chrono::seconds{5};
    start(std::move(s));
    ASSERT_TRUE(wait_until([&] { return swf_->count("PollForDecisionTask") >= 4; }));
    auto first = answers<model::poll_for_decision_task_input>("PollForDecisionTask");
    first.resize(4);
    const auto shared = std::count_if(first.begin(), first.end(), [](const auto& p) { return p.task_list.name == "tl"; });
    EXPECT_EQ(shared, 2) << "of four polls at once, two on the worker's own list and two on the shared one";
}

TEST_F(worker_test, a_decider_runs_on_the_decider_pool_not_on_an_io_thread) {
    std::promise<std::thread::id> pool_thread;
    asio::post(deciders_, [&] { pool_thread.set_value(std::this_thread::get_id()); });
    const auto pool_id = pool_thread.get_future().get();
    auto ran_on = std::make_shared<std::promise<std::thread::id>>();
    registry_.add_workflow({.type = {.name = "order", .version = "1"},
                            .decider = [ran_on](const model::decision_task&) {
                                ran_on->set_value(std::this_thread::get_id());
                                sdk::decision_result r;
                                r.decisions.push_back(complete_decision("shipped"));
                                return r;
                            }});
    swf_->script("PollForDecisionTask", {200, decision_task_json("dtok-1", "order")});
    start(settings(worker_kind::decision, {{"order", "1"}}));
    auto id = ran_on->get_future();
    ASSERT_EQ(id.wait_for(3s), std::future_status::ready);
    const auto decider_thread = id.get();
    EXPECT_EQ(decider_thread, pool_id) << "the decider did not run on the decider pool";
    EXPECT_FALSE(io_thread(decider_thread)) << "the decider ran on an io thread";
    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondDecisionTaskCompleted") == 1; }));
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
}

TEST_F(worker_test, decider_exception_with_retry_task_leaves_the_task_unanswered) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    registry_.add_workflow({.type = {.name = "order", .version = "1"},
                            .decider = [calls](const model::decision_task&) -> sdk::decision_result {
                                ++*calls;
                                throw std::runtime_error("bad history at event 3");
                            },
                            .on_exception = sdk::failure_policy::retry_task});
    swf_->script("PollForDecisionTask", {200, decision_task_json("dtok-2", "order")});
    start(settings(worker_kind::decision, {{"order", "1"}}));

    // Untracking comes after any answer, so once the task is done an answer would have been recorded.
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(calls->load(), 1);
    EXPECT_EQ(swf_->count("RespondDecisionTaskCompleted"), 0u);
    EXPECT_EQ(metrics_.value("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"reason", "decider_failed"}}),
              1);
    EXPECT_EQ(metrics_.value("swfrt_tasks_failed_total", {{"kind", "decision"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"type", "order:1"}}), 1);
}

TEST_F(worker_test, decider_exception_with_fail_workflow_sends_one_fail_workflow_execution) {
    registry_.add_workflow({.type = {.name = "order", .version = "1"},
                            .decider = [](const model::decision_task&) -> sdk::decision_result {
                                throw std::runtime_error("bad history at event 3");
                            },
                            .on_exception = sdk::failure_policy::fail_workflow});
    swf_->script("PollForDecisionTask", {200, decision_task_json("dtok-3", "order")});
    start(settings(worker_kind::decision, {{"order", "1"}}));

    ASSERT_TRUE(wait_until([&] { return swf_->count("RespondDecisionTaskCompleted") == 1; }));
    auto sent = answers<model::respond_decision_task_completed_input>("RespondDecisionTaskCompleted");
    EXPECT_EQ(sent[0].task_token, "dtok-3");
    ASSERT_EQ(sent[0].decisions.size(), 1u);
    const auto& d = sent[0].decisions[0];
    EXPECT_EQ(d.decision_type, model::decision_type::fail_workflow_execution);
    ASSERT_TRUE(d.fail_workflow_execution_decision_attributes.has_value());
    EXPECT_EQ(d.fail_workflow_execution_decision_attributes->reason, "DeciderException");
    EXPECT_THAT(d.fail_workflow_execution_decision_attributes->details.value_or(""),
                HasSubstr("bad history at event 3"));
    EXPECT_THAT(d.fail_workflow_execution_decision_attributes->details.value_or(""), HasSubstr("std::runtime_error"));
    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(metrics_.value("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"reason", "decider_failed"}}),
              0);
}

TEST_F(worker_test, a_decision_task_of_an_unknown_workflow_type_is_left_to_time_out) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    registry_.add_workflow({.type = {.name = "order", .version = "1"},
                            .decider = [calls](const model::decision_task&) {
                                ++*calls;
                                return sdk::decision_result{};
                            }});
    swf_->script("PollForDecisionTask", {200, decision_task_json("dtok-4", "refund")});
    start(settings(worker_kind::decision, {{"order", "1"}}));

    ASSERT_TRUE(wait_until([&] { return tasks_done(1); }));
    EXPECT_EQ(calls->load(), 0);
    EXPECT_EQ(swf_->count("RespondDecisionTaskCompleted"), 0u);
    EXPECT_EQ(
        metrics_.value("swfrt_tasks_unanswered_total", {{"kind", "decision"}, {"domain", "test-domain"}, {"task_list", "tl"}, {"reason", "unknown_workflow_type"}}),
        1);
    // The poller carries on.
    const auto polls = swf_->count("PollForDecisionTask");
    ASSERT_TRUE(wait_until([&] { return swf_->count("PollForDecisionTask") > polls; }));
}

} // namespace
} // namespace swfrt::runtime
