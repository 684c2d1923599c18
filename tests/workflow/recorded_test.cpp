// Replays the histories recorded from real runs of the example plugin
// against moto_server (histories/recorded, written by record.py there): at
// every decision task a history shows answered, the workflow's code must
// decide exactly what the history records after that task's
// DecisionTaskCompleted, and the last decision task of an execution closed
// by a decision must close it the same way.
//
// The example workflows exist only inside the example plugin, so the test
// opens the built plugin through its SDK entry point, as the runtime does,
// and asks the decider it registers for each history's workflow type.
//
// Like a plugin, this file uses Asio (through the SDK header) header-only:
// the test binary does not link the tree's separately compiled Asio.
#undef BOOST_ASIO_SEPARATE_COMPILATION
#undef BOOST_BEAST_SEPARATE_COMPILATION
#include <swfrt/sdk.hpp>

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <typeinfo>
#include <cctype>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "replay_support.hpp"
#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"
#include "workflow/history_events.hpp"

namespace {

namespace fs = std::filesystem;
namespace model = swfrt::swf::model;
namespace sdk = swfrt::sdk;
namespace wf = swfrt::workflow;
namespace dom = simdjson::dom;

fs::path recorded_dir() { return fs::path(SWFRT_SOURCE_DIR) / "tests/workflow/histories/recorded"; }

std::vector<fs::path> recorded_files() {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(recorded_dir(), ec))
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// The build puts plugins in <build>/plugins and this test in <build>/tests.
fs::path example_plugin_path() {
#ifdef SWFRT_PLUGIN_DIR
    const fs::path dir = SWFRT_PLUGIN_DIR;
#else
    const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "plugins";
#endif
    return dir / "libswfrt_example_plugin.so";
}

// The example plugin, opened once for the whole test run; only its
// workflows are kept (activities are not replayed).
class example_plugin : public sdk::registrar {
public:
    static const example_plugin& get() {
        static const example_plugin plugin;
        return plugin;
    }

    ~example_plugin() override {
        // The deciders' code lives in the library: drop them before closing it.
        workflows_.clear();
        if (handle_) ::dlclose(handle_);
    }
    example_plugin(const example_plugin&) = delete;
    example_plugin& operator=(const example_plugin&) = delete;

    // Empty when the plugin loaded and registered.
    const std::string& error() const noexcept { return error_; }

    const sdk::workflow_registration* find(const model::workflow_type& type) const {
        for (const auto& w : workflows_)
            if (w.type.name == type.name && w.type.version == type.version) return &w;
        return nullptr;
    }

    void add_activity(sdk::activity_registration) override {}
    void add_lambda_function(sdk::lambda_registration) override {}
    void add_workflow(sdk::workflow_registration registration) override {
        workflows_.push_back(std::move(registration));
    }

private:
    example_plugin() {
        const std::string path = example_plugin_path().string();
        handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle_) {
            const char* why = ::dlerror();
            error_ = path + ": cannot load (" + (why ? why : "unknown error") +
                     "); build the swfrt_example_plugin target";
            return;
        }
        auto entry = reinterpret_cast<swfrt_plugin_entry_fn>(::dlsym(handle_, SWFRT_PLUGIN_ENTRY_SYMBOL));
        if (!entry) {
            error_ = path + ": no " SWFRT_PLUGIN_ENTRY_SYMBOL;
            return;
        }
        const char* fingerprint = nullptr;
        if (int abi = entry(sdk::abi_version, nullptr, &fingerprint); abi != sdk::abi_version) {
            error_ = path + ": plugin ABI version " + std::to_string(abi) + ", expected " +
                     std::to_string(sdk::abi_version);
            return;
        }
        if (!fingerprint || std::string_view(fingerprint) != sdk::model_fingerprint) {
            error_ = path + ": built against another SWF model";
            return;
        }
        try {
            const char* ours = sdk::model_fingerprint;
            entry(sdk::abi_version, this, &ours);
        } catch (const std::exception& e) {
            error_ = path + ": registration threw: " + e.what();
        }
    }

    void* handle_ = nullptr;
    std::string error_;
    std::vector<sdk::workflow_registration> workflows_;
};

// ---- JSON, compared by value (member order and string escapes aside) ----

