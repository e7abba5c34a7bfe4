#include "dsl/base/interrupt.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

namespace hoshu {

namespace {

// --- What the handler reads --------------------------------------------------------------

enum class Kind : int { none, file, folder, group };

/// A registered file, folder or process group. The handler reads only `kind` (an atomic,
/// lock-free, so safe in a handler), set once `path` or `pid` is complete.
struct Slot {
    std::atomic<bool> taken{false};
    std::atomic<Kind> kind{Kind::none};
    pid_t pid = 0;
    char path[PATH_MAX];
};
static_assert(std::atomic<Kind>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
Slot slots[32];
std::atomic<bool> signalled{false};

int take(Kind kind, const std::string& path, pid_t pid) {
    if (path.size() >= PATH_MAX) return -1;
    for (int i = 0; i < static_cast<int>(std::size(slots)); ++i) {
        bool free = false;
        if (!slots[i].taken.compare_exchange_strong(free, true)) continue;
        std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
        slots[i].pid = pid;
        slots[i].kind.store(kind);
        return i;
    }
    return -1;
}

// --- Safe in a signal handler: system calls only -------------------------------------------

void nap_10ms() {
    timespec t{0, 10'000'000};
    while (::nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/// True when no process of the group is left (its leader reaped here if it is our child).
bool group_gone(pid_t leader) {
    int status = 0;
    ::waitpid(leader, &status, WNOHANG);
    return ::kill(-leader, 0) != 0 && errno == ESRCH;
}

void stop_group(pid_t leader) {
    ::kill(-leader, SIGTERM);   // a compiler removes its own temporary files on SIGTERM
    for (int i = 0; i < 300; ++i) {
        if (group_gone(leader)) return;
        nap_10ms();
    }
    ::kill(-leader, SIGKILL);
    for (int i = 0; i < 300 && !group_gone(leader); ++i) nap_10ms();
}

/// linux_dirent64, as getdents64 fills it (glibc before 2.30 has no wrapper).
struct DirEntry {
    std::uint64_t ino;
    std::int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[1];
};

/// Remove `name` in the folder `at`: a file or link unlinked, a folder emptied first (at
/// most `depth` more levels of folders in it; each level keeps a 2 KiB buffer on the
/// stack). True when it is gone.
bool remove_tree_at(int at, const char* name, int depth) {
    if (::unlinkat(at, name, 0) == 0 || errno == ENOENT) return true;
    if ((errno != EISDIR && errno != EPERM) || depth < 0) return false;
    const int fd = ::openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    // Entries removed while the folder is read may shift the rest: read it again until a
    // pass removes nothing.
    for (bool again = true; again;) {
        again = false;
        ::lseek(fd, 0, SEEK_SET);
        alignas(DirEntry) char buf[2048];
        for (long n; (n = ::syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0;) {
            for (long at_byte = 0; at_byte < n;) {
                const auto* e = reinterpret_cast<const DirEntry*>(buf + at_byte);
                at_byte += e->reclen;
                if (std::strcmp(e->name, ".") == 0 || std::strcmp(e->name, "..") == 0) continue;
                if (remove_tree_at(fd, e->name, depth - 1)) again = true;
            }
        }
    }
    ::close(fd);
    return ::unlinkat(at, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
}

void remove_tree(const char* path) { remove_tree_at(AT_FDCWD, path, 32); }

}  // namespace

// --- SignalCleanup -----------------------------------------------------------------------

// A signal's handler may run on another thread than the one registering: one that has already
// passed over the slots would leave what is registered after it. So a registration made once
// the handler has started removes what it registers itself, and waits for the end (the
// handler's thread ends the process). The slot's kind is stored before `signalled` is read,
// and the handler stores `signalled` before it reads the slots: one of the two sees the other.
SignalCleanup SignalCleanup::file(const std::string& path) {
    SignalCleanup c(take(Kind::file, path, 0));
    stop_if_interrupted();
    return c;
}
SignalCleanup SignalCleanup::folder(const std::string& path) {
    SignalCleanup c(take(Kind::folder, path, 0));
    stop_if_interrupted();
    return c;
}
SignalCleanup SignalCleanup::process_group(pid_t leader) {
    SignalCleanup c(take(Kind::group, "", leader));
    stop_if_interrupted();
    return c;
}

SignalCleanup::SignalCleanup(SignalCleanup&& other) noexcept : slot_(other.slot_) { other.slot_ = -1; }

SignalCleanup& SignalCleanup::operator=(SignalCleanup&& other) noexcept {
    if (this != &other) {
        release();
        slot_ = other.slot_;
        other.slot_ = -1;
    }
    return *this;
}

void SignalCleanup::release() {
    if (slot_ < 0) return;
    slots[slot_].kind.store(Kind::none);
    slots[slot_].taken.store(false);
    slot_ = -1;
}

void clean_up_after_signal() {
    signalled.store(true);
    // The processes first: a compiler still running would write its output afterwards.
    for (auto& s : slots)
        if (s.kind.load() == Kind::group) stop_group(s.pid);
    for (auto& s : slots)
        if (s.kind.load() == Kind::file) ::unlink(s.path);
    for (auto& s : slots)
        if (s.kind.load() == Kind::folder) remove_tree(s.path);
}

namespace {

std::atomic<int> holding{0};        // SignalsHeld alive
std::atomic<int> held_signal{0};    // the signal that arrived meanwhile
static_assert(std::atomic<int>::is_always_lock_free);

void end_by(int sig) {
    clean_up_after_signal();
    // End as the signal would have ended hoshu: in the handler the signal is blocked, and
    // delivered with its default action on return; elsewhere at once.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

extern "C" void on_ending_signal(int sig) {
    if (holding.load() > 0) {
        held_signal.store(sig);
        // The holder (on another thread) may have let go meanwhile, before the signal was
        // noted: then whichever of the two takes the noted signal back ends the process.
        if (holding.load() > 0 || held_signal.exchange(0) == 0) return;
    }
    end_by(sig);
}

}  // namespace

void clean_up_on_signals() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;   // nohup, `&`
        struct sigaction sa {};
        sa.sa_handler = on_ending_signal;
        sa.sa_flags = SA_RESTART;   // (returns only while a SignalsHeld holds it)
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, SIGINT);
        sigaddset(&sa.sa_mask, SIGTERM);
        sigaddset(&sa.sa_mask, SIGHUP);
        ::sigaction(sig, &sa, nullptr);
    }
}

SignalsHeld::SignalsHeld() { holding.fetch_add(1); }

SignalsHeld::~SignalsHeld() {
    if (holding.fetch_sub(1) == 1)
        if (int sig = held_signal.exchange(0); sig != 0) end_by(sig);
}

bool SignalsHeld::arrived() const { return held_signal.load() != 0; }

bool interrupted() { return signalled.load(); }

void stop_if_interrupted() {
    if (!interrupted()) return;
    clean_up_after_signal();   // again: what this thread made after the handler's pass
    for (;;) ::pause();
}

// --- TempFolder ----------------------------------------------------------------------------

bool TempFolder::make(std::string_view prefix, std::string& error) {
    remove();
    const char* tmpdir = std::getenv("TMPDIR");
    std::string base = tmpdir != nullptr && tmpdir[0] == '/' ? tmpdir : "/tmp";
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    std::string pattern = base + "/" + std::string(prefix) + "-XXXXXX";
    // Made and registered as one step: a signal arriving between the two waits until the
    // folder is registered, and then removes it.
    const SignalsHeld held;
    if (::mkdtemp(pattern.data()) == nullptr) {   // 0700
        error = "cannot make a temporary folder in " + base + ": " + std::strerror(errno);
        return false;
    }
    path_ = pattern;
    cleanup_ = SignalCleanup::folder(path_);
    return true;
}

bool TempFolder::write(const std::string& relative, std::string_view bytes, std::string& error) {
    namespace fs = std::filesystem;
    const fs::path rel = fs::path(relative).lexically_normal();
    if (path_.empty() || rel.empty() || rel.is_absolute() || *rel.begin() == ".." || !rel.has_filename()) {
        error = "`" + relative + "` is not a file inside the temporary folder";
        return false;
    }
    // A signal's handler on another thread may be removing the folder meanwhile: what is made
    // here once it has started is removed here (stop_if_interrupted()).
    std::string at = path_;
    for (auto part = rel.begin(); std::next(part) != rel.end(); ++part) {
        at += "/" + part->string();
        if (::mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) {
            error = "cannot make the folder " + at + ": " + std::strerror(errno);
            return false;
        }
        stop_if_interrupted();
    }
    at = path_ + "/" + rel.string();
    const int fd = ::open(at.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = "cannot write " + at + ": " + std::strerror(errno);
        return false;
    }
    stop_if_interrupted();
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = "cannot write " + at + ": " + std::strerror(n < 0 ? errno : ENOSPC);
            ::close(fd);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        error = "cannot write " + at + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

void TempFolder::remove() {
    if (path_.empty()) return;
    remove_tree(path_.c_str());
    cleanup_.release();
    path_.clear();
}

// --- Tests -------------------------------------------------------------------------------

void pause_for_test(const char* hook) {
    const char* value = std::getenv(hook);
    if (value == nullptr) return;
    std::string spec(value);
    auto colon = spec.rfind(':');
    if (colon == std::string::npos) return;
    { std::ofstream(spec.substr(0, colon)) << "paused\n"; }
    std::this_thread::sleep_for(std::chrono::seconds(std::atoi(spec.c_str() + colon + 1)));
}

}  // namespace hoshu
