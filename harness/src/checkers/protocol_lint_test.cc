#include "lockharness/harness/checkers/protocol_lint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::TestTrace;

std::vector<std::string> Rules(const std::vector<LintFinding>& findings) {
  std::vector<std::string> rules;
  for (const LintFinding& f : findings) rules.push_back(f.rule);
  return rules;
}

TEST(ProtocolLint, CleanSequenceHasNoFindings) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.LockedPublish(1, 100);
  t.LockedPublish(2, 200);
  const TraceTimeline timeline = t.Timeline();
  EXPECT_TRUE(LintTrace(timeline).empty());
  const CheckerReport report = CheckProtocolLint(timeline);
  EXPECT_EQ(report.checker, "protocol-lint");
  EXPECT_EQ(report.verdict, Verdict::kValid);
  EXPECT_EQ(report.summary, "2 registry renames linted: clean");
  EXPECT_TRUE(report.warnings.empty());
}

TEST(ProtocolLint, TempNameSharedAcrossProcesses) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  const std::string shared = std::string(TestTrace::kRegistry) + ".tmp";
  t.Mkdir(1, 100).Publish(1, 101, shared).Rmdir(1, 120);
  t.Mkdir(2, 200).Publish(2, 201, shared).Rmdir(2, 220);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  ASSERT_THAT(Rules(findings), ElementsAre("temp-name-shared"));
  EXPECT_EQ(findings[0].pid, 2);
  EXPECT_THAT(findings[0].message,
              HasSubstr("temp file /d/sandboxes.json.tmp used by 2 writers (pids 1, 2)"));
  ASSERT_EQ(findings[0].evidence.size(), 2u);
  EXPECT_THAT(findings[0].evidence[0], HasSubstr("pid 1 open /d/sandboxes.json.tmp: ok"));
  EXPECT_THAT(findings[0].evidence[1], HasSubstr("pid 2 open /d/sandboxes.json.tmp: ok"));
}

TEST(ProtocolLint, SameProcessReusingItsTempIsNotShared) {
  TestTrace t;
  t.Hello(1, 1);
  t.LockedPublish(1, 100);
  t.LockedPublish(1, 200);  // Temp(1) again
  EXPECT_TRUE(LintTrace(t.Timeline()).empty());
}

// A shell writer (pid 1) and its helpers: mktemp (2) creates the temp, the
// JSON step (3) writes and fsyncs it on its descriptor 4, mv (4) renames it
// and the shell's sync helper (5) fsyncs the directory. One writer wrote
// one temp: nothing to report, though no single process did it all.
TEST(ProtocolLint, AWritersHelpersTogetherMakeOneCleanWrite) {
  TestTrace t;
  const std::string temp = TestTrace::Temp(1);
  t.Hello(1, 1).Mkdir(1, 100);
  t.Child(2, 1, 101).Call(2, 102, "open", "open", "temp", temp, 3).fd = 3;
  t.CloseFd(2, 103, 3, temp, "temp").Exit(2, 104);
  t.Child(3, 1, 105).WriteTemp(3, 106, temp).Exit(3, 110);
  t.Child(4, 1, 111).Rename(4, 112, temp);
  t.Exit(4, 113);
  t.Child(5, 1, 114).SyncDir(5, 115).Exit(5, 118);
  t.Rmdir(1, 120);
  EXPECT_TRUE(LintTrace(t.Timeline()).empty());
}

// The same helpers without the fsync: the rename is still reported, and a
// descriptor 4 fsynced by another process (of another file) does not count.
TEST(ProtocolLint, AWritersHelpersAreLintedAsOneWriter) {
  TestTrace t;
  const std::string temp = TestTrace::Temp(1);
  t.Hello(1, 1).Mkdir(1, 100);
  t.Child(3, 1, 105).WriteTemp(3, 106, temp, /*fsync=*/false).Exit(3, 110);
  t.Child(6, 1, 110).Call(6, 110, "fsync", "fsync", "other", "/d/elsewhere").fd = 4;
  t.Child(4, 1, 111).Rename(4, 112, temp);
  t.Exit(4, 113);
  t.Child(5, 1, 114).SyncDir(5, 115).Exit(5, 118);
  t.Rmdir(1, 120);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  ASSERT_THAT(Rules(findings), ElementsAre("temp-not-fsynced"));
  EXPECT_EQ(findings[0].pid, 4);
}

// Two writers, each a shell with helpers, sharing one temp name: shared,
// named by the first process of each writer that used it.
TEST(ProtocolLint, TempNameSharedAcrossForkingWriters) {
  TestTrace t;
  const std::string shared = std::string(TestTrace::kRegistry) + ".tmp";
  t.Hello(1, 1).Hello(10, 2);
  t.Child(2, 1, 100).Publish(2, 101, shared).Exit(2, 112);
  t.Child(11, 10, 200).Publish(11, 201, shared).Exit(11, 212);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  ASSERT_THAT(Rules(findings), ElementsAre("temp-name-shared"));
  EXPECT_THAT(findings[0].message, HasSubstr("used by 2 writers (pids 2, 11)"));
}

