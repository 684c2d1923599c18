// The AWS shared config and credentials files (~/.aws/config,
// ~/.aws/credentials): parsing, profile selection and merging, the profile
// credentials provider, and credential_process (an external command).
#pragma once

#include "swf/auth/env.hpp"
#include "swf/auth/provider.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swfrt::swf::auth {

// profile name -> property name -> value. Property names are lower-cased;
// sub-properties (indented lines under a property with an empty value) are
// stored as "parent.child".
using profile_map = std::map<std::string, std::map<std::string, std::string>>;

enum class profile_file_kind {
    credentials, // sections are [name]
    config,      // sections are [profile name], plus [default]
};

// Parses one file. `source` names it in error messages ("path:line: ...").
// Sections other than profiles ([sso-session x], [services x], and bare
// [name] in the config file) are skipped, as the SDKs do.
result<profile_map> parse_profile_file(std::string_view text, profile_file_kind kind,
                                       std::string_view source = "<text>");

// The shared config and credentials files, and token files, are read up
// to this size: far above any real one.
inline constexpr std::size_t max_shared_file_bytes = std::size_t{16} << 20;

// The whole of a regular file or pipe of at most max_bytes; nullopt when it
// cannot be read, is something else (a directory, a device) or is larger.
std::optional<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes);

struct shared_file_paths {
    std::string credentials; // AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
    std::string config;      // AWS_CONFIG_FILE or ~/.aws/config
};

// "~/" at the start of a configured path is expanded with HOME (USERPROFILE
// as a fallback). Paths are empty when no home directory is known.
shared_file_paths resolve_shared_file_paths(const env_lookup& env);

// explicit_name, else AWS_PROFILE, else "default".
std::string resolve_profile_name(const env_lookup& env, const std::optional<std::string>& explicit_name);

struct profile {
    std::string name;
    std::map<std::string, std::string> values; // credentials file wins over config file
    std::vector<std::string> sources;          // the files the profile was found in

    const std::string* get(std::string_view key) const;
};

// Reads both shared files and merges profile `name`. Errors: no shared file
// exists or the profile is in neither (credentials_not_found), a file cannot
// be read or is malformed (invalid_credentials, with path and line).
result<profile> load_profile(const env_lookup& env, std::string_view name);

struct process_options {
    // A credential_process that hangs must not hold the chain forever.
    std::chrono::milliseconds timeout{std::chrono::seconds{60}};
    std::size_t max_output = 64 * 1024; // per stream
};

// What a finished command left behind.
struct process_output {
    int exit_code = -1;      // -1 when killed by a signal or not started
    bool timed_out = false;  // killed after the timeout
    std::string spawn_error; // non-empty when the command could not start
    std::string out;
    std::string err;
};

// Runs `command` with /bin/sh -c on a separate thread (stdin from /dev/null,
// its own process group so a timeout kills everything it started) and
// resumes the caller on its executor when it has finished.
boost::asio::awaitable<process_output> run_shell_command(std::string command, process_options options = {});

// The credential_process protocol: the command prints
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}.
// Errors carry the exit code and stderr, never stdout (it may hold secrets).
class credential_process_provider final : public credentials_provider {
public:
    explicit credential_process_provider(std::string command, process_options options = {});
    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "credential_process"; }

private:
    std::string command_;
    process_options options_;
};

// Profile credentials: aws_access_key_id / aws_secret_access_key /
// aws_session_token from the merged profile, else its credential_process.
// The profile is re-read at every fetch so edited files are picked up on
// refresh. Profiles that need STS or SSO (role_arn, sso_*,
// web_identity_token_file) are reported as unsupported.
class profile_provider final : public credentials_provider {
public:
    explicit profile_provider(env_lookup env = system_env(),
                              std::optional<std::string> profile_name = std::nullopt,
                              process_options options = {});
    boost::asio::awaitable<result<credentials>> fetch() override;
    std::string_view name() const override { return "profile"; }

private:
    env_lookup env_;
    std::optional<std::string> profile_name_;
    process_options options_;
};

} // namespace swfrt::swf::auth
