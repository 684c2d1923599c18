// The history-replay benchmark: what a decider spends on one decision task of
// a long-running workflow. Deterministic histories of 1k, 25k and 100k events
// (activities, timers, signals, markers, child workflows, Lambda functions;
// payloads of JSON text with escapes and non-ASCII) are encoded as the exact
// GetWorkflowExecutionHistory pages SWF returns, then decoded, merged and
// replayed through a real workflow whose code matches the history. Python's
// json.loads and botocore's JSONParser read the same bytes in the same run
// (bench/history_replay_baseline.py).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"
#include "workflow/context.hpp"
#include "workflow/errors.hpp"
#include "workflow/future.hpp"
#include "workflow/history_events.hpp"
#include "workflow/json.hpp"
#include "workflow/replayer.hpp"
#include "workflow/workflow.hpp"

// ---- heap accounting ----
// Peak memory is measured by counting what the global operator new hands
// out (malloc_usable_size of each block), only while a measurement is on so
// that the timed runs pay one relaxed load per allocation.

namespace {

std::atomic<bool> counting{false};
std::int64_t live_bytes = 0;
std::int64_t peak_bytes = 0;

void* counted_new(std::size_t n) {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p == nullptr) throw std::bad_alloc();
    if (counting.load(std::memory_order_relaxed)) {
        live_bytes += static_cast<std::int64_t>(::malloc_usable_size(p));
        peak_bytes = std::max(peak_bytes, live_bytes);
    }
    return p;
}

void counted_delete(void* p) noexcept {
    if (p == nullptr) return;
    if (counting.load(std::memory_order_relaxed)) live_bytes -= static_cast<std::int64_t>(::malloc_usable_size(p));
    std::free(p);
}

// The most bytes held at once, above what was held when it started, while fn ran.
template <class Fn> std::int64_t peak_heap_of(Fn&& fn) {
    live_bytes = 0;
    peak_bytes = 0;
    counting.store(true, std::memory_order_relaxed);
    fn();
    counting.store(false, std::memory_order_relaxed);
    return peak_bytes;
}

} // namespace

void* operator new(std::size_t n) {
    return counted_new(n);
}
void* operator new[](std::size_t n) {
    return counted_new(n);
}
void operator delete(void* p) noexcept {
    counted_delete(p);
}
void operator delete[](void* p) noexcept {
    counted_delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
    counted_delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    counted_delete(p);
}

namespace {

namespace wf = swfrt::workflow;
namespace model = swfrt::swf::model;
namespace codec = swfrt::swf::codec;
using et = model::event_type;
using namespace std::chrono_literals;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "history_replay_bench: %s\n", what.c_str());
    std::fflush(stdout);
    std::abort();
}

// ---- the workflow ----
// An order workflow that runs `rounds` rounds; each round issues, in one
// decision task, the commands its plan says (1-3 activities, maybe a Lambda
// function, a child workflow, a timer, a checkpoint marker, a wait for an
// approval signal), waits for all of them and tallies the results. A spawned
// coroutine counts "note" signals throughout. The plan is a pure function of
// the seed in the input, shared with the history generator below.

struct round_plan {
    int activities = 1;
    bool lambda = false;
    bool child = false;
    bool timer = false;
    bool marker = false;
    bool approval = false;
};

