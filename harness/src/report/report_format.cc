// report_format.cc: JSON and text renderings of the verdicts (see
// report_format.h).

#include "lockharness/harness/report/report_format.h"

namespace lockharness::harness {

nlohmann::json ReportsToJson(const std::vector<CheckerReport>& reports) {
  nlohmann::json checkers = nlohmann::json::array();
  for (const CheckerReport& report : reports) {
    checkers.push_back({{"checker", report.checker},
                        {"verdict", VerdictName(report.verdict)},
                        {"summary", report.summary},
                        {"evidence", report.evidence},
                        {"warnings", report.warnings},
                        {"details", report.details}});
  }
  return {{"verdict", VerdictName(Overall(reports))}, {"checkers", checkers}};
}

std::string ReportsToText(const std::vector<CheckerReport>& reports) {
  std::string text = "overall: " + std::string(VerdictName(Overall(reports))) + "\n";
  for (const CheckerReport& report : reports) {
    text += "\n" + report.checker + ": " + std::string(VerdictName(report.verdict)) + " - " +
            report.summary + "\n";
    for (const std::string& line : report.evidence) text += "  " + line + "\n";
    for (const std::string& line : report.warnings) {
      text += "  warning: " + line + "\n";
    }
  }
  return text;
}

}  // namespace lockharness::harness
