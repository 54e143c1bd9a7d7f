// The exact crash states each persistence model generates for tiny
// hand-built traces.

#include "src/crash/persistence_model.h"

#include <fcntl.h>

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::crash {
namespace {

using ::testing::HasSubstr;
using Entries = std::map<std::string, std::optional<std::string>>;

CrashCall Open(const std::string& path, uint64_t ino) {
  CrashCall c;
  c.kind = CallKind::kOpen;
  c.path = path;
  c.ino = ino;
  c.flags = O_WRONLY | O_CREAT | O_EXCL;
  c.created = true;
  return c;
}
CrashCall Write(uint64_t ino, const std::string& data, int64_t offset = 0) {
  CrashCall c;
  c.kind = CallKind::kWrite;
  c.path = "f";
  c.ino = ino;
  c.data = data;
  c.offset = offset;
  return c;
}
CrashCall Fsync(uint64_t ino) {
  CrashCall c;
  c.kind = CallKind::kFsync;
  c.path = "f";
  c.ino = ino;
  return c;
}
CrashCall FsyncDir() {
  CrashCall c;
  c.kind = CallKind::kFsync;
  c.path = "";
  c.ino = 1;
  c.is_dir = true;
  return c;
}
CrashCall Rename(const std::string& from, const std::string& to) {
  CrashCall c;
  c.kind = CallKind::kRename;
  c.from = from;
  c.path = to;
  return c;
}

StartState OldRegistry() { return {StartEntry{"r", false, "old", 100}}; }

std::set<Entries> States(const CrashProgram& p, int k, PersistenceModel m) {
  std::mt19937_64 rng(1);
  std::set<Entries> out;
  for (const CrashState& s : p.StatesAt(k, m, 1 << 20, rng)) out.insert(s.image.entries);
  return out;
}

CrashProgram Lowered(const StartState& start, const std::vector<CrashCall>& calls) {
  std::string error;
  auto p = CrashProgram::Lower(start, calls, "r", &error);
  EXPECT_TRUE(p) << error;
  return *p;
}

// write then rename over an existing file, no fsync at all.
std::vector<CrashCall> UnsyncedReplace() {
  return {Open("r.tmp", 7), Write(7, "new"), Rename("r.tmp", "r")};
}

TEST(PosixModel, UnsyncedReplaceMayLeaveOldNewEmptyOrZeros) {
  CrashProgram p = Lowered(OldRegistry(), UnsyncedReplace());
  const std::string zeros(3, '\0');
  std::set<Entries> expected = {
      // rename lost: the old registry, with or without the temp file
      {{"r", "old"}},
      {{"r", "old"}, {"r.tmp", "new"}},
      {{"r", "old"}, {"r.tmp", ""}},
      {{"r", "old"}, {"r.tmp", zeros}},
      // rename persisted, the data whole, lost, or its size without bytes
      {{"r", "new"}},
      {{"r", ""}},
      {{"r", zeros}},
  };
  EXPECT_EQ(States(p, 2, PersistenceModel::kPosix), expected);
}

TEST(PosixModel, TearsUnsyncedWritesAtSectors) {
  const std::string data(1000, 'x');  // sectors [0,512) and [512,1000)
  CrashProgram p = Lowered({}, {Open("r", 7), Write(7, data)});
  std::set<std::string> contents;
  for (const Entries& e : States(p, 1, PersistenceModel::kPosix)) {
    if (e.count("r")) contents.insert(*e.at("r"));
  }
  const std::string torn = std::string(512, 'x') + std::string(488, '\0');
  EXPECT_EQ(contents, (std::set<std::string>{"", data, std::string(1000, '\0'), torn}));
}

TEST(PosixModel, FsyncOfFileAndDirectoryLeavesOnlyTheNewContent) {
  CrashProgram p = Lowered(OldRegistry(), {Open("r.tmp", 7), Write(7, "new"), Fsync(7),
                                           Rename("r.tmp", "r"), FsyncDir()});
  EXPECT_EQ(States(p, 4, PersistenceModel::kPosix), (std::set<Entries>{{{"r", "new"}}}));
  // Before the directory fsync the rename (and the temp's name) may be lost,
  // but the data is whole wherever the inode is named.
  EXPECT_EQ(States(p, 3, PersistenceModel::kPosix),
            (std::set<Entries>{{{"r", "old"}}, {{"r", "old"}, {"r.tmp", "new"}}, {{"r", "new"}}}));
}

TEST(PosixModel, WithoutTheDirectoryFsyncTheRenameMayBeLost) {
  CrashProgram p =
      Lowered(OldRegistry(), {Open("r.tmp", 7), Write(7, "new"), Fsync(7), Rename("r.tmp", "r")});
  auto states = States(p, 3, PersistenceModel::kPosix);
  EXPECT_TRUE(states.count({{"r", "old"}}));
  EXPECT_TRUE(states.count({{"r", "new"}}));
}

TEST(Ext4OrderedModel, ReplaceByRenameFlushesTheDataFirst) {
  CrashProgram p = Lowered(OldRegistry(), UnsyncedReplace());
  std::set<Entries> expected = {
      {{"r", "old"}},                    // nothing of the metadata
      {{"r", "old"}, {"r.tmp", ""}},     // the create, not the data
      {{"r", "old"}, {"r.tmp", "new"}},  // the create and the data
      {{"r", "new"}},                    // the rename: auto_da_alloc flushed the data
  };
  EXPECT_EQ(States(p, 2, PersistenceModel::kExt4Ordered), expected);
}

TEST(Ext4OrderedModel, ANewFilesUnsyncedDataMayBeLostLeavingItEmpty) {
  CrashProgram p = Lowered({}, {Open("r.tmp", 7), Write(7, "new"), Rename("r.tmp", "r")});
  auto states = States(p, 2, PersistenceModel::kExt4Ordered);
  EXPECT_TRUE(states.count({{"r", ""}}));
  EXPECT_TRUE(states.count({{"r", "new"}}));
  EXPECT_FALSE(states.count({{"r", std::string(3, '\0')}}));  // never zeros
}

TEST(Ext4OrderedModel, AnyFsyncCommitsEveryEarlierMetadataOperation) {
  // The rename of one file is committed by a later fsync of another.
  CrashProgram p = Lowered(OldRegistry(), {Open("r.tmp", 7), Write(7, "new"), Fsync(7),
                                           Rename("r.tmp", "r"), Open("q", 8), Fsync(8)});
  for (const Entries& e : States(p, 5, PersistenceModel::kExt4Ordered)) {
    EXPECT_EQ(e.at("r"), "new");
  }
  // Before that fsync the rename may still be lost (no directory fsync).
  auto before = States(p, 4, PersistenceModel::kExt4Ordered);
  EXPECT_TRUE(before.count({{"r", "old"}, {"r.tmp", "new"}}));
}

TEST(PrefixModel, OnlyOldAndNewEverReachTheRegistry) {
  CrashProgram p = Lowered(OldRegistry(), UnsyncedReplace());
  std::set<std::string> registry;
  for (int k = 0; k < p.call_count(); ++k) {
    auto states = States(p, k, PersistenceModel::kPrefix);
    ASSERT_EQ(states.size(), 1u);
    registry.insert(*states.begin()->at("r"));
  }
  EXPECT_EQ(registry, (std::set<std::string>{"old", "new"}));
  EXPECT_EQ(States(p, 0, PersistenceModel::kPrefix),
            (std::set<Entries>{{{"r", "old"}, {"r.tmp", ""}}}));
}

TEST(CrashProgram, EntriesInADirectoryThatDidNotPersistAreGone) {
  CrashCall mk;
  mk.kind = CallKind::kMkdir;
  mk.path = "r.lock";
  CrashProgram p = Lowered({}, {mk, Open("r.lock/owner", 9), Write(9, "42")});
  auto states = States(p, 2, PersistenceModel::kPosix);
  EXPECT_TRUE(states.count({}));
  EXPECT_TRUE(states.count({{"r.lock", std::nullopt}, {"r.lock/owner", "42"}}));
  for (const Entries& e : states) {
    if (!e.count("r.lock")) {
      EXPECT_FALSE(e.count("r.lock/owner"));
    }
  }
}

TEST(CrashProgram, RecordsTheContentsTheRegistryHeld) {
  CrashProgram p = Lowered(OldRegistry(), UnsyncedReplace());
  EXPECT_EQ(p.registry_contents(), (std::unordered_set<std::string>{"old", "new"}));
}

TEST(CrashProgram, AWriteToAnUnknownFileIsAnErrorNamingTheCall) {
  std::string error;
  EXPECT_FALSE(CrashProgram::Lower({}, {Write(5, "x")}, "r", &error));
  EXPECT_THAT(error, HasSubstr("#0 write(f, 1 bytes at 0)"));
  EXPECT_THAT(error, HasSubstr("never saw"));
}

TEST(CrashProgram, SamplesWithinTheBudgetAndDescribesTheState) {
  std::vector<CrashCall> calls;
  for (int i = 0; i < 30; ++i) {
    calls.push_back(Open("t" + std::to_string(i), 10 + i));
  }
  std::string error;
  auto p = CrashProgram::Lower({}, calls, "r", &error);
  ASSERT_TRUE(p);
  std::mt19937_64 rng(3);
  auto states = p->StatesAt(29, PersistenceModel::kPosix, 16, rng);
  EXPECT_LE(states.size(), 18u);
  EXPECT_GE(states.size(), 10u);
  EXPECT_THAT(states[1].description, HasSubstr("dropped #0 open(t0)"));
  std::mt19937_64 again(3);
  auto same = p->StatesAt(29, PersistenceModel::kPosix, 16, again);
  ASSERT_EQ(same.size(), states.size());
  for (size_t i = 0; i < same.size(); ++i) EXPECT_EQ(same[i].image, states[i].image);
}

}  // namespace
}  // namespace lockharness::harness::crash
