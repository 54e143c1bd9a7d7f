// preload_internal.h (private): what the engine (preload.cc) offers the
// other files of the preload library. The exported wrappers
// (preload_wrappers.cc) share its state, re-entrancy guard, path
// classification, fault decisions and trace through Intercept(); the lock
// wrappers (lock_calls.cc) use the narrower entry points of `internal`, so
// that they share the same without reaching into the engine's internals.

#ifndef LOCKHARNESS_INTERPOSER_SRC_PRELOAD_INTERNAL_H_
#define LOCKHARNESS_INTERPOSER_SRC_PRELOAD_INTERNAL_H_

#include <errno.h>
#include <signal.h>

#include <atomic>

#include "crash_record.h"
#include "fd_table.h"
#include "lockharness/interposer/fault_spec.h"
#include "lockharness/interposer/path_class.h"
#include "lockharness/interposer/trace_line.h"

namespace lockharness::interposer {

// ---------------------------------------------------------------------------
// The engine's process-wide state the wrappers use (preload.cc). All of it
// is constant-initialised, so wrappers called before the library's
// constructor see "not ready".

extern std::atomic<bool> g_ready;
extern RegistryPaths g_registry;
extern FdTable g_fds;
extern std::atomic<int> g_trace_fd;
extern char g_trace_path[kPathBufferSize];

// The thread's depth inside the library: while it is not 0, every wrapper
// is a pass-through. constinit: no TLS init function to call (or import).
extern __attribute__((
    tls_model("initial-exec"))) constinit thread_local int t_depth;

// Marks the current thread as "inside the library" for its lifetime.
class DepthGuard {
 public:
  DepthGuard() { ++t_depth; }
  ~DepthGuard() { --t_depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
};

// Keeps errno across bookkeeping that may clobber it.
class ErrnoSaver {
 public:
  ErrnoSaver() : saved_(errno) {}
  ~ErrnoSaver() { errno = saved_; }
  ErrnoSaver(const ErrnoSaver&) = delete;
  ErrnoSaver& operator=(const ErrnoSaver&) = delete;

