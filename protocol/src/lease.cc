#include "lockharness/protocol/lease.h"

#include <algorithm>
#include <vector>

namespace lockharness::protocol {
namespace {

struct Observation {
  FileStat stamp;
  int64_t first_seen_ns = 0;
  int64_t last_used_ns = 0;
};

constexpr size_t kMaxObservations = 32;

bool SameStamp(const FileStat& a, const FileStat& b) {
  return a.SameFile(b) && a.ctime_ns == b.ctime_ns && a.mtime_ns == b.mtime_ns;
}

}  // namespace

std::chrono::nanoseconds LeaseRenewInterval(std::chrono::nanoseconds expiry) {
  return std::max<std::chrono::nanoseconds>(expiry / 4, std::chrono::milliseconds(1));
}

LeaseRenewer::LeaseRenewer(Env* env, int dirfd, std::string path, std::chrono::nanoseconds interval)
    : env_(env), dirfd_(dirfd), path_(std::move(path)), interval_(interval), thread_([this] { Run(); }) {}

LeaseRenewer::~LeaseRenewer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void LeaseRenewer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    // A failed touch only shortens the lease; the holder's pre-rename
    // check (P1) still fences it if the lock is broken.
    (void)env_->TouchFd(dirfd_, path_);
  }
}

int64_t ObservedUnchangedNs(Env* env, const FileStat& lock) {
  static std::mutex mu;
  static std::vector<Observation> seen;
  const int64_t now = env->NowMonotonicNs();
  std::lock_guard<std::mutex> guard(mu);
  for (Observation& o : seen) {
    if (!o.stamp.SameFile(lock)) continue;
    o.last_used_ns = now;
    if (!SameStamp(o.stamp, lock)) {
      o.stamp = lock;
      o.first_seen_ns = now;
    }
    return now - o.first_seen_ns;
  }
  if (seen.size() >= kMaxObservations) {
    seen.erase(std::min_element(seen.begin(), seen.end(), [](const Observation& a, const Observation& b) {
      return a.last_used_ns < b.last_used_ns;
    }));
  }
  seen.push_back(Observation{lock, now, now});
  return 0;
}

}  // namespace lockharness::protocol