bool same_json(dom::element a, dom::element b) {
    if (a.type() != b.type()) return false;
    switch (a.type()) {
    case dom::element_type::OBJECT: {
        dom::object ao = a.get_object().value_unsafe(), bo = b.get_object().value_unsafe();
        if (ao.size() != bo.size()) return false;
        for (auto [key, value] : ao) {
            dom::element other;
            if (bo[key].get(other) != simdjson::SUCCESS || !same_json(value, other)) return false;
        }
        return true;
    }
    case dom::element_type::ARRAY: {
        dom::array aa = a.get_array().value_unsafe(), ba = b.get_array().value_unsafe();
        if (aa.size() != ba.size()) return false;
        for (auto ai = aa.begin(), bi = ba.begin(); ai != aa.end(); ++ai, ++bi)
            if (!same_json(*ai, *bi)) return false;
        return true;
    }
    case dom::element_type::STRING:
        return a.get_string().value_unsafe() == b.get_string().value_unsafe();
    default:
        return simdjson::minify(a) == simdjson::minify(b);
    }
}

std::string lower_first(std::string_view s) {
    std::string out(s);
    if (!out.empty()) out[0] = static_cast<char>(out[0] - 'A' + 'a');
    return out;
}

// Members SWF writes into a decision event on its own: the decision task
// it came from, and what it fills from registered defaults or its state
// when the decision leaves them out.
const std::set<std::string, std::less<>>& filled_by_swf() {
    static const std::set<std::string, std::less<>> names{
        "decisionTaskCompletedEventId",
        "taskList",
        "taskPriority",
        "scheduleToStartTimeout",
        "scheduleToCloseTimeout",
        "startToCloseTimeout",
        "heartbeatTimeout",
        "executionStartToCloseTimeout",
        "taskStartToCloseTimeout",
        "childPolicy",
        "lambdaRole",
        "tagList",
        "workflowType",      // WorkflowExecutionContinuedAsNew: from workflowTypeVersion or the current type
        "newExecutionRunId", // WorkflowExecutionContinuedAsNew
        "startedEventId",    // TimerCanceled
    };
    return names;
}

// What differs between a decision and the event that records it, member by
// member: each member the decision sets must be in the event with the same
// value, and each member of the event must come from the decision unless
// SWF fills it. Events of refused decisions (they carry a cause) record
// only the decision's identity, which the caller compares.
std::vector<std::string> differences(const model::decision& decision, dom::element event) {
    std::vector<std::string> out;
    const std::string event_type(event["eventType"].get_string().value());
    dom::object recorded;
    if (event[lower_first(event_type) + "EventAttributes"].get(recorded) != simdjson::SUCCESS)
        return {"the event has no " + lower_first(event_type) + "EventAttributes"};
    dom::element unused;
    if (recorded["cause"].get(unused) == simdjson::SUCCESS) return out;

    dom::parser parser;
    const std::string json = swfrt::swf::codec::encode(decision);
    dom::element encoded;
    if (parser.parse(json).get(encoded) != simdjson::SUCCESS) return {"the codec's encoding is not JSON: " + json};
    const std::string decision_type(encoded["decisionType"].get_string().value());
    dom::object decided;
    if (encoded[lower_first(decision_type) + "DecisionAttributes"].get(decided) != simdjson::SUCCESS)
        return {"the decision has no " + lower_first(decision_type) + "DecisionAttributes: " + json};

    for (auto [key, value] : decided) {
        dom::element there;
        if (key == "workflowTypeVersion") {
            if (recorded["workflowType"]["version"].get(there) != simdjson::SUCCESS || !same_json(value, there))
                out.push_back("workflowTypeVersion " + simdjson::minify(value) + " is not the recorded workflowType");
        } else if (recorded[key].get(there) != simdjson::SUCCESS) {
            out.push_back(std::string(key) + " " + simdjson::minify(value) + " decided, not recorded");
        } else if (!same_json(value, there)) {
            out.push_back(std::string(key) + " decided " + simdjson::minify(value) + ", recorded " +
                          simdjson::minify(there));
        }
    }
    for (auto [key, value] : recorded) {
        dom::element here;
        if (!filled_by_swf().contains(key) && decided[key].get(here) != simdjson::SUCCESS)
            out.push_back(std::string(key) + " recorded " + simdjson::minify(value) + ", not decided");
    }
    return out;
}

