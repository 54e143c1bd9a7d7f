// preload.cc: liblockharness_interpose.so, an LD_PRELOAD library that wraps
// the libc file system calls of the lock-and-rename protocol, classifies
// their paths (path_class.h), consults libfiu failure points named
// lh/<call>/<class> (fault_spec.h) and records a JSON-lines trace
// (trace_line.h). See docs/interposer.md for the user's view.
//
// Rules this file keeps, because it runs inside arbitrary host programs:
//  - With no registry configured every wrapper is a plain tail call to the
//    real function: behaviour does not change.
//  - No heap, no exceptions, no stdio on the wrapped paths; everything
//    lives in static storage or on the stack.
//  - A thread-local depth counter makes every wrapper a pass-through while
//    the library itself (libfiu, the trace writer, path resolution) runs,
//    so nothing recurses.
//  - errno as seen by the caller is exactly the real call's (or the
//    injected one), never one left over from bookkeeping.

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

// Without FIU_ENABLE, fiu.h turns fiu_init/fiu_fail into no-op macros.
#define FIU_ENABLE 1
#include <fiu-control.h>
#include <fiu.h>

#include "crash_record.h"
#include "fd_table.h"
#include "preload_internal.h"
#include "lockharness/interposer/fault_spec.h"
#include "lockharness/interposer/path_class.h"
#include "lockharness/interposer/trace_line.h"

