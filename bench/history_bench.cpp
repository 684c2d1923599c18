// Decoding (and encoding) one full GetWorkflowExecutionHistory response page,
// against Python's json.loads and botocore's JSONParser parsing the same bytes
// in the same run (bench/history_baseline.py). Deciders fetch every page of a
// history before each decision, so this is the hot path of replay.
#include "swf/codec/codec.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace swfrt::swf;
using model::event_type;

// SWF's maximum page size.
constexpr std::size_t page_events = 1000;
constexpr const char* identity = "worker-7f3c@ip-10-0-12-34.ec2.internal:4242";

// An order payload as a decider or activity would serialize it: JSON inside
// a JSON string, so every quote is escaped on the wire. Grows to about
// target bytes.
std::string order_payload(std::mt19937& rng, std::size_t target) {
    std::string s = "{\"orderId\":\"ord-" + std::to_string(100000 + rng() % 900000) +
                    "\",\"customer\":{\"id\":\"cust-" + std::to_string(rng() % 100000) +
                    "\",\"region\":\"eu-west-1\",\"tier\":\"gold\"},\"items\":[";
    bool first = true;
    while (s.size() + 120 < target) {
        if (!first) s += ',';
        first = false;
        const auto cents = rng() % 100000;
        s += "{\"sku\":\"SKU-" + std::to_string(10000 + rng() % 90000) + "\",\"qty\":" + std::to_string(1 + rng() % 9) +
             ",\"unitPrice\":" + std::to_string(cents / 100) + "." + std::to_string(10 + cents % 90) +
             ",\"note\":\"deliver to the back door, ring twice\"}";
    }
    s += "],\"currency\":\"EUR\",\"requestedAt\":\"2024-01-02T03:04:05Z\"}";
    return s;
}

std::size_t between(std::mt19937& rng, std::size_t lo, std::size_t hi) { return lo + rng() % (hi - lo + 1); }

// A history page as SWF returns it for an order workflow: the start event,
// then rounds of decision task -> 1..3 activities (scheduled, started,
// completed), now and then a marker or a timer. Deterministic for a seed.
model::history make_history_page() {
    static const std::array<const char*, 4> activities = {"charge-card", "reserve-inventory", "send-confirmation",
                                                          "ship-order"};
    std::mt19937 rng(20240102);
    model::history page;
    std::int64_t clock_ms = 1704164645000; // 2024-01-02T03:04:05Z

    // References into page.events die at the next add().
    auto add = [&](event_type type) -> model::history_event& {
        clock_ms += static_cast<std::int64_t>(between(rng, 1, 1500));
        auto& e = page.events.emplace_back();
        e.event_id = static_cast<std::int64_t>(page.events.size());
        e.event_timestamp = static_cast<double>(clock_ms) / 1000.0; // SWF sends milliseconds
        e.event_type = type;
        return e;
    };

    auto decision_task = [&]() -> std::int64_t {
        auto& sch = add(event_type::decision_task_scheduled).decision_task_scheduled_event_attributes.emplace();
        sch.start_to_close_timeout = "30";
        sch.task_list.name = "order-decisions";
        sch.task_priority = "0";
        const std::int64_t scheduled = static_cast<std::int64_t>(page.events.size());
        auto& st = add(event_type::decision_task_started).decision_task_started_event_attributes.emplace();
        st.identity = identity;
        st.scheduled_event_id = scheduled;
        const std::int64_t started = scheduled + 1;
        auto& done = add(event_type::decision_task_completed).decision_task_completed_event_attributes.emplace();
        done.scheduled_event_id = scheduled;
        done.started_event_id = started;
        if (rng() % 3 == 0) done.execution_context = "{\"step\":" + std::to_string(started) + ",\"retries\":0}";
        return started + 1;
    };

    {
        auto& a = add(event_type::workflow_execution_started).workflow_execution_started_event_attributes.emplace();
        a.child_policy = model::child_policy::terminate;
        a.execution_start_to_close_timeout = "86400";
        a.input = order_payload(rng, 2048);
        a.tag_list = {"orders", "priority-high", "eu-west-1"};
        a.task_list.name = "order-decisions";
        a.task_priority = "0";
        a.task_start_to_close_timeout = "30";
        a.workflow_type = {"process-order", "3.1"};
    }
    std::int64_t completed = decision_task();

    for (int round = 1; page.events.size() < page_events; ++round) {
        std::vector<std::int64_t> scheduled;
        const std::size_t n = between(rng, 1, 3);
        for (std::size_t i = 0; i < n; ++i) {
            auto& a = add(event_type::activity_task_scheduled).activity_task_scheduled_event_attributes.emplace();
            a.activity_id = "activity-" + std::to_string(page.events.size());
            a.activity_type = {activities[rng() % activities.size()], "1.2"};
            a.decision_task_completed_event_id = completed;
            a.heartbeat_timeout = "NONE";
            a.input = order_payload(rng, between(rng, 300, 1500));
            a.schedule_to_close_timeout = "3600";
            a.schedule_to_start_timeout = "600";
            a.start_to_close_timeout = "300";
            a.task_list.name = "order-activities";
            scheduled.push_back(static_cast<std::int64_t>(page.events.size()));
        }
        if (round % 5 == 0) {
            auto& m = add(event_type::marker_recorded).marker_recorded_event_attributes.emplace();
            m.decision_task_completed_event_id = completed;
            m.details = order_payload(rng, between(rng, 100, 600));
            m.marker_name = "checkpoint";
        }
        std::int64_t timer_started = 0;
        std::string timer_id;
        if (round % 4 == 0) {
            timer_id = "retry-backoff-" + std::to_string(round);
            auto& t = add(event_type::timer_started).timer_started_event_attributes.emplace();
            t.decision_task_completed_event_id = completed;
            t.start_to_fire_timeout = "60";
            t.timer_id = timer_id;
            timer_started = static_cast<std::int64_t>(page.events.size());
        }
        for (const std::int64_t id : scheduled) {
            auto& st = add(event_type::activity_task_started).activity_task_started_event_attributes.emplace();
            st.identity = identity;
            st.scheduled_event_id = id;
            const auto started = static_cast<std::int64_t>(page.events.size());
            auto& done = add(event_type::activity_task_completed).activity_task_completed_event_attributes.emplace();
            done.result_ = order_payload(rng, between(rng, 200, 4000));
            done.scheduled_event_id = id;
            done.started_event_id = started;
        }
        if (timer_started != 0) {
            auto& f = add(event_type::timer_fired).timer_fired_event_attributes.emplace();
            f.started_event_id = timer_started;
            f.timer_id = timer_id;
        }
        completed = decision_task();
    }
    // A page ends wherever maximumPageSize cuts, not on a round boundary.
    page.events.resize(page_events);
    page.next_page_token = "AAAAKgAAAAIAAAAAAAAAA3sxvH5L7tEXAMPLEpageTokenQ29udGludWF0aW9uIG9mIHRoZSBoaXN0b3J5IGF0IGV2"
                           "ZW50IDEwMDAgZm9yIG9yZGVyLXByb2QvcHJvY2Vzcy1vcmRlcg8KZm9yIHRoZSBiZW5jaG1hcmsgb25seQ==";
    return page;
}

