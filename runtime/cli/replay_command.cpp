#include "runtime/cli/replay_command.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <simdjson.h>

#include "config/input_file.hpp"
#include "runtime/cli/api_command.hpp"
#include "runtime/core/app.hpp"
#include "swf/client/blocking.hpp"
#include "swf/client/roles.hpp"
#include "swf/codec/codec.hpp"

namespace swfrt::runtime::cli {

namespace {

namespace asio = boost::asio;
namespace model = swf::model;
namespace client = swf::client;

struct replay_args {
    std::string plugin, workflow, version, history_file, execution;
    std::string domain, config_path, endpoint_url, region, profile, ca_file;
};

// Ends the command with this exit code and message.
class command_error : public std::runtime_error {
public:
    command_error(int exit_code, const std::string& message)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const noexcept { return exit_code_; }

private:
    int exit_code_;
};

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : ", ") + i;
    return out;
}

// ---- the history ----

struct recorded_history {
    std::vector<model::history_event> events;
    std::optional<model::workflow_execution> execution; // when the input names it
};

// The top-level JSON values of text, in order: GetWorkflowExecutionHistory
// pages may simply follow each other. Only the boundaries are found here;
// the decoder checks each value.
std::vector<std::string_view> json_documents(std::string_view text, const std::string& file) {
    std::vector<std::string_view> docs;
    std::size_t i = 0;
    auto blank = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    while (true) {
        while (i < text.size() && blank(text[i]))
            ++i;
        if (i == text.size()) break;
        if (text[i] != '{' && text[i] != '[')
            throw command_error(exit_usage,
                                file + ": byte " + std::to_string(i + 1) +
                                    ": expected a JSON object or array (a GetWorkflowExecutionHistory "
                                    "response, several of them, or an array of them)");
        const std::size_t start = i;
        int depth = 0;
        bool in_string = false;
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (in_string) {
                if (c == '\\')
                    ++i;
                else if (c == '"')
                    in_string = false;
            } else if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                break;
            }
        }
        if (i >= text.size())
            throw command_error(exit_usage, file + ": the JSON value starting at byte " +
                                                std::to_string(start + 1) + " is not terminated");
        docs.push_back(text.substr(start, ++i - start));
    }
    if (docs.empty()) throw command_error(exit_usage, file + ": empty: no history in it");
    return docs;
}

void add_page(recorded_history& out, const simdjson::dom::element& page, const std::string& where) {
    if (page.type() != simdjson::dom::element_type::OBJECT)
        throw command_error(exit_usage, where + ": expected a JSON object with events");
    auto decoded = swf::codec::decode<model::history>(simdjson::minify(page));
    if (!decoded) throw command_error(exit_usage, where + ": " + decoded.error().message);
    // A PollForDecisionTask response names its execution.
    simdjson::dom::element execution;
    if (page["workflowExecution"].get(execution) == simdjson::SUCCESS && !out.execution) {
        auto e = swf::codec::decode<model::workflow_execution>(simdjson::minify(execution));
        if (!e) throw command_error(exit_usage, where + ": workflowExecution." + e.error().message);
        out.execution = std::move(*e);
    }
    auto& events = decoded->events;
    out.events.insert(out.events.end(), std::make_move_iterator(events.begin()),
                      std::make_move_iterator(events.end()));
}

recorded_history read_history_file(const std::string& path) {
    auto in = config::read_input_file(path, max_history_bytes, "history file");
    if (!in.ok()) throw command_error(exit_usage, in.message);
    const std::string text = std::move(*in.text);
    recorded_history out;
    simdjson::dom::parser parser;
    const auto docs = json_documents(text, path);
    for (std::size_t d = 0; d < docs.size(); ++d) {
        const std::string where = path + (docs.size() > 1 ? ": JSON value " + std::to_string(d + 1) : "");
        simdjson::dom::element doc;
        if (auto err = parser.parse(docs[d].data(), docs[d].size()).get(doc))
            throw command_error(exit_usage, where + ": not valid JSON: " + simdjson::error_message(err));
        simdjson::dom::array pages;
        if (doc.get_array().get(pages) == simdjson::SUCCESS) {
            std::size_t n = 0;
            for (simdjson::dom::element page : pages)
                add_page(out, page, where + ": page " + std::to_string(++n));
            if (n == 0) throw command_error(exit_usage, where + ": an empty array of pages");
        } else {
            add_page(out, doc, where);
        }
    }
    return out;
}

