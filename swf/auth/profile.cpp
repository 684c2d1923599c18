#include "swf/auth/profile.hpp"

#include "swf/auth/internal.hpp"

#include <cstdint>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace swfrt::swf::auth {

namespace {

error auth_error(std::string_view code, std::string message) {
    return make_error(error_kind::auth, std::string(code), std::move(message));
}

using internal::trim;

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

// In a property value, '#' or ';' starts a comment only after whitespace, so
// secrets containing those characters survive (the SDKs' rule).
std::string_view strip_value_comment(std::string_view v) {
    for (std::size_t i = 1; i < v.size(); ++i) {
        if ((v[i] == '#' || v[i] == ';') && (v[i - 1] == ' ' || v[i - 1] == '\t')) return v.substr(0, i);
    }
    return v;
}

// The profile a section header names, or nullopt for sections that are not
// profiles in this kind of file.
std::optional<std::string> section_profile(std::string_view name, profile_file_kind kind,
                                           bool& explicit_prefix) {
    explicit_prefix = false;
    if (kind == profile_file_kind::credentials) {
        if (name.empty()) return std::nullopt;
        return std::string(name);
    }
    if (name == "default") return std::string("default");
    constexpr std::string_view prefix = "profile";
    if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
        (name[prefix.size()] == ' ' || name[prefix.size()] == '\t')) {
        auto rest = trim(name.substr(prefix.size()));
        if (rest.empty()) return std::nullopt;
        explicit_prefix = true;
        return std::string(rest);
    }
    return std::nullopt;
}

enum class read_status { ok, missing, failed };

read_status read_file(const std::string& path, std::string& out) {
    if (path.empty()) return read_status::missing;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? read_status::missing : read_status::failed;
    auto text = read_bounded_file(path, max_shared_file_bytes);
    if (!text) return read_status::failed;
    out = std::move(*text);
    return read_status::ok;
}

std::optional<std::string> home_dir(const env_lookup& env) {
    if (auto h = env_value(env, "HOME")) return h;
    return env_value(env, "USERPROFILE");
}

std::string expand_home(std::string path, const env_lookup& env) {
    if (path == "~" || path.rfind("~/", 0) == 0) {
        auto home = home_dir(env);
        if (!home) return {};
        return *home + path.substr(1);
    }
    return path;
}

} // namespace

// ---------------------------------------------------------------- parsing

result<profile_map> parse_profile_file(std::string_view text, profile_file_kind kind,
                                       std::string_view source) {
    profile_map out;
    std::map<std::string, std::string>* current = nullptr; // null inside a skipped section
    bool in_section = false;
    // [profile default] beats [default] in the config file whatever the order.
    bool saw_explicit_default = false;
    std::string last_key;
    bool last_key_empty_value = false;
    std::size_t line_no = 0;

    auto fail = [&](std::string why) -> result<profile_map> {
        return auth_error(invalid_credentials,
                          std::string(source) + ":" + std::to_string(line_no) + ": " + why);
    };

    while (!text.empty()) {
        ++line_no;
        auto nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);

        auto line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;

        if (line.front() == '[') {
            auto close = line.find(']');
            if (close == std::string_view::npos) return fail("section header without ']'");
            auto after = trim(line.substr(close + 1));
            if (!after.empty() && after.front() != '#' && after.front() != ';')
                return fail("unexpected text after section header");
            bool explicit_prefix = false;
            auto name = section_profile(trim(line.substr(1, close - 1)), kind, explicit_prefix);
            in_section = true;
            last_key.clear();
            if (!name) {
                current = nullptr;
                continue;
            }
            if (kind == profile_file_kind::config && *name == "default") {
                if (explicit_prefix && !saw_explicit_default) {
                    out.erase("default");
                    saw_explicit_default = true;
                } else if (!explicit_prefix && saw_explicit_default) {
                    current = nullptr;
                    continue;
                }
            }
            current = &out[*name];
            continue;
        }

        const bool indented = raw.front() == ' ' || raw.front() == '\t';
        if (indented && !last_key.empty()) {
            if (current == nullptr) continue;
            if (last_key_empty_value) {
                auto eq = line.find('=');
                if (eq == std::string_view::npos) return fail("expected 'name = value' in a sub-property");
                auto sub = trim(line.substr(0, eq));
                if (sub.empty()) return fail("empty sub-property name");
                (*current)[last_key + "." + lower(sub)] =
                    std::string(trim(strip_value_comment(line.substr(eq + 1))));
            } else {
                auto& v = (*current)[last_key];
                v += '\n';
                v += trim(strip_value_comment(line));
            }
            continue;
        }

        if (!in_section) return fail("property outside of a [section]");
        auto eq = line.find('=');
        if (eq == std::string_view::npos) return fail("expected 'name = value'");
        auto key = trim(line.substr(0, eq));
        if (key.empty()) return fail("empty property name");
        auto value = trim(strip_value_comment(line.substr(eq + 1)));
        last_key = lower(key);
        last_key_empty_value = value.empty();
        if (current != nullptr) (*current)[last_key] = std::string(value);
    }
    return out;
}

