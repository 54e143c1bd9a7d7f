// mutual_exclusion.cc: reported lock spans must not overlap.

#include "lockharness/harness/checkers/mutual_exclusion.h"

#include <algorithm>

#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/completion_errors.h"

namespace lockharness::harness {
namespace {

struct Span {
  int64_t acquired;
  int64_t released;
  const Operation* op;
};

void AddOperationEvidence(const char* label, const Operation& op, std::vector<std::string>* out) {
  out->push_back(std::string(label) + DescribeOperation(op) + ", lock held " +
                 FormatMillis(*op.completion->lock_acquired) + " .. " +
                 FormatMillis(*op.completion->lock_released));
  for (std::string& line : OperationEventLines(op)) out->push_back(line);
}

// True if the harness stole the lock from `op`'s process while it held it:
// its span then no longer stands for exclusive ownership.
bool LockStolenDuring(const Operation& op, const std::vector<const Event*>& steals) {
  const Event& done = *op.completion;
  for (const Event* steal : steals) {
    if (steal->pid == done.pid && steal->t >= *done.lock_acquired &&
        steal->t <= *done.lock_released) {
      return true;
    }
  }
  return false;
}

}  // namespace

CheckerReport CheckMutualExclusion(const OperationIndex& index) {
  return CheckMutualExclusion(index, {});
}

CheckerReport CheckMutualExclusion(const OperationIndex& index, const std::vector<Event>& history) {
  CheckerReport report;
  report.checker = kMutualExclusionChecker;
  std::vector<const Event*> steals;
  for (const Event& event : history) {
    if (event.type == EventType::kFault && event.fault == "steal-lock") steals.push_back(&event);
  }
  std::vector<Span> spans;
  std::vector<const Operation*> malformed;
  const Operation* reversed = nullptr;
  int64_t excused = 0;
  bool any_effect = false;
  for (const Operation& op : index.operations) {
    if (IsMutating(op.kind) && (op.outcome == Outcome::kOk || op.outcome == Outcome::kInfo)) {
      any_effect = true;
    }
    if (op.outcome != Outcome::kOk && op.outcome != Outcome::kFail) continue;
    const Event& done = *op.completion;
    if (HasMalformedSpan(done)) malformed.push_back(&op);
    if (!done.lock_acquired || !done.lock_released) continue;
    if (!steals.empty() && LockStolenDuring(op, steals)) {
      ++excused;
      continue;
    }
    if (*done.lock_released < *done.lock_acquired && reversed == nullptr) {
      reversed = &op;
    }
    spans.push_back({*done.lock_acquired, *done.lock_released, &op});
  }
  if (!malformed.empty()) {
    // The implementation claimed to report when it held the lock and
    // printed something else: a contract violation, never ignored.
    report.verdict = Verdict::kInvalid;
    report.summary = std::to_string(malformed.size()) +
                     " operations reported a malformed lock span; first: op " +
                     std::to_string(malformed.front()->id) + ": " +
                     malformed.front()->completion->error;
    for (size_t i = 0; i < malformed.size() && i < 10; ++i) {
      report.evidence.push_back(DescribeOperation(*malformed[i]));
      for (std::string& line : OperationEventLines(*malformed[i])) {
        report.evidence.push_back(line);
      }
    }
    report.details = {{"spans", spans.size()}, {"malformed_spans", malformed.size()}};
    return report;
  }
  if (spans.empty() && !any_effect) {
    report.verdict = Verdict::kValid;
    report.summary = "no operation took effect or may have: nothing can overlap";
    report.details = {{"spans", 0}};
    return report;
  }
  if (spans.empty()) {
    report.verdict = Verdict::kUnknown;
    report.summary = "no lock spans reported (the implementation does not report them)";
    report.details = {{"spans", 0}};
    return report;
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.acquired < b.acquired; });
  // Sweep in acquire order, remembering the span that reaches furthest.
  int64_t overlaps = 0;
  const Span* furthest = &spans[0];
  const Span* first_a = nullptr;
  const Span* first_b = nullptr;
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].acquired < furthest->released) {
      ++overlaps;
      if (first_a == nullptr) {
        first_a = furthest;
        first_b = &spans[i];
      }
    }
    if (spans[i].released > furthest->released) furthest = &spans[i];
  }
  report.details = {
      {"spans", spans.size()}, {"overlaps", overlaps}, {"spans_of_steal_victims", excused}};
  if (reversed != nullptr) {
    report.verdict = Verdict::kInvalid;
    report.summary =
        "op " + std::to_string(reversed->id) + " reports a lock span that ends before it starts";
    AddOperationEvidence("", *reversed, &report.evidence);
    return report;
  }
  if (first_a != nullptr) {
    report.verdict = Verdict::kInvalid;
    report.summary = "lock spans of op " + std::to_string(first_a->op->id) + " and op " +
                     std::to_string(first_b->op->id) + " overlap; " + std::to_string(overlaps) +
                     " overlapping acquisitions in all";
    AddOperationEvidence("held: ", *first_a->op, &report.evidence);
    AddOperationEvidence("acquired while held: ", *first_b->op, &report.evidence);
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = std::to_string(spans.size()) + " lock spans, none overlapping";
  if (excused > 0) {
    report.summary +=
        " (" + std::to_string(excused) + " spans of holders whose lock the harness stole left out)";
  }
  return report;
}

}  // namespace lockharness::harness
