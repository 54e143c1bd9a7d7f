// lease.h: the lease that lets a lock whose holder cannot be verified by PID
// (another PID namespace, another host: docs/protocol.md P10, P11) be broken
// after its holder has stopped renewing it, and never before.
//
// Holder: while it holds the lock, a LeaseRenewer touches the lock directory
// (futimens on the directory handle held since mkdir) every `interval`.
//
//   LeaseRenewer lease(env, lock->dirfd(), lock->path(), LeaseRenewInterval(grace));
//   ... read, modify, write ...           // the lease ends with `lease`
//
// Waiter: ObservedUnchangedNs() remembers, per process, when it first saw the
// lock directory with its current (inode, ctime, mtime) and returns how long,
// on this process's monotonic clock, it has seen it unchanged. The lock may
// be broken once that reaches the lease expiry. No clock is compared across
// hosts: only the rates of the two monotonic clocks are assumed to agree
// (within expiry / interval, a factor of 4).

#ifndef LOCKHARNESS_PROTOCOL_LEASE_H_
#define LOCKHARNESS_PROTOCOL_LEASE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "lockharness/protocol/env.h"

namespace lockharness::protocol {

// How often a holder renews, for a lease that expires after `expiry` of
// observed silence: a quarter of it (at least 1 ms).
std::chrono::nanoseconds LeaseRenewInterval(std::chrono::nanoseconds expiry);

class LeaseRenewer {
 public:
  // Starts renewing through `dirfd` (not owned; must outlive this object).
  LeaseRenewer(Env* env, int dirfd, std::string path, std::chrono::nanoseconds interval);
  LeaseRenewer(const LeaseRenewer&) = delete;
  LeaseRenewer& operator=(const LeaseRenewer&) = delete;
  // Stops renewing; returns after the last touch.
  ~LeaseRenewer();

 private:
  void Run();

  Env* env_;
  int dirfd_;
  std::string path_;
  std::chrono::nanoseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// How long this process has observed the lock directory `lock` with exactly
// its current inode, ctime and mtime (0 on the first observation or after any
// change). Thread-safe; remembers the last few locks seen.
int64_t ObservedUnchangedNs(Env* env, const FileStat& lock);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_LEASE_H_