shared_file_paths resolve_shared_file_paths(const env_lookup& env) {
    shared_file_paths p;
    auto home = home_dir(env);
    if (auto v = env_value(env, "AWS_SHARED_CREDENTIALS_FILE"))
        p.credentials = expand_home(*v, env);
    else if (home)
        p.credentials = *home + "/.aws/credentials";
    if (auto v = env_value(env, "AWS_CONFIG_FILE"))
        p.config = expand_home(*v, env);
    else if (home)
        p.config = *home + "/.aws/config";
    return p;
}

std::string resolve_profile_name(const env_lookup& env, const std::optional<std::string>& explicit_name) {
    if (explicit_name && !explicit_name->empty()) return *explicit_name;
    if (auto v = env_value(env, "AWS_PROFILE")) return *v;
    return "default";
}

const std::string* profile::get(std::string_view key) const {
    auto it = values.find(std::string(key));
    return it == values.end() ? nullptr : &it->second;
}

result<profile> load_profile(const env_lookup& env, std::string_view name) {
    const auto paths = resolve_shared_file_paths(env);
    profile p;
    p.name = std::string(name);
    bool any_file = false;
    // Config first so that the credentials file overrides it key by key.
    const std::array<std::pair<const std::string*, profile_file_kind>, 2> files{
        std::pair{&paths.config, profile_file_kind::config},
        std::pair{&paths.credentials, profile_file_kind::credentials}};
    bool found = false;
    for (const auto& [path, kind] : files) {
        std::string text;
        switch (read_file(*path, text)) {
        case read_status::missing: continue;
        case read_status::failed: return auth_error(invalid_credentials, "cannot read " + *path);
        case read_status::ok: break;
        }
        any_file = true;
        auto parsed = parse_profile_file(text, kind, *path);
        if (!parsed) return std::move(parsed).error();
        auto it = parsed->find(p.name);
        if (it == parsed->end()) continue;
        found = true;
        p.sources.push_back(*path);
        for (auto& [k, v] : it->second)
            p.values[k] = std::move(v);
    }
    if (!any_file) {
        if (paths.credentials.empty() && paths.config.empty())
            return auth_error(credentials_not_found, "no shared credentials file: HOME is not set");
        return auth_error(credentials_not_found, "no shared credentials file (looked for " +
                                                     paths.credentials + " and " + paths.config + ")");
    }
    if (!found)
        return auth_error(credentials_not_found, "profile '" + p.name + "' not found in " +
                                                     paths.credentials + " or " + paths.config);
    return p;
}

// ---------------------------------------------------------------- processes

namespace {

process_output run_blocking(const std::string& command, const process_options& options) {
    process_output result;
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    // O_CLOEXEC: other commands spawned concurrently must not inherit these ends.
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        result.spawn_error = std::string("pipe: ") + std::strerror(errno);
        for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
            if (fd >= 0) ::close(fd);
        return result;
    }

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attr);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    ::posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    // Own process group, so a timeout can kill the shell and whatever it started.
    ::posix_spawnattr_setpgroup(&attr, 0);
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    ::posix_spawnattr_setsigmask(&attr, &none);
    ::posix_spawnattr_setsigdefault(&attr, &defaults);
    ::posix_spawnattr_setflags(&attr, flags);

    std::string cmd = command;
    char sh[] = "/bin/sh";
    char dash_c[] = "-c";
    char* argv[] = {sh, dash_c, cmd.data(), nullptr};
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        result.spawn_error = std::string("cannot start /bin/sh: ") + std::strerror(rc);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        return result;
    }

    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            break;
        }
        const int n =
            ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (n < 0) {
            if (errno == EINTR) continue;
            result.spawn_error = std::string("poll: ") + std::strerror(errno);
            break;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            auto& sink = *sinks[i];
            // Output past the limit is drained and dropped so the child never blocks on a full pipe.
            if (sink.size() < options.max_output)
                sink.append(buf, std::min<std::size_t>(static_cast<std::size_t>(got),
                                                       options.max_output - sink.size()));
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    if (result.timed_out || !result.spawn_error.empty()) ::kill(-pid, SIGKILL);

    int status = 0;
    // The streams closed, but the shell may still be running (e.g. it closed
    // them itself); give it the rest of the timeout before killing it.
    while (true) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            status = -1;
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline && !result.timed_out) {
            result.timed_out = true;
            ::kill(-pid, SIGKILL);
        }
        if (result.timed_out) {
            ::waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    return result;
}

std::string describe_stderr(std::string_view err) {
    auto t = trim(err);
    if (t.empty()) return {};
    constexpr std::size_t limit = 1024;
    std::string s(t.substr(0, limit));
    if (t.size() > limit) s += "...";
    return ": " + s;
}

} // namespace