std::uint64_t mix64(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

round_plan plan_of(std::uint64_t seed, std::int64_t round) {
    const std::uint64_t h = mix64(seed * 0x100000001b3ull + static_cast<std::uint64_t>(round));
    round_plan p;
    p.activities = 1 + static_cast<int>(h % 3);
    p.lambda = (h >> 8) % 4 == 0;
    p.child = (h >> 16) % 9 == 0;
    p.timer = (h >> 24) % 5 == 0;
    p.marker = (h >> 32) % 4 == 0;
    p.approval = (h >> 40) % 11 == 0;
    return p;
}

constexpr std::array<std::string_view, 3> activity_names = {"reserve-inventory", "charge-card", "pack-parcel"};
constexpr std::string_view activity_version = "2";
constexpr std::string_view lambda_function = "price-quote";
constexpr std::string_view child_name = "ship-parcel";
constexpr std::string_view child_version = "1";
constexpr std::string_view activity_task_list = "order-activities";
constexpr std::string_view child_task_list = "shipping-deciders";

// The inputs the code gives its commands; the generator records the same.
std::string activity_input(std::int64_t round, int line) {
    return "{\"round\":" + std::to_string(round) + ",\"line\":" + std::to_string(line) + "}";
}
std::string lambda_input(std::int64_t round) {
    return "{\"quoteFor\":" + std::to_string(round) + ",\"currency\":\"CHF\"}";
}
std::string child_input(std::int64_t round) {
    return "{\"parcel\":" + std::to_string(round) + ",\"carrier\":\"Post CH\"}";
}
std::string marker_details(std::int64_t round) {
    return "{\"checkpoint\":" + std::to_string(round) + "}";
}

struct order_plan {
    std::int64_t rounds = 0;
    std::uint64_t seed = 0;
};

template <class Int> Int number_after(const std::string& json, std::string_view key) {
    const auto at = json.find(key);
    Int v{};
    if (at == std::string::npos) throw wf::workflow_failed("BAD_INPUT", std::string(key) + " is missing");
    const char* first = json.data() + at + key.size();
    auto [end, ec] = std::from_chars(first, json.data() + json.size(), v);
    if (ec != std::errc{}) throw wf::workflow_failed("BAD_INPUT", std::string(key) + " is not a number");
    return v;
}

struct tally {
    std::int64_t results = 0;
    std::int64_t result_bytes = 0;
    std::int64_t approvals = 0;
    std::int64_t notes = 0;
};

std::string summary(std::int64_t rounds, const tally& t) {
    return "{\"rounds\":" + std::to_string(rounds) + ",\"results\":" + std::to_string(t.results) +
           ",\"resultBytes\":" + std::to_string(t.result_bytes) + ",\"approvals\":" + std::to_string(t.approvals) +
           ",\"notes\":" + std::to_string(t.notes) + "}";
}

wf::task<void> count_notes(wf::context& ctx, tally& t) {
    for (;;) {
        co_await ctx.wait_signal("note");
        ++t.notes;
    }
}

// with_converter: every result also goes through the JSON data converter
// (workflow/json.hpp: parsed by nlohmann-json into a document), what a
// workflow with typed results pays on top of the replay.
template <bool with_converter> struct order_workflow_of : wf::workflow<> {
    static constexpr std::string_view name = "process-order";
    static constexpr std::string_view version = "4.2";

    wf::task<std::string> run(wf::context& ctx, std::string input) override {
        const order_plan plan{number_after<std::int64_t>(input, "\"rounds\":"),
                              number_after<std::uint64_t>(input, "\"seed\":")};
        tally t;
        ctx.spawn(count_notes(ctx, t));

        wf::activity_options activity_defaults;
        activity_defaults.task_list = std::string(activity_task_list);
        activity_defaults.schedule_to_close_timeout = 3600s;
        activity_defaults.schedule_to_start_timeout = 600s;
        activity_defaults.start_to_close_timeout = 300s;
        activity_defaults.heartbeat_timeout = wf::unlimited;
        wf::lambda_options lambda_defaults;
        lambda_defaults.start_to_close_timeout = 120s;
        wf::child_options child_defaults;
        child_defaults.task_list = std::string(child_task_list);
        child_defaults.execution_start_to_close_timeout = 3600s;
        child_defaults.task_start_to_close_timeout = 30s;
        child_defaults.child_policy = model::child_policy::terminate;
        const model::workflow_type child_type{std::string(child_name), std::string(child_version)};

        for (std::int64_t round = 1; round <= plan.rounds; ++round) {
            const round_plan p = plan_of(plan.seed, round);
            std::vector<wf::future<std::string>> pending;
            for (int line = 0; line < p.activities; ++line)
                pending.push_back(ctx.activity(std::string(activity_names[static_cast<std::size_t>(line)]),
                                               std::string(activity_version), activity_input(round, line),
                                               activity_defaults));
            if (p.lambda)
                pending.push_back(ctx.lambda(std::string(lambda_function), lambda_input(round), lambda_defaults));
            if (p.child) pending.push_back(ctx.child(child_type, child_input(round), child_defaults));
            wf::future<void> pause;
            if (p.timer) pause = ctx.timer(30s);
            if (p.marker) ctx.marker("checkpoint", marker_details(round));
            if (p.approval) {
                pending.push_back(ctx.wait_signal("approval"));
                ++t.approvals;
            }
            auto results = co_await wf::when_all(pending);
            if (pause.valid()) co_await pause;
            for (const auto& r : results) {
                ++t.results;
                t.result_bytes += static_cast<std::int64_t>(r.size());
                if constexpr (with_converter) {
                    if (r.empty()) continue; // a signal without input
                    const auto document = wf::from_json_text<nlohmann::json>(r, "result");
                    if (document.is_discarded() || document.empty()) throw std::logic_error("an empty result");
                }
            }
        }
        co_return summary(plan.rounds, t);
    }
};

using order_workflow = order_workflow_of<false>;

// ---- the history generator ----

const model::workflow_execution& execution() {
    static const model::workflow_execution e{"22Vx3cWlmEW0zVjTbB0hM2EOWV9ZQ8w9QeBQbQ1pKRIYI=", "order-ord-20240601-0042"};
    return e;
}

constexpr std::int64_t start_ms = 1717232400000; // 2024-06-01T09:00:00Z

std::string order_input(std::int64_t rounds, std::uint64_t seed) {
    return R"({"orderId":"ord-20240601-0042","customer":{"name":"Zoë Müller-Łukasiewicz","email":"zoe@example.com",)"
           R"("city":"Zürich"},"shipTo":{"name":"山田 太郎","city":"東京","line1":"丸の内1-9-1"},)"
           R"("gift":{"wrap":true,"message":"Alles Gute! \"Viel Spaß\" 🎉\nLiebe Grüße"},"plan":{"rounds":)" +
           std::to_string(rounds) + ",\"seed\":" + std::to_string(seed) + "}}";
}

template <class T, std::size_t N> const T& one_of(std::mt19937_64& rng, const std::array<T, N>& a) {
    return a[rng() % N];
}

const std::array<const char*, 7> cities = {"Zürich", "東京", "São Paulo", "Kraków", "Malmö", "Reykjavík", "Київ"};
const std::array<const char*, 6> people = {"Zoë Müller", "山田 太郎", "José Ñúñez", "Søren Ødegård", "Ірина Коваль",
                                           "Ana Đorđević"};
const std::array<const char*, 5> marks = {"📦", "🚚", "✅", "☕", "🧾"};