// ---- one recorded history ----

struct recorded {
    std::string text;
    dom::parser parser;
    dom::element document;
    std::vector<dom::element> raw_events; // as in the file, one per decoded event
    model::history history;
    model::workflow_execution execution;
    model::workflow_type type;
};

std::string name_of(const testing::TestParamInfo<fs::path>& info) {
    std::string name = info.param.stem().string();
    for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
}

// Same event types and order on both sides: the rule's decision type, then
// the ids and names the replayer matches on.
void expect_same_command(const model::history_event& event, dom::element raw, const model::decision& decision,
                         std::int64_t started) {
    const auto key = wf::key_of(event);
    ASSERT_TRUE(key) << "event " << event.event_id << " is not a decision event: " << wf::describe(event);
    EXPECT_TRUE(wf::same_command(*key, wf::key_of(decision)))
        << "decision task started at event " << started << ": recorded " << wf::describe(event) << ", decided "
        << wf::describe(decision);
    for (const auto& d : differences(decision, raw))
        ADD_FAILURE() << "decision task started at event " << started << ", " << wf::describe(event) << ": " << d;
}

class recorded_history : public testing::TestWithParam<fs::path> {
protected:
    void SetUp() override {
        const auto& plugin = example_plugin::get();
        ASSERT_TRUE(plugin.error().empty()) << plugin.error();

        r_.text = wf::testing::read_file(GetParam().string());
        ASSERT_FALSE(r_.text.empty());
        ASSERT_EQ(r_.parser.parse(r_.text).get(r_.document), simdjson::SUCCESS) << "not JSON";
        auto h = swfrt::swf::codec::decode<model::history>(r_.text);
        ASSERT_TRUE(h.has_value()) << h.error().to_string();
        r_.history = std::move(h).value();
        ASSERT_FALSE(r_.history.next_page_token) << "every page is merged into one";

        dom::element header;
        ASSERT_EQ(r_.document["execution"].get(header), simdjson::SUCCESS) << "no \"execution\" header";
        auto e = swfrt::swf::codec::decode<model::workflow_execution>(simdjson::minify(header), {.strict = true});
        ASSERT_TRUE(e.has_value()) << e.error().to_string();
        r_.execution = std::move(e).value();
        ASSERT_EQ(r_.document["workflowType"].get(header), simdjson::SUCCESS) << "no \"workflowType\" header";
        auto t = swfrt::swf::codec::decode<model::workflow_type>(simdjson::minify(header), {.strict = true});
        ASSERT_TRUE(t.has_value()) << t.error().to_string();
        r_.type = std::move(t).value();

        dom::array events;
        ASSERT_EQ(r_.document["events"].get(events), simdjson::SUCCESS);
        for (dom::element raw : events)
            r_.raw_events.push_back(raw);
        ASSERT_EQ(r_.raw_events.size(), r_.history.events.size());
        ASSERT_FALSE(r_.history.events.empty());
        for (std::size_t i = 0; i < r_.raw_events.size(); ++i) {
            ASSERT_EQ(r_.history.events[i].event_id, static_cast<std::int64_t>(i + 1)) << "event ids run 1, 2, ...";
            ASSERT_EQ(r_.raw_events[i]["eventId"].get_int64().value(), r_.history.events[i].event_id);
        }
        const auto& first = r_.history.events.front();
        ASSERT_EQ(first.event_type, model::event_type::workflow_execution_started);
        ASSERT_EQ(first.workflow_execution_started_event_attributes->workflow_type, r_.type)
            << "the header's workflowType is not the started execution's";

        const auto* registration = plugin.find(r_.type);
        ASSERT_TRUE(registration) << "the example plugin registers no workflow " << r_.type.name << " "
                                  << r_.type.version;
        decider_ = &registration->decider;
    }

    // The decisions the plugin's decider makes at that DecisionTaskStarted.
    std::vector<model::decision> decide_at(std::int64_t started) {
        try {
            auto r = (*decider_)(wf::testing::task_at(r_.history, started, r_.execution));
            if (r.outcome == sdk::decider_outcome::decided) return std::move(r.decisions);
            ADD_FAILURE() << "decision task started at event " << started << ": the decider answered "
                          << static_cast<int>(r.outcome) << ": " << r.message;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "decision task started at event " << started << ": the decider threw: " << e.what();
        }
        return {};
    }

