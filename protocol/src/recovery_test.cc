#include "lockharness/protocol/recovery.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

namespace lockharness::protocol {
namespace {

using testing::TempDir;
using testing::WriteFileOrDie;

TEST(RecoveryTest, SweepsOnlyDeadWritersLeftovers) {
  TempDir dir;
  const std::string dead = std::to_string(testing::DeadPid());
  const std::string live = std::to_string(::getppid());
  WriteFileOrDie(dir.Join("s.json"), "{}");
  WriteFileOrDie(dir.Join("s.json.tmp." + dead + ".00ff"), "partial");
  WriteFileOrDie(dir.Join("s.json.tmp." + dead), "seed-style temp");
  WriteFileOrDie(dir.Join("s.json.tmp." + live + ".00aa"), "a live writer's");
  ASSERT_EQ(::mkdir(dir.Join("s.json.lock.quarantine." + dead + ".01").c_str(), 0700), 0);
  WriteFileOrDie(dir.Join("s.json.lock.quarantine." + dead + ".01/owner"), "1");
  ASSERT_EQ(::mkdir(dir.Join("s.json.lock.quarantine." + live + ".02").c_str(), 0700), 0);
  WriteFileOrDie(dir.Join("other.tmp." + dead), "not ours");
  WriteFileOrDie(dir.Join("s.json.corrupt.abc"), "a backup is kept");

  auto swept = SweepLeftovers(Env::Default(), dir.Join("s.json"));
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(swept->removed.size(), 3u);
  EXPECT_TRUE(swept->failed.empty());
  std::vector<std::string> expected = {"other.tmp." + dead, "s.json", "s.json.corrupt.abc",
                                       "s.json.lock.quarantine." + live + ".02", "s.json.tmp." + live + ".00aa"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(dir.Names(), expected);
}

}  // namespace
}  // namespace lockharness::protocol
