// run_report.h: the verdict files of a run (results.json, report.txt,
// junit.xml, timeline.html).
//
// BuildReport() combines the run configuration (run.json), the history and
// the checkers' findings into one JSON document: the overall verdict, each
// checker's verdict, summary and evidence, operation counts (ok/fail/info per
// operation kind), throughput, latency percentiles, the seed and the command
// that replays the run. FormatReportText() renders it for people. Both `run`
// and `check` write all four files with WriteReportFiles().
//
// Usage:
//   nlohmann::json report =
//       BuildReport(config, artifacts.history, findings, Overall(findings), notes);
//   std::string error;
//   if (!WriteReportFiles(dir, report, &artifacts.history, &error)) ...;
//   std::cout << FormatReportText(report);

#ifndef LOCKHARNESS_HARNESS_REPORT_RUN_REPORT_H_
#define LOCKHARNESS_HARNESS_REPORT_RUN_REPORT_H_

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"
#include "lockharness/harness/history.h"
#include "lockharness/harness/report/junit.h"

namespace lockharness::harness::runner {

// Operation counts, throughput and latency computed from a history.
// Latency is invoke-to-completion of every completed operation.
nlohmann::json OperationStats(const std::vector<Event>& history);

// `run_notes` is RunOutcome::ToJson() for `run`, or the notes kept from an
// earlier report for `check` (null if none). `verdict` is the overall
// verdict to report (the caller may downgrade it, e.g. after an interrupt).
nlohmann::json BuildReport(const nlohmann::json& run_config, const std::vector<Event>& history,
                           const std::vector<CheckerReport>& findings, Verdict verdict,
                           const nlohmann::json& run_notes);

// A report for a run that could not be judged (not runnable, harness error):
// verdict "unknown", the reason, no checkers.
nlohmann::json BuildUnjudgedReport(const nlohmann::json& run_config,
                                   const nlohmann::json& run_notes, const std::string& reason);

std::string FormatReportText(const nlohmann::json& report);

// "lockharness run --impl '...' --mode per-op --writers 8 ... --seed 42":
// the whole configuration of run.json (workload, limits, nemeses, setup,
// interposer faults, trace, fleet, env, ...) as flags (run_config.h
// ToFlags), shell-quoted. A run.json the codec refuses gives
// "(no replay line: run.json: <why>)".
std::string ReplayCommand(const nlohmann::json& run_config);

// "IMPL seed SEED": the name of the run in junit.xml and timeline.html.
std::string RunName(const nlohmann::json& report);

// The run as one JUnit suite: a case per checker (valid passes, invalid is
// a failure, unknown an error); a report without checkers (not judged) is
// one error case "run" with the reason.
report::JunitSuite JunitSuiteFor(const nlohmann::json& report);

// Writes into DIR:
//   results.json   the report (BuildReport());
//   report.txt     FormatReportText();
//   junit.xml      JunitSuiteFor() (report/junit.h);
//   timeline.html  the history drawn (report/timeline.h); if `history` is
//                  null it is read from DIR/history.jsonl, and if that
//                  fails the page says why and draws nothing.
// Returns false with *error = "cannot write PATH" if a file cannot be
// written (files before it are written).
// REQUIRES: error != nullptr; DIR exists.
bool WriteReportFiles(const std::filesystem::path& dir, const nlohmann::json& report,
                      const std::vector<Event>* history, std::string* error);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_REPORT_RUN_REPORT_H_
