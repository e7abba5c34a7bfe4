// What an interrupted command leaves behind: nothing. When SIGINT, SIGTERM or SIGHUP ends a
// command (main() installs the handler: clean_up_on_signals()), clean_up_after_signal()
// stops the compilers the command started (their whole process group) and removes
// the temporary files and folders it was writing, before the process ends as the signal
// would. Everything that makes such a file, folder or process registers it here for as
// long as it exists.
//
//   SignalCleanup temp = SignalCleanup::file(path);            // removed on a signal until `temp` goes
//   SignalCleanup child = SignalCleanup::process_group(pid);   // stopped on a signal
//
//   TempFolder dir;                                            // $TMPDIR/hoshu-register-XXXXXX, 0700
//   if (!dir.make("hoshu-register", error)) …
//   if (!dir.write("plan/annual.hoshu", bytes, error)) …       // 0600; its folders 0700
//   // removed with everything in it when `dir` goes, or by the signal handler
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace hoshu {

/// A file, folder or process group that a signal ending the command must not leave behind,
/// registered until this object goes (or release()). Registering never fails the command:
/// past the number of slots (more than any command uses at once) it is simply not cleaned up.
class SignalCleanup {
public:
    SignalCleanup() = default;
    /// A file: removed.
    static SignalCleanup file(const std::string& path);
    /// A folder: removed with everything in it (symbolic links removed, never followed).
    static SignalCleanup folder(const std::string& path);
    /// A child process that leads its own process group (spawned with POSIX_SPAWN_SETPGROUP,
    /// 0): the group sent SIGTERM (SIGKILL when it is still there after 3 seconds) and
    /// waited for, before any file is removed, so that it writes none afterwards.
    static SignalCleanup process_group(pid_t leader);

    SignalCleanup(SignalCleanup&& other) noexcept;
    SignalCleanup& operator=(SignalCleanup&& other) noexcept;
    SignalCleanup(const SignalCleanup&) = delete;
    SignalCleanup& operator=(const SignalCleanup&) = delete;
    ~SignalCleanup() { release(); }

    /// No longer cleaned up on a signal (the file was renamed into place, the process reaped).
    void release();

private:
    explicit SignalCleanup(int slot) : slot_(slot) {}
    int slot_ = -1;
};

/// Install the handler of SIGINT, SIGTERM and SIGHUP (each unless it was ignored when hoshu
/// started: nohup, `&`): clean_up_after_signal(), then the process ends as the signal would
/// have ended it (the shell sees 128 + the signal's number).
void clean_up_on_signals();

/// Called by the signal handler, and safe there (async-signal-safe): stop every registered
/// process group, then remove every registered file and folder. Marks the process as
/// interrupted first (interrupted()).
void clean_up_after_signal();

/// While one exists, a signal that ends the command waits: the handler notes it and returns,
/// and the process ends (cleaned up, as above) when the last one goes. Around a write that
/// must finish or be undone by its own code — a register's transaction, whose journal a
/// process ended in the middle leaves beside the file.
class SignalsHeld {
public:
    SignalsHeld();
    SignalsHeld(const SignalsHeld&) = delete;
    SignalsHeld& operator=(const SignalsHeld&) = delete;
    ~SignalsHeld();
    /// A signal arrived meanwhile: undo the write rather than finish it.
    bool arrived() const;
};

/// A signal ending the command has arrived: its handler is cleaning up and the process ends
/// as soon as it is done.
bool interrupted();

/// When interrupted(): clean up again (what this thread registered or made after the
/// handler's pass, when the handler runs on another thread), then wait for the end of the
/// process instead of going on (a thread whose compiler the handler just stopped must not
/// report that as the compiler's failure). Called by every registration (SignalCleanup)
/// and after each file a TempFolder makes.
void stop_if_interrupted();

/// A private temporary folder of files written for a moment (the rules and inputs stored in
/// a register, to verify them again): 0700, its files 0600, removed when the object goes and
/// on a signal that ends the command.
class TempFolder {
public:
    TempFolder() = default;
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    ~TempFolder() { remove(); }

    /// Make `$TMPDIR/PREFIX-XXXXXX` (/tmp when TMPDIR is unset or not absolute). False, with
    /// `error`, when it cannot be made.
    bool make(std::string_view prefix, std::string& error);
    /// The folder (empty before make()).
    const std::string& path() const { return path_; }
    /// Write `bytes` to `relative` inside the folder, replacing a file written before and
    /// making the folders on the way. False, with `error`, when it cannot be written or the
    /// path leads outside the folder (`..` past its top, an absolute path).
    bool write(const std::string& relative, std::string_view bytes, std::string& error);
    /// Remove the folder and everything in it now.
    void remove();

private:
    std::string path_;
    SignalCleanup cleanup_;
};

/// A test hook: when the environment variable `hook` is MARKER:SECONDS, create the file
/// MARKER and wait SECONDS, so that a test can signal or kill the process at this point, or
/// start a second one.
void pause_for_test(const char* hook);

}  // namespace hoshu
