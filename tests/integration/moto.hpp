// moto_server, a third-party SWF emulator, on a free loopback port for the
// integration tests: started once per test binary as a gtest environment,
// awaited until it accepts connections, and stopped (its whole process
// group) when the tests end, also when one fails or the binary crashes.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace swfrt::tests::integration {

// What to tell someone who has no moto_server.
inline constexpr const char* moto_install_hint =
    "moto_server is not on PATH; install it with: pip install \"moto[server]\" (tests/run.sh does)";

// The full path of an executable found on PATH, or nullopt.
inline std::optional<std::string> find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (!path) return std::nullopt;
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) dir = ".";
        std::string candidate = dir + "/" + name;
        struct stat st{};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return std::nullopt;
}

// A port the kernel considers free on 127.0.0.1: bind port 0, read it back,
// close. Another process could take it before moto binds it; start() then
// sees moto exit and tries again with a fresh port.
inline int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

inline bool accepts_connections(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

class moto_server {
public:
    moto_server() = default;
    moto_server(const moto_server&) = delete;
    moto_server& operator=(const moto_server&) = delete;
    ~moto_server() { stop(); }

    // Starts moto_server and waits until it accepts TCP connections. On
    // failure returns false and error() says why, with the log's tail.
    bool start(std::chrono::seconds ready_within = std::chrono::seconds(30)) {
        auto program = find_on_path("moto_server");
        if (!program) {
            error_ = moto_install_hint;
            return false;
        }
        auto deadline = std::chrono::steady_clock::now() + ready_within;
        for (int attempt = 1; attempt <= 3; ++attempt) {
            if (!spawn(*program)) return false;
            if (wait_ready(deadline)) return true;
            bool exited = pid_ < 0;
            stop();
            // A moto that exited at once most likely lost the port to
            // another process: try a fresh one. A timeout is final.
            if (!exited || std::chrono::steady_clock::now() >= deadline) break;
        }
        return false;
    }

    // SIGTERM to the process group, SIGKILL after a grace period, reaped.
    void stop() {
        if (pid_ > 0) {
            ::kill(-pid_, SIGTERM);
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            int status = 0;
            while (::waitpid(pid_, &status, WNOHANG) == 0) {
                if (std::chrono::steady_clock::now() >= deadline) {
                    ::kill(-pid_, SIGKILL);
                    ::waitpid(pid_, &status, 0);
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            // Anything moto started in its group goes too.
            ::kill(-pid_, SIGKILL);
            pid_ = -1;
        }
        running_group().store(0);
    }

    int port() const noexcept { return port_; }
    std::string endpoint_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    const std::string& error() const noexcept { return error_; }
    const std::string& log_path() const noexcept { return log_path_; }

    std::string log() const {
        std::ifstream f(log_path_, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }

    std::string log_tail(std::size_t max_chars = 3000) const {
        std::string s = log();
        return s.size() <= max_chars ? s : "..." + s.substr(s.size() - max_chars);
    }

    void remove_log() {
        if (!log_path_.empty()) ::unlink(log_path_.c_str());
        log_path_.clear();
    }

    // The process group of the running moto, for the crash handler.
    static std::atomic<pid_t>& running_group() {
        static std::atomic<pid_t> group{0};
        return group;
    }

private:
    bool spawn(const std::string& program) {
        port_ = free_loopback_port();
        if (port_ <= 0) {
            error_ = std::string("cannot find a free loopback port: ") + std::strerror(errno);
            return false;
        }
        if (log_path_.empty()) {
            const char* tmp = std::getenv("TMPDIR");
            std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/swfrt-moto-XXXXXX";
            std::vector<char> buf(pattern.begin(), pattern.end());
            buf.push_back('\0');
            int fd = ::mkstemp(buf.data());
            if (fd < 0) {
                error_ = std::string("cannot create the moto log file: ") + std::strerror(errno);
                return false;
            }
            ::close(fd);
            log_path_ = buf.data();
        }

        std::string port = std::to_string(port_);
        std::vector<std::string> args{program, "-H", "127.0.0.1", "-p", port};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        // Its own process group, so stop() reaches whatever it starts.
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attr, 0);
        pid_t pid = -1;
        int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (rc != 0) {
            error_ = "posix_spawn " + program + " failed: " + std::strerror(rc);
            return false;
        }
        pid_ = pid;
        running_group().store(pid);
        return true;
    }

    bool wait_ready(std::chrono::steady_clock::time_point deadline) {
        for (;;) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                running_group().store(0);
                error_ = "moto_server on port " + std::to_string(port_) + " exited (" + describe(status) +
                         ") before accepting connections; log " + log_path_ + ":\n" + log_tail();
                return false;
            }
            if (accepts_connections(port_)) return true;
            if (std::chrono::steady_clock::now() >= deadline) {
                error_ = "moto_server on port " + std::to_string(port_) +
                         " did not accept connections within the time limit; log " + log_path_ + ":\n" + log_tail();
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    static std::string describe(int status) {
        if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
        if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
        return "status " + std::to_string(status);
    }

    pid_t pid_ = -1;
    int port_ = 0;
    std::string log_path_;
    std::string error_;
};

// The gtest environment holding the one moto_server of a test binary.
class moto_environment : public ::testing::Environment {
public:
    static moto_environment*& current() {
        static moto_environment* env = nullptr;
        return env;
    }

    void SetUp() override {
        current() = this;
        install_crash_handlers();
        ready_ = server_.start();
        ASSERT_TRUE(ready_) << server_.error();
    }

    void TearDown() override {
        server_.stop();
        if (::testing::UnitTest::GetInstance()->Failed() && !server_.log_path().empty())
            std::fprintf(stderr, "moto_server log kept at %s\n", server_.log_path().c_str());
        else
            server_.remove_log();
    }

    bool ready() const noexcept { return ready_; }
    const moto_server& server() const noexcept { return server_; }
    // Why it is not ready, for each test's own failure message.
    std::string error() const { return server_.error(); }

private:
    // A crashing test binary must not leave moto running: kill its group
    // and die of the same signal.
    static void install_crash_handlers() {
        for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGINT}) {
            struct sigaction sa{};
            sa.sa_handler = &on_fatal_signal;
            sa.sa_flags = SA_RESETHAND;
            sigemptyset(&sa.sa_mask);
            ::sigaction(sig, &sa, nullptr);
        }
        std::atexit([] {
            pid_t group = moto_server::running_group().exchange(0);
            if (group > 0) ::kill(-group, SIGKILL);
        });
    }

    static void on_fatal_signal(int sig) {
        pid_t group = moto_server::running_group().exchange(0);
        if (group > 0) ::kill(-group, SIGKILL);
        ::raise(sig);
    }

    moto_server server_;
    bool ready_ = false;
};

} // namespace swfrt::tests::integration
