// fd_table.h (private): remembers which descriptors the open wrappers saw
// opened on protocol paths, so that write/fsync/close on them can be
// classified without a system call in the common (unclassified) case.
//
// An entry also keeps the file's device and inode: descriptors can be
// recycled behind the wrappers' back (dup2, close_range, a raw syscall), so
// a classified entry is trusted only after fstat confirms it still names the
// same file. Lock-free; safe to use from signal handlers.

#ifndef LOCKHARNESS_INTERPOSER_SRC_FD_TABLE_H_
#define LOCKHARNESS_INTERPOSER_SRC_FD_TABLE_H_

#include <sys/stat.h>

#include <atomic>
#include <cstdint>

#include "lockharness/interposer/path_class.h"

namespace lockharness::interposer {

class FdTable {
 public:
  // Descriptors at or above this are classified from /proc/self/fd instead.
  static constexpr int kSize = 4096;

  static bool Covers(int fd) { return fd >= 0 && fd < kSize; }

  // Records that fd was opened on a path of class c. REQUIRES: Covers(fd).
  void Set(int fd, PathClass c, const struct stat& st) {
    Entry& e = entries_[fd];
    e.path_class.store(0, std::memory_order_relaxed);
    e.dev.store(static_cast<uint64_t>(st.st_dev), std::memory_order_relaxed);
    e.ino.store(static_cast<uint64_t>(st.st_ino), std::memory_order_relaxed);
    e.path_class.store(static_cast<uint8_t>(c), std::memory_order_release);
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
  };
  Entry entries_[kSize];
};

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_SRC_FD_TABLE_H_
