// check.h: judging a finished run.
//
// A run leaves a history (history.h), the final registry file and whatever
// else remains in the registry directory. CheckAll() runs every checker on
// them; each returns a CheckerReport whose verdict is valid, invalid (with
// evidence naming the offending operations) or unknown (not enough
// information to decide). No checker passes silently. docs/checkers.md
// describes each checker's rules.
//
// Typical use:
//   std::string error;
//   std::optional<RunArtifacts> run = LoadRunDirectory(dir, &error);
//   if (!run) { /* harness error: report `error`, exit 2 */ }
//   std::vector<CheckerReport> reports = CheckAll(*run);
//   WriteFile(dir / "results.json", ReportsToJson(reports).dump(2));
//   WriteFile(dir / "report.txt", ReportsToText(reports));
//   return ExitCodeFor(Overall(reports));

#ifndef LOCKHARNESS_HARNESS_CHECK_H_
#define LOCKHARNESS_HARNESS_CHECK_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/history.h"
#include "lockharness/interposer/trace_reader.h"

namespace lockharness::harness {

enum class Verdict { kValid, kInvalid, kUnknown };

// "valid" | "invalid" | "unknown".
std::string_view VerdictName(Verdict verdict);

struct CheckLimits {
  int64_t op_timeout_ns = 0;
  int64_t takeover_bound_ns = 0;
  // How much later than invoke + op_timeout a completion may be recorded
  // before the progress checker calls it a hang: the harness needs time to
  // notice the timeout, kill the process and write the event on a loaded
  // machine.
  int64_t timeout_slack_ns = 2'000'000'000;
};

struct RunArtifacts {
  std::vector<Event> history;
  // Bytes of registry/sandboxes.json at the end; nullopt if it was absent.
  std::optional<std::string> final_registry;
  std::string registry_basename = "sandboxes.json";
  // Names in registry/ other than the registry file, at the end of the run.
  std::vector<std::string> directory_entries;
  CheckLimits limits;
  // Bytes of a corrupt registry the harness forged before the run
  // (DIR/setup/corrupt-registry.bytes), and the names in the registry
  // directory (the registry file included) that hold exactly those bytes at
  // the end: a correct implementation refuses to work on such a file and
  // never destroys it (it may back it up and start afresh).
  std::optional<std::string> forged_corrupt_registry;
  std::vector<std::string> corrupt_copies;
  // Nemesis and setup kinds of the run (run.json "nemeses" and "setup").
  std::vector<std::string> configured_faults;
  // The interposer's system-call trace (DIR/trace.jsonl), if the run has
  // one: the trace checkers run only then.
  std::optional<std::vector<interposer::TraceEvent>> trace;
  // CLOCK_MONOTONIC ns at the run's start (history time 0; run.json's
  // "monotonic_origin_ns"), to show trace times on the history's scale.
  std::optional<int64_t> monotonic_origin_ns;
};

struct CheckerReport {
  // "lost-update", "json-validity", "leftovers", "mutual-exclusion",
  // "progress"; "corrupt-registry" and "fault-coverage" when the run forged
  // a corrupt registry or configured faults; "trace-mutual-exclusion" and
  // "protocol-lint" when it has a trace.
  std::string checker;
  Verdict verdict = Verdict::kUnknown;
  std::string summary;                 // one line
  std::vector<std::string> evidence;   // offending operations with events...
  nlohmann::json details = nlohmann::json::object();  // machine-readable
  // Advice that does not change the verdict (protocol-lint's findings),
  // one line each; rendered apart from the evidence.
  std::vector<std::string> warnings;
};

// Runs every checker that applies, in the order listed in
// CheckerReport::checker; the two trace checkers only when run.trace is set.
std::vector<CheckerReport> CheckAll(const RunArtifacts& run);

// invalid if any report is invalid, else unknown if any is unknown, else
// valid. An empty list is unknown.
Verdict Overall(const std::vector<CheckerReport>& reports);

// Loads DIR/run.json (limits, optional "monotonic_origin_ns"),
// DIR/history.jsonl, the registry file named by run.json's "registry"
// (default registry/sandboxes.json), the other names in its directory and,
// if present, the trace DIR/trace.jsonl. On failure returns nullopt and
// sets *error to a one-line reason naming the file (and line, for the
// history and the trace).
// REQUIRES: error != nullptr.
std::optional<RunArtifacts> LoadRunDirectory(const std::filesystem::path& dir,
                                             std::string* error);

// Checks that `bytes` is a registry document (docs/checkers.md, "Registry
// schema"): parses as JSON, `sandboxes` entries are objects whose `name`
// equals their key, known fields have their types, and `defaultSandbox` is
// null or names an entry. Returns nullopt if it is, else a one-line reason
// naming the offending path, e.g. "sandboxes.w1-3.gpuEnabled: expected a
// boolean". The runner calls this on every reader sample.
std::optional<std::string> ValidateRegistryDocument(std::string_view bytes);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECK_H_
