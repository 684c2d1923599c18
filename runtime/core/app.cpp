#include "runtime/core/app.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "runtime/core/drain.hpp"
#include "runtime/core/http_server.hpp"
#include "runtime/core/metrics.hpp"
#include "runtime/core/supervisor.hpp"
#include "runtime/core/worker.hpp"
#include "swf/auth/cached_provider.hpp"
#include "swf/auth/provider.hpp"
#include "swf/client/roles.hpp"

namespace swfrt::runtime {

namespace asio = boost::asio;
namespace model = swf::model;

std::string default_identity() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown-host");
    return std::string(host) + ":" + std::to_string(::getpid());
}

namespace {

worker_kind kind_of(config::worker_kind k) {
    return k == config::worker_kind::activity ? worker_kind::activity : worker_kind::decision;
}

// The (name, version) pairs a worker serves; errors for names no plugin has.
std::set<plugin::type_key> resolve_types(const config::config& c, const config::worker_config& w,
                                         const plugin::registry& reg, std::vector<config::config_error>* errors) {
    std::set<plugin::type_key> types;
    const bool activity = w.kind == config::worker_kind::activity;
    const char* what = activity ? "activity type" : "workflow type";
    for (const auto& h : w.handlers) {
        auto versions = activity ? reg.activity_versions(h.name) : reg.workflow_versions(h.name);
        if (!h.version.empty()) {
            bool found = activity ? reg.find_activity(h.name, h.version) != nullptr
                                  : reg.find_workflow(h.name, h.version) != nullptr;
            if (found) {
                types.insert({h.name, h.version});
                continue;
            }
        } else if (!versions.empty()) {
            for (auto& v : versions) types.insert({h.name, v});
            continue;
        }
        if (!errors) continue;
        std::string msg = "handler '" + h.text() + "' is not " + (activity ? "an " : "a ") + what +
                          " registered by any plugin";
        if (!versions.empty()) {
            msg += " (registered versions:";
            for (auto& v : versions) msg += " " + v;
            msg += ")";
        } else {
            std::vector<std::string> known;
            if (activity)
                for (auto& [k, e] : reg.activities()) known.push_back(k.first + ":" + k.second);
            else
                for (auto& [k, e] : reg.workflows()) known.push_back(k.first + ":" + k.second);
            if (known.empty()) {
                msg += std::string(" (the plugins register no ") + what + ")";
            } else {
                msg += std::string(" (") + what + "s registered:";
                for (auto& k : known) msg += " " + k;
                msg += ")";
            }
        }
        errors->push_back(c.error_at(h.location, msg));
    }
    return types;
}

} // namespace

swf::result<std::shared_ptr<swf::client::client>> make_client(const config::config& c, asio::any_io_executor ex,
                                                               metrics* m) {
    swf::client::client_options o;
    o.retry.max_attempts = c.swf.retry.max_attempts;
    o.retry.max_backoff = c.swf.retry.max_backoff;
    o.poll_read_timeout = c.swf.timeouts.poll;
    o.pool.timeouts.connect = c.swf.timeouts.connect;
    o.pool.timeouts.tls_handshake = c.swf.timeouts.connect;
    o.pool.timeouts.read = c.swf.timeouts.call;
    o.pool.timeouts.write = c.swf.timeouts.call;
    o.pool.ca_file = c.swf.ca_file;
    if (m) {
        o.on_call = [m](swf::client::operation op, double seconds, const swf::client::call_info& info,
                        const swf::error* e) {
            auto name = swf::client::api_name(op);
            m->observe(metric::swf_request_seconds, {name}, seconds);
            if (info.attempts > 1)
                m->add(metric::swf_retries, {name}, static_cast<double>(info.attempts - 1));
            // e is null when the client judged the call a success, also by
            // its effect after a lost answer: only real failures count here.
            if (e) m->add(metric::swf_requests_failed, {name, e->code});
            if (info.earlier_attempt_ambiguous) m->add(metric::swf_lost_answers, {name});
        };
    }
    swf::auth::settings_overrides ov;
    if (!c.swf.region.empty()) ov.region = c.swf.region;
    if (!c.swf.endpoint_url.empty()) ov.endpoint_url = c.swf.endpoint_url;
    if (!c.swf.profile.empty()) ov.profile = c.swf.profile;
    if (!c.swf.ca_file.empty()) ov.ca_bundle = c.swf.ca_file;
    try {
        if (c.swf.credentials) {
            auto settings = swf::auth::resolve_settings(swf::auth::system_env(), ov);
            if (!settings) return std::move(settings).error();
            o.region = settings->region;
            o.endpoint_url = settings->endpoint_url;
            o.pool.ca_file = settings->ca_bundle;
            swf::auth::credentials creds;
            creds.access_key_id = c.swf.credentials->access_key_id;
            creds.secret_access_key = c.swf.credentials->secret_access_key;
            creds.session_token = c.swf.credentials->session_token;
            creds.provider = "config";
            return swf::client::client::create(ex, std::make_shared<swf::auth::static_provider>(std::move(creds)),
                                               std::move(o));
        }
        return swf::client::client::from_environment(ex, ov, swf::auth::system_env(), std::move(o));
    } catch (const std::exception& e) {
        // The pool throws when the CA file cannot be loaded.
        return swf::make_error(swf::error_kind::validation, "InvalidConfiguration", e.what());
    }
}

