#include "lockharness/protocol/atomic_write.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "lockharness/protocol/fault_points.h"
#include "test_util.h"

namespace lockharness::protocol {
namespace {

using testing::ReadFileOrDie;
using testing::ScopedFault;
using testing::TempDir;
using testing::WriteFileOrDie;

TEST(AtomicWriteTest, ReplacesTheFileAndLeavesNoTemp) {
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  WriteFileOrDie(path, "old");
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), path, "new contents").ok());
  EXPECT_EQ(ReadFileOrDie(path), "new contents");
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"});
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AtomicWriteTest, ParsesTempNames) {
  pid_t pid = 0;
  EXPECT_TRUE(ParseTempName("s.json", "s.json.tmp.123.abc", &pid));
  EXPECT_EQ(pid, 123);
  EXPECT_TRUE(ParseTempName("s.json", "s.json.tmp.77", &pid)) << "the seed's own naming";
  EXPECT_EQ(pid, 77);
  EXPECT_FALSE(ParseTempName("s.json", "s.json.tmp", &pid));
  EXPECT_FALSE(ParseTempName("s.json", "s.json.tmp.x", &pid));
  EXPECT_FALSE(ParseTempName("s.json", "s.json.tmp.12x", &pid));
  EXPECT_FALSE(ParseTempName("s.json", "other.tmp.12", &pid));
}

// A failure at any step before the rename leaves the old file and no temp.
class AtomicWriteFaultTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AtomicWriteFaultTest, FailureBeforeRenameKeepsOldFileAndNoTemp) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP() << "built without fault points";
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  WriteFileOrDie(path, "old");
  Status s;
  {
    ScopedFault fault(GetParam(), kFaultFail, ENOSPC);
    s = WriteFileAtomically(Env::Default(), path, "new");
  }
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_EQ(s.err(), ENOSPC);
  EXPECT_TRUE(s.injected());
  EXPECT_EQ(s.step(), GetParam());
  EXPECT_EQ(ReadFileOrDie(path), "old");
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"});
}

INSTANTIATE_TEST_SUITE_P(Steps, AtomicWriteFaultTest,
                         ::testing::Values(fault_point::kBeforeTempWrite, fault_point::kAfterTempWrite,
                                           fault_point::kBeforeFsync, fault_point::kAfterFsync,
                                           fault_point::kBeforeRename));

TEST(AtomicWriteFaultTest, FailureAfterRenameReportsTheStepWithTheNewFileInPlace) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP() << "built without fault points";
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  WriteFileOrDie(path, "old");
  ScopedFault fault(fault_point::kBeforeDirFsync, kFaultFail, EIO);
  Status s = WriteFileAtomically(Env::Default(), path, "new");
  EXPECT_EQ(s.step(), fault_point::kBeforeDirFsync);
  EXPECT_EQ(ReadFileOrDie(path), "new");
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"});
}

// Real system-call failures, not fault points: an Env that fails one call.
class FailingEnv : public ForwardingEnv {
 public:
  FailingEnv() : ForwardingEnv(Env::Default()) {}
  Status Rename(const std::string& f, const std::string& t) override {
    return fail_rename ? Status::IoError("rename", f, EXDEV) : ForwardingEnv::Rename(f, t);
  }
  Status WriteAll(int fd, std::string_view d, const std::string& p) override {
    return fail_write ? Status::IoError("write", p, EIO) : ForwardingEnv::WriteAll(fd, d, p);
  }
  Status SyncFile(int fd, const std::string& p) override {
    return fail_sync ? Status::IoError("fsync", p, EIO) : ForwardingEnv::SyncFile(fd, p);
  }
  bool fail_rename = false, fail_write = false, fail_sync = false;
};

TEST(AtomicWriteTest, EnvFailuresKeepOldFileAndNoTemp) {
  for (int which = 0; which < 3; ++which) {
    TempDir dir;
    const std::string path = dir.Join("sandboxes.json");
    WriteFileOrDie(path, "old");
    FailingEnv env;
    env.fail_rename = which == 0;
    env.fail_write = which == 1;
    env.fail_sync = which == 2;
    Status s = WriteFileAtomically(&env, path, "new");
    EXPECT_EQ(s.code(), Code::kIoError) << which;
    EXPECT_FALSE(s.injected());
    EXPECT_EQ(ReadFileOrDie(path), "old") << which;
    EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"}) << which;
  }
}

