// checker_report.cc: verdict names and the overall verdict (see
// checker_report.h).

#include "lockharness/harness/checkers/checker_report.h"

namespace lockharness::harness {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return "valid";
    case Verdict::kInvalid: return "invalid";
    case Verdict::kUnknown: return "unknown";
  }
  return "unknown";
}

Verdict Overall(const std::vector<CheckerReport>& reports) {
  if (reports.empty()) return Verdict::kUnknown;
  Verdict overall = Verdict::kValid;
  for (const CheckerReport& report : reports) {
    if (report.verdict == Verdict::kInvalid) return Verdict::kInvalid;
    if (report.verdict == Verdict::kUnknown) overall = Verdict::kUnknown;
  }
  return overall;
}

std::string UnknownVerdictReason(const std::vector<CheckerReport>& reports) {
  std::string reason = "verdict unknown";
  bool first = true;
  for (const CheckerReport& report : reports) {
    if (report.verdict != Verdict::kUnknown) continue;
    reason += (first ? ": " : "; ") + report.checker + ": " + report.summary;
    first = false;
  }
  return reason;
}

}  // namespace lockharness::harness
