#include "config/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

namespace swfrt::config {
namespace {

class fd_guard {
public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) ::close(fd_);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;

private:
    int fd_;
};

// /dev/null reads as empty: `< /dev/null` is a common way to say "no input".
bool is_null_device(const struct stat& st) {
    struct stat null {};
    return ::stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) && null.st_rdev == st.st_rdev;
}

// Why a file of this kind is not read; nullopt when it is.
std::optional<std::string> kind_problem(const struct stat& st, int fd) {
    if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return std::nullopt;
    if (S_ISDIR(st.st_mode)) return std::string(std::strerror(EISDIR));
    if (S_ISCHR(st.st_mode)) {
        if ((fd >= 0 && ::isatty(fd)) || is_null_device(st)) return std::nullopt;
        return std::string("it is a character device, not a regular file or a pipe");
    }
    if (S_ISBLK(st.st_mode)) return std::string("it is a block device, not a regular file or a pipe");
    return std::string("it is not a regular file or a pipe");
}

std::string too_large(std::size_t max_bytes) {
    return "larger than the " + format_size(max_bytes) + " limit";
}

} // namespace

std::string format_size(std::size_t bytes) {
    auto in_units = [&](std::size_t unit, const char* name) {
        std::string whole = std::to_string(bytes / unit);
        std::size_t tenths = (bytes % unit) * 10 / unit;
        return whole + (tenths ? "." + std::to_string(tenths) : std::string()) + " " + name;
    };
    if (bytes >= (std::size_t{1} << 30)) return in_units(std::size_t{1} << 30, "GiB");
    if (bytes >= (std::size_t{1} << 20)) return in_units(std::size_t{1} << 20, "MiB");
    if (bytes >= (std::size_t{1} << 10)) return in_units(std::size_t{1} << 10, "KiB");
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

input_text read_input_file(const std::string& path, std::size_t max_bytes, std::string_view what,
                           bool dash_is_stdin) {
    const bool from_stdin = dash_is_stdin && path == "-";
    auto fail = [&](std::string reason) {
        input_text r;
        r.message = (from_stdin ? std::string("standard input (-)") : path) + ": cannot read the " +
                    std::string(what) + ": " + reason;
        r.reason = std::move(reason);
        return r;
    };
    struct stat st {};
    // Looked at before it is opened: opening a device may already do something.
    if (!from_stdin) {
        if (::stat(path.c_str(), &st) != 0) return fail(std::strerror(errno));
        if (auto p = kind_problem(st, -1); p && !S_ISCHR(st.st_mode)) return fail(*p);
    }
    const int fd = from_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail(std::strerror(errno));
    fd_guard guard(from_stdin ? -1 : fd);
    // Again on what was opened: the path may have changed in between.
    if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
    if (auto p = kind_problem(st, fd)) return fail(*p);
    if (S_ISREG(st.st_mode) && st.st_size > 0 && static_cast<std::size_t>(st.st_size) > max_bytes) {
        const auto size = static_cast<std::size_t>(st.st_size);
        // Exact when rounding would make it look the same as the cap.
        std::string stated = format_size(size);
        if (stated == format_size(max_bytes)) stated = std::to_string(size) + " bytes";
        return fail("it is " + stated + ", " + too_large(max_bytes));
    }
    try {
        std::string text;
        if (S_ISREG(st.st_mode)) text.reserve(static_cast<std::size_t>(st.st_size));
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return fail(std::strerror(errno));
            if (n == 0) break;
            // A file that grows while it is read, or a stream: stop once past the cap.
            if (text.size() + static_cast<std::size_t>(n) > max_bytes) return fail(too_large(max_bytes));
            text.append(buf, static_cast<std::size_t>(n));
        }
        input_text r;
        r.text = std::move(text);
        return r;
    } catch (const std::bad_alloc&) {
        return fail("out of memory while reading it");
    }
}

} // namespace swfrt::config
