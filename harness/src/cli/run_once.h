// run_once.h: one run, from options to a judged run directory. Shared by
// `run`, `check`, `suite` and `mutants`.
//
// JudgeRunDirectory() runs every checker on a run directory and writes
// results.json, report.txt, junit.xml and timeline.html; ExecuteAndJudge()
// performs the run first. Neither exits or prints errors: the caller
// decides (a suite goes on with its next scenario).

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_RUN_ONCE_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_RUN_ONCE_H_

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"
#include "lockharness/harness/runner/run.h"
#include "src/cli/common.h"

namespace lockharness::harness::cli {

struct RunResult {
  Verdict verdict = Verdict::kUnknown;
  bool judged = false;  // false: not runnable, harness error
  std::string reason;   // one line: why unjudged or why unknown
  // Not judged because the implementation has no worker mode (its first
  // worker exited before answering): RunOutcome::no_worker_mode.
  bool no_worker_mode = false;
  std::vector<CheckerReport> findings;
  std::string report_text;  // report.txt's contents, when judged
  double seconds = 0;
  // A crash run's: the command that re-judges it, and a one-line summary
  // of its states for the suite line (empty for ordinary runs, whose
  // report carries the replay line).
  std::string replay;
  std::string crash_summary;
};

// `notes`: RunOutcome::ToJson() of the run, or what an earlier report kept.
// An incomplete run (interrupted, timed out) is at best unknown.
RunResult JudgeRunDirectory(const std::filesystem::path& dir, const nlohmann::json& notes,
                            bool complete);

// Performs the run and judges it. `progress` may be null.
// REQUIRES: options.out_dir is set; options.seed is chosen.
RunResult ExecuteAndJudge(const runner::RunOptions& options, Progress* progress);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_RUN_ONCE_H_
