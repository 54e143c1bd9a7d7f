#include "src/cli/conformance_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/runner/command.h"

namespace lockharness::harness::cli {
namespace {

using ::testing::HasSubstr;

ScenarioOutcome Outcome(std::string name, ScenarioStatus status, std::string impl) {
  ScenarioOutcome o;
  o.name = std::move(name);
  o.file = "scenarios/full/" + o.name + ".toml";
  o.status = status;
  o.impl = std::move(impl);
  o.seed = 7;
  o.result.judged = true;
  o.result.verdict = status == ScenarioStatus::kPass ? Verdict::kValid : Verdict::kInvalid;
  return o;
}

TEST(ConformanceMarkdown, MatrixCellsAndNotRunnableRows) {
  ConformanceRow good;
  good.adapter.name = "flock";
  good.outcomes = {Outcome("kill-holder", ScenarioStatus::kPass, "x")};
  ScenarioOutcome caught = Outcome("steal-lock", ScenarioStatus::kFail, "x");
  caught.caught_by = {"mutual-exclusion"};
  CheckerReport finding;
  finding.checker = "mutual-exclusion";
  finding.verdict = Verdict::kInvalid;
  finding.summary = "two holders | at once";
  caught.result.findings = {finding};
  good.outcomes.push_back(caught);
  ConformanceRow missing;
  missing.adapter.name = "node-lockfile";
  missing.not_runnable = "node not found";
  const std::string md = ConformanceMarkdown({"kill-holder", "steal-lock"}, {good, missing});
  EXPECT_THAT(md, HasSubstr("| adapter | kill-holder | steal-lock |\n|---|---|---|\n"));
  EXPECT_THAT(md, HasSubstr("| `flock` | pass | **FAIL**: mutual-exclusion |\n"));
  EXPECT_THAT(md, HasSubstr("| `node-lockfile` | not runnable: node not found | |\n"));
  // Table separators in summaries are escaped.
  EXPECT_THAT(md, HasSubstr("mutual-exclusion: two holders   at once"));
}

TEST(ConformanceMarkdown, ReplayQuotesNamesWithSpacesAndQuotes) {
  ConformanceRow row;
  row.adapter.name = "python";
  ScenarioOutcome o = Outcome("it's here", ScenarioStatus::kFail,
                              "python3 'my adapter.py' --name \"it's\" {registry}");
  o.file = "scenarios/my suite/it's here.toml";
  row.outcomes = {o};
  const std::string md = ConformanceMarkdown({"it's here"}, {row});
  const std::string prefix = "replay: `";
  const size_t at = md.find(prefix);
  ASSERT_NE(at, std::string::npos) << md;
  const std::string replay =
      md.substr(at + prefix.size(), md.find('`', at + prefix.size()) - at - prefix.size());
  std::string error;
  auto words = runner::SplitCommandTemplate(replay, &error);
  ASSERT_TRUE(words) << error << ": " << replay;
  EXPECT_EQ(*words,
            (std::vector<std::string>{"lockharness", "run", "scenarios/my suite/it's here.toml",
                                      "--impl", o.impl, "--seed", "7"}));
}

}  // namespace
}  // namespace lockharness::harness::cli
