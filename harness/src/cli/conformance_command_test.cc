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

TEST(ConformanceMarkdown, PerOpSubstitutionShowsInTheCell) {
  ConformanceRow row;
  row.adapter.name = "shell-flock";
  ScenarioOutcome pass = Outcome("contention-8-worker", ScenarioStatus::kPass, "x");
  pass.substitution = "per-op mode: the implementation has no worker mode (catalog)";
  ScenarioOutcome caught = Outcome("steal-lock", ScenarioStatus::kFail, "x");
  caught.caught_by = {"lost-update"};
  caught.substitution = pass.substitution;
  row.outcomes = {pass, caught};
  const std::string md = ConformanceMarkdown({"contention-8-worker", "steal-lock"}, {row});
  EXPECT_THAT(md,
              HasSubstr("| `shell-flock` | pass (per-op) | **FAIL**: lost-update (per-op) |\n"));
}

ConformanceCell RunCell(std::string adapter, std::string scenario, std::string not_runnable = "") {
  ConformanceCell cell;
  cell.adapter = std::move(adapter);
  cell.scenario = scenario;
  cell.not_runnable = std::move(not_runnable);
  if (cell.not_runnable.empty()) cell.outcome = Outcome(scenario, ScenarioStatus::kPass, "x");
  return cell;
}

TEST(ConformanceRows, NotRunnableRowsAndCells) {
  ConformanceResults results;
  results.adapters = {"lockreg", "node-lockfile", "python-filelock"};
  results.scenarios = {"a", "b"};
  results.cells = {RunCell("lockreg", "a"), RunCell("lockreg", "b"),
                   RunCell("node-lockfile", "a", "node not found on PATH"),
                   RunCell("node-lockfile", "b", "node not found on PATH"),
                   // Shards on two machines, one without the package.
                   RunCell("python-filelock", "a", "python module filelock missing"),
                   RunCell("python-filelock", "b")};
  const std::vector<ConformanceRow> rows = ConformanceRows(results);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].not_runnable, "node not found on PATH");
  EXPECT_TRUE(rows[1].not_runnable_cells.empty());
  EXPECT_TRUE(rows[2].not_runnable.empty());
  EXPECT_EQ(rows[2].not_runnable_cells.at("a"), "python module filelock missing");
  const std::string md = ConformanceMarkdown(results.scenarios, rows);
  EXPECT_THAT(md, HasSubstr("| `lockreg` | pass | pass |\n"));
  EXPECT_THAT(md, HasSubstr("| `node-lockfile` | not runnable: node not found on PATH | |\n"));
  EXPECT_THAT(md, HasSubstr("| `python-filelock` | not runnable | pass |\n"));
  EXPECT_THAT(md, HasSubstr("- `python-filelock` x `a`: not runnable on the machine that ran it: "
                            "python module filelock missing\n"));
  const std::string junit = ConformanceJunitXml(results);
  EXPECT_THAT(junit, HasSubstr("<testsuite name=\"conformance/node-lockfile/a\""));
  EXPECT_THAT(junit, HasSubstr("<skipped message=\"not runnable: node not found on PATH\""));
  EXPECT_THAT(junit, HasSubstr("classname=\"lockharness.conformance.lockreg.b\""));
}

TEST(ConformanceMarkdown, NotApplicableCellsListTheirReason) {
  ConformanceRow row;
  row.adapter.name = "python-filelock";
  ScenarioOutcome na = Outcome("mixed-fleet", ScenarioStatus::kNotApplicable, "x");
  na.not_applicable = "the scenario applies to mkdir locks, not to flock";
  row.outcomes = {na};
  const std::string md = ConformanceMarkdown({"mixed-fleet"}, {row});
  EXPECT_THAT(md, HasSubstr("| `python-filelock` | n/a |"));
  EXPECT_THAT(md, HasSubstr("- `python-filelock` x `mixed-fleet`: n/a: the scenario applies to "
                            "mkdir locks, not to flock"));
  EXPECT_THAT(md, ::testing::Not(HasSubstr("**FAIL**")));
}

TEST(ParseCatalog, LockConventionIsParsedAndChecked) {
  std::string error;
  auto adapters = ParseCatalog(
      R"({"adapters": [{"name": "a", "per_op": "a {registry}", "lock_convention": "flock"},
                       {"name": "b", "per_op": "b {registry}"}]})",
      "catalog.json", &error);
  ASSERT_TRUE(adapters) << error;
  EXPECT_EQ((*adapters)[0].lock_convention, "flock");
  EXPECT_EQ((*adapters)[1].lock_convention, "");
  EXPECT_EQ(FindCatalogAdapter(*adapters, "a {registry}"), &(*adapters)[0]);
  EXPECT_EQ(FindCatalogAdapter(*adapters, "c {registry}"), nullptr);
  EXPECT_FALSE(
      ParseCatalog(R"({"adapters": [{"name": "a", "per_op": "a", "lock_convention": "fcntl"}]})",
                   "catalog.json", &error));
  EXPECT_EQ(error,
            "catalog.json: adapter 'a': \"lock_convention\" must be one of mkdir, o-excl, link, "
            "rename, flock, posix, ofd, none, got \"fcntl\"");
  EXPECT_FALSE(ParseCatalog(R"({"adapters": [{"name": "a", "per_op": "a", "lock_convention": 3}]})",
                            "catalog.json", &error));
}

TEST(ParseCatalog, PlacementInitIsABoolean) {
  std::string error;
  auto adapters = ParseCatalog(
      R"({"adapters": [{"name": "a", "per_op": "a {registry}", "placement_init": true},
                       {"name": "b", "per_op": "b {registry}"}]})",
      "catalog.json", &error);
  ASSERT_TRUE(adapters) << error;
  EXPECT_TRUE((*adapters)[0].placement_init);
  EXPECT_FALSE((*adapters)[1].placement_init);
  EXPECT_FALSE(
      ParseCatalog(R"({"adapters": [{"name": "a", "per_op": "a", "placement_init": "yes"}]})",
                   "catalog.json", &error));
  EXPECT_EQ(error,
            "catalog.json: adapter 'a': \"placement_init\" must be true or false, got \"yes\"");
}

}  // namespace
}  // namespace lockharness::harness::cli
