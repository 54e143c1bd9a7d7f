// nemesis.h: the deliberate disruptions a run can apply, as plain data.
//
// A nemesis acts while the writers run (kill or pause the lock holder, kill a
// random writer, steal the lock from its holder, age the lock directory); a
// setup step forges state before the first writer starts (a stale lock of a
// dead, recycled or rebooted owner, a damaged owner record, leftover temp
// files, a corrupt registry). Both are described here and carried in
// RunOptions; nemesis_runner.h executes them. Scenario files (scenario.h)
// and the command line fill them in.
//
// Every action a nemesis or setup step takes is recorded in the history as a
// `fault` event (history.h) naming the fault, its target process and what
// it hit, so a report shows which fault preceded a violation.
//
// Usage:
//   NemesisSpec kill;
//   kill.kind = NemesisKind::kKillHolder;
//   kill.start_ms = 200; kill.interval_ms = 400; kill.count = 5;
//   options.nemeses.push_back(kill);

#ifndef LOCKHARNESS_HARNESS_RUNNER_NEMESIS_H_
#define LOCKHARNESS_HARNESS_RUNNER_NEMESIS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::harness::runner {

enum class NemesisKind {
  kKillHolder,    // SIGKILL the process named by the lock's owner record
  kPauseHolder,   // SIGSTOP it for duration_ms, then SIGCONT
  kKillWriter,    // SIGKILL a random writer process that has an operation in flight
  kStealLock,     // rename the lock directory away while it is held (a rogue breaker)
  kBackdateLock,  // move the lock directory's mtime by shift_ms (negative: past)
};

struct NemesisSpec {
  NemesisKind kind = NemesisKind::kKillHolder;
  int64_t start_ms = 0;       // first action, after the run starts
  int64_t interval_ms = 500;  // between two actions (REQUIRES: > 0)
  int64_t jitter_ms = 0;      // uniform extra delay in [0, jitter_ms], from the seed
  int count = 0;              // at most this many actions; 0: until writers finish
  int64_t duration_ms = 0;    // kPauseHolder: how long the holder stays stopped
  int64_t shift_ms = 0;       // kBackdateLock: mtime shift
};

enum class SetupKind {
  kDeadOwnerLock,       // lock dir whose owner PID has exited
  kRecycledPidLock,     // owner PID is a live unrelated process (identity mismatch)
  kOtherBootLock,       // owner identity from another boot id
  kEmptyOwnerLock,      // owner file of zero bytes
  kGarbledOwnerLock,    // owner file that is not a PID
  kOversizedOwnerLock,  // owner file far larger than any record
  kSymlinkedOwnerLock,  // owner file is a symlink
  kOwnerlessLock,       // lock dir with no owner file at all
  kStaleTempFiles,      // temp files of dead writers next to the registry
  kCorruptRegistry,     // a registry file that does not parse
};

struct SetupSpec {
  SetupKind kind = SetupKind::kDeadOwnerLock;
  int64_t age_ms = 0;  // set the forged files' mtime this far into the past
  int count = 1;       // kStaleTempFiles: how many temp files
};

std::string_view NemesisKindName(NemesisKind kind);  // "kill-holder", ...
std::optional<NemesisKind> ParseNemesisKind(std::string_view name);
std::vector<std::string> AllNemesisKindNames();

std::string_view SetupKindName(SetupKind kind);  // "dead-owner-lock", ...
std::optional<SetupKind> ParseSetupKind(std::string_view name);
std::vector<std::string> AllSetupKindNames();

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_NEMESIS_H_
