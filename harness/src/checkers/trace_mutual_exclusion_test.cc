#include "lockharness/harness/checkers/trace_mutual_exclusion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing_util::TestTrace;

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string FirstKind(const CheckerReport& report) {
  return report.details.at("violation_list").at(0).at("kind").get<std::string>();
}

TEST(TraceMutualExclusion, CleanSequenceIsValid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.LockedPublish(1, 100);
  t.Mkdir(2, 105, "EEXIST");
  t.LockedPublish(2, 200);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.checker, "trace-mutual-exclusion");
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary;
  EXPECT_EQ(report.details["registry_renames"], 2);
  EXPECT_EQ(report.details["lock_spans"], 2);
  EXPECT_EQ(report.details["violations"], 0);
}

TEST(TraceMutualExclusion, RenameWithoutLockWhileAnotherHoldsIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.Publish(2, 150);  // pid 2 never takes the lock
  t.Publish(1, 200);
  t.Rmdir(1, 300);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(FirstKind(report), "rename-while-another-holds");
  EXPECT_THAT(report.summary, HasSubstr("pid 2 renamed onto the registry"));
  EXPECT_THAT(report.summary, HasSubstr("while pid 1 held the lock"));
  const std::string evidence = Joined(report.evidence);
  EXPECT_THAT(evidence, HasSubstr("pid 1 took the lock by mkdir, released by its owner (rmdir)"));
  EXPECT_THAT(evidence, HasSubstr("trace line 3: pid 1 mkdir /d/sandboxes.json.lock: ok"));
  EXPECT_THAT(evidence,
              HasSubstr("pid 2 rename /d/sandboxes.json.tmp.2.a1 -> /d/sandboxes.json: ok"));
  EXPECT_THAT(evidence, HasSubstr("the renaming process held no lock"));
}

TEST(TraceMutualExclusion, RenameWithNobodyHoldingTheLockIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.LockedPublish(1, 100);
  t.Publish(2, 500);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(FirstKind(report), "rename-without-lock");
  EXPECT_THAT(report.summary, HasSubstr("pid 2 renamed onto the registry"));
  EXPECT_THAT(report.summary, HasSubstr("without ever holding the lock"));
}

TEST(TraceMutualExclusion, RenameAfterReleaseIsInvalid) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100).Rmdir(1, 101);
  t.Publish(1, 200);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(FirstKind(report), "rename-after-release");
}

TEST(TraceMutualExclusion, RenameAfterLockBrokenIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  // pid 2 wrongly breaks the live holder's lock (say, by age).
  t.Mkdir(2, 140, "EEXIST");
  t.RenameLockAway(2, 150).RmdirQuarantine(2, 151);
  t.Publish(1, 200);  // the victim overwrites anyway
  t.Call(1, 300, "rmdir", "rmdir", "lock", TestTrace::kLock, -1, "ENOENT");
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(FirstKind(report), "rename-after-lock-broken");
  EXPECT_THAT(report.summary, HasSubstr("pid 1 renamed onto the registry"));
  EXPECT_THAT(report.summary, HasSubstr("broken by pid 2 (renameat2 to "
                                        "/d/sandboxes.json.lock.quarantine.2.b2)"));
  const std::string evidence = Joined(report.evidence);
  EXPECT_THAT(evidence, HasSubstr("pid 2 renameat2 /d/sandboxes.json.lock -> "
                                  "/d/sandboxes.json.lock.quarantine.2.b2: ok"));
  EXPECT_EQ(report.details["breaks"], 1);
}

