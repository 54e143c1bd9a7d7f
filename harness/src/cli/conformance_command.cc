// The conformance matrix (see conformance_command.h).

#include "src/cli/conformance_command.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/report/junit.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/runner/safe_files.h"
#include "lockharness/harness/runner/signals.h"
#include "lockharness/harness/scenario/suite.h"
#include "src/cli/catalog.h"
#include "src/cli/common.h"
#include "src/cli/suite_runner.h"

namespace lockharness::harness::cli {
namespace {

namespace fs = std::filesystem;

// "" if runnable, else the probe's reason. The probe reads the catalog
// this command reads.
std::string Probe(const fs::path& probe, const fs::path& catalog, const std::string& name) {
  std::string out, error;
  const auto status =
      RunForOutput({fs::absolute(probe).string(), name}, std::chrono::seconds(60), &out, &error,
                   {"LOCKHARNESS_ADAPTER_CATALOG=" + fs::absolute(catalog).string()});
  if (!status) return "probe failed: " + error;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (status->kind == runner::ExitStatus::Kind::kExited && status->code == 0) return "";
  // "NAME: not runnable: REASON"
  constexpr std::string_view kNotRunnable = "not runnable: ";
  const size_t at = out.find(kNotRunnable);
  std::string reason = at == std::string::npos ? out : out.substr(at + kNotRunnable.size());
  return reason.empty() ? "probe " + status->Describe() : reason;
}

std::string Cell(const ScenarioOutcome& o) {
  // A worker-mode scenario run in per-op mode says so.
  const std::string mode = o.substitution.empty() ? "" : " (per-op)";
  if (o.status == ScenarioStatus::kPass) return "pass" + mode;
  if (o.status == ScenarioStatus::kNotApplicable) return "n/a";
  if (!o.caught_by.empty()) {
    std::string cell = "**FAIL**:";
    for (const std::string& c : o.caught_by) cell += " " + c;
    return cell + mode;
  }
  return "unknown" + mode;
}

std::string Escape(std::string text) {
  for (char& c : text) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

std::string ConformanceMarkdown(const std::vector<std::string>& scenarios,
                                const std::vector<ConformanceRow>& rows) {
  std::ostringstream md;
  md << "| adapter |";
  for (const std::string& s : scenarios) md << " " << s << " |";
  md << "\n|---|";
  for (size_t i = 0; i < scenarios.size(); ++i) md << "---|";
  md << "\n";
  for (const ConformanceRow& row : rows) {
    md << "| `" << row.adapter.name << "` |";
    if (!row.not_runnable.empty()) {
      md << " not runnable: " << Escape(row.not_runnable) << " |";
      for (size_t i = 1; i < scenarios.size(); ++i) md << " |";
      md << "\n";
      continue;
    }
    for (const std::string& s : scenarios) {
      std::string cell = "n/a";
      if (row.not_runnable_cells.count(s) > 0) cell = "not runnable";
      for (const ScenarioOutcome& o : row.outcomes) {
        if (o.name == s) cell = Cell(o);
      }
      md << " " << cell << " |";
    }
    md << "\n";
  }
  md << "\n`pass`: the verdict the scenario expects for a correct implementation; "
        "`FAIL: checker`: that checker found a violation; `unknown`: not judged or a "
        "checker could not decide; `(per-op)`: a worker-mode scenario run in per-op mode, "
        "the adapter having no worker mode; `n/a`: the scenario does not apply to the "
        "adapter's lock convention (catalog `lock_convention`; the reason is listed "
        "below).\n\n### Every result other than pass\n\n";
  for (const ConformanceRow& row : rows) {
    for (const auto& [scenario, why] : row.not_runnable_cells) {
      md << "- `" << row.adapter.name << "` x `" << scenario
         << "`: not runnable on the machine that ran it: " << Escape(why) << "\n";
    }
    for (const ScenarioOutcome& o : row.outcomes) {
      if (o.status == ScenarioStatus::kPass) continue;
      if (o.status == ScenarioStatus::kNotApplicable) {
        md << "- `" << row.adapter.name << "` x `" << o.name
           << "`: n/a: " << Escape(o.not_applicable) << "\n";
        continue;
      }
      std::string summary = o.result.reason;
      for (const CheckerReport& f : o.result.findings) {
        if (f.verdict == Verdict::kInvalid) {
          summary = f.checker + ": " + f.summary;
          break;
        }
      }
      md << "- `" << row.adapter.name << "` x `" << o.name
         << "`: " << (o.result.judged ? std::string(VerdictName(o.result.verdict)) : "not judged")
         << ": " << Escape(summary.substr(0, 400)) << "\n  replay: `lockharness run "
         << runner::QuoteWord(o.file.string()) << " --impl " << runner::QuoteWord(o.impl)
         << " --seed " << o.seed << "`"
         << (o.substitution.empty() ? ""
                                    : " (the scenario ran in per-op mode: the report in its "
                                      "run directory has the replay line with --mode per-op)")
         << "\n";
    }
  }
  return md.str();
}

std::vector<ConformanceRow> ConformanceRows(const ConformanceResults& results) {
  std::vector<ConformanceRow> rows;
  for (const std::string& name : results.adapters) {
    ConformanceRow row;
    row.adapter.name = name;
    std::set<std::string> reasons;
    size_t cells = 0;
    for (const ConformanceCell& cell : results.cells) {
      if (cell.adapter != name) continue;
      ++cells;
      if (cell.not_runnable.empty()) {
        row.outcomes.push_back(cell.outcome);
      } else {
        row.not_runnable_cells[cell.scenario] = cell.not_runnable;
        reasons.insert(cell.not_runnable);
      }
    }
    // A row none of whose cells could run is one "not runnable" row.
    if (cells > 0 && row.outcomes.empty()) {
      for (const std::string& reason : reasons) {
        row.not_runnable += (row.not_runnable.empty() ? "" : "; ") + reason;
      }
      row.not_runnable_cells.clear();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ConformanceJunitXml(const ConformanceResults& results) {
  std::vector<report::JunitSuite> suites;
  for (const ConformanceCell& cell : results.cells) {
    const std::string name = "conformance/" + cell.adapter + "/" + cell.scenario;
    const std::string classname = "lockharness.conformance." + cell.adapter + "." + cell.scenario;
    if (cell.not_runnable.empty()) {
      suites.push_back(ScenarioJunitSuite(cell.outcome, name, classname));
      continue;
    }
    report::JunitSuite suite;
    suite.name = name;
    suite.cases.push_back(SkippedExpectation(classname, "not runnable: " + cell.not_runnable));
    suites.push_back(std::move(suite));
  }
  return report::JunitXml(suites);
}

namespace {

// Adapter and scenario names become directory names.
bool SafeName(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 128) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

struct PlannedCell {
  const Adapter* adapter;
  fs::path file;
  std::string scenario;
  bool worker_mode;  // the scenario's mode
};

// Runs one cell in OUT/ADAPTER/MODE/ (the scenario's run directory under
// it is the cell's alone). `error` gets a harness error.
ConformanceCell RunCell(const PlannedCell& planned, const fs::path& out_dir, std::string* error) {
  const Adapter& adapter = *planned.adapter;
  SuiteRunOptions run;
  run.files = {planned.file};
  run.print = false;
  const bool worker = planned.worker_mode && !adapter.worker.empty();
  run.impl = worker ? adapter.worker : adapter.per_op;
  if (planned.worker_mode && !worker) run.no_worker_mode = "the catalog gives no worker template";
  run.lock_convention = adapter.lock_convention;
  run.lock_convention_source = "the catalog";
  run.placement_init = adapter.placement_init;
  run.out_dir = out_dir / adapter.name / (worker ? "worker" : "per-op");
  SuiteOutcome outcome = RunScenarios(run);
  ConformanceCell cell;
  cell.adapter = adapter.name;
  cell.scenario = planned.scenario;
  if (!outcome.error.empty() || outcome.scenarios.size() != 1) {
    *error = outcome.error.empty() ? planned.file.string() + ": did not run" : outcome.error;
    return cell;
  }
  cell.outcome = std::move(outcome.scenarios.front());
  // Relative to OUT: the same cell reads the same in every shard's output.
  cell.outcome.run_dir = cell.outcome.run_dir.lexically_relative(out_dir);
  return cell;
}

}  // namespace

int ConformanceCommand(const ConformanceOptions& options) {
  std::string error;
  std::ifstream catalog_in(options.catalog, std::ios::binary);
  std::ostringstream catalog_bytes;
  catalog_bytes << catalog_in.rdbuf();
  if (!catalog_in) return Fail("cannot read " + options.catalog.string());
  auto adapters = ParseCatalog(catalog_bytes.str(), options.catalog.string(), &error);
  if (!adapters) return Fail(error);
  auto files = scenario::ListSuite(options.suite, &error);
  if (!files) return Fail(error);
  if (options.jobs < 1) return Fail("--jobs must be at least 1");
  if (!options.markdown.empty() && options.shard && options.shard->count > 1) {
    return Fail(
        "--markdown with --shard: a shard holds part of the matrix; write the matrix with "
        "`lockharness merge` from the shards' output directories");
  }
  std::error_code ec;
  if (fs::exists(options.out_dir, ec) && !fs::is_empty(options.out_dir, ec)) {
    return Fail(options.out_dir.string() + ": output directory is not empty");
  }

  ConformanceResults results;
  results.shard = options.shard.value_or(scenario::Shard{});
  results.command_line = options.command_line;
  results.catalog_version = ContentVersion(catalog_bytes.str());
  auto suite_version = SuiteVersion(options.suite, *files, &error);
  if (!suite_version) return Fail(error);
  results.suite_version = *suite_version;

  std::vector<bool> worker_mode;
  std::vector<fs::path> selected_files;
  std::map<std::string, fs::path> scenario_files;
  for (const fs::path& file : *files) {
    auto loaded = scenario::LoadScenario(file, &error);
    if (!loaded) return Fail(error);
    // Cells are keyed (and their run directories named) by scenario name.
    if (auto [it, fresh] = scenario_files.emplace(loaded->name, file); !fresh) {
      return Fail(options.suite.string() + ": two scenarios named '" + loaded->name +
                  "': " + it->second.string() + " and " + file.string());
    }
    if (!options.scenarios.empty() && std::find(options.scenarios.begin(), options.scenarios.end(),
                                                loaded->name) == options.scenarios.end()) {
      continue;
    }
    results.scenarios.push_back(loaded->name);
    selected_files.push_back(file);
    worker_mode.push_back(loaded->run.mode == runner::Mode::kWorker);
  }
  for (const std::string& wanted : options.scenarios) {
    if (scenario_files.count(wanted) == 0) {
      return Fail("--scenario " + wanted + ": no such scenario in " + options.suite.string());
    }
  }
  // A worker-mode scenario run in per-op mode goes to SCENARIO.per-op.
  for (size_t i = 0; i < results.scenarios.size(); ++i) {
    const std::string substituted = results.scenarios[i] + ".per-op";
    if (worker_mode[i] && scenario_files.count(substituted) > 0) {
      return Fail(options.suite.string() + ": scenario '" + substituted + "' (" +
                  scenario_files[substituted].string() + ") would share its run directory with '" +
                  results.scenarios[i] + "' run in per-op mode: rename it");
    }
  }
  std::vector<const Adapter*> selected;
  std::set<std::string> adapter_names;
  for (const Adapter& adapter : *adapters) {
    if (!SafeName(adapter.name)) {
      return Fail(options.catalog.string() + ": adapter name '" + adapter.name +
                  "' is not 1 to 128 characters of A-Z a-z 0-9 . _ -");
    }
    if (!adapter_names.insert(adapter.name).second) {
      return Fail(options.catalog.string() + ": two adapters named '" + adapter.name + "'");
    }
    if (!options.adapters.empty() && std::find(options.adapters.begin(), options.adapters.end(),
                                               adapter.name) == options.adapters.end()) {
      continue;
    }
    selected.push_back(&adapter);
    results.adapters.push_back(adapter.name);
  }
  for (const std::string& wanted : options.adapters) {
    if (adapter_names.count(wanted) == 0) {
      return Fail("--adapter " + wanted + ": no such adapter in " + options.catalog.string());
    }
  }

  // The shard's cells, in matrix order (row-major).
  std::vector<PlannedCell> planned;
  for (size_t a = 0; a < selected.size(); ++a) {
    for (size_t s = 0; s < results.scenarios.size(); ++s) {
      if (!scenario::InShard(a * results.scenarios.size() + s, results.shard)) continue;
      planned.push_back({selected[a], selected_files[s], results.scenarios[s], worker_mode[s]});
    }
  }
  std::cout << "lockharness conformance: " << planned.size() << " of "
            << selected.size() * results.scenarios.size() << " cells (" << selected.size()
            << " adapters x " << results.scenarios.size() << " scenarios"
            << (options.shard ? ", shard " + std::to_string(results.shard.index) + "/" +
                                    std::to_string(results.shard.count)
                              : std::string())
            << "), " << options.jobs << " at a time; run directories under "
            << options.out_dir.string() << std::endl;

  // Probe each adapter this shard needs, once, before anything runs.
  std::map<std::string, std::string> not_runnable;
  for (const Adapter* adapter : selected) {
    const bool needed = std::any_of(planned.begin(), planned.end(),
                                    [&](const PlannedCell& c) { return c.adapter == adapter; });
    if (!needed) continue;
    not_runnable[adapter->name] = Probe(options.probe, options.catalog, adapter->name);
    if (!not_runnable[adapter->name].empty()) {
      std::cout << "== " << adapter->name << ": not runnable: " << not_runnable[adapter->name]
                << std::endl;
    }
  }

  // Cells run on `jobs` threads; each result lands in its matrix slot, so
  // the output's order does not depend on which finished first.
  std::vector<std::optional<ConformanceCell>> done(planned.size());
  std::vector<std::string> errors(planned.size());
  const std::map<std::string, std::string>& probed = not_runnable;  // read-only from here
  std::atomic<size_t> next{0};
  std::mutex print_mu;
  auto work = [&] {
    for (size_t i = next++; i < planned.size() && !runner::Interrupted(); i = next++) {
      const PlannedCell& p = planned[i];
      const std::string& why = probed.at(p.adapter->name);
      if (!why.empty()) {
        done[i] = ConformanceCell{p.adapter->name, p.scenario, why, {}};
        continue;
      }
      ConformanceCell cell = RunCell(p, options.out_dir, &errors[i]);
      if (errors[i].empty()) {
        std::lock_guard<std::mutex> lock(print_mu);
        std::cout << "[" << cell.adapter << "] " << ScenarioLine(cell.outcome) << std::endl;
      }
      done[i] = std::move(cell);
    }
  };
  std::vector<std::thread> threads;
  const size_t thread_count = std::min(static_cast<size_t>(options.jobs), planned.size());
  for (size_t t = 0; t < thread_count; ++t) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) {
    if (!e.empty()) return Fail(e);
  }
  for (std::optional<ConformanceCell>& cell : done) {
    if (cell) {
      results.cells.push_back(std::move(*cell));
    } else {
      results.complete = false;
    }
  }
  if (runner::Interrupted()) results.complete = false;

  const std::string json = ConformanceResultsText(results);
  // No cell may have made it (every one n/a or not runnable).
  fs::create_directories(options.out_dir, ec);
  if (!runner::WriteFileNoFollow(options.out_dir / kConformanceResultsFile, json, &error)) {
    return Fail(error);
  }
  // Render what the file says, as merge does: the same text either way.
  auto recorded = ParseConformanceResults(json, kConformanceResultsFile, &error);
  if (!recorded) return Fail("internal error: " + error);
  results = std::move(*recorded);
  const fs::path junit = options.junit.empty() ? options.out_dir / "junit.xml" : options.junit;
  if (!WriteTextFile(junit, ConformanceJunitXml(results), &error)) return Fail(error);
  if (std::string e; !runner::HandOverToDirectoryOwner(options.out_dir, &e)) {
    std::cerr << "lockharness: warning: " << e << "\n";
  }
  if (!results.complete) {
    return Fail("interrupted: " + std::to_string(results.cells.size()) + " of " +
                std::to_string(planned.size()) + " cells in " +
                (options.out_dir / kConformanceResultsFile).string() + ", marked incomplete");
  }
  if (results.shard.count > 1) {
    std::cout << "\nshard " << results.shard.index << "/" << results.shard.count << ": "
              << results.cells.size() << " cells in "
              << (options.out_dir / kConformanceResultsFile).string() << ", junit "
              << junit.string()
              << "\njoin the shards with: lockharness merge DIR... --markdown FILE\n";
    return kExitValid;
  }
  const std::string matrix = ConformanceMarkdown(results.scenarios, ConformanceRows(results));
  std::cout << "\n" << matrix << "\njunit: " << junit.string() << "\n";
  if (!options.markdown.empty() &&
      !WriteTextFile(options.markdown,
                     "<!-- generated by: " + options.command_line + " -->\n" + matrix, &error)) {
    return Fail(error);
  }
  return kExitValid;
}

}  // namespace lockharness::harness::cli
