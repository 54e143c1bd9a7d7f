// The harness's own PID namespace (see run_namespace.h).

#include "lockharness/harness/runner/run_namespace.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace lockharness::harness::runner {
namespace {

RunNamespace g_state{false, false, "not requested by this program"};
volatile sig_atomic_t g_forward_to = 0;

void Forward(int sig) {
  if (g_forward_to > 0) ::kill(g_forward_to, sig);
}

// SIGINT, SIGTERM, SIGHUP and SIGQUIT go on to `to` (the harness, which
// handles them) instead of ending this process first: its death would kill
// the harness mid-cleanup.
void ForwardTerminationSignals(pid_t to) {
  g_forward_to = to;
  struct sigaction action = {};
  action.sa_handler = Forward;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(sig, &action, nullptr);
}

std::string Errno(const std::string& what, int err) { return what + ": " + std::strerror(err); }

bool WriteProcFile(const char* path, const std::string& text, std::string* error) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    *error = Errno(std::string("write ") + path, errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

// In a new user namespace: our uid and gid are themselves there (not root),
// so files keep their owner and the writers run with the caller's rights.
bool MapOwnIds(uid_t uid, gid_t gid, std::string* error) {
  return WriteProcFile("/proc/self/setgroups", "deny", error) &&
         WriteProcFile("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1",
                       error) &&
         WriteProcFile("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1",
                       error);
}

// Unshares the namespaces (`user`: a user namespace too). "" or why not.
std::string Unshare(bool user, uid_t uid, gid_t gid) {
  const int flags = CLONE_NEWPID | CLONE_NEWNS | (user ? CLONE_NEWUSER : 0);
  if (::unshare(flags) != 0) {
    return Errno(user ? "unshare(CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS)"
                      : "unshare(CLONE_NEWPID|CLONE_NEWNS)",
                 errno);
  }
  std::string error;
  if (user && !MapOwnIds(uid, gid, &error)) return error;
  return "";
}

// As the namespace's first process: its own /proc, so that /proc/PID and
// /proc/locks speak its PIDs. Mounts of the caller's namespace still reach
// us (slave), ours do not leak out.
std::string MountOwnProc() {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    return Errno("make / a slave mount", errno);
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return Errno("mount /proc", errno);
  return "";
}

// Tries the whole setup in a throwaway child, so that this process commits
// to it only when it works: an unshared PID namespace cannot be left again.
// Returns "" (with *user set) or the reason.
std::string Probe(uid_t uid, gid_t gid, bool* user) {
  std::string reason;
  for (bool with_user : {false, true}) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return Errno("pipe", errno);
    const pid_t child = ::fork();
    if (child < 0) {
      ::close(report[0]);
      ::close(report[1]);
      return Errno("fork", errno);
    }
    if (child == 0) {
      ::close(report[0]);
      std::string why = Unshare(with_user, uid, gid);
      if (why.empty()) {
        const pid_t first = ::fork();
        if (first < 0) {
          why = Errno("fork into the new PID namespace", errno);
        } else if (first == 0) {
          why = MountOwnProc();
          if (!why.empty() && ::write(report[1], why.data(), why.size()) < 0) _exit(2);
          _exit(why.empty() ? 0 : 1);
        } else {
          int status = 0;
          while (::waitpid(first, &status, 0) < 0 && errno == EINTR) {
          }
          _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
        }
      }
      if (::write(report[1], why.data(), why.size()) < 0) _exit(2);
      _exit(1);
    }
    ::close(report[1]);
    std::string why;
    char buffer[512];
    for (ssize_t n; (n = ::read(report[0], buffer, sizeof buffer)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      why.append(buffer, static_cast<size_t>(n));
    }
    ::close(report[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      *user = with_user;
      return "";
    }
    if (why.empty()) why = "the probe process failed";
    reason += (reason.empty() ? "" : "; in a user namespace: ") + why;
  }
  return reason;
}

// Ends this process as `status` says the harness ended: the same exit code,
// or the same signal (without a core dump of its own).
[[noreturn]] void ExitAs(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  struct rlimit no_core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::prctl(PR_SET_PDEATHSIG, 0);
  ::kill(::getpid(), sig);
  _exit(128 + sig);
}

[[noreturn]] void Fatal(const std::string& what) {
  std::fprintf(stderr, "lockharness: run namespace: %s\n", what.c_str());
  _exit(2);
}

// PID 1 of the run's namespace: starts the harness, reaps every orphan,
// forwards termination signals, and reports the harness's wait status to the
// starting process through `status_out`. Its exit kills the namespace.
// Returns only in the harness's process.
void RunInit(int alive_in, int status_out) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) Fatal(Errno("prctl(PR_SET_PDEATHSIG)", errno));
  // Our parent lies outside the namespace (getppid() says 0): the pipe tells
  // whether it died before PR_SET_PDEATHSIG took effect.
  struct pollfd parent = {alive_in, POLLIN, 0};
  if (::poll(&parent, 1, 0) != 0) _exit(2);
  if (std::string why = MountOwnProc(); !why.empty()) Fatal(why);
  const pid_t harness = ::fork();
  if (harness < 0) Fatal(Errno("fork", errno));
  if (harness == 0) return;
  ForwardTerminationSignals(harness);
  int status = 0;
  for (;;) {
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid == harness) break;
    if (pid < 0 && errno != EINTR) Fatal(Errno("waitpid", errno));
  }
  if (::write(status_out, &status, sizeof status) != sizeof status) _exit(2);
  _exit(0);
}

}  // namespace

const RunNamespace& RunNamespaceState() { return g_state; }

const RunNamespace& EnterRunNamespace() {
  static bool called = false;
  if (called) return g_state;
  called = true;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  bool user = false;
  if (std::string why = Probe(uid, gid, &user); !why.empty()) {
    g_state.reason =
        "cannot make a PID namespace (needs root or unprivileged user namespaces): " + why;
    return g_state;
  }
  std::fflush(nullptr);
  if (std::string why = Unshare(user, uid, gid); !why.empty()) Fatal(why);
  int alive[2], status[2];
  if (::pipe2(alive, O_CLOEXEC) != 0 || ::pipe2(status, O_CLOEXEC) != 0) {
    Fatal(Errno("pipe", errno));
  }
  const pid_t init = ::fork();
  if (init < 0) Fatal(Errno("fork into the new PID namespace", errno));
  if (init == 0) {
    ::close(alive[1]);
    ::close(status[0]);
    // Forks the harness, which returns here; the init itself never does.
    const int alive_in = alive[0], status_out = status[1];
    RunInit(alive_in, status_out);
    ::close(alive_in);
    ::close(status_out);
    g_state = {true, user, ""};
    return g_state;
  }
  // The process the user started: it lives as long as the run does.
  ::close(alive[0]);
  ::close(status[1]);
  ForwardTerminationSignals(init);
  int harness_status = 0;
  ssize_t got = 0;
  while ((got = ::read(status[0], &harness_status, sizeof harness_status)) < 0 && errno == EINTR) {
  }
  int init_status = 0;
  while (::waitpid(init, &init_status, 0) < 0 && errno == EINTR) {
  }
  ExitAs(got == sizeof harness_status ? harness_status : init_status);
}

}  // namespace lockharness::harness::runner
