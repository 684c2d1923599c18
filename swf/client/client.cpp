#include "swf/client/client.hpp"

#include <random>
#include <type_traits>
#include <utility>

#include <simdjson.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "swf/auth/cached_provider.hpp"
#include "swf/client/faults.hpp"
#include "swf/client/paginate.hpp"
#include "swf/codec/codec.hpp"

namespace swfrt::swf::client {

namespace asio = boost::asio;

namespace {

constexpr std::string_view target_prefix = "SimpleWorkflowService.";

// Answers identified by a task token: when an earlier attempt may have
// reached SWF, "unknown resource" means that attempt already used the token.
bool answers_by_task_token(operation op) {
    return op == operation::respond_activity_task_completed || op == operation::respond_activity_task_failed ||
           op == operation::respond_activity_task_canceled || op == operation::respond_decision_task_completed;
}

bool is_registration(operation op) {
    return op == operation::register_domain || op == operation::register_activity_type ||
           op == operation::register_workflow_type;
}

// After a lost StartWorkflowExecution answer: the run an earlier attempt
// started, when one of that workflow id and type is open.
// Only a run started since the call began (less a margin for clock skew)
// can be the one it started: an older open run of the same id is a real
// WorkflowExecutionAlreadyStarted.
asio::awaitable<std::optional<std::string>> running_run_id(client& c, const model::start_workflow_execution_input& in,
                                                           swf::clock::time_point call_started) {
    const double since =
        std::chrono::duration<double>((call_started - std::chrono::minutes{5}).time_since_epoch()).count();
    model::list_open_workflow_executions_input q;
    q.domain = in.domain;
    q.start_time_filter.oldest_date = since;
    q.execution_filter.emplace().workflow_id = in.workflow_id;
    auto open = co_await c.list_open_workflow_executions(std::move(q));
    if (!open) co_return std::nullopt;
    // The filter is the server's business; check it here all the same.
    for (const auto& info : open->execution_infos) {
        if (info.execution.workflow_id == in.workflow_id && info.workflow_type.name == in.workflow_type.name &&
            info.workflow_type.version == in.workflow_type.version && !info.execution.run_id.empty() &&
            info.start_timestamp >= since)
            co_return info.execution.run_id;
    }
    co_return std::nullopt;
}

// Operations that must not be sent again once an attempt may have taken
// effect: SWF has no idempotency key for them, and a second copy is a second
// event in the history.
bool repeat_is_visible(operation op) { return op == operation::signal_workflow_execution; }

// A long poll that ended without a task carries no task members; the typed
// value would print them empty, so call_json prints {} as SWF means it.
template <class Out>
bool empty_poll(const Out& out) {
    if constexpr (std::is_same_v<Out, model::decision_task> || std::is_same_v<Out, model::activity_task>)
        return out.task_token.empty();
    return false;
}

// Paginated operations by request type, for call_json's all_pages.
template <class In>
struct pager {
    static constexpr bool exists = false;
};
#define SWFRT_X(api, snake, in, out, member)                                                                      \
    template <>                                                                                                    \
    struct pager<model::in> {                                                                                      \
        static constexpr bool exists = true;                                                                       \
        static asio::awaitable<result<model::out>> all(client& c, model::in r) {                                  \
            return snake##_all_pages(c, std::move(r));                                                             \
        }                                                                                                          \
    };
SWFRT_SWF_PAGINATORS(SWFRT_X)
#undef SWFRT_X

template <class Out, class In, class Call>
asio::awaitable<result<Out>> one_or_all_pages(client& c, In request, bool all_pages, Call call) {
    if constexpr (pager<In>::exists) {
        if (all_pages) co_return co_await pager<In>::all(c, std::move(request));
    }
    co_return co_await call(std::move(request));
}

} // namespace

client::client(asio::any_io_executor executor, std::shared_ptr<auth::credentials_provider> credentials,
               client_options options, http::endpoint endpoint)
    : executor_(std::move(executor)),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      signer_(options_.region, "swf"),
      quota_(options_.retry) {
    if (!options_.transport) pool_ = std::make_shared<http::connection_pool>(executor_, options_.pool);
}

client::~client() = default;

result<std::shared_ptr<client>> client::create(asio::any_io_executor executor,
                                               std::shared_ptr<auth::credentials_provider> credentials,
                                               client_options options) {
    if (options.region.empty())
        return make_error(error_kind::validation, "MissingRegion",
                          "no AWS region: set AWS_REGION, the profile's region or the configuration's region");
    if (options.endpoint_url.empty())
        return make_error(error_kind::validation, "InvalidEndpoint", "no SWF endpoint URL");
    if (!credentials) return make_error(error_kind::validation, "MissingCredentials", "no credentials provider");
    if (options.retry.max_attempts < 1)
        return make_error(error_kind::validation, "InvalidRetryOptions", "retry max_attempts must be at least 1");
    auto ep = http::endpoint::parse(options.endpoint_url);
    if (!ep) return std::move(ep).error();
    if (!options.clock) options.clock = &swf::system_clock::instance();
    try {
        return std::shared_ptr<client>(
            new client(std::move(executor), std::move(credentials), std::move(options), std::move(*ep)));
    } catch (const std::exception& e) {
        // The pool refuses a CA bundle it cannot load.
        return make_error(error_kind::validation, "InvalidCaBundle", e.what());
    }
}

result<std::shared_ptr<client>> client::from_environment(asio::any_io_executor executor,
                                                         const auth::settings_overrides& overrides,
                                                         const auth::env_lookup& env, client_options base) {
    auto settings = auth::resolve_settings(env, overrides);
    if (!settings) return std::move(settings).error();
    base.region = settings->region;
    base.endpoint_url = settings->endpoint_url;
    if (base.pool.ca_file.empty()) base.pool.ca_file = settings->ca_bundle;
    const swf::clock& clk = base.clock ? *base.clock : swf::system_clock::instance();
    auto credentials = auth::make_default_credentials(executor, env, clk, settings->profile);
    return create(std::move(executor), std::move(credentials), std::move(base));
}

double client::uniform() {
    if (options_.random) return options_.random();
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

asio::awaitable<void> client::pause(std::chrono::milliseconds delay) {
    if (options_.sleep) {
        co_await options_.sleep(delay);
        co_return;
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<result<http::response>> client::attempt(operation op, const std::string& body) {
    http::request req;
    req.method = "POST";
    req.target = endpoint_.base_path.empty() ? "/" : endpoint_.base_path;
    req.headers.reserve(6);
    req.headers.emplace_back("Host", endpoint_.host_header());
    req.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
    std::string target;
    target.reserve(target_prefix.size() + 40);
    target.append(target_prefix).append(api_name(op));
    req.headers.emplace_back("X-Amz-Target", std::move(target));
    req.body = body;

    auto creds = co_await credentials_->fetch();
    if (!creds) co_return std::move(creds).error();
    auto signed_req = signer_.sign(req, *creds, options_.clock->now());
    if (!signed_req) co_return std::move(signed_req).error();

    std::optional<std::chrono::milliseconds> read_timeout;
    if (is_long_poll(op)) read_timeout = options_.poll_read_timeout;
    if (options_.transport) co_return co_await options_.transport(std::move(req), read_timeout);
    co_return co_await pool_->send(endpoint_, std::move(req), read_timeout);
}

void client::report(operation op, std::chrono::steady_clock::time_point started, const call_info& ci,
                    const error* e) {
    if (!options_.on_call) return;
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    options_.on_call(op, took.count(), ci, e);
}

asio::awaitable<result<std::string>> client::send_attempts(operation op, const std::string& body, call_info& ci,
                                                           const call_options& co) {
    calls_.fetch_add(1, std::memory_order_relaxed);
    ci = {};
    int quota_taken = 0;
    for (;;) {
        ++ci.attempts;
        auto resp = co_await attempt(op, body);
        if (resp && resp->status >= 200 && resp->status < 300) {
            if (!co.retry_until) quota_.release(quota_taken);
            ci.response_bytes = resp->body.size();
            co_return std::move(resp->body);
        }
        if (resp) ci.response_bytes = resp->body.size();
        error failure = resp ? decode_fault(resp->status, resp->body) : std::move(resp).error();
        const bool ambiguous = may_have_taken_effect(failure);
        bool give_up = !is_retryable(failure);
        std::chrono::milliseconds delay{0};
        if (!give_up && ambiguous && failure.http_status == 0 && repeat_is_visible(op)) {
            failure.message += "; the request may have taken effect (its answer was lost), and " +
                               std::string(api_name(op)) + " is not sent twice: check before sending it again";
            give_up = true;
        }
        if (!give_up) {
            delay = backoff_delay(options_.retry, ci.attempts, uniform());
            if (co.retry_until) {
                // The last attempt goes a second before the deadline rather
                // than not at all when the back-off would sleep past it.
                const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
                    *co.retry_until - options_.clock->now() - std::chrono::seconds{1});
                if (remaining.count() <= 0) {
                    give_up = true;
                    ci.deadline_reached = true;
                } else {
                    delay = std::min(delay, remaining);
                }
            } else {
                give_up = ci.attempts >= options_.retry.max_attempts || !quota_.acquire(failure, quota_taken);
            }
        }
        if (give_up) {
            if (ci.attempts > 1) failure.message += " (after " + std::to_string(ci.attempts) + " attempts)";
            co_return failure;
        }
        if (ambiguous) ci.earlier_attempt_ambiguous = true;
        retries_.fetch_add(1, std::memory_order_relaxed);
        co_await pause(delay);
    }
}

asio::awaitable<result<std::string>> client::send(operation op, std::string body, call_info* info) {
    call_info local;
    call_info& ci = info ? *info : local;
    const auto started = std::chrono::steady_clock::now();
    auto r = co_await send_attempts(op, body, ci, {});
    report(op, started, ci, r ? nullptr : &r.error());
    co_return r;
}

template <class In, class Out>
asio::awaitable<result<Out>> client::invoke(operation op, const In& request, call_options co, call_info* info) {
    if (auto valid = codec::validate(request); !valid) {
        auto e = std::move(valid).error();
        e.message = std::string(api_name(op)) + ": " + e.message;
        co_return e;
    }
    call_info local;
    call_info& ci = info ? *info : local;
    const auto started = std::chrono::steady_clock::now();
    const auto call_started = options_.clock->now();
    auto body = co_await send_attempts(op, codec::encode(request), ci, co);
    if (!body) {
        auto e = std::move(body).error();
        if (ci.earlier_attempt_ambiguous) {
            // The earlier attempt took effect; its answer was lost.
            if ((answers_by_task_token(op) && e.is(model::fault::unknown_resource)) ||
                (is_registration(op) && (e.is(model::fault::type_already_exists) || e.is(model::fault::domain_already_exists)))) {
                ci.settled_by_effect = true;
                report(op, started, ci, nullptr);
                co_return Out{};
            }
            if constexpr (std::is_same_v<In, model::start_workflow_execution_input>) {
                if (e.is(model::fault::workflow_execution_already_started)) {
                    if (auto run_id = co_await running_run_id(*this, request, call_started)) {
                        ci.settled_by_effect = true;
                        report(op, started, ci, nullptr);
                        Out out{};
                        out.run_id = *run_id;
                        co_return out;
                    }
                }
            }
        }
        if (is_registration(op) && (e.is(model::fault::type_already_exists) || e.is(model::fault::domain_already_exists))) {
            ci.already_exists = true;
            report(op, started, ci, nullptr);
            co_return e;
        }
        report(op, started, ci, &e);
        co_return e;
    }
    // Operations that return nothing may answer with an empty body.
    auto out = codec::decode<Out>(body->empty() ? std::string_view("{}") : std::string_view(*body));
    if (!out) {
        auto e = std::move(out).error();
        e.kind = error_kind::fatal;
        e.code = "InvalidResponse";
        e.message = std::string(api_name(op)) + " response: " + e.message;
        report(op, started, ci, &e);
        co_return e;
    }
    report(op, started, ci, nullptr);
    co_return std::move(*out);
}

#define SWFRT_X(api, snake, in, out)                                                                              \
    asio::awaitable<result<model::out>> client::snake(model::in request) {                                      \
        co_return co_await invoke<model::in, model::out>(operation::snake, request, {}, nullptr);                \
    }                                                                                                              \
    asio::awaitable<result<model::out>> client::snake(model::in request, call_options options, call_info* info) { \
        co_return co_await invoke<model::in, model::out>(operation::snake, request, std::move(options), info);    \
    }
SWFRT_SWF_OPERATIONS(SWFRT_X)
#undef SWFRT_X

asio::awaitable<result<std::string>> client::call_json(operation op, std::string_view request_json, bool all_pages) {
    {
        // On-Demand parsing reports a broken document only where it stops;
        // say plainly that the input is not JSON.
        simdjson::dom::parser parser;
        simdjson::dom::element root;
        if (auto ec = parser.parse(simdjson::padded_string(request_json)).get(root))
            co_return make_error(error_kind::validation, "DecodeError",
                                 std::string(api_name(op)) + " input: malformed JSON: " + simdjson::error_message(ec));
    }
    codec::decode_options strict;
    strict.strict = true;
    switch (op) {
#define SWFRT_X(api, snake, in, out)                                                                              \
    case operation::snake: {                                                                                       \
        auto req = codec::decode<model::in>(request_json, strict);                                               \
        if (!req) {                                                                                                \
            auto e = std::move(req).error();                                                                       \
            e.message = #api " input: " + e.message;                                                              \
            co_return e;                                                                                           \
        }                                                                                                          \
        auto res = co_await one_or_all_pages<model::out>(*this, std::move(*req), all_pages,                      \
                                                         [this](model::in r) { return snake(std::move(r)); });    \
        if (!res) co_return std::move(res).error();                                                                \
        if (empty_poll(*res)) co_return std::string("{}");                                                         \
        co_return codec::encode(*res);                                                                             \
    }
        SWFRT_SWF_OPERATIONS(SWFRT_X)
#undef SWFRT_X
    }
    co_return make_error(error_kind::validation, "UnknownOperation", "unknown operation");
}

} // namespace swfrt::swf::client
