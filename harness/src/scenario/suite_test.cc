#include "lockharness/harness/scenario/suite.h"

#include <fstream>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::scenario {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A fresh directory tree per test, removed afterwards.
class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("suite_test_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const fs::path& relative, const std::string& text = "") {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  // The listed files relative to root_, as strings.
  std::vector<std::string> List(const std::string& dir, std::string* error) {
    std::optional<std::vector<fs::path>> files = ListSuite(root_ / dir, error);
    std::vector<std::string> names;
    if (!files) return {"<error>"};
    for (const fs::path& f : *files) {
      names.push_back(f.lexically_relative(root_).string());
    }
    return names;
  }

  fs::path root_;
};

TEST_F(SuiteTest, ListsTomlFilesByNameWithoutSuiteToml) {
  Write("smoke/b.toml");
  Write("smoke/a.toml");
  Write("smoke/c.txt");
  Write("smoke/suite.toml", "description = \"quick\"\n");
  std::string error;
  EXPECT_EQ(List("smoke", &error), (std::vector<std::string>{"smoke/a.toml", "smoke/b.toml"}))
      << error;
  std::optional<SuiteConfig> config = LoadSuiteConfig(root_ / "smoke", &error);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_EQ(config->description, "quick");
}

TEST_F(SuiteTest, NoSuiteTomlMeansNoDescriptionAndNoIncludes) {
  Write("plain/a.toml");
  std::string error;
  std::optional<SuiteConfig> config = LoadSuiteConfig(root_ / "plain", &error);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_EQ(config->description, "");
  EXPECT_TRUE(config->include.empty());
  EXPECT_EQ(List("plain", &error), (std::vector<std::string>{"plain/a.toml"}));
}

TEST_F(SuiteTest, IncludesComeFirstAndSharedOnesOnce) {
  Write("smoke/s1.toml");
  Write("full/f1.toml");
  Write("full/suite.toml", "include = [\"../smoke\"]\n");
  Write("soak/k1.toml");
  Write("soak/suite.toml", "include = [\"../full\", \"../smoke\"]\n");
  std::string error;
  EXPECT_EQ(List("soak", &error),
            (std::vector<std::string>{"smoke/s1.toml", "full/f1.toml", "soak/k1.toml"}))
      << error;
}

TEST_F(SuiteTest, CycleIsAnError) {
  Write("a/x.toml");
  Write("a/suite.toml", "include = [\"../b\"]\n");
  Write("b/suite.toml", "include = [\"../a\"]\n");
  std::string error;
  EXPECT_FALSE(ListSuite(root_ / "a", &error).has_value());
  EXPECT_THAT(error, HasSubstr("include cycle: "));
  EXPECT_THAT(error, HasSubstr("/a -> "));
  EXPECT_THAT(error, HasSubstr("/b -> "));
}

TEST_F(SuiteTest, SelfIncludeIsACycle) {
  Write("a/suite.toml", "include = [\".\"]\n");
  std::string error;
  EXPECT_FALSE(ListSuite(root_ / "a", &error).has_value());
  EXPECT_THAT(error, HasSubstr("include cycle: "));
}

TEST_F(SuiteTest, MissingIncludeIsAnError) {
  Write("a/suite.toml", "include = [\"../nowhere\"]\n");
  std::string error;
  EXPECT_FALSE(ListSuite(root_ / "a", &error).has_value());
  EXPECT_EQ(error, (root_ / "a/suite.toml").string() + ": included suite '../nowhere' (" +
                       (root_ / "nowhere").string() + ") is not a directory");
}

TEST_F(SuiteTest, MissingSuiteDirectoryIsAnError) {
  std::string error;
  EXPECT_FALSE(ListSuite(root_ / "none", &error).has_value());
  EXPECT_EQ(error, (root_ / "none").string() + ": not a suite directory");
}

TEST_F(SuiteTest, SuiteTomlIsStrict) {
  Write("a/suite.toml", "description = \"x\"\nincludes = [\"../b\"]\n");
  std::string error;
  EXPECT_FALSE(ListSuite(root_ / "a", &error).has_value());
  EXPECT_EQ(error, (root_ / "a/suite.toml").string() +
                       ":2:1: unknown key 'includes' (known: description, include)");
  Write("a/suite.toml", "include = \"../b\"\n");
  EXPECT_FALSE(ListSuite(root_ / "a", &error).has_value());
  EXPECT_EQ(error, (root_ / "a/suite.toml").string() +
                       ":1:11: include must be a non-empty array of strings, got a string");
}

TEST(ParseShard, AcceptsKOfN) {
  std::string error;
  std::optional<Shard> shard = ParseShard("2/5", &error);
  ASSERT_TRUE(shard.has_value()) << error;
  EXPECT_EQ(shard->index, 2);
  EXPECT_EQ(shard->count, 5);
  ASSERT_TRUE(ParseShard("1/1", &error).has_value()) << error;
}

TEST(ParseShard, RejectsOutOfRangeAndMalformed) {
  std::string error;
  EXPECT_FALSE(ParseShard("0/3", &error).has_value());
  EXPECT_EQ(error, "shard '0/3': K must be from 1 to 3 (want K/N with 1 <= K <= N, e.g. 2/5)");
  EXPECT_FALSE(ParseShard("4/3", &error).has_value());
  EXPECT_EQ(error, "shard '4/3': K must be from 1 to 3 (want K/N with 1 <= K <= N, e.g. 2/5)");
  EXPECT_FALSE(ParseShard("1/0", &error).has_value());
  EXPECT_EQ(error, "shard '1/0': N must be >= 1 (want K/N with 1 <= K <= N, e.g. 2/5)");
  for (const char* bad : {"x", "", "1/", "/3", "1/3/4", "a/3", "1/3x", " 1/3", "-1/3"}) {
    EXPECT_FALSE(ParseShard(bad, &error).has_value()) << bad;
    EXPECT_EQ(error,
              "shard '" + std::string(bad) + "' is not K/N (want K/N with 1 <= K <= N, e.g. 2/5)")
        << bad;
  }
}

TEST(SelectShard, ShardsPartitionTheSuiteDeterministically) {
  std::vector<fs::path> files;
  for (int i = 0; i < 23; ++i) files.push_back("s/" + std::to_string(100 + i) + ".toml");
  for (int n = 1; n <= 7; ++n) {
    std::multiset<fs::path> all;
    for (int k = 1; k <= n; ++k) {
      std::vector<fs::path> part = SelectShard(files, Shard{k, n});
      EXPECT_EQ(part, SelectShard(files, Shard{k, n})) << "deterministic";
      // Sizes differ by at most one.
      EXPECT_GE(part.size(), files.size() / n);
      EXPECT_LE(part.size(), files.size() / n + 1);
      all.insert(part.begin(), part.end());
    }
    EXPECT_EQ(all, std::multiset<fs::path>(files.begin(), files.end()))
        << "n=" << n << ": union is the suite, each file once";
  }
  EXPECT_EQ(SelectShard(files, Shard{2, 5}),
            (std::vector<fs::path>{"s/101.toml", "s/106.toml", "s/111.toml", "s/116.toml",
                                   "s/121.toml"}));
}

}  // namespace
}  // namespace lockharness::harness::scenario
