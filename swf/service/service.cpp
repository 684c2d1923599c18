#include "swf/service/service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cmath>
#include <random>
#include <tuple>

#include "swf/codec/codec.hpp"
#include "swf/codec/fit.hpp"
#include "swf/model/events.hpp"
#include "swf/model/limits.hpp"
#include "swf/service/state.hpp"
#include "swf/service/store.hpp"

#include <set>

#include <simdjson.h>

namespace swfrt::swf::service {

namespace limits = model::limits;

namespace {

constexpr std::string_view swf_fault_prefix = "com.amazonaws.swf.base.model#";

double to_timestamp(time_point t) {
    using namespace std::chrono;
    return static_cast<double>(duration_cast<milliseconds>(t.time_since_epoch()).count()) / 1000.0;
}

// SWF's durations: a count of seconds, or NONE.
std::optional<timeout> parse_timeout(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    if (*s == "NONE") return timeout{};
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc{} || p != s->data() + s->size() || v < 0) return std::nullopt;
    return timeout{v};
}

// A domain's retention period in days, 0 to 90 ("NONE", like 0, keeps no
// closed execution); empty for anything else.
std::optional<std::int64_t> retention_days(std::string_view s) {
    if (s == "NONE") return 0;
    std::int64_t n = -1;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || p != s.data() + s.size() || n < 0 || n > 90) return std::nullopt;
    return n;
}

std::string timeout_text(const timeout& t) { return t ? std::to_string(*t) : std::string("NONE"); }

template <class T>
reply ok(const T& value) {
    return {200, codec::encode(value)};
}
// An operation without output answers 200 with an empty body, as SWF does.
reply ok(const model::empty&) { return {200, {}}; }

// A ValidationException whose message is exactly `message` (SWF's checks
// of a request as a whole, e.g. "Close must be last decision in list").
reply refused(std::string_view message) {
    std::string body = R"({"__type":"com.amazon.coral.validate#ValidationException","message":)";
    codec::append_json_string(body, message);
    body += "}";
    return {400, std::move(body)};
}

// A member that fails its constraint, counted as AWS counts them.
reply validation(std::string_view message) { return refused("1 validation error detected: " + std::string(message)); }

reply unknown(std::string_view message) { return fault_reply("UnknownResourceFault", message); }

std::string describe(const model::workflow_type& t) {
    return "WorkflowType=[name=" + t.name + ", version=" + t.version + "]";
}
std::string describe(const model::activity_type& t) {
    return "ActivityType=[name=" + t.name + ", version=" + t.version + "]";
}
std::string describe(const model::workflow_execution& e) {
    return "WorkflowExecution=[workflowId=" + e.workflow_id + ", runId=" + e.run_id + "]";
}

// Opaque page tokens: what they point at, checked when they come back.
std::string page_token(std::string_view what, std::size_t offset) {
    std::string raw = std::string(what) + "|" + std::to_string(offset);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "p";
    for (unsigned char c : raw) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

std::optional<std::size_t> read_page_token(std::string_view token, std::string_view what) {
    if (token.size() < 3 || token[0] != 'p' || token.size() % 2 == 0) return std::nullopt;
    std::string raw;
    auto val = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 1; i + 1 < token.size(); i += 2) {
        int hi = val(token[i]), lo = val(token[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        raw += static_cast<char>(hi * 16 + lo);
    }
    auto bar = raw.rfind('|');
    if (bar == std::string::npos || std::string_view(raw).substr(0, bar) != what) return std::nullopt;
    std::size_t off = 0;
    auto [p, ec] = std::from_chars(raw.data() + bar + 1, raw.data() + raw.size(), off);
    if (ec != std::errc{} || p != raw.data() + raw.size()) return std::nullopt;
    return off;
}

// A task token, "<kind><serial>.<event id>.<attempt>", read back (the
// service makes them so; anything else is no token of its).
struct token_parts {
    std::uint64_t serial = 0;
    std::int64_t event = 0;
    std::uint64_t attempt = 0;
};

std::optional<token_parts> read_task_token(std::string_view token, char kind) {
    if (token.size() < 2 || token[0] != kind) return std::nullopt;
    token_parts t;
    const char* end = token.data() + token.size();
    auto r1 = std::from_chars(token.data() + 1, end, t.serial);
    if (r1.ec != std::errc{} || r1.ptr == end || *r1.ptr != '.') return std::nullopt;
    auto r2 = std::from_chars(r1.ptr + 1, end, t.event);
    if (r2.ec != std::errc{} || r2.ptr == end || *r2.ptr != '.') return std::nullopt;
    auto r3 = std::from_chars(r2.ptr + 1, end, t.attempt);
    if (r3.ec != std::errc{} || r3.ptr != end) return std::nullopt;
    return t;
}

// One page of items [offset, offset + size) in the asked order.
template <class T>
struct page {
    std::vector<T> items;
    std::optional<std::string> next;
};

template <class T>
result<page<T>> paginate(std::vector<T> all, const std::optional<std::int32_t>& size,
                         const std::optional<std::string>& token, bool reverse, std::string_view what) {
    std::size_t n = size && *size > 0 ? static_cast<std::size_t>(*size) : limits::max_page_size;
    n = std::min<std::size_t>(n, limits::max_page_size);
    std::size_t offset = 0;
    if (token) {
        auto o = read_page_token(*token, what);
        if (!o || *o > all.size())
            return make_error(error_kind::validation, "ValidationException", "Invalid nextPageToken");
        offset = *o;
    }
    if (reverse) std::reverse(all.begin(), all.end());
    page<T> out;
    auto end = std::min(all.size(), offset + n);
    for (std::size_t i = offset; i < end; ++i) out.items.push_back(std::move(all[i]));
    if (end < all.size()) out.next = page_token(what, end);
    return out;
}

} // namespace

reply fault_reply(std::string_view fault, std::string_view message, int status) {
    std::string body = R"({"__type":")";
    body += swf_fault_prefix;
    body += fault;
    body += R"(","message":)";
    codec::append_json_string(body, message);
    body += "}";
    return {status, std::move(body)};
}

// ------------------------------------------------------------------ state

struct service::state {
    service_options opt;
    std::mt19937_64 rng{std::random_device{}()};
    std::map<std::string, domain_rec> domains;
    // By domain, name and version.
    using type_key = std::tuple<std::string, std::string, std::string>;
    template <class T>
    static type_key key_of(const std::string& domain, const T& t) {
        return {domain, t.name, t.version};
    }
    std::map<type_key, workflow_type_rec> workflow_types;
    std::map<type_key, activity_type_rec> activity_types;
    std::map<std::uint64_t, std::unique_ptr<execution>> executions;
    std::map<std::pair<std::string, std::string>, std::uint64_t> open_by_id; // domain, workflow id
    std::map<std::pair<std::string, std::string>, std::uint64_t> by_run;     // domain, run id
    std::uint64_t next_serial = 1;
    std::uint64_t next_poll = 1;
    std::map<list_key, std::deque<std::uint64_t>> decision_queue;
    std::map<list_key, std::deque<std::pair<std::uint64_t, std::string>>> activity_queue;
    std::map<std::uint64_t, held_poll> held;
    std::map<list_key, std::deque<std::uint64_t>> held_decision, held_activity;
    // Deadlines are checked against the state when they come due; those
    // that no longer matter are dropped from the front when seen.
    mutable std::multimap<time_point, deadline> deadlines;
    // Closed executions by when their domain's retention period ends: then
    // they are gone from every call, as in SWF.
    std::multimap<time_point, std::uint64_t> expiries;
    // While a decision task's decisions are applied, decider wake-ups of
    // that execution only set decision_needed, and activity tasks are handed
    // out only after the last decision's events (a held poll must not put an
    // ActivityTaskStarted among them).
    std::uint64_t completing = 0;
    std::vector<list_key> dispatch_after;

    explicit state(service_options o) : opt(std::move(o)) {}

    // ---- throttling

    struct bucket {
        double tokens = 0;
        time_point at{};
    };
    std::map<std::string, bucket> buckets;

    // Takes a token of `name`'s bucket (key: the bucket's own instance, e.g.
    // per execution); false when it is empty. No rate: never throttled.
    bool take(std::string_view name, const std::string& key) {
        auto r = opt.throttle.find(name);
        if (r == opt.throttle.end()) return true;
        auto [it, fresh] = buckets.try_emplace(key);
        auto& b = it->second;
        const auto t = now();
        if (fresh) {
            b.tokens = r->second.bucket;
        } else {
            const double secs = std::chrono::duration<double>(t - b.at).count();
            b.tokens = std::min(r->second.bucket, b.tokens + std::max(0.0, secs) * r->second.refill);
        }
        b.at = t;
        if (b.tokens < 1) return false;
        b.tokens -= 1;
        return true;
    }
    bool take_for(std::string_view name, const execution& x) {
        return take(name, std::string(name) + "|" + std::to_string(x.serial));
    }

    time_point now() const { return opt.clock->now(); }

    std::string new_run_id() {
        static constexpr char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string id;
        for (int i = 0; i < 44; ++i) id += chars[rng() % 64];
        id[43] = '=';
        return id;
    }

    std::string arn(const std::string& domain) const {
        return "arn:aws:swf:" + opt.region + ":" + opt.account + ":/domain/" + domain;
    }

    // ---- lookups

    domain_rec* find_domain(const std::string& name) {
        auto it = domains.find(name);
        return it == domains.end() ? nullptr : &it->second;
    }
    workflow_type_rec* find_type(const std::string& domain, const model::workflow_type& t) {
        auto it = workflow_types.find(key_of(domain, t));
        return it == workflow_types.end() ? nullptr : &it->second;
    }
    activity_type_rec* find_type(const std::string& domain, const model::activity_type& t) {
        auto it = activity_types.find(key_of(domain, t));
        return it == activity_types.end() ? nullptr : &it->second;
    }
    execution* by_serial(std::uint64_t s) {
        auto it = executions.find(s);
        return it == executions.end() ? nullptr : it->second.get();
    }
    execution* find_execution(const std::string& domain, const model::workflow_execution& we) {
        auto it = by_run.find({domain, we.run_id});
        if (it == by_run.end()) return nullptr;
        auto* x = by_serial(it->second);
        return x && x->we.workflow_id == we.workflow_id ? x : nullptr;
    }
    // The open run of a workflow id (or the given run, open or not).
    execution* find_target(const std::string& domain, const std::string& workflow_id,
                           const std::optional<std::string>& run_id) {
        if (run_id && !run_id->empty()) return find_execution(domain, {*run_id, workflow_id});
        auto it = open_by_id.find({domain, workflow_id});
        return it == open_by_id.end() ? nullptr : by_serial(it->second);
    }

    // ---- history

    // ---- durability: what changed since the last write
    std::set<std::uint64_t> dirty;
    std::set<std::uint64_t> removed; // executions past their retention
    bool catalog_dirty = false;
    std::map<std::uint64_t, std::size_t> events_written;
    std::optional<std::string> write_failure;
    void persist();
    result<void> restore();
    std::string catalog_json() const;
    std::string record_json(const execution& x) const;

    std::int64_t add(execution& x, model::history_event e) {
        dirty.insert(x.serial);
        e.event_id = static_cast<std::int64_t>(x.events.size()) + 1;
        e.event_timestamp = to_timestamp(now());
        x.events.push_back(std::move(e));
        return x.events.back().event_id;
    }

    void arm(time_point at, deadline d) { deadlines.emplace(at, std::move(d)); }
    void arm_after(std::int64_t seconds, deadline d) { arm(now() + std::chrono::seconds{seconds}, std::move(d)); }

    // Something happened that the decider must see.
    void wake(execution& x) {
        if (!x.open()) return;
        if (x.decision == decision_state::started || completing == x.serial) {
            x.decision_needed = true;
            return;
        }
        if (x.decision == decision_state::scheduled) return;
        schedule_decision(x);
    }

    void schedule_decision(execution& x) {
        model::decision_task_scheduled_event_attributes a;
        a.task_list.name = x.list_override.value_or(x.config.task_list.name);
        a.start_to_close_timeout = timeout_text(x.task_start_to_close);
        if (x.list_override && x.list_override_schedule_to_start)
            a.schedule_to_start_timeout = timeout_text(x.list_override_schedule_to_start);
        a.task_priority = x.config.task_priority;
        x.decision_list = a.task_list.name;
        x.decision = decision_state::scheduled;
        x.decision_scheduled_at = now();
        x.decision_needed = false;
        x.decision_scheduled_id = add(x, model::make_event(std::move(a)));
        if (x.list_override && x.list_override_schedule_to_start)
            arm_after(*x.list_override_schedule_to_start,
                      {deadline::kind::decision_schedule_to_start, x.serial, {}, x.decision_scheduled_id});
        decision_queue[{x.domain, x.decision_list}].push_back(x.serial);
        dispatch_decisions({x.domain, x.decision_list});
    }

    // ---- handing out tasks

    // The next queued decision task of a list that is still to be handed out.
    execution* next_decision(const list_key& key) {
        auto qi = decision_queue.find(key);
        if (qi == decision_queue.end()) return nullptr;
        auto& q = qi->second;
        while (!q.empty()) {
            auto* x = by_serial(q.front());
            q.pop_front();
            if (x && x->open() && x->decision == decision_state::scheduled && x->decision_list == key.second)
                return x;
        }
        return nullptr;
    }

    std::pair<execution*, activity_rec*> next_activity(const list_key& key) {
        auto qi = activity_queue.find(key);
        if (qi == activity_queue.end()) return {nullptr, nullptr};
        auto& q = qi->second;
        while (!q.empty()) {
            auto [serial, id] = q.front();
            q.pop_front();
            auto* x = by_serial(serial);
            if (!x || !x->open()) continue;
            auto it = x->activities.find(id);
            if (it == x->activities.end() || it->second.started_id != 0 || it->second.task_list != key.second) continue;
            return {x, &it->second};
        }
        return {nullptr, nullptr};
    }

    std::string decision_token(const execution& x) const {
        return "d" + std::to_string(x.serial) + "." + std::to_string(x.decision_started_id) + "." +
               std::to_string(x.decision_attempt);
    }
    std::string activity_token(const execution& x, const activity_rec& a) const {
        return "a" + std::to_string(x.serial) + "." + std::to_string(a.scheduled_id) + "." + std::to_string(a.attempt);
    }

    // Starts the decision task and builds the poll's answer.
    reply start_decision(execution& x, const held_poll& p) {
        model::decision_task_started_event_attributes a;
        a.scheduled_event_id = x.decision_scheduled_id;
        if (!p.identity.empty()) a.identity = p.identity;
        x.decision = decision_state::started;
        x.decision_started_at = now();
        ++x.decision_attempt;
        x.decision_started_id = add(x, model::make_event(std::move(a)));
        if (x.task_start_to_close)
            arm_after(*x.task_start_to_close,
                      {deadline::kind::decision_start_to_close, x.serial, {}, x.decision_started_id});
        return decision_page(x, p.page_size, p.reverse, p.from_previous_started, {});
    }

