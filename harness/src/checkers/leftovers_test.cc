#include "lockharness/harness/checkers/leftovers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"
#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestHistory;
using testing_util::TestTrace;

CheckerReport Check(const TestHistory& h, std::vector<std::string> names) {
  RunArtifacts run = h.Run(std::nullopt, std::move(names));
  return CheckLeftovers(run, IndexOperations(run.history));
}

bool AnyLineHas(const std::vector<std::string>& lines, const std::string& text) {
  for (const std::string& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Leftovers, CleanDirectoryIsValid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  CheckerReport r = Check(h, {});
  EXPECT_EQ(r.checker, "leftovers");
  EXPECT_EQ(r.verdict, Verdict::kValid);
}

TEST(Leftovers, TempFileOfALiveWriterIsInvalid) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kOk, 4242);
  CheckerReport r = Check(h, {"sandboxes.json.tmp.4242.x1y2"});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("first sandboxes.json.tmp.4242.x1y2"));
  EXPECT_TRUE(
      AnyLineHas(r.evidence, "unexplained leftover: sandboxes.json.tmp.4242.x1y2 (temp file)"));
}

TEST(Leftovers, TempFileOfAKilledWriterIsExplained) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 4242, "killed");
  h.Fault(5151, 15);
  CheckerReport r = Check(h, {"sandboxes.json.tmp.4242.x1y2", "sandboxes.json.tmp.5151"});
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["explained"].size(), 2u);
  EXPECT_TRUE(AnyLineHas(r.evidence, "temp file of killed pid 4242"));
  EXPECT_FALSE(AnyLineHas(r.evidence, "not swept"));
}

TEST(Leftovers, TempFileOfAWriterThatExitedWithAnErrorIsUnexplained) {
  // Outcome unknown (exit status 4), but the process ended on its own: a
  // failed operation must clean up its temp file.
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 4242, "exit status 4");
  h.Fault(4242, 5, "sigstop", "pause-holder: lock holder, writer 1");
  CheckerReport r = Check(h, {"sandboxes.json.tmp.4242.x1y2"});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_TRUE(
      AnyLineHas(r.evidence, "unexplained leftover: sandboxes.json.tmp.4242.x1y2 (temp file)"));
}

TEST(Leftovers, UnsweptLeftoverIsAWarningNotAFailure) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 4242, "killed");
  h.Op(OpKind::kRegister, "b", {}, 20, 30, EventType::kOk, 4343);
  CheckerReport r = Check(h, {"sandboxes.json.tmp.4242.x1y2"});
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_TRUE(
      AnyLineHas(r.evidence, "warning: sandboxes.json.tmp.4242.x1y2 not swept by later writers"));
  EXPECT_EQ(r.details["not_swept"].size(), 1u);
}

TEST(Leftovers, SharedTempNameIsNeverExplained) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 4242, "killed");
  CheckerReport r = Check(h, {"sandboxes.json.tmp"});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
}

TEST(Leftovers, PidPrefixMustMatchExactly) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 42, "killed");
  EXPECT_EQ(Check(h, {"sandboxes.json.tmp.4242"}).verdict, Verdict::kInvalid);
  EXPECT_EQ(Check(h, {"sandboxes.json.tmp.42x"}).verdict, Verdict::kInvalid);
  EXPECT_EQ(Check(h, {"sandboxes.json.tmp.42.r"}).verdict, Verdict::kValid);
}

TEST(Leftovers, LockDirOfAKilledHolderIsExplainedUnlessSomeoneWroteAfter) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kOk, 100);
  h.Fault(4242, 20);
  EXPECT_EQ(Check(h, {"sandboxes.json.lock"}).verdict, Verdict::kValid);

  // A later successful write must have taken the lock over and released it.
  h.Op(OpKind::kRegister, "b", {}, 30, 40, EventType::kOk, 101);
  CheckerReport r = Check(h, {"sandboxes.json.lock"});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_TRUE(AnyLineHas(r.evidence, "sandboxes.json.lock (lock directory)"));
}

