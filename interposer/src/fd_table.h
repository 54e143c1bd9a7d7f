// fd_table.h (private): remembers which descriptors the open wrappers saw
// opened on protocol paths, so that write/fsync/close on them can be
// classified without a system call in the common (unclassified) case, and
// traced with the path they were opened by without a readlink of
// /proc/self/fd (the largest part of the trace's cost per call).
//
// An entry also keeps the file's device and inode: descriptors can be
// recycled behind the wrappers' back (dup2, close_range, a raw syscall), so
// a classified entry is trusted only after fstat confirms it still names the
// same file. Lock-free; safe to use from signal handlers.

#ifndef LOCKHARNESS_INTERPOSER_SRC_FD_TABLE_H_
#define LOCKHARNESS_INTERPOSER_SRC_FD_TABLE_H_

#include <string.h>
#include <sys/stat.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "lockharness/interposer/path_class.h"

namespace lockharness::interposer {

class FdTable {
 public:
  // Descriptors at or above this are classified from /proc/self/fd instead.
  static constexpr int kSize = 4096;

  // Longer paths are not kept (CopyPath then fails and callers readlink).
  static constexpr size_t kPathSize = 256;

  static bool Covers(int fd) { return fd >= 0 && fd < kSize; }

  // Records that fd was opened on `path` (absolute), of class c.
  // REQUIRES: Covers(fd).
  void Set(int fd, PathClass c, const struct stat& st, const char* path) {
    Entry& e = entries_[fd];
    e.path_class.store(0, std::memory_order_relaxed);
    // A seqlock around the path: an odd sequence means "being rewritten".
    uint32_t seq = e.seq.load(std::memory_order_relaxed);
    e.seq.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    size_t len = path != nullptr ? strnlen(path, kPathSize) : kPathSize;
    if (len < kPathSize) {
      memcpy(e.path, path, len + 1);
    } else {
      e.path[0] = '\0';  // too long to keep
    }
    e.seq.store(seq + 2, std::memory_order_release);
    e.dev.store(static_cast<uint64_t>(st.st_dev), std::memory_order_relaxed);
    e.ino.store(static_cast<uint64_t>(st.st_ino), std::memory_order_relaxed);
    e.path_class.store(static_cast<uint8_t>(c), std::memory_order_release);
  }

  // Copies the path fd was opened by into out (kPathSize bytes at least) and
  // returns true, if fd has an entry with a kept path. Callers verify the
  // entry first (Lookup). The path is the one given at open time: a later
  // rename of the file does not change it.
  bool CopyPath(int fd, char* out) const {
    if (!Covers(fd)) return false;
    const Entry& e = entries_[fd];
    if (e.path_class.load(std::memory_order_acquire) == 0) return false;
    uint32_t before = e.seq.load(std::memory_order_acquire);
    if ((before & 1) != 0) return false;
    memcpy(out, e.path, kPathSize);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (e.seq.load(std::memory_order_relaxed) != before) return false;
    out[kPathSize - 1] = '\0';
    return out[0] != '\0';
  }

  void Clear(int fd) {
    if (Covers(fd)) entries_[fd].path_class.store(0, std::memory_order_release);
  }

  // The class recorded for fd, verified against the file fd names now.
  // kOther if nothing (or something stale) was recorded.
  // REQUIRES: Covers(fd).
  PathClass Lookup(int fd) {
    Entry& e = entries_[fd];
    uint8_t c = e.path_class.load(std::memory_order_acquire);
    if (c == 0) return PathClass::kOther;
    struct stat st;
    if (fstat(fd, &st) != 0 ||
        static_cast<uint64_t>(st.st_dev) !=
            e.dev.load(std::memory_order_relaxed) ||
        static_cast<uint64_t>(st.st_ino) !=
            e.ino.load(std::memory_order_relaxed)) {
      e.path_class.store(0, std::memory_order_release);
      return PathClass::kOther;
    }
    return static_cast<PathClass>(c);
  }

 private:
  struct Entry {
    std::atomic<uint8_t> path_class{0};
    std::atomic<uint64_t> dev{0};
    std::atomic<uint64_t> ino{0};
    std::atomic<uint32_t> seq{0};
    char path[kPathSize] = {};
  };
  Entry entries_[kSize];
};

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_SRC_FD_TABLE_H_
