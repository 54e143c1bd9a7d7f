#include "lockharness/interposer/path_class.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace lockharness::interposer {
namespace {

std::string Normalize(const char* in) {
  char out[kPathBufferSize];
  if (!NormalizeAbsolutePath(in, out, sizeof(out))) return "<rejected>";
  return out;
}

TEST(NormalizeAbsolutePathTest, CollapsesDotsAndSlashes) {
  EXPECT_EQ(Normalize("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(Normalize("/a/b/../c"), "/a/c");
  EXPECT_EQ(Normalize("/../a"), "/a");
  EXPECT_EQ(Normalize("/"), "/");
  EXPECT_EQ(Normalize("/a/.."), "/");
  EXPECT_EQ(Normalize("/d/sandboxes.json.lock/"), "/d/sandboxes.json.lock");
}

TEST(NormalizeAbsolutePathTest, RejectsRelativeAndOversizedPaths) {
  EXPECT_EQ(Normalize("a/b"), "<rejected>");
  EXPECT_EQ(Normalize(""), "<rejected>");
  char out[8];
  EXPECT_FALSE(NormalizeAbsolutePath("/abcdefghij", out, sizeof(out)));
}

class RegistryPathsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(reg_.Init("/d/sandboxes.json")); }

  PathClass Classify(const char* path) {
    char out[kPathBufferSize];
    EXPECT_TRUE(NormalizeAbsolutePath(path, out, sizeof(out))) << path;
    return reg_.Classify(out);
  }

  RegistryPaths reg_;
};

TEST_F(RegistryPathsTest, ClassifiesEveryProtocolPath) {
  EXPECT_EQ(Classify("/d/sandboxes.json"), PathClass::kRegistry);
  EXPECT_EQ(Classify("/d/sandboxes.json.tmp.42.ab12"), PathClass::kTemp);
  EXPECT_EQ(Classify("/d/sandboxes.json.tmp"), PathClass::kTemp);
  EXPECT_EQ(Classify("/d/sandboxes.json.lock"), PathClass::kLock);
  EXPECT_EQ(Classify("/d/sandboxes.json.lock/"), PathClass::kLock);
  EXPECT_EQ(Classify("/d/sandboxes.json.lock/owner"), PathClass::kOwner);
  EXPECT_EQ(Classify("/d/sandboxes.json.lock/owner.tmp.7"), PathClass::kOwner);
  EXPECT_EQ(Classify("/d/sandboxes.json.lock.stale.9"), PathClass::kQuarantine);
  EXPECT_EQ(Classify("/d/sandboxes.json.lock.stale.9/owner"),
            PathClass::kQuarantine);
  EXPECT_EQ(Classify("/d"), PathClass::kDir);
  EXPECT_EQ(Classify("/d/./x/../sandboxes.json"), PathClass::kRegistry);
}

// Any other file directly in the registry's directory is a sibling (e.g. a
// library's own temp name); anything elsewhere is other.
TEST_F(RegistryPathsTest, ClassifiesTheRestOfTheDirectoryAsSiblings) {
  EXPECT_EQ(Classify("/d/other.json"), PathClass::kSibling);
  EXPECT_EQ(Classify("/d/sandboxes.jsonx"), PathClass::kSibling);
  EXPECT_EQ(Classify("/d/sandboxes.json.bak"), PathClass::kSibling);
  EXPECT_EQ(Classify("/d/sandboxes.json.1234567"), PathClass::kSibling);
}

TEST_F(RegistryPathsTest, LeavesUnrelatedPathsAsOther) {
  EXPECT_EQ(Classify("/e/sandboxes.json"), PathClass::kOther);
  EXPECT_EQ(Classify("/d/sub/x.json"), PathClass::kOther);
  EXPECT_EQ(Classify("/"), PathClass::kOther);
  EXPECT_EQ(Classify("/d/sandboxes.json.tmp.1/x"), PathClass::kOther);
}

TEST(RegistryPathsInitTest, RejectsRelativeOrDirectoryPaths) {
  RegistryPaths reg;
  EXPECT_FALSE(reg.Init("sandboxes.json"));
  EXPECT_FALSE(reg.configured());
  EXPECT_FALSE(reg.Init("/"));
  char abs[] = "/d/x";
  EXPECT_EQ(reg.Classify(abs), PathClass::kOther);
}

TEST(RegistryPathsInitTest, RegistryInRootDirectory) {
  RegistryPaths reg;
  ASSERT_TRUE(reg.Init("/reg.json"));
  EXPECT_EQ(reg.Classify("/reg.json"), PathClass::kRegistry);
  EXPECT_EQ(reg.Classify("/"), PathClass::kDir);
  EXPECT_EQ(reg.Classify("/reg.json.lock"), PathClass::kLock);
}

// Relative paths and *at() paths resolve against cwd / the dirfd, and a
// registry named through a symlinked directory still matches.
TEST(AbsolutePathTest, ResolvesAgainstCwdDirfdAndSymlinks) {
  char tmpl[] = "/tmp/lh-path-class-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string real_dir = tmpl;
  std::string link = real_dir + ".link";
  ASSERT_EQ(symlink(real_dir.c_str(), link.c_str()), 0);

  char out[kPathBufferSize];
  int dirfd = open(real_dir.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dirfd, 0);
  ASSERT_NE(AbsolutePath(dirfd, "sandboxes.json.lock", out), nullptr);
  EXPECT_EQ(std::string(out), real_dir + "/sandboxes.json.lock");

  char old_cwd[kPathBufferSize];
  ASSERT_NE(getcwd(old_cwd, sizeof(old_cwd)), nullptr);
  ASSERT_EQ(chdir(real_dir.c_str()), 0);
  ASSERT_NE(AbsolutePath(AT_FDCWD, "./a/../sandboxes.json", out), nullptr);
  EXPECT_EQ(std::string(out), real_dir + "/sandboxes.json");

  // Registry configured through the symlink; the kernel reports the
  // physical directory for cwd and dirfd.
  RegistryPaths reg;
  ASSERT_TRUE(reg.Init((link + "/sandboxes.json").c_str()));
  EXPECT_EQ(reg.Classify(out), PathClass::kRegistry);
  ASSERT_NE(AbsolutePath(dirfd, "sandboxes.json.tmp.1", out), nullptr);
  EXPECT_EQ(reg.Classify(out), PathClass::kTemp);

  EXPECT_EQ(AbsolutePath(-1, "relative", out), nullptr);
  ASSERT_EQ(chdir(old_cwd), 0);
  close(dirfd);
  unlink(link.c_str());
  rmdir(real_dir.c_str());
}

TEST(PathClassNameTest, RoundTrips) {
  for (int i = 0; i < kPathClassCount; ++i) {
    auto c = static_cast<PathClass>(i);
    PathClass parsed = PathClass::kOther;
    ASSERT_TRUE(ParsePathClass(PathClassName(c), &parsed));
    EXPECT_EQ(parsed, c);
  }
  PathClass untouched = PathClass::kLock;
  EXPECT_FALSE(ParsePathClass("registy", &untouched));
  EXPECT_EQ(untouched, PathClass::kLock);
}

TEST(RegistryLockPathTest, LockPathOfItsOwnMovesTheLockClasses) {
  RegistryPaths reg;
  ASSERT_TRUE(reg.Init("/d/sandboxes.json"));
  ASSERT_TRUE(reg.SetLockPath("/d/./registry.lck"));
  EXPECT_EQ(reg.Classify("/d/registry.lck"), PathClass::kLock);
  EXPECT_EQ(reg.Classify("/d/registry.lck/owner"), PathClass::kOwner);
  EXPECT_EQ(reg.Classify("/d/registry.lck.stale.1"), PathClass::kQuarantine);
  EXPECT_EQ(reg.Classify("/d/sandboxes.json.lock"), PathClass::kSibling);
  EXPECT_EQ(reg.Classify("/d/sandboxes.json.tmp.1"), PathClass::kTemp);
  EXPECT_EQ(reg.Classify("/d/sandboxes.json"), PathClass::kRegistry);
  EXPECT_EQ(reg.Classify("/d/registry.lckx"), PathClass::kSibling);
  EXPECT_EQ(reg.Classify("/e/registry.lck"), PathClass::kOther);
}

TEST(RegistryLockPathTest, LockPathMustBeInTheRegistryDirectory) {
  RegistryPaths reg;
  ASSERT_TRUE(reg.Init("/d/sandboxes.json"));
  EXPECT_FALSE(reg.SetLockPath("/e/registry.lck"));
  EXPECT_FALSE(reg.SetLockPath("/d/sub/registry.lck"));
  EXPECT_FALSE(reg.SetLockPath("/d/sandboxes.json"));
  EXPECT_FALSE(reg.SetLockPath("relative.lck"));
  EXPECT_FALSE(reg.SetLockPath("/d"));
  EXPECT_EQ(reg.Classify("/d/sandboxes.json.lock"),
            PathClass::kLock);  // unchanged
}

}  // namespace
}  // namespace lockharness::interposer
