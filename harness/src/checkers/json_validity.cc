// json_validity.cc: reader samples and the final file must be registries.

#include "lockharness/harness/checkers/json_validity.h"

#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

namespace {

// `forged_final`: the final file is the corrupt registry forged before the
// run; it is not judged here (`final` is then empty).
CheckerReport Check(const RunArtifacts& run, const FinalRegistry& final, bool forged_final) {
  CheckerReport report;
  report.checker = kJsonValidityChecker;
  int64_t samples = 0;
  int64_t invalid = 0;
  int64_t unjudged = 0;
  const Event* first_invalid = nullptr;
  for (const Event& event : run.history) {
    if (event.type != EventType::kRead) continue;
    ++samples;
    if (!event.valid) {
      ++unjudged;
    } else if (!*event.valid) {
      ++invalid;
      if (first_invalid == nullptr) first_invalid = &event;
    }
  }
  std::optional<std::string> final_error;
  if (final.present) {
    final_error = final.document ? ValidateRegistryJson(*final.document) : final.parse_error;
  }
  report.details = {{"reader_samples", samples},
                    {"invalid_samples", invalid},
                    {"unjudged_samples", unjudged},
                    {"final_file", !final.present ? "absent"
                                   : final_error  ? "invalid"
                                                  : "valid"}};
  if (first_invalid != nullptr) {
    report.verdict = Verdict::kInvalid;
    report.summary = std::to_string(invalid) + " of " + std::to_string(samples) +
                     " reader samples were not a valid registry; first at " +
                     FormatMillis(first_invalid->t) + ": " + first_invalid->error;
    report.evidence.push_back("first invalid sample (reader pid " +
                              std::to_string(first_invalid->pid) + "):");
    report.evidence.push_back("  " + FormatEvent(*first_invalid));
  }
  if (final_error) {
    report.verdict = Verdict::kInvalid;
    std::string line = "the final registry file is invalid: " + *final_error;
    if (report.summary.empty()) report.summary = line;
    report.evidence.push_back(line);
  }
  if (report.verdict == Verdict::kInvalid) return report;
  report.verdict = Verdict::kValid;
  report.summary = std::to_string(samples - unjudged) + " reader samples valid; final file " +
                   (forged_final    ? "is the corrupt registry forged before the run, "
                                      "untouched (see corrupt-registry)"
                    : final.present ? "valid"
                                    : "absent (empty registry)");
  if (unjudged > 0) {
    report.summary += "; " + std::to_string(unjudged) + " samples unjudged";
  }
  return report;
}

}  // namespace

CheckerReport CheckJsonValidity(const RunArtifacts& run) {
  return CheckJsonValidity(run, ParseFinalRegistry(run));
}

CheckerReport CheckJsonValidity(const RunArtifacts& run, const FinalRegistry& final) {
  return Check(run, final, /*forged_final=*/false);
}

CheckerReport CheckJsonValidityBesideForgedFinal(const RunArtifacts& run) {
  return Check(run, FinalRegistry{}, /*forged_final=*/true);
}

}  // namespace lockharness::harness