// mv's way: renameat2 with RENAME_NOREPLACE fails with EEXIST, then a
// plain rename of the same fsynced temp. Neither attempt is unsynced.
TEST(ProtocolLint, ARetriedRenameOfAnFsyncedTempIsClean) {
  TestTrace t;
  const std::string temp = TestTrace::Temp(1);
  t.Hello(1, 1).Mkdir(1, 100).WriteTemp(1, 101, temp);
  t.Rename(1, 105, temp, -1, "EEXIST");
  t.Rename(1, 106, temp);
  t.SyncDir(1, 107).Rmdir(1, 120);
  EXPECT_TRUE(LintTrace(t.Timeline()).empty());
}

TEST(ProtocolLint, MissingTempFsync) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1), /*fsync=*/false);
  t.Rename(1, 106, TestTrace::Temp(1));
  t.SyncDir(1, 107).Rmdir(1, 120);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  ASSERT_THAT(Rules(findings), ElementsAre("temp-not-fsynced"));
  EXPECT_EQ(findings[0].pid, 1);
  EXPECT_EQ(findings[0].message,
            "pid 1 renamed /d/sandboxes.json.tmp.1.a1 over the registry without a "
            "successful fsync of it");
  ASSERT_EQ(findings[0].evidence.size(), 2u);
  EXPECT_THAT(findings[0].evidence[0], HasSubstr("open /d/sandboxes.json.tmp.1.a1"));
  EXPECT_THAT(findings[0].evidence[1], HasSubstr("rename /d/sandboxes.json.tmp.1.a1 -> "));
}

TEST(ProtocolLint, FdatasyncCounts) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1), /*fsync=*/false);
  t.Call(1, 105, "fdatasync", "fdatasync", "temp", TestTrace::Temp(1)).fd = 4;
  t.Rename(1, 106, TestTrace::Temp(1));
  t.SyncDir(1, 107).Rmdir(1, 120);
  EXPECT_TRUE(LintTrace(t.Timeline()).empty());
}

TEST(ProtocolLint, RenameAfterFailedFsync) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1), /*fsync=*/false);
  t.Call(1, 105, "fsync", "fsync", "temp", TestTrace::Temp(1), -1, "EIO").fd = 4;
  t.Injected("errno");
  t.Rename(1, 106, TestTrace::Temp(1));
  t.SyncDir(1, 107).Rmdir(1, 120);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  // The failed fsync also left nothing behind: the rename consumed it.
  ASSERT_THAT(Rules(findings), ElementsAre("temp-not-fsynced"));
  EXPECT_THAT(findings[0].message, HasSubstr("its fsync failed and the rename went ahead"));
  EXPECT_THAT(findings[0].evidence[1], HasSubstr("fsync fd 4 /d/sandboxes.json.tmp.1.a1: "
                                                 "failed EIO (injected errno)"));
}

TEST(ProtocolLint, MissingDirectoryFsync) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1));
  t.Rename(1, 106, TestTrace::Temp(1));
  t.Rmdir(1, 107);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  ASSERT_THAT(Rules(findings), ElementsAre("dir-not-fsynced"));
  EXPECT_EQ(findings[0].message,
            "pid 1 renamed onto the registry and went on without fsyncing the directory");
  ASSERT_EQ(findings[0].evidence.size(), 2u);
  EXPECT_THAT(findings[0].evidence[1], HasSubstr("rmdir /d/sandboxes.json.lock: ok"));
}

TEST(ProtocolLint, DirectoryFsyncMustComeBeforeTheNextRename) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1));
  t.Rename(1, 106, TestTrace::Temp(1));
  t.Publish(1, 110, TestTrace::Temp(1) + "b");
  t.Rmdir(1, 130);
  EXPECT_THAT(Rules(LintTrace(t.Timeline())), ElementsAre("dir-not-fsynced"));
}

TEST(ProtocolLint, RenameAsLastCallIsNotJudgedForDirectoryFsync) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1));
  t.Rename(1, 106, TestTrace::Temp(1));  // then SIGKILLed by the harness
  EXPECT_TRUE(LintTrace(t.Timeline()).empty());
}

TEST(ProtocolLint, TempLeftAfterFailedRename) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1));
  t.Rename(1, 106, TestTrace::Temp(1), -1, "EIO");
  t.Injected("errno");
  t.Rmdir(1, 107);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  ASSERT_THAT(Rules(findings), ElementsAre("temp-left-after-failure"));
  EXPECT_EQ(findings[0].message,
            "pid 1 left /d/sandboxes.json.tmp.1.a1 behind after a failed rename");
  EXPECT_THAT(findings[0].evidence[0], HasSubstr("failed EIO (injected errno)"));
}

TEST(ProtocolLint, TempRemovedAfterFailedRenameIsClean) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1));
  t.Rename(1, 106, TestTrace::Temp(1), -1, "EIO");
  t.Injected("errno");
  t.Call(1, 107, "unlink", "unlink", "temp", TestTrace::Temp(1));
  t.Rmdir(1, 108);
  EXPECT_TRUE(LintTrace(t.Timeline()).empty());
}