    // A page of the started decision task's history.
    reply decision_page(execution& x, std::int32_t size, bool reverse, bool from_previous_started,
                        const std::optional<std::string>& token) {
        const std::string what = "decision:" + decision_token(x) + (reverse ? ":r" : ":f") +
                                 (from_previous_started ? ":s" : ":a");
        std::size_t first = 0;
        if (from_previous_started && x.previous_started_id > 0)
            first = static_cast<std::size_t>(x.previous_started_id - 1);
        // The events up to the DecisionTaskStarted event of this task.
        std::vector<model::history_event> events(
            x.events.begin() + static_cast<std::ptrdiff_t>(first),
            x.events.begin() + static_cast<std::ptrdiff_t>(x.decision_started_id));
        auto pg = paginate(std::move(events), size, token, reverse, what);
        if (!pg) return validation(pg.error().message);
        model::decision_task t;
        t.events = std::move(pg->items);
        t.next_page_token = pg->next;
        t.previous_started_event_id = x.previous_started_id;
        t.started_event_id = x.decision_started_id;
        t.task_token = decision_token(x);
        t.workflow_execution = x.we;
        t.workflow_type = x.type;
        return ok(t);
    }

    reply start_activity(execution& x, activity_rec& a, const held_poll& p) {
        model::activity_task_started_event_attributes s;
        s.scheduled_event_id = a.scheduled_id;
        if (!p.identity.empty()) s.identity = p.identity;
        ++a.attempt;
        a.started_id = add(x, model::make_event(std::move(s)));
        a.started_at = now();
        a.last_heartbeat = a.started_at;
        x.latest_activity_at = a.started_at;
        if (a.start_to_close)
            arm_after(*a.start_to_close, {deadline::kind::activity_start_to_close, x.serial, a.activity_id, a.started_id});
        if (a.heartbeat)
            arm_after(*a.heartbeat, {deadline::kind::activity_heartbeat, x.serial, a.activity_id, a.started_id});
        model::activity_task t;
        t.activity_id = a.activity_id;
        t.activity_type = a.type;
        t.input = a.input;
        t.started_event_id = a.started_id;
        t.task_token = activity_token(x, a);
        t.workflow_execution = x.we;
        return ok(t);
    }

    void dispatch_decisions(const list_key& key) {
        auto hi = held_decision.find(key);
        if (hi == held_decision.end()) return;
        auto& waiting = hi->second;
        while (!waiting.empty()) {
            auto pit = held.find(waiting.front());
            if (pit == held.end()) {
                waiting.pop_front();
                continue;
            }
            auto* x = next_decision(key);
            if (!x) return;
            waiting.pop_front();
            held_poll p = std::move(pit->second);
            held.erase(pit);
            auto r = start_decision(*x, p);
            p.answer(std::move(r));
        }
    }

    void dispatch_activities(const list_key& key) {
        auto hi = held_activity.find(key);
        if (hi == held_activity.end()) return;
        auto& waiting = hi->second;
        while (!waiting.empty()) {
            auto pit = held.find(waiting.front());
            if (pit == held.end()) {
                waiting.pop_front();
                continue;
            }
            auto [x, a] = next_activity(key);
            if (!x) return;
            waiting.pop_front();
            held_poll p = std::move(pit->second);
            held.erase(pit);
            auto r = start_activity(*x, *a, p);
            p.answer(std::move(r));
        }
    }

    // ---- closing

    // How long the domain keeps closed executions: its retention period in
    // days ("0" or "NONE": not at all).
    std::chrono::seconds retention(const std::string& domain) const {
        auto it = domains.find(domain);
        if (it == domains.end()) return std::chrono::seconds{0};
        const auto days = retention_days(it->second.config.workflow_execution_retention_period_in_days);
        return std::chrono::seconds{days.value_or(0) * 86400};
    }
    // Forgets the closed executions whose retention period is over.
    void expire_due() {
        const auto t = now();
        while (!expiries.empty() && expiries.begin()->first <= t) {
            const auto serial = expiries.begin()->second;
            expiries.erase(expiries.begin());
            auto it = executions.find(serial);
            if (it == executions.end() || it->second->open()) continue;
            const auto& x = *it->second;
            by_run.erase({x.domain, x.we.run_id});
            dirty.erase(serial);
            events_written.erase(serial);
            removed.insert(serial);
            // The serial is never used again (the catalog keeps the next).
            catalog_dirty = true;
            executions.erase(it);
        }
    }

    void close(execution& x, model::close_status status, model::history_event close_event);
    void apply_child_policy(execution& x, model::child_policy policy);
    void notify_parent(execution& x);
    void terminate(execution& x, std::optional<std::string> reason, std::optional<std::string> details,
                   std::optional<model::child_policy> policy, std::optional<model::workflow_execution_terminated_cause> cause);
    // Terminates x when `room` more events (and the termination's own) would
    // not fit in SWF's limit.
    void check_event_limit(execution& x, std::size_t room = 0) {
        if (x.open() && x.events.size() + room + 1 >= limits::max_history_events)
            terminate(x, std::string("Workflow execution exceeded the limit of ") +
                             std::to_string(limits::max_history_events) + " history events",
                      {}, {}, model::workflow_execution_terminated_cause::event_limit_exceeded);
    }

    // ---- starting

    struct start_request {
        std::string domain;
        std::string workflow_id;
        model::workflow_type type;
        std::optional<std::string> input, task_list, execution_timeout, task_timeout, lambda_role, priority;
        std::optional<model::child_policy> child_policy;
        std::vector<std::string> tags;
        std::optional<std::uint64_t> parent;
        std::int64_t parent_initiated_id = 0;
        std::optional<std::string> continued_from;
    };
    // Resolves defaults from the type; the cause names what is missing.
    enum class start_problem { none, type_unknown, type_deprecated, no_task_list, no_execution_timeout, no_task_timeout, no_child_policy };
    start_problem resolve(start_request& r) {
        auto* t = find_type(r.domain, r.type);
        if (!t) return start_problem::type_unknown;
        if (t->info.status == model::registration_status::deprecated) return start_problem::type_deprecated;
        const auto& c = t->config;
        if (!r.task_list && c.default_task_list) r.task_list = c.default_task_list->name;
        if (!r.execution_timeout) r.execution_timeout = c.default_execution_start_to_close_timeout;
        if (!r.task_timeout) r.task_timeout = c.default_task_start_to_close_timeout;
        if (!r.child_policy) r.child_policy = c.default_child_policy;
        if (!r.lambda_role) r.lambda_role = c.default_lambda_role;
        if (!r.priority) r.priority = c.default_task_priority;
        if (!r.task_list) return start_problem::no_task_list;
        if (!r.execution_timeout) return start_problem::no_execution_timeout;
        if (!r.task_timeout) return start_problem::no_task_timeout;
        if (!r.child_policy) return start_problem::no_child_policy;
        return start_problem::none;
    }

    execution& start(start_request r) {
        auto x = std::make_unique<execution>();
        x->serial = next_serial++;
        x->domain = r.domain;
        x->we.workflow_id = r.workflow_id;
        x->we.run_id = new_run_id();
        x->type = r.type;
        x->config.task_list.name = *r.task_list;
        x->config.child_policy = *r.child_policy;
        x->config.execution_start_to_close_timeout = *r.execution_timeout;
        x->config.task_start_to_close_timeout = *r.task_timeout;
        x->config.lambda_role = r.lambda_role;
        x->config.task_priority = r.priority;
        x->execution_start_to_close = parse_timeout(r.execution_timeout).value_or(timeout{});
        x->task_start_to_close = parse_timeout(r.task_timeout).value_or(timeout{});
        x->tags = r.tags;
        x->started_at = now();
        x->parent = r.parent;
        x->parent_initiated_id = r.parent_initiated_id;
        model::workflow_execution_started_event_attributes a;
        a.child_policy = *r.child_policy;
        a.continued_execution_run_id = r.continued_from;
        a.execution_start_to_close_timeout = r.execution_timeout;
        a.input = r.input;
        a.lambda_role = r.lambda_role;
        a.tag_list = r.tags;
        a.task_list.name = *r.task_list;
        a.task_priority = r.priority;
        a.task_start_to_close_timeout = r.task_timeout;
        a.workflow_type = r.type;
        if (r.parent) {
            if (auto* p = by_serial(*r.parent)) {
                a.parent_workflow_execution = p->we;
                a.parent_initiated_event_id = r.parent_initiated_id;
            }
        }
        auto& ref = *x;
        add(ref, model::make_event(std::move(a)));
        open_by_id[{ref.domain, ref.we.workflow_id}] = ref.serial;
        by_run[{ref.domain, ref.we.run_id}] = ref.serial;
        executions.emplace(ref.serial, std::move(x));
        if (ref.execution_start_to_close)
            arm_after(*ref.execution_start_to_close, {deadline::kind::execution_start_to_close, ref.serial, {}, 0});
        schedule_decision(ref);
        return ref;
    }

    // ---- decisions

    reply complete_decision(const model::respond_decision_task_completed_input& in);
    void apply(execution& x, const model::decision& d, std::int64_t completed_id, bool& closed);

    // ---- timeouts

    void fire(const deadline& d);
    // Whether firing d would still do something.
    bool relevant(const deadline& d) const {
        auto it = executions.find(d.serial);
        if (it == executions.end() || !it->second->open()) return false;
        const execution& x = *it->second;
        using k = deadline::kind;
        switch (d.what) {
        case k::timer: {
            auto t = x.timers.find(d.key);
            return t != x.timers.end() && t->second.started_id == d.ref;
        }
        case k::activity_schedule_to_start: {
            auto a = x.activities.find(d.key);
            return a != x.activities.end() && a->second.scheduled_id == d.ref && a->second.started_id == 0;
        }
        case k::activity_schedule_to_close: {
            auto a = x.activities.find(d.key);
            return a != x.activities.end() && a->second.scheduled_id == d.ref;
        }
        case k::activity_start_to_close:
        case k::activity_heartbeat: {
            auto a = x.activities.find(d.key);
            return a != x.activities.end() && a->second.started_id == d.ref;
        }
        case k::decision_start_to_close:
            return x.decision == decision_state::started && x.decision_started_id == d.ref;
        case k::decision_schedule_to_start:
            return x.decision == decision_state::scheduled && x.decision_scheduled_id == d.ref;
        case k::execution_start_to_close:
            return true;
        }
        return false;
    }
};

// ---------------------------------------------------------------- closing

void service::state::close(execution& x, model::close_status status, model::history_event close_event) {
    add(x, std::move(close_event));
    x.close = status;
    x.closed_at = now();
    expiries.emplace(*x.closed_at + retention(x.domain), x.serial);
    open_by_id.erase({x.domain, x.we.workflow_id});
    x.decision = decision_state::none;
    x.decision_needed = false;
    x.timers.clear();
    x.activities.clear();
    x.lambdas.clear();
    if (status != model::close_status::continued_as_new) notify_parent(x);
    if (!x.children.empty()) apply_child_policy(x, x.config.child_policy);
}

void service::state::apply_child_policy(execution& x, model::child_policy policy) {
    auto children = x.children;
    for (auto& [wid, c] : children) {
        auto* child = c.run_id.empty() ? nullptr : find_execution(x.domain, {c.run_id, c.workflow_id});
        if (!child || !child->open()) continue;
        if (policy == model::child_policy::terminate) {
            terminate(*child, {}, {}, {}, model::workflow_execution_terminated_cause::child_policy_applied);
        } else if (policy == model::child_policy::request_cancel) {
            model::workflow_execution_cancel_requested_event_attributes a;
            a.cause = model::workflow_execution_cancel_requested_cause::child_policy_applied;
            child->cancel_requested = true;
            add(*child, model::make_event(std::move(a)));
            wake(*child);
        }
    }
}

void service::state::notify_parent(execution& x) {
    if (!x.parent) return;
    auto* p = by_serial(*x.parent);
    if (!p || !p->open()) return;
    auto it = p->children.find(x.we.workflow_id);
    if (it == p->children.end() || it->second.run_id != x.we.run_id) return;
    const child_rec c = it->second;
    p->children.erase(it);
    const auto& close_event = x.events.back();
    model::history_event e;
    switch (*x.close) {
    case model::close_status::completed: {
        model::child_workflow_execution_completed_event_attributes a;
        a.initiated_event_id = c.initiated_id;
        a.started_event_id = c.started_id;
        a.workflow_execution = x.we;
        a.workflow_type = x.type;
        a.result_ = close_event.workflow_execution_completed_event_attributes->result_;
        e = model::make_event(std::move(a));
        break;
    }
    case model::close_status::failed: {
        model::child_workflow_execution_failed_event_attributes a;
        a.initiated_event_id = c.initiated_id;
        a.started_event_id = c.started_id;
        a.workflow_execution = x.we;
        a.workflow_type = x.type;
        a.reason = close_event.workflow_execution_failed_event_attributes->reason;
        a.details = close_event.workflow_execution_failed_event_attributes->details;
        e = model::make_event(std::move(a));
        break;
    }
    case model::close_status::canceled: {
        model::child_workflow_execution_canceled_event_attributes a;
        a.initiated_event_id = c.initiated_id;
        a.started_event_id = c.started_id;
        a.workflow_execution = x.we;
        a.workflow_type = x.type;
        a.details = close_event.workflow_execution_canceled_event_attributes->details;
        e = model::make_event(std::move(a));
        break;
    }
    case model::close_status::terminated: {
        model::child_workflow_execution_terminated_event_attributes a;
        a.initiated_event_id = c.initiated_id;
        a.started_event_id = c.started_id;
        a.workflow_execution = x.we;
        a.workflow_type = x.type;
        e = model::make_event(std::move(a));
        break;
    }
    case model::close_status::timed_out: {
        model::child_workflow_execution_timed_out_event_attributes a;
        a.initiated_event_id = c.initiated_id;
        a.started_event_id = c.started_id;
        a.workflow_execution = x.we;
        a.workflow_type = x.type;
        a.timeout_type = model::workflow_execution_timeout_type::start_to_close;
        e = model::make_event(std::move(a));
        break;
    }
    default:
        return;
    }
    add(*p, std::move(e));
    wake(*p);
    check_event_limit(*p);
}

void service::state::terminate(execution& x, std::optional<std::string> reason, std::optional<std::string> details,
                               std::optional<model::child_policy> policy,
                               std::optional<model::workflow_execution_terminated_cause> cause) {
    model::workflow_execution_terminated_event_attributes a;
    a.reason = std::move(reason);
    a.details = std::move(details);
    a.child_policy = policy.value_or(x.config.child_policy);
    a.cause = cause;
    x.config.child_policy = a.child_policy;
    close(x, model::close_status::terminated, model::make_event(std::move(a)));
}

// -------------------------------------------------------------- decisions