// An activity, Lambda or child result as a worker serializes it: JSON text
// with quotes and newlines inside its strings, 200-700 bytes.
std::string result_payload(std::mt19937_64& rng, std::string_view step, std::int64_t round) {
    std::string s = R"({"orderId":"ord-20240601-0042","step":")";
    s += step;
    s += "\",\"round\":" + std::to_string(round) + R"(,"status":"ok","handledBy":")" + one_of(rng, people) +
         R"(","warehouse":{"city":")" + one_of(rng, cities) + R"(","dock":"B-)" + std::to_string(rng() % 20) +
         R"("},"lines":[)";
    const std::size_t target = 200 + rng() % 500;
    bool first = true;
    while (s.size() + 150 < target) {
        if (!first) s += ',';
        first = false;
        s += R"({"sku":"SKU-)" + std::to_string(10000 + rng() % 90000) + R"(","qty":)" + std::to_string(1 + rng() % 9) +
             R"(,"name":"Kaffeebohnen \"Äthiopien\" 500 g","note":"zerbrechlich\nbitte )" + one_of(rng, marks) +
             R"( nicht stapeln"})";
    }
    s += R"(],"tags":[")";
    s += one_of(rng, marks);
    s += "\"]}";
    return s;
}

std::string approval_payload(std::mt19937_64& rng) {
    return R"({"by":")" + std::string(one_of(rng, people)) + R"(","comment":"approved \"as is\" 👍","ticket":)" +
           std::to_string(rng() % 100000) + "}";
}

std::string note_payload(std::mt19937_64& rng) {
    return R"({"from":"customer-service","text":"Kunde ruft an: \"bitte vor 10 Uhr\"\nTel. ☎ +41 44 )" +
           std::to_string(100 + rng() % 900) + R"( 00 00","city":")" + one_of(rng, cities) + "\"}";
}

std::string run_id_of(std::mt19937_64& rng) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string s;
    for (int i = 0; i < 43; ++i)
        s += alphabet[rng() % 64];
    return s + "=";
}

struct generated_history {
    std::vector<model::history_event> events;
    std::int64_t rounds = 0;
    std::string expected_result;
};

