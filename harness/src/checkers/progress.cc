// progress.cc: every operation finishes in time, and a dead holder's lock
// is taken over within the bound.

#include "lockharness/harness/checkers/progress.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "lockharness/harness/completion_errors.h"

#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/checkers/trace_mutual_exclusion.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {
namespace {

constexpr size_t kMaxListed = 10;

double Millis(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// Nearest-rank percentile of a non-empty vector; reorders it.
int64_t Percentile(std::vector<int64_t>* values, double fraction) {
  size_t rank = static_cast<size_t>(fraction * static_cast<double>(values->size()));
  if (rank >= values->size()) rank = values->size() - 1;
  std::nth_element(values->begin(), values->begin() + static_cast<long>(rank), values->end());
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

bool IsInterposerKill(const Event& event) {
  return event.type == EventType::kFault && event.fault == "sigkill" && event.kind == "interposer";
}

// The processes an interposer kill point killed while they held the lock:
// the trace shows a lock span of theirs (as its acquirer, or a helper's of
// the same writer) begun before their last line and not ended before it.
// Their lock must be taken over as a nemesis-killed holder's must; the
// trace also says when: the first lock span of another writer begun after
// the victim's last line (nullopt: none). A refused operation takes the
// lock too, so the trace, not the next ok write, measures the takeover.
// Built only when the history has such kills (it rebuilds the spans; the
// timeline too, unless the caller has it).
std::map<int, std::optional<int64_t>> InterposerKilledHolders(const RunArtifacts& run,
                                                              const TraceTimeline* given) {
  std::map<int, std::optional<int64_t>> holders;
  if (!run.trace || std::none_of(run.history.begin(), run.history.end(), IsInterposerKill)) {
    return holders;
  }
  std::optional<TraceTimeline> own;
  if (given == nullptr) own.emplace(BuildTraceTimeline(*run.trace, run.monotonic_origin_ns));
  const TraceTimeline& timeline = given != nullptr ? *given : *own;
  const std::vector<ObservedSpan> spans = ObservedLockSpans(timeline);
  for (const Event& event : run.history) {
    if (!IsInterposerKill(event)) continue;
    auto last = timeline.last_seen.find(event.pid);
    if (last == timeline.last_seen.end()) continue;
    const int64_t died = last->second;
    const ObservedSpan* held = nullptr;
    for (const ObservedSpan& span : spans) {
      if (span.holder != event.pid && span.writer != event.pid) continue;
      if (span.start_latest > died) continue;
      if (span.ended && span.end_earliest < died) continue;
      held = &span;
      break;
    }
    if (held == nullptr) continue;
    std::optional<int64_t> takeover;
    for (const ObservedSpan& span : spans) {
      if (span.writer == held->writer || span.start_earliest < died) continue;
      const int64_t delay = span.start_latest - died;
      if (!takeover || delay < *takeover) takeover = delay;
    }
    holders[event.pid] = takeover;
  }
  return holders;
}

// A holder-directed nemesis (kill-holder, pause-holder, steal-lock) acting
// on a process: it found that process holding the lock.
bool FoundAHolder(const Event& event) {
  if (event.type != EventType::kFault || event.pid <= 0) return false;
  if (event.kind == "kill-holder") return event.fault == "sigkill";
  if (event.kind == "pause-holder") return event.fault == "sigstop";
  return event.kind == "steal-lock";
}

// The times at which holder-directed nemeses found a process holding the
// lock, sorted, so each kill looks up the next one in O(log n) instead of
// scanning the history (a soak run has many kills and a long history).
class HolderFindings {
 public:
  explicit HolderFindings(const std::vector<Event>& history) {
    for (const Event& event : history) {
      if (FoundAHolder(event)) found_.push_back({event.t, event.pid});
    }
    std::sort(found_.begin(), found_.end());
  }

  // When a nemesis next found a process other than `killed_pid` holding
  // the lock after `t`, or nullopt: the lock killed at `t` had been taken
  // over by then, even if that new holder was killed in turn before its
  // write completed (a chain of kills, each new holder hit as soon as it
  // holds).
  std::optional<int64_t> NextAfter(int64_t t, int killed_pid) const {
    auto it = std::upper_bound(found_.begin(), found_.end(),
                               std::pair<int64_t, int>{t, std::numeric_limits<int>::max()});
    for (; it != found_.end(); ++it) {
      if (it->second != killed_pid) return it->first;
    }
    return std::nullopt;
  }

 private:
  std::vector<std::pair<int64_t, int>> found_;  // (t, pid)
};

// A nemesis stop of one process: from its `sigstop` fault to the `sigcont`
// of the same pid (or forever, if the run ended first).
struct Stop {
  int pid;
  int64_t from;
  int64_t until;
};

std::vector<Stop> NemesisStops(const std::vector<Event>& history) {
  std::vector<Stop> stops;
  for (const Event& event : history) {
    if (event.type != EventType::kFault) continue;
    if (event.fault == "sigstop") {
      stops.push_back({event.pid, event.t, std::numeric_limits<int64_t>::max()});
    } else if (event.fault == "sigcont") {
      for (Stop& stop : stops) {
        if (stop.pid == event.pid && stop.until == std::numeric_limits<int64_t>::max()) {
          stop.until = event.t;
        }
      }
    }
  }
  return stops;
}

// The stop that excuses `op`, timed out at its deadline, or null: a nemesis
// stop that began before the harness killed the operation and was still in
// effect less than `recovery_ns` before its deadline (invoke + op_timeout),
// so the lock could not honestly have come free in time.
const Stop* ExcusingStop(const std::vector<Stop>& stops, const Operation& op, int64_t op_timeout_ns,
                         int64_t recovery_ns) {
  const int64_t deadline = op.invoked_at + op_timeout_ns;
  for (const Stop& stop : stops) {
    if (stop.from < op.completed_at && stop.until > deadline - recovery_ns) return &stop;
  }
  return nullptr;
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
    auto it = std::upper_bound(writes_.begin(), writes_.end(), time,
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

CheckerReport CheckProgress(const RunArtifacts& run, const OperationIndex& index,
                            const TraceTimeline* timeline) {
  CheckerReport report;
  report.checker = kProgressChecker;
  const CheckLimits& limits = run.limits;
  int64_t counts[4] = {0, 0, 0, 0};
  std::vector<int64_t> latencies;
  latencies.reserve(index.operations.size());
  std::vector<const Operation*> pending;
  std::vector<const Operation*> overran;
  std::vector<const Operation*> timed_out;
  std::vector<std::string> excused;
  const int64_t allowed = limits.op_timeout_ns + limits.timeout_slack_ns;
  const std::vector<Stop> stops = NemesisStops(run.history);
  // After a stopped holder resumes, the lock must come free within the
  // takeover bound (the slack if the run has none).
  const int64_t recovery =
      limits.takeover_bound_ns > 0 ? limits.takeover_bound_ns : limits.timeout_slack_ns;
  for (const Operation& op : index.operations) {
    ++counts[static_cast<int>(op.outcome)];
    if (op.outcome == Outcome::kPending) {
      pending.push_back(&op);
      continue;
    }
    int64_t latency = op.completed_at - op.invoked_at;
    latencies.push_back(latency);
    if (limits.op_timeout_ns > 0 && latency > allowed) overran.push_back(&op);
    if (op.completion == nullptr || !IsTimedOut(*op.completion)) continue;
    if (const Stop* stop = ExcusingStop(stops, op, limits.op_timeout_ns, recovery)) {
      excused.push_back(DescribeOperation(op) + ": pid " + std::to_string(stop->pid) +
                        " was stopped by a nemesis from " + FormatMillis(stop->from) +
                        (stop->until == std::numeric_limits<int64_t>::max()
                             ? std::string(" to the end of the run")
                             : " to " + FormatMillis(stop->until)));
    } else {
      timed_out.push_back(&op);
    }
  }

  std::vector<std::string> invalid_lines;
  for (size_t i = 0; i < index.problems.size() && i < kMaxListed; ++i) {
    invalid_lines.push_back("malformed history: " + index.problems[i]);
  }
  for (size_t i = 0; i < pending.size() && i < kMaxListed; ++i) {
    invalid_lines.push_back("never completed: " + DescribeOperation(*pending[i]));
  }
  for (size_t i = 0; i < overran.size() && i < kMaxListed; ++i) {
    invalid_lines.push_back("overran the timeout (" + FormatMillis(limits.op_timeout_ns) +
                            " + slack " + FormatMillis(limits.timeout_slack_ns) +
                            "): " + DescribeOperation(*overran[i]));
  }

  for (size_t i = 0; i < timed_out.size() && i < kMaxListed; ++i) {
    invalid_lines.push_back("stuck: killed at the op timeout (" +
                            FormatMillis(limits.op_timeout_ns) +
                            "), no nemesis excuses it: " + DescribeOperation(*timed_out[i]));
    for (std::string& line : OperationEventLines(*timed_out[i])) {
      invalid_lines.push_back("  " + line);
    }
  }

  // Takeover of a killed holder's lock.
  TakeoverCheck takeover(index);
  const HolderFindings holder_findings(run.history);
  const std::map<int, std::optional<int64_t>> killed_by_interposer =
      InterposerKilledHolders(run, timeline);
  int64_t kills = 0;
  int64_t unmeasured = 0;
  int64_t holder_kills_unjudged = 0;
  nlohmann::json takeovers = nlohmann::json::array();
  std::vector<std::string> unknown_lines;
  for (const Event& event : run.history) {
    if (IsInterposerKill(event)) {
      auto killed = killed_by_interposer.find(event.pid);
      if (killed == killed_by_interposer.end()) continue;  // it held no lock
      ++kills;
      const std::string what = "lock of pid " + std::to_string(event.pid) +
                               ", killed holding it by an interposer kill point at " +
                               FormatMillis(event.t);
      if (const std::optional<int64_t> delay = killed->second) {
        takeovers.push_back(Millis(*delay));
        if (limits.takeover_bound_ns > 0 && *delay > limits.takeover_bound_ns) {
          invalid_lines.push_back(what + ", not taken over within " +
                                  FormatMillis(limits.takeover_bound_ns) +
                                  ": the trace's next acquisition came " + FormatMillis(*delay) +
                                  " after its last call");
        }
      } else if (takeover.AttemptsAfter(event.t) > 0) {
        invalid_lines.push_back("lock never taken over after sigkill (" + event.target + ") at " +
                                FormatMillis(event.t) + ": " +
                                std::to_string(takeover.AttemptsAfter(event.t)) +
                                " mutating operations were invoked after it and the trace shows "
                                "no later acquisition of the lock");
      } else {
        // Nothing came after it to take the lock over. Unlike a nemesis's
        // kill, aimed early in the run to test a takeover, a kill point may
        // fire on the run's last write: no verdict hangs on it.
        ++holder_kills_unjudged;
      }
      continue;
    }
    if (!IsHolderKill(event)) continue;
    ++kills;
    const Write* next = takeover.FirstWriteAfter(event.t);
    const std::optional<int64_t> new_holder = holder_findings.NextAfter(event.t, event.pid);
    if (new_holder && (next == nullptr || *new_holder < next->completed_at)) {
      // Another process held the lock before any write completed: taken
      // over then (its own write may have been cut short by the nemesis).
      const int64_t delay = *new_holder - event.t;
      takeovers.push_back(Millis(delay));
      if (limits.takeover_bound_ns > 0 && delay > limits.takeover_bound_ns) {
        invalid_lines.push_back(
            "lock of killed holder pid " + std::to_string(event.pid) + " (killed at " +
            FormatMillis(event.t) + ") not taken over within " +
            FormatMillis(limits.takeover_bound_ns) + ": the next holder a nemesis found held it " +
            FormatMillis(delay) + " later");
      }
      continue;
    }
    if (next == nullptr && takeover.AttemptsAfter(event.t) > 0) {
      // Writers kept trying and none ever got through: the lock was never
      // taken over (e.g. a recycled PID mistaken for the live holder).
      invalid_lines.push_back("lock never taken over after " + event.fault + " (" + event.target +
                              ") at " + FormatMillis(event.t) + ": " +
                              std::to_string(takeover.AttemptsAfter(event.t)) +
                              " mutating operations were invoked after it and none succeeded");
      continue;
    }
    if (next == nullptr) {
      ++unmeasured;
      unknown_lines.push_back(
          "takeover unmeasured: no successful write was "
          "invoked after the kill of pid " +
          std::to_string(event.pid) + " at " + FormatMillis(event.t));
      continue;
    }
    int64_t delay = next->completed_at - event.t;
    takeovers.push_back(Millis(delay));
    if (limits.takeover_bound_ns > 0 && delay > limits.takeover_bound_ns) {
      invalid_lines.push_back("lock of killed holder pid " + std::to_string(event.pid) +
                              " (killed at " + FormatMillis(event.t) + ") not taken over within " +
                              FormatMillis(limits.takeover_bound_ns) +
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
                    {"holder_kills_with_nothing_after", holder_kills_unjudged},
                    {"takeover_ms", takeovers},
                    {"takeovers_unmeasured", unmeasured},
                    {"malformed", index.problems.size()},
                    {"timed_out", timed_out.size()},
                    {"timed_out_excused", excused.size()}};
  std::string stats = std::to_string(index.operations.size()) + " operations (" +
                      std::to_string(counts[0]) + " ok, " + std::to_string(counts[1]) + " fail, " +
                      std::to_string(counts[2]) + " info)";
  if (!latencies.empty()) {
    stats += ", latency max " + FormatMillis(*std::max_element(latencies.begin(), latencies.end()));
  }
  if (!invalid_lines.empty()) {
    report.verdict = Verdict::kInvalid;
    report.summary = invalid_lines.front();
    if (!index.problems.empty()) {
      report.summary =
          std::to_string(index.problems.size()) + " malformed history entries; " + report.summary;
    } else if (!pending.empty()) {
      report.summary = std::to_string(pending.size()) +
                       " operations never completed; first: " + DescribeOperation(*pending.front());
    } else if (!overran.empty()) {
      report.summary = std::to_string(overran.size()) + " operations overran the timeout; first: " +
                       DescribeOperation(*overran.front());
    } else if (!timed_out.empty()) {
      report.summary = std::to_string(timed_out.size()) +
                       " operations stuck until the harness killed them at the op timeout (" +
                       FormatMillis(limits.op_timeout_ns) +
                       "); first: " + DescribeOperation(*timed_out.front());
    }
    report.evidence = std::move(invalid_lines);
    report.evidence.insert(report.evidence.end(), unknown_lines.begin(), unknown_lines.end());
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
  if (!excused.empty()) {
    report.summary += "; " + std::to_string(excused.size()) +
                      " killed at the op timeout while a nemesis stopped a process (excused)";
    for (size_t i = 0; i < excused.size() && i < kMaxListed; ++i) {
      report.evidence.push_back("excused timeout: " + excused[i]);
    }
  }
  if (kills > 0) {
    report.summary += "; " + std::to_string(kills) + " killed holders taken over in time";
  }
  return report;
}

}  // namespace lockharness::harness
