// check_all.cc: runs every checker over one run's artifacts.

#include <functional>
#include <optional>
#include <system_error>
#include <thread>

#include "lockharness/harness/checkers/check_all.h"
#include "lockharness/harness/checkers/fault_checks.h"
#include "lockharness/harness/checkers/final_registry.h"
#include "lockharness/harness/checkers/json_validity.h"
#include "lockharness/harness/checkers/leftovers.h"
#include "lockharness/harness/checkers/lock_convention_check.h"
#include "lockharness/harness/checkers/lost_update.h"
#include "lockharness/harness/checkers/mutual_exclusion.h"
#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/checkers/observed_exclusion.h"
#include "lockharness/harness/checkers/operations.h"
#include "lockharness/harness/checkers/progress.h"
#include "lockharness/harness/checkers/protocol_lint.h"
#include "lockharness/harness/checkers/trace_mutual_exclusion.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {
namespace {

// Runs `side` on another thread while the caller runs `main`; both on the
// calling thread if no thread can be started. The checkers are independent
// and only read the run, so on two cores this roughly halves the wait.
void RunConcurrently(const std::function<void()>& side, const std::function<void()>& main) {
  std::optional<std::thread> thread;
  try {
    thread.emplace(side);
  } catch (const std::system_error&) {
    side();
  }
  main();
  if (thread) thread->join();
}

// Lines torn by the kill of their writer (interposer::Trace::TornLine):
// said, not judged. Each was its process's last call, which the checkers
// above did not see.
CheckerReport TornLinesReport(const Trace& trace) {
  CheckerReport r;
  r.checker = kObservationReport;
  r.verdict = Verdict::kValid;
  const size_t n = trace.torn_lines().size();
  r.summary = std::to_string(n) + " trace line" + (n == 1 ? "" : "s") +
              " torn by the kill of the process writing it: each was that process's last "
              "call, which the trace checkers did not see";
  for (const Trace::TornLine& torn : trace.torn_lines()) {
    r.evidence.push_back("trace line " + std::to_string(torn.line) + ": the start of a line of " +
                         (torn.pid > 0 ? "pid " + std::to_string(torn.pid) : "a process") +
                         ", cut short, then another process's whole line");
  }
  return r;
}

}  // namespace

std::vector<CheckerReport> CheckAll(const RunArtifacts& run) {
  // Two rounds of two threads, each side about as long as the other (on a
  // million operations): parsing the final file against pairing the events
  // and leftovers; then lost-update (which needs both, and checks names on
  // two threads itself) against the other checkers.
  FinalRegistry final;
  OperationIndex index;
  CheckerReport leftovers, mutual_exclusion, progress;
  RunConcurrently([&] { final = ParseFinalRegistry(run); },
                  [&] {
                    index = IndexOperations(run.history);
                    leftovers = CheckLeftovers(run, index);
                  });
  CheckerReport lost_update, json_validity, trace_exclusion, lint, claims, convention;
  // The trace checkers need only the trace (and the operation index for
  // the cross-check of reported spans); they run beside json-validity.
  // Built once, beside json-validity, for progress and the trace checkers.
  std::optional<TraceTimeline> built;
  auto build_timeline = [&] {
    if (run.trace) built.emplace(BuildTraceTimeline(*run.trace, run.monotonic_origin_ns));
  };
  auto check_trace = [&] {
    if (!built) return;
    const TraceTimeline& timeline = *built;
    trace_exclusion = CheckTraceMutualExclusion(timeline);
    lint = CheckProtocolLint(timeline);
    const bool check_claims = ReportedSpanCount(index) > 0;
    // A declared convention is checked against the implementation's own
    // locks only: a mixed fleet's other programs may lock otherwise.
    const bool check_convention = !run.declared_lock_convention.empty() && !run.mixed_fleet;
    if (!check_claims && !check_convention) return;
    const std::vector<ObservedSpan> spans = ObservedLockSpans(timeline);
    if (check_claims)
      claims = CheckClaimedSpans(index, spans, timeline.origin, &timeline.last_seen);
    if (check_convention) convention = CheckLockConvention(run.declared_lock_convention, spans);
  };
  if (FinalIsForgedCorruptRegistry(run)) {
    mutual_exclusion = CheckMutualExclusion(index, run.history);
    build_timeline();
    progress = CheckProgress(run, index, built ? &*built : nullptr);
    // No document to judge: the corrupt-registry checker judges this run's
    // writes (none may claim success) and the file's survival.
    json_validity = CheckJsonValidityBesideForgedFinal(run);
    if (mutual_exclusion.verdict == Verdict::kUnknown) {
      // The file never changed, so no write took effect: nothing overlapped.
      mutual_exclusion.verdict = Verdict::kValid;
      mutual_exclusion.summary =
          "no write took effect: the registry is the untouched "
          "corrupt file forged before the run";
    }
    lost_update.checker = kLostUpdateChecker;
    lost_update.verdict = Verdict::kValid;
    lost_update.summary =
        "nothing to replay: the registry file is still the corrupt one "
        "forged before the run (see corrupt-registry)";
    check_trace();
  } else {
    RunConcurrently(
        [&] {
          build_timeline();
          json_validity = CheckJsonValidity(run, final);
          mutual_exclusion = CheckMutualExclusion(index, run.history);
          progress = CheckProgress(run, index, built ? &*built : nullptr);
          check_trace();
        },
        [&] { lost_update = CheckLostUpdate(run, index, final); });
  }
  // Observation is the default: without reported spans, mutual exclusion
  // is judged from the observed ones.
  if (run.trace) AdoptObservedExclusion(trace_exclusion, &mutual_exclusion);
  std::vector<CheckerReport> reports;
  reports.push_back(std::move(lost_update));
  reports.push_back(std::move(json_validity));
  reports.push_back(std::move(leftovers));
  reports.push_back(std::move(mutual_exclusion));
  reports.push_back(std::move(progress));
  if (run.forged_corrupt_registry) reports.push_back(CheckCorruptRegistry(run, index));
  if (!run.configured_faults.empty()) reports.push_back(CheckFaultCoverage(run));
  if (run.trace) {
    // Under default observation a trace checker that cannot decide (no
    // rename attempted, a lock it does not recognise) adds nothing: the
    // verdict on exclusion is mutual-exclusion's, unknown if no one decided.
    auto add = [&](CheckerReport& r) {
      if (r.checker.empty()) return;
      if (!run.trace_requested && r.verdict == Verdict::kUnknown) return;
      reports.push_back(std::move(r));
    };
    add(trace_exclusion);
    add(lint);
    add(claims);
    add(convention);
    if (!run.trace->torn_lines().empty()) reports.push_back(TornLinesReport(*run.trace));
  } else if (run.trace_recorded) {
    // The harness recorded a trace and it is gone (deleted, never written):
    // what only observation can see is unseen, so the run cannot be valid.
    CheckerReport missing;
    missing.checker = kObservationReport;
    missing.verdict = Verdict::kUnknown;
    missing.summary =
        "observation incomplete: run.json says the trace was recorded, but trace.jsonl is "
        "missing; the trace checkers did not run";
    reports.push_back(std::move(missing));
  }
  return reports;
}

}  // namespace lockharness::harness
