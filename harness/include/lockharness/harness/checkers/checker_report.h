// checker_report.h: what a checker says about a run: a verdict (valid,
// invalid with evidence naming the offending operations, or unknown: not
// enough information to decide), a summary and details; and the overall
// verdict of several.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_CHECKER_REPORT_H_
#define LOCKHARNESS_HARNESS_CHECKERS_CHECKER_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lockharness::harness {

enum class Verdict { kValid, kInvalid, kUnknown };

// "valid" | "invalid" | "unknown".
std::string_view VerdictName(Verdict verdict);

struct CheckerReport {
  // "lost-update", "json-validity", "leftovers", "mutual-exclusion",
  // "progress"; "corrupt-registry" and "fault-coverage" when the run forged
  // a corrupt registry or configured faults; "trace-mutual-exclusion" and
  // "protocol-lint" when it has a trace.
  std::string checker;
  Verdict verdict = Verdict::kUnknown;
  std::string summary;                                // one line
  std::vector<std::string> evidence;                  // offending operations with events...
  nlohmann::json details = nlohmann::json::object();  // machine-readable
  // Advice that does not change the verdict (protocol-lint's findings),
  // one line each; rendered apart from the evidence.
  std::vector<std::string> warnings;
};

// invalid if any report is invalid, else unknown if any is unknown, else
// valid. An empty list is unknown.
Verdict Overall(const std::vector<CheckerReport>& reports);

// Why a run is unknown, for the one-line reason: "verdict unknown: CHECKER:
// SUMMARY; CHECKER: SUMMARY" over the reports that are unknown.
std::string UnknownVerdictReason(const std::vector<CheckerReport>& reports);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_CHECKER_REPORT_H_
