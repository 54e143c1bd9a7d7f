// check_all.cc: runs every checker over one run's artifacts.

#include <functional>
#include <optional>
#include <system_error>
#include <thread>

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

namespace {

// Runs `side` on another thread while the caller runs `main`; both on the
// calling thread if no thread can be started. The checkers are independent
// and only read the run, so on two cores this roughly halves the wait.
void RunConcurrently(const std::function<void()>& side,
                     const std::function<void()>& main) {
  std::optional<std::thread> thread;
  try {
    thread.emplace(side);
  } catch (const std::system_error&) {
    side();
  }
  main();
  if (thread) thread->join();
}

}  // namespace

std::vector<CheckerReport> CheckAll(const RunArtifacts& run) {
  // Parse the final file (shared by lost-update and json-validity) while
  // pairing the events and running the checkers that need only those.
  FinalRegistry final;
  OperationIndex index;
  CheckerReport leftovers, mutual_exclusion, progress;
  RunConcurrently([&] { final = ParseFinalRegistry(run); },
                  [&] {
                    index = IndexOperations(run.history);
                    leftovers = CheckLeftovers(run, index);
                    mutual_exclusion = CheckMutualExclusion(index);
                    progress = CheckProgress(run, index);
                  });
  CheckerReport lost_update, json_validity;
  RunConcurrently([&] { json_validity = CheckJsonValidity(run, final); },
                  [&] { lost_update = CheckLostUpdate(run, index, final); });
  std::vector<CheckerReport> reports;
  reports.push_back(std::move(lost_update));
  reports.push_back(std::move(json_validity));
  reports.push_back(std::move(leftovers));
  reports.push_back(std::move(mutual_exclusion));
  reports.push_back(std::move(progress));
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
