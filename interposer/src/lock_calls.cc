// lock_calls.cc: the preload library's wrappers for the kernel's advisory
// locks: flock(2), fcntl(2) record locks (F_SETLK, F_SETLKW and the
// open-file-description F_OFD_SETLK, F_OFD_SETLKW, including F_UNLCK) and
// lockf(3). They share the failure points lh/lock/<class> and are traced
// with what was asked for (trace_line.h), so a checker can rebuild lock
// spans of implementations that never say when they hold the lock.
//
// Every other fcntl command goes straight to the real function. lockf is
// wrapped on its own because glibc implements it with an internal fcntl
// that no wrapper sees. Closing a descriptor (which drops the process's
// POSIX record locks on that file) is traced by close() in
// preload_wrappers.cc.

#include <fcntl.h>
#include <stdarg.h>
#include <sys/file.h>
#include <unistd.h>

#include "preload_internal.h"

namespace lockharness::interposer {
namespace {

using internal::InterceptFdCall;

template <typename Fn>
Fn Real(const char* name) {
  static_assert(sizeof(Fn) == sizeof(void*));
  return reinterpret_cast<Fn>(internal::ResolveNextSymbol(name));
}

using FlockFn = int (*)(int, int);
using FcntlFn = int (*)(int, int, ...);
using LockfFn = int (*)(int, int, off_t);
using Lockf64Fn = int (*)(int, int, off64_t);

FlockFn RealFlock() {
  static FlockFn fn = Real<FlockFn>("flock");
  return fn;
}
FcntlFn RealFcntl() {
  static FcntlFn fn = Real<FcntlFn>("fcntl");
  return fn;
}
FcntlFn RealFcntl64() {
  static FcntlFn fn = Real<FcntlFn>("fcntl64");
  return fn != nullptr ? fn : RealFcntl();
}
LockfFn RealLockf() {
  static LockfFn fn = Real<LockfFn>("lockf");
  return fn;
}
Lockf64Fn RealLockf64() {
  static Lockf64Fn fn = Real<Lockf64Fn>("lockf64");
  return fn;
}

bool IsRecordLockCommand(int cmd) {
  return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK ||
         cmd == F_OFD_SETLKW;
}

LockDetail RecordLockDetail(int cmd, const struct flock* fl) {
  LockDetail d;
  d.kind = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW ? LockKind::kOfd
                                                     : LockKind::kPosix;
  d.wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
  if (fl != nullptr) {
    d.op = fl->l_type == F_UNLCK   ? LockOp::kUnlock
           : fl->l_type == F_RDLCK ? LockOp::kShared
                                   : LockOp::kExclusive;
    d.start = static_cast<long long>(fl->l_start);
    d.len = static_cast<long long>(fl->l_len);
    d.whence = fl->l_whence;
  }
  return d;
}

struct FcntlCall {
  FcntlFn real;
  int fd;
  int cmd;
  void* arg;
};

long long PerformFcntl(void* context) {
  auto* c = static_cast<FcntlCall*>(context);
  return c->real(c->fd, c->cmd, c->arg);
}

int FcntlImpl(const char* call, FcntlFn real, int fd, int cmd, void* arg) {
  if (!IsRecordLockCommand(cmd)) return real(fd, cmd, arg);
  LockDetail detail = RecordLockDetail(cmd, static_cast<struct flock*>(arg));
  FcntlCall c{real, fd, cmd, arg};
  return static_cast<int>(
      InterceptFdCall(call, CallFamily::kLock, fd, &detail, PerformFcntl, &c));
}

// lockf's commands as a lock request on [current offset, + len).
bool LockfDetail(int cmd, long long len, LockDetail* d) {
  d->kind = LockKind::kPosix;
  d->whence = SEEK_CUR;
  d->start = 0;
  d->len = len;
  switch (cmd) {
    case F_LOCK:
      d->op = LockOp::kExclusive;
      d->wait = true;
      return true;
    case F_TLOCK:
      d->op = LockOp::kExclusive;
      d->wait = false;
      return true;
    case F_ULOCK:
      d->op = LockOp::kUnlock;
      d->wait = false;
      return true;
    default: return false;  // F_TEST changes nothing
  }
}

template <typename Fn, typename Off>
struct LockfCall {
  Fn real;
  int fd;
  int cmd;
  Off len;
};

template <typename Call>
long long PerformLockf(void* context) {
  auto* c = static_cast<Call*>(context);
  return c->real(c->fd, c->cmd, c->len);
}

template <typename Fn, typename Off>
int LockfImpl(const char* call, Fn real, int fd, int cmd, Off len) {
  LockDetail detail;
  if (!LockfDetail(cmd, static_cast<long long>(len), &detail)) {
    return real(fd, cmd, len);
  }
  LockfCall<Fn, Off> c{real, fd, cmd, len};
  return static_cast<int>(InterceptFdCall(call, CallFamily::kLock, fd, &detail,
                                          PerformLockf<LockfCall<Fn, Off>>,
                                          &c));
}

struct FlockCall {
  int fd;
  int operation;
};

long long PerformFlock(void* context) {
  auto* c = static_cast<FlockCall*>(context);
  return RealFlock()(c->fd, c->operation);
}

}  // namespace
}  // namespace lockharness::interposer

namespace lh = lockharness::interposer;

extern "C" {

__attribute__((visibility("default"))) int flock(int fd, int operation) {
  lh::LockDetail detail;
  detail.kind = lh::LockKind::kFlock;
  const int op = operation & ~LOCK_NB;
  detail.op = op == LOCK_UN   ? lh::LockOp::kUnlock
              : op == LOCK_SH ? lh::LockOp::kShared
                              : lh::LockOp::kExclusive;
  detail.wait = op != LOCK_UN && (operation & LOCK_NB) == 0;
  lh::FlockCall c{fd, operation};
  return static_cast<int>(lh::internal::InterceptFdCall(
      "flock", lh::CallFamily::kLock, fd, &detail, lh::PerformFlock, &c));
}

// glibc reads the third argument as a pointer-sized value whatever the
// command; so do we, and pass it on unchanged.
__attribute__((visibility("default"))) int fcntl(int fd, int cmd, ...) {
  va_list args;
  va_start(args, cmd);
  void* arg = va_arg(args, void*);
  va_end(args);
  return lh::FcntlImpl("fcntl", lh::RealFcntl(), fd, cmd, arg);
}

__attribute__((visibility("default"))) int fcntl64(int fd, int cmd, ...) {
  va_list args;
  va_start(args, cmd);
  void* arg = va_arg(args, void*);
  va_end(args);
  return lh::FcntlImpl("fcntl64", lh::RealFcntl64(), fd, cmd, arg);
}

__attribute__((visibility("default"))) int lockf(int fd, int cmd, off_t len) {
  return lh::LockfImpl("lockf", lh::RealLockf(), fd, cmd, len);
}

__attribute__((visibility("default"))) int lockf64(int fd, int cmd,
                                                   off64_t len) {
  return lh::LockfImpl("lockf64", lh::RealLockf64(), fd, cmd, len);
}

}  // extern "C"