TEST(ProtocolLint, TempLeftAfterFailedWrite) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.Call(1, 101, "open", "open", "temp", TestTrace::Temp(1), 4).fd = 4;
  t.Call(1, 102, "write", "write", "temp", TestTrace::Temp(1), -1, "ENOSPC").fd = 4;
  t.Call(1, 103, "close", "close", "temp", TestTrace::Temp(1)).fd = 4;
  t.Rmdir(1, 104);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  ASSERT_THAT(Rules(findings), ElementsAre("temp-left-after-failure"));
  EXPECT_THAT(findings[0].message, HasSubstr("after a failed write"));
}

TEST(ProtocolLint, KilledProcessIsNotBlamedForItsTemp) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1));
  t.Rename(1, 106, TestTrace::Temp(1), -1, "EIO");
  t.Injected("errno");
  t.Call(1, 107, "unlink", "unlink", "temp", TestTrace::Temp(1)).result = 0;
  t.Injected("kill");
  t.events.back().result = 0;
  EXPECT_TRUE(LintTrace(t.Timeline()).empty());

  TestTrace killed;
  killed.Hello(1, 1);
  killed.Call(1, 101, "open", "open", "temp", TestTrace::Temp(1), 4).fd = 4;
  killed.Call(1, 102, "write", "write", "temp", TestTrace::Temp(1), -1, "EIO").fd = 4;
  killed.Injected("errno");
  killed.Call(1, 103, "rmdir", "rmdir", "lock", TestTrace::kLock);
  killed.Injected("kill");
  EXPECT_TRUE(LintTrace(killed.Timeline()).empty());
}

TEST(ProtocolLint, TempOutsideTheRegistryDirectory) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.Call(1, 101, "open", "open", "other", "/tmp/reg-new", 4).fd = 4;
  t.Rename(1, 106, "/tmp/reg-new");
  t.SyncDir(1, 107).Rmdir(1, 120);
  const std::vector<LintFinding> findings = LintTrace(t.Timeline());
  // The open of /tmp/reg-new is class `other`: a real trace would not even
  // show it, so only the rename is evidence and the fsync is unknown.
  ASSERT_THAT(Rules(findings), ElementsAre("temp-outside-registry-dir", "temp-not-fsynced"));
  EXPECT_EQ(findings[0].message,
            "pid 1 renamed /tmp/reg-new over the registry from another directory");
}

TEST(ProtocolLint, ReportListsFindingsAsWarningsAndStaysValid) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100);
  t.WriteTemp(1, 101, TestTrace::Temp(1), /*fsync=*/false);
  t.Rename(1, 106, TestTrace::Temp(1));
  t.Rmdir(1, 107);
  const CheckerReport report = CheckProtocolLint(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid);
  EXPECT_EQ(report.summary,
            "1 registry renames linted: 2 findings (dir-not-fsynced 1, temp-not-fsynced 1)");
  ASSERT_FALSE(report.warnings.empty());
  EXPECT_THAT(report.warnings[0], HasSubstr("temp-not-fsynced: pid 1 renamed"));
  EXPECT_THAT(report.warnings[1], HasSubstr("  trace line 3: pid 1 open"));
  EXPECT_EQ(report.details["findings"], 2);
  EXPECT_EQ(report.details["finding_list"][0]["rule"], "temp-not-fsynced");
  EXPECT_EQ(report.details["finding_list"][0]["pid"], 1);
}

TEST(ProtocolLint, UnknownWithoutRenames) {
  TestTrace t;
  t.Hello(1, 1);
  t.Mkdir(1, 100).Rmdir(1, 101);
  const CheckerReport report = CheckProtocolLint(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kUnknown);
  EXPECT_THAT(report.summary, HasSubstr("nothing to lint"));
}

TEST(ProtocolLint, LintAsFailure) {
  CheckerReport valid{"lost-update", Verdict::kValid, "ok", {}, {}, {}};
  CheckerReport clean{"protocol-lint", Verdict::kValid, "clean", {}, {}, {}};
  CheckerReport dirty = clean;
  dirty.warnings = {"temp-not-fsynced: pid 1 ..."};
  EXPECT_EQ(OverallWithLint({valid, dirty}, false), Verdict::kValid);
  EXPECT_EQ(OverallWithLint({valid, dirty}, true), Verdict::kInvalid);
  EXPECT_EQ(OverallWithLint({valid, clean}, true), Verdict::kValid);
  // No trace, no lint: "lint clean" cannot be shown.
  EXPECT_EQ(OverallWithLint({valid}, true), Verdict::kUnknown);
  CheckerReport invalid = valid;
  invalid.verdict = Verdict::kInvalid;
  EXPECT_EQ(OverallWithLint({invalid}, true), Verdict::kInvalid);
}

}  // namespace
}  // namespace lockharness::harness
