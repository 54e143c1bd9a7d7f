// lock_convention.h: how an implementation locks, by name, and which
// conventions each nemesis and setup kind means something for.
//
// The names are those of the trace's observed lock spans
// (checkers/trace_mutual_exclusion.h, ObservedSpan::convention):
//   mkdir    a directory made at the lock path (the seed, proper-lockfile)
//   o-excl   a file created at the lock path with O_CREAT|O_EXCL
//   link     a file linked onto the lock path (lockfile-progs, dotlockfile)
//   rename   a file built elsewhere and renamed onto the lock path
//   flock    flock(2) on a lock file or on the registry
//   posix    fcntl F_SETLK/F_SETLKW record locks, or lockf(3) (built on them)
//   ofd      fcntl F_OFD_SETLK/F_OFD_SETLKW
//   none     no lock at all
// The first four are path locks: the lock is a name in the registry's
// directory, which can be forged before a run, renamed away or backdated.
// The next three are kernel locks: the lock file stays, the kernel holds
// the lock and drops it when its holder dies; nothing on disk says who
// holds it, so a forged or stolen lock means nothing.
//
// The adapter catalog (catalog.json "lock_convention"), --lock-convention
// and detection from a run's first observed acquisition all use these
// names. A scenario's `conventions` list (scenario.h) may also use the
// groups "path", "kernel" and "any".
//
// Usage:
//   auto c = ParseLockConvention("flock");          // LockConvention::kFlock
//   if (auto why = NotApplicable(options, *c)) ...the run means nothing for it...

#ifndef LOCKHARNESS_HARNESS_RUNNER_LOCK_CONVENTION_H_
#define LOCKHARNESS_HARNESS_RUNNER_LOCK_CONVENTION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/harness/runner/nemesis.h"

namespace lockharness::harness::runner {

enum class LockConvention { kMkdir, kOExcl, kLink, kRename, kFlock, kPosix, kOfd, kNone };

std::string_view LockConventionName(LockConvention convention);  // "mkdir", ...
std::optional<LockConvention> ParseLockConvention(std::string_view name);
// "mkdir, o-excl, link, rename, flock, posix, ofd, none"
std::string LockConventionNames();

// The lock is a name at the lock path (mkdir, o-excl, link, rename).
bool IsPathLock(LockConvention convention);
// The kernel holds the lock (flock, posix, ofd).
bool IsKernelLock(LockConvention convention);

// The conventions a word of a `conventions` list stands for: one
// convention, or a group ("path", "kernel", "any"). nullopt for any other
// word.
std::optional<std::vector<LockConvention>> ExpandConventionWord(std::string_view word);
// "a convention (mkdir, ..., none) or a group (path, kernel, any)"
std::string ConventionWordsText();

// The convention of an observed acquisition (ObservedSpan::convention):
// a convention name, or "lock-file" (an open then written, in traces
// without open flags), which is o-excl. nullopt for anything else.
std::optional<LockConvention> ObservedConvention(std::string_view observed);

// The conventions a setup step can forge its state for. Lock-forging kinds
// forge in the implementation's convention (forge.h): a dead owner's lock
// as a mkdir directory or as a lock file holding the dead PID; the owner
// record kinds only as a mkdir directory with an `owner` file. Kinds that
// forge no lock (stale temp files, a corrupt registry) apply to all.
std::vector<LockConvention> SetupKindConventions(SetupKind kind);

// The conventions a nemesis means something for: steal-lock and
// backdate-lock act on a name at the lock path (path locks only); the
// holder-directed ones need a lock (not "none"); kill-writer applies to all.
std::vector<LockConvention> NemesisKindConventions(NemesisKind kind);

// Why a run with these nemeses and setup steps means nothing for an
// implementation of `convention` ("setup step dead-owner-lock forges no
// lock for flock implementations"), or nullopt if every one applies.
std::optional<std::string> NotApplicableFaults(const std::vector<NemesisSpec>& nemeses,
                                               const std::vector<SetupSpec>& setup,
                                               LockConvention convention);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_LOCK_CONVENTION_H_
