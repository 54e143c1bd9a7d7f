// mutual_exclusion.cc: reported lock spans must not overlap.

#include "lockharness/harness/checkers/mutual_exclusion.h"

#include <algorithm>

namespace lockharness::harness {
namespace {

struct Span {
  int64_t acquired;
  int64_t released;
  const Operation* op;
};

void AddOperationEvidence(const char* label, const Operation& op,
                          std::vector<std::string>* out) {
  out->push_back(std::string(label) + DescribeOperation(op) + ", lock held " +
                 FormatMillis(*op.completion->lock_acquired) + " .. " +
                 FormatMillis(*op.completion->lock_released));
  for (std::string& line : OperationEventLines(op)) out->push_back(line);
}

}  // namespace

CheckerReport CheckMutualExclusion(const OperationIndex& index) {
  CheckerReport report;
  report.checker = "mutual-exclusion";
  std::vector<Span> spans;
  const Operation* reversed = nullptr;
  for (const Operation& op : index.operations) {
    if (op.outcome != Outcome::kOk && op.outcome != Outcome::kFail) continue;
    const Event& done = *op.completion;
    if (!done.lock_acquired || !done.lock_released) continue;
    if (*done.lock_released < *done.lock_acquired && reversed == nullptr) {
      reversed = &op;
    }
    spans.push_back({*done.lock_acquired, *done.lock_released, &op});
  }
  if (spans.empty()) {
    report.verdict = Verdict::kUnknown;
    report.summary = "no lock spans reported (per-op mode)";
    report.details = {{"spans", 0}};
    return report;
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.acquired < b.acquired;
  });
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
  report.details = {{"spans", spans.size()}, {"overlaps", overlaps}};
  if (reversed != nullptr) {
    report.verdict = Verdict::kInvalid;
    report.summary = "op " + std::to_string(reversed->id) +
                     " reports a lock span that ends before it starts";
    AddOperationEvidence("", *reversed, &report.evidence);
    return report;
  }
  if (first_a != nullptr) {
    report.verdict = Verdict::kInvalid;
    report.summary = "lock spans of op " + std::to_string(first_a->op->id) +
                     " and op " + std::to_string(first_b->op->id) +
                     " overlap; " + std::to_string(overlaps) +
                     " overlapping acquisitions in all";
    AddOperationEvidence("held: ", *first_a->op, &report.evidence);
    AddOperationEvidence("acquired while held: ", *first_b->op,
                         &report.evidence);
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary =
      std::to_string(spans.size()) + " lock spans, none overlapping";
  return report;
}

}  // namespace lockharness::harness