namespace {

// The decisions as they will be applied: each with the attributes of its
// type (the close decisions, whose members are all optional, may come
// without them); a decision without what it needs refuses the whole answer,
// before anything of it is applied.
result<std::vector<model::decision>> complete_attributes(std::vector<model::decision> decisions) {
    using dt = model::decision_type;
    for (std::size_t i = 0; i < decisions.size(); ++i) {
        auto& d = decisions[i];
        bool present = false;
        switch (d.decision_type) {
        case dt::schedule_activity_task: present = bool(d.schedule_activity_task_decision_attributes); break;
        case dt::request_cancel_activity_task: present = bool(d.request_cancel_activity_task_decision_attributes); break;
        case dt::record_marker: present = bool(d.record_marker_decision_attributes); break;
        case dt::start_timer: present = bool(d.start_timer_decision_attributes); break;
        case dt::cancel_timer: present = bool(d.cancel_timer_decision_attributes); break;
        case dt::signal_external_workflow_execution:
            present = bool(d.signal_external_workflow_execution_decision_attributes);
            break;
        case dt::request_cancel_external_workflow_execution:
            present = bool(d.request_cancel_external_workflow_execution_decision_attributes);
            break;
        case dt::start_child_workflow_execution: present = bool(d.start_child_workflow_execution_decision_attributes); break;
        case dt::schedule_lambda_function: present = bool(d.schedule_lambda_function_decision_attributes); break;
        case dt::complete_workflow_execution:
            if (!d.complete_workflow_execution_decision_attributes) d.complete_workflow_execution_decision_attributes.emplace();
            present = true;
            break;
        case dt::fail_workflow_execution:
            if (!d.fail_workflow_execution_decision_attributes) d.fail_workflow_execution_decision_attributes.emplace();
            present = true;
            break;
        case dt::cancel_workflow_execution:
            if (!d.cancel_workflow_execution_decision_attributes) d.cancel_workflow_execution_decision_attributes.emplace();
            present = true;
            break;
        case dt::continue_as_new_workflow_execution:
            if (!d.continue_as_new_workflow_execution_decision_attributes)
                d.continue_as_new_workflow_execution_decision_attributes.emplace();
            present = true;
            break;
        default: break;
        }
        if (!present) {
            const std::string type(model::to_string(d.decision_type, d.decision_type_text));
            return make_error(error_kind::validation, "ValidationException",
                              type + "DecisionAttributes must be specified for decision of type " + type);
        }
        // A decision that closes the execution comes last: SWF refuses the
        // whole answer otherwise, and applies nothing of it.
        if (codec::closes_execution(d.decision_type) && i + 1 < decisions.size())
            return make_error(error_kind::validation, "ValidationException", "Close must be last decision in list");
    }
    return decisions;
}

} // namespace

reply service::state::complete_decision(const model::respond_decision_task_completed_input& in) {
    auto decisions = complete_attributes(in.decisions);
    if (!decisions) return refused(decisions.error().message);
    // The token names its execution: no search through the others.
    execution* x = nullptr;
    if (auto t = read_task_token(in.task_token, 'd'))
        if (auto* e = by_serial(t->serial);
            e && e->open() && e->decision == decision_state::started && decision_token(*e) == in.task_token)
            x = e;
    if (!x) return unknown("Unknown decision task token: the task was answered, timed out or never existed");
    model::decision_task_completed_event_attributes done;
    done.scheduled_event_id = x->decision_scheduled_id;
    done.started_event_id = x->decision_started_id;
    done.execution_context = in.execution_context;
    if (in.task_list) {
        done.task_list = *in.task_list;
        done.task_list_schedule_to_start_timeout = in.task_list_schedule_to_start_timeout;
    }
    if (in.execution_context) x->latest_context = in.execution_context;
    x->previous_started_id = x->decision_started_id;
    x->decision = decision_state::none;
    const std::int64_t completed_id = add(*x, model::make_event(std::move(done)));
    if (in.task_list) {
        x->list_override = in.task_list->name;
        x->list_override_schedule_to_start = parse_timeout(in.task_list_schedule_to_start_timeout).value_or(timeout{});
    }
    completing = x->serial;
    bool closed = false;
    // A decision records at most three events in its own history: the
    // limit is checked before each, so that a long list of decisions cannot
    // carry the history past it.
    constexpr std::size_t most_events_of_a_decision = 3;
    for (const auto& d : *decisions) {
        if (closed) break;
        check_event_limit(*x, most_events_of_a_decision);
        if (!x->open()) break;
        apply(*x, d, completed_id, closed);
    }
    completing = 0;
    if (x->open() && x->decision_needed) schedule_decision(*x);
    auto keys = std::move(dispatch_after);
    dispatch_after.clear();
    for (const auto& key : keys) dispatch_activities(key);
    if (x->open()) check_event_limit(*x);
    return ok(model::empty{});
}

namespace {

template <class Attrs, class Cause>
model::history_event close_failed(Cause cause, std::int64_t completed_id) {
    Attrs a;
    a.cause = cause;
    a.decision_task_completed_event_id = completed_id;
    return model::make_event(std::move(a));
}

} // namespace

