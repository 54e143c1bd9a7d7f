// suite.h: suites of scenario files and their split into shards.
//
// A suite is a directory of scenario files `*.toml`, taken in file-name
// order. An optional `suite.toml` in it (not a scenario) holds
//   description = "..."
//   include = ["../smoke"]     # other suites, relative to this directory
// The included suites' scenarios come first, in the order listed; a
// scenario reached twice (two includes sharing a suite) is listed once.
// Include cycles and missing directories are errors.
//
// Sharding splits a suite over N CI jobs: file i (0-based, suite order)
// belongs to shard (i % N) + 1, so each file is in exactly one shard and
// the split depends only on the list.
//
// Usage:
//   std::optional<Shard> shard = ParseShard("2/5", &error);
//   std::optional<std::vector<std::filesystem::path>> files =
//       ListSuite("scenarios/full", &error);
//   for (const auto& f : SelectShard(*files, *shard)) ...LoadScenario(f)...

#ifndef LOCKHARNESS_HARNESS_SCENARIO_SUITE_H_
#define LOCKHARNESS_HARNESS_SCENARIO_SUITE_H_

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::harness::scenario {

struct SuiteConfig {
  std::string description;
  std::vector<std::string> include;  // as written, relative to the suite
};

// Reads `dir`/suite.toml. A missing file gives an empty config. On a
// syntax error, unknown key or wrong type returns nullopt and sets *error
// to `<file>:<line>:<column>: <what>`. REQUIRES: error != nullptr.
std::optional<SuiteConfig> LoadSuiteConfig(const std::filesystem::path& dir, std::string* error);

// The scenario files of the suite in `dir`, includes first (paths are
// `dir`/include/file, lexically normalized). Returns nullopt and sets
// *error if `dir` is not a directory, a suite.toml is invalid, an include
// is missing or not a directory, or includes form a cycle (the message
// shows the cycle). REQUIRES: error != nullptr.
std::optional<std::vector<std::filesystem::path>> ListSuite(const std::filesystem::path& dir,
                                                            std::string* error);

struct Shard {
  int index = 1;  // 1..count
  int count = 1;
};

// Parses "K/N" with 1 <= K <= N. Returns nullopt and sets *error (naming
// the text and the rule) otherwise. REQUIRES: error != nullptr.
std::optional<Shard> ParseShard(std::string_view text, std::string* error);

// Whether item `index` (0-based) of a list belongs to `shard`:
// index % shard.count == shard.index - 1.
bool InShard(size_t index, const Shard& shard);

// The files of `shard`, in their order: those at an index InShard().
std::vector<std::filesystem::path> SelectShard(const std::vector<std::filesystem::path>& files,
                                               const Shard& shard);

}  // namespace lockharness::harness::scenario

#endif  // LOCKHARNESS_HARNESS_SCENARIO_SUITE_H_
