// lockharness-placer: runs one writer process in its own PID namespace (a
// container sharing the registry's volume) or on a simulated host (own PID,
// UTS and mount namespaces, own host name, own boot id), for the runner's
// `placement` (docs/scenarios.md).
//
//   lockharness-placer [--init] --pid-ns -- PROGRAM [ARGS...]
//   lockharness-placer [--init] --host NAME --boot-id-file PATH -- PROGRAM [ARGS...]
//   lockharness-placer --check (--pid-ns | --host ...)   # can this machine do it?
//
// posix_spawn cannot create namespaces, hence this exec wrapper. It unshares,
// forks the program's process, which is PID 1 of the new PID namespace (as
// `unshare --pid --fork` and a container without an init make it), mounts a
// private /proc there (and, for a host, sets the host name and bind-mounts
// the boot id file over /proc/sys/kernel/random/boot_id), and execs. The
// wrapper waits and exits as the program did (killed by a signal: it kills
// itself with the same signal). Both die with their parent: the program
// has PR_SET_PDEATHSIG=SIGKILL towards the wrapper, the wrapper towards the
// harness. Everything else (cwd, environment, descriptors, the process
// group the harness gave the wrapper) is inherited: signals to the group
// reach the program too.
//
// With --init, PID 1 is a minimal init (as `docker run --init` gives) and
// the program is its child, PID 2: for programs that refuse to run as PID
// 1 or as its child's parent (liblockfile's tools with --use-pid exit 7,
// "orphaned", when their parent is PID 1). The init forwards SIGTERM,
// SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to the program, reaps every
// orphan, and exits when the program does; it hands the program's wait
// status to the wrapper through a pipe, so the wrapper still dies of the
// program's signal (an init cannot be killed by its own signal).
//
// Without CAP_SYS_ADMIN it makes the namespaces inside a new user namespace
// that maps the caller's uid and gid to themselves (where the kernel allows
// unprivileged user namespaces); the program, exec'd with a non-zero uid
// there, keeps no capability.
//
// Exit codes of its own: 125 usage, or the namespaces cannot be made (the
// message on stderr says why).

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kPlacerFailed = 125;
constexpr char kBootIdPath[] = "/proc/sys/kernel/random/boot_id";

struct Placement {
  bool check = false;
  bool init = false;
  bool host = false;
  std::string host_name;
  std::string boot_id_file;
  std::vector<char*> argv;
};

[[noreturn]] void Die(const std::string& what, int err) {
  std::fprintf(stderr, "lockharness-placer: %s: %s\n", what.c_str(), std::strerror(err));
  _exit(kPlacerFailed);
}

[[noreturn]] void Usage(const char* why) {
  std::fprintf(
      stderr,
      "lockharness-placer: %s\nusage: lockharness-placer [--check] [--init] (--pid-ns | --host "
      "NAME --boot-id-file PATH) [-- PROGRAM [ARGS...]]\n",
      why);
  _exit(kPlacerFailed);
}

Placement ParseArgs(int argc, char** argv) {
  Placement p;
  bool pid_ns = false;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--check") {
      p.check = true;
    } else if (a == "--init") {
      p.init = true;
    } else if (a == "--pid-ns") {
      pid_ns = true;
    } else if (a == "--host" && i + 1 < argc) {
      p.host = true;
      p.host_name = argv[++i];
    } else if (a == "--boot-id-file" && i + 1 < argc) {
      p.boot_id_file = argv[++i];
    } else {
      Usage(("unknown or incomplete option '" + a + "'").c_str());
    }
  }
  if (pid_ns == p.host) Usage("give exactly one of --pid-ns and --host");
  if (p.host && (p.host_name.empty() || p.host_name.size() > 64 || p.boot_id_file.empty())) {
    Usage("--host needs a name of 1-64 bytes and --boot-id-file");
  }
  for (; i < argc; ++i) p.argv.push_back(argv[i]);
  if (p.argv.empty() && !p.check) Usage("no program to run");
  p.argv.push_back(nullptr);
  return p;
}

void WriteProcFile(const char* path, const std::string& text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    Die(std::string("write ") + path, errno);
  }
  ::close(fd);
}

// In a new user namespace: our uid and gid stay themselves (not root), so
// the program runs with the caller's rights and files keep their owner.
void MapOwnIds(uid_t uid, gid_t gid) {
  WriteProcFile("/proc/self/setgroups", "deny");
  WriteProcFile("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1");
  WriteProcFile("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1");
}

