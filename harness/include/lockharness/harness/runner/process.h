// process.h: starting, watching and killing implementation processes.
//
// Children are started with posix_spawn, never through a shell, each in a
// process group of its own, so that a timeout or an interrupt can SIGKILL the
// implementation together with anything it started. posix_spawn (rather than
// Boost.Process) because the harness needs exactly these few things and a
// direct hold on them: the process group (POSIX_SPAWN_SETPGROUP), the exact
// fds the child inherits, a reset signal mask, exec errors reported as values
// (glibc's posix_spawn reports ENOENT/EACCES from exec), and vfork-speed
// spawning to keep the per-operation overhead small. A pidfd lets one poll()
// wait for "output ready" and "process exited" with a deadline.
//
// Every live child's process group is listed in a process-wide table that
// the SIGINT/SIGTERM handler (signals.h) walks to kill them all; a Child
// object kills and reaps its process in its destructor, so no exit path
// (normal, error, exception) leaves a child behind.
//
// Usage:
//   SpawnOptions options{.argv = {"/bin/echo", "hi"}, .cwd = dir};
//   std::string error;
//   std::optional<Child> child = Child::Spawn(options, &error);
//   if (!child) { ...error names the reason... }
//   std::string out;
//   ReadStatus st = child->ReadAllStdout(deadline, &out);
//   ExitStatus status = child->Wait(deadline);

#ifndef LOCKHARNESS_HARNESS_RUNNER_PROCESS_H_
#define LOCKHARNESS_HARNESS_RUNNER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lockharness::harness::runner {

using Deadline = std::chrono::steady_clock::time_point;

struct SpawnOptions {
  std::vector<std::string> argv;       // REQUIRES: non-empty
  std::filesystem::path cwd;           // empty: inherit
  std::vector<std::string> extra_env;  // "KEY=VALUE", added to environ
  std::filesystem::path stderr_path;   // appended to; empty: /dev/null
  bool pipe_stdin = false;             // else stdin is /dev/null
  bool pipe_stdout = true;             // else stdout is /dev/null
  // The run the child belongs to (NewRunId(); 0: none): KillRunGroups()
  // kills the children of one run and leaves those of other runs in this
  // process alone (`conformance --jobs N` runs cells side by side).
  uint64_t run_id = 0;
};

// How a child ended.
struct ExitStatus {
  enum class Kind { kExited, kSignaled, kTimedOut };
  Kind kind = Kind::kExited;
  int code = 0;                  // exit code (kExited) or signal number (kSignaled)
  std::string Describe() const;  // "exit status 3", "killed by signal 9 (SIGKILL)"
};

enum class ReadStatus { kOk, kEof, kTimedOut, kError };

class Child {
 public:
  // Starts the child. On failure returns nullopt and sets *error (e.g.
  // "cannot execute foo: No such file or directory"); *spawn_errno gets the
  // errno if non-null.
  static std::optional<Child> Spawn(const SpawnOptions& options, std::string* error,
                                    int* spawn_errno = nullptr);

  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Kills the process group and reaps the child if still running.
  ~Child();

  pid_t pid() const { return pid_; }

  // Reads stdout until EOF, the process exits with its output drained, or
  // `deadline`. Appends to *out. kEof on EOF (or exit), kTimedOut on deadline.
  ReadStatus ReadAllStdout(Deadline deadline, std::string* out);

  // Reads one '\n'-terminated line (without the '\n') from stdout. Returns
  // kEof if the stream ended first (or the process exited without one).
  ReadStatus ReadLine(Deadline deadline, std::string* line);

  // Writes all of `data` to the child's stdin. false if the pipe is closed.
  // REQUIRES: spawned with pipe_stdin.
  bool WriteStdin(const std::string& data);
  void CloseStdin();

  // Waits until the child exits or `deadline`; on deadline kills the group
  // and returns kTimedOut. Kills any processes left in the group after the
  // leader exits. Idempotent: later calls return the same status.
  ExitStatus Wait(Deadline deadline);

  // SIGKILLs the whole process group and reaps the child.
  ExitStatus Kill();

 private:
  Child() = default;
  void Reset();
  bool WaitReadable(int fd, Deadline deadline, bool* exited);
  void KillGroup();
  ExitStatus Reap();

  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int table_slot_ = -1;
  std::string buffer_;  // stdout bytes read past the last line
  std::optional<ExitStatus> status_;
};

// The table of live process groups. Safe to call from a signal handler.
// Sends SIGKILL to every registered group; returns how many it signalled.
int KillAllRegisteredGroups();

// A fresh run id for SpawnOptions::run_id (never 0).
uint64_t NewRunId();

// Sends SIGKILL to the registered groups of children spawned with this
// run id, and to no other; returns how many it signalled.
// REQUIRES: run_id != 0.
int KillRunGroups(uint64_t run_id);

// Number of children currently registered (for tests and leak checks).
int RegisteredChildCount();

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_PROCESS_H_