// The events SWF records for rounds rounds of order_workflow: for each round
// the decision task that issues it (with one decision event per command),
// then the commands' progress in a random interleaving, with empty decision
// tasks after some outcomes (now and then with an event arriving while the
// decider works) and "note" signals; the history ends at the
// DecisionTaskStarted of the decision task that completes the workflow.
// The structure comes from one generator, payloads and clock from another,
// so extra_notes (spread over the rounds before the last) only add events.
generated_history generate(std::uint64_t seed, std::int64_t rounds, std::size_t extra_notes) {
    std::mt19937_64 shape(seed);
    std::mt19937_64 text(seed ^ 0x5bd1e9955bd1e995ull);
    generated_history out;
    out.rounds = rounds;
    auto& ev = out.events;
    tally expected;
    std::int64_t clock_ms = start_ms;

    // References into ev die at the next add().
    auto add = [&](et type) -> model::history_event& {
        clock_ms += 1 + static_cast<std::int64_t>(text() % 1500);
        auto& e = ev.emplace_back();
        e.event_id = static_cast<std::int64_t>(ev.size());
        e.event_timestamp = static_cast<double>(clock_ms) / 1000.0; // SWF sends milliseconds
        e.event_type = type;
        return e;
    };
    auto last_id = [&] { return static_cast<std::int64_t>(ev.size()); };
    static const std::array<const char*, 3> deciders = {"decider-1@ip-10-0-3-17:4711", "decider-2@ip-10-0-7-201:4711",
                                                        "decider-3@ip-10-0-9-88:4711"};
    static const std::array<const char*, 3> workers = {"worker-a@ip-10-0-12-34:9001", "worker-b@ip-10-0-12-35:9001",
                                                       "worker-c@ip-10-0-14-2:9001"};
    auto decision_scheduled = [&] {
        auto& a = add(et::decision_task_scheduled).decision_task_scheduled_event_attributes.emplace();
        a.start_to_close_timeout = "30";
        a.task_list.name = "order-deciders";
        a.task_priority = "0";
        return last_id();
    };
    auto decision_started = [&](std::int64_t scheduled) {
        auto& a = add(et::decision_task_started).decision_task_started_event_attributes.emplace();
        a.identity = one_of(text, deciders);
        a.scheduled_event_id = scheduled;
        return last_id();
    };
    auto decision_completed = [&](std::int64_t scheduled, std::int64_t started) {
        auto& a = add(et::decision_task_completed).decision_task_completed_event_attributes.emplace();
        a.scheduled_event_id = scheduled;
        a.started_event_id = started;
        return last_id();
    };
    auto note = [&] {
        auto& a = add(et::workflow_execution_signaled).workflow_execution_signaled_event_attributes.emplace();
        a.signal_name = "note";
        a.input = note_payload(text);
        ++expected.notes;
    };

    {
        auto& a = add(et::workflow_execution_started).workflow_execution_started_event_attributes.emplace();
        a.child_policy = model::child_policy::terminate;
        a.execution_start_to_close_timeout = "31536000";
        a.input = order_input(rounds, seed);
        a.lambda_role = "arn:aws:iam::123456789012:role/swf-lambda";
        a.tag_list = {"orders", "eu-central-1", "priority-high"};
        a.task_list.name = "order-deciders";
        a.task_priority = "0";
        a.task_start_to_close_timeout = "30";
        a.workflow_type = {std::string(order_workflow::name), std::string(order_workflow::version)};
    }

    enum class op_kind { activity, lambda, child, timer, approval };
    struct op {
        op_kind kind;
        std::int64_t decided = 0; // Scheduled / Initiated / TimerStarted
        std::int64_t started = 0;
        std::string id;
        std::string step;
        bool done = false;
    };
    std::int64_t activity_ids = 0, lambda_ids = 0, child_ids = 0, timer_ids = 0;
    const model::workflow_type child_type{std::string(child_name), std::string(child_version)};

    // Emits the next event of o; true when it was its outcome.
    auto advance = [&](op& o, std::int64_t round) -> bool {
        switch (o.kind) {
        case op_kind::activity:
            if (o.started == 0) {
                auto& a = add(et::activity_task_started).activity_task_started_event_attributes.emplace();
                a.identity = one_of(text, workers);
                a.scheduled_event_id = o.decided;
                o.started = last_id();
                return false;
            } else {
                auto& a = add(et::activity_task_completed).activity_task_completed_event_attributes.emplace();
                a.result_ = result_payload(text, o.step, round);
                a.scheduled_event_id = o.decided;
                a.started_event_id = o.started;
                expected.result_bytes += static_cast<std::int64_t>(a.result_->size());
                break;
            }
        case op_kind::lambda:
            if (o.started == 0) {
                add(et::lambda_function_started).lambda_function_started_event_attributes.emplace().scheduled_event_id =
                    o.decided;
                o.started = last_id();
                return false;
            } else {
                auto& a = add(et::lambda_function_completed).lambda_function_completed_event_attributes.emplace();
                a.result_ = result_payload(text, o.step, round);
                a.scheduled_event_id = o.decided;
                a.started_event_id = o.started;
                expected.result_bytes += static_cast<std::int64_t>(a.result_->size());
                break;
            }
        case op_kind::child:
            if (o.started == 0) {
                auto& a = add(et::child_workflow_execution_started)
                              .child_workflow_execution_started_event_attributes.emplace();
                a.initiated_event_id = o.decided;
                a.workflow_execution = {run_id_of(text), o.id};
                a.workflow_type = child_type;
                o.started = last_id();
                o.step = a.workflow_execution.run_id;
                return false;
            } else {
                auto& a = add(et::child_workflow_execution_completed)
                              .child_workflow_execution_completed_event_attributes.emplace();
                a.initiated_event_id = o.decided;
                a.started_event_id = o.started;
                a.workflow_execution = {o.step, o.id};
                a.workflow_type = child_type;
                a.result_ = result_payload(text, child_name, round);
                expected.result_bytes += static_cast<std::int64_t>(a.result_->size());
                break;
            }
        case op_kind::timer: {
            auto& a = add(et::timer_fired).timer_fired_event_attributes.emplace();
            a.started_event_id = o.decided;
            a.timer_id = o.id;
            o.done = true;
            return true;
        }
        case op_kind::approval: {
            auto& a = add(et::workflow_execution_signaled).workflow_execution_signaled_event_attributes.emplace();
            a.signal_name = "approval";
            a.input = approval_payload(text);
            expected.result_bytes += static_cast<std::int64_t>(a.input->size());
            break;
        }
        }
        ++expected.results;
        o.done = true;
        return true;
    };

    std::vector<op> ops;
    for (std::int64_t round = 1; round <= rounds; ++round) {
        const bool last = round == rounds;
        const std::int64_t scheduled = decision_scheduled();
        const std::int64_t started = decision_started(scheduled);
        const std::int64_t completed = decision_completed(scheduled, started);

        const round_plan p = plan_of(seed, round);
        ops.clear();
        for (int line = 0; line < p.activities; ++line) {
            auto& a = add(et::activity_task_scheduled).activity_task_scheduled_event_attributes.emplace();
            a.activity_id = std::to_string(++activity_ids);
            a.activity_type = {std::string(activity_names[static_cast<std::size_t>(line)]),
                               std::string(activity_version)};
            a.decision_task_completed_event_id = completed;
            a.heartbeat_timeout = "NONE";
            a.input = activity_input(round, line);
            a.schedule_to_close_timeout = "3600";
            a.schedule_to_start_timeout = "600";
            a.start_to_close_timeout = "300";
            a.task_list.name = std::string(activity_task_list);
            a.task_priority = "0";
            ops.push_back({op_kind::activity, last_id(), 0, a.activity_id, a.activity_type.name});
        }
        if (p.lambda) {
            auto& a = add(et::lambda_function_scheduled).lambda_function_scheduled_event_attributes.emplace();
            a.decision_task_completed_event_id = completed;
            a.id = "l" + std::to_string(++lambda_ids);
            a.input = lambda_input(round);
            a.name = std::string(lambda_function);
            a.start_to_close_timeout = "120";
            ops.push_back({op_kind::lambda, last_id(), 0, a.id, a.name});
        }
        if (p.child) {
            auto& a = add(et::start_child_workflow_execution_initiated)
                          .start_child_workflow_execution_initiated_event_attributes.emplace();
            a.child_policy = model::child_policy::terminate;
            a.decision_task_completed_event_id = completed;
            a.execution_start_to_close_timeout = "3600";
            a.input = child_input(round);
            a.task_list.name = std::string(child_task_list);
            a.task_priority = "0";
            a.task_start_to_close_timeout = "30";
            a.workflow_id = execution().run_id + ":c" + std::to_string(++child_ids);
            a.workflow_type = child_type;
            ops.push_back({op_kind::child, last_id(), 0, a.workflow_id, {}});
        }
        if (p.timer) {
            auto& a = add(et::timer_started).timer_started_event_attributes.emplace();
            a.decision_task_completed_event_id = completed;
            a.start_to_fire_timeout = "30";
            a.timer_id = "t" + std::to_string(++timer_ids);
            ops.push_back({op_kind::timer, last_id(), 0, a.timer_id, {}});
        }
        if (p.marker) {
            auto& a = add(et::marker_recorded).marker_recorded_event_attributes.emplace();
            a.decision_task_completed_event_id = completed;
            a.details = marker_details(round);
            a.marker_name = "checkpoint";
        }
        if (p.approval) {
            ops.push_back({op_kind::approval, 0, 0, {}, {}});
            ++expected.approvals;
        }
        // Notes go only to rounds before the last: in the last one the code
        // may complete before the note counter runs.
        if (!last && rounds > 1) {
            const auto before_last = static_cast<std::size_t>(rounds - 1);
            const auto from_end = static_cast<std::size_t>(rounds - 1 - round);
            const std::size_t n = extra_notes / before_last + (from_end < extra_notes % before_last ? 1 : 0);
            for (std::size_t i = 0; i < n; ++i)
                note();
        }

        std::size_t open = ops.size();
        auto pick = [&]() -> op& {
            std::size_t k = shape() % open;
            for (auto& o : ops)
                if (!o.done && k-- == 0) return o;
            die("generator: no open command to advance");
        };
        while (open > 0) {
            if (!advance(pick(), round)) continue;
            if (--open == 0) break;
            if (!last && shape() % 8 == 0) note();
            if (shape() % 2 == 0) {
                // A decision task while commands are still open: the code
                // decides nothing. Sometimes an event arrives while it works.
                const std::int64_t s = decision_scheduled();
                const std::int64_t st = decision_started(s);
                if (shape() % 4 == 0 && advance(pick(), round)) --open;
                decision_completed(s, st);
            }
        }
    }
    decision_started(decision_scheduled());
    out.expected_result = summary(rounds, expected);
    return out;
}