TEST(TraceMutualExclusion, TwoHoldersBothRenamingIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.RenameLockAway(2, 150).RmdirQuarantine(2, 151);
  t.Mkdir(2, 160);
  t.Publish(2, 170);
  t.Publish(1, 200);  // inside pid 2's span
  t.Call(2, 250, "openat", "open", "owner", std::string(TestTrace::kLock) + "/owner", 6);
  t.Rmdir(2, 300);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(FirstKind(report), "rename-while-another-holds");
  EXPECT_THAT(report.summary, HasSubstr("pid 1 renamed onto the registry"));
  EXPECT_THAT(report.summary, HasSubstr("while pid 2 held the lock"));
  const std::string evidence = Joined(report.evidence);
  EXPECT_THAT(evidence, HasSubstr("held by the other process: pid 2 took the lock by mkdir"));
  EXPECT_THAT(evidence, HasSubstr("its own renames onto the registry in that span:\n"
                                  "  trace line 11: pid 2 rename /d/sandboxes.json.tmp.2.a1 -> "
                                  "/d/sandboxes.json: ok"));
  EXPECT_THAT(evidence, HasSubstr("the renaming process's last lock: pid 1 took the lock "
                                  "by mkdir, broken by pid 2"));
  EXPECT_EQ(report.details["violations"], 1);
}

TEST(TraceMutualExclusion, InjectedRenameFailuresAreNotRenames) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.LockedPublish(1, 100);
  // Outside any lock: a rename that failed by injection, and one killed
  // before it ran. Neither replaced the registry.
  t.Rename(1, 200, TestTrace::Temp(1), -1, "EIO");
  t.Injected("errno");
  t.Rename(2, 210, TestTrace::Temp(2));
  t.Injected("kill");
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary;
  EXPECT_EQ(report.details["registry_renames"], 1);
}

TEST(TraceMutualExclusion, RealRenameFailureIsNotARenameEither) {
  TestTrace t;
  t.Hello(1, 1);
  t.LockedPublish(1, 100);
  t.Rename(1, 200, TestTrace::Temp(1), -1, "EXDEV");
  EXPECT_EQ(CheckTraceMutualExclusion(t.Timeline()).verdict, Verdict::kValid);
}

TEST(TraceMutualExclusion, DeadHolderBrokenByCorrectWaiterIsValid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1));
  t.Rename(1, 110, TestTrace::Temp(1));  // killed before the rename ran
  t.Injected("kill");
  t.Mkdir(2, 200, "EEXIST");
  t.RenameLockAway(2, 300).RmdirQuarantine(2, 301);
  t.LockedPublish(2, 302);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary;
  EXPECT_EQ(report.details["breaks"], 1);
  EXPECT_THAT(report.summary, HasSubstr("1 broken by another process, 0 removed by untraced"));
}

TEST(TraceMutualExclusion, LockThatVanishedUntracedEndsItsSpan) {
  // pid 1 dies holding the lock, which someone removes without the
  // interposer (by hand, a raw system call): pid 2's mkdir proves it gone.
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.Mkdir(2, 200);  // the lock vanished without a trace (removed by hand)
  t.Publish(2, 210);
  t.Rmdir(2, 230);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary;
  EXPECT_EQ(report.details["vanished"], 1);
}

TEST(TraceMutualExclusion, PutBackLockIsHeldAgain) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.RenameLockAway(2, 150).RenameLockBack(2, 160);
  t.Publish(1, 200);
  t.Rmdir(1, 300);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary;
  EXPECT_EQ(report.details["lock_spans"], 2);
}

TEST(TraceMutualExclusion, RenameWhileTheLockIsInQuarantineIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.RenameLockAway(2, 150);
  t.Publish(1, 200);
  // pid 2 compares the quarantined owner record, then puts the lock back.
  t.Call(2, 250, "openat", "open", "quarantine",
         std::string(TestTrace::kLock) + ".quarantine.2.b2/owner", 6);
  t.RenameLockBack(2, 300);
  t.Rmdir(1, 400);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(FirstKind(report), "rename-after-lock-broken");
}

TEST(TraceMutualExclusion, ReleaseStampedLateIsNotAnOverlap) {
  // pid 1's rmdir ran before pid 2's mkdir, but pid 1 was preempted before
  // stamping it: by stamps alone pid 2's rename is inside pid 1's span.
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.Publish(1, 101);  // last call before the rmdir at 110
  t.Mkdir(2, 200);
  t.Publish(2, 210);  // rename at 215
  t.Rmdir(2, 230);
  t.Rmdir(1, 500);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Joined(report.evidence);
}

