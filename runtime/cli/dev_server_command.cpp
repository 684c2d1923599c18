#include "runtime/cli/dev_server_command.hpp"

#include <charconv>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "runtime/cli/api_command.hpp"
#include "runtime/core/app.hpp"
#include "runtime/plugin/loader.hpp"
#include "swf/service/server.hpp"
#include "swf/service/store.hpp"

namespace swfrt::runtime::cli {

namespace {

struct dev_server_args {
    std::string listen = "127.0.0.1:8042";
    std::vector<std::string> domains;
    bool time_skipping = false;
    int long_poll_seconds = 60;
    std::vector<std::string> plugins;
    std::string throttle = "none";
    std::string db;
    bool ui = false;
};

// Runs the Lambda functions the plugins registered; what a function throws
// is its failure (reason: the exception's type, details: its message).
swf::service::lambda_invoker lambda_invoker_of(const plugin::registry& registry) {
    return [&registry](const std::string& name, const std::string& input) -> swf::result<std::string> {
        const auto& functions = registry.lambda_functions();
        auto it = functions.find(name);
        if (it == functions.end())
            return swf::make_error(swf::error_kind::validation, "UnknownFunction",
                                   "no plugin of this dev server registered a Lambda function named " + name);
        try {
            return it->second.registration.handler(input);
        } catch (...) {
            // "type: what()": the type is the reason, the message the details.
            const std::string text = sdk::describe_exception(std::current_exception());
            const auto colon = text.find(": ");
            if (colon == std::string::npos) return swf::make_error(swf::error_kind::fatal, text, text);
            return swf::make_error(swf::error_kind::fatal, text.substr(0, colon), text.substr(colon + 2));
        }
    };
}

bool split_listen(const std::string& s, std::string& host, std::uint16_t& port) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    host = s.substr(0, colon);
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + colon + 1, s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v > 65535) return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

int run_dev_server(const dev_server_args& a) {
    swf::service::server_options o;
    if (!split_listen(a.listen, o.host, o.port)) {
        std::fprintf(stderr, "swf-runtime dev-server: --listen %s is not HOST:PORT (e.g. 127.0.0.1:8042)\n",
                     a.listen.c_str());
        return exit_usage;
    }
    if (a.long_poll_seconds < 1 || a.long_poll_seconds > 60) {
        std::fprintf(stderr, "swf-runtime dev-server: --long-poll-seconds %d is not from 1 to 60\n", a.long_poll_seconds);
        return exit_usage;
    }
    o.long_poll = std::chrono::seconds{a.long_poll_seconds};
    o.time_skipping = a.time_skipping;
    o.ui = a.ui;
    o.on_skip = [](std::chrono::seconds skipped, swf::clock::time_point to) {
        const auto t = std::chrono::system_clock::to_time_t(to);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
        std::fprintf(stderr, "swf-runtime dev-server: nothing to hand out; time skipped %lld s to %s\n",
                     static_cast<long long>(skipped.count()), when);
    };
    if (a.throttle == "swf-defaults") {
        o.service.throttle = swf::service::swf_default_rates();
    } else if (a.throttle != "none") {
        std::ifstream f(a.throttle);
        if (!f) {
            std::fprintf(stderr, "swf-runtime dev-server: --throttle %s: no such file (or none, swf-defaults)\n",
                         a.throttle.c_str());
            return exit_usage;
        }
        std::stringstream text;
        text << f.rdbuf();
        auto rates = swf::service::read_rates(text.str());
        if (!rates) {
            std::fprintf(stderr, "swf-runtime dev-server: %s: %s\n", a.throttle.c_str(), rates.error().message.c_str());
            return exit_usage;
        }
        o.service.throttle = std::move(*rates);
    }
    std::unique_ptr<swf::service::store> db;
    if (!a.db.empty()) {
        auto opened = swf::service::store::open(a.db);
        if (!opened) {
            std::fprintf(stderr, "swf-runtime dev-server: %s\n", opened.error().message.c_str());
            return exit_service_error;
        }
        db = std::move(*opened);
        o.service.durable = db.get();
    }
    plugin_set plugins;
    for (const auto& path : a.plugins) {
        std::string error;
        plugins.registry->set_current_plugin(path);
        auto lib = plugin::load(path, *plugins.registry, error);
        if (!lib) {
            std::fprintf(stderr, "swf-runtime dev-server: %s\n", error.c_str());
            return exit_usage;
        }
        plugins.libraries.push_back(std::move(lib));
    }
    for (const auto& e : plugins.registry->errors()) std::fprintf(stderr, "swf-runtime dev-server: %s\n", e.c_str());
    if (!plugins.registry->errors().empty()) return exit_usage;
    if (!a.plugins.empty()) o.service.lambda = lambda_invoker_of(*plugins.registry);
    boost::asio::io_context io(1);
    auto srv = swf::service::server::listen(io.get_executor(), o);
    if (!srv) {
        std::fprintf(stderr, "swf-runtime dev-server: %s\n", srv.error().message.c_str());
        return exit_service_error;
    }
    auto& server = **srv;
    // Before the loop runs, nothing else touches the service.
    if (auto r = server.backend().restore(); !r) {
        std::fprintf(stderr, "swf-runtime dev-server: %s\n", r.error().message.c_str());
        return exit_service_error;
    }
    for (const auto& d : a.domains) {
        auto r = server.backend().register_domain(d, "1");
        if (!r) {
            std::fprintf(stderr, "swf-runtime dev-server: %s\n", r.error().message.c_str());
            return exit_usage;
        }
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        server.stop();
        // Held polls are answered; then the loop ends.
        boost::asio::post(io, [&io] { io.stop(); });
    });
    std::printf("swf-runtime dev-server listening on %s; state in %s%s%s\n", server.endpoint_url().c_str(),
                a.db.empty() ? "memory" : a.db.c_str(), a.time_skipping ? "; time skipping" : "",
                a.ui ? "; web page at /" : "");
    std::fflush(stdout);
    io.run();
    return exit_ok;
}

} // namespace