void service::state::apply(execution& x, const model::decision& d, std::int64_t completed_id, bool& closed) {
    using dt = model::decision_type;
    // A close with unhandled events is refused; the next decision task
    // shows the decider what it missed.
    const bool unhandled = x.decision_needed;
    switch (d.decision_type) {
    case dt::schedule_activity_task: {
        const auto& a = *d.schedule_activity_task_decision_attributes;
        auto fail = [&](model::schedule_activity_task_failed_cause cause) {
            model::schedule_activity_task_failed_event_attributes f;
            f.activity_id = a.activity_id;
            f.activity_type = a.activity_type;
            f.cause = cause;
            f.decision_task_completed_event_id = completed_id;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
        };
        using c = model::schedule_activity_task_failed_cause;
        if (!take("decision:ScheduleActivityTask", "decision:ScheduleActivityTask")) return fail(c::activity_creation_rate_exceeded);
        auto* t = find_type(x.domain, a.activity_type);
        if (!t) return fail(c::activity_type_does_not_exist);
        if (t->info.status == model::registration_status::deprecated) return fail(c::activity_type_deprecated);
        if (x.activities.count(a.activity_id)) return fail(c::activity_id_already_in_use);
        if (x.activities.size() >= limits::max_open_activities) return fail(c::open_activities_limit_exceeded);
        const auto& cfg = t->config;
        std::optional<std::string> list = a.task_list ? std::optional<std::string>(a.task_list->name)
                                                      : (cfg.default_task_list ? std::optional<std::string>(cfg.default_task_list->name)
                                                                               : std::nullopt);
        if (!list) return fail(c::default_task_list_undefined);
        auto s2c = a.schedule_to_close_timeout ? a.schedule_to_close_timeout : cfg.default_task_schedule_to_close_timeout;
        auto s2s = a.schedule_to_start_timeout ? a.schedule_to_start_timeout : cfg.default_task_schedule_to_start_timeout;
        auto st2c = a.start_to_close_timeout ? a.start_to_close_timeout : cfg.default_task_start_to_close_timeout;
        auto hb = a.heartbeat_timeout ? a.heartbeat_timeout : cfg.default_task_heartbeat_timeout;
        if (!s2c) return fail(c::default_schedule_to_close_timeout_undefined);
        if (!s2s) return fail(c::default_schedule_to_start_timeout_undefined);
        if (!st2c) return fail(c::default_start_to_close_timeout_undefined);
        if (!hb) return fail(c::default_heartbeat_timeout_undefined);
        model::activity_task_scheduled_event_attributes e;
        e.activity_id = a.activity_id;
        e.activity_type = a.activity_type;
        e.control = a.control;
        e.decision_task_completed_event_id = completed_id;
        e.heartbeat_timeout = hb;
        e.input = a.input;
        e.schedule_to_close_timeout = s2c;
        e.schedule_to_start_timeout = s2s;
        e.start_to_close_timeout = st2c;
        e.task_list.name = *list;
        e.task_priority = a.task_priority ? a.task_priority : cfg.default_task_priority;
        activity_rec r;
        r.activity_id = a.activity_id;
        r.type = a.activity_type;
        r.task_list = *list;
        r.input = a.input;
        r.schedule_to_close = parse_timeout(s2c).value_or(timeout{});
        r.schedule_to_start = parse_timeout(s2s).value_or(timeout{});
        r.start_to_close = parse_timeout(st2c).value_or(timeout{});
        r.heartbeat = parse_timeout(hb).value_or(timeout{});
        r.scheduled_at = now();
        r.scheduled_id = add(x, model::make_event(std::move(e)));
        if (r.schedule_to_start)
            arm_after(*r.schedule_to_start, {deadline::kind::activity_schedule_to_start, x.serial, r.activity_id, r.scheduled_id});
        if (r.schedule_to_close)
            arm_after(*r.schedule_to_close, {deadline::kind::activity_schedule_to_close, x.serial, r.activity_id, r.scheduled_id});
        const list_key key{x.domain, r.task_list};
        x.activities.emplace(r.activity_id, std::move(r));
        activity_queue[key].emplace_back(x.serial, a.activity_id);
        if (completing == x.serial)
            dispatch_after.push_back(key);
        else
            dispatch_activities(key);
        return;
    }
    case dt::request_cancel_activity_task: {
        const auto& a = *d.request_cancel_activity_task_decision_attributes;
        auto it = x.activities.find(a.activity_id);
        if (it == x.activities.end()) {
            model::request_cancel_activity_task_failed_event_attributes f;
            f.activity_id = a.activity_id;
            f.cause = model::request_cancel_activity_task_failed_cause::activity_id_unknown;
            f.decision_task_completed_event_id = completed_id;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
            return;
        }
        model::activity_task_cancel_requested_event_attributes r;
        r.activity_id = a.activity_id;
        r.decision_task_completed_event_id = completed_id;
        it->second.cancel_requested_id = add(x, model::make_event(std::move(r)));
        if (it->second.started_id == 0) {
            // Not handed out yet: canceled at once.
            model::activity_task_canceled_event_attributes c;
            c.scheduled_event_id = it->second.scheduled_id;
            c.latest_cancel_requested_event_id = it->second.cancel_requested_id;
            add(x, model::make_event(std::move(c)));
            x.activities.erase(it);
            x.decision_needed = true;
        }
        return;
    }
    case dt::start_timer: {
        const auto& a = *d.start_timer_decision_attributes;
        auto fail = [&](model::start_timer_failed_cause cause) {
            model::start_timer_failed_event_attributes f;
            f.cause = cause;
            f.decision_task_completed_event_id = completed_id;
            f.timer_id = a.timer_id;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
        };
        if (!take("decision:StartTimer", "decision:StartTimer")) return fail(model::start_timer_failed_cause::timer_creation_rate_exceeded);
        if (x.timers.count(a.timer_id)) return fail(model::start_timer_failed_cause::timer_id_already_in_use);
        if (x.timers.size() >= limits::max_open_timers) return fail(model::start_timer_failed_cause::open_timers_limit_exceeded);
        auto seconds = parse_timeout(a.start_to_fire_timeout);
        model::timer_started_event_attributes e;
        e.control = a.control;
        e.decision_task_completed_event_id = completed_id;
        e.start_to_fire_timeout = a.start_to_fire_timeout;
        e.timer_id = a.timer_id;
        timer_rec t;
        t.timer_id = a.timer_id;
        t.started_id = add(x, model::make_event(std::move(e)));
        t.fire_at = now() + std::chrono::seconds{seconds && *seconds ? **seconds : 0};
        arm(t.fire_at, {deadline::kind::timer, x.serial, t.timer_id, t.started_id});
        x.timers.emplace(t.timer_id, t);
        return;
    }
    case dt::cancel_timer: {
        const auto& a = *d.cancel_timer_decision_attributes;
        auto it = x.timers.find(a.timer_id);
        if (it == x.timers.end()) {
            model::cancel_timer_failed_event_attributes f;
            f.cause = model::cancel_timer_failed_cause::timer_id_unknown;
            f.decision_task_completed_event_id = completed_id;
            f.timer_id = a.timer_id;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
            return;
        }
        model::timer_canceled_event_attributes e;
        e.decision_task_completed_event_id = completed_id;
        e.started_event_id = it->second.started_id;
        e.timer_id = a.timer_id;
        add(x, model::make_event(std::move(e)));
        x.timers.erase(it);
        return;
    }
    case dt::record_marker: {
        const auto& a = *d.record_marker_decision_attributes;
        model::marker_recorded_event_attributes e;
        e.decision_task_completed_event_id = completed_id;
        e.details = a.details;
        e.marker_name = a.marker_name;
        add(x, model::make_event(std::move(e)));
        return;
    }
    case dt::complete_workflow_execution: {
        if (unhandled) {
            add(x, close_failed<model::complete_workflow_execution_failed_event_attributes>(
                       model::complete_workflow_execution_failed_cause::unhandled_decision, completed_id));
            return;
        }
        model::workflow_execution_completed_event_attributes e;
        e.decision_task_completed_event_id = completed_id;
        e.result_ = d.complete_workflow_execution_decision_attributes->result_;
        closed = true;
        close(x, model::close_status::completed, model::make_event(std::move(e)));
        return;
    }
    case dt::fail_workflow_execution: {
        if (unhandled) {
            add(x, close_failed<model::fail_workflow_execution_failed_event_attributes>(
                       model::fail_workflow_execution_failed_cause::unhandled_decision, completed_id));
            return;
        }
        model::workflow_execution_failed_event_attributes e;
        e.decision_task_completed_event_id = completed_id;
        e.reason = d.fail_workflow_execution_decision_attributes->reason;
        e.details = d.fail_workflow_execution_decision_attributes->details;
        closed = true;
        close(x, model::close_status::failed, model::make_event(std::move(e)));
        return;
    }
    case dt::cancel_workflow_execution: {
        if (unhandled) {
            add(x, close_failed<model::cancel_workflow_execution_failed_event_attributes>(
                       model::cancel_workflow_execution_failed_cause::unhandled_decision, completed_id));
            return;
        }
        model::workflow_execution_canceled_event_attributes e;
        e.decision_task_completed_event_id = completed_id;
        e.details = d.cancel_workflow_execution_decision_attributes->details;
        closed = true;
        close(x, model::close_status::canceled, model::make_event(std::move(e)));
        return;
    }
    case dt::continue_as_new_workflow_execution: {
        const auto& a = *d.continue_as_new_workflow_execution_decision_attributes;
        using c = model::continue_as_new_workflow_execution_failed_cause;
        auto fail = [&](c cause) {
            add(x, close_failed<model::continue_as_new_workflow_execution_failed_event_attributes>(cause, completed_id));
        };
        if (unhandled) return fail(c::unhandled_decision);
        start_request r;
        r.domain = x.domain;
        r.workflow_id = x.we.workflow_id;
        r.type = x.type;
        if (a.workflow_type_version) r.type.version = *a.workflow_type_version;
        r.input = a.input;
        r.task_list = a.task_list ? std::optional<std::string>(a.task_list->name) : std::optional<std::string>(x.config.task_list.name);
        r.execution_timeout = a.execution_start_to_close_timeout ? a.execution_start_to_close_timeout
                                                                  : std::optional<std::string>(x.config.execution_start_to_close_timeout);
        r.task_timeout = a.task_start_to_close_timeout ? a.task_start_to_close_timeout
                                                       : std::optional<std::string>(x.config.task_start_to_close_timeout);
        r.child_policy = a.child_policy ? a.child_policy : std::optional<model::child_policy>(x.config.child_policy);
        r.lambda_role = a.lambda_role ? a.lambda_role : x.config.lambda_role;
        r.priority = a.task_priority ? a.task_priority : x.config.task_priority;
        r.tags = a.tag_list.empty() ? x.tags : a.tag_list;
        r.parent = x.parent;
        r.parent_initiated_id = x.parent_initiated_id;
        r.continued_from = x.we.run_id;
        switch (resolve(r)) {
        case start_problem::none: break;
        case start_problem::type_unknown: return fail(c::workflow_type_does_not_exist);
        case start_problem::type_deprecated: return fail(c::workflow_type_deprecated);
        case start_problem::no_task_list: return fail(c::default_task_list_undefined);
        case start_problem::no_execution_timeout: return fail(c::default_execution_start_to_close_timeout_undefined);
        case start_problem::no_task_timeout: return fail(c::default_task_start_to_close_timeout_undefined);
        case start_problem::no_child_policy: return fail(c::default_child_policy_undefined);
        }
        // The new run's id is known before this run's close event names it.
        closed = true;
        const auto old_serial = x.serial;
        const auto parent = x.parent;
        open_by_id.erase({x.domain, x.we.workflow_id});
        x.parent.reset(); // the new run takes the link to the parent
        auto& next = start(r);
        execution& old = *by_serial(old_serial);
        model::workflow_execution_continued_as_new_event_attributes e;
        e.child_policy = next.config.child_policy;
        e.decision_task_completed_event_id = completed_id;
        e.execution_start_to_close_timeout = next.config.execution_start_to_close_timeout;
        e.input = r.input;
        e.lambda_role = next.config.lambda_role;
        e.new_execution_run_id = next.we.run_id;
        e.tag_list = next.tags;
        e.task_list = next.config.task_list;
        e.task_priority = next.config.task_priority;
        e.task_start_to_close_timeout = next.config.task_start_to_close_timeout;
        e.workflow_type = next.type;
        close(old, model::close_status::continued_as_new, model::make_event(std::move(e)));
        open_by_id[{next.domain, next.we.workflow_id}] = next.serial;
        if (parent)
            if (auto* p = by_serial(*parent)) {
                auto it = p->children.find(next.we.workflow_id);
                if (it != p->children.end()) it->second.run_id = next.we.run_id;
            }
        return;
    }
    case dt::signal_external_workflow_execution: {
        const auto& a = *d.signal_external_workflow_execution_decision_attributes;
        model::signal_external_workflow_execution_initiated_event_attributes i;
        i.control = a.control;
        i.decision_task_completed_event_id = completed_id;
        i.input = a.input;
        i.run_id = a.run_id;
        i.signal_name = a.signal_name;
        i.workflow_id = a.workflow_id;
        const auto initiated = add(x, model::make_event(std::move(i)));
        auto* target = find_target(x.domain, a.workflow_id, a.run_id);
        const bool throttled = !take("decision:SignalExternalWorkflowExecution", "decision:SignalExternalWorkflowExecution");
        if (throttled || !target || !target->open()) {
            model::signal_external_workflow_execution_failed_event_attributes f;
            f.cause = throttled ? model::signal_external_workflow_execution_failed_cause::signal_external_workflow_execution_rate_exceeded
                                : model::signal_external_workflow_execution_failed_cause::unknown_external_workflow_execution;
            f.control = a.control;
            f.decision_task_completed_event_id = completed_id;
            f.initiated_event_id = initiated;
            f.run_id = a.run_id;
            f.workflow_id = a.workflow_id;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
            return;
        }
        model::workflow_execution_signaled_event_attributes s;
        s.external_initiated_event_id = initiated;
        s.external_workflow_execution = x.we;
        s.input = a.input;
        s.signal_name = a.signal_name;
        add(*target, model::make_event(std::move(s)));
        const auto target_we = target->we;
        wake(*target);
        model::external_workflow_execution_signaled_event_attributes done;
        done.initiated_event_id = initiated;
        done.workflow_execution = target_we;
        add(x, model::make_event(std::move(done)));
        x.decision_needed = true;
        return;
    }
    case dt::request_cancel_external_workflow_execution: {
        const auto& a = *d.request_cancel_external_workflow_execution_decision_attributes;
        model::request_cancel_external_workflow_execution_initiated_event_attributes i;
        i.control = a.control;
        i.decision_task_completed_event_id = completed_id;
        i.run_id = a.run_id;
        i.workflow_id = a.workflow_id;
        const auto initiated = add(x, model::make_event(std::move(i)));
        auto* target = find_target(x.domain, a.workflow_id, a.run_id);
        const bool throttled =
            !take("decision:RequestCancelExternalWorkflowExecution", "decision:RequestCancelExternalWorkflowExecution");
        if (throttled || !target || !target->open()) {
            model::request_cancel_external_workflow_execution_failed_event_attributes f;
            f.cause = throttled ? model::request_cancel_external_workflow_execution_failed_cause::
                                      request_cancel_external_workflow_execution_rate_exceeded
                                : model::request_cancel_external_workflow_execution_failed_cause::unknown_external_workflow_execution;
            f.control = a.control;
            f.decision_task_completed_event_id = completed_id;
            f.initiated_event_id = initiated;
            f.run_id = a.run_id;
            f.workflow_id = a.workflow_id;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
            return;
        }
        model::workflow_execution_cancel_requested_event_attributes r;
        r.external_initiated_event_id = initiated;
        r.external_workflow_execution = x.we;
        target->cancel_requested = true;
        add(*target, model::make_event(std::move(r)));
        const auto target_we = target->we;
        wake(*target);
        model::external_workflow_execution_cancel_requested_event_attributes done;
        done.initiated_event_id = initiated;
        done.workflow_execution = target_we;
        add(x, model::make_event(std::move(done)));
        x.decision_needed = true;
        return;
    }
    case dt::start_child_workflow_execution: {
        const auto& a = *d.start_child_workflow_execution_decision_attributes;
        using c = model::start_child_workflow_execution_failed_cause;
        auto fail = [&](c cause, std::int64_t initiated) {
            model::start_child_workflow_execution_failed_event_attributes f;
            f.cause = cause;
            f.control = a.control;
            f.decision_task_completed_event_id = completed_id;
            f.initiated_event_id = initiated;
            f.workflow_id = a.workflow_id;
            f.workflow_type = a.workflow_type;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
        };
        if (!take("decision:StartChildWorkflowExecution", "decision:StartChildWorkflowExecution"))
            return fail(c::child_creation_rate_exceeded, 0);
        start_request r;
        r.domain = x.domain;
        r.workflow_id = a.workflow_id;
        r.type = a.workflow_type;
        r.input = a.input;
        if (a.task_list) r.task_list = a.task_list->name;
        r.execution_timeout = a.execution_start_to_close_timeout;
        r.task_timeout = a.task_start_to_close_timeout;
        r.child_policy = a.child_policy;
        r.lambda_role = a.lambda_role;
        r.priority = a.task_priority;
        r.tags = a.tag_list;
        switch (resolve(r)) {
        case start_problem::none: break;
        case start_problem::type_unknown: return fail(c::workflow_type_does_not_exist, 0);
        case start_problem::type_deprecated: return fail(c::workflow_type_deprecated, 0);
        case start_problem::no_task_list: return fail(c::default_task_list_undefined, 0);
        case start_problem::no_execution_timeout: return fail(c::default_execution_start_to_close_timeout_undefined, 0);
        case start_problem::no_task_timeout: return fail(c::default_task_start_to_close_timeout_undefined, 0);
        case start_problem::no_child_policy: return fail(c::default_child_policy_undefined, 0);
        }
        if (x.children.size() >= limits::max_open_child_executions) return fail(c::open_children_limit_exceeded, 0);
        model::start_child_workflow_execution_initiated_event_attributes i;
        i.child_policy = *r.child_policy;
        i.control = a.control;
        i.decision_task_completed_event_id = completed_id;
        i.execution_start_to_close_timeout = r.execution_timeout;
        i.input = a.input;
        i.lambda_role = r.lambda_role;
        i.tag_list = a.tag_list;
        i.task_list.name = *r.task_list;
        i.task_priority = r.priority;
        i.task_start_to_close_timeout = r.task_timeout;
        i.workflow_id = a.workflow_id;
        i.workflow_type = a.workflow_type;
        const auto initiated = add(x, model::make_event(std::move(i)));
        if (open_by_id.count({x.domain, a.workflow_id})) return fail(c::workflow_already_running, initiated);
        r.parent = x.serial;
        r.parent_initiated_id = initiated;
        const auto parent_serial = x.serial;
        auto& child = start(r);
        execution& parent = *by_serial(parent_serial);
        child_rec cr;
        cr.workflow_id = child.we.workflow_id;
        cr.run_id = child.we.run_id;
        cr.type = child.type;
        cr.initiated_id = initiated;
        model::child_workflow_execution_started_event_attributes s;
        s.initiated_event_id = initiated;
        s.workflow_execution = child.we;
        s.workflow_type = child.type;
        cr.started_id = add(parent, model::make_event(std::move(s)));
        parent.children.emplace(cr.workflow_id, cr);
        parent.decision_needed = true;
        return;
    }
    case dt::schedule_lambda_function: {
        const auto& a = *d.schedule_lambda_function_decision_attributes;
        if (x.lambdas.count(a.id)) {
            model::schedule_lambda_function_failed_event_attributes f;
            f.cause = model::schedule_lambda_function_failed_cause::id_already_in_use;
            f.decision_task_completed_event_id = completed_id;
            f.id = a.id;
            f.name = a.name;
            add(x, model::make_event(std::move(f)));
            x.decision_needed = true;
            return;
        }
        model::lambda_function_scheduled_event_attributes s;
        s.control = a.control;
        s.decision_task_completed_event_id = completed_id;
        s.id = a.id;
        s.input = a.input;
        s.name = a.name;
        s.start_to_close_timeout = a.start_to_close_timeout;
        const auto scheduled = add(x, model::make_event(std::move(s)));
        x.decision_needed = true;
        if (!x.config.lambda_role) {
            model::start_lambda_function_failed_event_attributes f;
            f.cause = model::start_lambda_function_failed_cause::assume_role_failed;
            f.message = "The workflow execution has no lambdaRole: SWF cannot invoke " + a.name;
            f.scheduled_event_id = scheduled;
            add(x, model::make_event(std::move(f)));
            return;
        }
        if (!opt.lambda) {
            model::start_lambda_function_failed_event_attributes f;
            f.message = "No Lambda function named " + a.name + " exists on this server";
            f.scheduled_event_id = scheduled;
            add(x, model::make_event(std::move(f)));
            return;
        }
        model::lambda_function_started_event_attributes st;
        st.scheduled_event_id = scheduled;
        const auto started = add(x, model::make_event(std::move(st)));
        auto out = opt.lambda(a.name, a.input.value_or(""));
        if (out) {
            model::lambda_function_completed_event_attributes e;
            e.result_ = *out;
            e.scheduled_event_id = scheduled;
            e.started_event_id = started;
            add(x, model::make_event(std::move(e)));
        } else {
            model::lambda_function_failed_event_attributes e;
            e.reason = out.error().code;
            e.details = out.error().message;
            e.scheduled_event_id = scheduled;
            e.started_event_id = started;
            add(x, model::make_event(std::move(e)));
        }
        return;
    }
    default:
        return;
    }
}

// --------------------------------------------------------------- timeouts

void service::state::fire(const deadline& d) {
    auto* x = by_serial(d.serial);
    if (!x || !x->open()) return;
    using k = deadline::kind;
    switch (d.what) {
    case k::timer: {
        auto it = x->timers.find(d.key);
        if (it == x->timers.end() || it->second.started_id != d.ref) return;
        model::timer_fired_event_attributes e;
        e.started_event_id = it->second.started_id;
        e.timer_id = d.key;
        x->timers.erase(it);
        add(*x, model::make_event(std::move(e)));
        wake(*x);
        break;
    }
    case k::activity_schedule_to_start:
    case k::activity_schedule_to_close:
    case k::activity_start_to_close:
    case k::activity_heartbeat: {
        auto it = x->activities.find(d.key);
        if (it == x->activities.end()) return;
        auto& a = it->second;
        model::activity_task_timeout_type type{};
        if (d.what == k::activity_schedule_to_start) {
            if (a.scheduled_id != d.ref || a.started_id != 0) return;
            type = model::activity_task_timeout_type::schedule_to_start;
        } else if (d.what == k::activity_schedule_to_close) {
            if (a.scheduled_id != d.ref) return;
            type = model::activity_task_timeout_type::schedule_to_close;
        } else if (d.what == k::activity_start_to_close) {
            if (a.started_id != d.ref) return;
            type = model::activity_task_timeout_type::start_to_close;
        } else {
            if (a.started_id != d.ref) return;
            const auto due = a.last_heartbeat + std::chrono::seconds{*a.heartbeat};
            if (now() < due) {
                arm(due, d); // heartbeats came: look again then
                return;
            }
            type = model::activity_task_timeout_type::heartbeat;
        }
        model::activity_task_timed_out_event_attributes e;
        e.details = a.heartbeat_details;
        e.scheduled_event_id = a.scheduled_id;
        e.started_event_id = a.started_id;
        e.timeout_type = type;
        x->activities.erase(it);
        add(*x, model::make_event(std::move(e)));
        wake(*x);
        break;
    }
    case k::decision_start_to_close: {
        if (x->decision != decision_state::started || x->decision_started_id != d.ref) return;
        model::decision_task_timed_out_event_attributes e;
        e.scheduled_event_id = x->decision_scheduled_id;
        e.started_event_id = x->decision_started_id;
        e.timeout_type = model::decision_task_timeout_type::start_to_close;
        x->decision = decision_state::none;
        add(*x, model::make_event(std::move(e)));
        schedule_decision(*x);
        break;
    }
    case k::decision_schedule_to_start: {
        if (x->decision != decision_state::scheduled || x->decision_scheduled_id != d.ref) return;
        model::decision_task_timed_out_event_attributes e;
        e.scheduled_event_id = x->decision_scheduled_id;
        e.timeout_type = model::decision_task_timeout_type::schedule_to_start;
        x->decision = decision_state::none;
        add(*x, model::make_event(std::move(e)));
        // The override is given up: the next task goes to the execution's own list.
        x->list_override.reset();
        x->list_override_schedule_to_start.reset();
        schedule_decision(*x);
        break;
    }
    case k::execution_start_to_close: {
        model::workflow_execution_timed_out_event_attributes e;
        e.child_policy = x->config.child_policy;
        e.timeout_type = model::workflow_execution_timeout_type::start_to_close;
        close(*x, model::close_status::timed_out, model::make_event(std::move(e)));
        break;
    }
    }
    if (x->open()) check_event_limit(*x);
}

} // namespace swfrt::swf::service

