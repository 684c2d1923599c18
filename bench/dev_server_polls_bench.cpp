// The dev server under many pollers (1,000 per task list, SWF's most): the
// memory a held long poll costs,
// beside the memory of an idle connection to the same server (the
// baseline, measured in the same run), and how fast the held polls are
// handed tasks when work arrives.
//
//   dev_server_polls_bench [POLLS]   (default 10000)
//
// The pollers are plain blocking sockets in a child process (so that both
// ends fit the descriptor limit); the server runs on one thread here.
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "swf/service/server.hpp"

namespace {

using namespace swfrt::swf;
using clock_type = std::chrono::steady_clock;

long rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

std::string http_request(const std::string& op, const std::string& body) {
    return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: "
           "SimpleWorkflowService." +
           op + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

void raise_fd_limit() {
    rlimit r{};
    getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
}

// The child: N connections, then N polls, then reads N answers. Each step
// is reported on `up` with one byte; the parent says go on `down`.
[[noreturn]] void pollers(int n, std::uint16_t port, int up, int down) {
    raise_fd_limit();
    std::vector<int> fds;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    for (int i = 0; i < n; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            std::fprintf(stderr, "poller %d: %s\n", i, std::strerror(errno));
            std::_Exit(1);
        }
        fds.push_back(fd);
    }
    char c = 'c';
    (void)!::write(up, &c, 1);
    (void)!::read(down, &c, 1);
    // SWF holds at most 1,000 polls per task list: a list per thousand.
    for (int i = 0; i < n; ++i) {
        const auto req = http_request("PollForActivityTask", R"({"domain":"bench","taskList":{"name":"work-)" +
                                                                 std::to_string(i / 1000) + R"("}})");
        if (::send(fds[i], req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) std::_Exit(2);
    }
    c = 's';
    (void)!::write(up, &c, 1);
    int with_task = 0;
    for (int fd : fds) {
        std::string got;
        char buf[4096];
        // The answer is complete once its Content-Length of body is in.
        while (true) {
            auto k = ::recv(fd, buf, sizeof buf, 0);
            if (k <= 0) std::_Exit(3);
            got.append(buf, static_cast<std::size_t>(k));
            auto head = got.find("\r\n\r\n");
            if (head == std::string::npos) continue;
            auto cl = got.find("Content-Length: ");
            if (cl == std::string::npos) continue;
            auto len = std::strtoul(got.c_str() + cl + 16, nullptr, 10);
            if (got.size() >= head + 4 + len) break;
        }
        if (got.find("\"taskToken\"") != std::string::npos) ++with_task;
        ::close(fd);
    }
    c = with_task == n ? 'd' : 'x';
    (void)!::write(up, &c, 1);
    std::_Exit(0);
}

} // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
    if (n <= 0 || n % 1000 != 0) {
        std::fprintf(stderr, "POLLS must be a positive multiple of 1000\n");
        return 2;
    }
    raise_fd_limit();
    rlimit r{};
    getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur < static_cast<rlim_t>(n) + 100) {
        std::fprintf(stderr, "the descriptor limit (%lu) is below %d pollers\n", static_cast<unsigned long>(r.rlim_cur), n);
        return 2;
    }
    boost::asio::io_context io(1);
    auto work = boost::asio::make_work_guard(io);
    service::server_options o;
    auto srv = service::server::listen(io.get_executor(), o);
    if (!srv) {
        std::fprintf(stderr, "%s\n", srv.error().to_string().c_str());
        return 1;
    }
    auto& server = **srv;
    std::thread loop([&] { io.run(); });
    auto on_server = [&](auto fn) {
        std::promise<decltype(fn(server.backend()))> p;
        auto f = p.get_future();
        boost::asio::post(server.executor(), [&] { p.set_value(fn(server.backend())); });
        return f.get();
    };
    auto call = [&](std::string op, std::string body) {
        return on_server([&](service::service& s) { return s.handle(op, body).now.value_or(service::reply{}).status; });
    };
    call("RegisterDomain", R"({"name":"bench","workflowExecutionRetentionPeriodInDays":"1"})");
    call("RegisterWorkflowType", R"({"domain":"bench","name":"wf","version":"1","defaultTaskList":{"name":"deciders"},)"
                                 R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"600",)"
                                 R"("defaultChildPolicy":"TERMINATE"})");
    call("RegisterActivityType", R"({"domain":"bench","name":"act","version":"1","defaultTaskList":{"name":"work"},)"
                                 R"("defaultTaskScheduleToStartTimeout":"NONE","defaultTaskScheduleToCloseTimeout":"NONE",)"
                                 R"("defaultTaskStartToCloseTimeout":"NONE","defaultTaskHeartbeatTimeout":"NONE"})");

    int up[2], down[2];
    if (::pipe(up) != 0 || ::pipe(down) != 0) return 1;
    const long rss0 = rss_kib();
    pid_t child = ::fork();
    if (child == 0) pollers(n, server.port(), up[1], down[0]);
    char c = 0;
    if (::read(up[0], &c, 1) != 1 || c != 'c') return 1;
    // Every connection is accepted and waits in its first read.
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    const long rss1 = rss_kib();
    c = 'p';
    (void)!::write(down[1], &c, 1);
    if (::read(up[0], &c, 1) != 1 || c != 's') return 1;
    const auto until = clock_type::now() + std::chrono::seconds{50};
    while (on_server([](service::service& s) { return s.polls_held(); }) < static_cast<std::size_t>(n) &&
           clock_type::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    const auto held = on_server([](service::service& s) { return s.polls_held(); });
    const long rss2 = rss_kib();

    // Work for every held poll: n / 1000 executions, each deciding 1000 activities.
    const auto started = clock_type::now();
    for (int e = 0; e < n / 1000; ++e) {
        call("StartWorkflowExecution", R"({"domain":"bench","workflowId":"w)" + std::to_string(e) +
                                           R"(","workflowType":{"name":"wf","version":"1"}})");
        std::string token = on_server([](service::service& s) {
            auto r = s.handle("PollForDecisionTask", R"({"domain":"bench","taskList":{"name":"deciders"}})").now;
            auto at = r->body.find("\"taskToken\":\"");
            return r->body.substr(at + 13, r->body.find('"', at + 13) - at - 13);
        });
        std::string decisions;
        for (int i = 0; i < 1000; ++i)
            decisions += std::string(i ? "," : "") +
                         R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"a)" +
                         std::to_string(i) + R"(","activityType":{"name":"act","version":"1"},"taskList":{"name":"work-)" +
                         std::to_string(e) + R"("}}})";
        call("RespondDecisionTaskCompleted", R"({"taskToken":")" + token + R"(","decisions":[)" + decisions + "]}");
    }
    if (::read(up[0], &c, 1) != 1) return 1;
    const double secs = std::chrono::duration<double>(clock_type::now() - started).count();
    int status = 0;
    ::waitpid(child, &status, 0);
    server.stop();
    work.reset();
    io.stop();
    loop.join();

    std::printf("dev server, %d pollers on %d task lists (one server thread)\n", n, n / 1000);
    std::printf("  baseline: an idle connection     %8.2f KiB each (RSS +%ld KiB)\n",
                static_cast<double>(rss1 - rss0) / n, rss1 - rss0);
    std::printf("  a held long poll (beyond that)   %8.2f KiB each (RSS +%ld KiB, %zu held)\n",
                static_cast<double>(rss2 - rss1) / n, rss2 - rss1, held);
    std::printf("  held polls handed a task         %8.0f per second (%d in %.3f s)%s\n", n / secs, n, secs,
                c == 'd' ? "" : " -- SOME POLLS GOT NO TASK");
    return held == static_cast<std::size_t>(n) && c == 'd' ? 0 : 1;
}
