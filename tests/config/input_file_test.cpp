// The bounded reader of files a user names, and the config loader through
// it: regular files and streams are read, directories and devices refused,
// and nothing is read past its cap.
#include "config/config.hpp"
#include "config/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace swfrt::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class input_file_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("swfrt_input_file_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const auto path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    // A file of `size` bytes that takes no space (a hole), to test the caps.
    std::string sparse(const std::string& name, std::size_t size) {
        const auto path = (dir_ / name).string();
        std::ofstream(path).close();
        fs::resize_file(path, size);
        return path;
    }

    fs::path dir_;
};

// Runs `read` with standard input connected to `fd`.
template <class Read> input_text with_stdin(int fd, Read read) {
    const int saved = ::dup(STDIN_FILENO);
    ::dup2(fd, STDIN_FILENO);
    auto r = read();
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    return r;
}

TEST_F(input_file_test, reads_a_regular_file_whole) {
    const std::string text = std::string("{\"a\": 1}\n") + std::string(100000, 'x') + '\0' + "tail";
    auto r = read_input_file(write("in.json", text), 1 << 20, "input file");
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(*r.text, text);
    EXPECT_EQ(read_input_file(write("empty.json", ""), 10, "input file").text, "");
}

TEST_F(input_file_test, a_missing_file_names_the_path_and_the_cause) {
    const auto path = (dir_ / "no-such.json").string();
    auto r = read_input_file(path, 10, "input file");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.reason, std::strerror(ENOENT));
    EXPECT_EQ(r.message, path + ": cannot read the input file: " + std::strerror(ENOENT));
}

TEST_F(input_file_test, a_directory_is_refused) {
    auto r = read_input_file(dir_.string(), 1 << 20, "history file");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.message, dir_.string() + ": cannot read the history file: " + std::strerror(EISDIR));
}

TEST_F(input_file_test, a_character_device_is_refused_but_dev_null_is_empty) {
    auto r = read_input_file("/dev/zero", 1 << 20, "input file");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(
        r.message,
        "/dev/zero: cannot read the input file: it is a character device, not a regular file or a pipe");
    auto null = read_input_file("/dev/null", 1 << 20, "input file");
    ASSERT_TRUE(null.ok()) << null.message;
    EXPECT_EQ(*null.text, "");
}

TEST_F(input_file_test, a_file_over_the_cap_is_refused_before_it_is_read) {
    auto at_cap = read_input_file(sparse("at.json", 4096), 4096, "input file");
    ASSERT_TRUE(at_cap.ok()) << at_cap.message;
    EXPECT_EQ(at_cap.text->size(), 4096u);
    const auto path = sparse("big.json", std::size_t{3} << 30); // 3 GiB: never read, never allocated
    auto r = read_input_file(path, std::size_t{2} << 20, "input file");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.message, path + ": cannot read the input file: it is 3 GiB, larger than the 2 MiB limit");
}

TEST_F(input_file_test, standard_input_from_a_pipe) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const std::string text = "{\"name\": \"from a pipe\"}";
    ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fds[1]);
    auto r = with_stdin(fds[0], [] { return read_input_file("-", 1 << 20, "input file"); });
    ::close(fds[0]);
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(*r.text, text);
}

TEST_F(input_file_test, an_endless_stream_stops_at_the_cap) {
    std::signal(SIGPIPE, SIG_IGN); // the writer learns of the end by EPIPE
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::thread writer([fd = fds[1]] {
        const std::string chunk(65536, 'z');
        while (::write(fd, chunk.data(), chunk.size()) > 0) {
        }
        ::close(fd);
    });
    auto r = with_stdin(fds[0], [] { return read_input_file("-", std::size_t{1} << 20, "input file"); });
    ::close(fds[0]);
    writer.join();
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.message, "standard input (-): cannot read the input file: larger than the 1 MiB limit");
}

TEST_F(input_file_test, standard_input_from_a_device_is_refused) {
    const int fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    auto r = with_stdin(fd, [] { return read_input_file("-", 1 << 20, "input file"); });
    ::close(fd);
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(r.message,
                HasSubstr("standard input (-): cannot read the input file: it is a character device"));
}

TEST_F(input_file_test, a_named_pipe_is_read) {
    const auto path = (dir_ / "fifo").string();
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
    std::thread writer([path] { std::ofstream(path) << "through a fifo"; });
    auto r = read_input_file(path, 1 << 20, "input file");
    writer.join();
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(*r.text, "through a fifo");
}

TEST(input_file_sizes, are_stated_in_binary_units) {
    EXPECT_EQ(format_size(0), "0 bytes");
    EXPECT_EQ(format_size(1), "1 byte");
    EXPECT_EQ(format_size(1023), "1023 bytes");
    EXPECT_EQ(format_size(1024), "1 KiB");
    EXPECT_EQ(format_size(1536), "1.5 KiB");
    EXPECT_EQ(format_size(std::size_t{4} << 20), "4 MiB");
    EXPECT_EQ(format_size(std::size_t{256} << 20), "256 MiB");
    EXPECT_EQ(format_size(std::size_t{3} << 30), "3 GiB");
}

// --- the config loader reads through it ----------------------------------------

TEST_F(input_file_test, config_devices_and_oversized_files_are_refused) {
    // Before the bounded reader, /dev/zero was read until memory ran out.
    auto zero = load_file("/dev/zero", env_lookup{});
    ASSERT_EQ(zero.errors.size(), 1u);
    EXPECT_EQ(
        zero.errors[0].to_string(),
        "/dev/zero: cannot read the config file: it is a character device, not a regular file or a pipe");

    const auto big = sparse("big.yaml", max_config_bytes + 1);
    auto r = load_file(big, env_lookup{});
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].to_string(),
              big + ": cannot read the config file: it is 4194305 bytes, larger than the 4 MiB limit");

    // "-" is a file name here, not standard input.
    auto dash = load_file("-", env_lookup{});
    ASSERT_EQ(dash.errors.size(), 1u);
    EXPECT_EQ(dash.errors[0].to_string(),
              std::string("-: cannot read the config file: ") + std::strerror(ENOENT));

    auto ok = load_file(write("ok.yaml", "log: {level: debug}\n"), env_lookup{});
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value->log.level, log_level::debug);
}

} // namespace
} // namespace swfrt::config