namespace {

std::optional<std::string> opt(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

// How long start-up registration keeps trying while SWF fails in a way that
// may pass (throttling, 5xx, the network): a passing fault must not keep a
// worker from starting. SIGINT/SIGTERM cancels the wait.
constexpr std::chrono::minutes registration_patience{5};

template <class Request, class Call>
asio::awaitable<swf::result<model::empty>> register_persistently(const Request& request, Call& call,
                                                                std::string_view what, logger& log) {
    const auto until = std::chrono::steady_clock::now() + registration_patience;
    std::chrono::milliseconds pause{500};
    for (;;) {
        Request copy = request;
        auto r = co_await call(std::move(copy));
        if (r || !swf::client::is_retryable(r.error()) || std::chrono::steady_clock::now() + pause >= until)
            co_return r;
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) co_return r;
        log.warn("registration failed; trying again", {{"what", what},
                                                      {"error", r.error().to_string()},
                                                      {"retry_in_ms", std::to_string(pause.count())}});
        asio::steady_timer wait(co_await asio::this_coro::executor, pause);
        boost::system::error_code ec;
        co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (cs.cancelled() != asio::cancellation_type::none) co_return r;
        pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds{15});
    }
}

// What a worker with `register: false` does instead of registering: asks SWF
// whether the type is registered (and not deprecated), without writing.
swf::error not_usable(bool activity, const std::string& domain, const std::string& name,
                      const std::string& version, std::string why) {
    return swf::make_error(swf::error_kind::not_found, "TypeNotRegistered",
                           std::string(activity ? "activity type " : "workflow type ") + name + ":" + version +
                               " " + why + " in domain " + domain +
                               "; the worker has register: false, so register it elsewhere or set register: true");
}

template <class Info>
swf::result<model::empty> usable(const swf::result<Info>& r, bool activity, const std::string& domain,
                                 const std::string& name, const std::string& version) {
    if (!r) {
        if (r.error().is(model::fault::unknown_resource))
            return not_usable(activity, domain, name, version, "is not registered");
        return r.error();
    }
    if (r->type_info.status != model::registration_status::registered)
        return not_usable(activity, domain, name, version, "is deprecated");
    return model::empty{};
}

asio::awaitable<swf::result<model::empty>> check_registered(swf::client::client& cl, bool activity,
                                                            const std::string& domain, const std::string& name,
                                                            const std::string& version, logger& log) {
    const std::string what = std::string(activity ? "activity type " : "workflow type ") + name + ":" + version;
    if (activity) {
        model::describe_activity_type_input in;
        in.domain = domain;
        in.activity_type.name = name;
        in.activity_type.version = version;
        auto call = [&](model::describe_activity_type_input req) -> asio::awaitable<swf::result<model::empty>> {
            auto r = co_await cl.describe_activity_type(std::move(req));
            co_return usable(r, true, domain, name, version);
        };
        co_return co_await register_persistently(in, call, what, log);
    }
    model::describe_workflow_type_input in;
    in.domain = domain;
    in.workflow_type.name = name;
    in.workflow_type.version = version;
    auto call = [&](model::describe_workflow_type_input req) -> asio::awaitable<swf::result<model::empty>> {
        auto r = co_await cl.describe_workflow_type(std::move(req));
        co_return usable(r, false, domain, name, version);
    };
    co_return co_await register_persistently(in, call, what, log);
}

