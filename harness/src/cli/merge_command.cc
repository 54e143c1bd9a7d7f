// Joining conformance shards (see merge_command.h).

#include "src/cli/merge_command.h"

#include <fstream>
#include <iostream>
#include <map>

#include "lockharness/harness/scenario/suite.h"
#include "src/cli/common.h"
#include "src/cli/conformance_command.h"

namespace lockharness::harness::cli {
namespace {

namespace fs = std::filesystem;

std::string ShardName(const scenario::Shard& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

std::string List(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none" : text;
}

std::string CellName(const std::string& adapter, const std::string& scenario) {
  return adapter + " x " + scenario;
}

// Refuses a shard that does not belong with `first`: "" if it does.
std::string Mismatch(const ConformanceResults& r, const ShardResults& first) {
  const ConformanceResults& f = first.results;
  const std::string other = " of " + first.dir.string();
  if (!r.complete) {
    return "shard " + ShardName(r.shard) + " was interrupted and is incomplete: run it again";
  }
  if (r.suite_version != f.suite_version) {
    return "suite version " + r.suite_version + " differs from " + f.suite_version + other +
           ": the shards ran different scenario suites, or different versions of one";
  }
  if (r.catalog_version != f.catalog_version) {
    return "catalog version " + r.catalog_version + " differs from " + f.catalog_version + other +
           ": the shards ran different adapter catalogs, or different versions of one";
  }
  if (r.adapters != f.adapters) {
    return "adapters (" + List(r.adapters) + ") differ from (" + List(f.adapters) + ")" + other +
           ": the shards ran different --adapter selections";
  }
  if (r.scenarios != f.scenarios) {
    return "scenarios (" + List(r.scenarios) + ") differ from (" + List(f.scenarios) + ")" + other;
  }
  if (r.shard.count != f.shard.count) {
    return "shard " + ShardName(r.shard) + " does not split the matrix as shard " +
           ShardName(f.shard) + other + " does: all shards need the same N";
  }
  return "";
}

}  // namespace

std::optional<ConformanceResults> MergeShards(const std::vector<ShardResults>& shards,
                                              std::string* error) {
  if (shards.empty()) {
    *error = "no shard directories given";
    return std::nullopt;
  }
  const ShardResults& first = shards.front();
  const std::vector<std::string>& adapters = first.results.adapters;
  const std::vector<std::string>& scenarios = first.results.scenarios;
  const int count = first.results.shard.count;
  std::map<int, const ShardResults*> by_index;
  std::map<std::string, size_t> row, column;
  for (size_t i = 0; i < adapters.size(); ++i) row.emplace(adapters[i], i);
  for (size_t i = 0; i < scenarios.size(); ++i) column.emplace(scenarios[i], i);
  std::vector<const ConformanceCell*> slot(adapters.size() * scenarios.size(), nullptr);
  std::vector<const ShardResults*> owner(slot.size(), nullptr);
  auto refuse = [&](const ShardResults& shard, const std::string& why) {
    *error = shard.dir.string() + ": " + why;
    return std::nullopt;
  };
  for (const ShardResults& shard : shards) {
    const ConformanceResults& r = shard.results;
    if (std::string why = Mismatch(r, first); !why.empty()) return refuse(shard, why);
    if (auto [it, fresh] = by_index.emplace(r.shard.index, &shard); !fresh) {
      return refuse(shard, "shard " + ShardName(r.shard) + " is also in " +
                               it->second->dir.string() + ": overlapping shards");
    }
    for (const ConformanceCell& cell : r.cells) {
      const auto a = row.find(cell.adapter);
      const auto s = column.find(cell.scenario);
      if (a == row.end() || s == column.end()) {
        return refuse(shard, "cell " + CellName(cell.adapter, cell.scenario) +
                                 " is not in the matrix it declares");
      }
      const size_t index = a->second * scenarios.size() + s->second;
      if (!scenario::InShard(index, r.shard)) {
        return refuse(shard, "cell " + CellName(cell.adapter, cell.scenario) + " is not in shard " +
                                 ShardName(r.shard));
      }
      if (slot[index] != nullptr) {
        return refuse(shard, "cell " + CellName(cell.adapter, cell.scenario) + " is also in " +
                                 owner[index]->dir.string() + ": overlapping shards");
      }
      slot[index] = &cell;
      owner[index] = &shard;
    }
  }
  // Every cell once: a shard that lacks one of its cells is at fault; a
  // shard no directory holds is missing.
  std::vector<std::string> missing_shards;
  for (int k = 1; k <= count; ++k) {
    if (by_index.count(k) == 0) missing_shards.push_back(ShardName({k, count}));
  }
  for (size_t index = 0; index < slot.size(); ++index) {
    if (slot[index] != nullptr) continue;
    const int k = static_cast<int>(index % static_cast<size_t>(count)) + 1;
    const std::string cell =
        CellName(adapters[index / scenarios.size()], scenarios[index % scenarios.size()]);
    if (auto it = by_index.find(k); it != by_index.end()) {
      return refuse(*it->second, "shard " + ShardName({k, count}) + " lacks cell " + cell);
    }
    *error = "missing shard(s) " + List(missing_shards) +
             ": no directory given holds them (first missing cell: " + cell + ")";
    return std::nullopt;
  }
  ConformanceResults merged;
  merged.suite_version = first.results.suite_version;
  merged.catalog_version = first.results.catalog_version;
  merged.adapters = adapters;
  merged.scenarios = scenarios;
  for (const ConformanceCell* cell : slot) merged.cells.push_back(*cell);
  return merged;
}

bool ApplyRerun(const ShardResults& rerun, ConformanceResults* merged, std::string* error) {
  const ConformanceResults& r = rerun.results;
  auto refuse = [&](const std::string& why) {
    *error = rerun.dir.string() + ": " + why;
    return false;
  };
  if (!r.complete) return refuse("the re-run was interrupted and is incomplete: run it again");
  if (r.suite_version != merged->suite_version) {
    return refuse("suite version " + r.suite_version + " differs from the shards' " +
                  merged->suite_version + ": a re-run must run the same scenarios");
  }
  std::map<std::pair<std::string, std::string>, size_t> where;
  for (size_t i = 0; i < merged->cells.size(); ++i) {
    where.emplace(std::make_pair(merged->cells[i].adapter, merged->cells[i].scenario), i);
  }
  for (const ConformanceCell& cell : r.cells) {
    const auto it = where.find({cell.adapter, cell.scenario});
    if (it == where.end()) {
      return refuse("cell " + CellName(cell.adapter, cell.scenario) + " is not in the matrix");
    }
    merged->cells[it->second] = cell;
  }
  return true;
}

int MergeCommand(const MergeOptions& options) {
  std::vector<ShardResults> shards;
  std::string error;
  for (const fs::path& dir : options.dirs) {
    auto results = LoadConformanceResults(dir, &error);
    if (!results) return Fail(error);
    shards.push_back({dir, std::move(*results)});
  }
  auto merged = MergeShards(shards, &error);
  if (!merged) return Fail("merge refused: " + error);
  size_t rerun_cells = 0;
  for (const fs::path& dir : options.reruns) {
    auto results = LoadConformanceResults(dir, &error);
    if (!results) return Fail(error);
    rerun_cells += results->cells.size();
    if (!ApplyRerun({dir, std::move(*results)}, &*merged, &error)) {
      return Fail("merge refused: " + error);
    }
  }
  merged->command_line = options.command_line;
  const std::string matrix = ConformanceMarkdown(merged->scenarios, ConformanceRows(*merged));
  std::cout << matrix;
  if (!options.markdown.empty() &&
      !WriteTextFile(options.markdown,
                     "<!-- generated by: " + options.command_line + " -->\n" + matrix, &error)) {
    return Fail(error);
  }
  if (!options.junit.empty() &&
      !WriteTextFile(options.junit, ConformanceJunitXml(*merged), &error)) {
    return Fail(error);
  }
  std::cerr << "lockharness merge: " << shards.size() << " shards, " << merged->cells.size()
            << " cells";
  if (!options.reruns.empty()) {
    std::cerr << ", " << rerun_cells << " of them from " << options.reruns.size() << " re-run(s)";
  }
  std::cerr << "\n";
  return kExitValid;
}

}  // namespace lockharness::harness::cli