TEST(TraceMutualExclusion, ReleaseStampedAfterLaterHandoversIsNotABreak) {
  // pid 1's rmdir is stamped after pid 2 took and released the lock and
  // pid 3 took it: it was pid 1's own release, not a break of pid 3's lock.
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2).Hello(3, 3);
  t.Mkdir(1, 100);
  t.Publish(1, 101);  // last call before the rmdir at 109
  t.Mkdir(2, 200);
  t.Publish(2, 210);
  t.Call(2, 240, "openat", "open", "owner", std::string(TestTrace::kLock) + "/owner", 6);
  t.Rmdir(2, 250);
  t.Mkdir(3, 260);
  t.Rmdir(1, 300);
  t.Publish(3, 310);
  t.Rmdir(3, 330);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Joined(report.evidence);
  EXPECT_EQ(report.details["breaks"], 0);
  EXPECT_EQ(report.details["vanished"], 0);
}

TEST(TraceMutualExclusion, LateReleaseOfAVanishedLockIsItsOwn) {
  // pid 1's rmdir is stamped so late that pid 2's acquisition saw no
  // removal it could match; when it arrives it still ends pid 1's lock.
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.Mkdir(1, 100);
  t.Publish(1, 101);
  t.Mkdir(2, 200);
  t.Publish(2, 210);
  for (int i = 0; i < 70; ++i) {  // beyond the look-ahead
    t.Call(2, 230 + i, "openat", "open", "owner", std::string(TestTrace::kLock) + "/owner", 6);
    t.Call(2, 230 + i, "unlinkat", "unlink", "owner", std::string(TestTrace::kLock) + "/x");
    t.Rmdir(2, 230 + i).Mkdir(2, 230 + i);
  }
  t.Rmdir(1, 400);
  t.Publish(2, 410);
  t.Rmdir(2, 430);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Joined(report.evidence);
  EXPECT_EQ(report.details["vanished"], 0);
}

TEST(TraceMutualExclusion, LockFileCreatedAndWrittenIsALock) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2).Hello(3, 3);
  t.Call(1, 100, "open", "open", "lock", TestTrace::kLock, 3).fd = 3;
  t.Call(1, 101, "write", "write", "lock", TestTrace::kLock, 5).fd = 3;
  t.Call(1, 102, "close", "close", "lock", TestTrace::kLock).fd = 3;
  // A waiter reading the pid opens the file but writes nothing.
  t.Call(2, 103, "open", "open", "lock", TestTrace::kLock, 3).fd = 3;
  t.Call(2, 104, "close", "close", "lock", TestTrace::kLock).fd = 3;
  t.Publish(3, 110);  // no lock: inside pid 1's span
  t.Publish(1, 130);
  t.Call(1, 200, "unlink", "unlink", "lock", TestTrace::kLock);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid) << report.summary;
  EXPECT_EQ(FirstKind(report), "rename-while-another-holds");
  EXPECT_THAT(Joined(report.evidence),
              HasSubstr("pid 1 took the lock by lock file created (open, then write), "
                        "released by its owner (unlink)"));
  EXPECT_EQ(report.details["locks"], 1);
}

TEST(TraceMutualExclusion, UnknownWithoutRecognisedLock) {
  TestTrace t;
  t.Hello(1, 1);
  t.Publish(1, 100);  // e.g. flock(2): not traced
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kUnknown);
  EXPECT_THAT(report.summary, HasSubstr("no lock acquisition this checker recognises"));
}

// Writers that take no lock: their read-modify-write cycles are judged.
// ReadRegistry: an open of the registry for reading (O_RDONLY), or one that
// found no file.
void ReadRegistry(TestTrace& t, int pid, int64_t at, bool missing = false) {
  TraceEvent& e = t.Call(pid, at, "openat", "open", "registry", TestTrace::kRegistry,
                         missing ? -1 : 3, missing ? "ENOENT" : "");
  e.fd = missing ? -1 : 3;
  e.open_flags = "O_RDONLY|O_CLOEXEC";
}

