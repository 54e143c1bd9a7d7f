// Nemesis execution (see nemesis_runner.h).

#include "src/runner/nemesis_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include <chrono>
#include <system_error>

#include "src/runner/holder.h"

namespace lockharness::harness::runner {
namespace {

constexpr int64_t kMsNs = 1'000'000;
// How often a holder-directed nemesis looks for a holder while none is found.
constexpr int64_t kHolderPollNs = 2 * kMsNs;

std::string WriterLabel(int writer) { return "writer " + std::to_string(writer); }

// Both PIDs of a holder in another PID namespace: the one its owner record
// names (valid there) and its PID here. Empty when they are the same.
std::string HolderPids(const LockHolder& holder) {
  if (holder.process == holder.owner_pid) return "";
  return " (owner PID " + std::to_string(holder.owner_pid) + " in its PID namespace, PID " +
         std::to_string(holder.process) + " here)";
}

}  // namespace

void NemesisRunner::Start(const std::vector<NemesisSpec>& specs) {
  for (size_t i = 0; i < specs.size(); ++i) {
    // Each nemesis gets its own stream of the seed, so adding one does not
    // change the schedule of the others.
    threads_.emplace_back([this, spec = specs[i], i] { Loop(spec, i + 1); });
  }
}

void NemesisRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

bool NemesisRunner::SleepUntil(int64_t deadline_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const int64_t now = context_->clock.Now();
    if (now >= deadline_ns) return true;
    wake_.wait_for(lock, std::chrono::nanoseconds(deadline_ns - now));
  }
  return false;
}

void NemesisRunner::Loop(const NemesisSpec& spec, uint64_t stream) {
  std::mt19937_64 rng(seed_ ^ (0x9e3779b97f4a7c15ULL * stream));
  auto jitter = [&]() -> int64_t {
    if (spec.jitter_ms <= 0) return 0;
    return static_cast<int64_t>(rng() % static_cast<uint64_t>(spec.jitter_ms + 1)) * kMsNs;
  };
  int64_t next = spec.start_ms * kMsNs + jitter();
  int done = 0;
  while ((spec.count == 0 || done < spec.count) && SleepUntil(next)) {
    if (context_->writers_done.load() || InFinalStretch()) return;
    if (Act(spec, &rng)) {
      ++done;
      next = context_->clock.Now() + spec.interval_ms * kMsNs + jitter();
    } else {
      next = context_->clock.Now() + kHolderPollNs;
    }
  }
}

bool NemesisRunner::InFinalStretch() const {
  const int64_t planned =
      static_cast<int64_t>(context_->options->writers) * context_->options->ops_per_writer;
  return context_->completed.load() * 10 >= planned * 9;
}

bool NemesisRunner::Act(const NemesisSpec& spec, std::mt19937_64* rng) {
  switch (spec.kind) {
    case NemesisKind::kKillHolder: return KillHolder();
    case NemesisKind::kPauseHolder: return PauseHolder(spec);
    case NemesisKind::kKillWriter: return KillWriter(rng);
    case NemesisKind::kStealLock: return StealLock();
    case NemesisKind::kBackdateLock: return BackdateLock(spec);
  }
  return false;
}

void NemesisRunner::RecordFault(NemesisKind kind, pid_t pid, int writer, const std::string& fault,
                                const std::string& target, int64_t t) {
  context_->recorder->Record(
      FaultEvent(*context_, pid, writer, fault, std::string(NemesisKindName(kind)), target, t));
}

bool NemesisRunner::KillHolder() {
  const auto found = FindHolder();
  if (!found) return false;
  const LockHolder* holder = &found->holder;
  // Stamped before the signal: the fault precedes anything its victim's
  // death causes; recorded only if the signal was sent.
  const int64_t t = context_->clock.Now();
  if (!context_->live->Signal(holder->pid, SIGKILL)) return false;
  RecordFault(NemesisKind::kKillHolder, holder->pid, holder->writer, "sigkill",
              "kill-holder: lock holder, " + WriterLabel(holder->writer) + HolderPids(*holder) +
                  " (found by " + found->source + ")",
              t);
  return true;
}

