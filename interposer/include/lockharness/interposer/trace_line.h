// trace_line.h: formats the JSON lines of the interposer's trace, without
// allocating (the wrappers format them on every traced call, possibly in a
// signal handler).
//
// One line per wrapped call that touches a non-`other` path:
//   {"type":"call","pid":4242,"call":"renameat2","point":"lh/rename/registry",
//    "class":"registry","path":"/d/sandboxes.json",
//    "from":"/d/sandboxes.json.tmp.4242.x","from_class":"temp","fd":-1,
//    "result":-1,"errno":"EIO","injected":true,"action":"errno",
//    "mono_ns":123456789}
// `path` is the path the point's class was taken from (the destination for
// rename/link); `from`/`from_class` only appear for two-path calls; `fd` is
// the descriptor written/synced/closed, or the one open returned; `errno`
// is absent when the call succeeded. `injected` is true only when a fault
// fired, with `action` naming it (errno, short, delay, kill, stop).
// Opens add "flags":"O_WRONLY|O_CREAT|O_EXCL" (the access mode and the
// creation flags that matter to lock recognition). Lock calls (family
// `lock`) add "lock_kind" (flock, posix for fcntl F_SETLK(W) and lockf,
// ofd for F_OFD_SETLK(W)), "lock_op" (exclusive, shared, unlock),
// "lock_wait" (true for blocking requests) and, for posix and ofd,
// "lock_start" and "lock_len" (as given, relative to "lock_whence" when
// that is not 0).
// A process with tracing on also writes one line at start-up:
//   {"type":"hello","pid":4242,"ppid":4200,"registry":"/d/sandboxes.json",
//    "faults":2,"mono_ns":...}
// and a process created by fork (without exec) writes, in the child:
//   {"type":"fork","pid":4243,"ppid":4242,"mono_ns":...}
// A process that exits through exit() (not _exit, not a signal) writes
//   {"type":"exit","pid":4243,"mono_ns":...}
// (the kernel drops its flock and fcntl locks then).
// Descriptors a process did not open itself, which the open lines cannot
// show: right after `hello`, one line per descriptor the new program image
// started with (inherited across exec) that names a protocol path,
//   {"type":"inherited","pid":4243,"fd":9,"class":"lock","mono_ns":...,
//    "path":"/d/sandboxes.json.lock"}
// and one line per dup, dup2 or dup3 that copies a descriptor of a protocol
// path or replaces one (dup2 onto it closes it silently),
//   {"type":"dup","pid":4242,"fd":3,"new_fd":9,"class":"lock","mono_ns":...,
//    "path":"/d/sandboxes.json.lock"}
// (`class` and `path` are fd's; class `other` and no path when only the
// replaced new_fd was a protocol descriptor). flock(2) and OFD locks belong
// to the open file description, which every such copy shares.
//
// Usage:
//   char line[kTraceLineSize];
//   size_t n = FormatTraceLine(record, line, sizeof(line));
//   if (n > 0) write(fd, line, n);   // one write per line

#ifndef LOCKHARNESS_INTERPOSER_TRACE_LINE_H_
#define LOCKHARNESS_INTERPOSER_TRACE_LINE_H_

#include <cstddef>
#include <cstdint>

#include "lockharness/interposer/fault_spec.h"
#include "lockharness/interposer/path_class.h"

namespace lockharness::interposer {

// Big enough for two escaped PATH_MAX paths in the common case; longer
// paths are cut short and marked with "truncated":true.
inline constexpr size_t kTraceLineSize = 12288;

// What a lock call asked for (family kLock).
enum class LockKind : uint8_t { kNone = 0, kFlock, kPosix, kOfd };
enum class LockOp : uint8_t { kExclusive = 0, kShared, kUnlock };

struct LockDetail {
  LockKind kind = LockKind::kNone;
  LockOp op = LockOp::kExclusive;
  bool wait = false;
  long long start = 0;  // posix/ofd only
  long long len = 0;    // 0: to the end of the file
  int whence = 0;       // SEEK_SET, SEEK_CUR, SEEK_END
};

const char* LockKindName(LockKind kind);  // "flock", "posix", "ofd"
const char* LockOpName(LockOp op);        // "exclusive", "shared", "unlock"

// Writes the open flags that matter to lock recognition as
// "O_RDONLY|O_CREAT|O_EXCL" into out (>= kOpenFlagsSize bytes).
inline constexpr size_t kOpenFlagsSize = 96;
void FormatOpenFlags(int flags, char* out);

struct TraceRecord {
  int pid = 0;
  const char* call = "";  // the libc entry point, e.g. "openat"
  CallFamily family = CallFamily::kOpen;
  PathClass path_class = PathClass::kOther;
  const char* path = nullptr;  // may be null (fd-based calls)
  const char* from = nullptr;  // rename/link source, else null
  PathClass from_class = PathClass::kOther;
  int fd = -1;
  long long result = 0;
  int error = 0;  // errno when result < 0
  bool injected = false;
  ActionKind action = ActionKind::kNone;
  int64_t mono_ns = 0;
  int open_flags = -1;               // open family: the flags; else -1
  const LockDetail* lock = nullptr;  // lock family: the request; else null
};

// Writes the record as one JSON line ending in '\n' into out. Returns the
// number of bytes written (always > 0 and < out_size).
// REQUIRES: out_size >= 256.
size_t FormatTraceLine(const TraceRecord& record, char* out, size_t out_size);

// Writes the start-up marker line. Same contract as FormatTraceLine.
// `ppid` is the parent's pid (0: not written).
size_t FormatHelloLine(int pid, const char* registry, int fault_count,
                       int64_t mono_ns, char* out, size_t out_size,
                       int ppid = 0);

// Writes the line an exiting process emits. Same contract as FormatTraceLine.
size_t FormatExitLine(int pid, int64_t mono_ns, char* out, size_t out_size);

// Writes the line a forked child emits. Same contract as FormatTraceLine.
size_t FormatForkLine(int pid, int ppid, int64_t mono_ns, char* out,
                      size_t out_size);

// Writes the line of a descriptor inherited across exec. Same contract as
// FormatTraceLine; `path` may be null.
size_t FormatInheritedLine(int pid, int fd, PathClass path_class,
                           const char* path, int64_t mono_ns, char* out,
                           size_t out_size);

// Writes the line of a dup of `fd` to `new_fd`. Same contract as
// FormatTraceLine; `path` may be null.
size_t FormatDupLine(int pid, int fd, int new_fd, PathClass path_class,
                     const char* path, int64_t mono_ns, char* out,
                     size_t out_size);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_TRACE_LINE_H_
