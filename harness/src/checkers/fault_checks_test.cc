#include "lockharness/harness/checkers/fault_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestHistory;

constexpr char kCorrupt[] = "{\"sandboxes\": {\"trunc";

RunArtifacts CorruptRun(const TestHistory& h, std::optional<std::string> final_bytes,
                        std::vector<std::string> copies) {
  RunArtifacts run = h.Run(std::move(final_bytes));
  run.forged_corrupt_registry = kCorrupt;
  run.corrupt_copies = std::move(copies);
  return run;
}

TEST(CorruptRegistry, UntouchedFileWithEveryWriteRefusedIsValid) {
  TestHistory h;
  h.Register("a", {}, 0, 10, EventType::kFail);
  h.Register("b", {}, 0, 10, EventType::kInfo);
  RunArtifacts run = CorruptRun(h, kCorrupt, {"sandboxes.json"});
  CheckerReport r = CheckCorruptRegistry(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_THAT(r.summary, HasSubstr("untouched"));
  EXPECT_TRUE(FinalIsForgedCorruptRegistry(run));
}

TEST(CorruptRegistry, ResetWithoutBackupIsInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  RunArtifacts run = CorruptRun(h, R"({"sandboxes":{}})", {});
  CheckerReport r = CheckCorruptRegistry(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("was destroyed"));
}

TEST(CorruptRegistry, BackupThenFreshStartIsValid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  RunArtifacts run = CorruptRun(h, R"({"sandboxes":{}})", {"sandboxes.json.corrupt.1"});
  CheckerReport r = CheckCorruptRegistry(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_THAT(r.summary, HasSubstr("sandboxes.json.corrupt.1"));
}

TEST(CorruptRegistry, SuccessClaimedOnUntouchedFileIsInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  RunArtifacts run = CorruptRun(h, kCorrupt, {"sandboxes.json"});
  CheckerReport r = CheckCorruptRegistry(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("claimed success"));
}

TEST(FaultCoverage, EveryKindActedIsValid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Fault(1, 5, "sigkill", "kill-holder: lock holder, writer 1", "kill-holder");
  h.Fault(0, 0, "forged-lock", "dead-owner-lock: lock left by a dead holder", "dead-owner-lock");
  RunArtifacts run = h.Run(std::nullopt);
  run.configured_faults = {"kill-holder", "dead-owner-lock"};
  CheckerReport r = CheckFaultCoverage(run);
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_THAT(r.summary, HasSubstr("kill-holder x1"));
}

TEST(FaultCoverage, APauseCountsOnceNotAtItsResume) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Fault(1, 5, "sigstop", "pause-holder: lock holder, writer 1", "pause-holder");
  h.Fault(1, 8, "sigcont", "pause-holder: lock holder, writer 1", "pause-holder");
  RunArtifacts run = h.Run(std::nullopt);
  run.configured_faults = {"pause-holder"};
  CheckerReport r = CheckFaultCoverage(run);
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.summary, "every configured fault acted: pause-holder x1");
}

TEST(FaultCoverage, NemesisThatNeverActedIsUnknown) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Fault(1, 5, "sigkill", "kill-writer: random writer, writer 1", "kill-writer");
  RunArtifacts run = h.Run(std::nullopt);
  run.configured_faults = {"kill-holder", "kill-writer"};
  CheckerReport r = CheckFaultCoverage(run);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("kill-holder never acted"));
}

TEST(FaultCoverage, CountsTheEventsKindFieldNotTheTargetText) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  // A target that reads like a kill-holder (as in histories written before
  // fault events had a kind) does not count: only `kind` does.
  h.Fault(1, 5, "sigkill", "kill-holder: lock holder, writer 1");
  h.Fault(1, 6, "sigkill", "interposer: killed at a kill point", "interposer");
  RunArtifacts run = h.Run(std::nullopt);
  run.configured_faults = {"kill-holder"};
  CheckerReport r = CheckFaultCoverage(run);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.details["actions"]["kill-holder"], 0);
}

TEST(FaultCoverage, StealLockAgainstAKernelLockIsNotApplicableNeverValid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Fault(1, 5, "not-applicable",
          "steal-lock: not applicable: writer 1 holds a kernel lock (flock/fcntl), which has no "
          "name to rename away",
          "steal-lock");
  RunArtifacts run = h.Run(std::nullopt);
  run.configured_faults = {"steal-lock"};
  CheckerReport r = CheckFaultCoverage(run);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("steal-lock: not applicable"));
  EXPECT_EQ(r.details["actions"]["steal-lock"], 0);
  EXPECT_EQ(r.details["not_applicable"], "steal-lock");
}

TEST(FaultCoverage, ANotApplicableNoteDoesNotHideActions) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Fault(1, 5, "not-applicable", "steal-lock: not applicable: ...", "steal-lock");
  h.Fault(1, 6, "steal-lock", "steal-lock: lock of live holder writer 1 renamed away",
          "steal-lock");
  RunArtifacts run = h.Run(std::nullopt);
  run.configured_faults = {"steal-lock"};
  CheckerReport r = CheckFaultCoverage(run);
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.details["actions"]["steal-lock"], 1);
}

}  // namespace
}  // namespace lockharness::harness
