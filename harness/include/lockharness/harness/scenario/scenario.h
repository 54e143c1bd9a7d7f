// scenario.h: scenario files, a run described in TOML (docs/scenarios.md).
//
// A scenario file combines a workload, limits, extra environment, interposer
// faults, nemeses and setup steps with the verdict expected for the
// reference implementation. Loading checks the whole file strictly: unknown
// keys or tables, wrong types and out-of-range values are errors, reported
// as one line `<file>:<line>:<column>: <what>` that names the key.
//
// A file with a [crash] table is a crash scenario: a power-loss run
// (`lockharness crash`) on the workload's writers, ops and seed and the
// limits' takeover_bound_ms, stale_ms, op_timeout_ms and run_timeout_ms,
// with the [crash] table's model, states and recover_states; nothing else
// may be set (no nemeses, faults, setup, environment or lint expectation).
// Keys it leaves out keep `lockharness crash`'s defaults.
//
// The implementation under test is not part of a scenario (`run.impl` stays
// empty; the command line gives it), nor is the output directory. A
// scenario written for one implementation (scenarios/known-bugs/) names its
// catalog adapter instead (`adapter`); the suite runner resolves it
// (src/cli/scenario_adapter.h).
//
// Usage:
//   std::string error;
//   std::optional<Scenario> s = LoadScenario("scenarios/smoke/x.toml", &error);
//   if (!s) { std::cerr << error << "\n"; return 2; }
//   s->run.impl = impl; s->run.out_dir = dir;
//   if (seed_given) s->run.seed = seed;     // the command line wins
//   RunOutcome outcome = ExecuteRun(s->run);

#ifndef LOCKHARNESS_HARNESS_SCENARIO_SCENARIO_H_
#define LOCKHARNESS_HARNESS_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/harness/runner/lock_convention.h"
#include "lockharness/harness/runner/run.h"

namespace lockharness::harness::scenario {

struct Scenario {
  std::string name;            // `name`, default: the file's stem
  std::string description;     // `description`, default: empty
  std::filesystem::path file;  // as passed to the loader
  runner::RunOptions run;      // impl and out_dir left empty
  enum class Expect { kValid, kInvalid };
  Expect expect = Expect::kValid;  // `expect = "valid" | "invalid"`
  bool expect_lint_clean = false;  // `expect_lint = "clean" | "any"`
  // `expect_checker`: this checker must be among those reporting invalid
  // (only with expect = "invalid"); empty: any checker will do.
  std::string expect_checker;
  // `adapter`: the catalog adapter the scenario is written for; empty: the
  // command line gives the implementation. Where the key is, for messages
  // about it that need the catalog (line and column 1-based; 0 if absent).
  std::string adapter;
  int adapter_line = 0;
  int adapter_column = 0;
  bool seed_set = false;  // the file set [workload] seed
  // A crash scenario's [crash] table (`run` then holds its workload and
  // limits, with `lockharness crash`'s defaults where the file is silent).
  struct Crash {
    std::string model;  // one of the persistence models' names
    int64_t states = 0;
    int64_t recover_states = 0;
  };
  std::optional<Crash> crash;  // nullopt: an ordinary run scenario
  // `conventions = ["mkdir", "path", ...]`: the lock conventions the
  // scenario means something for (runner/lock_convention.h; groups
  // expanded, each once). Empty: every convention.
  std::vector<runner::LockConvention> conventions;
};

std::string_view ExpectName(Scenario::Expect expect);  // "valid" | "invalid"

// Why `scenario` does not apply to an implementation of `convention`: its
// `conventions` list leaves it out, or one of its setup steps or nemeses
// means nothing for it (runner::NotApplicableFaults). nullopt: it applies.
std::optional<std::string> NotApplicableReason(const Scenario& scenario,
                                               runner::LockConvention convention);

// Operations the scenario plans: writers * ops per writer.
int64_t PlannedOps(const Scenario& scenario);

// Parses `toml_text` as a scenario file. `file_for_messages` is the path
// used in error messages, as `Scenario::file`, and (its stem) as the default
// name. On success returns the scenario; on failure returns nullopt and sets
// *error to one line `<file>:<line>:<column>: <what>`.
// REQUIRES: error != nullptr.
std::optional<Scenario> ParseScenario(std::string_view toml_text,
                                      const std::filesystem::path& file_for_messages,
                                      std::string* error);

// Reads and parses `file`. Failure to read gives `<file>: cannot read: ...`.
// REQUIRES: error != nullptr.
std::optional<Scenario> LoadScenario(const std::filesystem::path& file, std::string* error);

}  // namespace lockharness::harness::scenario

#endif  // LOCKHARNESS_HARNESS_SCENARIO_SCENARIO_H_
