#include "lockharness/harness/runner/safe_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class SafeFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lockharness-safe-files-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    root_ = dir_template;
    run_ = root_ / "run";
    outside_ = root_ / "outside";
    fs::create_directories(run_);
    fs::create_directories(outside_);
    std::ofstream(outside_ / "precious") << "keep me";
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_, run_, outside_;
};

TEST_F(SafeFilesTest, WritesAFreshFile) {
  std::string error;
  ASSERT_TRUE(WriteFileNoFollow(run_ / "results.json", "{}\n", &error)) << error;
  EXPECT_EQ(Slurp(run_ / "results.json"), "{}\n");
  ASSERT_TRUE(WriteFileNoFollow(run_ / "results.json", "x", &error)) << error;
  EXPECT_EQ(Slurp(run_ / "results.json"), "x");
}

TEST_F(SafeFilesTest, PlantedSymlinkIsReplacedNeverWrittenThrough) {
  fs::create_symlink(outside_ / "precious", run_ / "results.json");
  std::string error;
  ASSERT_TRUE(WriteFileNoFollow(run_ / "results.json", "report", &error)) << error;
  EXPECT_FALSE(fs::is_symlink(run_ / "results.json"));
  EXPECT_EQ(Slurp(run_ / "results.json"), "report");
  EXPECT_EQ(Slurp(outside_ / "precious"), "keep me");
  // A dangling link pointing at a file to be created outside: not created.
  fs::create_symlink(outside_ / "new-file", run_ / "report.txt");
  ASSERT_TRUE(WriteFileNoFollow(run_ / "report.txt", "text", &error)) << error;
  EXPECT_FALSE(fs::exists(outside_ / "new-file"));
}

TEST_F(SafeFilesTest, FailureNamesTheFileAndTheReason) {
  fs::create_directory(run_ / "results.json");
  std::string error;
  EXPECT_FALSE(WriteFileNoFollow(run_ / "results.json", "x", &error));
  EXPECT_EQ(error, "cannot write " + (run_ / "results.json").string() + ": Is a directory");
}

// Only regular files are written: a device planted in a report file's
// place (here /dev/full) is refused, named, and not written. A full file
// system (ENOSPC) is tested end to end on a small tmpfs
// (tests/e2e/safety_e2e_test.cc, FullFileSystemMakesTheRunUnknownWithAReason).
TEST_F(SafeFilesTest, DeviceIsRefusedUnwritten) {
  std::string error;
  EXPECT_FALSE(WriteFileNoFollow("/dev/full", "x", &error));
  EXPECT_EQ(error, "cannot write /dev/full: not a regular file");
}

TEST_F(SafeFilesTest, RootHandsTheRunOverToTheOwnerWithoutFollowingLinks) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown)";
  constexpr uid_t kUser = 54321;
  constexpr gid_t kGroup = 54322;
  ASSERT_EQ(::chown(run_.c_str(), kUser, kGroup), 0);
  fs::create_directories(run_ / "registry" / "sandboxes.json.lock");
  std::ofstream(run_ / "registry" / "sandboxes.json") << "{}";
  fs::create_symlink(outside_ / "precious", run_ / "registry" / "evil-link");
  fs::create_symlink(outside_, run_ / "registry" / "evil-dir");
  std::string error;
  ASSERT_TRUE(HandOverToDirectoryOwner(run_, &error)) << error;
  struct stat st;
  for (const char* name : {"registry", "registry/sandboxes.json", "registry/sandboxes.json.lock",
                           "registry/evil-link", "registry/evil-dir"}) {
    ASSERT_EQ(::lstat((run_ / name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, kUser) << name;
    EXPECT_EQ(st.st_gid, kGroup) << name;
  }
  for (const fs::path& target : {outside_ / "precious", outside_}) {
    ASSERT_EQ(::lstat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u) << target << " was changed through a symlink";
  }
  // A directory the harness created inside the user's tree goes to them too.
  const fs::path created = run_ / "job" / "scenario";
  fs::create_directories(created);
  ASSERT_EQ(::chown((run_ / "job").c_str(), 0, 0), 0);
  ASSERT_TRUE(HandOverToDirectoryOwner(created, &error)) << error;
  ASSERT_EQ(::lstat(created.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUser);
}

}  // namespace
}  // namespace lockharness::harness::runner