// The history of exactly target events for a seed: as many rounds as fit,
// the rest filled with note signals. The size grows with every round added
// (rounds before the last come out the same), so a binary search finds it.
generated_history generate_exactly(std::uint64_t seed, std::size_t target) {
    auto size_of = [&](std::int64_t rounds) { return generate(seed, rounds, 0).events.size(); };
    // Every round takes at least 6 events (its decision task, one activity).
    std::int64_t fits = 1, too_many = static_cast<std::int64_t>(target / 6) + 1;
    if (size_of(fits) > target) die("a history of " + std::to_string(target) + " events is too short");
    while (too_many - fits > 1) {
        const std::int64_t mid = fits + (too_many - fits) / 2;
        (size_of(mid) <= target ? fits : too_many) = mid;
    }
    auto h = generate(seed, fits, target - size_of(fits));
    if (h.events.size() != target)
        die("generated " + std::to_string(h.events.size()) + " events instead of " + std::to_string(target));
    return h;
}

// ---- fixtures ----

// SWF's maximum page size.
constexpr std::size_t page_events = 1000;

std::string page_token(std::size_t page) {
    // Opaque to clients; SWF's are a few hundred characters of base64.
    std::string t = "AAAAKgAAAAIAAAAAAAAAA2ZvcmRlci1wcm9jZXNzaW5nL3Byb2Nlc3Mtb3JkZXIvNC4y";
    t += std::to_string(page);
    t += "L29yZGVyLW9yZC0yMDI0MDYwMS0wMDQyLzIyVngzY1dsbUVXMHpWalRiQjBoTTJFT1dWOVpROHc5UWVCUWJRMXBLUklZST0=";
    return t;
}

struct fixture {
    std::size_t events_count = 0;
    std::int64_t rounds = 0;
    std::vector<std::string> pages;
    std::size_t bytes = 0;
    std::vector<model::history_event> events; // decoded from the pages
    model::decision expected;
};

model::decision complete_with(std::string result) {
    model::decision d;
    d.decision_type = model::decision_type::complete_workflow_execution;
    d.complete_workflow_execution_decision_attributes.emplace().result_ = std::move(result);
    return d;
}

const wf::workflow_runner& runner() {
    static const wf::workflow_runner r = wf::make_runner<order_workflow>();
    return r;
}

const wf::workflow_runner& converter_runner() {
    static const wf::workflow_runner r = wf::make_runner<order_workflow_of<true>>();
    return r;
}

std::vector<model::history_event> decode_pages(const std::vector<std::string>& pages) {
    // As the client's paginator does: every page first, then one move into
    // a list of the right size.
    std::vector<std::vector<model::history_event>> decoded;
    decoded.reserve(pages.size());
    std::size_t total = 0;
    for (const auto& page : pages) {
        auto h = codec::decode<model::history>(page);
        if (!h) die("decoding a history page failed: " + h.error().to_string());
        total += h->events.size();
        decoded.push_back(std::move(h->events));
    }
    if (decoded.size() == 1) return std::move(decoded.front());
    std::vector<model::history_event> events;
    events.reserve(total);
    for (auto& d : decoded)
        events.insert(events.end(), std::make_move_iterator(d.begin()), std::make_move_iterator(d.end()));
    return events;
}

void check_final(const fixture& f, const wf::replay_result& r) {
    if (!r) die("replay failed: " + r.error().message);
    if (r.value().size() != 1 || !(r.value()[0] == f.expected))
        die("replay decided " + std::to_string(r.value().size()) + " decision(s), not the expected completion " +
            codec::encode(f.expected) +
            (r.value().empty() ? std::string() : "; the first: " + codec::encode(r.value()[0])));
}

