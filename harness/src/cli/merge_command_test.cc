// Shards of a conformance matrix: the results file round trip, the merge,
// and each refusal with the directory it names.

#include "src/cli/merge_command.h"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/cli/conformance_command.h"
#include "src/cli/conformance_results.h"

namespace lockharness::harness::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::vector<std::string> kAdapters = {"lockreg", "node-lockfile", "shell-flock"};
const std::vector<std::string> kScenarios = {"contention", "kill-holder", "steal-lock"};

ConformanceCell Cell(const std::string& adapter, const std::string& scenario) {
  ConformanceCell cell;
  cell.adapter = adapter;
  cell.scenario = scenario;
  if (adapter == "node-lockfile") {
    cell.not_runnable = "node not found on PATH";
    return cell;
  }
  ScenarioOutcome& o = cell.outcome;
  o.name = scenario;
  o.file = "scenarios/smoke/" + scenario + ".toml";
  o.expected = "valid";
  o.seed = 1201;
  o.impl = adapter + " --file {registry}";
  o.run_dir = adapter + "/per-op/" + scenario;
  o.result.judged = true;
  o.result.seconds = 1.5;
  CheckerReport finding;
  finding.checker = "lost-update";
  finding.verdict = scenario == "steal-lock" ? Verdict::kInvalid : Verdict::kValid;
  finding.summary = "entries <w1-0> & \"w2-3\" lost";
  finding.evidence = {"op 7: register w1-0 ok", "final file lacks it"};
  o.result.findings = {finding};
  o.result.verdict = finding.verdict;
  o.status = finding.verdict == Verdict::kValid ? ScenarioStatus::kPass : ScenarioStatus::kFail;
  if (o.status == ScenarioStatus::kFail) o.caught_by = {"lost-update"};
  if (adapter == "shell-flock" && scenario == "kill-holder") {
    o.substitution = "per-op mode: the implementation has no worker mode (catalog)";
  }
  return cell;
}

// What `conformance --shard K/N` records for this matrix (N = 1: unsharded).
ConformanceResults Shard(int k, int n) {
  ConformanceResults r;
  r.suite_version = "fnv1a64:00000000000000aa";
  r.catalog_version = "fnv1a64:00000000000000bb";
  r.adapters = kAdapters;
  r.scenarios = kScenarios;
  r.shard = {k, n};
  r.command_line = "lockharness conformance --shard " + std::to_string(k) + "/" + std::to_string(n);
  for (size_t a = 0; a < kAdapters.size(); ++a) {
    for (size_t s = 0; s < kScenarios.size(); ++s) {
      if (scenario::InShard(a * kScenarios.size() + s, r.shard)) {
        r.cells.push_back(Cell(kAdapters[a], kScenarios[s]));
      }
    }
  }
  return r;
}

std::vector<ShardResults> Shards(int n) {
  std::vector<ShardResults> shards;
  for (int k = 1; k <= n; ++k) shards.push_back({"runs/shard-" + std::to_string(k), Shard(k, n)});
  return shards;
}

std::string Refusal(const std::vector<ShardResults>& shards) {
  std::string error;
  EXPECT_FALSE(MergeShards(shards, &error).has_value());
  return error;
}