// What SWF guarantees of a whole history, checked so that a wrong file (a
// page missing, pages out of order) is named as such: it starts with
// WorkflowExecutionStarted, and its event ids are 1, 2, 3, ... with no gap.
// A gap left to the decider would read as non-determinism.
void check_history(const std::vector<model::history_event>& events, const std::string& source) {
    if (events.empty()) throw command_error(exit_usage, source + ": the history holds no events");
    const auto& first = events.front();
    if (first.event_type != model::event_type::workflow_execution_started)
        throw command_error(exit_usage, source + ": the history starts with event " + std::to_string(first.event_id) +
                                            " (" + std::string(model::to_string(first.event_type, first.event_type_text)) +
                                            "), not WorkflowExecutionStarted: is its first page missing?");
    if (events.front().event_id != 1)
        throw command_error(exit_usage, source + ": the history's first event has id " +
                                            std::to_string(events.front().event_id) +
                                            "; SWF numbers events from 1");
    for (std::size_t i = 1; i < events.size(); ++i) {
        const auto previous = events[i - 1].event_id;
        const auto id = events[i].event_id;
        if (id <= previous)
            throw command_error(exit_usage, source + ": event " + std::to_string(id) + " follows event " +
                                                std::to_string(previous) +
                                                ": pages out of order, repeated, or in reverse order?");
        if (id != previous + 1)
            throw command_error(exit_usage,
                                source + ": event " + std::to_string(id) + " follows event " +
                                    std::to_string(previous) + ": " +
                                    (id == previous + 2 ? "event " + std::to_string(previous + 1) + " is"
                                                        : "events " + std::to_string(previous + 1) + " to " +
                                                              std::to_string(id - 1) + " are") +
                                    " missing: is a page missing?");
    }
}

// ---- fetching it from SWF ----

std::shared_ptr<client::client> connect(const replay_args& a, asio::io_context& io) {
    config::config c;
    if (!a.config_path.empty()) {
        auto loaded = config::load_file(a.config_path, config::system_env());
        if (!loaded.ok()) {
            std::string message;
            for (const auto& e : loaded.errors)
                message += (message.empty() ? "" : "\n") + e.to_string();
            throw command_error(exit_usage, message);
        }
        c = std::move(*loaded.value);
    }
    if (!a.endpoint_url.empty()) c.swf.endpoint_url = a.endpoint_url;
    if (!a.region.empty()) c.swf.region = a.region;
    if (!a.profile.empty()) c.swf.profile = a.profile;
    if (!a.ca_file.empty()) c.swf.ca_file = a.ca_file;
    auto cl = make_client(c, io.get_executor(), nullptr);
    if (!cl) throw command_error(exit_usage, cl.error().to_string());
    return *cl;
}

[[noreturn]] void fail_with(const swf::error& e) {
    throw command_error(e.http_status == 0 && e.kind == swf::error_kind::validation ? exit_usage
                                                                                    : exit_service_error,
                        e.to_string());
}

// The latest run of a workflow id: the open one, else the last closed.
std::string latest_run(client::workflow_client& wc, asio::io_context& io, const std::string& workflow_id) {
    auto latest = [](const std::vector<model::workflow_execution_info>& infos) -> std::optional<std::string> {
        const model::workflow_execution_info* best = nullptr;
        for (const auto& i : infos)
            if (!best || i.start_timestamp > best->start_timestamp) best = &i;
        return best ? std::optional(best->execution.run_id) : std::nullopt;
    };
    model::list_open_workflow_executions_input open;
    open.execution_filter.emplace().workflow_id = workflow_id;
    auto o = client::run_blocking(io, wc.list_open(std::move(open)));
    if (!o) fail_with(o.error());
    if (auto run = latest(*o)) return *run;
    model::list_closed_workflow_executions_input closed;
    closed.execution_filter.emplace().workflow_id = workflow_id;
    auto c = client::run_blocking(io, wc.list_closed(std::move(closed)));
    if (!c) fail_with(c.error());
    if (auto run = latest(*c)) return *run;
    throw command_error(exit_service_error, "UnknownResourceFault: no execution with workflow id " +
                                                workflow_id + " in domain " + wc.domain());
}

