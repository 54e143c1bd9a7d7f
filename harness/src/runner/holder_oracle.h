// holder_oracle.h (private): which of the run's writer processes holds the
// lock now, for the holder-directed nemeses (kill-holder, pause-holder,
// steal-lock), whether or not the implementation publishes an owner record.
//
// Sources, first answer wins:
//   kernel      /proc/locks: a granted FLOCK or POSIX write lock on the
//               lock file or on the registry (pid and inode);
//   owner       the owner record `<lock>/owner` (holder.h);
//   trace       the live interposer trace (trace.jsonl, read incrementally):
//               the last process whose mkdir, link, O_CREAT|O_EXCL open or
//               rename put a lock at the lock path, while that path exists.
// A flock whose taker has exited (flock(1) locking a descriptor its shell
// keeps) is found through /proc/PID/fdinfo of the writer processes: the
// "lock:" lines of the descriptor that carries it.
// A pid counts only if it is one of this run's writer processes or in one
// of their process groups (holder.h): the harness never signals a process
// it did not start. OFD locks (pid -1 in /proc/locks) are found through the
// trace only.
//
//   HolderOracle oracle(lock_path, registry, trace_path);
//   if (auto h = oracle.Find(live)) ... h->source, h->kernel_lock ...
//
// Thread-compatible: one oracle per nemesis thread.

#ifndef LOCKHARNESS_HARNESS_SRC_RUNNER_HOLDER_ORACLE_H_
#define LOCKHARNESS_HARNESS_SRC_RUNNER_HOLDER_ORACLE_H_

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/runner/holder.h"

namespace lockharness::harness::runner {

struct OracleHolder {
  LockHolder holder;
  std::string source;        // "kernel", "owner", "trace"
  bool kernel_lock = false;  // flock/fcntl: cannot be stolen by renaming
};

// One granted lock of /proc/locks.
struct KernelLockEntry {
  std::string kind;  // "FLOCK", "POSIX", "OFDLCK"
  bool write = false;
  pid_t pid = 0;  // -1 for OFD locks
  unsigned major = 0, minor = 0;
  uint64_t inode = 0;
};

// Parses /proc/locks text; blocked requests ("->" lines) are skipped.
std::vector<KernelLockEntry> ParseProcLocks(std::string_view text);

class HolderOracle {
 public:
  HolderOracle(std::filesystem::path lock_path, std::filesystem::path registry,
               std::filesystem::path trace_path);

  std::optional<OracleHolder> Find(const LiveProcesses& live);

 private:
  std::optional<OracleHolder> FromKernel(const LiveProcesses& live) const;
  std::optional<OracleHolder> FromTrace(const LiveProcesses& live);
  void FollowTrace();

  std::filesystem::path lock_path_;
  std::filesystem::path registry_;
  std::filesystem::path trace_path_;  // empty: no trace
  uint64_t trace_offset_ = 0;
  std::string partial_line_;
  pid_t trace_acquirer_ = 0;  // 0: no lock at the lock path per the trace
};

// The writer process of `pid` (itself, or the leader of its process group)
// if it is one of ours.
std::optional<LockHolder> OurProcess(pid_t pid, const LiveProcesses& live);

// Writer process `pid` if one of its descriptors carries a granted write
// lock (flock, OFD or POSIX) on the file (major:minor, inode), per the
// "lock:" lines of /proc/PID/fdinfo.
std::optional<LockHolder> DescriptorHolder(const LiveProcesses& live, pid_t pid, unsigned major,
                                           unsigned minor, uint64_t inode);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_SRC_RUNNER_HOLDER_ORACLE_H_