// ------------------------------------------------------------- operations


namespace swfrt::swf::service {

throttle_rates swf_default_rates() {
    // The developer guide's throttling quotas (the same in every Region):
    // per account, per workflow execution, and of decisions per account.
    throttle_rates r;
    auto api = [&](const char* op, double bucket, double refill) { r[op] = rate{bucket, refill}; };
    api("CountClosedWorkflowExecutions", 2000, 6);
    api("CountOpenWorkflowExecutions", 2000, 6);
    api("CountPendingActivityTasks", 200, 6);
    api("CountPendingDecisionTasks", 200, 6);
    api("DeleteActivityType", 200, 6);
    api("DeleteWorkflowType", 200, 6);
    api("DeprecateActivityType", 200, 6);
    api("DeprecateDomain", 100, 6);
    api("DeprecateWorkflowType", 200, 6);
    api("DescribeActivityType", 2000, 6);
    api("DescribeDomain", 200, 6);
    api("DescribeWorkflowExecution", 2000, 6);
    api("DescribeWorkflowType", 2000, 6);
    api("GetWorkflowExecutionHistory", 2000, 60);
    api("ListActivityTypes", 200, 6);
    api("ListClosedWorkflowExecutions", 200, 6);
    api("ListDomains", 100, 6);
    api("ListOpenWorkflowExecutions", 200, 48);
    api("ListTagsForResource", 50, 30);
    api("ListWorkflowTypes", 200, 6);
    api("PollForActivityTask", 2000, 200);
    api("PollForDecisionTask", 2000, 200);
    api("RecordActivityTaskHeartbeat", 2000, 160);
    api("RegisterActivityType", 200, 60);
    api("RegisterDomain", 100, 6);
    api("RegisterWorkflowType", 200, 60);
    api("RequestCancelWorkflowExecution", 2000, 30);
    api("RespondActivityTaskCanceled", 2000, 200);
    api("RespondActivityTaskCompleted", 2000, 200);
    api("RespondActivityTaskFailed", 2000, 200);
    api("RespondDecisionTaskCompleted", 2000, 200);
    api("SignalWorkflowExecution", 2000, 30);
    api("StartWorkflowExecution", 2000, 200);
    api("TagResource", 50, 30);
    api("TerminateWorkflowExecution", 2000, 60);
    api("UndeprecateActivityType", 200, 6);
    api("UndeprecateDomain", 100, 6);
    api("UndeprecateWorkflowType", 200, 6);
    api("UntagResource", 50, 30);
    api("workflow:GetWorkflowExecutionHistory", 400, 200);
    api("workflow:SignalWorkflowExecution", 1000, 1000);
    api("workflow:RecordActivityTaskHeartbeat", 1000, 1000);
    api("workflow:RequestCancelWorkflowExecution", 200, 200);
    api("decision:RequestCancelExternalWorkflowExecution", 1200, 120);
    api("decision:ScheduleActivityTask", 1000, 200);
    api("decision:SignalExternalWorkflowExecution", 1200, 120);
    api("decision:StartChildWorkflowExecution", 500, 12);
    api("decision:StartTimer", 2000, 200);
    return r;
}

result<throttle_rates> read_rates(std::string_view text) {
    throttle_rates out;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto nl = text.find('\n');
        std::string line(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::vector<std::string> words;
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
            std::size_t j = i;
            while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
            if (j > i) words.push_back(line.substr(i, j - i));
            i = j;
        }
        if (words.empty()) continue;
        auto bad = [&](const std::string& why) {
            return make_error(error_kind::validation, "InvalidThrottleFile",
                              "line " + std::to_string(line_no) + ": " + why);
        };
        if (words.size() != 3) return bad("expected NAME BUCKET REFILL, e.g. PollForActivityTask 2000 200");
        char* end = nullptr;
        const double bucket = std::strtod(words[1].c_str(), &end);
        if (*end || !(bucket >= 1)) return bad("the bucket size " + words[1] + " is not a number of at least 1");
        const double refill = std::strtod(words[2].c_str(), &end);
        if (*end || !(refill >= 0)) return bad("the refill rate " + words[2] + " is not a number of at least 0");
        out[words[0]] = rate{bucket, refill};
    }
    return out;
}

namespace {

// The codec's path of a member ("decisions[0].startTimerDecisionAttributes.timerId")
// in AWS's form, where list items count from 1 ("decisions.1.member.startTimerDecisionAttributes.timerId").
std::string aws_member_path(std::string_view path) {
    std::string out;
    out.reserve(path.size() + 16);
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '[') {
            out += path[i];
            continue;
        }
        const auto close = path.find(']', i);
        std::size_t index = 0;
        auto [p, ec] = std::from_chars(path.data() + i + 1, path.data() + (close == std::string_view::npos ? i + 1 : close), index);
        if (close == std::string_view::npos || ec != std::errc{} || p != path.data() + close) {
            out += path.substr(i); // not an index: left as it is
            break;
        }
        out += "." + std::to_string(index + 1) + ".member";
        i = close;
    }
    return out;
}

// A refused request in AWS's words: "Value 'v' at 'path' failed to satisfy
// constraint: Member must ...". A value longer than a line is left out, as
// AWS does for long values.
std::string constraint_message(const std::string& path, const std::string& constraint, const std::string& value,
                               bool null_value) {
    std::string v = null_value ? std::string("Value null") : value.size() <= 256 ? "Value '" + value + "'" : "Value";
    return v + " at '" + aws_member_path(path) + "' failed to satisfy constraint: " + constraint;
}

template <class In>
result<In> read(std::string_view body) {
    auto in = codec::decode<In>(body.empty() ? std::string_view("{}") : body);
    if (!in) {
        // "path: required member is missing" is SWF's null member.
        const auto& m = in.error().message;
        static constexpr std::string_view missing = ": required member is missing";
        if (m.size() > missing.size() && m.ends_with(missing))
            return make_error(error_kind::validation, "ValidationException",
                              constraint_message(m.substr(0, m.size() - missing.size()), "Member must not be null", "", true));
        return make_error(error_kind::validation, "ValidationException", m);
    }
    if (auto v = codec::validate(*in); !v) {
        // detail: the path, the constraint and the value, a line each.
        const auto& d = v.error().detail;
        auto a = d.find('\n');
        auto b = a == std::string::npos ? std::string::npos : d.find('\n', a + 1);
        if (b != std::string::npos && b > a + 1)
            return make_error(error_kind::validation, "ValidationException",
                              constraint_message(d.substr(0, a), d.substr(a + 1, b - a - 1), d.substr(b + 1), false));
        return make_error(error_kind::validation, "ValidationException", v.error().message);
    }
    return in;
}

bool valid_timeout_text(const std::optional<std::string>& s) { return !s || parse_timeout(s).has_value(); }

model::workflow_execution_info info_of(const execution& x) {
    model::workflow_execution_info i;
    if (x.cancel_requested) i.cancel_requested = true;
    i.close_status = x.close;
    if (x.closed_at) i.close_timestamp = to_timestamp(*x.closed_at);
    i.execution = x.we;
    i.execution_status = x.open() ? model::execution_status::open : model::execution_status::closed;
    i.start_timestamp = to_timestamp(x.started_at);
    i.tag_list = x.tags;
    i.workflow_type = x.type;
    return i;
}

bool in_window(time_point t, const model::execution_time_filter& f) {
    const double ts = to_timestamp(t);
    if (ts < f.oldest_date) return false;
    if (f.latest_date && ts > *f.latest_date) return false;
    return true;
}

} // namespace

namespace {
reply throttled() {
    return {400, R"({"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"})"};
}
} // namespace

struct service_ops {
    service::state& s;

    reply no_domain(const std::string& name) { return unknown("Unknown domain: " + name); }

    // A domain that exists (deprecated ones too).
    template <class Fn>
    reply in_domain(const std::string& name, Fn fn) {
        auto* d = s.find_domain(name);
        if (!d) return no_domain(name);
        return fn(*d);
    }

    // ---- domains

    reply register_domain(const model::register_domain_input& in) {
        const auto& days = in.workflow_execution_retention_period_in_days;
        if (!retention_days(days))
            return validation("Value '" + days + "' at 'workflowExecutionRetentionPeriodInDays' failed to satisfy "
                              "constraint: Member must be a number of days from 0 to 90");
        if (s.domains.count(in.name)) return fault_reply("DomainAlreadyExistsFault", in.name);
        domain_rec d;
        d.info.name = in.name;
        d.info.description = in.description;
        d.info.status = model::registration_status::registered;
        d.info.arn = s.arn(in.name);
        d.config.workflow_execution_retention_period_in_days = days;
        d.tags = in.tags;
        s.domains.emplace(in.name, std::move(d));
        return ok(model::empty{});
    }

    reply describe_domain(const model::describe_domain_input& in) {
        return in_domain(in.name, [&](domain_rec& d) {
            model::domain_detail out;
            out.domain_info = d.info;
            out.configuration = d.config;
            return ok(out);
        });
    }

    reply set_domain_status(const std::string& name, model::registration_status to) {
        return in_domain(name, [&](domain_rec& d) {
            if (d.info.status == to)
                return to == model::registration_status::deprecated
                           ? fault_reply("DomainDeprecatedFault", name)
                           : fault_reply("DomainAlreadyExistsFault", name);
            d.info.status = to;
            return ok(model::empty{});
        });
    }

    reply list_domains(const model::list_domains_input& in) {
        std::vector<model::domain_info> all;
        for (const auto& [name, d] : s.domains)
            if (d.info.status == in.registration_status) all.push_back(d.info);
        auto pg = paginate(std::move(all), in.maximum_page_size, in.next_page_token, in.reverse_order.value_or(false),
                           "domains:" + std::string(to_string(in.registration_status)));
        if (!pg) return validation(pg.error().message);
        model::domain_infos out;
        out.domain_infos = std::move(pg->items);
        out.next_page_token = pg->next;
        return ok(out);
    }

    // ---- types

    reply register_workflow_type(const model::register_workflow_type_input& in) {
        return in_domain(in.domain, [&](domain_rec& d) {
            if (d.info.status == model::registration_status::deprecated) return fault_reply("DomainDeprecatedFault", in.domain);
            if (!valid_timeout_text(in.default_execution_start_to_close_timeout) ||
                !valid_timeout_text(in.default_task_start_to_close_timeout))
                return validation("a default timeout is neither a number of seconds nor NONE");
            model::workflow_type t{in.name, in.version};
            if (s.find_type(in.domain, t)) return fault_reply("TypeAlreadyExistsFault", describe(t));
            workflow_type_rec r;
            r.info.workflow_type = t;
            r.info.creation_date = to_timestamp(s.now());
            r.info.description = in.description;
            r.info.status = model::registration_status::registered;
            r.config.default_child_policy = in.default_child_policy;
            r.config.default_execution_start_to_close_timeout = in.default_execution_start_to_close_timeout;
            r.config.default_lambda_role = in.default_lambda_role;
            r.config.default_task_list = in.default_task_list;
            r.config.default_task_priority = in.default_task_priority;
            r.config.default_task_start_to_close_timeout = in.default_task_start_to_close_timeout;
            s.workflow_types.emplace(service::state::key_of(in.domain, t), std::move(r));
            return ok(model::empty{});
        });
    }

    reply register_activity_type(const model::register_activity_type_input& in) {
        return in_domain(in.domain, [&](domain_rec& d) {
            if (d.info.status == model::registration_status::deprecated) return fault_reply("DomainDeprecatedFault", in.domain);
            if (!valid_timeout_text(in.default_task_heartbeat_timeout) ||
                !valid_timeout_text(in.default_task_schedule_to_close_timeout) ||
                !valid_timeout_text(in.default_task_schedule_to_start_timeout) ||
                !valid_timeout_text(in.default_task_start_to_close_timeout))
                return validation("a default timeout is neither a number of seconds nor NONE");
            model::activity_type t{in.name, in.version};
            if (s.find_type(in.domain, t)) return fault_reply("TypeAlreadyExistsFault", describe(t));
            activity_type_rec r;
            r.info.activity_type = t;
            r.info.creation_date = to_timestamp(s.now());
            r.info.description = in.description;
            r.info.status = model::registration_status::registered;
            r.config.default_task_heartbeat_timeout = in.default_task_heartbeat_timeout;
            r.config.default_task_list = in.default_task_list;
            r.config.default_task_priority = in.default_task_priority;
            r.config.default_task_schedule_to_close_timeout = in.default_task_schedule_to_close_timeout;
            r.config.default_task_schedule_to_start_timeout = in.default_task_schedule_to_start_timeout;
            r.config.default_task_start_to_close_timeout = in.default_task_start_to_close_timeout;
            s.activity_types.emplace(service::state::key_of(in.domain, t), std::move(r));
            return ok(model::empty{});
        });
    }

    template <class Type>
    reply describe_type(const std::string& domain, const Type& t) {
        return in_domain(domain, [&](domain_rec&) {
            auto* r = s.find_type(domain, t);
            if (!r) return unknown("Unknown type: " + describe(t));
            if constexpr (std::is_same_v<Type, model::workflow_type>) {
                model::workflow_type_detail out;
                out.type_info = r->info;
                out.configuration = r->config;
                return ok(out);
            } else {
                model::activity_type_detail out;
                out.type_info = r->info;
                out.configuration = r->config;
                return ok(out);
            }
        });
    }

    template <class Type>
    reply set_type_status(const std::string& domain, const Type& t, model::registration_status to) {
        return in_domain(domain, [&](domain_rec&) {
            auto* r = s.find_type(domain, t);
            if (!r) return unknown("Unknown type: " + describe(t));
            if (r->info.status == to)
                return to == model::registration_status::deprecated ? fault_reply("TypeDeprecatedFault", describe(t))
                                                                    : fault_reply("TypeAlreadyExistsFault", describe(t));
            r->info.status = to;
            if (to == model::registration_status::deprecated)
                r->info.deprecation_date = to_timestamp(s.now());
            else
                r->info.deprecation_date.reset();
            return ok(model::empty{});
        });
    }

    template <class Type>
    reply delete_type(const std::string& domain, const Type& t) {
        return in_domain(domain, [&](domain_rec&) {
            auto* r = s.find_type(domain, t);
            if (!r) return unknown("Unknown type: " + describe(t));
            // Only a deprecated type may be deleted.
            if (r->info.status != model::registration_status::deprecated)
                return fault_reply("TypeNotDeprecatedFault", describe(t));
            if constexpr (std::is_same_v<Type, model::workflow_type>)
                s.workflow_types.erase(service::state::key_of(domain, t));
            else
                s.activity_types.erase(service::state::key_of(domain, t));
            return ok(model::empty{});
        });
    }