// A decision task from the middle of the history, replayed on its own, must
// decide exactly what the history records after its DecisionTaskCompleted.
void check_middle(const fixture& f) {
    const auto& ev = f.events;
    for (std::size_t i = ev.size() / 2; i + 1 < ev.size(); ++i) {
        if (ev[i].event_type != et::decision_task_completed) continue;
        if (wf::rule_for(ev[i + 1].event_type).role != wf::event_role::decision) continue;
        const auto started = ev[i].decision_task_completed_event_attributes->started_event_id;
        auto r = wf::replay(ev, execution(), started, runner());
        if (!r) die("replay at event " + std::to_string(started) + " failed: " + r.error().message);
        std::size_t k = 0;
        for (std::size_t j = i + 1; j < ev.size() && wf::rule_for(ev[j].event_type).role == wf::event_role::decision;
             ++j, ++k) {
            if (k >= r.value().size() || !wf::same_command(*wf::key_of(ev[j]), wf::key_of(r.value()[k])))
                die("replay at event " + std::to_string(started) + " does not decide " + wf::describe(ev[j]));
        }
        if (k != r.value().size())
            die("replay at event " + std::to_string(started) + " decides more than the history records");
        return;
    }
    die("no decision task with decisions in the second half of the history");
}

fixture make_fixture(std::size_t n) {
    fixture f;
    auto h = generate_exactly(20240601 + n, n);
    f.events_count = n;
    f.rounds = h.rounds;
    f.expected = complete_with(h.expected_result);
    for (std::size_t first = 0, page = 1; first < n; first += page_events, ++page) {
        model::history p;
        const std::size_t last = std::min(n, first + page_events);
        p.events.assign(std::make_move_iterator(h.events.begin() + static_cast<std::ptrdiff_t>(first)),
                        std::make_move_iterator(h.events.begin() + static_cast<std::ptrdiff_t>(last)));
        if (last < n) p.next_page_token = page_token(page);
        if (auto valid = codec::validate(p); !valid)
            die("a generated page is not valid per the SWF model: " + valid.error().to_string());
        f.pages.push_back(codec::encode(p));
        f.bytes += f.pages.back().size();
        // Kept for the comparison with what decoding gives back.
        std::move(p.events.begin(), p.events.end(), h.events.begin() + static_cast<std::ptrdiff_t>(first));
    }
    f.events = decode_pages(f.pages);
    if (f.events != h.events) die("decoding the pages does not give back the generated events");
    check_final(f, wf::replay(f.events, execution(), 0, runner()));
    check_middle(f);
    return f;
}

std::vector<fixture>& fixtures() {
    static std::vector<fixture> all;
    return all;
}

// ---- benchmarks ----

void bm_decode(benchmark::State& state, const fixture* f) {
    for (auto _ : state) {
        for (const auto& page : f->pages) {
            auto h = codec::decode<model::history>(page);
            if (!h) die("decode failed: " + h.error().to_string());
            benchmark::DoNotOptimize(h->events.data());
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f->bytes));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f->events_count));
}

void bm_decode_replay(benchmark::State& state, const fixture* f) {
    for (auto _ : state) {
        auto events = decode_pages(f->pages);
        auto r = wf::replay(events, execution(), 0, runner());
        check_final(*f, r);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f->bytes));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f->events_count));
}

void bm_replay(benchmark::State& state, const fixture* f) {
    for (auto _ : state) {
        auto r = wf::replay(f->events, execution(), 0, runner());
        check_final(*f, r);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f->events_count));
}

void bm_replay_converter(benchmark::State& state, const fixture* f) {
    for (auto _ : state) {
        auto r = wf::replay(f->events, execution(), 0, converter_runner());
        check_final(*f, r);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f->events_count));
}

class capturing_reporter : public benchmark::ConsoleReporter {
public:
    using ConsoleReporter::ConsoleReporter;
    // Seconds per iteration by benchmark name.
    std::map<std::string, double> seconds;

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.error_occurred || run.iterations <= 0 || run.run_type != Run::RT_Iteration) continue;
            seconds[run.run_name.function_name] =
                run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
        }
        ConsoleReporter::ReportRuns(runs);
    }
};

// ---- the Python baselines ----

struct baseline {
    std::string reason; // why botocore was not measured; empty when it was
    std::string botocore_version;
    // [history][key]
    std::map<std::string, std::map<std::string, std::string>> values;

    double number(const std::string& history, const std::string& key) const {
        auto h = values.find(history);
        if (h == values.end()) return 0;
        auto k = h->second.find(key);
        return k == h->second.end() ? 0 : std::atof(k->second.c_str());
    }
};

bool write_file(const std::filesystem::path& path, const std::string& data) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return false;
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    return std::fclose(f) == 0 && ok;
}