TEST(ConformanceResults, JsonRoundTrip) {
  const ConformanceResults original = Shard(2, 3);
  const std::string text = ConformanceResultsToJson(original).dump();
  std::string error;
  const auto parsed = ParseConformanceResults(text, "conformance.json", &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(ConformanceResultsToJson(*parsed).dump(), text);
  EXPECT_EQ(parsed->shard.index, 2);
  EXPECT_EQ(parsed->shard.count, 3);
  ASSERT_EQ(parsed->cells.size(), original.cells.size());
  EXPECT_EQ(parsed->cells[0].outcome.name, parsed->cells[0].scenario);
}

TEST(ConformanceResults, TextWithBytesThatAreNotUtf8) {
  ConformanceResults results = Shard(1, 1);
  results.cells[0].outcome.result.findings[0].evidence.push_back("worker printed \xff\xfe");
  const std::string text = ConformanceResultsText(results);
  std::string error;
  const auto parsed = ParseConformanceResults(text, "conformance.json", &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->cells[0].outcome.result.findings[0].evidence.back(),
            "worker printed \xef\xbf\xbd\xef\xbf\xbd");
}

// Truncated or damaged files are refused with a reason, never a crash.
TEST(ConformanceResults, DamagedTextIsRefused) {
  const std::string text = ConformanceResultsText(Shard(1, 2));
  std::string error;
  for (size_t n = 0; n < text.size(); n += 7) {
    error.clear();
    EXPECT_FALSE(ParseConformanceResults(text.substr(0, n), "c.json", &error)) << n;
    EXPECT_THAT(error, StartsWith("c.json: ")) << n;
  }
  uint64_t state = 42;
  for (int i = 0; i < 2000; ++i) {
    std::string damaged = text;
    for (int flips = 0; flips < 3; ++flips) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      damaged[(state >> 33) % damaged.size()] = static_cast<char>(state >> 56);
    }
    error.clear();
    if (!ParseConformanceResults(damaged, "c.json", &error)) {
      EXPECT_THAT(error, StartsWith("c.json: "));
    }
  }
}

TEST(ConformanceResults, BadFilesNameTheFieldAtFault) {
  std::string error;
  EXPECT_FALSE(ParseConformanceResults("[1]", "a/conformance.json", &error));
  EXPECT_EQ(error, "a/conformance.json: not a JSON object");
  nlohmann::json doc = ConformanceResultsToJson(Shard(1, 2));
  doc["format"] = "lockharness-results";
  EXPECT_FALSE(ParseConformanceResults(doc.dump(), "a/conformance.json", &error));
  EXPECT_THAT(error, StartsWith("a/conformance.json: format: 'lockharness-results'"));
  doc = ConformanceResultsToJson(Shard(1, 2));
  doc["cells"][1]["outcome"]["seed"] = "1201";
  EXPECT_FALSE(ParseConformanceResults(doc.dump(), "a/conformance.json", &error));
  EXPECT_EQ(error, "a/conformance.json: cells[1].outcome.seed: want an unsigned integer");
  doc = ConformanceResultsToJson(Shard(1, 2));
  doc["cells"][0]["outcome"]["findings"][0]["verdict"] = "fine";
  EXPECT_FALSE(ParseConformanceResults(doc.dump(), "a/conformance.json", &error));
  EXPECT_EQ(error,
            "a/conformance.json: cells[0].outcome.findings[0].verdict: unknown value 'fine'");
  doc = ConformanceResultsToJson(Shard(1, 2));
  doc["shard"] = "3/2";
  EXPECT_FALSE(ParseConformanceResults(doc.dump(), "a/conformance.json", &error));
  EXPECT_THAT(error, StartsWith("a/conformance.json: shard: shard '3/2': K must be from 1 to 2"));
  doc = ConformanceResultsToJson(Shard(1, 2));
  doc.erase("suite_version");
  EXPECT_FALSE(ParseConformanceResults(doc.dump(), "a/conformance.json", &error));
  EXPECT_EQ(error, "a/conformance.json: suite_version: missing");
}

TEST(ConformanceResults, LoadNamesADirectoryWithoutResults) {
  std::string error;
  EXPECT_FALSE(LoadConformanceResults("/nonexistent/shard-1", &error));
  EXPECT_EQ(error,
            "/nonexistent/shard-1: no conformance.json (not the output directory of a "
            "`lockharness conformance` run)");
}

