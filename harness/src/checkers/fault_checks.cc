// fault_checks.cc: corrupt-registry and fault-coverage (see fault_checks.h).

#include "lockharness/harness/checkers/fault_checks.h"

#include <map>

#include "lockharness/harness/checkers/names.h"

namespace lockharness::harness {

bool FinalIsForgedCorruptRegistry(const RunArtifacts& run) {
  return run.forged_corrupt_registry && run.final_registry == run.forged_corrupt_registry;
}

CheckerReport CheckCorruptRegistry(const RunArtifacts& run, const OperationIndex& index) {
  CheckerReport report;
  report.checker = kCorruptRegistryChecker;
  report.details = {{"copies", run.corrupt_copies}};
  if (run.corrupt_copies.empty()) {
    report.verdict = Verdict::kInvalid;
    report.summary =
        "the corrupt registry forged before the run was destroyed: no file in the "
        "registry directory keeps its bytes (silently reset or overwritten)";
    return report;
  }
  if (FinalIsForgedCorruptRegistry(run)) {
    std::vector<const Operation*> claimed;
    for (const Operation& op : index.operations) {
      if (IsMutating(op.kind) && op.outcome == Outcome::kOk) claimed.push_back(&op);
    }
    if (!claimed.empty()) {
      report.verdict = Verdict::kInvalid;
      report.summary = std::to_string(claimed.size()) +
                       " mutating operations claimed success, yet the registry file is "
                       "still the corrupt one; first: " +
                       DescribeOperation(*claimed.front());
      for (std::string& line : OperationEventLines(*claimed.front())) {
        report.evidence.push_back(line);
      }
      return report;
    }
    report.verdict = Verdict::kValid;
    report.summary = "the corrupt registry is untouched and every mutation was refused";
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = "the corrupt registry's bytes are kept in " + run.corrupt_copies.front() +
                   "; the registry was started afresh";
  return report;
}

CheckerReport CheckFaultCoverage(const RunArtifacts& run) {
  CheckerReport report;
  report.checker = kFaultCoverageChecker;
  std::map<std::string, int64_t> acted;
  for (const std::string& kind : run.configured_faults) acted[kind] = 0;
  std::map<std::string, std::string> not_applicable;  // kind -> its event's target
  for (const Event& event : run.history) {
    if (event.type != EventType::kFault) continue;
    if (event.fault == "not-applicable") {
      not_applicable.emplace(event.kind, event.target);
      continue;
    }
    // A pause is one action: its SIGCONT ends the SIGSTOP already counted.
    if (event.fault == "sigcont") continue;
    auto it = acted.find(event.kind);
    if (it != acted.end()) ++it->second;
  }
  nlohmann::json counts = nlohmann::json::object();
  std::vector<std::string> idle;
  std::string summary;
  for (const auto& [kind, count] : acted) {
    counts[kind] = count;
    if (count == 0) idle.push_back(kind);
    summary += (summary.empty() ? "" : ", ") + kind + " x" + std::to_string(count);
  }
  report.details = {{"actions", counts}};
  if (!idle.empty()) {
    report.verdict = Verdict::kUnknown;
    // A nemesis that found its target but cannot act on it (steal-lock
    // against a kernel lock) says why: not applicable, never a pass.
    for (const std::string& kind : idle) {
      if (auto it = not_applicable.find(kind); it != not_applicable.end()) {
        report.summary = it->second + "; the run did not test what it was configured to test";
        report.details["not_applicable"] = kind;
        for (const std::string& k : idle) report.evidence.push_back("never acted: " + k);
        return report;
      }
    }
    report.summary = idle.front() +
                     " never acted (no target found: for holder-directed nemeses, the holder "
                     "oracle found no writer process holding the lock); the run did not test "
                     "what it was configured to test";
    for (const std::string& kind : idle) report.evidence.push_back("never acted: " + kind);
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = "every configured fault acted: " + summary;
  return report;
}

}  // namespace lockharness::harness