struct page_fixture {
    model::history page;
    std::string json;
};

const page_fixture& shared_page() {
    static const page_fixture f = [] {
        page_fixture out;
        out.page = make_history_page();
        out.json = codec::encode(out.page);
        return out;
    }();
    return f;
}

void BM_decode_history_page(benchmark::State& state) {
    const page_fixture& f = shared_page();
    for (auto _ : state) {
        auto res = codec::decode<model::history>(f.json);
        if (!res) {
            state.SkipWithError("decode failed");
            break;
        }
        std::size_t events = res->events.size();
        benchmark::DoNotOptimize(events);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f.json.size()));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.page.events.size()));
}
BENCHMARK(BM_decode_history_page);

// The other direction (a local SWF endpoint answering a poll); the buffer is
// reused as a server would.
void BM_encode_history_page(benchmark::State& state) {
    const page_fixture& f = shared_page();
    std::string out;
    for (auto _ : state) {
        out.clear();
        codec::encode_to(out, f.page);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f.json.size()));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.page.events.size()));
}
BENCHMARK(BM_encode_history_page);

class capturing_reporter : public benchmark::ConsoleReporter {
public:
    using ConsoleReporter::ConsoleReporter;
    // ns per page by function name; the median with --benchmark_repetitions.
    std::map<std::string, double> ns_per_page;

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.error_occurred || run.iterations <= 0) continue;
            const std::string& name = run.run_name.function_name;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (median || (run.run_type == Run::RT_Iteration && !have_median_[name])) {
                ns_per_page[name] = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) * 1e9;
                have_median_[name] = median;
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }

private:
    std::map<std::string, bool> have_median_;
};

struct baseline_result {
    std::string reason; // why a parser was not measured; empty when both were
    double json_loads_ns = 0;
    double botocore_ns = 0;
    long json_loads_events = -1;
    long botocore_events = -1;
    std::string botocore_version;
};

std::map<std::string, std::string> parse_lines(const std::string& text) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(pos, end - pos);
        const std::size_t space = line.find(' ');
        if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
        pos = end + 1;
    }
    return out;
}

bool write_file(const std::string& path, const std::string& data) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return false;
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    return std::fclose(f) == 0 && ok;
}

