// The mutant matrix (see mutants_command.h).

#include "src/cli/mutants_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "lockharness/harness/scenario/suite.h"
#include "src/cli/common.h"
#include "src/cli/suite_runner.h"

namespace lockharness::harness::cli {
namespace {

namespace fs = std::filesystem;

// Asks the client for its mutants: `LOCKREG --list-mutants`.
std::optional<std::vector<std::string>> ListMutants(const fs::path& lockreg, std::string* error) {
  std::string out;
  const auto status =
      RunForOutput({lockreg.string(), "--list-mutants"}, std::chrono::seconds(30), &out, error);
  if (!status) return std::nullopt;
  if (status->kind != runner::ExitStatus::Kind::kExited || status->code != 0) {
    *error = lockreg.string() + " --list-mutants: " + status->Describe();
    return std::nullopt;
  }
  std::vector<std::string> names;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) names.push_back(line);
  }
  if (names.empty()) {
    *error = lockreg.string() + " --list-mutants printed no mutant";
    return std::nullopt;
  }
  return names;
}

std::string Template(const fs::path& lockreg, const std::string& mutant) {
  std::string impl = lockreg.string();
  if (!mutant.empty()) impl += " --mutant " + mutant;
  return impl + " --file {registry}";
}

std::string Cell(const ScenarioOutcome* o) {
  if (o == nullptr) return "";
  if (!o->caught_by.empty()) {
    std::string cell;
    for (const std::string& c : o->caught_by) cell += (cell.empty() ? "" : ", ") + c;
    return cell;
  }
  return o->status == ScenarioStatus::kUnknown ? "?" : "-";
}

struct Row {
  std::string mutant;
  SuiteOutcome outcome;  // the first run's (the files' seeds): the matrix
  bool caught = false;
  int runs = 0;
  std::vector<double>
      catch_seconds;  // per run that caught it: suite start to the end of the first catch
};

// "4.1 s (3 of 3 runs)": the median time to the first catch over the runs
// that caught the mutant; "-" if none did.
std::string TimeToCatch(const Row& row) {
  if (row.catch_seconds.empty()) return "-";
  std::vector<double> t = row.catch_seconds;
  std::sort(t.begin(), t.end());
  const size_t n = t.size();
  const double median = n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f s (%zu of %d runs)", median, n, row.runs);
  return buf;
}

std::string Markdown(const std::vector<std::string>& scenarios, const std::vector<Row>& rows,
                     const std::vector<SuiteOutcome>& reference, int reference_passed,
                     bool no_spans) {
  std::ostringstream md;
  if (no_spans) {
    md << "Every lockreg ran with `LOCKHARNESS_NO_SPANS=1`: no reported lock spans, "
          "every verdict from observation.\n\n";
  }
  md << "| mutant |";
  for (const std::string& s : scenarios) md << " " << s << " |";
  md << " caught | first caught after |\n|---|";
  for (size_t i = 0; i < scenarios.size(); ++i) md << "---|";
  md << "---|---|\n";
  for (const Row& row : rows) {
    md << "| `" << row.mutant << "` |";
    for (const std::string& s : scenarios) {
      const ScenarioOutcome* found = nullptr;
      for (const ScenarioOutcome& o : row.outcome.scenarios) {
        if (o.name == s) found = &o;
      }
      md << " " << Cell(found) << " |";
    }
    md << " " << (row.caught ? "yes" : "**NO**") << " | " << TimeToCatch(row) << " |\n";
  }
  md << "\nReference (`lockreg` without a mutant): " << reference_passed << " of "
     << reference.size() << " suite runs passed every scenario";
  if (reference.size() == 1) md << " (seeds: the files' own)";
  if (reference.size() > 1)
    md << " (seeds: the files' own, then 1001..." << (1000 + reference.size() - 1) << ")";
  md << ".\n\nCells name the checker that found a violation; `-`: the scenario passed "
        "(not caught there); `?`: verdict unknown; empty: not run (stopped at the first catch). "
        "`first caught after`: wall time from the start of the mutant's suite run to the end of "
        "the first scenario that caught it (scenarios run in file order), median over the runs "
        "that caught it";
  if (!rows.empty() && rows.front().runs > 1) {
    md << " (" << rows.front().runs << " runs: the files' seeds, then 1001..."
       << (1000 + rows.front().runs - 1) << "; the cells show the first run)";
  }
  md << ".\n";
  return md.str();
}

}  // namespace

