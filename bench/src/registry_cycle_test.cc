#include "lockharness/bench/registry_cycle.h"

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lockharness/bench/scratch_dir.h"

namespace lockharness::bench {
namespace {

TEST(RegistryCycle, SeededFileStartsAtZeroAndCountsBumps) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  ASSERT_TRUE(SeedRegistryFile(file, 20).ok());
  auto zero = ReadCounter(file);
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  EXPECT_EQ(*zero, 0);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(BumpCounter(file, WriteMethod::kTempFsyncRenameDirSync).ok());
  auto three = ReadCounter(file);
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(*three, 3);
}

TEST(RegistryCycle, SeededFileLooksLikeARegistry) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  ASSERT_TRUE(SeedRegistryFile(file, 20).ok());
  std::ifstream in(file);
  auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["sandboxes"].size(), 21u);  // 20 + the counter
  EXPECT_EQ(doc["defaultSandbox"], "sandbox-0");
  EXPECT_EQ(doc["sandboxes"]["sandbox-7"]["name"], "sandbox-7");
}

TEST(RegistryCycle, CorruptOrCounterlessFilesAreRejectedAndLeftAlone) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  std::ofstream(file) << "{\"sandboxes\": {";
  Status s = BumpCounter(file, WriteMethod::kTempRename);
  EXPECT_EQ(s.code(), protocol::Code::kCorrupt);
  EXPECT_EQ(s.message(), "not JSON");

  std::ofstream(file, std::ios::trunc) << R"({"sandboxes": {"bench-counter": {"ops": "7"}}})";
  s = BumpCounter(file, WriteMethod::kTempRename);
  EXPECT_EQ(s.code(), protocol::Code::kCorrupt);
  EXPECT_NE(s.message().find("bench-counter"), std::string::npos);
  EXPECT_EQ(ReadCounter(file).status().code(), protocol::Code::kCorrupt);
}

TEST(RegistryCycle, MissingFileIsAnIoError) {
  ScratchDir dir;
  Status s = BumpCounter(dir.path() + "/absent.json", WriteMethod::kTempRename);
  EXPECT_EQ(s.code(), protocol::Code::kIoError);
  EXPECT_EQ(s.err(), ENOENT);
}

}  // namespace
}  // namespace lockharness::bench