baseline_result run_python_baseline(const std::string& json) {
    baseline_result out;
    std::string path = (std::filesystem::temp_directory_path() / "swfrt-history-page-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
        out.reason = "cannot create a temporary file";
        return out;
    }
    ::close(fd);
    if (!write_file(path, json)) {
        std::remove(path.c_str());
        out.reason = "cannot write " + path;
        return out;
    }

    const std::string cmd = std::string("python3 '") + SWFRT_SOURCE_DIR + "/bench/history_baseline.py' '" + path +
                            "' --seconds 3 2>/dev/null";
    std::string text;
    int status = -1;
    if (FILE* pipe = ::popen(cmd.c_str(), "r"); pipe != nullptr) {
        std::array<char, 256> buf{};
        while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr)
            text += buf.data();
        status = ::pclose(pipe);
    }
    std::remove(path.c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 127) {
        out.reason = "python3 not found";
        return out;
    }

    const auto kv = parse_lines(text);
    auto number = [&](const char* key, double& v) {
        auto it = kv.find(key);
        return it != kv.end() && std::sscanf(it->second.c_str(), "%lf", &v) == 1;
    };
    double events = 0;
    if (number("json_loads_events", events)) out.json_loads_events = static_cast<long>(events);
    if (!number("json_loads_ns_per_page", out.json_loads_ns)) out.json_loads_ns = 0;
    if (code == 2) {
        out.reason = "botocore is not installed (pip install boto3)";
        return out;
    }
    if (code != 0) {
        out.reason = "history_baseline.py failed with exit code " + std::to_string(code);
        return out;
    }
    if (number("botocore_events", events)) out.botocore_events = static_cast<long>(events);
    if (!number("botocore_ns_per_page", out.botocore_ns) || out.json_loads_ns <= 0) {
        out.reason = "unexpected output from history_baseline.py";
        return out;
    }
    if (auto it = kv.find("botocore_version"); it != kv.end()) out.botocore_version = it->second;
    return out;
}

void print_row(const char* name, double ns, double ours_ns, std::size_t events, std::size_t bytes) {
    const double pages_per_s = 1e9 / ns;
    std::printf("  %-22s %12.0f %14.0f %10.1f", name, ns, pages_per_s * static_cast<double>(events),
                pages_per_s * static_cast<double>(bytes) / 1e6);
    if (ours_ns > 0 && ns != ours_ns)
        std::printf("   ours %.1fx faster\n", ns / ours_ns);
    else
        std::printf("\n");
}

} // namespace

int main(int argc, char** argv) {
    // A decode that silently did nothing would make every number below a lie.
    const page_fixture& f = shared_page();
    if (auto valid = codec::validate(f.page); !valid) {
        std::printf("generated page is not valid per the SWF model: %s\n", valid.error().to_string().c_str());
        return 1;
    }
    auto check = codec::decode<model::history>(f.json);
    if (!check) {
        std::printf("decoding the generated page failed: %s\n", check.error().to_string().c_str());
        return 1;
    }
    if (check->events.size() != page_events || !(*check == f.page)) {
        std::printf("decoding the generated page gave %zu events (expected %zu) or differs from what was encoded\n",
                    check->events.size(), page_events);
        return 1;
    }

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    capturing_reporter reporter(::isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_Color
                                                             : benchmark::ConsoleReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    const std::size_t bytes = f.json.size();
    std::printf("\nHistory page decode, ours vs json.loads vs botocore\n");
    std::printf("GetWorkflowExecutionHistory page: %zu events, %zu bytes, nextPageToken set; MB = 1e6 bytes\n",
                page_events, bytes);
    std::printf("  %-22s %12s %14s %10s\n", "", "ns/page", "events/s", "MB/s");
    const auto ours = reporter.ns_per_page.find("BM_decode_history_page");
    const double ours_ns = ours != reporter.ns_per_page.end() ? ours->second : 0;
    if (ours_ns > 0)
        print_row("swf-runtime decode", ours_ns, ours_ns, page_events, bytes);
    else
        std::printf("  swf-runtime decode     not measured (BM_decode_history_page filtered out)\n");
    if (auto enc = reporter.ns_per_page.find("BM_encode_history_page"); enc != reporter.ns_per_page.end())
        print_row("swf-runtime encode", enc->second, 0, page_events, bytes);

    const baseline_result base = run_python_baseline(f.json);
    bool agree = true;
    if (base.json_loads_ns > 0) {
        print_row("python json.loads", base.json_loads_ns, ours_ns, page_events, bytes);
        agree = agree && base.json_loads_events == static_cast<long>(page_events);
    } else {
        std::printf("  python json.loads      baseline unavailable, %s\n", base.reason.c_str());
    }
    if (base.reason.empty()) {
        print_row("botocore JSONParser", base.botocore_ns, ours_ns, page_events, bytes);
        std::printf("  (botocore %s, timestamps parsed to datetime as a boto3 client does)\n",
                    base.botocore_version.c_str());
        agree = agree && base.botocore_events == static_cast<long>(page_events);
    } else if (base.json_loads_ns > 0) {
        std::printf("  botocore JSONParser    baseline unavailable, %s\n", base.reason.c_str());
    }
    if (!agree) {
        std::printf("  event counts DIFFER: json.loads %ld, botocore %ld, ours %zu\n", base.json_loads_events,
                    base.botocore_events, page_events);
        return 1;
    }
    return 0;
}