    template <class In, class Out, class Map>
    reply list_types(const In& in, Map& types, std::string_view what) {
        return in_domain(in.domain, [&](domain_rec&) {
            std::vector<std::decay_t<decltype(types.begin()->second.info)>> all;
            for (const auto& [key, r] : types) {
                if (std::get<0>(key) != in.domain || r.info.status != in.registration_status) continue;
                if (in.name && std::get<1>(key) != *in.name) continue;
                all.push_back(r.info);
            }
            auto pg = paginate(std::move(all), in.maximum_page_size, in.next_page_token, in.reverse_order.value_or(false),
                               std::string(what) + ":" + in.domain);
            if (!pg) return validation(pg.error().message);
            Out out;
            out.type_infos = std::move(pg->items);
            out.next_page_token = pg->next;
            return ok(out);
        });
    }

    // ---- executions

    reply start_workflow_execution(const model::start_workflow_execution_input& in) {
        return in_domain(in.domain, [&](domain_rec& d) {
            if (d.info.status == model::registration_status::deprecated) return fault_reply("DomainDeprecatedFault", in.domain);
            if (!valid_timeout_text(in.execution_start_to_close_timeout) || !valid_timeout_text(in.task_start_to_close_timeout))
                return validation("a timeout is neither a number of seconds nor NONE");
            service::state::start_request r;
            r.domain = in.domain;
            r.workflow_id = in.workflow_id;
            r.type = in.workflow_type;
            r.input = in.input;
            if (in.task_list) r.task_list = in.task_list->name;
            r.execution_timeout = in.execution_start_to_close_timeout;
            r.task_timeout = in.task_start_to_close_timeout;
            r.child_policy = in.child_policy;
            r.lambda_role = in.lambda_role;
            r.priority = in.task_priority;
            r.tags = in.tag_list;
            using p = service::state::start_problem;
            switch (s.resolve(r)) {
            case p::none: break;
            case p::type_unknown: return unknown("Unknown type: " + describe(in.workflow_type));
            case p::type_deprecated: return fault_reply("TypeDeprecatedFault", describe(in.workflow_type));
            case p::no_task_list:
                return fault_reply("DefaultUndefinedFault", "No default task list defined for " + describe(in.workflow_type));
            case p::no_execution_timeout:
                return fault_reply("DefaultUndefinedFault",
                                   "No default execution start-to-close timeout defined for " + describe(in.workflow_type));
            case p::no_task_timeout:
                return fault_reply("DefaultUndefinedFault",
                                   "No default task start-to-close timeout defined for " + describe(in.workflow_type));
            case p::no_child_policy:
                return fault_reply("DefaultUndefinedFault", "No default child policy defined for " + describe(in.workflow_type));
            }
            if (s.open_by_id.count({in.domain, in.workflow_id}))
                return fault_reply("WorkflowExecutionAlreadyStartedFault", "WorkflowId " + in.workflow_id + " is already open");
            auto& x = s.start(std::move(r));
            model::run out;
            out.run_id = x.we.run_id;
            return ok(out);
        });
    }

    reply describe_workflow_execution(const model::describe_workflow_execution_input& in) {
        return in_domain(in.domain, [&](domain_rec&) {
            auto* x = s.find_execution(in.domain, in.execution);
            if (!x) return unknown("Unknown execution: " + describe(in.execution));
            model::workflow_execution_detail out;
            out.execution_configuration = x->config;
            out.execution_info = info_of(*x);
            if (x->parent)
                if (auto* p = s.by_serial(*x->parent)) out.execution_info.parent = p->we;
            if (x->latest_activity_at) out.latest_activity_task_timestamp = to_timestamp(*x->latest_activity_at);
            out.latest_execution_context = x->latest_context;
            out.open_counts.open_activity_tasks = static_cast<std::int32_t>(x->activities.size());
            out.open_counts.open_child_workflow_executions = static_cast<std::int32_t>(x->children.size());
            out.open_counts.open_decision_tasks = x->decision == decision_state::none ? 0 : 1;
            out.open_counts.open_lambda_functions = static_cast<std::int32_t>(x->lambdas.size());
            out.open_counts.open_timers = static_cast<std::int32_t>(x->timers.size());
            return ok(out);
        });
    }

    reply get_history(const model::get_workflow_execution_history_input& in) {
        return in_domain(in.domain, [&](domain_rec&) {
            auto* x = s.find_execution(in.domain, in.execution);
            if (!x) return unknown("Unknown execution: " + describe(in.execution));
            if (!s.take_for("workflow:GetWorkflowExecutionHistory", *x)) return throttled();
            const bool reverse = in.reverse_order.value_or(false);
            auto pg = paginate(x->events, in.maximum_page_size, in.next_page_token, reverse,
                               "history:" + x->we.run_id + (reverse ? ":r" : ":f"));
            if (!pg) return validation(pg.error().message);
            model::history out;
            out.events = std::move(pg->items);
            out.next_page_token = pg->next;
            return ok(out);
        });
    }

    template <class In>
    std::vector<const execution*> select(const In& in, bool open) {
        std::vector<const execution*> out;
        for (const auto& [serial, x] : s.executions) {
            if (x->domain != in.domain || x->open() != open) continue;
            if (in.execution_filter && x->we.workflow_id != in.execution_filter->workflow_id) continue;
            if (in.type_filter && (x->type.name != in.type_filter->name ||
                                   (in.type_filter->version && x->type.version != *in.type_filter->version)))
                continue;
            if (in.tag_filter && std::find(x->tags.begin(), x->tags.end(), in.tag_filter->tag) == x->tags.end()) continue;
            if constexpr (requires { in.close_status_filter; }) {
                if (in.close_status_filter && x->close != in.close_status_filter->status) continue;
                if (in.close_time_filter && (!x->closed_at || !in_window(*x->closed_at, *in.close_time_filter))) continue;
                if (in.start_time_filter && !in_window(x->started_at, *in.start_time_filter)) continue;
            } else {
                if (!in_window(x->started_at, in.start_time_filter)) continue;
            }
            out.push_back(x.get());
        }
        // Newest first, by start (or close) time.
        std::stable_sort(out.begin(), out.end(), [&](const execution* a, const execution* b) {
            if constexpr (requires { in.close_time_filter; })
                if (in.close_time_filter) return a->closed_at.value_or(time_point{}) > b->closed_at.value_or(time_point{});
            return a->started_at > b->started_at;
        });
        return out;
    }

    template <class In>
    std::optional<reply> filters_exclusive(const In& in) {
        int n = (in.execution_filter ? 1 : 0) + (in.type_filter ? 1 : 0) + (in.tag_filter ? 1 : 0);
        if constexpr (requires { in.close_status_filter; }) {
            n += in.close_status_filter ? 1 : 0;
            if (!in.start_time_filter == !in.close_time_filter)
                return validation("exactly one of startTimeFilter and closeTimeFilter must be given");
        }
        if (n > 1)
            return validation("executionFilter, typeFilter, tagFilter and closeStatusFilter are mutually exclusive");
        return std::nullopt;
    }

    template <class In>
    reply list_executions(const In& in, bool open) {
        return in_domain(in.domain, [&](domain_rec&) {
            if (auto bad = filters_exclusive(in)) return *bad;
            std::vector<model::workflow_execution_info> all;
            for (const auto* x : select(in, open)) all.push_back(info_of(*x));
            auto pg = paginate(std::move(all), in.maximum_page_size, in.next_page_token, in.reverse_order.value_or(false),
                               std::string(open ? "open:" : "closed:") + in.domain);
            if (!pg) return validation(pg.error().message);
            model::workflow_execution_infos out;
            out.execution_infos = std::move(pg->items);
            out.next_page_token = pg->next;
            return ok(out);
        });
    }

    template <class In>
    reply count_executions(const In& in, bool open) {
        return in_domain(in.domain, [&](domain_rec&) {
            if (auto bad = filters_exclusive(in)) return *bad;
            model::workflow_execution_count out;
            out.count = static_cast<std::int32_t>(select(in, open).size());
            out.truncated = false;
            return ok(out);
        });
    }

    reply signal(const model::signal_workflow_execution_input& in) {
        return in_domain(in.domain, [&](domain_rec&) {
            auto* x = s.find_target(in.domain, in.workflow_id, in.run_id);
            if (!x || !x->open()) return unknown("Unknown execution: WorkflowId=" + in.workflow_id);
            if (!s.take_for("workflow:SignalWorkflowExecution", *x)) return throttled();
            model::workflow_execution_signaled_event_attributes a;
            a.input = in.input;
            a.signal_name = in.signal_name;
            s.add(*x, model::make_event(std::move(a)));
            s.wake(*x);
            s.check_event_limit(*x);
            return ok(model::empty{});
        });
    }

    reply request_cancel(const model::request_cancel_workflow_execution_input& in) {
        return in_domain(in.domain, [&](domain_rec&) {
            auto* x = s.find_target(in.domain, in.workflow_id, in.run_id);
            if (!x || !x->open()) return unknown("Unknown execution: WorkflowId=" + in.workflow_id);
            if (!s.take_for("workflow:RequestCancelWorkflowExecution", *x)) return throttled();
            x->cancel_requested = true;
            s.add(*x, model::make_event(model::workflow_execution_cancel_requested_event_attributes{}));
            s.wake(*x);
            s.check_event_limit(*x);
            return ok(model::empty{});
        });
    }

    reply terminate(const model::terminate_workflow_execution_input& in) {
        return in_domain(in.domain, [&](domain_rec&) {
            auto* x = s.find_target(in.domain, in.workflow_id, in.run_id);
            if (!x || !x->open()) return unknown("Unknown execution: WorkflowId=" + in.workflow_id);
            s.terminate(*x, in.reason, in.details, in.child_policy, {});
            return ok(model::empty{});
        });
    }

    // ---- tasks

    reply empty_poll(bool decision) {
        // As SWF answers it: no taskToken at all (clients test for the
        // member; an empty string is what the API reference describes).
        return {200, decision ? R"({"previousStartedEventId":0,"startedEventId":0})" : R"({"startedEventId":0})"};
    }

    service::outcome poll_decision(const model::poll_for_decision_task_input& in, service::poll_callback cb) {
        auto* d = s.find_domain(in.domain);
        if (!d) return {no_domain(in.domain), 0};
        held_poll p;
        p.decision = true;
        p.domain = in.domain;
        p.task_list = in.task_list.name;
        p.identity = in.identity.value_or("");
        p.page_size = in.maximum_page_size.value_or(1000);
        p.reverse = in.reverse_order.value_or(false);
        p.from_previous_started = in.start_at_previous_started_event.value_or(false);
        if (in.next_page_token) {
            // The next page of a decision task already handed out.
            for (auto& [serial, x] : s.executions)
                if (x->domain == in.domain && x->open() && x->decision == decision_state::started) {
                    const std::string what = "decision:" + s.decision_token(*x) + (p.reverse ? ":r" : ":f") +
                                             (p.from_previous_started ? ":s" : ":a");
                    if (read_page_token(*in.next_page_token, what))
                        return {s.decision_page(*x, p.page_size, p.reverse, p.from_previous_started, in.next_page_token), 0};
                }
            return {validation("Invalid nextPageToken: its decision task is no longer started"), 0};
        }
        const list_key key{in.domain, in.task_list.name};
        if (auto* x = s.next_decision(key)) return {s.start_decision(*x, p), 0};
        return hold(std::move(p), key, s.held_decision[key], std::move(cb));
    }

    service::outcome poll_activity(const model::poll_for_activity_task_input& in, service::poll_callback cb) {
        if (!s.find_domain(in.domain)) return {no_domain(in.domain), 0};
        held_poll p;
        p.domain = in.domain;
        p.task_list = in.task_list.name;
        p.identity = in.identity.value_or("");
        const list_key key{in.domain, in.task_list.name};
        if (auto [x, a] = s.next_activity(key); x) return {s.start_activity(*x, *a, p), 0};
        return hold(std::move(p), key, s.held_activity[key], std::move(cb));
    }

    service::outcome hold(held_poll p, const list_key& key, std::deque<std::uint64_t>& waiting, service::poll_callback cb) {
        // Answered polls leave ids behind; drop them before counting.
        std::erase_if(waiting, [&](std::uint64_t id) { return !s.held.count(id); });
        if (waiting.size() >= limits::max_pollers_per_task_list)
            return {fault_reply("LimitExceededFault", "More than " + std::to_string(limits::max_pollers_per_task_list) +
                                                          " pollers on task list " + key.second),
                    0};
        if (!cb) return {empty_poll(p.decision), 0};
        p.id = s.next_poll++;
        p.answer = std::move(cb);
        waiting.push_back(p.id);
        const auto id = p.id;
        s.held.emplace(id, std::move(p));
        return {std::nullopt, id};
    }

    // The open activity a token names (started by a worker).
    std::pair<execution*, activity_rec*> activity_of(const std::string& token) {
        auto t = read_task_token(token, 'a');
        if (!t) return {nullptr, nullptr};
        auto* x = s.by_serial(t->serial);
        if (!x || !x->open()) return {nullptr, nullptr};
        for (auto& [id, a] : x->activities)
            if (a.scheduled_id == t->event && a.started_id != 0 && a.attempt == t->attempt) return {x, &a};
        return {nullptr, nullptr};
    }

    // SWF's words for a task that is no longer open; a token it never gave
    // says so.
    reply unknown_token(const std::string& token) {
        if (auto t = read_task_token(token, 'a'))
            return unknown("Unknown activity, scheduledEventId = " + std::to_string(t->event));
        return unknown("Unknown activity task token: the service never gave it");
    }

    template <class Fn>
    reply answer_activity(const std::string& token, Fn make_event) {
        auto [x, a] = activity_of(token);
        if (!x) return unknown_token(token);
        auto e = make_event(*a);
        x->activities.erase(a->activity_id);
        s.add(*x, std::move(e));
        s.wake(*x);
        s.check_event_limit(*x);
        return ok(model::empty{});
    }

    reply heartbeat(const model::record_activity_task_heartbeat_input& in) {
        auto [x, a] = activity_of(in.task_token);
        if (!x) return unknown_token(in.task_token);
        if (!s.take_for("workflow:RecordActivityTaskHeartbeat", *x)) return throttled();
        s.dirty.insert(x->serial);
        a->last_heartbeat = s.now();
        x->latest_activity_at = a->last_heartbeat;
        if (in.details) a->heartbeat_details = in.details;
        model::activity_task_status out;
        out.cancel_requested = a->cancel_requested_id != 0 || false;
        return ok(out);
    }