asio::awaitable<bool> register_all(const config::config& c, const plugin::registry& reg,
                                   std::shared_ptr<swf::client::client> client, logger& log) {
    swf::client::registration_client r(client);
    bool ok = true;
    for (const auto& d : c.domains) {
        if (!d.register_domain) continue;
        model::register_domain_input in;
        in.name = d.name;
        in.workflow_execution_retention_period_in_days = std::to_string(d.retention_days);
        in.description = opt(d.description);
        auto call = [&r](model::register_domain_input req) { return r.register_domain(std::move(req)); };
        const std::string what = "domain " + d.name;
        auto res = co_await register_persistently(in, call, what, log);
        if (!res) {
            ok = false;
            log.error("registering the domain failed", {{"domain", d.name}, {"error", res.error().to_string()}});
        } else {
            log.info("domain registered", {{"domain", d.name}});
        }
    }
    std::set<std::tuple<bool, std::string, std::string, std::string>> done;
    std::vector<std::string> missing; // types a register: false worker needs and SWF lacks
    for (const auto& w : c.workers) {
        const bool activity = w.kind == config::worker_kind::activity;
        for (const auto& key : resolve_types(c, w, reg, nullptr)) {
            if (!done.insert({activity, w.domain, key.first, key.second}).second) continue;
            swf::result<model::empty> res = model::empty{};
            if (!w.register_types) {
                const std::string label = key.first + ":" + key.second;
                res = co_await check_registered(*client, activity, w.domain, key.first, key.second, log);
                if (!res) {
                    ok = false;
                    missing.push_back(label + " (domain " + w.domain + ")");
                    log.error(activity ? "activity type not usable" : "workflow type not usable",
                              {{"domain", w.domain}, {"type", label}, {"error", res.error().to_string()}});
                } else {
                    log.info(activity ? "activity type is registered" : "workflow type is registered",
                             {{"domain", w.domain}, {"type", label}});
                }
                continue;
            }
            if (activity) {
                const auto& t = reg.find_activity(key.first, key.second)->registration.type;
                model::register_activity_type_input in;
                in.domain = w.domain;
                in.name = t.name;
                in.version = t.version;
                in.description = t.description;
                if (t.default_task_list) in.default_task_list.emplace().name = *t.default_task_list;
                in.default_task_heartbeat_timeout = t.default_task_heartbeat_timeout;
                in.default_task_schedule_to_start_timeout = t.default_task_schedule_to_start_timeout;
                in.default_task_schedule_to_close_timeout = t.default_task_schedule_to_close_timeout;
                in.default_task_start_to_close_timeout = t.default_task_start_to_close_timeout;
                in.default_task_priority = t.default_task_priority;
                auto call = [&r](model::register_activity_type_input req) {
                    return r.register_activity_type(std::move(req));
                };
                const std::string what = "activity type " + key.first + ":" + key.second;
                res = co_await register_persistently(in, call, what, log);
            } else {
                const auto& t = reg.find_workflow(key.first, key.second)->registration.type;
                model::register_workflow_type_input in;
                in.domain = w.domain;
                in.name = t.name;
                in.version = t.version;
                in.description = t.description;
                if (t.default_task_list) in.default_task_list.emplace().name = *t.default_task_list;
                in.default_execution_start_to_close_timeout = t.default_execution_start_to_close_timeout;
                in.default_task_start_to_close_timeout = t.default_task_start_to_close_timeout;
                in.default_lambda_role = t.default_lambda_role;
                in.default_task_priority = t.default_task_priority;
                if (t.default_child_policy) {
                    in.default_child_policy = model::child_policy_from_string(*t.default_child_policy);
                    if (!in.default_child_policy) {
                        res = swf::make_error(swf::error_kind::validation, "InvalidChildPolicy",
                                              "default child policy '" + *t.default_child_policy +
                                                  "' is not TERMINATE, REQUEST_CANCEL or ABANDON");
                    }
                }
                auto call = [&r](model::register_workflow_type_input req) {
                    return r.register_workflow_type(std::move(req));
                };
                const std::string what = "workflow type " + key.first + ":" + key.second;
                if (res) res = co_await register_persistently(in, call, what, log);
            }
            std::string label = key.first + ":" + key.second;
            if (!res) {
                ok = false;
                log.error(activity ? "registering the activity type failed" : "registering the workflow type failed",
                          {{"domain", w.domain}, {"type", label}, {"error", res.error().to_string()}});
            } else {
                log.info(activity ? "activity type registered" : "workflow type registered",
                         {{"domain", w.domain}, {"type", label}});
            }
        }
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        log.error("types the workers serve are not registered and the workers do not register them",
                  {{"missing", list}});
    }
    co_return ok;
}