TEST(Leftovers, LockDirWithoutAnyKillIsInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  EXPECT_EQ(Check(h, {"sandboxes.json.lock"}).verdict, Verdict::kInvalid);
}

TEST(Leftovers, QuarantineDirNeedsAKill) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  EXPECT_EQ(Check(h, {"sandboxes.json.lock.quarantine.77"}).verdict, Verdict::kInvalid);
  h.Fault(4242, 20);
  EXPECT_EQ(Check(h, {"sandboxes.json.lock.quarantine.77"}).verdict, Verdict::kValid);
}

// The lock file of a flock/fcntl lock normally stays: observed holding a
// granted kernel lock, it is explained; a lock request that failed, or no
// trace at all, explains nothing.
TEST(Leftovers, ObservedKernelLockFileIsExplained) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  TestTrace t;
  t.Hello(1001, 1).KernelLock(1001, 2, "flock", "exclusive").Publish(1001, 5);
  t.KernelLock(1001, 8, "flock", "unlock");
  RunArtifacts run = h.Run(std::nullopt, {"sandboxes.json.lock"});
  run.trace = t.ToTrace();
  CheckerReport r = CheckLeftovers(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_TRUE(AnyLineHas(r.evidence,
                         "explained leftover: sandboxes.json.lock (lock file of "
                         "flock/fcntl locks (observed in the trace)"));
}

TEST(Leftovers, FailedKernelLockRequestExplainsNothing) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  TestTrace t;
  t.Hello(1001, 1).KernelLock(1001, 2, "posix", "exclusive", TestTrace::kLock, "lock", 7, "EAGAIN");
  RunArtifacts run = h.Run(std::nullopt, {"sandboxes.json.lock"});
  run.trace = t.ToTrace();
  EXPECT_EQ(CheckLeftovers(run, IndexOperations(run.history)).verdict, Verdict::kInvalid);
  run.trace.reset();
  EXPECT_EQ(CheckLeftovers(run, IndexOperations(run.history)).verdict, Verdict::kInvalid);
}

// A declared kernel convention explains the file at the lock path without
// a trace; a path-lock convention, or another name, does not.
TEST(Leftovers, LockFileOfADeclaredKernelConventionIsExplained) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  RunArtifacts run = h.Run(std::nullopt, {"sandboxes.json.lock"});
  run.lock_path_name = "sandboxes.json.lock";
  run.declared_lock_convention = "posix";
  CheckerReport r = CheckLeftovers(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_TRUE(AnyLineHas(r.evidence, "lock file of the declared posix lock convention"));
  run.declared_lock_convention = "o-excl";
  EXPECT_EQ(CheckLeftovers(run, IndexOperations(run.history)).verdict, Verdict::kInvalid);
  run.declared_lock_convention = "flock";
  run.lock_path_name = "state.lock";
  EXPECT_EQ(CheckLeftovers(run, IndexOperations(run.history)).verdict, Verdict::kInvalid);
}

// A file named by the implementation (dotlockfile's .lk<pid><time><host>,
// made by its helper process): the trace names the process that created
// it, a child of the killed writer, so it is explained; the same file made
// by a writer that was not killed is not.
TEST(Leftovers, AFileTheTraceTracesToAKilledWriterIsExplained) {
  const std::string made = "/d/.lk0123abc";
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 4242, "killed");
  TestTrace t;
  t.Hello(4242, 1).Child(4250, 4242, 2);
  t.Call(4250, 3, "openat", "open", "other", made, 3).open_flags = "O_WRONLY|O_CREAT|O_EXCL";
  RunArtifacts run = h.Run(std::nullopt, {".lk0123abc"});
  run.trace = t.ToTrace();
  CheckerReport r = CheckLeftovers(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_TRUE(AnyLineHas(r.evidence,
                         "explained leftover: .lk0123abc (made (open) by pid 4250 of killed "
                         "writer pid 4242 (seen in the trace))"));

  TestHistory alive;
  alive.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kOk, 4242);
  alive.Op(OpKind::kRegister, "b", {}, 0, 10, EventType::kInfo, 5000, "killed");
  RunArtifacts not_killed = alive.Run(std::nullopt, {".lk0123abc"});
  not_killed.trace = t.ToTrace();
  EXPECT_EQ(CheckLeftovers(not_killed, IndexOperations(not_killed.history)).verdict,
            Verdict::kInvalid);
}