TEST(SuiteVersion, SameFilesSameVersionWhereverTheSuiteIs) {
  char dir_template[] = "/tmp/lh-suite-version-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const fs::path root = dir_template;
  for (const char* suite : {"a/smoke", "b/smoke"}) {
    fs::create_directories(root / suite);
    std::ofstream(root / suite / "x.toml") << "name = \"x\"\n";
    std::ofstream(root / suite / "y.toml") << "name = \"y\"\n";
  }
  std::string error;
  auto version = [&](const std::string& suite, std::vector<std::string> names) {
    std::vector<fs::path> files;
    for (const std::string& n : names) files.push_back(root / suite / n);
    return SuiteVersion(root / suite, files, &error).value_or("error: " + error);
  };
  const std::string a = version("a/smoke", {"x.toml", "y.toml"});
  EXPECT_THAT(a, StartsWith("fnv1a64:"));
  EXPECT_EQ(version("b/smoke", {"x.toml", "y.toml"}), a);
  EXPECT_NE(version("a/smoke", {"y.toml", "x.toml"}), a) << "order is part of the suite";
  EXPECT_NE(version("a/smoke", {"x.toml"}), a);
  std::ofstream(root / "b/smoke/y.toml", std::ios::app) << "# edited\n";
  EXPECT_NE(version("b/smoke", {"x.toml", "y.toml"}), a);
  // A file's bytes cannot pass for its neighbour's name.
  fs::rename(root / "b/smoke/y.toml", root / "b/smoke/z.toml");
  EXPECT_NE(version("b/smoke", {"x.toml", "z.toml"}), version("a/smoke", {"x.toml", "y.toml"}));
  EXPECT_EQ(version("a/smoke", {"nope.toml"}),
            "error: cannot read " + (root / "a/smoke/nope.toml").string());
  fs::remove_all(root);
}

TEST(MergeShards, JoinsShardsIntoTheUnshardedMatrix) {
  const ConformanceResults whole = Shard(1, 1);
  for (int n : {1, 2, 4, 9, 12}) {
    std::string error;
    auto merged = MergeShards(Shards(n), &error);
    ASSERT_TRUE(merged) << n << ": " << error;
    // Shards in any order give the same matrix.
    std::vector<ShardResults> reversed = Shards(n);
    std::reverse(reversed.begin(), reversed.end());
    auto merged_reversed = MergeShards(reversed, &error);
    ASSERT_TRUE(merged_reversed) << error;
    merged->command_line = merged_reversed->command_line = whole.command_line;
    EXPECT_EQ(ConformanceResultsToJson(*merged).dump(), ConformanceResultsToJson(whole).dump())
        << "n=" << n;
    EXPECT_EQ(ConformanceResultsToJson(*merged_reversed).dump(),
              ConformanceResultsToJson(whole).dump());
    EXPECT_EQ(ConformanceMarkdown(merged->scenarios, ConformanceRows(*merged)),
              ConformanceMarkdown(whole.scenarios, ConformanceRows(whole)));
    EXPECT_EQ(ConformanceJunitXml(*merged), ConformanceJunitXml(whole));
  }
}

TEST(MergeShards, RefusesAnotherSuiteOrCatalogVersion) {
  std::vector<ShardResults> shards = Shards(3);
  shards[1].results.suite_version = "fnv1a64:00000000000000cc";
  EXPECT_EQ(Refusal(shards),
            "runs/shard-2: suite version fnv1a64:00000000000000cc differs from "
            "fnv1a64:00000000000000aa of runs/shard-1: the shards ran different scenario suites, "
            "or different versions of one");
  shards = Shards(3);
  shards[2].results.catalog_version = "fnv1a64:00000000000000dd";
  EXPECT_EQ(Refusal(shards),
            "runs/shard-3: catalog version fnv1a64:00000000000000dd differs from "
            "fnv1a64:00000000000000bb of runs/shard-1: the shards ran different adapter "
            "catalogs, or different versions of one");
}

TEST(MergeShards, RefusesOtherSelectionsAndSplits) {
  std::vector<ShardResults> shards = Shards(2);
  shards[1].results.adapters.pop_back();
  EXPECT_EQ(Refusal(shards),
            "runs/shard-2: adapters (lockreg, node-lockfile) differ from (lockreg, node-lockfile, "
            "shell-flock) of runs/shard-1: the shards ran different --adapter selections");
  shards = Shards(2);
  shards[1] = {"runs/other", Shard(2, 3)};
  EXPECT_EQ(Refusal(shards),
            "runs/other: shard 2/3 does not split the matrix as shard 1/2 of runs/shard-1 does: "
            "all shards need the same N");
}

