// toolchain.hpp: the compiler run with posix_spawn (no shell), its output kept in the cache
// under temporary names and renamed into place only when whole. A signal that ends the
// command stops the compiler (its process group) and removes the temporary files
// (dsl/base/interrupt.hpp), so that an interrupted compile leaves none and nothing running.
#include "evaluator/native/toolchain.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "dsl/base/interrupt.hpp"

extern char** environ;

namespace hoshu::eval {

namespace {

dsl::Diagnostics problem(std::string message) { return dsl::one_error({}, std::move(message)); }

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

/// A folder of this user's that no one else may write, created (0700) if missing.
bool private_folder(const std::string& path) {
    std::string prefix;
    std::size_t from = 0;
    while (from != std::string::npos) {
        const std::size_t slash = path.find('/', from + 1);
        prefix = path.substr(0, slash);
        from = slash;
        if (prefix.empty()) continue;
        if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    return st.st_uid == ::geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/// A regular file of this user's that no one else may write.
bool own_file(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() &&
           (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::ostringstream ss;
    ss << f.rdbuf();
    out = ss.str();
    return !f.bad();
}

bool write_file(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    stop_if_interrupted();   // (made after a signal's handler passed over the registered names)
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            ::close(fd);
            return false;
        }
        done += static_cast<std::size_t>(w);
    }
    return ::close(fd) == 0;
}

std::uint64_t fnv1a(std::string_view a, std::string_view b) {
    std::uint64_t h = 14695981039346656037ULL;
    for (std::string_view part : {a, std::string_view("\0", 1), b}) {
        for (unsigned char c : part) {
            h ^= c;
            h *= 1099511628211ULL;
        }
    }
    return h;
}

Result<LoadedKernel> open_library(const std::string& path) {
    void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) return problem(fmt::format("cannot load the compiled plan {}: {}", path, ::dlerror()));
    LoadedKernel k;
    k.library = std::shared_ptr<void>(lib, [](void* l) { ::dlclose(l); });
    k.entry = reinterpret_cast<int (*)(KernelValue*)>(::dlsym(lib, "hoshu_kernel_v1"));
    if (!k.entry) return problem(fmt::format("the compiled plan {} has no entry point", path));
    return k;
}

/// Run the compiler on `cpp` into `so`; its messages go to `log`. The compiler leads a
/// process group of its own, which a signal ending the command stops (interrupt.hpp): its
/// own children (cc1plus, the assembler, the linker) go with it.
bool run_compiler(const std::string& compiler, const std::string& cpp, const std::string& so, const std::string& log,
                  std::string& why, std::vector<std::string>& messages) {
    std::vector<std::string> args = {compiler, "-std=c++17", "-O2", "-fPIC", "-shared", "-w", "-o", so, "-x", "c++", cpp};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    pid_t pid = 0;
    const int err = ::posix_spawnp(&pid, compiler.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (err != 0) {
        why = fmt::format("cannot run the C++ compiler `{}`: {}", compiler, std::strerror(err));
        return false;
    }
    SignalCleanup running = SignalCleanup::process_group(pid);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            stop_if_interrupted();   // the signal handler stopped it and reaped it
            why = fmt::format("cannot wait for the C++ compiler: {}", std::strerror(errno));
            return false;
        }
    }
    running.release();
    stop_if_interrupted();   // stopped by the signal handler: not the compiler's failure
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    std::string text;
    read_file(log, text);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line) && messages.size() < 10;) messages.push_back(line);
    why = fmt::format("the C++ compiler `{}` failed on the compiled plan", compiler);
    return false;
}

/// Remove what a compilation killed outright (SIGKILL, a power cut) left in the cache: its
/// temporary files, an hour old or more. No compilation takes that long, so none of them
/// belongs to a compilation still running (here or on another machine sharing the folder).
void remove_leftovers(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto now = fs::file_time_type::clock::now();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string file = it->path().filename().string();
        if (file.rfind("kernel-", 0) != 0 || file.size() < 4 || file.compare(file.size() - 4, 4, ".tmp") != 0) continue;
        std::error_code time_ec;
        const auto when = fs::last_write_time(it->path(), time_ec);
        if (!time_ec && now - when >= std::chrono::hours(1)) ::unlink(it->path().c_str());
    }
}

}  // namespace