int MutantsCommand(const MutantsOptions& options) {
  std::string error;
  // Writers inherit the harness's environment (runner/process.cc).
  if (options.no_spans && ::setenv("LOCKHARNESS_NO_SPANS", "1", 1) != 0) {
    return Fail("cannot set LOCKHARNESS_NO_SPANS");
  }
  auto files = scenario::ListSuite(options.suite, &error);
  if (!files) return Fail(error);
  std::vector<std::string> mutants = options.mutants;
  if (mutants.empty()) {
    auto listed = ListMutants(options.lockreg, &error);
    if (!listed) return Fail(error);
    mutants = *listed;
  }
  std::vector<std::string> scenario_names;
  for (const fs::path& file : *files) {
    auto loaded = scenario::LoadScenario(file, &error);
    if (!loaded) return Fail(error);
    scenario_names.push_back(loaded->name);
  }

  std::vector<SuiteOutcome> reference;
  int reference_passed = 0;
  for (int k = 0; k < options.reference_runs; ++k) {
    SuiteRunOptions run;
    run.files = *files;
    run.impl = Template(options.lockreg, "");
    // lockreg and its mutants all take the reference's mkdir lock: every
    // scenario applies, and a probe run per suite would only cost time.
    run.detect_lock_convention = false;
    run.out_dir = options.out_dir / ("reference-" + std::to_string(k + 1));
    if (k > 0) run.seed = 1000 + static_cast<uint64_t>(k);
    std::cout << "== reference, run " << (k + 1) << " of " << options.reference_runs
              << (k > 0 ? ", seed " + std::to_string(1000 + k) : ", the files' seeds") << std::endl;
    SuiteOutcome outcome = RunScenarios(run);
    if (!outcome.error.empty()) return Fail(outcome.error);
    if (outcome.failed == 0 && outcome.unknown == 0) ++reference_passed;
    reference.push_back(std::move(outcome));
  }

  std::vector<Row> rows;
  for (const std::string& mutant : mutants) {
    Row row;
    row.mutant = mutant;
    for (int k = 0; k < options.mutant_runs; ++k) {
      SuiteRunOptions run;
      run.files = *files;
      run.impl = Template(options.lockreg, mutant);
      run.detect_lock_convention = false;
      run.out_dir =
          options.out_dir / ("mutant-" + mutant + (k > 0 ? "-run-" + std::to_string(k + 1) : ""));
      if (k > 0) run.seed = 1000 + static_cast<uint64_t>(k);
      const auto started = std::chrono::steady_clock::now();
      std::optional<double> caught_at;
      run.stop_after = [&](const ScenarioOutcome& o) {
        if (o.caught_by.empty()) return false;
        if (!caught_at)
          caught_at =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return options.first_catch;
      };
      std::cout << "== mutant " << mutant;
      if (options.mutant_runs > 1)
        std::cout << ", run " << (k + 1) << " of " << options.mutant_runs;
      std::cout << std::endl;
      SuiteOutcome outcome = RunScenarios(run);
      if (!outcome.error.empty()) return Fail(outcome.error);
      ++row.runs;
      if (caught_at) row.catch_seconds.push_back(*caught_at);
      if (k == 0) {
        for (const ScenarioOutcome& o : outcome.scenarios)
          row.caught = row.caught || !o.caught_by.empty();
        row.outcome = std::move(outcome);
      }
    }
    rows.push_back(std::move(row));
  }

  const std::string matrix =
      Markdown(scenario_names, rows, reference, reference_passed, options.no_spans);
  std::cout << "\n" << matrix;
  int caught = 0;
  for (const Row& row : rows) caught += row.caught ? 1 : 0;
  const bool ok =
      caught == static_cast<int>(rows.size()) && reference_passed == options.reference_runs;
  std::cout << "\nmutants caught: " << caught << " of " << rows.size()
            << "; reference runs passed: " << reference_passed << " of " << options.reference_runs
            << "\nverdict: " << (ok ? "VALID" : "INVALID") << "\n";
  if (!options.markdown.empty()) {
    std::ofstream out(options.markdown);
    out << "<!-- generated by: " << options.command_line << " -->\n" << matrix;
    if (!out) return Fail("cannot write " + options.markdown.string());
  }
  return ok ? kExitValid : kExitInvalid;
}

}  // namespace lockharness::harness::cli
