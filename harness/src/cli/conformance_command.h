// conformance_command.h: `lockharness conformance`, real implementations
// judged by a scenario suite.
//
// Reads the adapter catalog (harness/adapters/catalog.json: name, per-op
// and worker command templates, relative to the repository root), probes
// each adapter (harness/adapters/probe.sh NAME: "runnable" or "not
// runnable: reason"), runs the suite against every runnable one (worker
// scenarios only where the adapter has a worker mode) and writes the
// matrix adapter x scenario as Markdown: the verdict, the checker that
// found a violation, its one-line summary and the seed to replay it.
// A missing runtime is a row "not runnable: reason", never a failure.
// Templates name files as in a checkout; they resolve for this harness,
// in a checkout or an installed tree (install/data_locations.h), and the
// defaults below are this harness's catalog and suites.
//
// Exit status: 0 when every runnable adapter was judged (whatever the
// verdicts: finding violations in other people's code is the point), 2 on
// a harness error (unreadable catalog or suite).

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_COMMAND_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_COMMAND_H_

#include <filesystem>
#include <string>
#include <vector>

#include "lockharness/harness/install/data_locations.h"
#include "src/cli/catalog.h"
#include "src/cli/suite_runner.h"

namespace lockharness::harness::cli {

struct ConformanceOptions {
  std::filesystem::path catalog = install::ThisHarnessData().adapters / "catalog.json";
  std::filesystem::path probe = install::ThisHarnessData().adapters / "probe.sh";
  std::filesystem::path suite = install::ThisHarnessData().scenarios / "full";
  std::filesystem::path out_dir;      // REQUIRES: absent or empty
  std::vector<std::string> adapters;  // empty: every catalog entry
  std::filesystem::path markdown;     // write the matrix here if set
  std::string command_line;           // quoted in the Markdown
};

int ConformanceCommand(const ConformanceOptions& options);

struct ConformanceRow {
  Adapter adapter;
  std::string not_runnable;  // empty: runnable, judged in `outcomes`
  std::vector<ScenarioOutcome> outcomes;
};

// The matrix adapter x scenario, then every result other than pass with
// its replay command (file and implementation shell-quoted).
std::string ConformanceMarkdown(const std::vector<std::string>& scenarios,
                                const std::vector<ConformanceRow>& rows);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_CONFORMANCE_COMMAND_H_