void add_dev_server_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<dev_server_args>();
    auto* cmd = app.add_subcommand("dev-server",
                                   "Serve a local SWF endpoint (all of SWF's JSON protocol, state in memory) until "
                                   "SIGTERM/SIGINT");
    cmd->add_option("--listen", args->listen, "HOST:PORT to listen on; port 0 picks a free one")
        ->capture_default_str();
    cmd->add_option("--domain", args->domains, "A domain to register at start (retention 1 day); repeatable");
    cmd->add_option("--long-poll-seconds", args->long_poll_seconds,
                    "How long a poll with no task is held (SWF: 60); tests shorten it so that a worker's shutdown "
                    "does not wait a minute for its polls in flight")
        ->capture_default_str();
    cmd->add_option("--db", args->db,
                    "Keep the state in this SQLite file (one server at a time): a restart, even after kill -9, "
                    "has every acknowledged request");
    cmd->add_option("--plugin", args->plugins,
                    "A plugin whose Lambda functions run for ScheduleLambdaFunction decisions; repeatable");
    cmd->add_option("--throttle", args->throttle,
                    "none (default), swf-defaults (SWF's token buckets per account, execution and decision) or a "
                    "file of lines NAME BUCKET REFILL")
        ->capture_default_str();
    cmd->add_flag("--ui", args->ui,
                  "Serve a web page on the same port (GET /): the domains, their executions and each history as a "
                  "timeline");
    cmd->add_flag("--time-skipping", args->time_skipping,
                  "When no task is scheduled or handed out, jump to the next timer or timeout instead of waiting");
    cmd->callback([args, &exit_code] { exit_code = run_dev_server(*args); });
}

} // namespace swfrt::runtime::cli
