// report.h: the verdict files of a run (report.json, report.txt).
//
// BuildReport() combines the run configuration (run.json), the history and
// the checkers' findings into one JSON document: the overall verdict, each
// checker's verdict, summary and evidence, operation counts (ok/fail/info per
// operation kind), throughput, latency percentiles, the seed and the command
// that replays the run. FormatReportText() renders it for people. Both `run`
// and `check` write the pair with WriteReportFiles().
//
// Usage:
//   nlohmann::json report = BuildReport(config, artifacts.history, findings, notes);
//   std::string error;
//   if (!WriteReportFiles(dir, report, &error)) ...;
//   std::cout << FormatReportText(report);

#ifndef LOCKHARNESS_HARNESS_RUNNER_REPORT_H_
#define LOCKHARNESS_HARNESS_RUNNER_REPORT_H_

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"
#include "lockharness/harness/history.h"

namespace lockharness::harness::runner {

// Operation counts, throughput and latency computed from a history.
// Latency is invoke-to-completion of every completed operation.
nlohmann::json OperationStats(const std::vector<Event>& history);

// `run_notes` is RunOutcome::ToJson() for `run`, or the notes kept from an
// earlier report for `check` (null if none). `verdict` is the overall
// verdict to report (the caller may downgrade it, e.g. after an interrupt).
nlohmann::json BuildReport(const nlohmann::json& run_config,
                           const std::vector<Event>& history,
                           const std::vector<CheckerReport>& findings,
                           Verdict verdict, const nlohmann::json& run_notes);

// A report for a run that could not be judged (not runnable, harness error):
// verdict "unknown", the reason, no checkers.
nlohmann::json BuildUnjudgedReport(const nlohmann::json& run_config,
                                   const nlohmann::json& run_notes,
                                   const std::string& reason);

std::string FormatReportText(const nlohmann::json& report);

// "lockharness run --impl '...' --mode per-op --writers 8 ... --seed 42".
std::string ReplayCommand(const nlohmann::json& run_config);

// Writes DIR/report.json and DIR/report.txt. false with *error on failure.
bool WriteReportFiles(const std::filesystem::path& dir,
                      const nlohmann::json& report, std::string* error);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_REPORT_H_
