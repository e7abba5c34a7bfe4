// Everything a command writes — standard output, `--out`, `--histogram`, a rule file that
// `fmt` rewrites — goes through here, and every write is checked: a file appears whole or
// not at all, and a write that fails (a full disk, a file-size limit, a closed standard
// output) is an error message and exit 2, never silence.
//
//   OutputFile out;
//   std::string error;
//   if (!out.open(args.out, error)) return output_failed(error);   // "" or "-": stdout
//   if (!out.write(text, error)) return output_failed(error);
//   if (!out.commit(error)) return output_failed(error);
//
// A file target must be a regular file (or not exist yet); a symbolic link is followed and
// the file it names is replaced. The text goes to a temporary file beside that target,
// renamed over it by commit(). A new file is created as any Unix tool creates it (0666
// less the umask); an existing one keeps its mode and access control list, and its owner
// and group where the system allows (when the group cannot be kept, the group permissions
// are dropped instead).
//
// Text for a file is gathered in memory and written 64 KiB at a time (a batch of a million
// rows makes a few hundred write calls, not a million); each of those writes is checked,
// and finish() writes the rest, so a failure shows at the write() that fills the buffer or
// at finish() / commit(), and the output is still whole or absent.
//
// main() calls prepare_output() before anything else and finish_output() last.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/interrupt.hpp"

namespace hoshu::dsl {
class SourceManager;
}

namespace hoshu::cli {

/// Before the command runs: file descriptors 0, 1 and 2 open (a closed standard output makes
/// writes to it fail instead of landing in a file opened later), SIGXFSZ ignored (a
/// file-size limit becomes a write error, reported), and SIGINT, SIGTERM and SIGHUP (unless
/// ignored when hoshu started) stop the compilers hoshu started and remove the temporary
/// files and folders of unfinished work (unfinished outputs among them; see
/// dsl/base/interrupt.hpp) before ending the process as the signal would.
void prepare_output();

/// After the command: flush and close standard output. A failure not yet reported is
/// reported, and any failure of standard output or standard error (whose diagnostics are
/// then lost) makes the exit code 2.
int finish_output(int exit);

/// Print an output error ("hoshu: error: cannot write …") and give the exit code for it.
int output_failed(const std::string& error);

/// An output written piece by piece that appears whole or not at all: the pieces go to a
/// temporary file in the target's folder, renamed over the target by commit(); without
/// commit() (an error, an early return) the temporary file is removed. An empty path or
/// "-" is standard output, written as it comes.
class OutputFile {
public:
    OutputFile() = default;
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    ~OutputFile();

    /// Check the target and create the temporary file: false (with `error`) when the target
    /// is not a regular file, may not be written, its folder cannot take a new file, or it
    /// is one of the files `read` names (however spelled: links, `..`, hard links).
    bool open(const std::string& path, std::string& error, const std::vector<std::string>& read = {});
    /// Append `text`: to a file, through the buffer (written out when it holds 64 KiB);
    /// to standard output, through stdio's buffer. False (with `error`) when a write fails.
    bool write(std::string_view text, std::string& error);
    /// Everything written reaches the disk (or standard output); the target is still as it
    /// was. commit() does this first when it was not done.
    bool finish(std::string& error);
    /// Replace the target with what was written.
    bool commit(std::string& error);

    /// Both name one file, however spelled (links, `..`, hard links); standard output is one
    /// file too. Both must be open.
    bool same_target(const OutputFile& other) const;

private:
    void discard();
    /// Write out the buffered text: false (with `error`, the output discarded) on failure.
    bool flush_buffer(std::string& error);

    std::string path_;      // as the user wrote it
    std::string target_;    // the file replaced: path_ with symbolic links followed
    std::string temp_;
    bool to_stdout_ = false;
    bool finished_ = false;
    int fd_ = -1;
    std::string buffer_;    // text for fd_ not yet written
    SignalCleanup temp_cleanup_;   // temp_, removed by the signal handlers
    // Identity of the target: the file's device and inode, or (a new file) its folder's
    // and its name.
    bool exists_ = false;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
    std::string name_;
};

/// Write `text` to `path` (stdout when empty or "-") through an OutputFile; never over one
/// of the files `read` names.
bool write_output(const std::string& path, std::string_view text, std::string& error,
                  const std::vector<std::string>& read = {});

/// The files a command read, which its output must not replace (`--out fy2024.toml` would
/// lose the inputs the result was computed from; `register export --out grants.db`, the
/// register): every file `sm` holds (rule files, inputs, a model, a CSV) and `more` (a
/// carried result, a register).
std::vector<std::string> files_read(const dsl::SourceManager& sm, std::vector<std::string> more = {});

}  // namespace hoshu::cli
