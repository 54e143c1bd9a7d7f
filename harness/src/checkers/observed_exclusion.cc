// observed_exclusion.cc: mutual exclusion from observed lock spans, and
// reported spans cross-checked against them.

#include "lockharness/harness/checkers/observed_exclusion.h"

#include <map>

#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {
namespace {

bool ReportsSpan(const Operation& op) {
  if (op.outcome != Outcome::kOk && op.outcome != Outcome::kFail) return false;
  return op.completion->lock_acquired && op.completion->lock_released;
}

}  // namespace

size_t ReportedSpanCount(const OperationIndex& index) {
  size_t n = 0;
  for (const Operation& op : index.operations) n += ReportsSpan(op);
  return n;
}

bool AdoptObservedExclusion(const CheckerReport& observed, CheckerReport* reported) {
  if (reported->verdict != Verdict::kUnknown || observed.verdict == Verdict::kUnknown) {
    return false;
  }
  if (reported->details.value("spans", -1) != 0) return false;
  reported->verdict = observed.verdict;
  reported->summary =
      observed.details.value("no_lock", false)
          ? "from observation (the implementation reports no spans, and no "
            "lock was seen): " +
                observed.summary
          : "from observed lock spans (the implementation reports none): " + observed.summary;
  reported->evidence = observed.evidence;
  reported->details["source"] = "observed";
  reported->details["observed"] = observed.details;
  return true;
}

CheckerReport CheckClaimedSpans(const OperationIndex& index,
                                const std::vector<ObservedSpan>& observed,
                                std::optional<int64_t> origin,
                                const std::map<int, int64_t>* traced) {
  CheckerReport report;
  report.checker = kClaimedLockSpansChecker;
  const int64_t zero = origin.value_or(0);
  std::map<int, std::vector<const ObservedSpan*>> by_writer;
  for (const ObservedSpan& s : observed) by_writer[s.writer].push_back(&s);
  size_t claimed = 0, unheld = 0, unattributed = 0, untraced = 0;
  const Operation* first = nullptr;
  for (const Operation& op : index.operations) {
    if (!ReportsSpan(op)) continue;
    ++claimed;
    const int pid = op.pid();
    if (pid <= 0) {
      ++unattributed;
      continue;
    }
    if (traced != nullptr && traced->count(pid) == 0) {
      ++untraced;
      continue;
    }
    const int64_t from = zero + *op.completion->lock_acquired;
    const int64_t to = zero + *op.completion->lock_released;
    bool met = false;
    for (const ObservedSpan* s : by_writer[pid]) {
      // Possibly overlapping, with every uncertainty in the claim's favour.
      if (s->start_earliest <= to && (!s->ended || s->end_latest >= from)) {
        met = true;
        break;
      }
    }
    if (met) continue;
    if (++unheld == 1) first = &op;
  }
  report.details = {{"claimed_spans", claimed},
                    {"observed_spans", observed.size()},
                    {"claimed_without_observed_lock", unheld},
                    {"claims_without_pid", unattributed},
                    {"claims_of_untraced_processes", untraced}};
  if (claimed == 0 || observed.empty() || claimed == unattributed + untraced) {
    report.verdict = Verdict::kUnknown;
    report.summary = claimed == 0 ? "no lock spans reported: nothing to cross-check"
                     : observed.empty()
                         ? "the trace shows no lock span to cross-check the " +
                               std::to_string(claimed) + " reported ones against"
                         : "none of the " + std::to_string(claimed) +
                               " reported lock spans comes from a process the trace shows";
    return report;
  }
  if (first != nullptr) {
    report.verdict = Verdict::kInvalid;
    const Event& done = *first->completion;
    report.summary = "op " + std::to_string(first->id) + " reports holding the lock " +
                     FormatMillis(*done.lock_acquired) + " .. " +
                     FormatMillis(*done.lock_released) + " but the trace shows pid " +
                     std::to_string(first->pid()) + " holding no lock then";
    if (unheld > 1) {
      report.summary += "; " + std::to_string(unheld) + " such claims in all";
    }
    report.evidence.push_back("claimed: " + DescribeOperation(*first));
    for (std::string& line : OperationEventLines(*first)) report.evidence.push_back(line);
    const auto& own = by_writer[first->pid()];
    if (own.empty()) {
      report.evidence.push_back("observed: no lock span of pid " + std::to_string(first->pid()) +
                                " (or of a process it started) in the whole trace");
    } else {
      for (const ObservedSpan* s : own) {
        if (report.evidence.size() > 12) break;
        report.evidence.push_back(
            "observed span of pid " + std::to_string(s->writer) + ": " + s->how_acquired +
            " from trace line " + std::to_string(s->start_line) + " at " +
            FormatTraceTime(s->start_latest, origin) +
            (s->ended
                 ? " until " + FormatTraceTime(s->end_latest, origin)
                 : " until its last traced call at " + FormatTraceTime(s->end_latest, origin)));
      }
    }
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = std::to_string(claimed - unattributed - untraced) +
                   " reported lock spans, each meeting an observed lock span of its writer";
  if (unattributed > 0) {
    report.summary += " (" + std::to_string(unattributed) + " without a pid not checked)";
  }
  if (untraced > 0) {
    report.summary +=
        " (" + std::to_string(untraced) + " of processes the trace does not show not checked)";
  }
  return report;
}

}  // namespace lockharness::harness
