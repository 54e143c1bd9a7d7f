// forge.h (private): forges the state a setup step asks for (nemesis.h,
// SetupKind) in the registry directory before any writer starts.
//
// Forged locks sit at the run's lock path (`<registry>.lock` unless
// --lock-path names another) and follow the layout of the seed recipe and
// the reference implementation: a directory holding `owner` (the PID in
// decimal) and, for the identity-carrying kinds, `owner.identity` in the
// reference's format (docs/protocol.md). For an implementation whose
// declared lock convention (RunOptions::lock_convention) is o-excl, link or
// rename, dead-owner-lock forges a lock file holding the dead PID and a
// newline instead; ExecuteRun refuses steps that do not apply to the
// declared convention (lock_convention.h) before forging anything. Dead PIDs come from a process
// the harness started and reaped; a "recycled" PID is a live `sleep` the harness started and keeps
// until the run ends; nothing outside the run directory is touched (a symlinked owner record points
// at a file in DIR/setup/). Every step is recorded as a `fault` event with the step's kind as the
// first word of its target; lock-forging steps use fault "forged-lock", so
// the progress checker measures their takeover like a killed holder's.
//
// Usage:
//   ForgedState forged;
//   if (!ForgeSetup(options.setup, &context, &forged, &error)) ...harness error...

#ifndef LOCKHARNESS_HARNESS_SRC_RUNNER_FORGE_H_
#define LOCKHARNESS_HARNESS_SRC_RUNNER_FORGE_H_

#include <optional>
#include <string>
#include <vector>

#include "lockharness/harness/runner/nemesis.h"
#include "lockharness/harness/runner/process.h"
#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {

// Processes that must live while the run lasts (the owners of "recycled"
// PIDs); killed and reaped when this is destroyed.
struct ForgedState {
  std::vector<Child> keep_alive;
  std::optional<std::string> corrupt_registry;  // bytes written, if any
};

// REQUIRES: context->registry's directory exists; no writer has started.
// On failure returns false with *error naming the step and the reason.
bool ForgeSetup(const std::vector<SetupSpec>& steps, RunContext* context, ForgedState* forged,
                std::string* error);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_SRC_RUNNER_FORGE_H_