Result<LoadedKernel> load_kernel(const std::string& source, const ToolchainOptions& options) {
    std::string compiler = options.compiler;
    if (compiler.empty()) compiler = env("HOSHU_CXX");
    if (compiler.empty()) compiler = env("CXX");
    if (compiler.empty()) compiler = "c++";

    std::string dir = options.cache_dir;
    if (dir.empty()) dir = env("HOSHU_CACHE_DIR");
    if (dir.empty() && !env("XDG_CACHE_HOME").empty()) dir = env("XDG_CACHE_HOME") + "/hoshu";
    if (dir.empty() && !env("HOME").empty()) dir = env("HOME") + "/.cache/hoshu";
    bool cached = !dir.empty() && dir.front() == '/' && private_folder(dir);

    const std::string name = fmt::format("kernel-{:016x}", fnv1a(compiler, source));
    // The kept source ends with a line naming its object's length and hash: an object cut
    // short or changed since (a copy of the cache that stopped midway) is not loaded — it
    // may load and fault where its missing pages are read — but built again.
    auto vouched = [&](const std::string& object) {
        return fmt::format("{}\n// object: {} bytes, {:016x}\n", source, object.size(), fnv1a("object", object));
    };
    if (cached) {
        const std::string cpp = dir + "/" + name + ".cpp", so = dir + "/" + name + ".so";
        std::string kept, object;
        if (own_file(cpp) && own_file(so) && read_file(cpp, kept) && read_file(so, object) && kept == vouched(object)) {
            auto k = open_library(so);
            // An object that does not load (cut short on a full disk, say) is built again.
            if (k || options.cached_only) return k;
        }
    }
    if (options.cached_only) return problem("the plan has not been compiled for these values yet");

    if (cached) remove_leftovers(dir);
    // The temporary files (and without a cache the folder they are in) are removed on every
    // way out, and by a signal that ends the command (dsl/base/interrupt.hpp).
    TempFolder temp_dir;
    if (!cached) {
        std::string error;
        if (!temp_dir.make("hoshu-kernel", error)) return problem(error);
        dir = temp_dir.path();
    }
    const std::string stem = fmt::format("{}/{}.{}", dir, name, ::getpid());
    const std::string cpp_tmp = stem + ".cpp.tmp", so_tmp = stem + ".so.tmp", log = stem + ".log.tmp";
    const SignalCleanup on_signal[] = {SignalCleanup::file(cpp_tmp), SignalCleanup::file(so_tmp), SignalCleanup::file(log)};
    auto clean = [&]() {
        ::unlink(cpp_tmp.c_str());
        ::unlink(so_tmp.c_str());
        ::unlink(log.c_str());
    };
    if (!write_file(cpp_tmp, source)) {
        const int err = errno;
        clean();
        return problem(fmt::format("cannot write the compiled plan's source in {}: {}", dir, std::strerror(err)));
    }
    std::string why;
    std::vector<std::string> messages;
    if (!run_compiler(compiler, cpp_tmp, so_tmp, log, why, messages)) {
        clean();
        auto diags = problem(why);
        for (const auto& m : messages) diags.note(dsl::SourceRange{}, "{}", m);
        return diags;
    }
    ::unlink(log.c_str());
    if (!cached) {
        auto k = open_library(so_tmp);
        clean();
        return k;
    }
    // The object first, then the source that vouches for it.
    const std::string cpp = dir + "/" + name + ".cpp", so = dir + "/" + name + ".so";
    std::string object;
    // One that cannot be kept (the disk full, a folder in the object's place) is run from
    // where it was built, for this run only, as without a cache.
    auto this_run_only = [&] {
        auto k = open_library(so_tmp);
        clean();
        return k;
    };
    if (!read_file(so_tmp, object) || ::unlink(cpp_tmp.c_str()) != 0 || !write_file(cpp_tmp, vouched(object)))
        return this_run_only();
    if (::rename(so_tmp.c_str(), so.c_str()) != 0) return this_run_only();
    // (Kept without the source that vouches for it, it is built again the next time.)
    if (::rename(cpp_tmp.c_str(), cpp.c_str()) != 0) clean();
    return open_library(so);
}

}  // namespace hoshu::eval
