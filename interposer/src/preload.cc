// preload.cc: the engine of liblockharness_interpose.so, an LD_PRELOAD
// library that wraps the libc file system calls of the lock-and-rename
// protocol, classifies their paths (path_class.h), consults libfiu failure
// points named lh/<call>/<class> (fault_spec.h) and records a JSON-lines
// trace (trace_line.h). This file holds the library's state, the path
// classification, the fault decisions, the trace emission and the
// start-up; the exported wrappers (preload_wrappers.cc, lock_calls.cc)
// reach it through preload_internal.h. See docs/interposer.md for the
// user's view.
//
// Rules the library keeps, because it runs inside arbitrary host programs:
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

// Without FIU_ENABLE, fiu.h turns fiu_init/fiu_fail into no-op macros.
#define FIU_ENABLE 1
#include <fiu-control.h>
#include <fiu.h>

#include "crash_record.h"
#include "fd_table.h"
#include "inherited_fds.h"
#include "lockharness/interposer/fault_spec.h"
#include "lockharness/interposer/path_class.h"
#include "lockharness/interposer/trace_line.h"
#include "preload_internal.h"
#include "proc_fd_link.h"
#include "trace_pid.h"

namespace lockharness::interposer {

// ---------------------------------------------------------------------------
// Process-wide state. All of it is constant-initialised (no constructors
// run), so wrappers called before our constructor see "not ready". The
// state the wrappers share is declared in preload_internal.h.

std::atomic<bool> g_ready{false};
RegistryPaths g_registry;
FdTable g_fds;
std::atomic<int> g_trace_fd{-1};
char g_trace_path[kPathBufferSize];

__attribute__((tls_model("initial-exec"))) constinit thread_local int t_depth =
    0;

namespace {

FaultList g_faults;
std::atomic<uint64_t> g_trace_dev{0};  // identity of the file g_trace_fd names
std::atomic<uint64_t> g_trace_ino{0};
std::atomic<uint32_t> g_every_counts[kCallFamilyCount][kPathClassCount];

}  // namespace

// ---------------------------------------------------------------------------
// Real functions, resolved lazily with dlsym(RTLD_NEXT) (wrappers can run
// before our constructor, e.g. from another library's constructor).

void* ResolveNext(const char* name) {
  ++t_depth;  // dlsym may call back into wrapped functions
  void* fn = dlsym(RTLD_NEXT, name);
  --t_depth;
  return fn;
}

// ---------------------------------------------------------------------------
// Small helpers.

void SleepMs(int ms) {
  struct timespec ts = {ms / 1000, static_cast<long>(ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

namespace {

int64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
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

}  // namespace

// The path fd refers to, for trace lines of fd-based calls.
const char* FdPath(int fd, char* out) {
  char link[kProcFdLinkSize];
  FormatProcFdLink(fd, link);
  ssize_t len = readlink(link, out, kPathBufferSize - 1);
  if (len <= 0) return nullptr;
  out[len] = '\0';
  return out;
}

const char* TracedFdPath(int fd, char* out) {
  if (g_fds.CopyPath(fd, out)) return out;
  return FdPath(fd, out);
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

namespace {

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
  g_trace_dev.store(static_cast<uint64_t>(st.st_dev),
                    std::memory_order_relaxed);
  g_trace_ino.store(static_cast<uint64_t>(st.st_ino),
                    std::memory_order_relaxed);
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

}  // namespace

void EmitTraceLine(const char* line, size_t len) { EmitLine(line, len); }

int64_t TraceClockNs() { return MonotonicNs(); }

// ---------------------------------------------------------------------------
// Fault decisions.

namespace {

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

}  // namespace

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
    auto& counter =
        g_every_counts[static_cast<int>(family)][static_cast<int>(path_class)];
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
// The common shape of every wrapper (CallSite and Intercept are in
// preload_internal.h).

void Trace(const CallSite& site, long long result, int error,
           ActionKind injected) {
  if (g_trace_path[0] == '\0') return;
  TraceRecord r;
  r.pid = TracePid();  // re-read: survives fork
  r.call = site.call;
  r.family = site.family;
  r.path_class = site.path_class;
  char fd_path[kPathBufferSize];
  r.path = site.path != nullptr ? site.path : TracedFdPath(site.fd, fd_path);
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

// ---------------------------------------------------------------------------
// Start-up.

namespace {

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
  const int parent = TracePidOfParentAfterFork();
  EmitLine(line, FormatForkLine(TracePid(), parent, MonotonicNs(), line,
                                sizeof(line)));
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
  if (!ConfigureTracePid())
    Die("LOCKHARNESS_TRACE_PROC path too long", nullptr);
  ConfigureTrace();
  if (const char* problem = ConfigureCrashRecord()) Die(problem, nullptr);
  if (CrashRecording() && !g_registry.configured()) {
    Die("LOCKHARNESS_CRASH_RECORD is set but LOCKHARNESS_REGISTRY is not; "
        "nothing would be recorded",
        nullptr);
  }
  if (g_trace_path[0] != '\0') {
    char line[kTraceLineSize];
    EmitLine(line, FormatHelloLine(TracePid(), registry, g_faults.count,
                                   MonotonicNs(), line, sizeof(line),
                                   TraceParentPid()));
    // A forked child (a shell's helper before exec, a worker pool) says
    // whose it is, so its calls can be attributed to the writer.
    pthread_atfork(nullptr, nullptr, TraceForkedChild);
  }
  if (g_registry.configured()) {
    RecordInheritedFds(g_registry, &g_fds, g_trace_fd.load(),
                       g_trace_path[0] != '\0' ? EmitLine : nullptr,
                       TracePid());
  }
  g_ready.store(true, std::memory_order_release);
}

__attribute__((constructor)) void LockharnessInterposeInit() { Initialize(); }

// The exit line: the kernel drops the process's flock and fcntl locks now.
__attribute__((destructor)) void LockharnessInterposeFini() {
  if (!g_ready.load(std::memory_order_acquire) || g_trace_path[0] == '\0') {
    return;
  }
  DepthGuard guard;
  ErrnoSaver keep;
  char line[kTraceLineSize];
  EmitLine(line, FormatExitLine(TracePid(), MonotonicNs(), line, sizeof(line)));
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
  return Intercept(
      site, [&](const Decision&) -> long long { return perform(context); });
}

}  // namespace internal
}  // namespace lockharness::interposer
