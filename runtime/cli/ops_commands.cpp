#include "runtime/cli/ops_commands.hpp"

#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "config/input_file.hpp"
#include "runtime/cli/api_command.hpp"
#include "runtime/cli/ops_print.hpp"
#include "runtime/core/app.hpp"
#include "swf/client/blocking.hpp"
#include "swf/client/paginate.hpp"
#include "swf/client/roles.hpp"
#include "swf/codec/codec.hpp"

namespace swfrt::runtime::cli {

namespace {

namespace asio = boost::asio;
namespace model = swf::model;
namespace client = swf::client;

struct connection_args {
    std::string config_path;
    std::string endpoint_url, region, profile, ca_file;
    std::string domain;
    bool json = false;
};

struct ops_args {
    connection_args conn;
    std::string workflow_id, run_id, workflow_type, input, input_file, task_list, name, reason, details,
        child_policy, execution_timeout, task_timeout;
    std::vector<std::string> tags;
    bool closed = false;
    double since_hours = 24;
    std::string type_filter, tag_filter;
};

void add_connection(CLI::App* cmd, ops_args& a, bool needs_domain = true) {
    cmd->add_option("--config", a.conn.config_path, "Take SWF connection settings from this configuration file");
    cmd->add_option("--endpoint-url", a.conn.endpoint_url, "SWF endpoint URL");
    cmd->add_option("--region", a.conn.region, "AWS region");
    cmd->add_option("--profile", a.conn.profile, "Shared config/credentials profile");
    cmd->add_option("--ca-file", a.conn.ca_file, "PEM file of CA certificates to trust besides the system store");
    auto* d = cmd->add_option("--domain", a.conn.domain, "SWF domain");
    if (needs_domain) d->required();
    cmd->add_flag("--json", a.conn.json, "Print the SWF response as JSON");
}

// The client of --config (its swf section) with the command line's overrides.
std::shared_ptr<client::client> connect(const connection_args& a, asio::io_context& io, int& exit_code) {
    config::config c;
    if (!a.config_path.empty()) {
        auto loaded = config::load_file(a.config_path, config::system_env());
        if (!loaded.ok()) {
            for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
            exit_code = exit_usage;
            return nullptr;
        }
        c = std::move(*loaded.value);
    }
    if (!a.endpoint_url.empty()) c.swf.endpoint_url = a.endpoint_url;
    if (!a.region.empty()) c.swf.region = a.region;
    if (!a.profile.empty()) c.swf.profile = a.profile;
    if (!a.ca_file.empty()) c.swf.ca_file = a.ca_file;
    auto cl = make_client(c, io.get_executor(), nullptr);
    if (!cl) {
        std::cerr << cl.error().to_string() << "\n";
        exit_code = exit_usage;
        return nullptr;
    }
    return *cl;
}

std::optional<std::string> optional_text(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

int report(const swf::error& e) {
    std::cerr << e.to_string() << "\n";
    return e.http_status == 0 && e.kind == swf::error_kind::validation ? exit_usage : exit_service_error;
}

// Connects, runs one call of the workflow client and returns its value; on
// any failure prints it, sets exit_code and returns nothing.
template <class Call>
auto call_swf(const connection_args& conn, int& exit_code, Call call)
    -> std::optional<std::decay_t<decltype(*std::declval<typename decltype(call(
        std::declval<client::workflow_client&>()))::value_type&>())>> {
    asio::io_context io;
    auto c = connect(conn, io, exit_code);
    if (!c) return std::nullopt;
    client::workflow_client wc(c, conn.domain);
    auto r = swf::client::run_blocking(io, call(wc));
    if (!r) {
        exit_code = report(r.error());
        return std::nullopt;
    }
    exit_code = exit_ok;
    return std::move(*r);
}

std::optional<std::string> read_input(const ops_args& a, int& exit_code) {
    if (!a.input_file.empty()) {
        auto in = config::read_input_file(a.input_file, max_input_bytes, "input file");
        if (!in.ok()) {
            std::cerr << "InvalidInput: " << in.message << "\n";
            exit_code = exit_usage;
            return std::nullopt;
        }
        return std::move(in.text);
    }
    if (a.input.empty()) return std::string();
    return a.input;
}

} // namespace

void add_ops_commands(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<ops_args>();

    auto* start = app.add_subcommand("start", "Start a workflow execution; prints its run id");
    add_connection(start, *a);
    start->add_option("--workflow-type", a->workflow_type, "Workflow type as name:version")->required();
    start->add_option("--workflow-id", a->workflow_id, "Workflow id")->required();
    start->add_option("--input", a->input, "Input of the execution");
    start->add_option("--input-file", a->input_file, "Read the input from this file (- for stdin)");
    start->add_option("--task-list", a->task_list, "Decision task list (default: the type's)");
    start->add_option("--execution-timeout", a->execution_timeout, "Execution start-to-close timeout, seconds");
    start->add_option("--task-timeout", a->task_timeout, "Decision task start-to-close timeout, seconds");
    start->add_option("--child-policy", a->child_policy, "TERMINATE, REQUEST_CANCEL or ABANDON");
    start->add_option("--tag", a->tags, "Tag (up to 5)");
    start->callback([a, &exit_code] {
        auto colon = a->workflow_type.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == a->workflow_type.size()) {
            std::cerr << "InvalidArgument: --workflow-type must be name:version, got '" << a->workflow_type << "'\n";
            exit_code = exit_usage;
            return;
        }
        auto input = read_input(*a, exit_code);
        if (!input) return;
        model::start_workflow_execution_input req;
        req.domain = a->conn.domain;
        req.workflow_id = a->workflow_id;
        req.workflow_type.name = a->workflow_type.substr(0, colon);
        req.workflow_type.version = a->workflow_type.substr(colon + 1);
        if (!input->empty()) req.input = *input;
        if (!a->task_list.empty()) req.task_list.emplace().name = a->task_list;
        if (!a->execution_timeout.empty()) req.execution_start_to_close_timeout = a->execution_timeout;
        if (!a->task_timeout.empty()) req.task_start_to_close_timeout = a->task_timeout;
        if (!a->child_policy.empty()) {
            req.child_policy = model::child_policy_from_string(a->child_policy);
            if (!req.child_policy) {
                std::cerr << "InvalidArgument: --child-policy must be TERMINATE, REQUEST_CANCEL or ABANDON\n";
                exit_code = exit_usage;
                return;
            }
        }
        req.tag_list = a->tags;
        auto run_id = call_swf(a->conn, exit_code, [&](client::workflow_client& wc) { return wc.start(std::move(req)); });
        if (!run_id) return;
        model::run run;
        run.run_id = *run_id;
        std::cout << (a->conn.json ? swf::codec::encode(run) : *run_id) << "\n";
    });

