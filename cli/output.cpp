#include "cli/output.hpp"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "dsl/base/source.hpp"

namespace hoshu::cli {

namespace {

// --- Standard output ---------------------------------------------------------------------

bool stdout_failed = false;   // a failure already reported through an OutputFile

std::string stdout_error(int err) {
    stdout_failed = true;
    return fmt::format("cannot write to standard output: {}", err != 0 ? std::strerror(err) : "a write failed");
}

// --- Files -------------------------------------------------------------------------------

/// What SQLite keeps as `<db>-journal`, `-wal` or `-shm` beside the SQLite file `db`, when the
/// file `name` in folder `dir` (`""` for the working one) is one of them; otherwise empty.
std::string sqlite_sidecar(const std::string& db, const std::string& dir, const std::string& name) {
    static constexpr std::pair<std::string_view, std::string_view> sidecars[] = {
        {"-journal", "journal"}, {"-wal", "write-ahead log"}, {"-shm", "shared-memory index"}};
    if (db.empty() || db == "-") return {};
    const std::size_t slash = db.rfind('/');
    const std::string db_name = db.substr(slash == std::string::npos ? 0 : slash + 1);
    const std::string db_dir = slash == std::string::npos ? "" : db.substr(0, slash + 1);
    std::string_view what;
    for (const auto& [suffix, kind] : sidecars)
        if (name == db_name + std::string(suffix)) what = kind;
    if (what.empty()) return {};
    struct stat a {}, b {};
    if (::stat(dir.empty() ? "." : dir.c_str(), &a) != 0 || ::stat(db_dir.empty() ? "." : db_dir.c_str(), &b) != 0 ||
        a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return {};
    char header[16] = {};
    int fd = ::open(db.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    const bool sqlite = ::read(fd, header, sizeof header) == static_cast<ssize_t>(sizeof header) &&
                        std::memcmp(header, "SQLite format 3", sizeof header) == 0;
    ::close(fd);
    return sqlite ? std::string(what) : std::string();
}

std::string not_regular(mode_t mode) {
    const char* what = S_ISDIR(mode)                     ? "a folder"
                       : S_ISFIFO(mode)                  ? "a FIFO (named pipe)"
                       : S_ISCHR(mode) || S_ISBLK(mode)  ? "a device"
                       : S_ISSOCK(mode)                  ? "a socket"
                                                         : "a special file";
    return fmt::format("it is {}, not a regular file", what);
}

/// Follow the symbolic links `path` ends with to the file they name, which may not exist
/// yet. Returns 0, or the errno that stops it (ELOOP for a loop).
int follow_links(const std::string& path, std::string& target, struct stat& st, bool& exists) {
    std::string p = path;
    std::vector<char> buf(PATH_MAX + 1);
    for (int hops = 0; hops < 40; ++hops) {
        if (::lstat(p.c_str(), &st) != 0) {
            if (errno != ENOENT) return errno;
            exists = false;
            target = p;
            return 0;
        }
        if (!S_ISLNK(st.st_mode)) {
            exists = true;
            target = p;
            return 0;
        }
        ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
        if (n < 0) return errno;
        if (static_cast<std::size_t>(n) == buf.size()) return ENAMETOOLONG;
        std::string link(buf.data(), static_cast<std::size_t>(n));
        if (link.empty()) return ENOENT;
        std::size_t slash = p.rfind('/');
        p = link[0] == '/' || slash == std::string::npos ? link : p.substr(0, slash + 1) + link;
    }
    return ELOOP;
}

/// Six characters for a temporary file's name; O_EXCL settles a collision.
std::string random_suffix() {
    static std::atomic<std::uint64_t> counter{0};
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    std::uint64_t x = (static_cast<std::uint64_t>(::getpid()) << 32) ^ static_cast<std::uint64_t>(now.tv_nsec) ^
                      (static_cast<std::uint64_t>(now.tv_sec) << 20) ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
    // splitmix64's finaliser
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < 6; ++i) {
        s += alphabet[x % 62];
        x /= 62;
    }
    return s;
}

}  // namespace

void prepare_output() {
    for (int fd = 0; fd <= 2; ++fd) {
        // A closed descriptor gets /dev/null opened the wrong way round, so that writing
        // to it fails (EBADF) instead of succeeding into nothing.
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int opened = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
            if (opened >= 0 && opened != fd) ::close(opened);
        }
    }
    ::signal(SIGXFSZ, SIG_IGN);
    clean_up_on_signals();
}

int finish_output(int exit) {
    bool failed = stdout_failed;
    if (!failed) {
        errno = 0;
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
            output_failed(stdout_error(errno));
            failed = true;
        } else if (::close(STDOUT_FILENO) != 0 && errno != EBADF) {
            output_failed(stdout_error(errno));   // a delayed error (NFS, quotas) shows at close
            failed = true;
        }
    }
    if (failed) exit = Exit::usage;
    // Diagnostics that could not be written cannot be reported either; the exit code says it.
    if (std::fflush(stderr) != 0 || std::ferror(stderr)) exit = Exit::usage;
    return exit;
}

