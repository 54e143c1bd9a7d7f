// mutant.h: deliberately broken variants of the protocol, for testing the
// harness. A harness that cannot catch these is not worth running.
//
// Each mutant reproduces one known bug class (docs/protocol.md, "Mutants").
// They are selected with `lockreg --mutant NAME`, are never on by default,
// and are never for real use. The protocol code asks the predicates below
// rather than comparing against individual mutants, so every deviation of
// every mutant is listed in mutant.cc.

#ifndef LOCKHARNESS_PROTOCOL_MUTANT_H_
#define LOCKHARNESS_PROTOCOL_MUTANT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::protocol {

enum class Mutant {
  kNone,
  kNoLock,          // read-modify-write without taking the lock: lost updates
  kDirectWrite,     // writes the registry in place, no temp+rename: torn reads
  kSharedTmp,       // one temp name "<file>.tmp" for every process
  kAgeReap,         // breaks any lock older than the stale age by mtime, live owner or not
  kNoOwnerRecheck,  // breaks a dead owner's lock by path: check-then-delete race
  kOwnerNonatomic,  // owner record written in place; a record-less lock is broken at once
  kReleaseAny,      // release removes whatever lock is at the path
  kNoTmpCleanup,    // a failed write leaves its temp file behind
  kNoFsync,         // no fsync of the temp file nor of the directory
  kNoDirFsync,      // fsyncs the temp file but not the directory after the rename
  kResetOnCorrupt,  // an unparsable registry is silently replaced by an empty one
  kPidOnly,         // a live PID means a live owner: recycled PIDs keep dead locks
  kHostBlind,       // PIDs trusted across PID namespaces and hosts: live foreign locks broken
};

std::string_view MutantName(Mutant m);
std::optional<Mutant> ParseMutant(std::string_view name);
// Names of every mutant other than kNone.
std::vector<std::string> AllMutantNames();

// --- What each mutant changes (all true/false as the reference for kNone) ---

// A registry change takes the lock at all (P1).
bool TakesLock(Mutant m);
// The registry is written to a temp file and renamed over the old one (P5);
// if false it is truncated and rewritten in place.
bool WritesThroughTemp(Mutant m);
// Each write's temp file has a name of its own, created with O_EXCL (P5.1);
// if false every process shares "<file>.tmp" and opens it without O_EXCL.
bool CreatesUniqueTemp(Mutant m);

// The holder checks that it still holds the lock where the reference does:
// after publishing its owner record (P2.3) and before its rename (P1).
// False for the mutants that break live locks, which, like the seed, never
// look again once they have the lock (else those checks would turn the
// broken lock into a "lock lost" error and hide the bug from the harness).
bool HolderRechecksLock(Mutant m);
// Release removes the lock only if it is still ours (P4).
bool ReleaseChecksOwnership(Mutant m);
// A dead or recycled owner's lock is broken through quarantine and
// re-verification (P3.4) rather than deleted by path.
bool BreaksThroughQuarantine(Mutant m);
// The owner record is published by rename, identity first (P2.2).
bool PublishesOwnerAtomically(Mutant m);
// A lock without a valid owner record waits out the grace period (P3.3).
bool WaitsGraceForOwnerlessLock(Mutant m);
// Any lock whose directory mtime is older than the stale age is broken,
// whatever its owner (the seed's age rule, P3.1 broken).
bool BreaksByAge(Mutant m);
// The owner's identity (boot id, start time) decides between alive and
// recycled; without it a running PID is always alive (P3).
bool ChecksOwnerIdentity(Mutant m);
// The owner's PID namespace and host decide whether its PID can be judged
// at all (P10); if false, every PID is judged as if it were in ours.
bool ChecksOwnerNamespace(Mutant m);
// The holder renews its lease while it holds the lock (P11). False for the
// mutants that run the seed's holder, which has no lease.
bool RenewsLease(Mutant m);
// A failed write removes its temp file (P5.4).
bool CleansUpTemp(Mutant m);
// The temp file and the directory are fsynced (P5.3).
bool Fsyncs(Mutant m);
// The directory is fsynced after the rename (P5.3); false for no-fsync and
// no-dir-fsync.
bool FsyncsDir(Mutant m);
// A corrupt registry is refused and backed up (P8); if false it is read
// as an empty registry.
bool RefusesCorrupt(Mutant m);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_MUTANT_H_