TEST(TraceMutualExclusionWithoutLock, CyclesOneAfterAnotherAreValid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  ReadRegistry(t, 1, 100, /*missing=*/true);
  t.Publish(1, 101);
  ReadRegistry(t, 2, 200);
  t.Publish(2, 201);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary;
  EXPECT_EQ(report.summary,
            "no lock recognised; 2 read-modify-write cycles (registry open to write), none "
            "with another writer's rename inside");
  EXPECT_EQ(report.details["no_lock"], true);
}

TEST(TraceMutualExclusionWithoutLock, AnotherWritersRenameInsideACycleIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  ReadRegistry(t, 1, 100);
  ReadRegistry(t, 2, 110);
  t.Publish(2, 120);  // renames at 125
  t.Publish(1, 130);  // renames at 135: computed from the file it opened at 100
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(FirstKind(report), "overlapping-unlocked-cycles");
  EXPECT_THAT(report.summary, HasSubstr("pid 1 renamed onto the registry"));
  EXPECT_THAT(report.summary, HasSubstr("which pid 2 had replaced in between"));
  ASSERT_EQ(report.evidence.size(), 3u);
  EXPECT_THAT(report.evidence[0], HasSubstr("its read: trace line 3: pid 1 openat"));
  EXPECT_THAT(report.evidence[1], HasSubstr("the other writer's rename: "));
  EXPECT_THAT(report.evidence[1], HasSubstr("pid 2 rename"));
  EXPECT_THAT(report.evidence[2], HasSubstr("its write: "));
  EXPECT_EQ(report.details["violations"], 1);
}

// A writer that read once and writes again later (a cached document)
// overwrites every rename made since its read.
TEST(TraceMutualExclusionWithoutLock, AWriteFromAnOldReadIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  ReadRegistry(t, 1, 100);
  t.Publish(1, 101);
  ReadRegistry(t, 2, 200);
  t.Publish(2, 201);
  t.Publish(1, 300);  // no new read
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kInvalid) << report.summary;
}

// A shell writer's helpers: one reads, another renames; the same writer.
TEST(TraceMutualExclusionWithoutLock, HelpersOfOneWriterMakeOneCycle) {
  TestTrace t;
  t.Hello(1, 1).Hello(10, 2);
  t.Child(2, 1, 99);
  ReadRegistry(t, 2, 100);
  t.Child(3, 1, 104).Publish(3, 105);
  t.Child(11, 10, 199);
  ReadRegistry(t, 11, 200);
  t.Child(12, 10, 204).Publish(12, 205);
  EXPECT_EQ(CheckTraceMutualExclusion(t.Timeline()).verdict, Verdict::kValid);
}

// Opened twice before one write (conf does so): a rename after the last
// open is certain, one between the two opens only possible.
TEST(TraceMutualExclusionWithoutLock, ARenameBetweenTwoReadsIsOnlyPossible) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  ReadRegistry(t, 1, 100);
  t.Publish(2, 110);  // renames at 115
  ReadRegistry(t, 1, 130);
  t.Publish(1, 140);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kUnknown) << report.summary;
  EXPECT_THAT(report.summary, HasSubstr("1 of 1 read-modify-write cycles may have overlapped"));
  EXPECT_THAT(report.summary, HasSubstr("pid 2 replaced it in between"));
  EXPECT_EQ(report.details["possible_overlaps"], 1);

  // The next write starts afresh from the reads after this one.
  TestTrace later;
  later.Hello(1, 1).Hello(2, 2);
  ReadRegistry(later, 1, 100);
  later.Publish(2, 110);
  ReadRegistry(later, 1, 130);
  later.Publish(1, 140);
  ReadRegistry(later, 1, 200);
  later.Publish(1, 210);
  EXPECT_EQ(CheckTraceMutualExclusion(later.Timeline()).details["possible_overlaps"], 1);
}

// Only a certain order counts: a rename whose window reaches back before
// the read (its process's previous line is older) is not reported.
TEST(TraceMutualExclusionWithoutLock, AnUncertainOrderIsNotReported) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  ReadRegistry(t, 1, 100);
  t.Rename(2, 120, TestTrace::Temp(2));  // may have happened any time after 2
  t.Rename(1, 130, TestTrace::Temp(1));
  EXPECT_EQ(CheckTraceMutualExclusion(t.Timeline()).verdict, Verdict::kValid);
}