int output_failed(const std::string& error) {
    std::fprintf(stderr, "hoshu: error: %s\n", error.c_str());
    return Exit::usage;
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() {
    buffer_.clear();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_.empty()) ::unlink(temp_.c_str());
    temp_.clear();
    temp_cleanup_.release();
}

bool OutputFile::open(const std::string& path, std::string& error, const std::vector<std::string>& read) {
    discard();
    path_ = path;
    finished_ = false;
    struct stat st {};
    if (path.empty() || path == "-") {
        to_stdout_ = true;
        // Standard output redirected to a file is that file, for same_target().
        exists_ = ::fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode);
        dev_ = st.st_dev;
        ino_ = st.st_ino;
        return true;
    }
    to_stdout_ = false;
    auto fail = [&](const std::string& why) {
        std::string via = target_ == path_ || target_.empty() ? "" : fmt::format(" (a symbolic link to `{}`)", target_);
        error = fmt::format("cannot write `{}`{}: {}", path_, via, why);
        discard();
        return false;
    };
    target_.clear();
    if (int err = follow_links(path, target_, st, exists_); err != 0) return fail(std::strerror(err));
    std::size_t slash = target_.rfind('/');
    std::string dir = slash == std::string::npos ? "" : target_.substr(0, slash + 1);
    name_ = target_.substr(dir.size());
    if (name_.empty() || name_ == "." || name_ == "..") return fail(not_regular(S_IFDIR));
    if (exists_) {
        if (!S_ISREG(st.st_mode)) return fail(not_regular(st.st_mode));
        if (::faccessat(AT_FDCWD, target_.c_str(), W_OK, AT_EACCESS) != 0) return fail(std::strerror(errno));
        dev_ = st.st_dev;
        ino_ = st.st_ino;
        for (const auto& r : read) {
            struct stat rs {};
            if (!r.empty() && r != "-" && ::stat(r.c_str(), &rs) == 0 && rs.st_dev == dev_ && rs.st_ino == ino_)
                return fail(fmt::format("it is `{}`, which this command reads; write to another file", r));
        }
    } else {
        struct stat folder {};
        if (::stat(dir.empty() ? "." : dir.c_str(), &folder) != 0) return fail(std::strerror(errno));
        dev_ = folder.st_dev;
        ino_ = folder.st_ino;
    }
    // Nor a name SQLite keeps beside a register it reads (`g.db-journal`): the next register
    // command would take the output for the register's journal and delete it.
    for (const auto& r : read)
        if (std::string sidecar = sqlite_sidecar(r, dir, name_); !sidecar.empty())
            return fail(fmt::format("it is the name SQLite gives the {} of `{}`, a register this command reads; "
                                    "name the output otherwise", sidecar, r));

    // The temporary file: a new target's mode is 0666 less the umask (the kernel applies
    // it); for an existing one, private until it has the old file's owner and mode. Made and
    // registered as one step: a signal arriving between the two waits until it is registered,
    // and then removes it.
    std::optional<SignalsHeld> held(std::in_place);
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp_ = dir + "." + name_.substr(0, 200) + "." + random_suffix();
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exists_ ? 0600 : 0666);
        if (fd_ >= 0 || errno != EEXIST) break;
    }
    if (fd_ < 0) {
        int err = errno;
        temp_.clear();
        return fail(fmt::format("cannot create a file in `{}`: {}", dir.empty() ? "." : dir, std::strerror(err)));
    }
    temp_cleanup_ = SignalCleanup::file(temp_);
    held.reset();
    if (exists_) {
        mode_t mode = st.st_mode & 07777;
        bool owner_kept = ::fchown(fd_, st.st_uid, st.st_gid) == 0;
        bool group_kept = owner_kept || ::fchown(fd_, static_cast<uid_t>(-1), st.st_gid) == 0;
        if (!group_kept) mode &= ~static_cast<mode_t>(S_IRWXG);   // another group now: it gets nothing
        if (!owner_kept) {
            std::fprintf(stderr, "hoshu: warning: the new `%s` is yours, not its previous owner's (uid %u)%s\n",
                         path_.c_str(), static_cast<unsigned>(st.st_uid),
                         group_kept ? "" : fmt::format(", and not in its group (gid {}): it gives the group no access",
                                                       static_cast<unsigned>(st.st_gid)).c_str());
        }
        if (::fchmod(fd_, mode) != 0) return fail(std::strerror(errno));
        // An access control list is part of the permissions (its mask is the group bits):
        // it goes along, unless the group changed (it would grant the new group access).
        if (group_kept) {
            static constexpr const char* acl_name = "system.posix_acl_access";
            std::vector<char> acl(1024);
            ssize_t n = ::getxattr(target_.c_str(), acl_name, acl.data(), acl.size());
            if (n < 0 && errno == ERANGE) {
                n = ::getxattr(target_.c_str(), acl_name, nullptr, 0);
                if (n > 0) acl.resize(static_cast<std::size_t>(n));
                n = ::getxattr(target_.c_str(), acl_name, acl.data(), acl.size());
            }
            if (n > 0 && ::fsetxattr(fd_, acl_name, acl.data(), static_cast<std::size_t>(n), 0) != 0)
                return fail(fmt::format("cannot give the new file its access control list: {}", std::strerror(errno)));
        }
    }
    return true;
}

