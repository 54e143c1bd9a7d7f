// inherited_fds.cc: classifies the descriptors a program image starts with
// (inherited_fds.h).

#include "inherited_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "lockharness/interposer/trace_line.h"
#include "proc_fd_link.h"

namespace lockharness::interposer {
namespace {

// The record getdents64(2) fills in (not declared by glibc's headers).
struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// A descriptor number from a /proc/self/fd entry name; -1 for "." and "..".
int ParseFd(const char* name) {
  if (*name == '\0') return -1;
  int fd = 0;
  for (const char* p = name; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || fd > 100000000) return -1;
    fd = fd * 10 + (*p - '0');
  }
  return fd;
}

// The path descriptor `fd` names, in out (kPathBufferSize bytes), or null
// for anything that is not a file or directory still linked in (a pipe,
// a socket, a deleted file).
const char* LinkedPath(int fd, char* out) {
  char link[kProcFdLinkSize];
  FormatProcFdLink(fd, link);
  long len = syscall(SYS_readlinkat, AT_FDCWD, link, out, kPathBufferSize - 1);
  if (len <= 0 || out[0] != '/') return nullptr;
  out[len] = '\0';
  static constexpr char kDeleted[] = " (deleted)";
  constexpr size_t kDeletedLen = sizeof(kDeleted) - 1;
  if (static_cast<size_t>(len) >= kDeletedLen &&
      memcmp(out + len - kDeletedLen, kDeleted, kDeletedLen) == 0) {
    return nullptr;
  }
  return out;
}

int64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

int RecordInheritedFds(const RegistryPaths& registry, FdTable* table,
                       int skip_fd, TraceLineSink sink, int pid) {
  const int saved_errno = errno;
  const long dir = syscall(SYS_openat, AT_FDCWD, "/proc/self/fd",
                           O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    errno = saved_errno;
    return -1;
  }
  const int dir_fd = static_cast<int>(dir);
  int found = 0;
  alignas(8) char entries[2048];
  char path[kPathBufferSize];
  for (;;) {
    const long n = syscall(SYS_getdents64, dir_fd, entries, sizeof(entries));
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      const auto* entry = reinterpret_cast<const LinuxDirent64*>(entries + off);
      off += entry->d_reclen;
      const int fd = ParseFd(entry->d_name);
      if (fd < 0 || fd == dir_fd || fd == skip_fd) continue;
      if (LinkedPath(fd, path) == nullptr) continue;
      const PathClass c = registry.Classify(path);
      if (c == PathClass::kOther) continue;
      struct stat st;
      if (fstat(fd, &st) != 0) continue;
      if (FdTable::Covers(fd)) table->Set(fd, c, st, path);
      ++found;
      if (sink != nullptr) {
        char line[kTraceLineSize];
        sink(line, FormatInheritedLine(pid, fd, c, path, MonotonicNs(), line,
                                       sizeof(line)));
      }
    }
  }
  syscall(SYS_close, dir_fd);
  errno = saved_errno;
  return found;
}

}  // namespace lockharness::interposer