// Reads are not traced: another writer's in-place write after the open may
// have been read. Not an overlap this checker can be sure of.
TEST(TraceMutualExclusionWithoutLock, AnInPlaceWriteInsideIsNotCounted) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  ReadRegistry(t, 1, 100);
  t.Call(2, 110, "write", "write", "registry", TestTrace::kRegistry, 10).fd = 5;
  t.Publish(1, 120);
  EXPECT_EQ(CheckTraceMutualExclusion(t.Timeline()).verdict, Verdict::kValid);
}

// A write-only open (O_WRONLY|O_TRUNC) reads nothing: the cycle starts at
// the read before it, and a blind writer (no read) is not judged.
TEST(TraceMutualExclusionWithoutLock, WriteOnlyOpensAreNotReadsAndBlindWritesAreUnjudged) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  ReadRegistry(t, 1, 100);
  t.Publish(2, 110);  // blind
  t.Call(1, 130, "open", "open", "registry", TestTrace::kRegistry, 4).open_flags =
      "O_WRONLY|O_CREAT|O_TRUNC";
  t.Publish(1, 140);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kInvalid) << report.summary;
  EXPECT_EQ(report.details["judged_cycles"], 1);
  EXPECT_EQ(report.details["registry_writes"], 2);

  TestTrace blind;
  blind.Hello(1, 1).Publish(1, 100);
  const CheckerReport unjudged = CheckTraceMutualExclusion(blind.Timeline());
  EXPECT_EQ(unjudged.verdict, Verdict::kUnknown);
  EXPECT_THAT(unjudged.summary, HasSubstr("no read-modify-write cycle to judge"));
}

TEST(TraceMutualExclusion, UnknownWithoutRenames) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100).Rmdir(1, 110);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kUnknown);
  EXPECT_THAT(report.summary, HasSubstr("no successful rename onto the registry"));
}

TEST(TraceMutualExclusion, UnknownWithoutCalls) {
  TestTrace t;
  t.Hello(1, 1);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kUnknown);
  EXPECT_THAT(report.summary, HasSubstr("no protocol calls in the trace (1 processes"));
}

TEST(TraceMutualExclusion, UnknownWhenHoldersNeverRename) {
  // mkdir(1) takes the lock, mv(1) renames: different processes.
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2).Hello(3, 3);
  t.Mkdir(1, 100);
  t.Publish(2, 110);
  t.Rmdir(3, 130);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kUnknown);
  EXPECT_THAT(report.summary, HasSubstr("no process that took the lock renamed"));
}

}  // namespace
}  // namespace lockharness::harness

namespace lockharness::harness {
namespace {

TEST(TraceMutualExclusion, LongTraceOfHandOvers) {
  // 20000 writes by 8 processes: judged span by span, not all against all.
  TestTrace t;
  for (int pid = 1; pid <= 8; ++pid) t.Hello(pid, pid);
  for (int i = 0; i < 20000; ++i) t.LockedPublish(1 + i % 8, 100 + 20 * int64_t{i});
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary;
  EXPECT_EQ(report.details["registry_renames"], 20000);
  EXPECT_EQ(report.details["lock_spans"], 20000);
}

}  // namespace
}  // namespace lockharness::harness

