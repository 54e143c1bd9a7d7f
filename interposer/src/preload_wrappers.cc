// preload_wrappers.cc: the exported libc wrappers of
// liblockharness_interpose.so (open, write, close, rename, mkdir, ...) and
// the shared bodies they forward to. A body classifies the call's path
// through the engine (preload.cc) and runs the real call under its fault
// decision and trace (Intercept, preload_internal.h); the rules in
// preload.cc's banner hold here too. The lock calls are in lock_calls.cc.

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>

#include "crash_record.h"
#include "fd_table.h"
#include "lockharness/interposer/fault_spec.h"
#include "lockharness/interposer/path_class.h"
#include "preload_internal.h"
#include "trace_pid.h"

namespace lockharness::interposer {
namespace {

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
  auto fd = static_cast<int>(Intercept(site, [&](const Decision&) -> long long {
    int r = do_open();
    if (r >= 0) {
      ErrnoSaver keep;
      site.fd = r;  // traced as the descriptor open returned
      struct stat st;
      if (FdTable::Covers(r) && fstat(r, &st) == 0) g_fds.Set(r, c, st, abs);
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
  return static_cast<ssize_t>(Intercept(site, [&](Decision& d) -> long long {
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
  return static_cast<int>(Intercept(
      site, [&](const Decision&) -> long long { return real_call(); }));
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
  return static_cast<int>(Intercept(
      site, [&](const Decision&) -> long long { return real_call(); }));
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
  return static_cast<int>(Intercept(
      site, [&](const Decision&) -> long long { return real_call(); }));
}

mode_t ModeArg(int flags, va_list* args) {
  bool needs_mode = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
  return needs_mode ? static_cast<mode_t>(va_arg(*args, int)) : 0;
}

// After dup/dup2/dup3 returned new_fd: the copy has the original's class
// (so `exec 3>file`-style redirections stay classified), and if the number
// was our trace descriptor, the program now owns it. A dup line tells
// trace readers that new_fd now shares fd's open file description (which
// owns a flock) or that a protocol descriptor new_fd named was closed by
// dup2/dup3.
void NoteDup(int old_fd, int new_fd) {
  if (!Active()) return;
  DepthGuard guard;
  ErrnoSaver keep;
  int trace_fd = new_fd;
  g_trace_fd.compare_exchange_strong(trace_fd, -1);
  if (!g_registry.configured()) return;
  char replaced[FdTable::kPathSize];
  const bool replaced_ours = g_fds.CopyPath(new_fd, replaced);
  PathClass c = ClassifyFd(old_fd);
  char path[kPathBufferSize];
  const char* old_path =
      c == PathClass::kOther ? nullptr : TracedFdPath(old_fd, path);
  if (FdTable::Covers(new_fd)) {
    struct stat st;
    if (c == PathClass::kOther || fstat(new_fd, &st) != 0) {
      g_fds.Clear(new_fd);
    } else {
      g_fds.Set(new_fd, c, st, old_path);
    }
  }
  if (g_trace_path[0] != '\0' && (c != PathClass::kOther || replaced_ours)) {
    char line[kTraceLineSize];
    EmitTraceLine(line, FormatDupLine(TracePid(), old_fd, new_fd, c, old_path,
                                      TraceClockNs(), line, sizeof(line)));
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

}  // namespace
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

__attribute__((visibility("default"))) int openat64(int dirfd, const char* path,
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
  return lh::WriteImpl("write", fd, count, payload,
                       [&](size_t n) { return LH_REAL(write)(fd, buf, n); });
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

__attribute__((visibility("default"))) ssize_t pwrite64(int fd, const void* buf,
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
  return lh::WritevImpl(
      "writev", fd, iov, iovcnt, -1,
      [&](const struct iovec* v, int n) { return LH_REAL(writev)(fd, v, n); });
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

__attribute__((visibility("default"))) int ftruncate64(int fd, off64_t length) {
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
    traced_path = lh::TracedFdPath(fd, path);  // unreadable once closed
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
                                                  int to_dirfd, const char* to,
                                                  int flags) {
  return lh::TwoPathCallImpl(
      "linkat", CallFamily::kLink, from_dirfd, from, to_dirfd, to,
      [&] { return LH_REAL(linkat)(from_dirfd, from, to_dirfd, to, flags); });
}

__attribute__((visibility("default"))) int mkdir(const char* path,
                                                 mode_t mode) {
  return lh::PathCallImpl("mkdir", CallFamily::kMkdir, AT_FDCWD, path,
                          [&] { return LH_REAL(mkdir)(path, mode); });
}

__attribute__((visibility("default"))) int mkdirat(int dirfd, const char* path,
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

__attribute__((visibility("default"))) int unlinkat(int dirfd, const char* path,
                                                    int flags) {
  // unlinkat(AT_REMOVEDIR) is how rmdir looks through a directory fd.
  CallFamily family =
      (flags & AT_REMOVEDIR) != 0 ? CallFamily::kRmdir : CallFamily::kUnlink;
  return lh::PathCallImpl("unlinkat", family, dirfd, path, [&] {
    return LH_REAL(unlinkat)(dirfd, path, flags);
  });
}

}  // extern "C"