    // The event whose id is id (ids are positions from 1, checked in SetUp).
    const model::history_event* event(std::int64_t id) const {
        if (id < 1 || id > static_cast<std::int64_t>(r_.history.events.size())) return nullptr;
        return &r_.history.events[static_cast<std::size_t>(id - 1)];
    }

    recorded r_;
    const sdk::raw_decider* decider_ = nullptr;
};

TEST_P(recorded_history, every_answered_decision_task_decides_what_the_history_records) {
    const auto& events = r_.history.events;
    int answered = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].event_type != model::event_type::decision_task_completed) continue;
        const auto completed = events[i].event_id;
        const auto started = events[i].decision_task_completed_event_attributes->started_event_id;
        const auto* s = event(started);
        ASSERT_TRUE(s && s->event_type == model::event_type::decision_task_started && started < completed)
            << "DecisionTaskCompleted " << completed << " names no earlier DecisionTaskStarted " << started;
        ++answered;

        // Its decisions: the decision events that name it, wherever later
        // events of other sources fell in between.
        std::vector<std::size_t> recorded;
        for (std::size_t j = i + 1; j < events.size(); ++j) {
            if (wf::rule_for(events[j].event_type).role != wf::event_role::decision) continue;
            std::int64_t from = 0;
            const std::string type(r_.raw_events[j]["eventType"].get_string().value());
            ASSERT_EQ(r_.raw_events[j][lower_first(type) + "EventAttributes"]["decisionTaskCompletedEventId"].get(from),
                      simdjson::SUCCESS)
                << "decision event " << events[j].event_id << " names no DecisionTaskCompleted";
            if (from == completed) recorded.push_back(j);
        }

        const auto decided = decide_at(started);
        std::string recorded_text, decided_text;
        for (auto j : recorded)
            recorded_text += "\n  " + wf::describe(events[j]);
        for (const auto& d : decided)
            decided_text += "\n  " + wf::describe(d);
        EXPECT_EQ(decided.size(), recorded.size()) << "decision task started at event " << started
                                                   << "; recorded:" << recorded_text << "\ndecided:" << decided_text;
        if (decided.size() != recorded.size()) continue;
        for (std::size_t k = 0; k < decided.size(); ++k)
            expect_same_command(events[recorded[k]], r_.raw_events[recorded[k]], decided[k], started);
    }
    EXPECT_GT(answered, 0) << GetParam() << " holds no answered decision task: nothing of the code is checked; "
                           << "re-record it";
    RecordProperty("answered_decision_tasks", answered);
}

TEST_P(recorded_history, closes_as_recorded) {
    const auto& events = r_.history.events;
    const auto& last = events.back();
    using et = model::event_type;
    static const std::set<et> closes_by_decision{et::workflow_execution_completed, et::workflow_execution_failed,
                                                 et::workflow_execution_canceled,
                                                 et::workflow_execution_continued_as_new};
    static const std::set<et> closes_otherwise{et::workflow_execution_terminated, et::workflow_execution_timed_out};
    ASSERT_TRUE(closes_by_decision.contains(last.event_type) || closes_otherwise.contains(last.event_type))
        << "the recorded execution is not closed: it ends with " << wf::describe(last);
    if (!closes_by_decision.contains(last.event_type)) return;

    std::int64_t final_started = 0;
    for (const auto& e : events)
        if (e.event_type == et::decision_task_started) final_started = e.event_id;
    ASSERT_GT(final_started, 0);
    const auto decided = decide_at(final_started);
    ASSERT_FALSE(decided.empty()) << "no decisions at the final decision task, started at event " << final_started;
    EXPECT_EQ(decided.back().decision_type, wf::rule_for(last.event_type).decision)
        << "decided " << wf::describe(decided.back()) << ", recorded " << wf::describe(last);
    expect_same_command(last, r_.raw_events.back(), decided.back(), final_started);
}

// One event of the history changed (its type, its id, or its place):
// every decision task from there on is answered with decisions, a
// non-determinism or a malformed history, never a crash or another
// exception, the same on a second replay; where only an id changed and the
// replay still decides, it decides what the unchanged history decides. The
// example's raw deciders (chain, greeting) read the history their own way:
// for them any exception is an answer, a crash is not.
enum class mutation { type, id, order };

