// report_format.h: checker reports rendered as JSON and as text, one block
// per checker under the overall verdict.
//
// A run's own results.json and report.txt are BuildReport() and
// FormatReportText() (run_report.h), which add the run's configuration and
// statistics.

#ifndef LOCKHARNESS_HARNESS_REPORT_REPORT_FORMAT_H_
#define LOCKHARNESS_HARNESS_REPORT_REPORT_FORMAT_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/checkers/checker_report.h"

namespace lockharness::harness {

// {"verdict": "...", "checkers": [{"checker", "verdict", "summary",
//  "evidence", "warnings", "details"}...]}.
nlohmann::json ReportsToJson(const std::vector<CheckerReport>& reports);

// Human-readable report: one block per checker (warnings after the
// evidence, each prefixed "warning: ").
std::string ReportsToText(const std::vector<CheckerReport>& reports);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_REPORT_REPORT_FORMAT_H_
