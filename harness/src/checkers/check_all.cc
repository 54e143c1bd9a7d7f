// check_all.cc: runs every checker over one run's artifacts.

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/final_registry.h"
#include "lockharness/harness/checkers/json_validity.h"
#include "lockharness/harness/checkers/leftovers.h"
#include "lockharness/harness/checkers/lost_update.h"
#include "lockharness/harness/checkers/mutual_exclusion.h"
#include "lockharness/harness/checkers/operations.h"
#include "lockharness/harness/checkers/progress.h"

namespace lockharness::harness {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return "valid";
    case Verdict::kInvalid: return "invalid";
    case Verdict::kUnknown: return "unknown";
  }
  return "unknown";
}

std::vector<CheckerReport> CheckAll(const RunArtifacts& run) {
  // Pair the events once; the checkers share the index.
  OperationIndex index = IndexOperations(run.history);
  FinalRegistry final = ParseFinalRegistry(run);
  std::vector<CheckerReport> reports;
  reports.push_back(CheckLostUpdate(run, index, final));
  reports.push_back(CheckJsonValidity(run, final));
  reports.push_back(CheckLeftovers(run, index));
  reports.push_back(CheckMutualExclusion(index));
  reports.push_back(CheckProgress(run, index));
  return reports;
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

}  // namespace lockharness::harness