// WORKFLOW_ID[:RUN_ID]. SWF refuses ':' in workflow ids, so the first one
// separates the run id.
model::workflow_execution parse_execution(const std::string& text) {
    const auto colon = text.find(':');
    model::workflow_execution execution{.run_id = colon == std::string::npos ? "" : text.substr(colon + 1),
                                        .workflow_id = text.substr(0, colon)};
    if (execution.workflow_id.empty() || (colon != std::string::npos && execution.run_id.empty()))
        throw command_error(exit_usage,
                            "InvalidArgument: --execution must be WORKFLOW_ID or WORKFLOW_ID:RUN_ID, got '" +
                                text + "'");
    return execution;
}

recorded_history fetch_history(const replay_args& a) {
    auto execution = parse_execution(a.execution);
    asio::io_context io;
    client::workflow_client wc(connect(a, io), a.domain);
    if (execution.run_id.empty()) execution.run_id = latest_run(wc, io, execution.workflow_id);
    auto h = client::run_blocking(io, wc.history(execution.workflow_id, execution.run_id));
    if (!h) fail_with(h.error());
    return {std::move(h->events), std::move(execution)};
}

// ---- the workflow ----

std::vector<std::string> registered_workflows(const plugin::registry& r) {
    std::vector<std::string> out;
    for (const auto& [key, entry] : r.workflows())
        out.push_back(key.first + ":" + key.second);
    return out;
}

// The workflow named on the command line. Without --version: the one
// version registered, or else the version the history was started with.
const plugin::workflow_entry& find_workflow(const plugin::registry& r, const replay_args& a,
                                            const std::vector<model::history_event>& events) {
    const auto versions = r.workflow_versions(a.workflow);
    if (!a.version.empty()) {
        if (const auto* e = r.find_workflow(a.workflow, a.version)) return *e;
        throw command_error(exit_usage, a.plugin + " registers " + a.workflow + " in version(s) " +
                                            join(versions) + ", not " + a.version);
    }
    if (versions.size() == 1) return *r.find_workflow(a.workflow, versions.front());
    if (!events.empty() && events.front().workflow_execution_started_event_attributes) {
        const auto& type = events.front().workflow_execution_started_event_attributes->workflow_type;
        if (type.name == a.workflow)
            if (const auto* e = r.find_workflow(type.name, type.version)) return *e;
    }
    throw command_error(exit_usage, a.plugin + " registers " + a.workflow + " in versions " + join(versions) +
                                        ": choose one with --version");
}

// The decision task SWF would hand out at the last DecisionTaskStarted (or,
// for a raw decider's sake, at the last event when there is none): the
// events up to it, and the previous DecisionTaskStarted.
model::decision_task decision_task_of(std::vector<model::history_event> events,
                                      model::workflow_execution execution) {
    model::decision_task task;
    task.task_token = "replay";
    task.workflow_execution = std::move(execution);
    if (const auto& started = events.front().workflow_execution_started_event_attributes)
        task.workflow_type = started->workflow_type;
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        if (it->event_type != model::event_type::decision_task_started) continue;
        if (task.started_event_id != 0) {
            task.previous_started_event_id = it->event_id;
            break;
        }
        task.started_event_id = it->event_id;
    }
    if (task.started_event_id == 0) task.started_event_id = events.back().event_id;
    while (events.back().event_id > task.started_event_id)
        events.pop_back();
    task.events = std::move(events);
    return task;
}

std::string decisions_json(const std::vector<model::decision>& decisions) {
    std::string out = "[";
    for (const auto& d : decisions) {
        if (out.size() > 1) out += ",";
        out += swf::codec::encode(d);
    }
    return out + "]";
}

