// conformance_command.h: `lockharness conformance`, real implementations
// judged by a scenario suite.
//
// Reads the adapter catalog (harness/adapters/catalog.json: name, per-op
// and worker command templates, relative to the repository root), probes
// each adapter (harness/adapters/probe.sh NAME: "runnable" or "not
// runnable: reason"), runs every cell adapter x scenario of a runnable
// adapter and writes the matrix as Markdown: the verdict, the checker that
// found a violation, its one-line summary and the seed to replay it.
// A worker-mode scenario runs in per-op mode for an adapter without a
// worker mode, and its cell says so. A missing runtime or package is a row
// "not runnable: reason", never a failure. Templates name files as in a
// checkout; they resolve for this harness, in a checkout or an installed
// tree (install/data_locations.h), and the defaults below are this
// harness's catalog and suites.
//
// Cells are independent runs, each in OUT/ADAPTER/MODE/SCENARIO (their
// traces, temp files and logs inside it): `jobs` of them run at once, and
// the output does not depend on it. `shard` K/N runs one slice of the
// cells (conformance_results.h); `lockharness merge` joins the slices'
// output directories (merge_command.h). Every run writes
// OUT/conformance.json (its cells, and the suite and catalog versions
// that merge checks) and a JUnit file.
//
// Exit status: 0 when every runnable adapter was judged (whatever the
// verdicts: finding violations in other people's code is the point), 2 on
// a harness error (unreadable catalog or suite, a non-empty OUT) or an
// interruption.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_COMMAND_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_COMMAND_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/scenario/suite.h"
#include "src/cli/catalog.h"
#include "src/cli/conformance_results.h"
#include "src/cli/suite_runner.h"

namespace lockharness::harness::cli {

struct ConformanceOptions {
  std::filesystem::path catalog = install::ThisHarnessData().adapters / "catalog.json";
  std::filesystem::path probe = install::ThisHarnessData().adapters / "probe.sh";
  std::filesystem::path suite = install::ThisHarnessData().scenarios / "full";
  std::filesystem::path out_dir;         // REQUIRES: absent or empty
  std::vector<std::string> adapters;     // empty: every catalog entry
  std::vector<std::string> scenarios;    // empty: every scenario of the suite
  std::filesystem::path markdown;        // write the matrix here if set
  std::filesystem::path junit;           // default OUT/junit.xml
  std::optional<scenario::Shard> shard;  // unset: every cell
  int jobs = 1;                          // cells run at once; REQUIRES: >= 1
  std::string command_line;              // quoted in the Markdown
};

int ConformanceCommand(const ConformanceOptions& options);

struct ConformanceRow {
  Adapter adapter;
  std::string not_runnable;  // empty: runnable, judged in `outcomes`
  std::vector<ScenarioOutcome> outcomes;
  // Scenario -> why, for cells that could not run although others of the
  // row did (shards run on machines with different packages installed).
  std::map<std::string, std::string> not_runnable_cells;
};

// The rows of the matrix in `results` (conformance_results.h), in order.
std::vector<ConformanceRow> ConformanceRows(const ConformanceResults& results);

// One <testsuite> per cell, "conformance/ADAPTER/SCENARIO"; the cells of a
// not-runnable adapter are skipped cases with the reason.
std::string ConformanceJunitXml(const ConformanceResults& results);

// The matrix adapter x scenario, then every result other than pass with
// its replay command (file and implementation shell-quoted).
std::string ConformanceMarkdown(const std::vector<std::string>& scenarios,
                                const std::vector<ConformanceRow>& rows);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_COMMAND_H_
