#include "lockharness/harness/install/data_locations.h"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/runner/command.h"

namespace lockharness::harness::install {
namespace {

namespace fs = std::filesystem;

class DataLocationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/lh-data-locations-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    layout_.source_dir = dir_ / "checkout";
    layout_.build_dir = dir_ / "checkout" / "build";
    layout_.build_interposer = dir_ / "checkout" / "build" / "interposer" / kInterposeLibraryName;
    layout_.build_placer = dir_ / "checkout" / "build" / "harness" / kPlacerName;
    layout_.bin_to_data = "../share/lockharness";
    layout_.bin_to_pkglib = "../lib/x86_64-linux-gnu/lockharness";
    fs::create_directories(layout_.build_dir / "harness");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  BuildLayout layout_;
};

TEST_F(DataLocationsTest, BuildTreeHarnessUsesTheCheckout) {
  const DataLocations data = LocateData(layout_.build_dir / "harness" / "lockharness", layout_);
  EXPECT_FALSE(data.installed);
  EXPECT_EQ(data.root, layout_.source_dir);
  EXPECT_EQ(data.scenarios, layout_.source_dir / "scenarios");
  EXPECT_EQ(data.adapters, layout_.source_dir / "harness" / "adapters");
  EXPECT_EQ(data.lockreg, layout_.build_dir / "protocol" / "lockreg");
  EXPECT_EQ(data.interposer, layout_.build_interposer);
  EXPECT_EQ(data.placer, layout_.build_placer);
}

TEST_F(DataLocationsTest, InstalledHarnessUsesItsPrefix) {
  const fs::path prefix = dir_ / "opt" / "lh";
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share" / "lockharness" / "scenarios");
  const DataLocations data = LocateData(prefix / "bin" / "lockharness", layout_);
  EXPECT_TRUE(data.installed);
  EXPECT_EQ(data.root, prefix / "share" / "lockharness");
  EXPECT_EQ(data.scenarios, prefix / "share" / "lockharness" / "scenarios");
  EXPECT_EQ(data.adapters, prefix / "share" / "lockharness" / "adapters");
  EXPECT_EQ(data.lockreg, prefix / "bin" / "lockreg");
  EXPECT_EQ(data.interposer,
            prefix / "lib" / "x86_64-linux-gnu" / "lockharness" / kInterposeLibraryName);
  EXPECT_EQ(data.placer, prefix / "lib" / "x86_64-linux-gnu" / "lockharness" / kPlacerName);
}

TEST_F(DataLocationsTest, AShareDirectoryWithoutScenariosIsNotAnInstall) {
  const fs::path prefix = dir_ / "usr";
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share" / "lockharness");
  EXPECT_FALSE(LocateData(prefix / "bin" / "lockharness", layout_).installed);
}

TEST_F(DataLocationsTest, NamesResolveAlikeInBothTrees) {
  const fs::path prefix = dir_ / "usr";
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share" / "lockharness" / "scenarios");
  const DataLocations installed = LocateData(prefix / "bin" / "lockharness", layout_);
  const DataLocations checkout = LocateData(layout_.build_dir / "harness" / "lockharness", layout_);

  EXPECT_EQ(ResolveDataPath(installed, "harness/adapters/python/registry_adapter.py"),
            (prefix / "share/lockharness/adapters/python/registry_adapter.py").string());
  EXPECT_EQ(ResolveDataPath(checkout, "harness/adapters/python/registry_adapter.py"),
            (layout_.source_dir / "harness/adapters/python/registry_adapter.py").string());
  EXPECT_EQ(ResolveDataPath(installed, "scenarios/smoke/kill-holder.toml"),
            (prefix / "share/lockharness/scenarios/smoke/kill-holder.toml").string());
  EXPECT_EQ(ResolveDataPath(installed, "build/protocol/lockreg"),
            (prefix / "bin" / "lockreg").string());
  EXPECT_EQ(ResolveDataPath(checkout, "build/protocol/lockreg"),
            (layout_.build_dir / "protocol" / "lockreg").string());
  EXPECT_EQ(ResolveDataPath(checkout, "build/harness/lockharness"),
            (layout_.build_dir / "harness" / "lockharness").string());
  // Anything else is left alone.
  for (const char* other : {"/usr/bin/python3", "node", "--file", "{registry}", "harness/adaptersX",
                            "tools/build/x", "scenarios"}) {
    EXPECT_EQ(ResolveDataPath(installed, other), other);
    EXPECT_EQ(ResolveDataPath(checkout, other), other);
  }
  EXPECT_EQ(ResolveDataPath(installed, "build/harness/lockharness"), "build/harness/lockharness");
}

TEST_F(DataLocationsTest, TemplatesKeepTheirOtherWordsAndSplitBack) {
  fs::create_directories(dir_ / "with space" / "bin");
  fs::create_directories(dir_ / "with space" / "share" / "lockharness" / "scenarios");
  const DataLocations data = LocateData(dir_ / "with space" / "bin" / "lockharness", layout_);
  ASSERT_TRUE(data.installed);
  const std::string given =
      "/usr/bin/python3 harness/adapters/python/registry_adapter.py --file {registry}";
  const std::string resolved = ResolveDataTemplate(data, given);
  std::string error;
  const auto words = runner::SplitCommandTemplate(resolved, &error);
  ASSERT_TRUE(words) << error;
  EXPECT_THAT(*words,
              ::testing::ElementsAre("/usr/bin/python3",
                                     (data.adapters / "python" / "registry_adapter.py").string(),
                                     "--file", "{registry}"));
  // Nothing to resolve, or not a template: byte for byte the same.
  for (const std::string same : {"{impl}", "lockreg --file '{registry}'  --x", "'unterminated"}) {
    EXPECT_EQ(ResolveDataTemplate(data, same), same);
  }
}

TEST_F(DataLocationsTest, LockharnessBuildDirMovesTheBuildTree) {
  ::setenv("LOCKHARNESS_BUILD_DIR", "/elsewhere/build-asan", 1);
  const BuildLayout moved = ThisBuildLayout();
  ::unsetenv("LOCKHARNESS_BUILD_DIR");
  EXPECT_EQ(moved.build_dir, fs::path("/elsewhere/build-asan"));
  EXPECT_NE(ThisBuildLayout().build_dir, fs::path("/elsewhere/build-asan"));
}

TEST(ThisHarnessDataTest, TestsRunFromTheBuildTree) {
  EXPECT_FALSE(ThisHarnessData().installed);
  EXPECT_TRUE(fs::is_directory(ThisHarnessData().scenarios / "smoke"));
  EXPECT_TRUE(fs::is_regular_file(ThisHarnessData().adapters / "catalog.json"));
}

}  // namespace
}  // namespace lockharness::harness::install
