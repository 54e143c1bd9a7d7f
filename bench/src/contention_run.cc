#include "lockharness/bench/contention_run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "lockharness/bench/registry_cycle.h"

namespace lockharness::bench {
namespace {

// Latency samples kept per child. Beyond this a child still counts its cycles
// and its maximum, but stops storing samples (far above what a 2 s run makes).
constexpr int64_t kMaxSamplesPerChild = int64_t{1} << 20;

int64_t MonotonicNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// What one child reports; lives in memory shared with the parent.
struct ChildSlot {
  int64_t ops = 0;
  int64_t late_ops = 0;
  int64_t failures = 0;
  int64_t samples = 0;
  int64_t max_ns = 0;
  int64_t held_ns = 0;     // total time inside the critical section, for cycles inside the window
  int64_t release_ns = 0;  // total time in Release(), for the same cycles
  char error[256] = {};
};

struct SharedHeader {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// Anonymous shared memory: header, one slot per child, then each child's
// sample array. Pages are only touched as samples are written.
class SharedArea {
 public:
  static StatusOr<SharedArea> Map(int children) {
    SharedArea a;
    a.children_ = children;
    a.bytes_ = SamplesOffset(children) +
               sizeof(int64_t) * static_cast<size_t>(kMaxSamplesPerChild) * children;
    void* p = ::mmap(nullptr, a.bytes_, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return Status::IoError("mmap", "shared stats", errno);
    a.base_ = static_cast<char*>(p);
    new (a.header()) SharedHeader();
    for (int i = 0; i < children; ++i) new (a.slot(i)) ChildSlot();
    return a;
  }
  SharedArea(SharedArea&& o) noexcept : base_(o.base_), bytes_(o.bytes_), children_(o.children_) {
    o.base_ = nullptr;
  }
  SharedArea& operator=(SharedArea&&) = delete;
  ~SharedArea() {
    if (base_ != nullptr) ::munmap(base_, bytes_);
  }

  SharedHeader* header() { return reinterpret_cast<SharedHeader*>(base_); }
  ChildSlot* slot(int i) { return reinterpret_cast<ChildSlot*>(base_ + sizeof(SharedHeader)) + i; }
  int64_t* samples(int i) {
    return reinterpret_cast<int64_t*>(base_ + SamplesOffset(children_)) + kMaxSamplesPerChild * i;
  }

 private:
  SharedArea() = default;
  static size_t SamplesOffset(int children) {
    size_t raw = sizeof(SharedHeader) + sizeof(ChildSlot) * static_cast<size_t>(children);
    return (raw + 4095) / 4096 * 4096;
  }
  char* base_ = nullptr;
  size_t bytes_ = 0;
  int children_ = 0;
};

void NoteError(ChildSlot* slot, const Status& s) {
  if (slot->error[0] != '\0') return;
  std::string text = s.ToString();
  std::strncpy(slot->error, text.c_str(), sizeof slot->error - 1);
}

// The body of one child. Never returns.
[[noreturn]] void ChildMain(const ContentionConfig& config, const std::string& file, int ready_fd,
                            int go_fd, SharedHeader* header, ChildSlot* slot, int64_t* samples) {
  auto lock = MakeLockStrategy(config.kind, file);
  char byte = 'r';
  if (::write(ready_fd, &byte, 1) != 1) ::_exit(3);
  ::close(ready_fd);
  while (::read(go_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(go_fd);
  const int64_t end_ns = header->end_ns;

  while (MonotonicNs() < end_ns) {
    const int64_t t0 = MonotonicNs();
    Status s = lock->Acquire();
    const int64_t waited = MonotonicNs() - t0;
    if (!s.ok()) {
      ++slot->failures;
      NoteError(slot, s);
      continue;
    }
    if (slot->samples < kMaxSamplesPerChild) samples[slot->samples++] = waited;
    slot->max_ns = std::max(slot->max_ns, waited);
    const int64_t acquired = t0 + waited;
    s = BumpCounter(file, config.write);
    const int64_t cycle_done = MonotonicNs();  // still inside the lock: exclusive
    Status released = lock->Release();
    if (!s.ok() || !released.ok()) {
      ++slot->failures;
      NoteError(slot, s.ok() ? released : s);
      continue;
    }
    const int64_t done = MonotonicNs();
    if (done <= end_ns) {
      ++slot->ops;
      slot->held_ns += cycle_done - acquired;
      slot->release_ns += done - cycle_done;
    } else {
      ++slot->late_ops;
    }
  }
  ::_exit(0);
}

void KillAll(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) ::kill(pid, SIGKILL);
  for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
}

// Waits for every child until `limit_ns`; kills them all if that passes.
Status ReapChildren(const std::vector<pid_t>& pids, int64_t limit_ns) {
  std::vector<pid_t> running = pids;
  while (!running.empty()) {
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      pid_t r = ::waitpid(*it, &status, WNOHANG);
      if (r == *it || (r < 0 && errno == ECHILD)) {
        it = running.erase(it);
      } else {
        ++it;
      }
    }
    if (running.empty()) break;
    if (MonotonicNs() > limit_ns) {
      KillAll(running);
      return Status::IoError("contention/wait", std::to_string(running.size()) + " children",
                             ETIMEDOUT);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return Status::Ok();
}

// Forks the children, releases them together, and waits for them.
Status RunChildren(const ContentionConfig& config, const std::string& file, SharedArea& area) {
  int ready[2], go[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return Status::IoError("pipe", "ready", errno);
  if (::pipe2(go, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(ready[0]);
    ::close(ready[1]);
    return Status::IoError("pipe", "go", err);
  }
  std::vector<pid_t> pids;
  auto close_parent_ends = [&] {
    ::close(ready[0]);
    if (go[1] >= 0) ::close(go[1]);
  };
  for (int i = 0; i < config.processes; ++i) {
    pid_t pid = ::fork();
    if (pid < 0) {
      int err = errno;
      close_parent_ends();
      ::close(ready[1]);
      ::close(go[0]);
      KillAll(pids);
      return Status::IoError("fork", file, err);
    }
    if (pid == 0) {
      ::close(ready[0]);
      ::close(go[1]);
      ChildMain(config, file, ready[1], go[0], area.header(), area.slot(i), area.samples(i));
    }
    pids.push_back(pid);
  }
  ::close(ready[1]);
  ::close(go[0]);

  // Barrier: every child has built its lock and is blocked on `go`.
  for (int got = 0; got < config.processes;) {
    char buf[64];
    ssize_t n = ::read(ready[0], buf, std::min<size_t>(sizeof buf, config.processes - got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close_parent_ends();
      KillAll(pids);
      return Status::IoError("contention/ready", file, n < 0 ? errno : EPIPE);
    }
    got += static_cast<int>(n);
  }
  const int64_t window_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config.duration).count();
  area.header()->start_ns = MonotonicNs();
  area.header()->end_ns = area.header()->start_ns + window_ns;
  std::atomic_thread_fence(std::memory_order_seq_cst);  // header visible before the pipe closes
  ::close(go[1]);
  go[1] = -1;
  ::close(ready[0]);
  const int64_t grace_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config.grace).count();
  return ReapChildren(pids, area.header()->end_ns + grace_ns);
}

ContentionResult Collect(const ContentionConfig& config, SharedArea& area) {
  ContentionResult r;
  std::vector<int64_t> samples;
  int64_t max_ns = 0;
  int64_t held_ns = 0;
  int64_t release_ns = 0;
  for (int i = 0; i < config.processes; ++i) {
    const ChildSlot* slot = area.slot(i);
    held_ns += slot->held_ns;
    release_ns += slot->release_ns;
    r.ops_per_process.push_back(slot->ops);
    r.ops += slot->ops;
    r.late_ops += slot->late_ops;
    r.failures += slot->failures;
    if (r.first_error.empty() && slot->error[0] != '\0') r.first_error = slot->error;
    samples.insert(samples.end(), area.samples(i), area.samples(i) + slot->samples);
    max_ns = std::max(max_ns, slot->max_ns);
  }
  r.latency = SummarizeLatencies(std::move(samples));
  r.latency.max_ns = std::max(r.latency.max_ns, max_ns);  // includes unstored samples
  r.shares = SummarizeShares(r.ops_per_process);
  r.window_s = std::chrono::duration<double>(config.duration).count();
  r.ops_per_s = r.window_s > 0 ? static_cast<double>(r.ops) / r.window_s : 0;
  r.mean_hold_ns = r.ops > 0 ? held_ns / r.ops : 0;
  r.mean_release_ns = r.ops > 0 ? release_ns / r.ops : 0;
  r.busy_fraction = r.window_s > 0 ? static_cast<double>(held_ns) / 1e9 / r.window_s : 0;
  return r;
}

}  // namespace

StatusOr<ContentionResult> RunContention(const ContentionConfig& config) {
  if (config.processes < 1) return Status::InvalidArgument("processes must be at least 1");
  namespace fs = std::filesystem;
  const fs::path run_dir =
      fs::path(config.dir) /
      ("lockharness-contention-" + std::string(LockKindName(config.kind)) + "-" +
       std::to_string(config.processes) + "-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(run_dir, ec);
  if (!fs::create_directory(run_dir, ec))
    return Status::IoError("mkdir", run_dir.string(), ec.value());
  const std::string file = (run_dir / "registry.json").string();

  auto run = [&]() -> StatusOr<ContentionResult> {
    Status s = SeedRegistryFile(file, config.sandboxes);
    if (!s.ok()) return s;
    auto area = SharedArea::Map(config.processes);
    if (!area.ok()) return area.status();
    s = RunChildren(config, file, *area);
    if (!s.ok()) return s;
    ContentionResult r = Collect(config, *area);
    auto counter = ReadCounter(file);
    if (!counter.ok()) return counter.status();
    r.final_counter = *counter;
    r.lost_updates = r.ops + r.late_ops - r.final_counter;
    return r;
  };
  auto result = run();
  fs::remove_all(run_dir, ec);
  return result;
}

}  // namespace lockharness::bench
