// The declared lock convention against the observed one (see
// lock_convention_check.h).

#include "lockharness/harness/checkers/lock_convention_check.h"

#include <map>

namespace lockharness::harness {
namespace {

std::string Describe(const ObservedAcquisition& a) {
  return std::string(runner::LockConventionName(a.convention)) + " (" + a.how_acquired +
         ", trace line " + std::to_string(a.line) + ")";
}

}  // namespace

std::optional<ObservedAcquisition> FirstObservedAcquisition(
    const std::vector<ObservedSpan>& spans) {
  const ObservedSpan* first = nullptr;
  std::optional<runner::LockConvention> convention;
  for (const ObservedSpan& s : spans) {
    auto c = runner::ObservedConvention(s.convention);
    if (!c) continue;
    if (first == nullptr || s.start_earliest < first->start_earliest ||
        (s.start_earliest == first->start_earliest && s.start_line < first->start_line)) {
      first = &s;
      convention = c;
    }
  }
  if (first == nullptr) return std::nullopt;
  return ObservedAcquisition{*convention, first->how_acquired, first->start_line};
}

CheckerReport CheckLockConvention(const std::string& declared,
                                  const std::vector<ObservedSpan>& spans) {
  CheckerReport report;
  report.checker = kLockConventionChecker;
  const runner::LockConvention want =
      runner::ParseLockConvention(declared).value_or(runner::LockConvention::kNone);
  // The first acquisition of each observed convention, in trace order.
  std::map<runner::LockConvention, ObservedAcquisition> seen;
  std::map<runner::LockConvention, size_t> counts;
  for (const ObservedSpan& s : spans) {
    auto c = runner::ObservedConvention(s.convention);
    if (!c) continue;
    ++counts[*c];
    auto it = seen.find(*c);
    if (it == seen.end() || s.start_line < it->second.line) {
      seen[*c] = ObservedAcquisition{*c, s.how_acquired, s.start_line};
    }
  }
  nlohmann::json observed = nlohmann::json::object();
  for (const auto& [c, n] : counts) observed[std::string(runner::LockConventionName(c))] = n;
  report.details = {{"declared", declared}, {"observed", observed}};
  const auto first = FirstObservedAcquisition(spans);
  if (!first) {
    if (want == runner::LockConvention::kNone) {
      report.verdict = Verdict::kValid;
      report.summary = "declared none, and the trace shows no lock";
    } else {
      report.verdict = Verdict::kUnknown;
      report.summary = "declared " + declared +
                       ", but the trace shows no lock acquisition to compare (a lock on a path "
                       "the trace does not watch, or none at all)";
    }
    return report;
  }
  report.details["first_observed"] = std::string(runner::LockConventionName(first->convention));
  if (want != runner::LockConvention::kNone && seen.count(want) != 0) {
    report.verdict = Verdict::kValid;
    report.summary = "declared " + declared + "; observed " + std::to_string(counts[want]) +
                     " acquisitions of it, the first " + Describe(seen[want]);
    return report;
  }
  report.verdict = Verdict::kInvalid;
  report.summary = "declared lock convention " + declared + " contradicts the trace: it shows " +
                   (want == runner::LockConvention::kNone ? "locks" : "no " + declared + " lock") +
                   ", and its first acquisition is " + Describe(*first) +
                   "; scenarios chosen or forged for " + declared + " may not apply";
  for (const auto& [c, a] : seen) {
    report.evidence.push_back("observed " + Describe(a) + ", " + std::to_string(counts[c]) +
                              " acquisitions in all");
  }
  return report;
}

}  // namespace lockharness::harness