// The registry's own shared temp name stays unexplained even when the
// trace shows a killed writer made it.
TEST(Leftovers, ASharedTempNameMadeByAKilledWriterIsStillUnexplained) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 4242, "killed");
  TestTrace t;
  t.Hello(4242, 1).WriteTemp(4242, 2, std::string(TestTrace::kRegistry) + ".tmp");
  t.events[1].open_flags = "O_WRONLY|O_CREAT|O_TRUNC";
  RunArtifacts run = h.Run(std::nullopt, {"sandboxes.json.tmp"});
  run.trace = t.ToTrace();
  EXPECT_EQ(CheckLeftovers(run, IndexOperations(run.history)).verdict, Verdict::kInvalid);
}

// Observed, a file of the implementation's own naming that no traced call
// made, in a run where a process was killed, may be that process's (killed
// between its call and the call's trace line): unknown, not invalid. Not
// so without a kill, or when a traced call of a live writer made it.
TEST(Leftovers, AnUntracedFileIsInDoubtOnlyIfSomethingWasKilled) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kInfo, 4242, "killed");
  TestTrace t;
  t.Hello(4242, 1);
  RunArtifacts run = h.Run(std::nullopt, {"_5PmB.gEtFrB.vm"});
  run.trace = t.ToTrace();
  CheckerReport r = CheckLeftovers(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kUnknown) << r.summary;
  EXPECT_EQ(r.summary,
            "1 leftover(s) in doubt, first _5PmB.gEtFrB.vm: no traced call made it, and 1 killed "
            "process(es) may have made it before its trace line was written");

  TestHistory no_kill;
  no_kill.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kOk, 4242);
  RunArtifacts clean = no_kill.Run(std::nullopt, {"_5PmB.gEtFrB.vm"});
  clean.trace = t.ToTrace();
  EXPECT_EQ(CheckLeftovers(clean, IndexOperations(clean.history)).verdict, Verdict::kInvalid);

  TestHistory live_maker;
  live_maker.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kOk, 4242);
  live_maker.Op(OpKind::kRegister, "b", {}, 0, 10, EventType::kInfo, 5000, "killed");
  TestTrace made;
  made.Hello(4242, 1);
  made.Call(4242, 2, "openat", "open", "other", "/d/_5PmB.gEtFrB.vm", 3).open_flags =
      "O_WRONLY|O_CREAT|O_EXCL";
  RunArtifacts traced = live_maker.Run(std::nullopt, {"_5PmB.gEtFrB.vm"});
  traced.trace = made.ToTrace();
  EXPECT_EQ(CheckLeftovers(traced, IndexOperations(traced.history)).verdict, Verdict::kInvalid);

  // Unexplained beats in doubt.
  RunArtifacts both = h.Run(std::nullopt, {"_5PmB.gEtFrB.vm", "sandboxes.json.tmp.77.x"});
  both.trace = t.ToTrace();
  EXPECT_EQ(CheckLeftovers(both, IndexOperations(both.history)).verdict, Verdict::kInvalid);
}

TEST(Leftovers, AnythingElseIsInvalid) {
  TestHistory h;
  h.Fault(4242, 20);
  CheckerReport r = Check(h, {"core", "sandboxes.json.bak"});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("2 unexplained"));
  EXPECT_TRUE(AnyLineHas(r.evidence, "core (unexpected entry)"));
}

}  // namespace
}  // namespace lockharness::harness