// Runs python3 on the script with args; its stdout, and its exit code (127:
// python3 could not be started).
std::pair<std::string, int> run_python(const std::vector<std::string>& args) {
    int out[2];
    if (::pipe(out) != 0) return {"", 127};
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out[0]);
        ::close(out[1]);
        return {"", 127};
    }
    if (pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        ::close(out[0]);
        ::close(out[1]);
        std::vector<char*> argv;
        static char python[] = "python3";
        argv.push_back(python);
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp(python, argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    std::string text;
    std::array<char, 4096> buf{};
    for (;;) {
        const ssize_t n = ::read(out[0], buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {text, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

baseline run_baseline(const std::vector<fixture>& all) {
    baseline out;
    std::string dir_template = (std::filesystem::temp_directory_path() / "swfrt-history-replay-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) {
        out.reason = "cannot create a temporary directory";
        return out;
    }
    const std::filesystem::path dir = dir_template;
    for (const auto& f : all) {
        const auto folder = dir / std::to_string(f.events_count);
        std::filesystem::create_directory(folder);
        for (std::size_t i = 0; i < f.pages.size(); ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "page-%04zu.json", i + 1);
            if (!write_file(folder / name, f.pages[i])) {
                std::filesystem::remove_all(dir);
                out.reason = "cannot write " + (folder / name).string();
                return out;
            }
        }
    }
    auto [text, code] =
        run_python({std::string(SWFRT_SOURCE_DIR) + "/bench/history_replay_baseline.py", dir.string(), "--seconds", "1"});
    std::filesystem::remove_all(dir);

    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        const auto a = line.find(' ');
        const auto b = a == std::string::npos ? std::string::npos : line.find(' ', a + 1);
        if (b == std::string::npos) continue;
        const std::string history = line.substr(0, a), key = line.substr(a + 1, b - a - 1), value = line.substr(b + 1);
        if (history == "-" && key == "botocore_version")
            out.botocore_version = value;
        else
            out.values[history][key] = value;
    }
    if (code == 127)
        out.reason = "python3 not found";
    else if (code == 2)
        out.reason = "botocore is not installed (pip install boto3)";
    else if (code != 0)
        out.reason = "history_replay_baseline.py failed with exit code " + std::to_string(code);
    return out;
}

// ---- the report ----

std::string label(std::size_t n) {
    return n % 1000 == 0 ? std::to_string(n / 1000) + "k" : std::to_string(n);
}

void target_line(bool pass, const std::string& text) {
    std::printf("  %s  %s\n", pass ? "PASS" : "MISS", text.c_str());
}

} // namespace

int main(int argc, char** argv) {
    const auto t0 = std::chrono::steady_clock::now();
    auto& all = fixtures();
    for (std::size_t n : {std::size_t{1000}, std::size_t{25000}, std::size_t{100000}})
        all.push_back(make_fixture(n));
    const double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    for (const auto& f : all) {
        const std::string n = std::to_string(f.events_count);
        const bool big = f.events_count >= 100000;
        auto* d = benchmark::RegisterBenchmark(("decode/" + n).c_str(), bm_decode, &f);
        auto* dr = benchmark::RegisterBenchmark(("decode_replay/" + n).c_str(), bm_decode_replay, &f);
        auto* r = benchmark::RegisterBenchmark(("replay/" + n).c_str(), bm_replay, &f);
        auto* rc = benchmark::RegisterBenchmark(("replay_converter/" + n).c_str(), bm_replay_converter, &f);
        for (auto* b : {d, dr, r, rc}) {
            b->Unit(benchmark::kMillisecond)->UseRealTime();
            if (big)
                b->Iterations(5);
            else
                b->MinTime(0.5);
        }
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    std::printf("History replay: workflow %s %s over deterministic histories (%.1f s to generate and check)\n",
                std::string(order_workflow::name).c_str(), std::string(order_workflow::version).c_str(), setup_s);
    std::printf("  %-6s %8s %7s %6s %12s %10s\n", "size", "events", "rounds", "pages", "bytes", "bytes/event");
    for (const auto& f : all)
        std::printf("  %-6s %8zu %7lld %6zu %12zu %10.0f\n", label(f.events_count).c_str(), f.events_count,
                    static_cast<long long>(f.rounds), f.pages.size(), f.bytes,
                    static_cast<double>(f.bytes) / static_cast<double>(f.events_count));
    std::printf("  each replay checked: ends in one CompleteWorkflowExecution with the result the generator "
                "expects; a mid-history decision task decides what the history records\n\n");
    std::fflush(stdout);

    capturing_reporter reporter(::isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_Color
                                                             : benchmark::ConsoleReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    auto seconds = [&](const std::string& name, const fixture& f) {
        auto it = reporter.seconds.find(name + "/" + std::to_string(f.events_count));
        return it == reporter.seconds.end() ? 0.0 : it->second;
    };

    std::printf("\nswf-runtime (MB = 1e6 bytes; decode = every page of the history, 1000 events each)\n");
    std::printf("  %-6s | %9s %12s | %12s %12s | %12s %12s\n", "size", "decode", "", "decode+", "replay", "replay",
                "only");
    std::printf("  %-6s | %9s %12s | %12s %12s | %12s %12s\n", "", "MB/s", "events/s", "ms/history", "events/s",
                "ms/history", "events/s");
    // "-" for what a --benchmark_filter left out.
    auto cell = [](double v, int width, int decimals) {
        char buf[48];
        if (v > 0)
            std::snprintf(buf, sizeof buf, "%*.*f", width, decimals, v);
        else
            std::snprintf(buf, sizeof buf, "%*s", width, "-");
        return std::string(buf);
    };
    for (const auto& f : all) {
        const double d = seconds("decode", f), dr = seconds("decode_replay", f), r = seconds("replay", f);
        const auto ev = static_cast<double>(f.events_count);
        auto rate = [](double amount, double s) { return s > 0 ? amount / s : 0.0; };
        std::printf("  %-6s | %s %s | %s %s | %s %s\n", label(f.events_count).c_str(),
                    cell(rate(static_cast<double>(f.bytes), d) / 1e6, 9, 1).c_str(), cell(rate(ev, d), 12, 0).c_str(),
                    cell(dr * 1e3, 12, 2).c_str(), cell(rate(ev, dr), 12, 0).c_str(), cell(r * 1e3, 12, 2).c_str(),
                    cell(rate(ev, r), 12, 0).c_str());
    }

    std::printf("\nThe JSON data converter (every activity, Lambda, child and signal result also parsed by "
                "nlohmann-json, as typed results are)\n");
    std::printf("  %-6s %14s %18s %10s\n", "size", "replay ms", "with converter ms", "cost");
    for (const auto& f : all) {
        const double r = seconds("replay", f), rc = seconds("replay_converter", f);
        char cost[32];
        if (r > 0 && rc > 0)
            std::snprintf(cost, sizeof cost, "%+.0f%%", (rc / r - 1) * 100);
        else
            std::snprintf(cost, sizeof cost, "-");
        std::printf("  %-6s %14.2f %18.2f %10s\n", label(f.events_count).c_str(), r * 1e3, rc * 1e3, cost);
    }

    std::printf("\nPeak heap per event (counting global operator new: malloc_usable_size of every block, most bytes "
                "held at once above the start of one run)\n");
    std::printf("  %-6s %14s %16s %14s\n", "size", "decode", "decode+replay", "replay only");
    for (const auto& f : all) {
        const auto decode = peak_heap_of([&] { benchmark::DoNotOptimize(decode_pages(f.pages).data()); });
        const auto decode_replay = peak_heap_of([&] {
            auto events = decode_pages(f.pages);
            check_final(f, wf::replay(events, execution(), 0, runner()));
        });
        const auto replay_only = peak_heap_of([&] { check_final(f, wf::replay(f.events, execution(), 0, runner())); });
        const auto ev = static_cast<double>(f.events_count);
        std::printf("  %-6s %12.0f B %14.0f B %12.0f B\n", label(f.events_count).c_str(),
                    static_cast<double>(decode) / ev, static_cast<double>(decode_replay) / ev,
                    static_cast<double>(replay_only) / ev);
    }

    const baseline base = run_baseline(all);
    std::printf("\nBaselines on the same pages (python3, json.loads and botocore %s JSONParser on the swf model; "
                "ms per history, every page parsed and its events collected)\n",
                base.botocore_version.empty() ? "?" : base.botocore_version.c_str());
    std::printf("  %-6s %12s %12s | %14s %14s | %22s\n", "size", "json.loads", "botocore", "decode vs", "decode vs",
                "decode+replay vs");
    std::printf("  %-6s %12s %12s | %14s %14s | %22s\n", "", "ms", "ms", "json.loads", "botocore", "botocore alone");
    bool counts_agree = true;
    for (const auto& f : all) {
        const std::string h = std::to_string(f.events_count);
        const double jl = base.number(h, "json_loads_ns") / 1e9, bc = base.number(h, "botocore_ns") / 1e9;
        const double d = seconds("decode", f), dr = seconds("decode_replay", f);
        auto ratio = [](double theirs, double ours) {
            char buf[32];
            if (theirs > 0 && ours > 0)
                std::snprintf(buf, sizeof buf, "%.1fx faster", theirs / ours);
            else
                std::snprintf(buf, sizeof buf, "-");
            return std::string(buf);
        };
        std::printf("  %-6s %s %s | %14s %14s | %22s\n", label(f.events_count).c_str(), cell(jl * 1e3, 12, 1).c_str(),
                    cell(bc * 1e3, 12, 1).c_str(),
                    ratio(jl, d).c_str(), ratio(bc, d).c_str(), ratio(bc, dr).c_str());
        const auto expected = static_cast<double>(f.events_count);
        if (jl > 0 && base.number(h, "json_loads_events") != expected) counts_agree = false;
        if (bc > 0 && base.number(h, "botocore_events") != expected) counts_agree = false;
    }
    if (!base.reason.empty()) std::printf("  botocore baseline unavailable: %s\n", base.reason.c_str());
    if (!counts_agree) {
        std::printf("  event counts DIFFER between the Python parsers and the generated histories\n");
        return 1;
    }

    std::printf("\nTargets (reported, not enforced)\n");
    for (const auto& f : all) {
        const double d = seconds("decode", f);
        if (d <= 0) continue;
        const double gbs = static_cast<double>(f.bytes) / d / 1e9;
        char text[160];
        std::snprintf(text, sizeof text, "decode >= 1 GB/s on 1000-event pages (%s history): %.2f GB/s",
                      label(f.events_count).c_str(), gbs);
        target_line(gbs >= 1.0, text);
    }
    for (const auto& f : all) {
        if (f.events_count != 25000) continue;
        const double bc = base.number(std::to_string(f.events_count), "botocore_ns") / 1e9;
        const double dr = seconds("decode_replay", f);
        if (bc <= 0 || dr <= 0) {
            std::printf("  ----  25k decode + replay >= 60x faster than botocore parsing alone: not measured\n");
            continue;
        }
        char text[160];
        std::snprintf(text, sizeof text,
                      "25k decode + replay >= 60x faster than botocore parsing alone: %.1fx (%.2f ms vs %.1f ms)",
                      bc / dr, dr * 1e3, bc * 1e3);
        target_line(bc / dr >= 60.0, text);
    }
    for (const auto& f : all) {
        const double r = seconds("replay", f);
        if (r <= 0) continue;
        const double eps = static_cast<double>(f.events_count) / r;
        char text[160];
        std::snprintf(text, sizeof text, "replay only >= 10 M events/s (%s history): %.2f M events/s",
                      label(f.events_count).c_str(), eps / 1e6);
        target_line(eps >= 10e6, text);
    }
    return 0;
}
