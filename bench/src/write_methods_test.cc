#include "lockharness/bench/write_methods.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "lockharness/bench/scratch_dir.h"

namespace lockharness::bench {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int EntriesIn(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

TEST(WriteWithMethod, EveryMethodReplacesTheContentsAndLeavesNoTemp) {
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string file = dir.path() + "/doc.json";
  std::ofstream(file) << std::string(5000,
                                     'o');  // longer than the new content: in-place must truncate
  for (WriteMethod method : AllWriteMethods()) {
    SCOPED_TRACE(WriteMethodName(method));
    const std::string data = std::string("{\"method\":\"") + WriteMethodName(method) + "\"}\n";
    Status s = WriteWithMethod(method, file, data);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Slurp(file), data);
    EXPECT_EQ(EntriesIn(dir.path()), 1);
  }
}

TEST(WriteWithMethod, RenameMethodsReplaceTheInodeInPlaceKeepsIt) {
  ScratchDir dir;
  const std::string file = dir.path() + "/doc.json";
  ASSERT_TRUE(WriteWithMethod(WriteMethod::kInPlace, file, "a").ok());
  struct stat before, after;
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  ASSERT_TRUE(WriteWithMethod(WriteMethod::kInPlace, file, "b").ok());
  ASSERT_EQ(::stat(file.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  ASSERT_TRUE(WriteWithMethod(WriteMethod::kTempRename, file, "c").ok());
  ASSERT_EQ(::stat(file.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
}

TEST(WriteWithMethod, MissingDirectoryFailsNamingTheStep) {
  const std::string file = "/nonexistent-lockharness-dir/doc.json";
  Status in_place = WriteWithMethod(WriteMethod::kInPlace, file, "x");
  EXPECT_EQ(in_place.code(), protocol::Code::kIoError);
  EXPECT_EQ(in_place.step(), "open");
  Status temp = WriteWithMethod(WriteMethod::kTempFsyncRenameDirSync, file, "x");
  EXPECT_EQ(temp.code(), protocol::Code::kIoError);
  EXPECT_EQ(temp.step(), "create-temp");
  EXPECT_EQ(temp.err(), ENOENT);
}

TEST(WriteWithMethod, FailedRenameRemovesTheTemp) {
  ScratchDir dir;
  // The target is a non-empty directory: rename(file -> dir) fails.
  const std::string target = dir.path() + "/doc.json";
  fs::create_directory(target);
  std::ofstream(target + "/keep") << "x";
  Status s = WriteWithMethod(WriteMethod::kTempRename, target, "data");
  EXPECT_EQ(s.code(), protocol::Code::kIoError);
  EXPECT_EQ(s.step(), "rename");
  EXPECT_EQ(EntriesIn(dir.path()), 1);  // only the directory: no temp left
}

}  // namespace
}  // namespace lockharness::bench
