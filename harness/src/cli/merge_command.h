// merge_command.h: `lockharness merge DIR...`, the shards of a conformance
// matrix joined into one matrix and one JUnit file.
//
// Each DIR is the output directory of `lockharness conformance --shard K/N`
// (its conformance.json, conformance_results.h). The shards must come from
// the same suite version, the same catalog version, the same adapters and
// the same N, and together hold every cell of the matrix exactly once;
// otherwise merge refuses, naming the directory at fault (or the missing
// shards). An interrupted shard is refused too. The merged matrix is the
// one a single unsharded run with the same cells would write
// (conformance_command.h): same rows, columns, cells and order.
//
// `--rerun DIR` (repeatable, applied in order) replaces cells of the merged
// matrix with those of a later `conformance --adapter A --scenario S` run,
// e.g. after a fix: it must be complete, from the same suite version, and
// hold only cells of the matrix; its catalog version may differ (a fix in
// the catalog), and the generated Markdown's command line names it.
//
// Exit status: 0 merged, 2 refused or an output could not be written.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_MERGE_COMMAND_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_MERGE_COMMAND_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/conformance_results.h"

namespace lockharness::harness::cli {

struct MergeOptions {
  std::vector<std::filesystem::path> dirs;    // shard output directories
  std::vector<std::filesystem::path> reruns;  // cells that replace the shards' ones
  std::filesystem::path markdown;             // write the matrix here if set
  std::filesystem::path junit;                // write the JUnit file here if set
  std::string command_line;                   // quoted in the Markdown
};

int MergeCommand(const MergeOptions& options);

struct ShardResults {
  std::filesystem::path dir;  // where it was read, for errors
  ConformanceResults results;
};

// The whole matrix from its shards, as shard 1/1 with its cells in matrix
// order. On a refusal returns nullopt and sets *error to one line that
// names the directory (or the missing shards). REQUIRES: error != nullptr.
std::optional<ConformanceResults> MergeShards(const std::vector<ShardResults>& shards,
                                              std::string* error);

// Replaces the cells of `merged` that `rerun` holds again. False with
// *error naming rerun.dir if it is incomplete, of another suite version, or
// holds a cell outside the matrix. REQUIRES: error != nullptr.
bool ApplyRerun(const ShardResults& rerun, ConformanceResults* merged, std::string* error);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_MERGE_COMMAND_H_
