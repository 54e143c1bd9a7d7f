// Loads the checked-in scenarios/ tree: every file must load, every suite
// must list, and the smoke suite must stay small enough for every push.

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "lockharness/harness/scenario/scenario.h"
#include "lockharness/harness/scenario/suite.h"

namespace lockharness::harness::scenario {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarios = fs::path(LOCKHARNESS_SOURCE_DIR) / "scenarios";

TEST(ScenarioFiles, EveryFileLoadsAndHasADescription) {
  int loaded = 0;
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(kScenarios)) {
    if (entry.path().extension() != ".toml" || entry.path().filename() == "suite.toml") {
      continue;
    }
    std::string error;
    std::optional<Scenario> s = LoadScenario(entry.path(), &error);
    ASSERT_TRUE(s.has_value()) << error;
    EXPECT_FALSE(s->description.empty()) << entry.path();
    EXPECT_TRUE(names.insert(s->name).second) << "duplicate name " << s->name;
    // Generous: a pause-holder scenario makes every other writer wait.
    EXPECT_GE(s->run.op_timeout_ms, 10000) << entry.path();
    ++loaded;
  }
  EXPECT_GE(loaded, 24);
}

TEST(ScenarioFiles, SuitesListAndIncludeEachOther) {
  std::string error;
  auto smoke = ListSuite(kScenarios / "smoke", &error);
  ASSERT_TRUE(smoke.has_value()) << error;
  auto full = ListSuite(kScenarios / "full", &error);
  ASSERT_TRUE(full.has_value()) << error;
  auto soak = ListSuite(kScenarios / "soak", &error);
  ASSERT_TRUE(soak.has_value()) << error;
  EXPECT_GE(smoke->size(), 8u);
  ASSERT_GT(full->size(), smoke->size());
  ASSERT_GT(soak->size(), full->size());
  EXPECT_TRUE(std::equal(smoke->begin(), smoke->end(), full->begin()));
  EXPECT_TRUE(std::equal(full->begin(), full->end(), soak->begin()));
}

TEST(ScenarioFiles, SmokeSuiteIsSmall) {
  std::string error;
  auto smoke = ListSuite(kScenarios / "smoke", &error);
  ASSERT_TRUE(smoke.has_value()) << error;
  int64_t total_ops = 0;
  int64_t total_timeout_ms = 0;
  for (const fs::path& file : *smoke) {
    std::optional<Scenario> s = LoadScenario(file, &error);
    ASSERT_TRUE(s.has_value()) << error;
    total_ops += PlannedOps(*s);
    // Every smoke scenario has a hard stop, so a hang cannot stall CI.
    EXPECT_GT(s->run.run_timeout_ms, 0) << file;
    EXPECT_LE(s->run.run_timeout_ms, 60000) << file;
    total_timeout_ms += s->run.run_timeout_ms;
  }
  // About 1-5 ms per operation on 2 loaded cores: well under 3 minutes.
  EXPECT_LE(total_ops, 4000);
  // Hard stops add up to at most 12 minutes, were every scenario to hit its
  // own (the placement ones leave room for a lease to expire).
  EXPECT_LE(total_timeout_ms, 720000);
}

}  // namespace
}  // namespace lockharness::harness::scenario