boost::asio::awaitable<process_output> run_shell_command(std::string command, process_options options) {
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                   void(process_output)>(
        [](auto handler, std::string cmd, process_options opts) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            // Keeps the io_context running while the command runs on its own thread.
            auto work = boost::asio::prefer(boost::asio::get_associated_executor(*h),
                                            boost::asio::execution::outstanding_work.tracked);
            auto finish = [h, work](process_output out) {
                boost::asio::post(work,
                                  [h, out = std::move(out)]() mutable { std::move (*h)(std::move(out)); });
            };
            try {
                std::thread([finish, cmd = std::move(cmd), opts] {
                    finish(run_blocking(cmd, opts));
                }).detach();
            } catch (const std::system_error& e) {
                process_output out;
                out.spawn_error = std::string("cannot start a thread: ") + e.what();
                finish(std::move(out));
            }
        },
        boost::asio::use_awaitable, std::move(command), options);
}

credential_process_provider::credential_process_provider(std::string command, process_options options)
    : command_(std::move(command)), options_(options) {}

boost::asio::awaitable<result<credentials>> credential_process_provider::fetch() {
    if (trim(command_).empty()) co_return auth_error(invalid_credentials, "credential_process is empty");
    auto out = co_await run_shell_command(command_, options_);
    if (!out.spawn_error.empty())
        co_return auth_error(credentials_unavailable, "credential_process: " + out.spawn_error);
    if (out.timed_out)
        co_return auth_error(credentials_unavailable, "credential_process did not finish within " +
                                                          std::to_string(options_.timeout.count()) + " ms" +
                                                          describe_stderr(out.err));
    if (out.exit_code != 0) {
        const std::string how = out.exit_code < 0 ? std::string("was killed by a signal")
                                                  : "exited with " + std::to_string(out.exit_code);
        co_return auth_error(credentials_unavailable, "credential_process " + how + describe_stderr(out.err));
    }
    co_return parse_credentials_json(out.out, "SessionToken", "credential_process");
}

// ---------------------------------------------------------------- profile

profile_provider::profile_provider(env_lookup env, std::optional<std::string> profile_name,
                                   process_options options)
    : env_(std::move(env)), profile_name_(std::move(profile_name)), options_(options) {}

boost::asio::awaitable<result<credentials>> profile_provider::fetch() {
    const auto name = resolve_profile_name(env_, profile_name_);
    auto p = load_profile(env_, name);
    if (!p) co_return std::move(p).error();
    const std::string where = "profile '" + name + "'";

    const auto* id = p->get("aws_access_key_id");
    const auto* secret = p->get("aws_secret_access_key");
    if ((id && !id->empty()) || (secret && !secret->empty())) {
        if (!id || id->empty())
            co_return auth_error(invalid_credentials,
                                 where + " has aws_secret_access_key but no aws_access_key_id");
        if (!secret || secret->empty())
            co_return auth_error(invalid_credentials,
                                 where + " has aws_access_key_id but no aws_secret_access_key");
        credentials c;
        c.access_key_id = *id;
        c.secret_access_key = *secret;
        if (const auto* token = p->get("aws_session_token")) c.session_token = *token;
        c.provider = "profile";
        co_return c;
    }
    if (const auto* process = p->get("credential_process"); process && !process->empty()) {
        credential_process_provider inner(*process, options_);
        auto r = co_await inner.fetch();
        if (!r) {
            auto e = std::move(r).error();
            e.message = where + ": " + e.message;
            co_return e;
        }
        r->provider = "profile:credential_process";
        co_return r;
    }
    for (std::string_view key : {"role_arn", "web_identity_token_file", "sso_session", "sso_start_url"}) {
        if (p->get(key))
            co_return auth_error(
                invalid_credentials,
                where + " uses " + std::string(key) +
                    ", which needs STS or SSO and is not supported; use static keys, "
                    "credential_process (e.g. 'aws configure export-credentials --format process') "
                    "or the environment");
    }
    co_return auth_error(credentials_not_found, where + " has no aws_access_key_id or credential_process");
}

std::optional<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    // Regular files and pipes only, and /dev/null (empty; a common way to say
    // "no file"): a directory cannot be read, and a device such as /dev/zero
    // would be read until memory ran out.
    if (S_ISCHR(st.st_mode)) {
        struct stat null_st {};
        if (::stat("/dev/null", &null_st) == 0 && S_ISCHR(null_st.st_mode) && null_st.st_rdev == st.st_rdev)
            return std::string();
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) return std::nullopt;
    if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string out;
    char buf[16384];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        out.append(buf, static_cast<std::size_t>(in.gcount()));
        if (out.size() > max_bytes) return std::nullopt;
    }
    if (in.bad()) return std::nullopt;
    return out;
}

} // namespace swfrt::swf::auth
