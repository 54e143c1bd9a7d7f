#include "lockharness/protocol/mutant.h"

namespace lockharness::protocol {
namespace {
struct Entry {
  Mutant mutant;
  const char* name;
};
constexpr Entry kMutants[] = {
    {Mutant::kNone, "none"},
    {Mutant::kNoLock, "no-lock"},
    {Mutant::kDirectWrite, "direct-write"},
    {Mutant::kSharedTmp, "shared-tmp"},
    {Mutant::kAgeReap, "age-reap"},
    {Mutant::kNoOwnerRecheck, "no-owner-recheck"},
    {Mutant::kOwnerNonatomic, "owner-nonatomic"},
    {Mutant::kReleaseAny, "release-any"},
    {Mutant::kNoTmpCleanup, "no-tmp-cleanup"},
    {Mutant::kNoFsync, "no-fsync"},
    {Mutant::kNoDirFsync, "no-dir-fsync"},
    {Mutant::kResetOnCorrupt, "reset-on-corrupt"},
    {Mutant::kPidOnly, "pid-only"},
    {Mutant::kHostBlind, "host-blind"},
};

// The mutants whose waiters break live locks: their holders behave like the
// seed's (no re-check, release by path) so the broken lock shows as two
// holders, not as a "lock lost" error.
bool BreaksLiveLocks(Mutant m) {
  return m == Mutant::kAgeReap || m == Mutant::kNoOwnerRecheck || m == Mutant::kOwnerNonatomic ||
         m == Mutant::kHostBlind;
}
}  // namespace

std::string_view MutantName(Mutant m) {
  for (const auto& e : kMutants) {
    if (e.mutant == m) return e.name;
  }
  return "?";
}

std::optional<Mutant> ParseMutant(std::string_view name) {
  for (const auto& e : kMutants) {
    if (name == e.name) return e.mutant;
  }
  return std::nullopt;
}

std::vector<std::string> AllMutantNames() {
  std::vector<std::string> out;
  for (const auto& e : kMutants) {
    if (e.mutant != Mutant::kNone) out.emplace_back(e.name);
  }
  return out;
}

bool TakesLock(Mutant m) { return m != Mutant::kNoLock; }
bool WritesThroughTemp(Mutant m) { return m != Mutant::kDirectWrite; }
bool CreatesUniqueTemp(Mutant m) { return m != Mutant::kSharedTmp; }

// release-any skips the holder checks too: like the seed, which has neither.
// With the pre-rename check of every other holder intact, a foreign release
// only turns into "lock lost" errors, never into lost data.
bool HolderRechecksLock(Mutant m) { return !BreaksLiveLocks(m) && m != Mutant::kReleaseAny; }
bool ReleaseChecksOwnership(Mutant m) { return m != Mutant::kReleaseAny && !BreaksLiveLocks(m); }
bool BreaksThroughQuarantine(Mutant m) { return m != Mutant::kNoOwnerRecheck; }
bool PublishesOwnerAtomically(Mutant m) { return m != Mutant::kOwnerNonatomic; }
bool WaitsGraceForOwnerlessLock(Mutant m) { return m != Mutant::kOwnerNonatomic; }
bool BreaksByAge(Mutant m) { return m == Mutant::kAgeReap; }
bool ChecksOwnerIdentity(Mutant m) { return m != Mutant::kPidOnly; }
bool ChecksOwnerNamespace(Mutant m) { return m != Mutant::kHostBlind; }
bool RenewsLease(Mutant m) { return !BreaksLiveLocks(m); }
bool CleansUpTemp(Mutant m) { return m != Mutant::kNoTmpCleanup; }
bool Fsyncs(Mutant m) { return m != Mutant::kNoFsync; }
bool FsyncsDir(Mutant m) { return Fsyncs(m) && m != Mutant::kNoDirFsync; }
bool RefusesCorrupt(Mutant m) { return m != Mutant::kResetOnCorrupt; }

}  // namespace lockharness::protocol