    std::size_t pending_decisions(const list_key& key) {
        std::size_t n = 0;
        if (auto it = s.decision_queue.find(key); it != s.decision_queue.end())
            for (auto serial : it->second)
                if (auto* x = s.by_serial(serial); x && x->open() && x->decision == decision_state::scheduled) ++n;
        return n;
    }
    std::size_t pending_activities(const list_key& key) {
        std::size_t n = 0;
        if (auto it = s.activity_queue.find(key); it != s.activity_queue.end())
            for (const auto& [serial, id] : it->second)
                if (auto* x = s.by_serial(serial); x && x->open())
                    if (auto a = x->activities.find(id); a != x->activities.end() && a->second.started_id == 0) ++n;
        return n;
    }

    // ---- tags

    domain_rec* by_arn(const std::string& arn) {
        for (auto& [name, d] : s.domains)
            if (d.info.arn == arn) return &d;
        return nullptr;
    }
};

service::service(service_options options) : s_(std::make_unique<state>(std::move(options))) {}
service::~service() = default;

std::size_t service::polls_held() const noexcept { return s_->held.size(); }

bool service::idle() const {
    for (const auto& [serial, x] : s_->executions)
        if (x->open() && (x->decision != decision_state::none || !x->activities.empty())) return false;
    return true;
}

result<void> service::register_domain(const std::string& name, const std::string& retention_days) {
    model::register_domain_input in;
    in.name = name;
    in.workflow_execution_retention_period_in_days = retention_days;
    auto r = service_ops{*s_}.register_domain(in);
    if (r.status == 200) s_->catalog_dirty = true;
    s_->persist();
    if (s_->write_failure)
        return make_error(error_kind::fatal, "StoreError", "cannot save domain " + name + ": " + *s_->write_failure);
    if (r.status != 200 && r.body.find("DomainAlreadyExistsFault") == std::string::npos)
        return make_error(error_kind::validation, "InvalidDomain", "cannot register domain " + name + ": " + r.body);
    return {};
}

std::optional<reply> service::expire_poll(std::uint64_t held) {
    auto it = s_->held.find(held);
    if (it == s_->held.end()) return std::nullopt;
    const bool decision = it->second.decision;
    s_->held.erase(it);
    return service_ops{*s_}.empty_poll(decision);
}

std::optional<swf::clock::time_point> service::next_deadline() const {
    auto& d = s_->deadlines;
    while (!d.empty() && !s_->relevant(d.begin()->second)) d.erase(d.begin());
    if (d.empty()) return std::nullopt;
    return d.begin()->first;
}

std::optional<swf::clock::time_point> service::next_expiry() const {
    if (s_->expiries.empty()) return std::nullopt;
    return s_->expiries.begin()->first;
}

void service::fire_due() {
    const auto now = s_->now();
    while (!s_->deadlines.empty() && s_->deadlines.begin()->first <= now) {
        auto d = s_->deadlines.begin()->second;
        s_->deadlines.erase(s_->deadlines.begin());
        s_->fire(d);
    }
    s_->expire_due();
    s_->persist();
}

service::outcome service::handle(std::string_view op, std::string_view body, poll_callback on_task) {
    auto out = handle_op(op, body, std::move(on_task));
    static const std::set<std::string_view, std::less<>> catalog_ops = {
        "RegisterDomain", "DeprecateDomain", "UndeprecateDomain", "RegisterWorkflowType", "RegisterActivityType",
        "DeprecateWorkflowType", "DeprecateActivityType", "UndeprecateWorkflowType", "UndeprecateActivityType",
        "DeleteWorkflowType", "DeleteActivityType", "TagResource", "UntagResource"};
    if (out.now && out.now->status == 200 && catalog_ops.count(op)) s_->catalog_dirty = true;
    s_->persist();
    // What could not be written is not acknowledged.
    if (s_->write_failure && out.now && out.now->status == 200)
        out.now = fault_reply("InternalFailure", "the dev server could not save its state: " + *s_->write_failure, 500);
    return out;
}

service::outcome service::handle_op(std::string_view op, std::string_view body, poll_callback on_task) {
    service_ops ops{*s_};
    if (!s_->take(op, std::string(op))) return {throttled(), 0};
    auto call = [&](auto tag, auto fn) -> outcome {
        using In = typename decltype(tag)::type;
        auto in = read<In>(body);
        if (!in) return {validation(in.error().message), 0};
        return {fn(*in), 0};
    };
#define SWFRT_OP(name, In, expr) \
    if (op == name) return call(std::type_identity<model::In>{}, [&](const model::In& in) -> reply { return expr; });
    SWFRT_OP("RegisterDomain", register_domain_input, ops.register_domain(in))
    SWFRT_OP("DescribeDomain", describe_domain_input, ops.describe_domain(in))
    SWFRT_OP("DeprecateDomain", deprecate_domain_input, ops.set_domain_status(in.name, model::registration_status::deprecated))
    SWFRT_OP("UndeprecateDomain", undeprecate_domain_input, ops.set_domain_status(in.name, model::registration_status::registered))
    SWFRT_OP("ListDomains", list_domains_input, ops.list_domains(in))
    SWFRT_OP("RegisterWorkflowType", register_workflow_type_input, ops.register_workflow_type(in))
    SWFRT_OP("RegisterActivityType", register_activity_type_input, ops.register_activity_type(in))
    SWFRT_OP("DescribeWorkflowType", describe_workflow_type_input, ops.describe_type(in.domain, in.workflow_type))
    SWFRT_OP("DescribeActivityType", describe_activity_type_input, ops.describe_type(in.domain, in.activity_type))
    SWFRT_OP("DeprecateWorkflowType", deprecate_workflow_type_input, ops.set_type_status(in.domain, in.workflow_type, model::registration_status::deprecated))
    SWFRT_OP("DeprecateActivityType", deprecate_activity_type_input, ops.set_type_status(in.domain, in.activity_type, model::registration_status::deprecated))
    SWFRT_OP("UndeprecateWorkflowType", undeprecate_workflow_type_input, ops.set_type_status(in.domain, in.workflow_type, model::registration_status::registered))
    SWFRT_OP("UndeprecateActivityType", undeprecate_activity_type_input, ops.set_type_status(in.domain, in.activity_type, model::registration_status::registered))
    SWFRT_OP("DeleteWorkflowType", delete_workflow_type_input, ops.delete_type(in.domain, in.workflow_type))
    SWFRT_OP("DeleteActivityType", delete_activity_type_input, ops.delete_type(in.domain, in.activity_type))
    SWFRT_OP("ListWorkflowTypes", list_workflow_types_input, (ops.list_types<model::list_workflow_types_input, model::workflow_type_infos>(in, s_->workflow_types, "workflow-types")))
    SWFRT_OP("ListActivityTypes", list_activity_types_input, (ops.list_types<model::list_activity_types_input, model::activity_type_infos>(in, s_->activity_types, "activity-types")))
    SWFRT_OP("StartWorkflowExecution", start_workflow_execution_input, ops.start_workflow_execution(in))
    SWFRT_OP("DescribeWorkflowExecution", describe_workflow_execution_input, ops.describe_workflow_execution(in))
    SWFRT_OP("GetWorkflowExecutionHistory", get_workflow_execution_history_input, ops.get_history(in))
    SWFRT_OP("ListOpenWorkflowExecutions", list_open_workflow_executions_input, ops.list_executions(in, true))
    SWFRT_OP("ListClosedWorkflowExecutions", list_closed_workflow_executions_input, ops.list_executions(in, false))
    SWFRT_OP("CountOpenWorkflowExecutions", count_open_workflow_executions_input, ops.count_executions(in, true))
    SWFRT_OP("CountClosedWorkflowExecutions", count_closed_workflow_executions_input, ops.count_executions(in, false))
    SWFRT_OP("SignalWorkflowExecution", signal_workflow_execution_input, ops.signal(in))
    SWFRT_OP("RequestCancelWorkflowExecution", request_cancel_workflow_execution_input, ops.request_cancel(in))
    SWFRT_OP("TerminateWorkflowExecution", terminate_workflow_execution_input, ops.terminate(in))
    SWFRT_OP("RespondDecisionTaskCompleted", respond_decision_task_completed_input, s_->complete_decision(in))
    SWFRT_OP("RecordActivityTaskHeartbeat", record_activity_task_heartbeat_input, ops.heartbeat(in))
    SWFRT_OP("RespondActivityTaskCompleted", respond_activity_task_completed_input, ops.answer_activity(in.task_token, [&](activity_rec& a) {
        model::activity_task_completed_event_attributes e;
        e.result_ = in.result_;
        e.scheduled_event_id = a.scheduled_id;
        e.started_event_id = a.started_id;
        return model::make_event(std::move(e));
    }))
    SWFRT_OP("RespondActivityTaskFailed", respond_activity_task_failed_input, ops.answer_activity(in.task_token, [&](activity_rec& a) {
        model::activity_task_failed_event_attributes e;
        e.details = in.details;
        e.reason = in.reason;
        e.scheduled_event_id = a.scheduled_id;
        e.started_event_id = a.started_id;
        return model::make_event(std::move(e));
    }))
    SWFRT_OP("RespondActivityTaskCanceled", respond_activity_task_canceled_input, ops.answer_activity(in.task_token, [&](activity_rec& a) {
        model::activity_task_canceled_event_attributes e;
        e.details = in.details;
        if (a.cancel_requested_id) e.latest_cancel_requested_event_id = a.cancel_requested_id;
        e.scheduled_event_id = a.scheduled_id;
        e.started_event_id = a.started_id;
        return model::make_event(std::move(e));
    }))
    SWFRT_OP("CountPendingDecisionTasks", count_pending_decision_tasks_input, ops.in_domain(in.domain, [&](domain_rec&) {
        model::pending_task_count out;
        out.count = static_cast<std::int32_t>(ops.pending_decisions({in.domain, in.task_list.name}));
        out.truncated = false;
        return ok(out);
    }))
    SWFRT_OP("CountPendingActivityTasks", count_pending_activity_tasks_input, ops.in_domain(in.domain, [&](domain_rec&) {
        model::pending_task_count out;
        out.count = static_cast<std::int32_t>(ops.pending_activities({in.domain, in.task_list.name}));
        out.truncated = false;
        return ok(out);
    }))
    SWFRT_OP("ListTagsForResource", list_tags_for_resource_input, [&] {
        auto* d = ops.by_arn(in.resource_arn);
        if (!d) return unknown("Unknown resource: " + in.resource_arn);
        model::list_tags_for_resource_output out;
        out.tags = d->tags;
        return ok(out);
    }())
    SWFRT_OP("TagResource", tag_resource_input, [&] {
        auto* d = ops.by_arn(in.resource_arn);
        if (!d) return unknown("Unknown resource: " + in.resource_arn);
        auto tags = d->tags;
        for (const auto& t : in.tags) {
            auto it = std::find_if(tags.begin(), tags.end(), [&](const auto& o) { return o.key == t.key; });
            if (it != tags.end()) *it = t; else tags.push_back(t);
        }
        if (tags.size() > 50) return fault_reply("TooManyTagsFault", "A resource has at most 50 tags");
        d->tags = std::move(tags);
        return ok(model::empty{});
    }())
    SWFRT_OP("UntagResource", untag_resource_input, [&] {
        auto* d = ops.by_arn(in.resource_arn);
        if (!d) return unknown("Unknown resource: " + in.resource_arn);
        std::erase_if(d->tags, [&](const auto& t) {
            return std::find(in.tag_keys.begin(), in.tag_keys.end(), t.key) != in.tag_keys.end();
        });
        return ok(model::empty{});
    }())
#undef SWFRT_OP
    if (op == "PollForDecisionTask") {
        auto in = read<model::poll_for_decision_task_input>(body);
        if (!in) return {validation(in.error().message), 0};
        return ops.poll_decision(*in, std::move(on_task));
    }
    if (op == "PollForActivityTask") {
        auto in = read<model::poll_for_activity_task_input>(body);
        if (!in) return {validation(in.error().message), 0};
        return ops.poll_activity(*in, std::move(on_task));
    }
    std::string body_out = R"({"__type":"com.amazon.coral.service#UnknownOperationException","message":)";
    codec::append_json_string(body_out, "Unknown operation " + std::string(op));
    body_out += "}";
    return {reply{400, std::move(body_out)}, 0};
}

} // namespace swfrt::swf::service

// ------------------------------------------------------------- durability

namespace swfrt::swf::service {

namespace {

std::int64_t ns_of(time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
time_point at_ns(std::int64_t ns) {
    return time_point{std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds{ns})};
}

// A JSON object written member by member.
class object_out {
public:
    object_out& raw(std::string_view key, std::string_view json) {
        s_ += first_ ? "{" : ",";
        first_ = false;
        codec::append_json_string(s_, key);
        s_ += ':';
        s_ += json;
        return *this;
    }
    object_out& str(std::string_view key, std::string_view v) {
        std::string j;
        codec::append_json_string(j, v);
        return raw(key, j);
    }
    object_out& opt_str(std::string_view key, const std::optional<std::string>& v) {
        return v ? str(key, *v) : raw(key, "null");
    }
    object_out& num(std::string_view key, std::int64_t v) { return raw(key, std::to_string(v)); }
    object_out& opt_num(std::string_view key, const std::optional<std::int64_t>& v) {
        return v ? num(key, *v) : raw(key, "null");
    }
    object_out& flag(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
    std::string done() {
        if (first_) s_ += "{";
        s_ += "}";
        return std::move(s_);
    }

private:
    std::string s_;
    bool first_ = true;
};

template <class T>
std::string array_of(const std::vector<T>& items, auto each) {
    std::string s = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) s += ",";
        s += each(items[i]);
    }
    return s + "]";
}

// Reading back: members by name, with the stored record's own types.
struct object_in {
    simdjson::dom::element e;
    std::string str(const char* k) const {
        std::string_view v;
        return e[k].get_string().get(v) ? std::string() : std::string(v);
    }
    std::optional<std::string> opt_str(const char* k) const {
        std::string_view v;
        if (e[k].get_string().get(v)) return std::nullopt;
        return std::string(v);
    }
    std::int64_t num(const char* k) const {
        std::int64_t v = 0;
        return e[k].get_int64().get(v) ? 0 : v;
    }
    std::optional<std::int64_t> opt_num(const char* k) const {
        std::int64_t v = 0;
        if (e[k].get_int64().get(v)) return std::nullopt;
        return v;
    }
    bool flag(const char* k) const {
        bool v = false;
        return e[k].get_bool().get(v) ? false : v;
    }
    std::string raw(const char* k) const {
        simdjson::dom::element v;
        if (e[k].get(v)) return "null";
        return simdjson::to_string(v);
    }
    std::vector<object_in> items(const char* k) const {
        std::vector<object_in> out;
        simdjson::dom::array a;
        if (e[k].get_array().get(a)) return out;
        for (auto x : a) out.push_back({x});
        return out;
    }
};

template <class T>
result<T> decoded_member(const object_in& o, const char* k) {
    return codec::decode<T>(o.raw(k));
}

} // namespace

