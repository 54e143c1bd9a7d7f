// check.h: judging a finished run.
//
// A run leaves a history (history.h), the final registry file and whatever
// else remains in the registry directory (RunArtifacts, run_artifacts.h).
// CheckAll() runs every checker on them; each returns a CheckerReport whose
// verdict is valid, invalid (with evidence naming the offending operations)
// or unknown (not enough information to decide). No checker passes
// silently. docs/checkers.md describes each checker's rules.
//
// This header includes the parts, each declared beside its source file:
//   checkers/checker_report.h   Verdict, CheckerReport, Overall()
//   checkers/run_artifacts.h    RunArtifacts, CheckLimits
//   checkers/check_all.h        CheckAll()
//   checkers/final_registry.h   ValidateRegistryDocument(), the final file
//   run_dir/load_run.h          LoadRunDirectory()
//
// Typical use (what `lockharness check DIR` does, cli/run_once.cc):
//   std::string error;
//   std::optional<RunArtifacts> run = LoadRunDirectory(dir, &error);
//   if (!run) { /* harness error: report `error`, exit 2 */ }
//   std::vector<CheckerReport> reports = CheckAll(*run);
//   Verdict verdict = Overall(reports);
//   nlohmann::json report =
//       runner::BuildReport(run_config, run->history, reports, verdict, notes);
//   runner::WriteReportFiles(dir, report, &run->history, &error);  // results.json, report.txt, ...
//   return cli::ExitCodeFor(verdict);                              // 0, 1 or 2

#ifndef LOCKHARNESS_HARNESS_CHECK_H_
#define LOCKHARNESS_HARNESS_CHECK_H_

#include "lockharness/harness/checkers/check_all.h"
#include "lockharness/harness/checkers/checker_report.h"
#include "lockharness/harness/checkers/final_registry.h"
#include "lockharness/harness/checkers/run_artifacts.h"
#include "lockharness/harness/run_dir/load_run.h"

#endif  // LOCKHARNESS_HARNESS_CHECK_H_