TEST(AtomicWriteTest, RetriesShortWrites) {
  // An Env whose write() accepts at most 3 bytes per call, as a pipe or a
  // signal-interrupted write might.
  class ShortWriteEnv : public ForwardingEnv {
   public:
    ShortWriteEnv() : ForwardingEnv(Env::Default()) {}
    Status WriteAll(int fd, std::string_view d, const std::string& p) override {
      while (!d.empty()) {
        Status s = ForwardingEnv::WriteAll(fd, d.substr(0, 3), p);
        if (!s.ok()) return s;
        d.remove_prefix(std::min<size_t>(3, d.size()));
        ++calls;
      }
      return Status::Ok();
    }
    int calls = 0;
  } env;
  TempDir dir;
  const std::string path = dir.Join("f");
  ASSERT_TRUE(WriteFileAtomically(&env, path, "0123456789").ok());
  EXPECT_EQ(ReadFileOrDie(path), "0123456789");
  EXPECT_EQ(env.calls, 4);
}

// --- Mutants (mutant.h) ---

class FailingRenameEnv : public ForwardingEnv {
 public:
  FailingRenameEnv() : ForwardingEnv(Env::Default()) {}
  Status Rename(const std::string&, const std::string& to) override { return Status::IoError("rename", to, EIO); }
};

TEST(AtomicWriteMutantTest, NoTmpCleanupLeavesTheTempOfAFailedRename) {
  for (Mutant m : {Mutant::kNone, Mutant::kNoTmpCleanup}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string path = dir.Join("sandboxes.json");
    WriteFileOrDie(path, "old");
    FailingRenameEnv env;
    Status s = WriteFileAtomically(&env, path, "new", m);
    EXPECT_EQ(s.err(), EIO);
    EXPECT_EQ(ReadFileOrDie(path), "old");
    auto names = dir.Names();
    if (m == Mutant::kNone) {
      EXPECT_EQ(names, std::vector<std::string>{"sandboxes.json"});
    } else {
      ASSERT_EQ(names.size(), 2u);
      pid_t pid = 0;
      EXPECT_TRUE(ParseTempName("sandboxes.json", names[1], &pid)) << names[1];
      EXPECT_EQ(pid, ::getpid());
      EXPECT_EQ(ReadFileOrDie(dir.Join(names[1])), "new");
    }
  }
}

class CountingSyncEnv : public ForwardingEnv {
 public:
  CountingSyncEnv() : ForwardingEnv(Env::Default()) {}
  Status SyncFile(int fd, const std::string& p) override {
    ++file_syncs;
    return ForwardingEnv::SyncFile(fd, p);
  }
  Status SyncDir(const std::string& d) override {
    ++dir_syncs;
    return ForwardingEnv::SyncDir(d);
  }
  int file_syncs = 0;
  int dir_syncs = 0;
};

TEST(AtomicWriteMutantTest, NoFsyncSkipsBothFsyncs) {
  for (Mutant m : {Mutant::kNone, Mutant::kNoFsync}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string path = dir.Join("sandboxes.json");
    CountingSyncEnv env;
    ASSERT_TRUE(WriteFileAtomically(&env, path, "new", m).ok());
    EXPECT_EQ(ReadFileOrDie(path), "new") << "on a live kernel the result looks the same";
    const int expected = m == Mutant::kNone ? 1 : 0;
    EXPECT_EQ(env.file_syncs, expected);
    EXPECT_EQ(env.dir_syncs, expected);
  }
}

TEST(AtomicWriteMutantTest, NoDirFsyncSkipsOnlyTheDirectoryFsync) {
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  CountingSyncEnv env;
  ASSERT_TRUE(WriteFileAtomically(&env, path, "new", Mutant::kNoDirFsync).ok());
  EXPECT_EQ(ReadFileOrDie(path), "new");
  EXPECT_EQ(env.file_syncs, 1);
  EXPECT_EQ(env.dir_syncs, 0);
}

}  // namespace
}  // namespace lockharness::protocol