const char* name_of_mutation(mutation m) {
    switch (m) {
    case mutation::type: return "type";
    case mutation::id: return "id";
    case mutation::order: return "order";
    }
    return "?";
}

// "decided: [...]", "non_determinism" or "malformed_history" (for a raw
// decider also "refused: <what>").
std::string outcome_of(const sdk::raw_decider& decider, const model::decision_task& task, bool raw) {
    sdk::decision_result r;
    try {
        r = decider(task);
    } catch (const std::exception& x) {
        // A raw decider may throw (the runtime takes it as failed).
        if (raw) return std::string("refused: ") + x.what();
        throw;
    }
    switch (r.outcome) {
    case sdk::decider_outcome::decided: break;
    case sdk::decider_outcome::non_determinism: return "non_determinism";
    case sdk::decider_outcome::malformed_history: return "malformed_history";
    case sdk::decider_outcome::failed:
        if (raw) return "refused: " + r.message;
        throw std::runtime_error("failed: " + r.message); // the test reports it
    }
    std::string out = "decided:";
    for (const auto& d : r.decisions)
        out += " " + swfrt::swf::codec::encode(d);
    return out;
}

TEST_P(recorded_history, one_mutated_event_gives_decisions_or_a_replay_error_never_a_crash) {
    const auto& events = r_.history.events;
    const bool raw = r_.type.name == "chain" || r_.type.name == "greeting";
    std::map<std::int64_t, std::string> original;
    for (const auto& e : events)
        if (e.event_type == model::event_type::decision_task_started)
            original[e.event_id] =
                outcome_of(*decider_, wf::testing::task_at(r_.history, e.event_id, r_.execution), raw);
    int replays = 0, refused = 0;
    for (std::size_t i = 1; i < events.size(); ++i) {
        for (auto m : {mutation::type, mutation::id, mutation::order}) {
            if (m == mutation::order && i + 1 >= events.size()) continue;
            auto mutated = r_.history;
            auto& e = mutated.events[i];
            switch (m) {
            case mutation::type: {
                // The next type in the model's order (54 wraps to the first),
                // its attributes left as they are: a mismatched event.
                const auto next = (static_cast<int>(e.event_type) + 1) % 54;
                e.event_type = static_cast<model::event_type>(next);
                break;
            }
            case mutation::id: e.event_id += 1000; break;
            case mutation::order: std::swap(mutated.events[i], mutated.events[i + 1]); break;
            }
            for (const auto& [started, before] : original) {
                if (started < static_cast<std::int64_t>(i + 1)) continue;
                bool present = false;
                for (const auto& ev : mutated.events)
                    present = present || (ev.event_id == started && ev.event_type == model::event_type::decision_task_started);
                if (!present) continue;
                const auto task = wf::testing::task_at(mutated, started, r_.execution);
                std::string first, again;
                try {
                    first = outcome_of(*decider_, task, raw);
                    again = outcome_of(*decider_, task, raw);
                } catch (const std::exception& x) {
                    ADD_FAILURE() << name_of_mutation(m) << " of event " << i + 1 << ", task at " << started
                                  << ": the decider threw " << x.what();
                    continue;
                }
                ++replays;
                if (first.rfind("decided:", 0) != 0) ++refused;
                EXPECT_EQ(first, again) << name_of_mutation(m) << " of event " << i + 1 << ", task at " << started;
                if (m == mutation::id && !raw && first.rfind("decided:", 0) == 0) {
                    EXPECT_EQ(first, before) << "id of event " << i + 1 << ", task at " << started;
                }
            }
        }
    }
    EXPECT_GT(replays, 0);
    EXPECT_GT(refused, 0) << "no mutation was refused: the check sees nothing";
    RecordProperty("mutated_replays", replays);
}

INSTANTIATE_TEST_SUITE_P(recorded, recorded_history, testing::ValuesIn(recorded_files()), name_of);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(recorded_history);

TEST(recorded_histories, are_there) {
    EXPECT_FALSE(recorded_files().empty()) << "no *.json in " << recorded_dir().string()
                                           << "; record them with record.py there";
}

} // namespace
