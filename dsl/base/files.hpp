// Reading whole files: every reader of rule files, inputs and results is here, each with
// the words its callers' messages have always used.
//
//   std::string text, error;
//   if (!dsl::read_regular_file("rules/iij/annual.hoshu", text, error)) report(error);
//
// (These stay in hoshu::dsl, where rule files have always been read from.)
#pragma once

#include <cstddef>
#include <string>

namespace hoshu::dsl {

/// Why `path` cannot be opened as a regular file, without opening it: "not a regular file (a
/// FIFO)" (a device, a socket), "a folder, not a file", or the system's words ("No such file
/// or directory"). Empty when it is a regular file (a symbolic link to one too). For files
/// another library opens (the grant register, SQLite's), which would block on a FIFO or
/// name it a "disk I/O error".
std::string not_a_regular_file(const std::string& path);

/// Read a whole file that must be a regular file: a FIFO, a device or a folder is refused
/// without blocking ("not a regular file (a FIFO)", "a folder, not a file"), and so is a
/// symbolic link that loops ("Too many levels of symbolic links"). False, with `error`
/// saying why, on any failure.
bool read_regular_file(const std::string& path, std::string& text, std::string& error);

/// Read a whole regular file of at most `max_bytes`: anything else — a folder, a device
/// such as /dev/zero, a pipe, /dev/stdin — is refused before a byte of it is read ("not a
/// regular file"), and a larger file with "larger than N MiB". For results to verify.
bool read_regular_file_at_most(const std::string& path, std::size_t max_bytes, std::string& text,
                               std::string& error);

/// Open `path` to read it whole without ever blocking in the open: a regular file, or (with
/// `pipes`) a pipe or FIFO, then read waiting for what its writer writes. A device (/dev/zero
/// never ends, a terminal waits for typing), a socket or a folder is refused before a byte
/// is read ("not a regular file (a device)", "Is a directory"). The open descriptor, or -1
/// with `error` saying why; `is_pipe` set when it is a pipe.
int open_to_read(const std::string& path, bool pipes, bool& is_pipe, std::string& error);

/// Read a whole file or pipe (standard input, `<(…)`, a FIFO: never waiting for a writer to
/// open it; one that ends without a byte is refused); a device (/dev/zero, a terminal) is
/// refused before a byte is read ("not a regular file (a device)"); otherwise `error` is the
/// system's words ("Is a directory", "No such file or directory"). For TOML inputs.
bool read_file(const std::string& path, std::string& text, std::string& error);

}  // namespace hoshu::dsl