// The process's signal state: the first SIGTERM/SIGINT asks for a graceful
// shutdown, the second ends the process at once.
struct shutdown_state {
    std::atomic<bool> requested{false};
    std::string reason;
    std::mutex mutex;
    std::function<void()> notify; // wakes the supervisor (set once workers run)
    void request(std::string why) {
        {
            std::lock_guard lock(mutex);
            if (!requested.exchange(true)) reason = std::move(why);
        }
        if (notify) notify();
    }
    std::string why() {
        std::lock_guard lock(mutex);
        return reason;
    }
};

// Runs the registration on io until it ends or SIGINT/SIGTERM cancels it
// (every wait in the client observes the cancellation); nullopt when a
// signal ended it.
std::optional<bool> register_until_signal(asio::io_context& io, asio::signal_set& signals, shutdown_state& shutdown,
                                          const config::config& c, const plugin::registry& reg,
                                          std::shared_ptr<swf::client::client> client, logger& log) {
    asio::cancellation_signal stop_registration;
    std::optional<bool> registered;
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        shutdown.request(sig == SIGINT ? "SIGINT" : "SIGTERM");
        stop_registration.emit(asio::cancellation_type::terminal);
    });
    asio::co_spawn(io, register_all(c, reg, std::move(client), log),
                   asio::bind_cancellation_slot(stop_registration.slot(), [&](std::exception_ptr e, bool ok) {
                       registered = !e && ok;
                       boost::system::error_code ignored;
                       signals.cancel(ignored);
                   }));
    io.restart();
    io.run();
    io.restart();
    if (shutdown.requested.load()) {
        log.info("shutdown requested during start-up registration; exiting before any poll",
                 {{"reason", shutdown.reason}});
        return std::nullopt;
    }
    return registered.value_or(false);
}

} // namespace

std::vector<config::config_error> load_and_check(const config::config& c, plugin_set& plugins) {
    std::vector<config::config_error> errors;
    for (const auto& p : c.plugins) {
        std::string err;
        auto lib = plugin::load(p.resolved_path, *plugins.registry, err);
        if (!lib) {
            errors.push_back(c.error_at(p.location, err));
            continue;
        }
        plugins.libraries.push_back(std::move(lib));
    }
    for (const auto& e : plugins.registry->errors()) errors.push_back(c.error_at({}, e));
    for (const auto& w : c.workers) resolve_types(c, w, *plugins.registry, &errors);
    return errors;
}

int register_types(const config::config& c, const plugin_set& plugins, logger& log) {
    asio::io_context io;
    auto client = make_client(c, io.get_executor(), nullptr);
    if (!client) {
        log.error("cannot create the SWF client", {{"error", client.error().to_string()}});
        return exit_config;
    }
    shutdown_state shutdown;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    auto ok = register_until_signal(io, signals, shutdown, c, *plugins.registry, *client, log);
    if (!ok) return exit_ok;
    return *ok ? exit_ok : exit_failure;
}

