#include "runtime/cli/api_command.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/input_file.hpp"
#include "swf/client/blocking.hpp"
#include "swf/client/operation.hpp"
#include "swf/codec/codec.hpp"

namespace swfrt::runtime::cli {

namespace {

namespace client = swf::client;

struct api_args {
    std::string operation;
    std::optional<std::string> input;
    std::optional<std::string> input_file;
    std::optional<std::string> endpoint_url;
    std::optional<std::string> region;
    std::optional<std::string> profile;
    std::optional<std::string> ca_file;
    bool all_pages = false;
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t prev = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cur = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (same ? 0 : 1)});
            prev = cur;
        }
    }
    return row[b.size()];
}

std::string suggestion(std::string_view name) {
    std::string best;
    std::size_t best_distance = 4; // only close matches are worth suggesting
    for (std::size_t i = 0; i < client::operation_names.size(); ++i) {
        auto op = static_cast<client::operation>(i);
        for (const std::string& candidate : {std::string(client::api_name(op)), client::kebab_name(op)}) {
            auto d = edit_distance(name, candidate);
            if (d < best_distance) {
                best_distance = d;
                best = candidate;
            }
        }
    }
    return best;
}

int fail(int code, const std::string& fault, const std::string& message) {
    std::cerr << fault << ": " << message << "\n";
    return code;
}

int run_api(const api_args& args) {
    auto op = client::operation_from_name(args.operation);
    if (!op) {
        std::string msg = "'" + args.operation + "' is not an SWF operation";
        if (auto s = suggestion(args.operation); !s.empty()) msg += "; did you mean " + s + "?";
        msg += " (names as in the API, e.g. RegisterDomain, or kebab-case, e.g. register-domain)";
        return fail(exit_usage, "UnknownOperation", msg);
    }

    std::string input = "{}";
    if (args.input) {
        input = *args.input;
    } else if (args.input_file) {
        auto in = config::read_input_file(*args.input_file, max_input_bytes, "input file");
        if (!in.ok()) return fail(exit_usage, "InvalidInput", in.message);
        input = std::move(*in.text);
    }

    swf::auth::settings_overrides overrides;
    overrides.endpoint_url = args.endpoint_url;
    overrides.region = args.region;
    overrides.profile = args.profile;
    overrides.ca_bundle = args.ca_file;

    if (args.all_pages && !client::is_paginated(*op))
        return fail(exit_usage, "InvalidArgument",
                    std::string(client::api_name(*op)) + " has no pages; --all-pages applies to paginated operations");

    auto c = client::blocking_client::from_environment(overrides);
    if (!c) return fail(exit_usage, c.error().code, c.error().message);

    auto response = (*c)->call_json(*op, input, args.all_pages);
    if (!response) {
        const auto& e = response.error();
        // Input errors are found before anything is sent.
        bool local = e.http_status == 0 && e.kind == swf::error_kind::validation;
        return fail(local ? exit_usage : exit_service_error, e.code, e.message);
    }
    std::cout << *response << "\n";
    return exit_ok;
}

} // namespace

void add_api_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<api_args>();
    auto* cmd = app.add_subcommand("api", "Call one SWF operation and print its JSON response");
    cmd->add_option("operation", args->operation,
                    "Operation, in API spelling (RegisterDomain) or kebab-case (register-domain)")
        ->required();
    auto* input = cmd->add_option("--input", args->input, "Request as JSON (default {})");
    cmd->add_option("--input-file", args->input_file, "Read the request JSON from this file (- for stdin)")
        ->excludes(input);
    cmd->add_option("--endpoint-url", args->endpoint_url, "SWF endpoint, e.g. http://127.0.0.1:4566");
    cmd->add_option("--region", args->region, "AWS region");
    cmd->add_option("--profile", args->profile, "Profile of the shared AWS config and credentials files");
    cmd->add_option("--ca-file", args->ca_file,
                    "PEM file of CA certificates to trust besides the system store (default: AWS_CA_BUNDLE, the "
                    "profile's ca_bundle)");
    cmd->add_flag("--all-pages", args->all_pages, "Follow nextPageToken and print every page's items together");
    cmd->callback([args, &exit_code] { exit_code = run_api(*args); });
}

} // namespace swfrt::runtime::cli
