// What an interrupted command leaves behind: the private temporary folder (its modes, what
// it refuses), and what the signal handler's clean-up removes and stops — run in a child
// process, as the handler runs in a process about to end.
#include "dsl/base/interrupt.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

unsigned mode_of(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 ? static_cast<unsigned>(st.st_mode & 07777) : 0u;
}

}  // namespace

TEST_CASE("TempFolder: private (0700, files 0600), nothing written outside it, removed when it goes", "[interrupt]") {
    std::string path, error;
    {
        hoshu::TempFolder dir;
        REQUIRE(dir.make("hoshu-interrupt-test", error));
        path = dir.path();
        CHECK(fs::path(path).filename().string().rfind("hoshu-interrupt-test-", 0) == 0);
        CHECK(mode_of(path) == 0700);
        CHECK(dir.write("up/plan/../common/x.hoshu", "param a: ratio = 1\n", error));
        CHECK(mode_of(path + "/up/common/x.hoshu") == 0600);
        CHECK(mode_of(path + "/up") == 0700);
        CHECK(mode_of(path + "/up/common") == 0700);
        CHECK(dir.write("inputs.toml", "a = 1\n", error));
        CHECK(dir.write("inputs.toml", "b = 2\n", error));   // written again: replaced
        std::ifstream in(path + "/inputs.toml");
        std::string line;
        std::getline(in, line);
        CHECK(line == "b = 2");
        CHECK_FALSE(dir.write("../outside.toml", "x", error));
        CHECK(error == "`../outside.toml` is not a file inside the temporary folder");
        CHECK_FALSE(dir.write("a/../../outside.toml", "x", error));
        CHECK_FALSE(dir.write("/tmp/outside.toml", "x", error));
        CHECK_FALSE(dir.write("", "x", error));
        CHECK_FALSE(fs::exists(fs::path(path).parent_path() / "outside.toml"));
    }
    CHECK_FALSE(fs::exists(path));
}

TEST_CASE("clean_up_after_signal: the registered process group stopped, files and folders removed, links not followed",
          "[interrupt]") {
    // (Not a TempFolder: the child's clean-up would remove it, registered in the child too.)
    const std::string w = (fs::temp_directory_path() / ("hoshu_interrupt_test_" + std::to_string(::getpid()))).string();
    fs::remove_all(w);
    fs::create_directories(w);
    std::string error;
    const std::string file = w + "/out.csv.tmp", kept = w + "/kept.tmp", released = w + "/released.tmp";
    const std::string outside = w + "/outside.txt", pid_file = w + "/child.pid";
    { std::ofstream(outside) << "not to be removed\n"; }

    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The process the handler would run in: a compiler running in its own process group,
        // a file being written, a folder of many files (more than one read of the folder)
        // nested five deep, with a link to a file outside it.
        const pid_t compiler = ::fork();
        if (compiler == 0) {
            ::setpgid(0, 0);
            ::execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::setpgid(compiler, compiler);
        { std::ofstream(pid_file) << compiler << "\n"; }
        hoshu::TempFolder folder;
        if (!folder.make("hoshu-interrupt-test", error)) ::_exit(3);
        std::string deep = "a/b/c/d/e";
        for (int i = 0; i < 300; ++i) folder.write(deep.substr(0, 2 * (i % 5) + 1) + "/file-" + std::to_string(i), "x", error);
        ::symlink(outside.c_str(), (folder.path() + "/a/link").c_str());
        ::mkdir((folder.path() + "/empty").c_str(), 0700);
        { std::ofstream(pid_file, std::ios::app) << folder.path() << "\n"; }
        { std::ofstream(file) << "half a row"; }
        { std::ofstream(released) << "renamed into place"; }
        auto on_signal = hoshu::SignalCleanup::file(file);
        auto done = hoshu::SignalCleanup::file(released);
        done.release();
        auto group = hoshu::SignalCleanup::process_group(compiler);
        if (hoshu::interrupted()) ::_exit(4);
        hoshu::clean_up_after_signal();
        ::_exit(hoshu::interrupted() ? 0 : 5);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::ifstream in(pid_file);
    pid_t compiler = 0;
    std::string folder;
    in >> compiler >> folder;
    REQUIRE(compiler > 0);
    errno = 0;
    CHECK(::kill(compiler, 0) == -1);
    CHECK(errno == ESRCH);
    CHECK_FALSE(fs::exists(file));
    CHECK(fs::exists(released));
    CHECK_FALSE(folder.empty());
    CHECK_FALSE(fs::exists(folder));
    CHECK(fs::exists(outside));
    CHECK_FALSE(hoshu::interrupted());   // (the child's, not this process's)
    fs::remove_all(w);
}
