// progress.cc: every operation finishes in time, and a dead holder's lock
// is taken over within the bound.

#include "lockharness/harness/checkers/progress.h"

#include <algorithm>

#include "lockharness/harness/checkers/names.h"

namespace lockharness::harness {
namespace {

constexpr size_t kMaxListed = 10;

double Millis(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// Nearest-rank percentile of a non-empty vector; reorders it.
int64_t Percentile(std::vector<int64_t>* values, double fraction) {
  size_t rank = static_cast<size_t>(fraction * static_cast<double>(values->size()));
  if (rank >= values->size()) rank = values->size() - 1;
  std::nth_element(values->begin(), values->begin() + static_cast<long>(rank),
                   values->end());
  return (*values)[rank];
}

// Faults after which the lock must be taken over: a killed holder, or a
// stale lock forged before the run (its holder is gone by construction).
bool IsHolderKill(const Event& event) {
  if (event.type != EventType::kFault) return false;
  if (event.fault == "forged-lock") return true;
  if (event.fault != "sigkill") return false;
  // Histories written before fault events had a kind: their target text.
  if (event.kind.empty()) return event.target.find("holder") != std::string::npos;
  return event.kind == "kill-holder";
}

struct Write {
  int64_t invoked_at;
  int64_t completed_at;
  const Operation* op;
};

class TakeoverCheck {
 public:
  explicit TakeoverCheck(const OperationIndex& index) {
    for (const Operation& op : index.operations) {
      if (!IsMutating(op.kind)) continue;
      attempts_.push_back(op.invoked_at);
      if (op.outcome == Outcome::kOk) {
        writes_.push_back({op.invoked_at, op.completed_at, &op});
      }
    }
    std::sort(attempts_.begin(), attempts_.end());
    std::sort(writes_.begin(), writes_.end(),
              [](const Write& a, const Write& b) { return a.invoked_at < b.invoked_at; });
    // earliest_[i]: the write among writes_[i..] that completes first.
    earliest_.resize(writes_.size());
    for (size_t i = writes_.size(); i-- > 0;) {
      earliest_[i] = i;
      if (i + 1 < writes_.size() &&
          writes_[earliest_[i + 1]].completed_at < writes_[i].completed_at) {
        earliest_[i] = earliest_[i + 1];
      }
    }
  }

  // How many mutating operations (any outcome) were invoked after `time`.
  int64_t AttemptsAfter(int64_t time) const {
    return attempts_.end() - std::upper_bound(attempts_.begin(), attempts_.end(), time);
  }

  // The ok write invoked after `time` that completed first, or null.
  const Write* FirstWriteAfter(int64_t time) const {
    auto it = std::upper_bound(
        writes_.begin(), writes_.end(), time,
        [](int64_t t, const Write& w) { return t < w.invoked_at; });
    if (it == writes_.end()) return nullptr;
    return &writes_[earliest_[static_cast<size_t>(it - writes_.begin())]];
  }

 private:
  std::vector<Write> writes_;
  std::vector<int64_t> attempts_;  // invoke times of every mutating operation
  std::vector<size_t> earliest_;
};

}  // namespace

CheckerReport CheckProgress(const RunArtifacts& run,
                            const OperationIndex& index) {
  CheckerReport report;
  report.checker = kProgressChecker;
  const CheckLimits& limits = run.limits;
  int64_t counts[4] = {0, 0, 0, 0};
  std::vector<int64_t> latencies;
  latencies.reserve(index.operations.size());
  std::vector<const Operation*> pending;
  std::vector<const Operation*> overran;
  const int64_t allowed = limits.op_timeout_ns + limits.timeout_slack_ns;
  for (const Operation& op : index.operations) {
    ++counts[static_cast<int>(op.outcome)];
    if (op.outcome == Outcome::kPending) {
      pending.push_back(&op);
      continue;
    }
    int64_t latency = op.completed_at - op.invoked_at;
    latencies.push_back(latency);
    if (limits.op_timeout_ns > 0 && latency > allowed) overran.push_back(&op);
  }

  std::vector<std::string> invalid_lines;
  for (size_t i = 0; i < index.problems.size() && i < kMaxListed; ++i) {
    invalid_lines.push_back("malformed history: " + index.problems[i]);
  }
  for (size_t i = 0; i < pending.size() && i < kMaxListed; ++i) {
    invalid_lines.push_back("never completed: " + DescribeOperation(*pending[i]));
  }
  for (size_t i = 0; i < overran.size() && i < kMaxListed; ++i) {
    invalid_lines.push_back(
        "overran the timeout (" + FormatMillis(limits.op_timeout_ns) +
        " + slack " + FormatMillis(limits.timeout_slack_ns) +
        "): " + DescribeOperation(*overran[i]));
  }

  // Takeover of a killed holder's lock.
  TakeoverCheck takeover(index);
  int64_t kills = 0;
  int64_t unmeasured = 0;
  nlohmann::json takeovers = nlohmann::json::array();
  std::vector<std::string> unknown_lines;
  for (const Event& event : run.history) {
    if (!IsHolderKill(event)) continue;
    ++kills;
    const Write* next = takeover.FirstWriteAfter(event.t);
    if (next == nullptr && takeover.AttemptsAfter(event.t) > 0) {
      // Writers kept trying and none ever got through: the lock was never
      // taken over (e.g. a recycled PID mistaken for the live holder).
      invalid_lines.push_back(
          "lock never taken over after " + event.fault + " (" + event.target + ") at " +
          FormatMillis(event.t) + ": " + std::to_string(takeover.AttemptsAfter(event.t)) +
          " mutating operations were invoked after it and none succeeded");
      continue;
    }
    if (next == nullptr) {
      ++unmeasured;
      unknown_lines.push_back("takeover unmeasured: no successful write was "
                              "invoked after the kill of pid " +
                              std::to_string(event.pid) + " at " +
                              FormatMillis(event.t));
      continue;
    }
    int64_t delay = next->completed_at - event.t;
    takeovers.push_back(Millis(delay));
    if (limits.takeover_bound_ns > 0 && delay > limits.takeover_bound_ns) {
      invalid_lines.push_back(
          "lock of killed holder pid " + std::to_string(event.pid) +
          " (killed at " + FormatMillis(event.t) +
          ") not taken over within " + FormatMillis(limits.takeover_bound_ns) +
          ": the first successful write after it completed " +
          FormatMillis(delay) + " later: " + DescribeOperation(*next->op));
      for (std::string& line : OperationEventLines(*next->op)) {
        invalid_lines.push_back(line);
      }
    }
  }

  nlohmann::json latency = nlohmann::json::object();
  if (!latencies.empty()) {
    int64_t max = *std::max_element(latencies.begin(), latencies.end());
    latency = {{"max_ms", Millis(max)},
               {"p50_ms", Millis(Percentile(&latencies, 0.50))},
               {"p99_ms", Millis(Percentile(&latencies, 0.99))}};
  }
  report.details = {{"operations", index.operations.size()},
                    {"ok", counts[0]},
                    {"fail", counts[1]},
                    {"info", counts[2]},
                    {"pending", counts[3]},
                    {"latency", latency},
                    {"holder_kills", kills},
                    {"takeover_ms", takeovers},
                    {"takeovers_unmeasured", unmeasured},
                    {"malformed", index.problems.size()}};
  std::string stats = std::to_string(index.operations.size()) +
                      " operations (" + std::to_string(counts[0]) + " ok, " +
                      std::to_string(counts[1]) + " fail, " +
                      std::to_string(counts[2]) + " info)";
  if (!latencies.empty()) {
    stats += ", latency max " +
             FormatMillis(*std::max_element(latencies.begin(), latencies.end()));
  }
  if (!invalid_lines.empty()) {
    report.verdict = Verdict::kInvalid;
    report.summary = invalid_lines.front();
    if (!index.problems.empty()) {
      report.summary = std::to_string(index.problems.size()) +
                       " malformed history entries; " + report.summary;
    } else if (!pending.empty()) {
      report.summary = std::to_string(pending.size()) +
                       " operations never completed; first: " +
                       DescribeOperation(*pending.front());
    } else if (!overran.empty()) {
      report.summary = std::to_string(overran.size()) +
                       " operations overran the timeout; first: " +
                       DescribeOperation(*overran.front());
    }
    report.evidence = std::move(invalid_lines);
    report.evidence.insert(report.evidence.end(), unknown_lines.begin(),
                           unknown_lines.end());
    return report;
  }
  if (!unknown_lines.empty()) {
    report.verdict = Verdict::kUnknown;
    report.summary = unknown_lines.front() + "; " + stats;
    report.evidence = std::move(unknown_lines);
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = "all " + stats + " completed in time";
  if (kills > 0) {
    report.summary += "; " + std::to_string(kills) +
                      " killed holders taken over in time";
  }
  return report;
}

}  // namespace lockharness::harness