int run(const config::config& c, plugin_set& plugins, const run_limits& limits, logger& log) {
    const int threads = c.runtime.threads > 0 ? c.runtime.threads
                                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    asio::io_context io(threads);
    metrics m;
    auto client = make_client(c, io.get_executor(), &m);
    if (!client) {
        log.error("cannot create the SWF client", {{"error", client.error().to_string()}});
        return exit_config;
    }
    log.info("swf-runtime starting", {{"endpoint", (*client)->endpoint().authority()},
                                      {"region", (*client)->region()},
                                      {"threads", std::to_string(threads)}});

    // Registration first: workers start only when their types exist. A
    // signal now cancels it and the process exits before any poll.
    shutdown_state shutdown;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    auto registered = register_until_signal(io, signals, shutdown, c, *plugins.registry, *client, log);
    if (!registered) return exit_ok;
    if (!*registered) {
        log.error("registration failed; not starting");
        return exit_failure;
    }

    std::size_t blocking_threads = 0;
    for (const auto& w : c.workers)
        if (w.kind == config::worker_kind::activity) blocking_threads += static_cast<std::size_t>(w.max_concurrent);
    asio::thread_pool blocking(std::clamp<std::size_t>(blocking_threads, 1, 256));
    // Deciders are CPU work: no more threads than cores, nor than decision
    // tasks that may run at once.
    std::size_t decider_threads = 0;
    for (const auto& w : c.workers)
        if (w.kind == config::worker_kind::decision) decider_threads += static_cast<std::size_t>(w.max_concurrent);
    asio::thread_pool deciders(
        std::clamp<std::size_t>(decider_threads, 1, std::max(2u, std::thread::hardware_concurrency())));

    worker_env env;
    env.client = *client;
    env.registry = plugins.registry.get();
    env.log = &log;
    env.metrics = &m;
    env.blocking_pool = &blocking;
    env.decider_pool = &deciders;

    if (limits.max_tasks) {
        env.task_budget = std::make_shared<std::atomic<std::int64_t>>(static_cast<std::int64_t>(*limits.max_tasks));
        env.on_budget_spent = [&shutdown] { shutdown.request("--max-tasks reached"); };
    }

    // The supervisor sleeps until an event wakes it: a poller started or
    // ended, a task started or ended, a shutdown request.
    auto supervisor_strand = asio::make_strand(io);
    asio::steady_timer wake(supervisor_strand);
    std::atomic<bool> woken{false};
    auto notify = [&] {
        woken.store(true);
        asio::post(supervisor_strand, [&wake] { wake.cancel(); });
    };
    env.on_state_change = notify;

    std::vector<std::unique_ptr<worker>> workers;
    const std::string identity = c.runtime.identity.empty() ? default_identity() : c.runtime.identity;
    for (const auto& w : c.workers) {
        worker_settings s;
        s.kind = kind_of(w.kind);
        s.domain = w.domain;
        s.task_list = w.task_list;
        s.identity = w.identity.empty() ? identity : w.identity;
        s.pollers = w.pollers;
        s.max_concurrent = static_cast<std::size_t>(w.max_concurrent);
        s.sticky_schedule_to_start = std::chrono::duration_cast<std::chrono::seconds>(w.sticky_schedule_to_start);
        s.types = resolve_types(c, w, *plugins.registry, nullptr);
        workers.push_back(std::make_unique<worker>(env, std::move(s), io.get_executor()));
    }

    std::atomic<bool> ready{false}, draining{false};
    std::unique_ptr<http_server> server;
    if (c.metrics.enabled()) {
        http_routes routes;
        auto cached = std::dynamic_pointer_cast<swf::auth::cached_provider>((*client)->credentials());
        routes.metrics = [&m, cached] {
            if (cached) m.set_total(metric::credential_refreshes, {}, static_cast<double>(cached->refresh_count()));
            return m.render();
        };
        routes.not_ready_reason = [&]() -> std::string {
            if (draining.load()) return "draining";
            if (!ready.load()) return "starting";
            return {};
        };
        auto s = http_server::listen(io.get_executor(), c.metrics.host, c.metrics.port, std::move(routes));
        if (!s) {
            log.error("cannot start the metrics endpoint", {{"error", s.error().to_string()}});
            return exit_failure;
        }
        server = std::move(*s);
        log.info("metrics and health endpoint listening",
                 {{"address", c.metrics.host + ":" + std::to_string(server->port())}});
    }

    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                               int sig) {
        if (ec) return;
        if (shutdown.requested.load()) {
            log.error("second signal: exiting at once; tasks still running are left to time out in SWF");
            std::fflush(nullptr);
            std::_Exit(exit_forced);
        }
        shutdown.request(sig == SIGINT ? "SIGINT" : "SIGTERM");
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);

    shutdown.notify = notify;
    for (auto& w : workers) w->start();
    int exit_code = exit_ok;
    bool abandoned = false;

    auto supervise = [&]() -> asio::awaitable<void> {
        auto count = [&](auto member) {
            std::size_t n = 0;
            for (auto& w : workers) n += ((*w).*member)();
            return n;
        };
        supervisor_view view;
        for (auto& w : workers) view.pollers_total += static_cast<std::size_t>(w->settings().pollers);
        drain_policy policy;
        policy.grace = c.runtime.shutdown_grace;
        policy.poll_timeout = c.swf.timeouts.poll;
        supervisor sup(policy, limits.max_time, std::chrono::steady_clock::now());
        for (;;) {
            woken.store(false);
            if (shutdown.requested.load()) sup.request_shutdown(shutdown.why());
            view.pollers_started = count(&worker::pollers_started);
            view.pollers_running = count(&worker::pollers_running);
            view.tasks_running = count(&worker::tasks_running);
            bool finished = false;
            for (auto action : sup.step(std::chrono::steady_clock::now(), view)) {
                switch (action) {
                case supervisor_action::ready:
                    ready.store(true);
                    m.set(metric::ready, {}, 1);
                    log.info("ready: every poller has started", {{"pollers", std::to_string(view.pollers_total)}});
                    break;
                case supervisor_action::drain:
                    draining.store(true);
                    ready.store(false);
                    m.set(metric::ready, {}, 0);
                    log.info("shutting down: no new polls; waiting for polls in flight and running tasks",
                             {{"reason", sup.reason()},
                              {"polls_in_flight", std::to_string(count(&worker::polls_in_flight))},
                              {"tasks_running", std::to_string(view.tasks_running)}});
                    for (auto& w : workers) w->stop_polling();
                    break;
                case supervisor_action::cancel:
                    log.warn("shutdown grace period over: asking running handlers to stop");
                    for (auto& w : workers)
                        for (auto& line : w->describe_running()) log.warn("still running", {{"task", line}});
                    for (auto& w : workers) w->cancel_running();
                    break;
                case supervisor_action::abandon:
                    for (auto& w : workers)
                        for (auto& line : w->describe_running()) log.error("left unanswered", {{"task", line}});
                    for (auto& w : workers) w->abandon();
                    abandoned = count(&worker::tasks_running) > 0;
                    break;
                case supervisor_action::done: finished = true; break;
                }
            }
            if (finished) break;
            if (woken.load()) continue; // an event came while this step ran
            // Until the next event (notify() cancels the wait) or the next
            // point of the timeline.
            auto at = sup.wake_at();
            wake.expires_at(at ? *at : std::chrono::steady_clock::time_point::max());
            boost::system::error_code ec;
            co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        log.info("stopped", {{"tasks_received", std::to_string([&] {
                                  std::uint64_t n = 0;
                                  for (auto& w : workers) n += w->tasks_received();
                                  return n;
                              }())}});
        if (server) server->stop();
        boost::system::error_code ignored;
        signals.cancel(ignored);
        io.stop();
    };
    asio::co_spawn(supervisor_strand, supervise(), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log.error("supervisor failed", {{"error", ex.what()}});
        }
        exit_code = exit_failure;
        io.stop();
    });

    io.restart();
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    if (abandoned) {
        // A blocking handler that ignores its stop token would keep the
        // thread pool from joining: leave without waiting for it.
        std::fflush(nullptr);
        std::_Exit(exit_code);
    }
    blocking.join();
    deciders.join();
    return exit_code;
}

} // namespace swfrt::runtime
