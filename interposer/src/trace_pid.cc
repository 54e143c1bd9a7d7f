// The PIDs a trace line names (see trace_pid.h).

#include "trace_pid.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "lockharness/interposer/path_class.h"

namespace lockharness::interposer {
namespace {

char g_proc_dir[kPathBufferSize];    // empty: getpid() is the trace PID
std::atomic<int> g_cached_inner{0};  // getpid() when g_cached_outer was read
std::atomic<int> g_cached_outer{0};

// "<dir>/<leaf>" into out; false if it does not fit.
bool JoinPath(const char* dir, const char* leaf, char* out, size_t out_size) {
  const size_t a = strlen(dir), b = strlen(leaf);
  if (a + 1 + b + 1 > out_size) return false;
  memcpy(out, dir, a);
  out[a] = '/';
  memcpy(out + a + 1, leaf, b + 1);
  return true;
}

int ParsePositive(const char* text, size_t len) {
  if (len == 0 || len > 9) return 0;
  int value = 0;
  for (size_t i = 0; i < len; ++i) {
    if (text[i] < '0' || text[i] > '9') return 0;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// PPid from <dir>/self/status, or 0.
int ProcParentPid(const char* proc_dir) {
  char path[kPathBufferSize];
  if (!JoinPath(proc_dir, "self/status", path, sizeof(path))) return 0;
  const long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[2048];
  const long n = syscall(SYS_read, fd, text, sizeof(text) - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return 0;
  text[n] = '\0';
  const char* at = strstr(text, "\nPPid:");
  if (at == nullptr) return 0;
  at += 6;
  while (*at == '\t' || *at == ' ') ++at;
  size_t len = 0;
  while (at[len] >= '0' && at[len] <= '9') ++len;
  return ParsePositive(at, len);
}

}  // namespace

int ProcSelfPid(const char* proc_dir) {
  char path[kPathBufferSize];
  if (!JoinPath(proc_dir, "self", path, sizeof(path))) return 0;
  char target[32];
  const long n =
      syscall(SYS_readlinkat, AT_FDCWD, path, target, sizeof(target));
  if (n <= 0 || n >= static_cast<long>(sizeof(target))) return 0;
  return ParsePositive(target, static_cast<size_t>(n));
}

bool ConfigureTracePid() {
  const char* dir = getenv("LOCKHARNESS_TRACE_PROC");
  if (dir == nullptr || dir[0] == '\0') return true;
  if (strlen(dir) >= sizeof(g_proc_dir)) return false;
  strcpy(g_proc_dir, dir);
  return true;
}

int TracePid() {
  const int inner = static_cast<int>(getpid());
  if (g_proc_dir[0] == '\0') return inner;
  if (g_cached_inner.load(std::memory_order_acquire) == inner) {
    return g_cached_outer.load(std::memory_order_relaxed);
  }
  int outer = ProcSelfPid(g_proc_dir);
  if (outer <= 0) outer = ProcSelfPid("/proc");
  if (outer <= 0) outer = inner;
  g_cached_outer.store(outer, std::memory_order_relaxed);
  g_cached_inner.store(inner, std::memory_order_release);
  return outer;
}

int TraceParentPid() {
  if (g_proc_dir[0] == '\0') return static_cast<int>(getppid());
  int parent = ProcParentPid(g_proc_dir);
  if (parent <= 0 && ProcSelfPid(g_proc_dir) <= 0)
    parent = ProcParentPid("/proc");
  return parent > 0 ? parent : static_cast<int>(getppid());
}

int TracePidOfParentAfterFork() {
  if (g_proc_dir[0] == '\0') return static_cast<int>(getppid());
  const int parent = g_cached_outer.load(std::memory_order_relaxed);
  TracePid();
  return parent > 0 ? parent : static_cast<int>(getppid());
}

}  // namespace lockharness::interposer