    auto* signal = app.add_subcommand("signal", "Signal a workflow execution");
    add_connection(signal, *a);
    signal->add_option("--workflow-id", a->workflow_id, "Workflow id")->required();
    signal->add_option("--run-id", a->run_id, "Run id (default: the open run)");
    signal->add_option("--name", a->name, "Signal name")->required();
    signal->add_option("--input", a->input, "Signal input");
    signal->add_option("--input-file", a->input_file, "Read the input from this file (- for stdin)");
    signal->callback([a, &exit_code] {
        auto input = read_input(*a, exit_code);
        if (!input) return;
        call_swf(a->conn, exit_code, [&](client::workflow_client& wc) {
            return wc.signal(a->workflow_id, a->name, optional_text(*input), optional_text(a->run_id));
        });
    });

    auto* terminate = app.add_subcommand("terminate", "Terminate a workflow execution");
    add_connection(terminate, *a);
    terminate->add_option("--workflow-id", a->workflow_id, "Workflow id")->required();
    terminate->add_option("--run-id", a->run_id, "Run id (default: the open run)");
    terminate->add_option("--reason", a->reason, "Reason (cut to 256 characters)");
    terminate->add_option("--details", a->details, "Details (cut to 32768 characters)");
    terminate->add_option("--child-policy", a->child_policy, "TERMINATE, REQUEST_CANCEL or ABANDON");
    terminate->callback([a, &exit_code] {
        std::optional<model::child_policy> policy;
        if (!a->child_policy.empty()) {
            policy = model::child_policy_from_string(a->child_policy);
            if (!policy) {
                std::cerr << "InvalidArgument: --child-policy must be TERMINATE, REQUEST_CANCEL or ABANDON\n";
                exit_code = exit_usage;
                return;
            }
        }
        call_swf(a->conn, exit_code, [&](client::workflow_client& wc) {
            return wc.terminate(a->workflow_id, optional_text(a->run_id), optional_text(a->reason),
                                optional_text(a->details), policy);
        });
    });