 private:
  int saved_;
};

inline bool Active() {
  return t_depth == 0 && g_ready.load(std::memory_order_acquire);
}

// ---------------------------------------------------------------------------
// Real functions, resolved lazily with dlsym(RTLD_NEXT).

// dlsym(RTLD_NEXT, name) with the wrappers switched off meanwhile.
void* ResolveNext(const char* name);

#define LH_REAL(name)                                     \
  ([]() {                                                 \
    static std::atomic<void*> slot{nullptr};              \
    void* fn = slot.load(std::memory_order_acquire);      \
    if (fn == nullptr) {                                  \
      fn = ::lockharness::interposer::ResolveNext(#name); \
      slot.store(fn, std::memory_order_release);          \
    }                                                     \
    return reinterpret_cast<decltype(&::name)>(fn);       \
  }())

// ---------------------------------------------------------------------------
// The engine's helpers, classification, fault decisions and trace.

// Sleeps for `ms` milliseconds, resuming after signals.
void SleepMs(int ms);

// The path fd refers to now (readlink of /proc/self/fd/N).
const char* FdPath(int fd, char* out);

// The path of fd for trace lines: the path it was opened by, if the fd
// table kept it (no system call), else FdPath. A file renamed after it was
// opened is traced under its old name (docs/interposer.md).
const char* TracedFdPath(int fd, char* out);

// The class of `path` (relative to dirfd), its absolute form in abs_out.
PathClass ClassifyPath(int dirfd, const char* path, char* abs_out);

// The class of the file fd refers to.
PathClass ClassifyFd(int fd);

struct Decision {
  ActionKind kind = ActionKind::kNone;
  int param = 0;
};

// The fault decision for one call of `family` on a path of `path_class`.
// REQUIRES: caller holds a DepthGuard.
Decision Consult(CallFamily family, PathClass path_class);

// ---------------------------------------------------------------------------
// The common shape of every wrapper.

struct CallSite {
  const char* call;
  CallFamily family;
  PathClass path_class;
  const char* path = nullptr;
  const char* from = nullptr;
  PathClass from_class = PathClass::kOther;
  int fd = -1;
  int open_flags = -1;               // open: traced as "flags"
  const LockDetail* lock = nullptr;  // lock calls: what was asked for
  // close releases the descriptor even when it reports an error, so an
  // injected errno on close still performs the close.
  bool perform_on_errno = false;
  // Crash-recording mode (crash_record.h): the call's payload, and the
  // record's op name for calls without a family of their own (truncate).
  const CrashPayload* payload = nullptr;
  const char* record_kind = nullptr;
};

// Appends one complete line to the trace, if tracing (lines that are not
// call lines: dup). REQUIRES: caller holds a DepthGuard.
void EmitTraceLine(const char* line, size_t len);

// The trace's clock (CLOCK_MONOTONIC, ns).
int64_t TraceClockNs();

// Writes the trace line of `site`'s outcome, if tracing.
void Trace(const CallSite& site, long long result, int error,
           ActionKind injected);

// Runs `perform(decision)` (which calls the real function and returns its
// result) under the fault decision for `site`, traces the outcome and
// returns the result with errno set as the caller must see it.
// REQUIRES: caller holds a DepthGuard; site.path_class != kOther or
// site.from_class != kOther.
template <typename Perform>
long long Intercept(CallSite& site, Perform&& perform) {
  Decision d = Consult(site.family, site.path_class);
  long long result = 0;
  int error = 0;
  ActionKind injected = d.kind;
  switch (d.kind) {
    case ActionKind::kErrno:
      if (site.perform_on_errno) perform(d);
      result = -1;
      // A remote `enable` without failinfo carries 0, which is no errno.
      error = d.param > 0 ? d.param : EIO;
      break;
    case ActionKind::kKill:
      // Trace first: the line is the only evidence the fault fired.
      Trace(site, 0, 0, ActionKind::kKill);
      raise(SIGKILL);
      [[fallthrough]];  // not reached
    case ActionKind::kStop:
      if (d.kind == ActionKind::kStop) raise(SIGSTOP);
      [[fallthrough]];
    case ActionKind::kDelay:
      if (d.kind == ActionKind::kDelay) SleepMs(d.param);
      [[fallthrough]];
    default: {
      CrashRecordScope record(site.family, site.record_kind, site.path,
                              site.from, site.fd, site.payload);
      --t_depth;  // the real call is not ours: signal handlers may trace
      result = perform(d);
      error = errno;
      ++t_depth;
      record.Finish(result);
      break;
    }
  }
  if (d.kind == ActionKind::kShortWrite &&
      (site.family != CallFamily::kWrite || d.param < 0)) {
    // Not a write (remote control can arm any point with any action), or
    // the write was too small to shorten: nothing was injected.
    injected = ActionKind::kNone;
  }
  Trace(site, result, error, injected);
  errno = error;
  return result;
}

}  // namespace lockharness::interposer

namespace lockharness::interposer::internal {

// dlsym(RTLD_NEXT, name) with the wrappers switched off meanwhile.
void* ResolveNextSymbol(const char* name);

// Runs one call on descriptor `fd` through the library: if the library is
// active and fd names a protocol path, consults lh/<family>/<class>,
// performs the call with perform(context) unless a fault replaces it,
// traces it (with `lock`, if not null) and returns its result with errno
// as the caller must see it. Otherwise just returns perform(context).
long long InterceptFdCall(const char* call, CallFamily family, int fd,
                          const LockDetail* lock,
                          long long (*perform)(void* context), void* context);

}  // namespace lockharness::interposer::internal

#endif  // LOCKHARNESS_INTERPOSER_SRC_PRELOAD_INTERNAL_H_