namespace lockharness::harness {
namespace {

using testing_util::TestTrace;

std::string Evidence(const CheckerReport& report) {
  std::string text;
  for (const std::string& line : report.evidence) text += line + "\n";
  return text;
}

std::string Kind(const CheckerReport& report) {
  return report.details.at("violation_list").at(0).at("kind").get<std::string>();
}

TEST(TraceMutualExclusionKernelLocks, FlockHandOversAreValid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.KernelLock(1, 100, "flock", "exclusive");
  t.Publish(1, 110);
  t.KernelLock(1, 130, "flock", "unlock");
  t.KernelLock(2, 140, "flock", "exclusive");
  t.Publish(2, 150);
  t.CloseFd(2, 170, 7);  // closing the locking descriptor releases a flock
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Evidence(report);
  EXPECT_EQ(report.details["kernel_locks"], 2);
  EXPECT_EQ(report.details["conventions"], nlohmann::json::array({"flock"}));
}

TEST(TraceMutualExclusionKernelLocks, RenameInsideAnotherWritersFlockIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.KernelLock(1, 100, "flock", "exclusive");
  t.Publish(2, 120);  // pid 2 never locks
  t.Publish(1, 140);
  t.KernelLock(1, 160, "flock", "unlock");
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(Kind(report), "rename-while-another-holds");
  EXPECT_THAT(Evidence(report),
              ::testing::HasSubstr("pid 1 took the lock by flock lock (flock exclusive on the "
                                   "lock file), released by its owner (flock unlock)"));
  EXPECT_THAT(Evidence(report), ::testing::HasSubstr("pid 1 flock flock exclusive fd 7"));
}

TEST(TraceMutualExclusionKernelLocks, FailedLockRequestIsNoLock) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.KernelLock(1, 100, "posix", "exclusive");
  t.KernelLock(2, 105, "posix", "exclusive", TestTrace::kLock, "lock", 7, "EAGAIN");
  t.Publish(2, 110);  // went ahead without the lock
  t.Publish(1, 150);  // the holder writes in its span, as the protocol does
  t.KernelLock(1, 200, "posix", "unlock");
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid) << report.summary << "\n" << Evidence(report);
  EXPECT_EQ(Kind(report), "rename-while-another-holds");
}

TEST(TraceMutualExclusionKernelLocks, PosixLockDropsOnCloseOfAnyDescriptor) {
  // The classic fcntl pitfall: pid 1 closes another descriptor of the lock
  // file (e.g. after reading the holder's pid) and has lost its lock; its
  // rename after that is outside its span.
  TestTrace t;
  t.Hello(1, 1);
  t.KernelLock(1, 100, "posix", "exclusive", TestTrace::kLock, "lock", 7);
  t.OpenLock(1, 105, "O_RDONLY", 8);
  t.CloseFd(1, 106, 8);
  t.Publish(1, 110);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid) << report.summary;
  EXPECT_EQ(Kind(report), "rename-after-release");
  EXPECT_THAT(Evidence(report), ::testing::HasSubstr("released by close of fd 8"));
}

TEST(TraceMutualExclusionKernelLocks, FlockSurvivesCloseOfAnotherDescriptor) {
  TestTrace t;
  t.Hello(1, 1);
  t.KernelLock(1, 100, "flock", "exclusive", TestTrace::kLock, "lock", 7);
  t.OpenLock(1, 105, "O_RDONLY", 8);
  t.CloseFd(1, 106, 8);
  t.Publish(1, 110);
  t.Exit(1, 130);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Evidence(report);
}

TEST(TraceMutualExclusionKernelLocks, ExitReleasesAndAKilledHolderKeepsItsSpanOpen) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2).Hello(3, 3);
  t.KernelLock(1, 100, "ofd", "exclusive");
  t.Publish(1, 110);
  t.Exit(1, 130);  // the kernel released the lock
  t.KernelLock(2, 140, "ofd", "exclusive");
  t.Publish(2, 150);
  // pid 2 is killed: no exit line, its lock stays until its last line at
  // least, and the next holder must come after that.
  t.KernelLock(3, 200, "ofd", "exclusive");
  t.Publish(3, 210);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Evidence(report);
  EXPECT_EQ(report.details["lock_spans"], 3);
}

