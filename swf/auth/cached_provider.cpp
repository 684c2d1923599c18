#include "swf/redact.hpp"
#include "swf/auth/cached_provider.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace swfrt::swf::auth {

// A caller suspended until the in-flight refresh ends, resumed on its own
// executor. The coroutine's handler is move-only, hence the shared_ptr.
struct cached_provider_waiter {
    boost::asio::any_io_executor executor;
    std::function<void(result<credentials>)> resume;
};
using waiter = cached_provider_waiter;

// Shared with the detached refresh coroutine, which may outlive the
// cached_provider that started it.
struct cached_provider::state : std::enable_shared_from_this<cached_provider::state> {
    state(std::shared_ptr<credentials_provider> p, const clock& c, cache_options o)
        : inner(std::move(p)), clk(c), options(o) {}

    const std::shared_ptr<credentials_provider> inner;
    const clock& clk;
    const cache_options options;

    mutable std::mutex mutex;
    std::optional<credentials> current;
    bool in_flight = false;
    clock::time_point next_attempt{};
    std::vector<waiter> waiters;
    std::optional<error> last_error;
    std::uint64_t refreshes = 0;
    std::uint64_t failures = 0;

    // Safe to sign with without asking the source first.
    bool fresh(const credentials& c, clock::time_point now) const {
        return !c.expiration || now < *c.expiration - options.expiry_margin;
    }
    // Still accepted by AWS: used when nothing fresher can be had, as
    // botocore does.
    bool valid(const credentials& c, clock::time_point now) const { return !c.expiration || now < *c.expiration; }
    bool due(const credentials& c, clock::time_point now) const {
        return c.expiration && now >= *c.expiration - options.refresh_ahead;
    }

    // Called with the mutex held.
    void begin_refresh() {
        in_flight = true;
        ++refreshes;
    }
};

namespace {

void complete(waiter w, result<credentials> r) {
    boost::asio::post(w.executor,
                      [fn = std::move(w.resume), r = std::move(r)]() mutable { fn(std::move(r)); });
}

template <class Handler> waiter make_waiter(boost::asio::any_io_executor ex, Handler&& handler) {
    auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    return waiter{std::move(ex), [h](result<credentials> r) { std::move (*h)(std::move(r)); }};
}

} // namespace

boost::asio::awaitable<void> cached_provider::run_refresh(std::shared_ptr<state> s) {
    std::optional<result<credentials>> r;
    try {
        r.emplace(co_await s->inner->fetch());
    } catch (const std::exception& e) {
        // A provider is not supposed to throw; if one does, the waiters must
        // still be released or every later caller would hang.
        r.emplace(make_error(error_kind::auth, std::string(credentials_unavailable),
                             std::string(s->inner->name()) + " threw: " + e.what()));
    }

    std::vector<waiter> waiters;
    result<credentials> answer = *r;
    {
        std::lock_guard lock(s->mutex);
        const auto now = s->clk.now();
        s->in_flight = false;
        waiters.swap(s->waiters);
        if (*r) {
            remember_secret(r->value().secret_access_key);
            remember_secret(r->value().session_token);
            s->current = r->value();
            s->last_error.reset();
            if (s->due(**r, now)) s->next_attempt = now + s->options.retry_interval;
            if (!s->valid(**r, now))
                answer = make_error(error_kind::auth, std::string(invalid_credentials),
                                    std::string(s->inner->name()) +
                                        " returned credentials that are already expired");
        } else {
            ++s->failures;
            s->last_error = r->error();
            s->next_attempt = now + s->options.retry_interval;
            // Callers that waited had nothing valid; one that still has valid
            // credentials after all (a clock step back) gets them.
            if (s->current && s->valid(*s->current, now)) answer = *s->current;
        }
    }
    for (auto& w : waiters)
        complete(std::move(w), answer);
}

// Registers a caller that has nothing valid to wait for the single refresh,
// starting it when none is running.
struct cached_provider::wait_initiation {
    state* s;

    template <class Handler> void operator()(Handler handler) const {
        boost::asio::any_io_executor ex = boost::asio::get_associated_executor(handler);
        std::unique_lock lock(s->mutex);
        // Another caller's refresh may have finished since the check in fetch(),
        // or the source may not be asked again yet: valid credentials serve.
        const auto now = s->clk.now();
        if (s->current && (s->fresh(*s->current, now) || (!s->in_flight && now < s->next_attempt &&
                                                           s->valid(*s->current, now)))) {
            credentials c = *s->current;
            lock.unlock();
            complete(make_waiter(ex, std::move(handler)), std::move(c));
            return;
        }
        s->waiters.push_back(make_waiter(ex, std::move(handler)));
        if (s->in_flight) return;
        s->begin_refresh();
        lock.unlock();
        boost::asio::co_spawn(ex, run_refresh(s->shared_from_this()), boost::asio::detached);
    }
};

cached_provider::cached_provider(std::shared_ptr<credentials_provider> inner, const clock& clk,
                                 cache_options options)
    : state_(std::make_shared<state>(std::move(inner), clk, options)) {}

cached_provider::~cached_provider() = default;

boost::asio::awaitable<result<credentials>> cached_provider::fetch() {
    auto ex = co_await boost::asio::this_coro::executor;
    auto s = state_;
    {
        std::unique_lock lock(s->mutex);
        const auto now = s->clk.now();
        // Credentials in their last expiry_margin are refreshed before this
        // use (below), unless the source failed a moment ago.
        const bool serve = s->current && (s->fresh(*s->current, now) ||
                                          (now < s->next_attempt && s->valid(*s->current, now)));
        if (serve) {
            credentials c = *s->current;
            const bool start = s->due(c, now) && !s->in_flight && now >= s->next_attempt;
            if (start) s->begin_refresh();
            lock.unlock();
            if (start) boost::asio::co_spawn(ex, run_refresh(s), boost::asio::detached);
            co_return c;
        }
    }

    // The initiation holds a raw pointer: `s` in this frame keeps the state
    // alive until the handler runs, and g++ 12 mishandles non-trivial
    // temporaries inside a co_await expression.
    auto waited = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                       void(result<credentials>)>(wait_initiation{s.get()},
                                                                                  boost::asio::use_awaitable);
    co_return waited;
}

std::uint64_t cached_provider::refresh_count() const {
    std::lock_guard lock(state_->mutex);
    return state_->refreshes;
}

std::uint64_t cached_provider::refresh_failures() const {
    std::lock_guard lock(state_->mutex);
    return state_->failures;
}

bool cached_provider::refresh_in_flight() const {
    std::lock_guard lock(state_->mutex);
    return state_->in_flight;
}

std::optional<error> cached_provider::last_error() const {
    std::lock_guard lock(state_->mutex);
    return state_->last_error;
}

std::string cached_provider::current_provider() const {
    std::lock_guard lock(state_->mutex);
    return state_->current ? state_->current->provider : std::string();
}

const std::shared_ptr<credentials_provider>& cached_provider::inner() const {
    return state_->inner;
}

std::shared_ptr<cached_provider> make_default_credentials(boost::asio::any_io_executor executor,
                                                          env_lookup env, const clock& clk,
                                                          std::optional<std::string> profile_name,
                                                          cache_options options) {
    return std::make_shared<cached_provider>(
        make_default_chain(std::move(executor), std::move(env), clk, std::move(profile_name)), clk, options);
}

} // namespace swfrt::swf::auth
