#include "lockharness/protocol/registry_store.h"

#include <optional>

#include "lockharness/protocol/atomic_write.h"
#include "lockharness/protocol/lease.h"
#include "lockharness/protocol/recovery.h"
#include "path_util.h"

namespace lockharness::protocol {
namespace {

uint64_t Fnv1a64(const std::string& bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

StatusOr<std::string> BackUpCorruptFile(Env* env, const std::string& path, const std::string& bytes) {
  const std::string backup = path + ".corrupt." + Hex64(Fnv1a64(bytes));
  auto existing = env->ReadFile(backup, bytes.size() + 1);
  if (existing.ok() && *existing == bytes) return backup;  // already backed up
  Status s = WriteFileAtomically(env, backup, bytes);
  if (!s.ok()) return s;
  return backup;
}

RegistryStore::RegistryStore(Env* env, std::string path, StoreOptions options)
    : env_(env), path_(std::move(path)), options_(options) {}

StatusOr<Registry> RegistryStore::Load(bool back_up_if_corrupt) {
  auto bytes = env_->ReadFile(path_, options_.max_file_bytes);
  if (!bytes.ok()) {
    if (bytes.status().IsNotFound()) return Registry();
    if (bytes.status().err() != EFBIG) return bytes.status();
    return Status::Corrupt(path_, "larger than " + std::to_string(options_.max_file_bytes) + " bytes");
  }
  auto registry = Registry::Parse(*bytes, path_);
  // The reset-on-corrupt mutant is the seed's original load(): a parse
  // error silently means "empty", and the next write erases every entry.
  if (!registry.ok() && !RefusesCorrupt(options_.mutant)) return Registry();
  if (registry.ok() || !back_up_if_corrupt) return registry;
  auto backup = BackUpCorruptFile(env_, path_, *bytes);
  std::string where =
      backup.ok() ? "its bytes are saved in " + *backup : "backing it up failed: " + backup.status().ToString();
  return Status::Corrupt(path_,
                         registry.status().message() + "; refusing to write until it is repaired (" + where + ")");
}

StatusOr<Registry> RegistryStore::Read() { return Load(/*back_up_if_corrupt=*/false); }

Status RegistryStore::MutateLocked(const std::function<Status(Registry&)>& change, DirLock* lock) {
  if (lock != nullptr) (void)SweepLeftovers(env_, path_);  // best effort: a failure only leaves litter
  auto registry = Load(/*back_up_if_corrupt=*/true);
  if (!registry.ok()) return registry.status();
  Status s = change(*registry);
  if (!s.ok()) return s;
  std::function<Status()> still_held;
  if (lock != nullptr && HolderRechecksLock(options_.mutant)) {
    // P1: never write without the lock, checked as late as possible: right
    // before the rename, after the temp file's write and fsync.
    still_held = [lock] { return lock->VerifyHeld(); };
  }
  return WriteFileAtomically(env_, path_, registry->Serialize(), options_.mutant, still_held);
}

Status RegistryStore::Mutate(const std::function<Status(Registry&)>& change, LockSpan* span) {
  if (!TakesLock(options_.mutant)) return MutateLocked(change, nullptr);

  LockOptions lock_options = options_.lock;
  lock_options.mutant = options_.mutant;
  auto lock = DirLock::Acquire(env_, lock_path(), lock_options);
  if (!lock.ok()) return lock.status();
  if (span != nullptr) span->acquired_ns = env_->NowMonotonicNs();
  Status s;
  {
    // P11: renew the lease while we hold the lock, so that a waiter that
    // cannot verify our PID never breaks it while we run.
    std::optional<LeaseRenewer> lease;
    if (RenewsLease(options_.mutant)) {
      lease.emplace(env_, (*lock)->dirfd(), lock_path(), LeaseRenewInterval(lock_options.ownerless_grace));
    }
    s = MutateLocked(change, lock->get());
  }
  if (span != nullptr) span->released_ns = env_->NowMonotonicNs();
  Status released = (*lock)->Release();
  return s.ok() ? released : s;
}

}  // namespace lockharness::protocol