TEST(TraceMutualExclusionKernelLocks, LockOnTheRegistryItselfCounts) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.KernelLock(1, 100, "posix", "exclusive", TestTrace::kRegistry, "registry", 5);
  t.KernelLock(2, 101, "posix", "exclusive", TestTrace::kRegistry, "registry", 5);
  // Both "hold" a lock on the registry path (the trace shows no inode, so
  // the checker takes them as one lock): pid 2's request at 101 ends pid
  // 1's tenure, and pid 1's rename at 110 is inside pid 2's span. pid 2's
  // own rename at 130 is inside its own span.
  t.Publish(1, 110);
  t.Publish(2, 130);
  t.KernelLock(1, 150, "posix", "unlock", TestTrace::kRegistry, "registry", 5);
  t.KernelLock(2, 151, "posix", "unlock", TestTrace::kRegistry, "registry", 5);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(report.details["violations"], 1) << report.summary << "\n" << Evidence(report);
  EXPECT_EQ(Kind(report), "rename-while-another-holds");
}

TEST(TraceMutualExclusionLockFiles, ExclusiveCreateIsALockWithoutAWrite) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.OpenLock(1, 100, "O_WRONLY|O_CREAT|O_EXCL", 3);
  t.CloseFd(1, 101, 3);
  t.OpenLock(2, 102, "O_WRONLY|O_CREAT|O_EXCL", 3, "EEXIST");
  t.Publish(2, 110);  // ignores its EEXIST
  t.Publish(1, 130);
  t.Call(1, 200, "unlink", "unlink", "lock", TestTrace::kLock);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_THAT(Evidence(report),
              ::testing::HasSubstr("took the lock by lock file created (open O_CREAT|O_EXCL)"));
  EXPECT_EQ(report.details["conventions"], nlohmann::json::array({"o-excl"}));
}

TEST(TraceMutualExclusionLockFiles, WritingAFlockedLockFileIsNotALockFileCreation) {
  // With open flags recorded, a plain O_CREAT open that is then written
  // (the holder's pid into a flock'ed file) is no acquisition: only the
  // flock is. Inferring one would make the waiter's open end the holder's
  // span and invent an overlap.
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.OpenLock(1, 100, "O_RDWR|O_CREAT", 7);
  t.KernelLock(1, 101, "flock", "exclusive");
  t.Call(1, 102, "write", "write", "lock", TestTrace::kLock, 5).fd = 7;
  t.OpenLock(2, 103, "O_RDWR|O_CREAT", 7);  // now waits in flock
  t.Publish(1, 110);
  t.KernelLock(1, 130, "flock", "unlock");
  t.KernelLock(2, 131, "flock", "exclusive");
  t.Call(2, 132, "write", "write", "lock", TestTrace::kLock, 5).fd = 7;
  t.Publish(2, 140);
  t.CloseFd(2, 160, 7);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Evidence(report);
  EXPECT_EQ(report.details["locks"], 2);
}

TEST(TraceMutualExclusionWriters, HelpersOfAShellWriterCountAsTheWriter) {
  // sh (pid 10) runs mkdir(1) as pid 11 and mv(1) as pid 12: the lock and
  // the rename are the same writer's.
  TestTrace t;
  t.Hello(10, 1).Child(11, 10, 2).Hello(20, 3);
  t.Mkdir(11, 100);
  t.Exit(11, 101);
  t.Child(12, 10, 105);
  t.WriteTemp(10, 106, TestTrace::Temp(10));
  t.Rename(12, 111, TestTrace::Temp(10));
  t.Exit(12, 112);
  t.Child(13, 10, 115, /*forked=*/true);
  t.Rmdir(13, 120);
  t.Mkdir(20, 130);
  t.Publish(20, 140);
  t.Rmdir(20, 160);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << report.summary << "\n" << Evidence(report);
}

TEST(TraceMutualExclusionWriters, AnotherWritersHelperInsideTheSpanIsInvalid) {
  TestTrace t;
  t.Hello(10, 1).Hello(20, 2);
  t.Mkdir(10, 100);
  t.Child(21, 20, 105);
  t.WriteTemp(21, 106, TestTrace::Temp(21));
  t.Rename(21, 111, TestTrace::Temp(21));  // writer 20 without the lock
  t.Publish(10, 120);
  t.Rmdir(10, 140);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid);
  EXPECT_EQ(Kind(report), "rename-while-another-holds");
  EXPECT_THAT(report.summary, ::testing::HasSubstr("pid 20 renamed onto the registry"));
}

}  // namespace
}  // namespace lockharness::harness
