// conformance_results.h: the cells of a conformance matrix as a run of
// `lockharness conformance` records them (OUT/conformance.json), so that
// `lockharness merge` can join the shards of one matrix.
//
// A matrix is the selected adapters of a catalog (rows, in catalog order)
// by the scenarios of a suite (columns, in suite order). Cell i is
// row * columns + column; shard K/N holds the cells with i % N == K - 1
// (scenario::InShard), so every shard has cells of most adapters and the
// split depends only on the two lists. A results file records what shards
// must share to be merged: the suite version (a hash of the scenario
// files' names and bytes), the catalog version (a hash of the catalog's
// bytes), the rows, the columns and N.
//
// A cell's run directory is recorded relative to the run's output
// directory, so that the same cell reads the same in every shard layout.
//
// Input bound: at most kMaxResultsBytes and JSON nesting depth
// kMaxResultsDepth, checked before parsing.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_RESULTS_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_RESULTS_H_

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/scenario/suite.h"
#include "src/cli/suite_runner.h"

namespace lockharness::harness::cli {

inline constexpr size_t kMaxResultsBytes = size_t{256} << 20;
inline constexpr int kMaxResultsDepth = 16;
inline constexpr char kConformanceResultsFile[] = "conformance.json";

struct ConformanceCell {
  std::string adapter;
  std::string scenario;
  // Non-empty: the adapter's probe found it not runnable here, and why;
  // nothing ran and `outcome` is empty.
  std::string not_runnable;
  ScenarioOutcome outcome;
};

struct ConformanceResults {
  std::string suite_version;           // SuiteVersion()
  std::string catalog_version;         // ContentVersion() of the catalog file
  std::vector<std::string> adapters;   // the rows, in order
  std::vector<std::string> scenarios;  // the columns, in order
  scenario::Shard shard;               // 1/1: the whole matrix
  // False when the run was interrupted: some of the shard's cells are
  // missing or unfinished.
  bool complete = true;
  std::string command_line;            // the command that produced it
  std::vector<ConformanceCell> cells;  // this shard's cells, in matrix order
};

// "fnv1a64:<16 hex digits>" of `bytes`: an identity check for files that
// shards must share, not a defence against tampering.
std::string ContentVersion(std::string_view bytes);

// The version of a suite: ContentVersion over each scenario file's path
// relative to `suite_dir` and its bytes, in suite order. The same suite in
// two checkouts has the same version. On an unreadable file returns
// nullopt and sets *error. REQUIRES: error != nullptr.
std::optional<std::string> SuiteVersion(const std::filesystem::path& suite_dir,
                                        const std::vector<std::filesystem::path>& files,
                                        std::string* error);

nlohmann::json ConformanceResultsToJson(const ConformanceResults& results);

// The text of conformance.json. Bytes that are not UTF-8 (an
// implementation's output quoted in evidence) become U+FFFD.
std::string ConformanceResultsText(const ConformanceResults& results);

// Parses a results document; `name_for_errors` prefixes every error, which
// names the offending field. REQUIRES: error != nullptr.
std::optional<ConformanceResults> ParseConformanceResults(std::string_view bytes,
                                                          const std::string& name_for_errors,
                                                          std::string* error);

// Reads DIR/conformance.json. REQUIRES: error != nullptr.
std::optional<ConformanceResults> LoadConformanceResults(const std::filesystem::path& dir,
                                                         std::string* error);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_RESULTS_H_
