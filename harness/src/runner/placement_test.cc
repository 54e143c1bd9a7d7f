// The placer command lines a placement gives each writer.

#include "lockharness/harness/runner/placement.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lockharness::harness::runner {
namespace {

namespace fs = std::filesystem;

TEST(PlacementPrefix, OptionsOfEachKindWithAndWithoutInit) {
  const fs::path hosts =
      fs::temp_directory_path() / ("lockharness-placement-" + std::to_string(::getpid()));
  fs::remove_all(hosts);
  const std::string placer = PlacerProgram();
  std::vector<std::string> prefix;
  std::string error;

  ASSERT_TRUE(PlacementPrefix(Placement::kSame, true, 0, 7, hosts, &prefix, &error));
  EXPECT_TRUE(prefix.empty());

  ASSERT_TRUE(PlacementPrefix(Placement::kPidNamespace, false, 0, 7, hosts, &prefix, &error));
  EXPECT_EQ(prefix, (std::vector<std::string>{placer, "--pid-ns", "--"}));
  ASSERT_TRUE(PlacementPrefix(Placement::kPidNamespace, true, 0, 7, hosts, &prefix, &error));
  EXPECT_EQ(prefix, (std::vector<std::string>{placer, "--init", "--pid-ns", "--"}));

  const std::string boot_id = (hosts / "writer-2.boot_id").string();
  ASSERT_TRUE(PlacementPrefix(Placement::kHost, true, 2, 7, hosts, &prefix, &error)) << error;
  EXPECT_EQ(prefix, (std::vector<std::string>{placer, "--init", "--host", "lh-host-2",
                                              "--boot-id-file", boot_id, "--"}));
  std::ifstream in(boot_id);
  std::string written;
  std::getline(in, written);
  EXPECT_EQ(written.size(), 36u);  // a UUID

  // Mixed: writer w gets same, pid-namespace, host for w mod 3 = 0, 1, 2.
  ASSERT_TRUE(PlacementPrefix(Placement::kMixed, false, 3, 7, hosts, &prefix, &error));
  EXPECT_TRUE(prefix.empty());
  ASSERT_TRUE(PlacementPrefix(Placement::kMixed, false, 4, 7, hosts, &prefix, &error));
  EXPECT_EQ(prefix, (std::vector<std::string>{placer, "--pid-ns", "--"}));
  fs::remove_all(hosts);
}

}  // namespace
}  // namespace lockharness::harness::runner