    auto* cancel = app.add_subcommand("cancel", "Request cancellation of a workflow execution");
    add_connection(cancel, *a);
    cancel->add_option("--workflow-id", a->workflow_id, "Workflow id")->required();
    cancel->add_option("--run-id", a->run_id, "Run id (default: the open run)");
    cancel->callback([a, &exit_code] {
        call_swf(a->conn, exit_code, [&](client::workflow_client& wc) {
            return wc.request_cancel(a->workflow_id, optional_text(a->run_id));
        });
    });

    auto* describe = app.add_subcommand("describe", "Describe a workflow execution");
    add_connection(describe, *a);
    describe->add_option("--workflow-id", a->workflow_id, "Workflow id")->required();
    describe->add_option("--run-id", a->run_id, "Run id")->required();
    describe->callback([a, &exit_code] {
        auto r = call_swf(a->conn, exit_code,
                          [&](client::workflow_client& wc) { return wc.describe(a->workflow_id, a->run_id); });
        if (!r) return;
        if (a->conn.json) {
            std::cout << swf::codec::encode(*r) << "\n";
        } else {
            std::cout << execution_description(*r);
        }
    });

    auto* history = app.add_subcommand("history", "Print the whole history of a workflow execution (every page)");
    add_connection(history, *a);
    history->add_option("--workflow-id", a->workflow_id, "Workflow id")->required();
    history->add_option("--run-id", a->run_id, "Run id")->required();
    history->callback([a, &exit_code] {
        auto r = call_swf(a->conn, exit_code,
                          [&](client::workflow_client& wc) { return wc.history(a->workflow_id, a->run_id); });
        if (!r) return;
        if (a->conn.json) {
            // The shape of GetWorkflowExecutionHistory, every page merged.
            std::cout << swf::codec::encode(*r) << "\n";
        } else {
            for (const auto& e : r->events) std::cout << event_line(e) << "\n";
        }
    });

    auto* list = app.add_subcommand("list", "List workflow executions (open by default)");
    add_connection(list, *a);
    list->add_flag("--closed", a->closed, "List closed executions instead of open ones");
    list->add_option("--workflow-id", a->workflow_id, "Only this workflow id");
    list->add_option("--type", a->type_filter, "Only this workflow type name");
    list->add_option("--tag", a->tag_filter, "Only executions with this tag");
    list->add_option("--since-hours", a->since_hours, "Started within this many hours (default 24)")
        ->check(CLI::PositiveNumber);
    list->callback([a, &exit_code] {
        double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        model::execution_time_filter since;
        since.oldest_date = now - a->since_hours * 3600;
        // SWF takes one filter of executionFilter, typeFilter and tagFilter.
        int filters = !a->workflow_id.empty() + !a->type_filter.empty() + !a->tag_filter.empty();
        if (filters > 1) {
            std::cerr << "InvalidArgument: SWF filters by one of --workflow-id, --type and --tag at a time\n";
            exit_code = exit_usage;
            return;
        }
        auto fill = [&](auto& req) {
            req.start_time_filter = since;
            if (!a->workflow_id.empty()) req.execution_filter.emplace().workflow_id = a->workflow_id;
            if (!a->type_filter.empty()) req.type_filter.emplace().name = a->type_filter;
            if (!a->tag_filter.empty()) req.tag_filter.emplace().tag = a->tag_filter;
            return std::move(req);
        };
        auto r = call_swf(a->conn, exit_code, [&](client::workflow_client& wc) {
            model::list_closed_workflow_executions_input closed;
            model::list_open_workflow_executions_input open;
            return a->closed ? wc.list_closed(fill(closed)) : wc.list_open(fill(open));
        });
        if (!r) return;
        if (a->conn.json) {
            model::workflow_execution_infos out;
            out.execution_infos = std::move(*r);
            std::cout << swf::codec::encode(out) << "\n";
        } else {
            for (const auto& i : *r) std::cout << execution_line(i) << "\n";
        }
    });
}

} // namespace swfrt::runtime::cli