TEST(MergeShards, RefusesOverlappingShardsAndCells) {
  std::vector<ShardResults> shards = Shards(3);
  shards.push_back({"runs/again", Shard(2, 3)});
  EXPECT_EQ(Refusal(shards), "runs/again: shard 2/3 is also in runs/shard-2: overlapping shards");
  // A cell outside its shard's slice (an edited or mislabelled file).
  shards = Shards(3);
  shards[0].results.cells.push_back(Cell("lockreg", "kill-holder"));
  EXPECT_EQ(Refusal(shards), "runs/shard-1: cell lockreg x kill-holder is not in shard 1/3");
  shards = Shards(3);
  shards[0].results.cells.push_back(shards[0].results.cells.front());
  EXPECT_EQ(Refusal(shards),
            "runs/shard-1: cell lockreg x contention is also in runs/shard-1: overlapping shards");
  shards = Shards(3);
  shards[0].results.cells.push_back(Cell("lockreg", "no-such-scenario"));
  EXPECT_EQ(Refusal(shards),
            "runs/shard-1: cell lockreg x no-such-scenario is not in the matrix it declares");
}

TEST(MergeShards, RefusesMissingCells) {
  std::vector<ShardResults> shards = Shards(4);
  shards.erase(shards.begin() + 1);
  shards.pop_back();
  EXPECT_EQ(Refusal(shards),
            "missing shard(s) 2/4, 4/4: no directory given holds them (first missing cell: "
            "lockreg x kill-holder)");
  shards = Shards(3);
  shards[1].results.cells.pop_back();
  EXPECT_EQ(Refusal(shards), "runs/shard-2: shard 2/3 lacks cell shell-flock x kill-holder");
  EXPECT_EQ(Refusal({}), "no shard directories given");
}

TEST(MergeShards, RefusesAnInterruptedShard) {
  std::vector<ShardResults> shards = Shards(2);
  shards[1].results.complete = false;
  EXPECT_EQ(Refusal(shards),
            "runs/shard-2: shard 2/2 was interrupted and is incomplete: run it again");
}

// A re-run's cells replace the shards' in place (its catalog may be newer);
// an incomplete re-run, another suite, or a cell outside the matrix is
// refused, naming the re-run.
TEST(ApplyRerun, ReplacesCellsInPlace) {
  std::string error;
  auto merged = MergeShards(Shards(2), &error);
  ASSERT_TRUE(merged) << error;
  ConformanceResults rerun;
  rerun.suite_version = merged->suite_version;
  rerun.catalog_version = "fnv1a64:00000000000000ee";
  rerun.adapters = {"lockreg"};
  rerun.scenarios = {"steal-lock"};
  ConformanceCell again = Cell("lockreg", "steal-lock");
  again.outcome.status = ScenarioStatus::kNotApplicable;
  again.outcome.not_applicable = "fixed";
  rerun.cells = {again};
  ASSERT_TRUE(ApplyRerun({"runs/rerun", rerun}, &*merged, &error)) << error;
  ASSERT_EQ(merged->cells.size(), kAdapters.size() * kScenarios.size());
  EXPECT_EQ(merged->cells[2].adapter, "lockreg");
  EXPECT_EQ(merged->cells[2].scenario, "steal-lock");
  EXPECT_EQ(merged->cells[2].outcome.not_applicable, "fixed");
  EXPECT_EQ(merged->cells[1].outcome.not_applicable, "");

  ConformanceResults bad = rerun;
  bad.complete = false;
  EXPECT_FALSE(ApplyRerun({"runs/rerun", bad}, &*merged, &error));
  EXPECT_EQ(error, "runs/rerun: the re-run was interrupted and is incomplete: run it again");
  bad = rerun;
  bad.suite_version = "fnv1a64:00000000000000cc";
  EXPECT_FALSE(ApplyRerun({"runs/rerun", bad}, &*merged, &error));
  EXPECT_EQ(error,
            "runs/rerun: suite version fnv1a64:00000000000000cc differs from the shards' "
            "fnv1a64:00000000000000aa: a re-run must run the same scenarios");
  bad = rerun;
  bad.cells = {Cell("lockreg", "no-such-scenario")};
  EXPECT_FALSE(ApplyRerun({"runs/rerun", bad}, &*merged, &error));
  EXPECT_EQ(error, "runs/rerun: cell lockreg x no-such-scenario is not in the matrix");
}

}  // namespace
}  // namespace lockharness::harness::cli