namespace lockharness::interposer {
namespace {

// ---------------------------------------------------------------------------
// Process-wide state. All of it is constant-initialised (no constructors
// run), so wrappers called before our constructor see "not ready".

std::atomic<bool> g_ready{false};
RegistryPaths g_registry;
FaultList g_faults;
FdTable g_fds;
std::atomic<int> g_trace_fd{-1};
std::atomic<uint64_t> g_trace_dev{0};  // identity of the file g_trace_fd names
std::atomic<uint64_t> g_trace_ino{0};
char g_trace_path[kPathBufferSize];
std::atomic<uint32_t> g_every_counts[kCallFamilyCount][kPathClassCount];

__attribute__((tls_model("initial-exec"))) thread_local int t_depth = 0;

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

bool Active() {
  return t_depth == 0 && g_ready.load(std::memory_order_acquire);
}

// ---------------------------------------------------------------------------
// Real functions, resolved lazily with dlsym(RTLD_NEXT) (wrappers can run
// before our constructor, e.g. from another library's constructor).

void* ResolveNext(const char* name) {
  ++t_depth;  // dlsym may call back into wrapped functions
  void* fn = dlsym(RTLD_NEXT, name);
  --t_depth;
  return fn;
}

#define LH_REAL(name)                                                    \
  ([]() {                                                                \
    static std::atomic<void*> slot{nullptr};                             \
    void* fn = slot.load(std::memory_order_acquire);                     \
    if (fn == nullptr) {                                                 \
      fn = ::lockharness::interposer::ResolveNext(#name);                \
      slot.store(fn, std::memory_order_release);                         \
    }                                                                    \
    return reinterpret_cast<decltype(&::name)>(fn);                      \
  }())

// ---------------------------------------------------------------------------
// Small helpers.

int64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void SleepMs(int ms) {
  struct timespec ts = {ms / 1000, static_cast<long>(ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void WriteAll(int fd, const char* data, size_t len) {
  auto real_write = LH_REAL(write);
  while (len > 0) {
    ssize_t n = real_write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    len -= static_cast<size_t>(n);
  }
}

[[noreturn]] void Die(const char* what, const char* detail) {
  WriteAll(2, "lockharness interposer: ", 24);
  WriteAll(2, what, strlen(what));
  if (detail != nullptr) {
    WriteAll(2, ": ", 2);
    WriteAll(2, detail, strlen(detail));
  }
  WriteAll(2, "\n", 1);
  _exit(125);
}

// The path fd refers to, for trace lines of fd-based calls.
const char* FdPath(int fd, char* out) {
  char link[32] = "/proc/self/fd/";
  size_t n = strlen(link);
  char digits[16];
  size_t d = 0;
  unsigned v = static_cast<unsigned>(fd);
  do {
    digits[d++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (d > 0) link[n++] = digits[--d];
  link[n] = '\0';
  ssize_t len = readlink(link, out, kPathBufferSize - 1);
  if (len <= 0) return nullptr;
  out[len] = '\0';
  return out;
}

PathClass ClassifyPath(int dirfd, const char* path, char* abs_out) {
  const char* abs = AbsolutePath(dirfd, path, abs_out);
  return abs == nullptr ? PathClass::kOther : g_registry.Classify(abs);
}

PathClass ClassifyFd(int fd) {
  if (fd < 0) return PathClass::kOther;
  if (FdTable::Covers(fd)) return g_fds.Lookup(fd);
  char buf[kPathBufferSize];
  const char* path = FdPath(fd, buf);
  if (path == nullptr) return PathClass::kOther;
  return ClassifyPath(AT_FDCWD, path, buf);
}

// ---------------------------------------------------------------------------
// Tracing.

// True if fd still names the trace file this process opened.
bool IsOurTraceFile(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 &&
         static_cast<uint64_t>(st.st_dev) ==
             g_trace_dev.load(std::memory_order_relaxed) &&
         static_cast<uint64_t>(st.st_ino) ==
             g_trace_ino.load(std::memory_order_relaxed);
}

int TraceFd() {
  if (g_trace_path[0] == '\0') return -1;
  int fd = g_trace_fd.load(std::memory_order_acquire);
  if (fd >= 0) {
    if (IsOurTraceFile(fd)) return fd;
    // The program closed our descriptor behind our back (close_range, a raw
    // syscall) and the number may now name one of its own files: never
    // write there; reopen instead.
    g_trace_fd.compare_exchange_strong(fd, -1);
  }
  // Move the descriptor high so it does not take the low numbers programs
  // expect to get.
  int raw = LH_REAL(open)(g_trace_path,
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (raw < 0) return -1;
  int high = fcntl(raw, F_DUPFD_CLOEXEC, 900);
  if (high >= 0) {
    LH_REAL(close)(raw);
    raw = high;
  }
  struct stat st;
  if (fstat(raw, &st) != 0) {
    LH_REAL(close)(raw);
    return -1;
  }
  g_trace_dev.store(static_cast<uint64_t>(st.st_dev), std::memory_order_relaxed);
  g_trace_ino.store(static_cast<uint64_t>(st.st_ino), std::memory_order_relaxed);
  int expected = -1;
  if (!g_trace_fd.compare_exchange_strong(expected, raw)) {
    LH_REAL(close)(raw);  // another thread won the race
    return expected;
  }
  return raw;
}

void EmitLine(const char* line, size_t len) {
  int fd = TraceFd();
  // One write(2) per line: O_APPEND makes each an atomic append on local
  // file systems, so lines of concurrent processes do not interleave.
  if (fd >= 0) LH_REAL(write)(fd, line, len);
}

// ---------------------------------------------------------------------------
// Fault decisions.

struct Decision {
  ActionKind kind = ActionKind::kNone;
  int param = 0;
};

// Returns false if libfiu could not record the point (out of memory).
bool ArmSpec(const FaultSpec& spec) {
  bool advance = spec.once && (spec.every > 1 || spec.next_spec >= 0);
  unsigned flags = spec.once && spec.every <= 1 ? FIU_ONETIME : 0;
  int failnum = EncodeFailnum(spec.kind, spec.every, advance, spec.next_spec);
  void* failinfo = reinterpret_cast<void*>(static_cast<intptr_t>(spec.param));
  int rc = spec.probability >= 0
               ? fiu_enable_random(spec.point, failnum, failinfo, flags,
                                   spec.probability)
               : fiu_enable(spec.point, failnum, failinfo, flags);
  return rc == 0;
}

// After a `once` spec fired: disarm its point or arm its successor.
void Advance(const char* point, int next_spec) {
  if (next_spec >= 0 && next_spec < g_faults.count) {
    if (!ArmSpec(g_faults.specs[next_spec])) fiu_disable(point);
  } else {
    fiu_disable(point);
  }
}

// REQUIRES: caller holds a DepthGuard.
Decision Consult(CallFamily family, PathClass path_class) {
  Decision decision;
  if (path_class == PathClass::kOther) return decision;
  char point[kPointNameSize];
  FormatPointName(family, path_class, point);
  int failnum = fiu_fail(point);
  if (failnum == 0) return decision;
  auto param = static_cast<int>(reinterpret_cast<intptr_t>(fiu_failinfo()));
  DecodedFailnum d = DecodeFailnum(failnum);
  if (d.every > 1) {
    auto& counter = g_every_counts[static_cast<int>(family)]
                                  [static_cast<int>(path_class)];
    uint32_t n = counter.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n % d.every != 0) return decision;
    if (d.advance) counter.store(0, std::memory_order_relaxed);
  }
  if (d.advance) Advance(point, d.next_spec);
  decision.kind = d.kind;
  decision.param = param;
  return decision;
}

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
  int open_flags = -1;                // open: traced as "flags"
  const LockDetail* lock = nullptr;   // lock calls: what was asked for
  // close releases the descriptor even when it reports an error, so an
  // injected errno on close still performs the close.
  bool perform_on_errno = false;
  // Crash-recording mode (crash_record.h): the call's payload, and the
  // record's op name for calls without a family of their own (truncate).
  const CrashPayload* payload = nullptr;
  const char* record_kind = nullptr;
};

void Trace(const CallSite& site, long long result, int error,
           ActionKind injected) {
  if (g_trace_path[0] == '\0') return;
  TraceRecord r;
  r.pid = static_cast<int>(getpid());  // re-read: survives fork
  r.call = site.call;
  r.family = site.family;
  r.path_class = site.path_class;
  char fd_path[kPathBufferSize];
  r.path = site.path != nullptr ? site.path : FdPath(site.fd, fd_path);
  r.from = site.from;
  r.from_class = site.from_class;
  r.fd = site.fd;
  r.result = result;
  r.error = result < 0 ? error : 0;
  r.injected = injected != ActionKind::kNone;
  r.action = injected;
  r.mono_ns = MonotonicNs();
  r.open_flags = site.open_flags;
  r.lock = site.lock;
  char line[kTraceLineSize];
  EmitLine(line, FormatTraceLine(r, line, sizeof(line)));
}

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

// ---------------------------------------------------------------------------
// Shared bodies.

int OpenImpl(const char* call, int dirfd, const char* path, int flags,
             mode_t mode, bool at_form) {
  auto do_open = [&]() {
    return at_form ? LH_REAL(openat)(dirfd, path, flags, mode)
                   : LH_REAL(open)(path, flags, mode);
  };
  if (!Active() || !g_registry.configured()) return do_open();
  DepthGuard guard;
  char abs[kPathBufferSize];
  PathClass c;
  {
    ErrnoSaver keep;
    c = ClassifyPath(at_form ? dirfd : AT_FDCWD, path, abs);
  }
  if (c == PathClass::kOther) {
    int fd = do_open();
    if (fd >= 0) g_fds.Clear(fd);
    return fd;
  }
  CallSite site{call, CallFamily::kOpen, c, abs};
  site.open_flags = flags;
  CrashPayload payload;
  payload.open_flags = flags;
  site.payload = &payload;
  auto fd = static_cast<int>(
      Intercept(site, [&](const Decision&) -> long long {
        int r = do_open();
        if (r >= 0) {
          ErrnoSaver keep;
          site.fd = r;  // traced as the descriptor open returned
          struct stat st;
          if (FdTable::Covers(r) && fstat(r, &st) == 0) g_fds.Set(r, c, st);
        }
        return r;
      }));
  return fd;
}

// Limit for a short write of `count` bytes, or -1 if it cannot be shorter.
long long ShortLimit(const Decision& d, size_t count) {
  if (count <= 1) return -1;
  size_t limit = d.param > 0 ? static_cast<size_t>(d.param) : count / 2;
  return limit < count ? static_cast<long long>(limit) : -1;
}

template <typename RealWrite>
ssize_t WriteImpl(const char* call, int fd, size_t count,
                  const CrashPayload& payload, RealWrite&& real_write) {
  if (!Active() || !g_registry.configured()) return real_write(count);
  DepthGuard guard;
  PathClass c;
  {
    ErrnoSaver keep;
    c = ClassifyFd(fd);
  }
  if (c == PathClass::kOther) return real_write(count);
  CallSite site{call, CallFamily::kWrite, c};
  site.fd = fd;
  site.payload = &payload;
  return static_cast<ssize_t>(
      Intercept(site, [&](Decision& d) -> long long {
        if (d.kind != ActionKind::kShortWrite) return real_write(count);
        long long limit = ShortLimit(d, count);
        d.param = static_cast<int>(limit);  // < 0 marks "not shortened"
        return real_write(limit < 0 ? count : static_cast<size_t>(limit));
      }));
}

// writev-style calls: shortening means trimming the vector.
template <typename RealWritev>
ssize_t WritevImpl(const char* call, int fd, const struct iovec* iov,
                   int iovcnt, long long offset, RealWritev&& real_writev) {
  size_t total = 0;
  for (int i = 0; i < iovcnt && iov != nullptr; ++i) total += iov[i].iov_len;
  CrashPayload payload;
  payload.iov = iov;
  payload.iovcnt = iovcnt;
  payload.offset = offset;
  return WriteImpl(call, fd, total, payload, [&](size_t limit) -> ssize_t {
    if (limit >= total) return real_writev(iov, iovcnt);
    constexpr int kMaxTrimmed = 64;
    struct iovec trimmed[kMaxTrimmed];
    int n = 0;
    size_t left = limit;
    for (int i = 0; i < iovcnt && n < kMaxTrimmed && left > 0; ++i) {
      trimmed[n] = iov[i];
      if (trimmed[n].iov_len > left) trimmed[n].iov_len = left;
      left -= trimmed[n].iov_len;
      ++n;
    }
    return real_writev(trimmed, n);
  });
}

template <typename RealCall>
int FdCallImpl(const char* call, CallFamily family, int fd,
               RealCall&& real_call) {
  if (!Active() || !g_registry.configured()) return real_call();
  DepthGuard guard;
  PathClass c;
  {
    ErrnoSaver keep;
    c = ClassifyFd(fd);
  }
  if (c == PathClass::kOther) return real_call();
  CallSite site{call, family, c};
  site.fd = fd;
  return static_cast<int>(
      Intercept(site, [&](const Decision&) -> long long { return real_call(); }));
}

template <typename RealCall>
int PathCallImpl(const char* call, CallFamily family, int dirfd,
                 const char* path, RealCall&& real_call) {
  if (!Active() || !g_registry.configured()) return real_call();
  DepthGuard guard;
  char abs[kPathBufferSize];
  PathClass c;
  {
    ErrnoSaver keep;
    c = ClassifyPath(dirfd, path, abs);
  }
  if (c == PathClass::kOther) return real_call();
  CallSite site{call, family, c, abs};
  return static_cast<int>(
      Intercept(site, [&](const Decision&) -> long long { return real_call(); }));
}

// rename/link: the point's class is the destination's; the call is traced
// if either side is a protocol path.
template <typename RealCall>
int TwoPathCallImpl(const char* call, CallFamily family, int from_dirfd,
                    const char* from, int to_dirfd, const char* to,
                    RealCall&& real_call) {
  if (!Active() || !g_registry.configured()) return real_call();
  DepthGuard guard;
  char from_abs[kPathBufferSize];
  char to_abs[kPathBufferSize];
  PathClass from_class;
  PathClass to_class;
  {
    ErrnoSaver keep;
    from_class = ClassifyPath(from_dirfd, from, from_abs);
    to_class = ClassifyPath(to_dirfd, to, to_abs);
  }
  if (from_class == PathClass::kOther && to_class == PathClass::kOther) {
    return real_call();
  }
  CallSite site{call, family, to_class, to_abs, from_abs, from_class};
  return static_cast<int>(
      Intercept(site, [&](const Decision&) -> long long { return real_call(); }));
}

mode_t ModeArg(int flags, va_list* args) {
  bool needs_mode = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
  return needs_mode ? static_cast<mode_t>(va_arg(*args, int)) : 0;
}

// After dup/dup2/dup3 returned new_fd: the copy has the original's class
// (so `exec 3>file`-style redirections stay classified), and if the number
// was our trace descriptor, the program now owns it.
void NoteDup(int old_fd, int new_fd) {
  if (!Active()) return;
  DepthGuard guard;
  ErrnoSaver keep;
  int trace_fd = new_fd;
  g_trace_fd.compare_exchange_strong(trace_fd, -1);
  if (!g_registry.configured() || !FdTable::Covers(new_fd)) return;
  PathClass c = ClassifyFd(old_fd);
  struct stat st;
  if (c == PathClass::kOther || fstat(new_fd, &st) != 0) {
    g_fds.Clear(new_fd);
  } else {
    g_fds.Set(new_fd, c, st);
  }
}

// ftruncate/truncate have no failure point of their own: they are only
// crash-recorded (crash_record.h).
template <typename RealCall>
int TruncateImpl(int fd, const char* path, long long length,
                 RealCall&& real_call) {
  if (!Active() || !g_registry.configured() || !CrashRecording()) {
    return real_call();
  }
  DepthGuard guard;
  char abs[kPathBufferSize];
  const char* abs_path = nullptr;
  PathClass c;
  {
    ErrnoSaver keep;
    if (path != nullptr) {
      c = ClassifyPath(AT_FDCWD, path, abs);
      abs_path = abs;
    } else {
      c = ClassifyFd(fd);
    }
  }
  if (c == PathClass::kOther) return real_call();
  CrashPayload payload;
  payload.truncate_length = length;
  CrashRecordScope record(CallFamily::kWrite, "truncate", abs_path, nullptr,
                          path != nullptr ? -1 : fd, &payload);
  --t_depth;
  int r = real_call();
  int error = errno;
  ++t_depth;
  record.Finish(r);
  errno = error;
  return r;
}

// ---------------------------------------------------------------------------
// Start-up.

void ConfigureTrace() {
  const char* trace = getenv("LOCKHARNESS_TRACE");
  if (trace == nullptr || trace[0] == '\0') return;
  if (strlen(trace) >= sizeof(g_trace_path)) {
    Die("LOCKHARNESS_TRACE path too long", nullptr);
  }
  strcpy(g_trace_path, trace);
  if (TraceFd() < 0) Die("cannot open LOCKHARNESS_TRACE file", trace);
}

void TraceForkedChild() {
  if (g_trace_path[0] == '\0') return;
  DepthGuard guard;
  ErrnoSaver keep;
  char line[kTraceLineSize];
  EmitLine(line, FormatForkLine(static_cast<int>(getpid()),
                                static_cast<int>(getppid()), MonotonicNs(),
                                line, sizeof(line)));
}

void Initialize() {
  DepthGuard guard;
  ErrnoSaver keep;
  fiu_init(0);
  const char* registry = getenv("LOCKHARNESS_REGISTRY");
  if (registry != nullptr && registry[0] != '\0' &&
      !g_registry.Init(registry)) {
    Die("LOCKHARNESS_REGISTRY must be an absolute path to a file", registry);
  }
  ParseError error;
  if (!ParseFaultList(getenv("LOCKHARNESS_FAULTS"), &g_faults, &error)) {
    Die(error.message, nullptr);
  }
  if (g_faults.count > 0 && !g_registry.configured()) {
    Die("LOCKHARNESS_FAULTS is set but LOCKHARNESS_REGISTRY is not; no "
        "fault could ever fire",
        nullptr);
  }
  for (int i = 0; i < g_faults.count; ++i) {
    const FaultSpec& spec = g_faults.specs[i];
    if (!spec.chained && !ArmSpec(spec)) {
      Die("cannot enable failure point", spec.point);
    }
  }
  const char* fifo = getenv("LOCKHARNESS_FIU_FIFO");
  if (fifo != nullptr && fifo[0] != '\0' && fiu_rc_fifo(fifo) != 0) {
    Die("cannot create the fiu remote-control fifo for LOCKHARNESS_FIU_FIFO",
        fifo);
  }
  const char* lock_path = getenv("LOCKHARNESS_LOCK_PATH");
  if (lock_path != nullptr && lock_path[0] != '\0' &&
      (!g_registry.configured() || !g_registry.SetLockPath(lock_path))) {
    Die("LOCKHARNESS_LOCK_PATH must be an absolute path in the directory of "
        "LOCKHARNESS_REGISTRY",
        lock_path);
  }
  ConfigureTrace();
  if (const char* problem = ConfigureCrashRecord()) Die(problem, nullptr);
  if (CrashRecording() && !g_registry.configured()) {
    Die("LOCKHARNESS_CRASH_RECORD is set but LOCKHARNESS_REGISTRY is not; "
        "nothing would be recorded",
        nullptr);
  }
  if (g_trace_path[0] != '\0') {
    char line[kTraceLineSize];
    EmitLine(line, FormatHelloLine(static_cast<int>(getpid()), registry,
                                   g_faults.count, MonotonicNs(), line,
                                   sizeof(line), static_cast<int>(getppid())));
    // A forked child (a shell's helper before exec, a worker pool) says
    // whose it is, so its calls can be attributed to the writer.
    pthread_atfork(nullptr, nullptr, TraceForkedChild);
  }
  g_ready.store(true, std::memory_order_release);
}

__attribute__((constructor)) void LockharnessInterposeInit() { Initialize(); }

// The exit line: the kernel drops the process's flock and fcntl locks now.
__attribute__((destructor)) void LockharnessInterposeFini() {
  if (!g_ready.load(std::memory_order_acquire) || g_trace_path[0] == '\0') return;
  DepthGuard guard;
  ErrnoSaver keep;
  char line[kTraceLineSize];
  EmitLine(line, FormatExitLine(static_cast<int>(getpid()), MonotonicNs(), line,
                                sizeof(line)));
}

}  // namespace

namespace internal {

void* ResolveNextSymbol(const char* name) { return ResolveNext(name); }

long long InterceptFdCall(const char* call, CallFamily family, int fd,
                          const LockDetail* lock,
                          long long (*perform)(void* context), void* context) {
  if (!Active() || !g_registry.configured()) return perform(context);
  DepthGuard guard;
  PathClass c;
  {
    ErrnoSaver keep;
    c = ClassifyFd(fd);
  }
  if (c == PathClass::kOther) {
    --t_depth;  // not ours: behave exactly like the real call
    long long r = perform(context);
    ++t_depth;
    return r;
  }
  CallSite site{call, family, c};
  site.fd = fd;
  site.lock = lock;
  return Intercept(site, [&](const Decision&) -> long long {
    return perform(context);
  });
}

}  // namespace internal
}  // namespace lockharness::interposer

// ---------------------------------------------------------------------------
// The exported wrappers. Each forwards to a shared body above.

namespace lh = lockharness::interposer;
using lh::CallFamily;

extern "C" {

// glibc's fortify entry points; not declared unless _FORTIFY_SOURCE is on.
int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);
int __openat_2(int dirfd, const char* path, int flags);
int __openat64_2(int dirfd, const char* path, int flags);

__attribute__((visibility("default"))) int open(const char* path, int flags,
                                                ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = lh::ModeArg(flags, &args);
  va_end(args);
  return lh::OpenImpl("open", AT_FDCWD, path, flags, mode, false);
}

__attribute__((visibility("default"))) int open64(const char* path, int flags,
                                                  ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = lh::ModeArg(flags, &args);
  va_end(args);
  return lh::OpenImpl("open64", AT_FDCWD, path, flags, mode, false);
}

__attribute__((visibility("default"))) int openat(int dirfd, const char* path,
                                                  int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = lh::ModeArg(flags, &args);
  va_end(args);
  return lh::OpenImpl("openat", dirfd, path, flags, mode, true);
}

__attribute__((visibility("default"))) int openat64(int dirfd,
                                                    const char* path,
                                                    int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = lh::ModeArg(flags, &args);
  va_end(args);
  return lh::OpenImpl("openat64", dirfd, path, flags, mode, true);
}

__attribute__((visibility("default"))) int creat(const char* path,
                                                 mode_t mode) {
  return lh::OpenImpl("creat", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC,
                      mode, false);
}

__attribute__((visibility("default"))) int creat64(const char* path,
                                                   mode_t mode) {
  return lh::OpenImpl("creat64", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC,
                      mode, false);
}

// The fortify variants are only called without O_CREAT (the compiler
// routes calls that need a mode elsewhere), so the mode is 0.
__attribute__((visibility("default"))) int __open_2(const char* path,
                                                    int flags) {
  return lh::OpenImpl("__open_2", AT_FDCWD, path, flags, 0, false);
}

__attribute__((visibility("default"))) int __open64_2(const char* path,
                                                      int flags) {
  return lh::OpenImpl("__open64_2", AT_FDCWD, path, flags, 0, false);
}

__attribute__((visibility("default"))) int __openat_2(int dirfd,
                                                      const char* path,
                                                      int flags) {
  return lh::OpenImpl("__openat_2", dirfd, path, flags, 0, true);
}

__attribute__((visibility("default"))) int __openat64_2(int dirfd,
                                                        const char* path,
                                                        int flags) {
  return lh::OpenImpl("__openat64_2", dirfd, path, flags, 0, true);
}

__attribute__((visibility("default"))) ssize_t write(int fd, const void* buf,
                                                     size_t count) {
  lh::CrashPayload payload;
  payload.data = buf;
  return lh::WriteImpl("write", fd, count, payload, [&](size_t n) {
    return LH_REAL(write)(fd, buf, n);
  });
}

__attribute__((visibility("default"))) ssize_t pwrite(int fd, const void* buf,
                                                      size_t count,
                                                      off_t offset) {
  lh::CrashPayload payload;
  payload.data = buf;
  payload.offset = offset;
  return lh::WriteImpl("pwrite", fd, count, payload, [&](size_t n) {
    return LH_REAL(pwrite)(fd, buf, n, offset);
  });
}

__attribute__((visibility("default"))) ssize_t pwrite64(int fd,
                                                        const void* buf,
                                                        size_t count,
                                                        off64_t offset) {
  lh::CrashPayload payload;
  payload.data = buf;
  payload.offset = offset;
  return lh::WriteImpl("pwrite64", fd, count, payload, [&](size_t n) {
    return LH_REAL(pwrite64)(fd, buf, n, offset);
  });
}

__attribute__((visibility("default"))) ssize_t writev(int fd,
                                                      const struct iovec* iov,
                                                      int iovcnt) {
  return lh::WritevImpl("writev", fd, iov, iovcnt, -1,
                        [&](const struct iovec* v, int n) {
                          return LH_REAL(writev)(fd, v, n);
                        });
}

__attribute__((visibility("default"))) ssize_t pwritev(int fd,
                                                       const struct iovec* iov,
                                                       int iovcnt,
                                                       off_t offset) {
  return lh::WritevImpl("pwritev", fd, iov, iovcnt, offset,
                        [&](const struct iovec* v, int n) {
                          return LH_REAL(pwritev)(fd, v, n, offset);
                        });
}

__attribute__((visibility("default"))) ssize_t pwritev64(
    int fd, const struct iovec* iov, int iovcnt, off64_t offset) {
  return lh::WritevImpl("pwritev64", fd, iov, iovcnt, offset,
                        [&](const struct iovec* v, int n) {
                          return LH_REAL(pwritev64)(fd, v, n, offset);
                        });
}

__attribute__((visibility("default"))) ssize_t pwritev2(
    int fd, const struct iovec* iov, int iovcnt, off_t offset, int flags) {
  return lh::WritevImpl("pwritev2", fd, iov, iovcnt, offset < 0 ? -1 : offset,
                        [&](const struct iovec* v, int n) {
                          return LH_REAL(pwritev2)(fd, v, n, offset, flags);
                        });
}

__attribute__((visibility("default"))) int ftruncate(int fd, off_t length) {
  return lh::TruncateImpl(fd, nullptr, length,
                          [&] { return LH_REAL(ftruncate)(fd, length); });
}

__attribute__((visibility("default"))) int ftruncate64(int fd,
                                                       off64_t length) {
  return lh::TruncateImpl(fd, nullptr, length,
                          [&] { return LH_REAL(ftruncate64)(fd, length); });
}

__attribute__((visibility("default"))) int truncate(const char* path,
                                                    off_t length) {
  return lh::TruncateImpl(-1, path, length,
                          [&] { return LH_REAL(truncate)(path, length); });
}

__attribute__((visibility("default"))) int truncate64(const char* path,
                                                      off64_t length) {
  return lh::TruncateImpl(-1, path, length,
                          [&] { return LH_REAL(truncate64)(path, length); });
}

__attribute__((visibility("default"))) int fsync(int fd) {
  return lh::FdCallImpl("fsync", CallFamily::kFsync, fd,
                        [&] { return LH_REAL(fsync)(fd); });
}

__attribute__((visibility("default"))) int fdatasync(int fd) {
  return lh::FdCallImpl("fdatasync", CallFamily::kFdatasync, fd,
                        [&] { return LH_REAL(fdatasync)(fd); });
}

__attribute__((visibility("default"))) int close(int fd) {
  auto real_close = LH_REAL(close);
  if (!lh::Active()) return real_close(fd);
  if (fd >= 0 && fd == lh::g_trace_fd.load(std::memory_order_relaxed)) {
    // The program is closing our trace descriptor (e.g. closing every fd
    // before exec): let it, and reopen on the next trace line.
    int expected = fd;
    lh::g_trace_fd.compare_exchange_strong(expected, -1);
  }
  if (!lh::g_registry.configured()) return real_close(fd);
  lh::DepthGuard guard;
  lh::PathClass c;
  {
    lh::ErrnoSaver keep;
    c = lh::ClassifyFd(fd);
  }
  if (c == lh::PathClass::kOther) return real_close(fd);
  char path[lh::kPathBufferSize];
  const char* traced_path = nullptr;
  if (lh::g_trace_path[0] != '\0') {
    lh::ErrnoSaver keep;
    traced_path = lh::FdPath(fd, path);  // unreadable once closed
  }
  lh::CallSite site{"close", CallFamily::kClose, c, traced_path};
  site.fd = fd;
  site.perform_on_errno = true;
  int rc = static_cast<int>(lh::Intercept(site, [&](const lh::Decision&) {
    int r = real_close(fd);
    lh::g_fds.Clear(fd);
    return static_cast<long long>(r);
  }));
  return rc;
}

__attribute__((visibility("default"))) int dup(int old_fd) {
  int fd = LH_REAL(dup)(old_fd);
  if (fd >= 0) lh::NoteDup(old_fd, fd);
  return fd;
}

__attribute__((visibility("default"))) int dup2(int old_fd, int new_fd) {
  int fd = LH_REAL(dup2)(old_fd, new_fd);
  if (fd >= 0 && old_fd != new_fd) lh::NoteDup(old_fd, fd);
  return fd;
}

__attribute__((visibility("default"))) int dup3(int old_fd, int new_fd,
                                                int flags) {
  int fd = LH_REAL(dup3)(old_fd, new_fd, flags);
  if (fd >= 0) lh::NoteDup(old_fd, fd);
  return fd;
}

__attribute__((visibility("default"))) int rename(const char* from,
                                                  const char* to) {
  return lh::TwoPathCallImpl("rename", CallFamily::kRename, AT_FDCWD, from,
                             AT_FDCWD, to,
                             [&] { return LH_REAL(rename)(from, to); });
}

__attribute__((visibility("default"))) int renameat(int from_dirfd,
                                                    const char* from,
                                                    int to_dirfd,
                                                    const char* to) {
  return lh::TwoPathCallImpl(
      "renameat", CallFamily::kRename, from_dirfd, from, to_dirfd, to,
      [&] { return LH_REAL(renameat)(from_dirfd, from, to_dirfd, to); });
}

__attribute__((visibility("default"))) int renameat2(int from_dirfd,
                                                     const char* from,
                                                     int to_dirfd,
                                                     const char* to,
                                                     unsigned int flags) {
  return lh::TwoPathCallImpl(
      "renameat2", CallFamily::kRename, from_dirfd, from, to_dirfd, to, [&] {
        return LH_REAL(renameat2)(from_dirfd, from, to_dirfd, to, flags);
      });
}

__attribute__((visibility("default"))) int link(const char* from,
                                                const char* to) {
  return lh::TwoPathCallImpl("link", CallFamily::kLink, AT_FDCWD, from,
                             AT_FDCWD, to,
                             [&] { return LH_REAL(link)(from, to); });
}

__attribute__((visibility("default"))) int linkat(int from_dirfd,
                                                  const char* from,
                                                  int to_dirfd,
                                                  const char* to, int flags) {
  return lh::TwoPathCallImpl(
      "linkat", CallFamily::kLink, from_dirfd, from, to_dirfd, to,
      [&] { return LH_REAL(linkat)(from_dirfd, from, to_dirfd, to, flags); });
}

__attribute__((visibility("default"))) int mkdir(const char* path,
                                                 mode_t mode) {
  return lh::PathCallImpl("mkdir", CallFamily::kMkdir, AT_FDCWD, path,
                          [&] { return LH_REAL(mkdir)(path, mode); });
}

__attribute__((visibility("default"))) int mkdirat(int dirfd,
                                                   const char* path,
                                                   mode_t mode) {
  return lh::PathCallImpl("mkdirat", CallFamily::kMkdir, dirfd, path,
                          [&] { return LH_REAL(mkdirat)(dirfd, path, mode); });
}

__attribute__((visibility("default"))) int rmdir(const char* path) {
  return lh::PathCallImpl("rmdir", CallFamily::kRmdir, AT_FDCWD, path,
                          [&] { return LH_REAL(rmdir)(path); });
}

__attribute__((visibility("default"))) int unlink(const char* path) {
  return lh::PathCallImpl("unlink", CallFamily::kUnlink, AT_FDCWD, path,
                          [&] { return LH_REAL(unlink)(path); });
}

__attribute__((visibility("default"))) int unlinkat(int dirfd,
                                                    const char* path,
                                                    int flags) {
  // unlinkat(AT_REMOVEDIR) is how rmdir looks through a directory fd.
  CallFamily family = (flags & AT_REMOVEDIR) != 0 ? CallFamily::kRmdir
                                                  : CallFamily::kUnlink;
  return lh::PathCallImpl("unlinkat", family, dirfd, path, [&] {
    return LH_REAL(unlinkat)(dirfd, path, flags);
  });
}

}  // extern "C"