int replay(const replay_args& a) {
    if (a.history_file.empty() && a.execution.empty())
        throw command_error(exit_usage, "InvalidArgument: give a HISTORY file, or --execution with --domain");
    const bool fetch = a.history_file.empty();
    if (fetch && a.domain.empty())
        throw command_error(exit_usage, "InvalidArgument: --execution needs --domain");
    if (!fetch && (!a.domain.empty() || !a.config_path.empty() || !a.endpoint_url.empty() ||
                   !a.region.empty() || !a.profile.empty() || !a.ca_file.empty()))
        throw command_error(exit_usage,
                            "InvalidArgument: --domain, --config, --endpoint-url, --region, --profile and "
                            "--ca-file fetch a history with --execution; a HISTORY file needs none");

    // The registry goes before the library it holds code of.
    plugin_set plugins;
    std::string error;
    auto lib = plugin::load(a.plugin, *plugins.registry, error);
    if (!lib) throw command_error(exit_usage, error);
    plugins.libraries.push_back(std::move(lib));
    if (!plugins.registry->errors().empty())
        throw command_error(exit_usage, join(plugins.registry->errors()));
    if (plugins.registry->workflow_versions(a.workflow).empty()) {
        const auto known = registered_workflows(*plugins.registry);
        throw command_error(exit_usage, a.plugin + " registers no workflow named " + a.workflow +
                                            (known.empty() ? "; it registers no workflows"
                                                           : "; it registers: " + join(known)));
    }

    recorded_history history = fetch ? fetch_history(a) : read_history_file(a.history_file);
    const std::string source = fetch ? a.execution : a.history_file;
    check_history(history.events, source);
    const auto& entry = find_workflow(*plugins.registry, a, history.events);
    const std::string type = entry.registration.type.name + ":" + entry.registration.type.version;

    // A file seldom names its execution, but the run id seeds the
    // workflow's random numbers: --execution names it then (nothing is
    // fetched), else a PollForDecisionTask response in the file may.
    model::workflow_execution execution{.run_id = "unknown", .workflow_id = "unknown"};
    if (history.execution) execution = *history.execution;
    if (!fetch && !a.execution.empty()) execution = parse_execution(a.execution);
    auto task = decision_task_of(std::move(history.events), std::move(execution));

    sdk::decision_result decided;
    try {
        decided = entry.registration.decider(task);
    } catch (...) {
        decided = sdk::decision_result::not_decided(sdk::decider_outcome::failed,
                                                    sdk::describe_exception(std::current_exception()));
    }
    switch (decided.outcome) {
    case sdk::decider_outcome::decided:
        std::cout << decisions_json(decided.decisions) << "\n";
        return exit_ok;
    case sdk::decider_outcome::non_determinism:
        throw command_error(exit_non_determinism, decided.message);
    case sdk::decider_outcome::malformed_history:
        throw command_error(exit_usage, source + ": " + decided.message);
    case sdk::decider_outcome::failed:
        break;
    }
    throw command_error(exit_decider_failed, "the decider of " + type + " failed: " + decided.message);
}

} // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<replay_args>();
    auto* cmd =
        app.add_subcommand("replay", "Replay a recorded history through a plugin's decider and print the "
                                     "decisions it makes now");
    cmd->add_option("--plugin", a->plugin, "Plugin (shared library) that registers the workflow")->required();
    cmd->add_option("--workflow", a->workflow, "Workflow type name")->required();
    cmd->add_option("--version", a->version, "Workflow type version (default: the only one registered)");
    cmd->add_option(
        "history", a->history_file,
        "GetWorkflowExecutionHistory JSON: one page, pages one after another, or an array of pages "
        "(- for stdin)");
    cmd->add_option(
        "--execution", a->execution,
        "WORKFLOW_ID[:RUN_ID]: fetch its history (default run: the latest), or, beside a HISTORY file, "
        "name the execution it is from");
    cmd->add_option("--domain", a->domain, "SWF domain of --execution");
    cmd->add_option("--config", a->config_path, "Take SWF connection settings from this configuration file");
    cmd->add_option("--endpoint-url", a->endpoint_url, "SWF endpoint URL");
    cmd->add_option("--region", a->region, "AWS region");
    cmd->add_option("--profile", a->profile, "Shared config/credentials profile");
    cmd->add_option("--ca-file", a->ca_file, "PEM file of CA certificates to trust besides the system store");
    cmd->callback([a, &exit_code] {
        try {
            exit_code = replay(*a);
        } catch (const command_error& e) {
            std::cerr << e.what() << "\n";
            exit_code = e.exit_code();
        }
    });
}

} // namespace swfrt::runtime::cli
