#include "dsl/base/files.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace hoshu::dsl {

namespace {

/// Everything left to read from `fd`, appended to `text`; `fd` closed either way.
bool read_to_end(int fd, std::string& text, std::string& error) {
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) {
            error = std::strerror(errno);
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return true;
}

/// What a file that is not a regular one is, in the words every reader uses.
const char* not_regular_words(mode_t mode) {
    return S_ISDIR(mode)    ? "a folder, not a file"
           : S_ISFIFO(mode) ? "not a regular file (a FIFO)"
           : S_ISSOCK(mode) ? "not a regular file (a socket)"
                            : "not a regular file (a device)";
}

}  // namespace

std::string not_a_regular_file(const std::string& path) {
    struct ::stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
    return S_ISREG(st.st_mode) ? std::string() : not_regular_words(st.st_mode);
}

bool read_regular_file(const std::string& path, std::string& text, std::string& error) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return false;
    }
    struct ::stat st {};
    if (::fstat(fd, &st) != 0) {
        error = std::strerror(errno);
        ::close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error = not_regular_words(st.st_mode);
        ::close(fd);
        return false;
    }
    text.clear();
    if (st.st_size > 0) text.reserve(static_cast<std::size_t>(st.st_size));
    return read_to_end(fd, text, error);
}

bool read_regular_file_at_most(const std::string& path, std::size_t max_file_bytes, std::string& text,
                               std::string& why) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        why = std::strerror(errno);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
        return false;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        why = std::strerror(errno);
        return false;
    }
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);   // the same file, still regular
    if (!ok) why = "not a regular file";
    if (ok && static_cast<std::uint64_t>(st.st_size) > max_file_bytes) {
        why = fmt::format("larger than {} MiB", max_file_bytes >> 20);
        ok = false;
    }
    text.clear();
    char buffer[1 << 16];
    while (ok) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            why = std::strerror(errno);
            ok = false;
        } else if (n == 0) {
            break;
        } else if (text.size() + static_cast<std::size_t>(n) > max_file_bytes) {
            why = fmt::format("larger than {} MiB", max_file_bytes >> 20);
            ok = false;
        } else {
            text.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return ok;
}

int open_to_read(const std::string& path, bool pipes, bool& is_pipe, std::string& error) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. Once open,
    // a pipe (standard input, `<(…)`, a FIFO) is read to its end as a file is; one nobody
    // writes to ends at once.
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return -1;
    }
    struct ::stat st {};
    if (::fstat(fd, &st) != 0) {
        error = std::strerror(errno);
        ::close(fd);
        return -1;
    }
    is_pipe = S_ISFIFO(st.st_mode);
    if (!S_ISREG(st.st_mode) && !(pipes && is_pipe)) {
        error = S_ISDIR(st.st_mode)    ? std::strerror(EISDIR)
                : is_pipe              ? "not a regular file (a FIFO)"
                : S_ISSOCK(st.st_mode) ? "not a regular file (a socket)"
                                       : "not a regular file (a device)";
        ::close(fd);
        return -1;
    }
    if (is_pipe) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);   // wait for what is written
    return fd;
}

bool read_file(const std::string& path, std::string& text, std::string& error) {
    bool pipe = false;
    const int fd = open_to_read(path, true, pipe, error);
    if (fd < 0) return false;
    text.clear();
    if (!read_to_end(fd, text, error)) return false;
    if (pipe && text.empty()) {
        error = "nothing was written to it (a FIFO or pipe with no writer)";
        return false;
    }
    return true;
}

}  // namespace hoshu::dsl
