// The conformance matrix (see conformance_command.h).

#include "src/cli/conformance_command.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/scenario/suite.h"
#include "src/cli/catalog.h"
#include "src/cli/common.h"
#include "src/cli/suite_runner.h"

namespace lockharness::harness::cli {
namespace {

namespace fs = std::filesystem;

// "" if runnable, else the probe's reason.
std::string Probe(const fs::path& probe, const std::string& name) {
  std::string out, error;
  const auto status =
      RunForOutput({fs::absolute(probe).string(), name}, std::chrono::seconds(60), &out, &error);
  if (!status) return "probe failed: " + error;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (status->kind == runner::ExitStatus::Kind::kExited && status->code == 0) return "";
  const size_t colon = out.find(": ");
  std::string reason = colon == std::string::npos ? out : out.substr(colon + 2);
  return reason.empty() ? "probe " + status->Describe() : reason;
}

std::string Cell(const ScenarioOutcome& o) {
  if (o.status == ScenarioStatus::kPass) return "pass";
  if (!o.caught_by.empty()) {
    std::string cell = "**FAIL**:";
    for (const std::string& c : o.caught_by) cell += " " + c;
    return cell;
  }
  return "unknown";
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
      for (const ScenarioOutcome& o : row.outcomes) {
        if (o.name == s) cell = Cell(o);
      }
      md << " " << cell << " |";
    }
    md << "\n";
  }
  md << "\n`pass`: the verdict the scenario expects for a correct implementation; "
        "`FAIL: checker`: that checker found a violation; `unknown`: not judged or a "
        "checker could not decide; `n/a`: a worker-mode scenario and an adapter "
        "without a worker mode.\n\n### Every result other than pass\n\n";
  for (const ConformanceRow& row : rows) {
    for (const ScenarioOutcome& o : row.outcomes) {
      if (o.status == ScenarioStatus::kPass) continue;
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
         << " --seed " << o.seed << "`\n";
    }
  }
  return md.str();
}

int ConformanceCommand(const ConformanceOptions& options) {
  std::string error;
  auto adapters = LoadCatalog(options.catalog, &error);
  if (!adapters) return Fail(error);
  auto files = scenario::ListSuite(options.suite, &error);
  if (!files) return Fail(error);
  std::vector<std::string> scenario_names;
  std::vector<bool> worker_mode;
  for (const fs::path& file : *files) {
    auto loaded = scenario::LoadScenario(file, &error);
    if (!loaded) return Fail(error);
    scenario_names.push_back(loaded->name);
    worker_mode.push_back(loaded->run.mode == runner::Mode::kWorker);
  }
  std::vector<ConformanceRow> rows;
  for (const Adapter& adapter : *adapters) {
    if (!options.adapters.empty() && std::find(options.adapters.begin(), options.adapters.end(),
                                               adapter.name) == options.adapters.end()) {
      continue;
    }
    ConformanceRow row;
    row.adapter = adapter;
    row.not_runnable = Probe(options.probe, adapter.name);
    std::cout << "== " << adapter.name
              << (row.not_runnable.empty() ? "" : ": not runnable: " + row.not_runnable)
              << std::endl;
    if (row.not_runnable.empty()) {
      // Per-op scenarios use the per-op template; worker ones the worker
      // template, and are skipped for adapters without one.
      for (int pass = 0; pass < 2; ++pass) {
        const bool worker = pass == 1;
        const std::string impl = worker ? adapter.worker : adapter.per_op;
        if (impl.empty()) continue;
        SuiteRunOptions run;
        for (size_t i = 0; i < files->size(); ++i) {
          if (worker_mode[i] == worker) run.files.push_back((*files)[i]);
        }
        if (run.files.empty()) continue;
        run.impl = impl;
        run.out_dir = options.out_dir / adapter.name / (worker ? "worker" : "per-op");
        SuiteOutcome outcome = RunScenarios(run);
        if (!outcome.error.empty()) return Fail(outcome.error);
        for (ScenarioOutcome& o : outcome.scenarios) row.outcomes.push_back(std::move(o));
      }
    }
    rows.push_back(std::move(row));
  }
  const std::string matrix = ConformanceMarkdown(scenario_names, rows);
  std::cout << "\n" << matrix;
  if (!options.markdown.empty()) {
    std::ofstream out(options.markdown);
    out << "<!-- generated by: " << options.command_line << " -->\n" << matrix;
    if (!out) return Fail("cannot write " + options.markdown.string());
  }
  return kExitValid;
}

}  // namespace lockharness::harness::cli
