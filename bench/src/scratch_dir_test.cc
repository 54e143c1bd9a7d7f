#include "lockharness/bench/scratch_dir.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace lockharness::bench {
namespace {

namespace fs = std::filesystem;

TEST(ScratchDir, IsCreatedUnderTheBaseAndRemovedWithItsContents) {
  ScratchDir outer;
  ASSERT_FALSE(outer.path().empty());
  std::string inner_path;
  {
    ScratchDir inner(outer.path());
    inner_path = inner.path();
    ASSERT_FALSE(inner_path.empty());
    EXPECT_EQ(fs::path(inner_path).parent_path(), fs::path(outer.path()));
    fs::create_directory(inner_path + "/sub");
    std::ofstream(inner_path + "/sub/file") << "x";
  }
  EXPECT_FALSE(fs::exists(inner_path));
  EXPECT_TRUE(fs::is_empty(outer.path()));
}

TEST(ScratchDir, TwoAreDistinct) {
  ScratchDir a, b;
  EXPECT_NE(a.path(), b.path());
}

TEST(ScratchDir, UnusableBaseGivesAnEmptyPath) {
  ScratchDir dir("/nonexistent-lockharness-dir");
  EXPECT_TRUE(dir.path().empty());
}

}  // namespace
}  // namespace lockharness::bench