namespace {
constexpr std::size_t buffer_size = 64 * 1024;
}

bool OutputFile::write(std::string_view text, std::string& error) {
    if (to_stdout_) {
        errno = 0;
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::ferror(stdout)) {
            error = stdout_error(errno);
            return false;
        }
        return true;
    }
    if (fd_ < 0) {
        error = fmt::format("cannot write `{}`: it is not open", path_);
        return false;
    }
    if (buffer_.capacity() < buffer_size) buffer_.reserve(buffer_size);
    buffer_.append(text);
    return buffer_.size() < buffer_size || flush_buffer(error);
}

bool OutputFile::flush_buffer(std::string& error) {
    std::size_t written = 0;
    while (written < buffer_.size()) {
        ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = fmt::format("cannot write `{}`: {}", path_, std::strerror(errno));
            discard();
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return true;
}

bool OutputFile::finish(std::string& error) {
    if (finished_) return true;
    finished_ = true;
    if (to_stdout_) {
        errno = 0;
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
            error = stdout_error(errno);
            return false;
        }
        return true;
    }
    if (!flush_buffer(error)) return false;
    int fd = fd_;
    fd_ = -1;
    int err = 0;
    if (::fsync(fd) != 0 && errno != EINVAL) err = errno;   // EINVAL: a file system without fsync
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
        error = fmt::format("cannot write `{}`: {}", path_, std::strerror(err));
        discard();
        return false;
    }
    return true;
}

bool OutputFile::commit(std::string& error) {
    if (!finish(error)) return false;
    if (to_stdout_) return true;
    // The target may have changed while the output was written (a long batch).
    struct stat st {};
    if (::lstat(target_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        error = fmt::format("cannot write `{}`: {}", path_, not_regular(st.st_mode));
        discard();
        return false;
    }
    if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
        error = fmt::format("cannot write `{}`: {}", path_, std::strerror(errno));
        discard();
        return false;
    }
    temp_.clear();
    temp_cleanup_.release();
    return true;
}

bool OutputFile::same_target(const OutputFile& other) const {
    if (to_stdout_ && other.to_stdout_) return true;
    if (exists_ != other.exists_ || dev_ != other.dev_ || ino_ != other.ino_) return false;
    return exists_ || (!to_stdout_ && !other.to_stdout_ && name_ == other.name_);
}

bool write_output(const std::string& path, std::string_view text, std::string& error,
                  const std::vector<std::string>& read) {
    OutputFile out;
    return out.open(path, error, read) && out.write(text, error) && out.commit(error);
}

std::vector<std::string> files_read(const dsl::SourceManager& sm, std::vector<std::string> more) {
    for (std::size_t i = 0; i < sm.size(); ++i) more.push_back(sm.file(static_cast<dsl::FileId>(i)).path());
    return more;
}

}  // namespace hoshu::cli