bool NemesisRunner::PauseHolder(const NemesisSpec& spec) {
  const auto found = FindHolder();
  if (!found) return false;
  const LockHolder* holder = &found->holder;
  const int64_t t = context_->clock.Now();
  if (!context_->live->Signal(holder->pid, SIGSTOP)) return false;
  RecordFault(NemesisKind::kPauseHolder, holder->pid, holder->writer, "sigstop",
              "pause-holder: lock holder, " + WriterLabel(holder->writer) + HolderPids(*holder) +
                  " (found by " + found->source + "), for " + std::to_string(spec.duration_ms) +
                  " ms",
              t);
  // Resume even when stopping early: a stopped process must not outlive the
  // run (the writer's own timeout kill works on stopped processes too).
  SleepUntil(context_->clock.Now() + spec.duration_ms * kMsNs);
  context_->live->Signal(holder->pid, SIGCONT);
  RecordFault(NemesisKind::kPauseHolder, holder->pid, holder->writer, "sigcont",
              "pause-holder: resumed " + WriterLabel(holder->writer));
  return true;
}

bool NemesisRunner::KillWriter(std::mt19937_64* rng) {
  const auto live = context_->live->Snapshot();
  if (live.empty()) return false;
  const auto& [writer, pid] = live[(*rng)() % live.size()];
  const int64_t t = context_->clock.Now();
  if (!context_->live->Signal(pid, SIGKILL)) return false;
  RecordFault(NemesisKind::kKillWriter, pid, writer, "sigkill",
              "kill-writer: random writer, " + WriterLabel(writer), t);
  return true;
}

bool NemesisRunner::StealLock() {
  const auto found = FindHolder();
  if (!found) return false;
  const LockHolder* holder = &found->holder;
  if (found->kernel_lock) {
    // A kernel lock has no name to rename away: the nemesis does not apply,
    // and says so once rather than pass by never acting.
    if (!steal_not_applicable_recorded_) {
      steal_not_applicable_recorded_ = true;
      RecordFault(NemesisKind::kStealLock, holder->pid, holder->writer, "not-applicable",
                  "steal-lock: not applicable: " + WriterLabel(holder->writer) +
                      HolderPids(*holder) +
                      " holds a kernel lock (flock/fcntl), which has no name to rename away");
    }
    return false;
  }
  const std::filesystem::path lock = context_->lock_path;
  // A rogue breaker: the lock vanishes under its live holder. The harness
  // removes what it took at once, so nothing of its own is left behind.
  const std::filesystem::path stolen =
      context_->run_dir / ("stolen-lock-" + std::to_string(++steal_counter_));
  const int64_t t = context_->clock.Now();
  if (::rename(lock.c_str(), stolen.c_str()) != 0) return false;
  RecordFault(NemesisKind::kStealLock, holder->pid, holder->writer, "steal-lock",
              "steal-lock: lock of live holder " + WriterLabel(holder->writer) +
                  HolderPids(*holder) + " renamed away",
              t);
  std::error_code ec;
  std::filesystem::remove_all(stolen, ec);
  return true;
}

bool NemesisRunner::BackdateLock(const NemesisSpec& spec) {
  const std::filesystem::path lock = context_->lock_path;
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int64_t shifted = now.tv_sec * 1'000'000'000LL + now.tv_nsec + spec.shift_ms * kMsNs;
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = shifted / 1'000'000'000LL;
  times[0].tv_nsec = times[1].tv_nsec = shifted % 1'000'000'000LL;
  const int64_t t = context_->clock.Now();
  if (::utimensat(AT_FDCWD, lock.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return false;
  const auto found = FindHolder();
  const LockHolder* holder = found ? &found->holder : nullptr;
  RecordFault(NemesisKind::kBackdateLock, holder ? holder->pid : 0, holder ? holder->writer : -1,
              "backdate-lock",
              "backdate-lock: lock dir mtime moved by " + std::to_string(spec.shift_ms) + " ms" +
                  (holder ? ", held by " + WriterLabel(holder->writer) : ""),
              t);
  return true;
}

std::optional<OracleHolder> NemesisRunner::FindHolder() {
  std::lock_guard<std::mutex> lock(oracle_mu_);
  if (!oracle_) oracle_.emplace(context_->lock_path, context_->registry, context_->trace_path);
  return oracle_->Find(*context_->live);
}

}  // namespace lockharness::harness::runner
