// Child processes in their own process groups (see process.h).

#include "lockharness/harness/runner/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "lockharness/harness/runner/signals.h"

extern char** environ;

namespace lockharness::harness::runner {
namespace {

// Process groups of live children, for the signal handler. A fixed array of
// lock-free atomics because a handler may neither lock nor allocate.
constexpr int kMaxChildren = 4096;
std::atomic<pid_t> g_groups[kMaxChildren];
// The run each slot's group belongs to (SpawnOptions::run_id), written
// while the slot is reserved (-1), before its group is published.
std::atomic<uint64_t> g_run_ids[kMaxChildren];
static_assert(std::atomic<pid_t>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);
std::atomic<uint64_t> g_next_run_id{1};

int RegisterGroup(pid_t pgid, uint64_t run_id) {
  for (int i = 0; i < kMaxChildren; ++i) {
    pid_t expected = 0;
    if (g_groups[i].compare_exchange_strong(expected, -1)) {
      g_run_ids[i].store(run_id);
      g_groups[i].store(pgid);
      return i;
    }
  }
  return -1;
}

void UnregisterGroup(int slot) {
  if (slot >= 0) g_groups[slot].store(0);
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Through syscall(): glibc 2.36's <sys/pidfd.h> lacks C linkage in C++.
int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int MillisUntil(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  // Round up so a poll never returns just before the deadline.
  return static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30));
}

std::vector<std::string> BuildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const std::string& x : extra) {
      if (x.substr(0, x.find('=')) == key) overridden = true;
    }
    if (!overridden) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string ExitStatus::Describe() const {
  switch (kind) {
    case Kind::kExited: return "exit status " + std::to_string(code);
    case Kind::kSignaled: {
      const char* abbrev = sigabbrev_np(code);
      return "killed by signal " + std::to_string(code) +
             (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
    }
    case Kind::kTimedOut: return "timed out";
  }
  return "unknown";
}

// SIGKILLs every registered group, or only run `run_id`'s (0: all).
// Async-signal-safe: loads and kill(2) only.
int KillRegisteredGroups(uint64_t run_id) {
  int count = 0;
  for (int i = 0; i < kMaxChildren; ++i) {
    const pid_t pgid = g_groups[i].load();
    if (pgid > 0 && (run_id == 0 || g_run_ids[i].load() == run_id)) {
      ::kill(-pgid, SIGKILL);
      ++count;
    }
  }
  return count;
}

int KillAllRegisteredGroups() { return KillRegisteredGroups(0); }

uint64_t NewRunId() { return g_next_run_id.fetch_add(1); }

int KillRunGroups(uint64_t run_id) { return KillRegisteredGroups(run_id); }

int RegisteredChildCount() {
  int count = 0;
  for (int i = 0; i < kMaxChildren; ++i) {
    if (g_groups[i].load() > 0) ++count;
  }
  return count;
}

std::optional<Child> Child::Spawn(const SpawnOptions& options, std::string* error,
                                  int* spawn_errno) {
  if (spawn_errno) *spawn_errno = 0;
  if (options.argv.empty()) {
    *error = "empty command";
    return std::nullopt;
  }
  // O_CLOEXEC on every harness-side pipe end: concurrently spawned siblings
  // must not inherit another child's pipes, or EOF would never arrive.
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  if ((options.pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0) ||
      (options.pipe_stdout && ::pipe2(out_pipe, O_CLOEXEC) != 0)) {
    *error = std::string("pipe: ") + std::strerror(errno);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return std::nullopt;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.pipe_stdin) {
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (options.pipe_stdout) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  }
  const std::string stderr_path =
      options.stderr_path.empty() ? "/dev/null" : options.stderr_path.string();
  // O_NOFOLLOW: a symlink planted in place of the log is never written through.
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644);
  const std::string cwd = options.cwd.string();
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // a new group led by the child
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<std::string> argv_strings = options.argv;
  std::vector<std::string> env_strings = BuildEnvironment(options.extra_env);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (options.pipe_stdin) ::close(in_pipe[0]);
  if (options.pipe_stdout) ::close(out_pipe[1]);
  if (rc != 0) {
    if (options.pipe_stdin) ::close(in_pipe[1]);
    if (options.pipe_stdout) ::close(out_pipe[0]);
    if (spawn_errno) *spawn_errno = rc;
    *error = "cannot execute " + options.argv[0] + ": " + std::strerror(rc);
    return std::nullopt;
  }

  Child child;
  child.pid_ = pid;
  child.table_slot_ = RegisterGroup(pid, options.run_id);
  // Registered before the check: a signal handler that ran before this line
  // has set the flag, one that runs after it sees the slot.
  if (Interrupted() || child.table_slot_ < 0) child.KillGroup();
  child.pidfd_ = PidfdOpen(pid);
  child.stdin_fd_ = options.pipe_stdin ? in_pipe[1] : -1;
  child.stdout_fd_ = options.pipe_stdout ? out_pipe[0] : -1;
  if (child.stdout_fd_ >= 0) {
    ::fcntl(child.stdout_fd_, F_SETFL, ::fcntl(child.stdout_fd_, F_GETFL) | O_NONBLOCK);
  }
  return child;
}

