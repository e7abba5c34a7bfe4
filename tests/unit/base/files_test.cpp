// Reading whole files: each reader's refusals, in the words its callers' messages use.
#include "dsl/base/files.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace dsl = hoshu::dsl;

namespace {

/// A fresh folder under the system's temporary folder, removed at the end of the test.
struct TempFolder {
    std::filesystem::path path;
    explicit TempFolder(const std::string& name)
        : path(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempFolder() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("read_regular_file: a file whole, a FIFO, a folder, a loop refused without waiting", "[files]") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("hoshu_source_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::string text, error;
    {
        std::ofstream(dir / "a.hoshu", std::ios::binary) << std::string("x\0y", 3);
    }
    CHECK(dsl::read_regular_file((dir / "a.hoshu").string(), text, error));
    CHECK(text == std::string("x\0y", 3));
    REQUIRE(::mkfifo((dir / "f.hoshu").c_str(), 0600) == 0);
    CHECK_FALSE(dsl::read_regular_file((dir / "f.hoshu").string(), text, error));
    CHECK(error == "not a regular file (a FIFO)");
    CHECK_FALSE(dsl::read_regular_file(dir.string(), text, error));
    CHECK(error == "a folder, not a file");
    fs::create_symlink("l2.hoshu", dir / "l1.hoshu");
    fs::create_symlink("l1.hoshu", dir / "l2.hoshu");
    CHECK_FALSE(dsl::read_regular_file((dir / "l1.hoshu").string(), text, error));
    CHECK(error == "Too many levels of symbolic links");
    CHECK_FALSE(dsl::read_regular_file((dir / "none.hoshu").string(), text, error));
    CHECK(error == "No such file or directory");
    fs::remove_all(dir);
}

TEST_CASE("read_file: whatever the file is, with the system's words for a failure", "[files]") {
    TempFolder dir("hoshu_files_test_read");
    std::string text, error;
    {
        std::ofstream(dir.path / "in.toml", std::ios::binary) << "a = 1\n";
    }
    CHECK(dsl::read_file((dir.path / "in.toml").string(), text, error));
    CHECK(text == "a = 1\n");
    CHECK_FALSE(dsl::read_file(dir.path.string(), text, error));
    CHECK(error == "Is a directory");   // what `cannot read /: Is a directory` quotes
    CHECK_FALSE(dsl::read_file((dir.path / "none.toml").string(), text, error));
    CHECK(error == "No such file or directory");
}

TEST_CASE("read_file: a pipe is read to its end, a FIFO nobody writes to and a device never wait", "[files]") {
    TempFolder dir("hoshu_files_test_pipe");
    std::string text, error;
    const std::string fifo = (dir.path / "in.toml").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // No writer: ends at once (it waited for one, forever), an error rather than an empty file.
    CHECK_FALSE(dsl::read_file(fifo, text, error));
    CHECK(error == "nothing was written to it (a FIFO or pipe with no writer)");
    // A writer: what it writes, however slowly, is read whole. (Should the reader close just
    // as the writer opens, a write fails rather than kill the test.)
    std::signal(SIGPIPE, SIG_IGN);
    std::thread writer([&] {
        std::ofstream out(fifo, std::ios::binary);   // waits for the reader
        out << "a = 1\n" << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        out << "b = 2\n";
    });
    bool read = false;
    for (int i = 0; i < 200 && !read; ++i) {   // until the writer has opened it
        read = dsl::read_file(fifo, text, error);
        if (!read) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    writer.join();
    CHECK(read);
    CHECK(text == "a = 1\nb = 2\n");
    // /dev/zero never ends (it filled the memory): refused before a byte is read.
    CHECK_FALSE(dsl::read_file("/dev/zero", text, error));
    CHECK(error == "not a regular file (a device)");
    CHECK_FALSE(dsl::read_file("/dev/null", text, error));
    CHECK(error == "not a regular file (a device)");
}

TEST_CASE("read_regular_file_at_most: only a regular file, and only up to the bound", "[files]") {
    TempFolder dir("hoshu_files_test_bound");
    std::string text, error;
    {
        std::ofstream(dir.path / "r.json", std::ios::binary) << std::string(100, 'x');
    }
    CHECK(dsl::read_regular_file_at_most((dir.path / "r.json").string(), 100, text, error));
    CHECK(text.size() == 100);
    {
        std::ofstream(dir.path / "big.json", std::ios::binary) << std::string((1 << 20) + 1, 'x');
    }
    CHECK_FALSE(dsl::read_regular_file_at_most((dir.path / "big.json").string(), 1 << 20, text, error));
    CHECK(error == "larger than 1 MiB");
    REQUIRE(::mkfifo((dir.path / "f.json").c_str(), 0600) == 0);
    CHECK_FALSE(dsl::read_regular_file_at_most((dir.path / "f.json").string(), 100, text, error));   // no wait
    CHECK(error == "not a regular file");
    CHECK_FALSE(dsl::read_regular_file_at_most(dir.path.string(), 100, text, error));
    CHECK(error == "not a regular file");
    CHECK_FALSE(dsl::read_regular_file_at_most((dir.path / "none.json").string(), 100, text, error));
    CHECK(error == "No such file or directory");
}