std::string service::state::catalog_json() const {
    std::string domains = "[";
    bool first = true;
    for (const auto& [name, d] : this->domains) {
        if (!first) domains += ",";
        first = false;
        domains += object_out{}
                       .raw("info", codec::encode(d.info))
                       .raw("config", codec::encode(d.config))
                       .raw("tags", array_of(d.tags, [](const auto& t) { return codec::encode(t); }))
                       .done();
    }
    domains += "]";
    auto types = [](const auto& map) {
        std::string out = "[";
        bool first = true;
        for (const auto& [key, r] : map) {
            if (!first) out += ",";
            first = false;
            out += object_out{}
                       .str("domain", std::get<0>(key))
                       .raw("info", codec::encode(r.info))
                       .raw("config", codec::encode(r.config))
                       .done();
        }
        return out + "]";
    };
    return object_out{}
        .num("next_serial", static_cast<std::int64_t>(next_serial))
        .raw("domains", domains)
        .raw("workflow_types", types(workflow_types))
        .raw("activity_types", types(activity_types))
        .done();
}

std::string service::state::record_json(const execution& x) const {
    auto opt_time = [](const std::optional<time_point>& t) {
        return t ? std::optional<std::int64_t>(ns_of(*t)) : std::nullopt;
    };
    std::string activities = "[";
    bool first = true;
    for (const auto& [id, a] : x.activities) {
        if (!first) activities += ",";
        first = false;
        activities += object_out{}
                          .str("id", a.activity_id)
                          .str("name", a.type.name)
                          .str("version", a.type.version)
                          .str("task_list", a.task_list)
                          .opt_str("input", a.input)
                          .num("scheduled", a.scheduled_id)
                          .num("started", a.started_id)
                          .opt_num("s2s", a.schedule_to_start)
                          .opt_num("s2c", a.schedule_to_close)
                          .opt_num("st2c", a.start_to_close)
                          .opt_num("hb", a.heartbeat)
                          .num("scheduled_at", ns_of(a.scheduled_at))
                          .num("started_at", ns_of(a.started_at))
                          .num("last_heartbeat", ns_of(a.last_heartbeat))
                          .opt_str("details", a.heartbeat_details)
                          .num("cancel_requested", a.cancel_requested_id)
                          .num("attempt", static_cast<std::int64_t>(a.attempt))
                          .done();
    }
    activities += "]";
    std::string timers = "[";
    first = true;
    for (const auto& [id, t] : x.timers) {
        if (!first) timers += ",";
        first = false;
        timers += object_out{}.str("id", t.timer_id).num("started", t.started_id).num("fire_at", ns_of(t.fire_at)).done();
    }
    timers += "]";
    std::string children = "[";
    first = true;
    for (const auto& [id, c] : x.children) {
        if (!first) children += ",";
        first = false;
        children += object_out{}
                        .str("workflow_id", c.workflow_id)
                        .str("run_id", c.run_id)
                        .str("name", c.type.name)
                        .str("version", c.type.version)
                        .num("initiated", c.initiated_id)
                        .num("started", c.started_id)
                        .done();
    }
    children += "]";
    return object_out{}
        .str("domain", x.domain)
        .str("workflow_id", x.we.workflow_id)
        .str("run_id", x.we.run_id)
        .str("type_name", x.type.name)
        .str("type_version", x.type.version)
        .raw("config", codec::encode(x.config))
        .opt_num("task_timeout", x.task_start_to_close)
        .opt_num("execution_timeout", x.execution_start_to_close)
        .raw("tags", array_of(x.tags, [](const std::string& t) {
                 std::string j;
                 codec::append_json_string(j, t);
                 return j;
             }))
        .num("started_at", ns_of(x.started_at))
        .opt_num("closed_at", opt_time(x.closed_at))
        .opt_str("close", x.close ? std::optional<std::string>(std::string(model::to_string(*x.close))) : std::nullopt)
        .flag("cancel_requested", x.cancel_requested)
        .opt_str("latest_context", x.latest_context)
        .opt_num("latest_activity_at", opt_time(x.latest_activity_at))
        .opt_num("parent", x.parent ? std::optional<std::int64_t>(static_cast<std::int64_t>(*x.parent)) : std::nullopt)
        .num("parent_initiated", x.parent_initiated_id)
        .num("decision", static_cast<std::int64_t>(x.decision))
        .num("decision_scheduled", x.decision_scheduled_id)
        .num("decision_started", x.decision_started_id)
        .num("previous_started", x.previous_started_id)
        .str("decision_list", x.decision_list)
        .num("decision_attempt", static_cast<std::int64_t>(x.decision_attempt))
        .num("decision_scheduled_at", ns_of(x.decision_scheduled_at))
        .num("decision_started_at", ns_of(x.decision_started_at))
        .flag("decision_needed", x.decision_needed)
        .opt_str("list_override", x.list_override)
        .opt_num("list_override_s2s", x.list_override_schedule_to_start)
        .raw("activities", activities)
        .raw("timers", timers)
        .raw("children", children)
        .done();
}

void service::state::persist() {
    if (!opt.durable || (dirty.empty() && removed.empty() && !catalog_dirty)) return;
    store_write w;
    if (catalog_dirty) w.catalog = catalog_json();
    w.removed.assign(removed.begin(), removed.end());
    for (auto serial : dirty) {
        auto* x = by_serial(serial);
        if (!x) continue;
        store_write::execution_change c;
        c.serial = serial;
        c.record = record_json(*x);
        auto& written = events_written[serial];
        c.first_new_event = static_cast<std::int64_t>(written) + 1;
        for (std::size_t i = written; i < x->events.size(); ++i) c.events.push_back(codec::encode(x->events[i]));
        w.executions.push_back(std::move(c));
    }
    auto r = opt.durable->write(w);
    if (!r) {
        write_failure = r.error().message;
        return;
    }
    for (auto serial : dirty)
        if (auto* x = by_serial(serial)) events_written[serial] = x->events.size();
    dirty.clear();
    removed.clear();
    catalog_dirty = false;
    write_failure.reset();
}

result<void> service::state::restore() {
    if (!opt.durable) return {};
    auto loaded = opt.durable->load();
    if (!loaded) return loaded.error();
    simdjson::dom::parser parser;
    auto bad = [](std::string what) { return make_error(error_kind::fatal, "StoreError", std::move(what)); };
    if (!loaded->catalog.empty()) {
        simdjson::dom::element root;
        if (parser.parse(loaded->catalog).get(root)) return bad("the stored catalog is not JSON");
        object_in c{root};
        next_serial = std::max<std::uint64_t>(next_serial, static_cast<std::uint64_t>(std::max<std::int64_t>(c.num("next_serial"), 1)));
        for (const auto& d : c.items("domains")) {
            domain_rec r;
            auto info = decoded_member<model::domain_info>(d, "info");
            auto config = decoded_member<model::domain_configuration>(d, "config");
            if (!info || !config) return bad("a stored domain cannot be read");
            r.info = std::move(*info);
            r.config = std::move(*config);
            for (const auto& t : d.items("tags"))
                if (auto tag = codec::decode<model::resource_tag>(simdjson::to_string(t.e))) r.tags.push_back(std::move(*tag));
            domains.emplace(r.info.name, std::move(r));
        }
        for (const auto& t : c.items("workflow_types")) {
            workflow_type_rec r;
            auto info = decoded_member<model::workflow_type_info>(t, "info");
            auto config = decoded_member<model::workflow_type_configuration>(t, "config");
            if (!info || !config) return bad("a stored workflow type cannot be read");
            r.info = std::move(*info);
            r.config = std::move(*config);
            workflow_types.emplace(key_of(t.str("domain"), r.info.workflow_type), std::move(r));
        }
        for (const auto& t : c.items("activity_types")) {
            activity_type_rec r;
            auto info = decoded_member<model::activity_type_info>(t, "info");
            auto config = decoded_member<model::activity_type_configuration>(t, "config");
            if (!info || !config) return bad("a stored activity type cannot be read");
            r.info = std::move(*info);
            r.config = std::move(*config);
            activity_types.emplace(key_of(t.str("domain"), r.info.activity_type), std::move(r));
        }
    }
    for (auto& stored : loaded->executions) {
        simdjson::dom::element root;
        if (parser.parse(stored.record).get(root))
            return bad("the record of execution " + std::to_string(stored.serial) + " is not JSON");
        object_in o{root};
        auto x = std::make_unique<execution>();
        x->serial = stored.serial;
        x->domain = o.str("domain");
        x->we = {o.str("run_id"), o.str("workflow_id")};
        x->type = {o.str("type_name"), o.str("type_version")};
        auto config = decoded_member<model::workflow_execution_configuration>(o, "config");
        if (!config) return bad("the configuration of execution " + std::to_string(stored.serial) + " cannot be read");
        x->config = std::move(*config);
        x->task_start_to_close = o.opt_num("task_timeout");
        x->execution_start_to_close = o.opt_num("execution_timeout");
        simdjson::dom::array tags;
        if (!root["tags"].get_array().get(tags))
            for (auto t : tags) {
                std::string_view v;
                if (!t.get_string().get(v)) x->tags.emplace_back(v);
            }
        x->started_at = at_ns(o.num("started_at"));
        if (auto t = o.opt_num("closed_at")) x->closed_at = at_ns(*t);
        if (auto c = o.opt_str("close")) x->close = model::close_status_from_string(*c);
        x->cancel_requested = o.flag("cancel_requested");
        x->latest_context = o.opt_str("latest_context");
        if (auto t = o.opt_num("latest_activity_at")) x->latest_activity_at = at_ns(*t);
        if (auto p = o.opt_num("parent")) x->parent = static_cast<std::uint64_t>(*p);
        x->parent_initiated_id = o.num("parent_initiated");
        x->decision = static_cast<decision_state>(o.num("decision"));
        x->decision_scheduled_id = o.num("decision_scheduled");
        x->decision_started_id = o.num("decision_started");
        x->previous_started_id = o.num("previous_started");
        x->decision_list = o.str("decision_list");
        x->decision_attempt = static_cast<std::uint64_t>(o.num("decision_attempt"));
        x->decision_scheduled_at = at_ns(o.num("decision_scheduled_at"));
        x->decision_started_at = at_ns(o.num("decision_started_at"));
        x->decision_needed = o.flag("decision_needed");
        x->list_override = o.opt_str("list_override");
        x->list_override_schedule_to_start = o.opt_num("list_override_s2s");
        for (const auto& a : o.items("activities")) {
            activity_rec r;
            r.activity_id = a.str("id");
            r.type = {a.str("name"), a.str("version")};
            r.task_list = a.str("task_list");
            r.input = a.opt_str("input");
            r.scheduled_id = a.num("scheduled");
            r.started_id = a.num("started");
            r.schedule_to_start = a.opt_num("s2s");
            r.schedule_to_close = a.opt_num("s2c");
            r.start_to_close = a.opt_num("st2c");
            r.heartbeat = a.opt_num("hb");
            r.scheduled_at = at_ns(a.num("scheduled_at"));
            r.started_at = at_ns(a.num("started_at"));
            r.last_heartbeat = at_ns(a.num("last_heartbeat"));
            r.heartbeat_details = a.opt_str("details");
            r.cancel_requested_id = a.num("cancel_requested");
            r.attempt = static_cast<std::uint64_t>(a.num("attempt"));
            x->activities.emplace(r.activity_id, std::move(r));
        }
        for (const auto& t : o.items("timers")) {
            timer_rec r{t.str("id"), t.num("started"), at_ns(t.num("fire_at"))};
            x->timers.emplace(r.timer_id, r);
        }
        for (const auto& c : o.items("children")) {
            child_rec r;
            r.workflow_id = c.str("workflow_id");
            r.run_id = c.str("run_id");
            r.type = {c.str("name"), c.str("version")};
            r.initiated_id = c.num("initiated");
            r.started_id = c.num("started");
            x->children.emplace(r.workflow_id, r);
        }
        for (const auto& text : stored.events) {
            auto e = codec::decode<model::history_event>(text);
            if (!e) return bad("an event of execution " + std::to_string(stored.serial) + " cannot be read: " + e.error().message);
            x->events.push_back(std::move(*e));
        }
        events_written[x->serial] = x->events.size();
        next_serial = std::max(next_serial, x->serial + 1);
        auto& ref = *x;
        by_run[{ref.domain, ref.we.run_id}] = ref.serial;
        if (ref.open()) open_by_id[{ref.domain, ref.we.workflow_id}] = ref.serial;
        executions.emplace(ref.serial, std::move(x));
    }
    // Re-arm the timers and timeouts and queue the tasks to hand out; those
    // due while the server was down fire at the first fire_due().
    using k = deadline::kind;
    for (auto& [serial, xp] : executions) {
        auto& x = *xp;
        if (!x.open()) {
            if (x.closed_at) expiries.emplace(*x.closed_at + retention(x.domain), serial);
            continue;
        }
        if (x.execution_start_to_close)
            arm(x.started_at + std::chrono::seconds{*x.execution_start_to_close}, {k::execution_start_to_close, serial, {}, 0});
        if (x.decision == decision_state::scheduled) {
            decision_queue[{x.domain, x.decision_list}].push_back(serial);
            if (x.list_override && x.list_override_schedule_to_start)
                arm(x.decision_scheduled_at + std::chrono::seconds{*x.list_override_schedule_to_start},
                    {k::decision_schedule_to_start, serial, {}, x.decision_scheduled_id});
        } else if (x.decision == decision_state::started && x.task_start_to_close) {
            arm(x.decision_started_at + std::chrono::seconds{*x.task_start_to_close},
                {k::decision_start_to_close, serial, {}, x.decision_started_id});
        }
        for (auto& [id, t] : x.timers) arm(t.fire_at, {k::timer, serial, id, t.started_id});
        for (auto& [id, a] : x.activities) {
            if (a.schedule_to_close)
                arm(a.scheduled_at + std::chrono::seconds{*a.schedule_to_close}, {k::activity_schedule_to_close, serial, id, a.scheduled_id});
            if (a.started_id == 0) {
                activity_queue[{x.domain, a.task_list}].emplace_back(serial, id);
                if (a.schedule_to_start)
                    arm(a.scheduled_at + std::chrono::seconds{*a.schedule_to_start},
                        {k::activity_schedule_to_start, serial, id, a.scheduled_id});
            } else {
                if (a.start_to_close)
                    arm(a.started_at + std::chrono::seconds{*a.start_to_close}, {k::activity_start_to_close, serial, id, a.started_id});
                if (a.heartbeat)
                    arm(a.last_heartbeat + std::chrono::seconds{*a.heartbeat}, {k::activity_heartbeat, serial, id, a.started_id});
            }
        }
    }
    return {};
}

result<void> service::restore() { return s_->restore(); }

} // namespace swfrt::swf::service