Child::Child(Child&& other) noexcept { *this = std::move(other); }

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    Reset();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    table_slot_ = std::exchange(other.table_slot_, -1);
    buffer_ = std::move(other.buffer_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

Child::~Child() { Reset(); }

void Child::Reset() {
  if (pid_ > 0 && !status_) Kill();
  CloseFd(stdin_fd_);
  CloseFd(stdout_fd_);
  CloseFd(pidfd_);
  UnregisterGroup(table_slot_);
  table_slot_ = -1;
  pid_ = -1;
  status_.reset();
  buffer_.clear();
}

void Child::KillGroup() {
  // Only while the leader is unreaped: until then its pid (= the group id)
  // cannot be reused, so the signal cannot hit an unrelated process.
  if (pid_ > 0 && !status_) ::kill(-pid_, SIGKILL);
}

ExitStatus Child::Reap() {
  // Leave the signal handler's table before the pid can be reused.
  UnregisterGroup(table_slot_);
  table_slot_ = -1;
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, 0);
  } while (r < 0 && errno == EINTR);
  ExitStatus status;
  if (r < 0) {
    status.kind = ExitStatus::Kind::kSignaled;
    status.code = SIGKILL;
  } else if (WIFEXITED(raw)) {
    status.kind = ExitStatus::Kind::kExited;
    status.code = WEXITSTATUS(raw);
  } else {
    status.kind = ExitStatus::Kind::kSignaled;
    status.code = WTERMSIG(raw);
  }
  status_ = status;
  CloseFd(pidfd_);
  CloseFd(stdin_fd_);
  return status;
}

bool Child::WaitReadable(int fd, Deadline deadline, bool* exited) {
  *exited = false;
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    const int nfds = pidfd_ >= 0 ? 2 : 1;
    const int rc = ::poll(fds, nfds, MillisUntil(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;  // deadline (or poll error)
    if (fds[0].revents != 0) return true;
    if (nfds == 2 && fds[1].revents != 0) {
      *exited = true;
      return true;
    }
  }
}

ReadStatus Child::ReadAllStdout(Deadline deadline, std::string* out) {
  if (!buffer_.empty()) {
    out->append(buffer_);
    buffer_.clear();
  }
  if (stdout_fd_ < 0) return ReadStatus::kEof;
  char chunk[8192];
  bool exited = false;
  while (true) {
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n > 0) {
      out->append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return ReadStatus::kEof;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return ReadStatus::kError;
    // Drained and the leader is gone: a grandchild may hold the pipe open,
    // but the operation is over.
    if (exited) return ReadStatus::kEof;
    if (!WaitReadable(stdout_fd_, deadline, &exited)) return ReadStatus::kTimedOut;
  }
}

ReadStatus Child::ReadLine(Deadline deadline, std::string* line) {
  if (stdout_fd_ < 0) return ReadStatus::kEof;
  char chunk[8192];
  bool exited = false;
  while (true) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      line->assign(buffer_, 0, newline);
      buffer_.erase(0, newline + 1);
      return ReadStatus::kOk;
    }
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return ReadStatus::kEof;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return ReadStatus::kError;
    if (exited) return ReadStatus::kEof;
    if (!WaitReadable(stdout_fd_, deadline, &exited)) return ReadStatus::kTimedOut;
  }
}

bool Child::WriteStdin(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(stdin_fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE: the worker is gone (SIGPIPE is ignored)
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

void Child::CloseStdin() { CloseFd(stdin_fd_); }

ExitStatus Child::Wait(Deadline deadline) {
  if (status_) return *status_;
  while (pidfd_ >= 0) {
    pollfd fd = {pidfd_, POLLIN, 0};
    const int rc = ::poll(&fd, 1, MillisUntil(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      Kill();
      status_ = ExitStatus{ExitStatus::Kind::kTimedOut, 0};
      return *status_;
    }
    break;
  }
  KillGroup();  // stragglers the implementation left in its group
  return Reap();
}

ExitStatus Child::Kill() {
  if (status_) return *status_;
  KillGroup();
  return Reap();
}

}  // namespace lockharness::harness::runner