// In the new namespaces, as PID 1: our own /proc, and a host's name and boot id.
// An observed run (LOCKHARNESS_TRACE_PROC, interposer/src/trace_pid.h)
// first gets the harness's /proc bind-mounted over that directory, so the
// trace names our processes by their PIDs in the harness's namespace.
void EnterPlace(const Placement& p) {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    Die("make / private", errno);
  const char* trace_proc = std::getenv("LOCKHARNESS_TRACE_PROC");
  if (trace_proc != nullptr && trace_proc[0] != '\0' &&
      ::mount("/proc", trace_proc, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    Die(std::string("bind-mount /proc over ") + trace_proc + " (LOCKHARNESS_TRACE_PROC)", errno);
  }
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    Die("mount /proc", errno);
  if (!p.host) return;
  if (::sethostname(p.host_name.data(), p.host_name.size()) != 0) Die("sethostname", errno);
  if (::mount(p.boot_id_file.c_str(), kBootIdPath, nullptr, MS_BIND, nullptr) != 0) {
    Die(std::string("bind-mount ") + p.boot_id_file + " over " + kBootIdPath, errno);
  }
}

[[noreturn]] void Exec(const Placement& p) {
  ::execvp(p.argv[0], p.argv.data());
  std::fprintf(stderr, "lockharness-placer: exec %s: %s\n", p.argv[0], std::strerror(errno));
  _exit(errno == ENOENT ? 127 : 126);
}

volatile sig_atomic_t g_program = 0;

void ForwardSignal(int sig) {
  if (g_program > 0) ::kill(g_program, sig);
}

// PID 1 of the namespace (--init): runs the program as its child, reaps
// everything, writes the program's wait status to `status_fd`, and exits.
[[noreturn]] void RunInit(const Placement& p, int status_fd) {
  constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  sigset_t forwarded, previous;
  sigemptyset(&forwarded);
  for (int sig : kForwarded) sigaddset(&forwarded, sig);
  // Blocked until the program's PID is known, so none is lost.
  sigprocmask(SIG_BLOCK, &forwarded, &previous);
  const pid_t program = ::fork();
  if (program < 0) Die("fork the program", errno);
  if (program == 0) {
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(kPlacerFailed);
    Exec(p);
  }
  g_program = program;
  struct sigaction forward {};
  forward.sa_handler = ForwardSignal;
  forward.sa_flags = SA_RESTART;
  for (int sig : kForwarded) ::sigaction(sig, &forward, nullptr);
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  int status = 0;
  for (;;) {
    int reaped_status = 0;
    const pid_t reaped = ::waitpid(-1, &reaped_status, 0);
    if (reaped == program) {
      status = reaped_status;
      break;
    }
    if (reaped < 0 && errno != EINTR) Die("waitpid", errno);
  }
  if (::write(status_fd, &status, sizeof status) != sizeof status) _exit(kPlacerFailed);
  // Leaving ends the namespace: the kernel kills what the program left.
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

}  // namespace

int main(int argc, char** argv) {
  Placement p = ParseArgs(argc, argv);
  const pid_t parent = ::getppid();
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) Die("prctl(PR_SET_PDEATHSIG)", errno);
  if (::getppid() != parent) _exit(kPlacerFailed);  // the harness is already gone
  const int flags = CLONE_NEWPID | CLONE_NEWNS | (p.host ? CLONE_NEWUTS : 0);
  const std::string names =
      std::string("CLONE_NEWPID|CLONE_NEWNS") + (p.host ? "|CLONE_NEWUTS" : "");
  if (::unshare(flags) != 0) {
    // Without CAP_SYS_ADMIN: in a user namespace of our own, where the
    // kernel allows unprivileged ones. The other namespaces belong to it.
    const int first = errno;
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    if (first != EPERM) Die("unshare(" + names + ")", first);
    if (::unshare(flags | CLONE_NEWUSER) != 0) {
      std::fprintf(stderr,
                   "lockharness-placer: unshare(%s): %s (needs root or CAP_SYS_ADMIN), and "
                   "unshare(CLONE_NEWUSER|%s): %s (unprivileged user namespaces are not "
                   "available)\n",
                   names.c_str(), std::strerror(first), names.c_str(), std::strerror(errno));
      _exit(kPlacerFailed);
    }
    MapOwnIds(uid, gid);
  }
  // The child is PID 1 of the new namespace: its parent (we) lies outside
  // it, so getppid() says 0 there and cannot tell whether we died before
  // its PR_SET_PDEATHSIG took effect. A pipe can: we hold its write end.
  int alive[2];
  if (::pipe2(alive, O_CLOEXEC) != 0) Die("pipe", errno);
  int program_status[2] = {-1, -1};
  if (p.init && ::pipe2(program_status, O_CLOEXEC) != 0) Die("pipe", errno);
  const pid_t child = ::fork();
  if (child < 0) Die("fork", errno);
  if (child == 0) {
    ::close(alive[1]);
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(kPlacerFailed);
    struct pollfd parent {
      alive[0], POLLIN, 0
    };
    if (::poll(&parent, 1, 0) != 0) _exit(kPlacerFailed);  // EOF: the placer is already gone
    ::close(alive[0]);
    EnterPlace(p);
    if (p.check) _exit(0);
    if (p.init) {
      ::close(program_status[0]);
      RunInit(p, program_status[1]);
    }
    Exec(p);
  }
  ::close(alive[0]);
  if (p.init) ::close(program_status[1]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) Die("waitpid", errno);
  }
  // The program's own status, when an init ran it and lived to hand it on.
  if (p.init) {
    int program = 0;
    if (::read(program_status[0], &program, sizeof program) == sizeof program) status = program;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  const int sig = WTERMSIG(status);
  ::signal(sig, SIG_DFL);
  ::prctl(PR_SET_PDEATHSIG, 0);
  ::kill(::getpid(), sig);
  return 128 + sig;
}
