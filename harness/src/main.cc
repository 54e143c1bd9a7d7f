// lockharness: runs an implementation of the lock-and-rename registry
// protocol under a seeded concurrent workload and judges the history.
//
//   lockharness run --impl 'lockreg --file {registry}' --writers 16 --ops 200
//                   [--mode per-op|worker] [--readers K] [--seed S]
//                   [--out DIR] [--op-timeout-ms T] [--nemesis ...] [--setup ...]
//   lockharness run SCENARIO.toml [--impl ...] [--seed S] [--out DIR]
//                   (without --impl: the catalog adapter the scenario names)
//   lockharness suite DIR [--impl ...] [--shard K/N] [--seed S] [--out DIR]
//                         [--lock-convention C] [--placement-init]
//                     (without --impl: the catalog adapter each scenario names)
//   lockharness mutants --lockreg PATH --suite DIR [--reference-runs N] [--mutant-runs N]
//                       [--no-spans]
//   lockharness conformance [--suite DIR] [--adapter NAME] [--scenario NAME] [--markdown FILE]
//                           [--jobs N] [--shard K/N] [--out DIR] [--junit FILE]
//   lockharness merge DIR... [--rerun DIR] [--markdown FILE] [--junit FILE]
//   lockharness check DIR
//   lockharness --version
//
// The `run` flags come from the run-configuration codec (runner/run_config.h,
// registered by cli/run_flags.h); everything but main() is in src/cli/.
//
// Exit codes: 0 all checkers valid, 1 some checker found a violation,
// 2 unknown verdict or harness error (bad flags, implementation not
// runnable, unreadable input, interrupted), with a one-line reason.

#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lockharness/harness/install/build_info.h"
#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/runner/lock_convention.h"
#include "lockharness/harness/runner/run.h"
#include "lockharness/harness/runner/run_config.h"
#include "lockharness/harness/runner/run_namespace.h"
#include "lockharness/harness/runner/safe_files.h"
#include "lockharness/harness/runner/signals.h"
#include "lockharness/harness/scenario/scenario.h"
#include "lockharness/harness/scenario/suite.h"
#include "src/cli/catalog.h"
#include "src/cli/common.h"
#include "src/cli/conformance_command.h"
#include "src/cli/crash_command.h"
#include "src/cli/merge_command.h"
#include "src/cli/mutants_command.h"
#include "src/cli/run_flags.h"
#include "src/cli/run_once.h"
#include "src/cli/scenario_adapter.h"
#include "src/cli/shared_flags.h"
#include "src/cli/suite_runner.h"

namespace {

namespace fs = std::filesystem;
namespace lh = lockharness::harness;
namespace cli = lockharness::harness::cli;
namespace runner = lockharness::harness::runner;
namespace scenario = lockharness::harness::scenario;

int Report(const cli::RunResult& result) {
  if (!result.judged) return cli::Fail(result.reason);
  std::cout << result.report_text << std::flush;
  if (result.verdict == lh::Verdict::kUnknown)
    std::cerr << "lockharness: " << result.reason << "\n";
  return cli::ExitCodeFor(result.verdict);
}

// What the catalog's entry for `impl` says about how it is deployed: its
// lock convention, unless --lock-convention gave one (already in
// *convention; *source says which), and whether placed writers need an
// init (--placement-init, already in *placement_init, or the entry's).
void ResolveFromCatalog(const std::string& impl, std::string* convention, std::string* source,
                        bool* placement_init) {
  if (!convention->empty()) *source = "--lock-convention";
  std::string error;
  const std::optional<cli::Adapter> entry = cli::CatalogAdapterFor(impl, &error);
  if (!entry) {
    if (convention->empty()) *source = error;
    return;
  }
  if (convention->empty() && !entry->lock_convention.empty()) {
    *convention = entry->lock_convention;
    *source = "catalog entry " + entry->name;
  }
  if (entry->placement_init) *placement_init = true;
}

void SayLockConvention(const std::string& convention, const std::string& source) {
  if (convention.empty()) {
    std::cerr << "lockharness: lock convention not declared (--lock-convention, or a catalog "
                 "entry for --impl)\n";
  } else {
    std::cerr << "lockharness: lock convention " << convention << ", from " << source << "\n";
  }
}

int RunOptionsCommand(runner::RunOptions options) {
  std::string source;
  ResolveFromCatalog(options.impl, &options.lock_convention, &source, &options.placement_init);
  SayLockConvention(options.lock_convention, source);
  if (options.out_dir.empty()) options.out_dir = cli::DefaultOutDir(options.seed);
  runner::InstallTerminationHandlers();
  std::cerr << "lockharness: seed " << options.seed << ", run directory "
            << options.out_dir.string() << "\n";
  cli::Progress progress;
  return Report(cli::ExecuteAndJudge(options, &progress));
}

int RunScenarioCommand(const fs::path& file, const std::string& impl, const fs::path& catalog_path,
                       std::optional<uint64_t> seed, fs::path out_dir, std::string lock_convention,
                       bool placement_init, const std::string& registry_dir) {
  std::string error;
  auto loaded = scenario::LoadScenario(file, &error);
  if (!loaded) return cli::Fail(error);
  std::vector<cli::Adapter> catalog;
  if (impl.empty() && !loaded->adapter.empty()) {
    auto read = cli::LoadCatalog(catalog_path, &error);
    if (!read) return cli::Fail(error);
    catalog = std::move(*read);
  }
  std::string scenario_impl;
  if (!cli::ScenarioImpl(*loaded, impl, &catalog, catalog_path, &scenario_impl, &error)) {
    return cli::Fail(error);
  }
  // A scenario naming its adapter was written for it: no convention applies.
  if (loaded->adapter.empty()) {
    std::string source;
    ResolveFromCatalog(scenario_impl, &lock_convention, &source, &placement_init);
    SayLockConvention(lock_convention, source);
    if (auto convention = runner::ParseLockConvention(lock_convention)) {
      if (auto why = scenario::NotApplicableReason(*loaded, *convention)) {
        // Not a verdict: the scenario means nothing for this implementation.
        std::cout << "scenario " << loaded->name << ": N/A: " << *why << " (lock convention "
                  << lock_convention << ", from " << source << ")\n";
        return cli::kExitValid;
      }
    }
  }
  if (out_dir.empty()) out_dir = cli::DefaultOutDir(seed.value_or(loaded->run.seed));
  cli::ApplyCommandLine(scenario_impl, seed, out_dir, &*loaded);
  if (loaded->adapter.empty()) {
    loaded->run.lock_convention = lock_convention;
    loaded->run.placement_init = placement_init;
  }
  loaded->run.registry_dir = registry_dir;
  runner::InstallTerminationHandlers();
  std::cerr << "lockharness: scenario " << loaded->name << ", seed " << loaded->run.seed
            << ", run directory " << out_dir.string() << "\n";
  cli::Progress progress;
  cli::RunResult result = cli::ExecuteScenario(*loaded, &progress);
  Report(result);
  const cli::ScenarioOutcome outcome = cli::JudgeScenario(*loaded, std::move(result));
  std::cout << "scenario " << outcome.name << ": expected " << outcome.expected
            << (outcome.expected_checker.empty() ? "" : " from " + outcome.expected_checker)
            << (outcome.expect_lint_clean ? " with a clean lint" : "") << ": "
            << cli::ScenarioStatusName(outcome.status) << "\n";
  // A scenario's exit status says whether it met its expectation.
  switch (outcome.status) {
    case cli::ScenarioStatus::kPass: return cli::kExitValid;
    case cli::ScenarioStatus::kFail: return cli::kExitInvalid;
    case cli::ScenarioStatus::kUnknown: return cli::kExitUnknown;
    case cli::ScenarioStatus::kNotApplicable: return cli::kExitValid;
  }
  return cli::kExitUnknown;
}

int CheckCommand(const fs::path& dir) {
  // Keep what only the run knew (reader sample counts, interrupts).
  nlohmann::json notes;
  std::string ignored;
  bool complete = true;
  // (report.json: the name in run directories of earlier versions.)
  auto previous = cli::ReadJsonFile(dir / "results.json", &ignored);
  if (!previous) previous = cli::ReadJsonFile(dir / "report.json", &ignored);
  if (previous && previous->contains("run")) {
    notes = (*previous)["run"];
    const auto status = notes.find("status");
    complete = status == notes.end() || *status == "completed";
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return cli::Fail("not a run directory: " + dir.string());
  return Report(cli::JudgeRunDirectory(dir, notes, complete));
}

int SuiteCommand(const fs::path& dir, const std::string& impl, const fs::path& catalog,
                 std::optional<uint64_t> seed, fs::path out_dir, const std::string& shard_text,
                 fs::path junit, const std::string& lock_convention_flag, bool placement_init,
                 const fs::path& registry_dir) {
  runner::RunOptions checked;
  if (auto refused = cli::SetRunFieldText("lock_convention", lock_convention_flag, &checked)) {
    return cli::Fail(*refused);
  }
  std::string lock_convention = checked.lock_convention, lock_convention_source;
  if (!impl.empty()) {
    ResolveFromCatalog(impl, &lock_convention, &lock_convention_source, &placement_init);
  }
  std::string error;
  auto files = scenario::ListSuite(dir, &error);
  if (!files) return cli::Fail(error);
  std::string suite_name = fs::absolute(dir).lexically_normal().filename().string();
  if (!shard_text.empty()) {
    auto shard = scenario::ParseShard(shard_text, &error);
    if (!shard) return cli::Fail("bad --shard: " + error);
    *files = scenario::SelectShard(*files, *shard);
    suite_name += " shard " + shard_text;
  }
  if (out_dir.empty()) out_dir = cli::DefaultOutDir(seed.value_or(0));
  if (junit.empty()) junit = out_dir / "junit.xml";
  runner::InstallTerminationHandlers();
  std::cout << "lockharness suite " << dir.string() << ": " << files->size()
            << " scenarios against "
            << (impl.empty() ? "the adapters they name (" + catalog.string() + ")" : impl)
            << "\nrun directories under " << out_dir.string() << "\n\n";
  cli::SuiteRunOptions options;
  options.files = *files;
  options.impl = impl;
  options.catalog = catalog;
  options.out_dir = out_dir;
  options.seed = seed;
  options.lock_convention = lock_convention;
  options.lock_convention_source = lock_convention_source;
  options.placement_init = placement_init;
  if (!lock_convention.empty()) {
    std::cout << "lock convention " << lock_convention << ", from " << lock_convention_source
              << "\n\n";
  }
  options.registry_dir = registry_dir;
  const cli::SuiteOutcome outcome = cli::RunScenarios(options);
  if (!outcome.error.empty()) return cli::Fail(outcome.error);
  std::error_code ec;
  fs::create_directories(junit.parent_path().empty() ? "." : junit.parent_path(), ec);
  std::ofstream(junit) << cli::SuiteJunitXml(outcome, suite_name);
  if (std::string e; !runner::HandOverToDirectoryOwner(out_dir, &e)) {
    std::cerr << "lockharness: warning: " << e << "\n";
  }
  const int code = cli::SuiteExitCode(outcome);
  std::cout << "\nsuite verdict: "
            << (code == cli::kExitValid     ? "PASS"
                : code == cli::kExitInvalid ? "FAIL"
                                            : "UNKNOWN")
            << ": " << outcome.passed << " passed, " << outcome.failed << " failed, "
            << outcome.unknown << " unknown, " << outcome.not_applicable << " not applicable, in "
            << static_cast<int>(outcome.seconds) << " s\njunit: " << junit.string() << "\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "lockharness: verifies implementations of the lock-and-rename "
      "registry protocol"};
  app.require_subcommand(1);
  app.set_version_flag(
      "--version", [] { return lockharness::harness::install::VersionText(); },
      "print the version, commit and what is available, then exit");

  // Every run option comes from the run-configuration codec (run_config.h).
  cli::RunFlags run_flags;
  CLI::App* run = cli::AddRunSubcommand(&app, &run_flags);

  std::string check_dir;
  CLI::App* check = app.add_subcommand("check", "re-run the checkers on a saved run directory");
  check->add_option("dir", check_dir, "run directory")->required();

  std::string suite_dir, suite_impl, suite_out, shard;
  fs::path junit;
  uint64_t suite_seed = 0;
  CLI::App* suite = app.add_subcommand("suite", "run a folder of scenarios; one summary, JUnit");
  suite->add_option("dir", suite_dir, "suite directory, e.g. scenarios/smoke")->required();
  fs::path suite_catalog = lh::install::ThisHarnessData().adapters / "catalog.json";
  suite->add_option("--impl", suite_impl,
                    "command template (default: the catalog adapter each scenario names)");
  suite->add_option("--catalog", suite_catalog, "adapter catalog for scenarios naming an adapter")
      ->capture_default_str();
  CLI::Option* suite_seed_option =
      suite->add_option("--seed", suite_seed, "override every scenario's seed");
  suite->add_option("--out", suite_out, "directory for the scenarios' run directories");
  cli::AddShardFlag(suite, &shard, "the suite's scenarios");
  cli::AddJunitFlag(suite, &junit, "default OUT/junit.xml");
  std::string suite_lock_convention;
  cli::AddRunFieldOption(suite, "lock_convention", &suite_lock_convention);
  // The run option's own flag and text (the run-configuration codec).
  bool suite_placement_init = false;
  const runner::RunField* placement_init_field = runner::FindRunField("placement_init");
  suite->add_flag(std::string(placement_init_field->flag), suite_placement_init,
                  std::string(placement_init_field->doc));
  std::string suite_registry_dir;
  const runner::RunField* registry_dir_field = runner::FindRunField("registry_dir");
  suite->add_option(std::string(registry_dir_field->flag), suite_registry_dir,
                    std::string(registry_dir_field->doc) + "; each scenario in DIR/<name>/");

  cli::MutantsOptions mutants_options;
  std::string mutants_out;
  CLI::App* mutants = app.add_subcommand(
      "mutants", "run a suite against every lockreg mutant and the reference; print the matrix");
  mutants->add_option("--lockreg", mutants_options.lockreg, "the lockreg binary")->required();
  mutants->add_option("--suite", mutants_options.suite, "suite directory")->required();
  mutants->add_option("--out", mutants_out, "directory for all run directories");
  mutants->add_option("--mutant", mutants_options.mutants, "only these mutants (repeatable)");
  mutants
      ->add_option("--reference-runs", mutants_options.reference_runs,
                   "suite runs of the reference with different seeds")
      ->check(CLI::Range(1, 1000));
  mutants->add_flag("--first-catch", mutants_options.first_catch,
                    "stop each mutant's suite at the first scenario that catches it");
  mutants
      ->add_option("--mutant-runs", mutants_options.mutant_runs,
                   "suite runs per mutant with different seeds (time to first catch: their median)")
      ->check(CLI::Range(1, 1000));
  cli::AddMarkdownFlag(mutants, &mutants_options.markdown);
  mutants->add_flag("--no-spans", mutants_options.no_spans,
                    "run lockreg with LOCKHARNESS_NO_SPANS=1: judged from observation alone");

  cli::ConformanceOptions conformance_options;
  std::string conformance_out;
  CLI::App* conformance = app.add_subcommand(
      "conformance", "run a suite against every adapter of the catalog; write the matrix");
  conformance->add_option("--catalog", conformance_options.catalog, "adapter catalog")
      ->capture_default_str();
  conformance->add_option("--probe", conformance_options.probe, "adapter probe script")
      ->capture_default_str();
  conformance->add_option("--suite", conformance_options.suite, "suite directory")
      ->capture_default_str();
  conformance->add_option("--adapter", conformance_options.adapters,
                          "only these adapters (repeatable)");
  conformance->add_option("--scenario", conformance_options.scenarios,
                          "only these scenarios, by name (repeatable): re-runs of single cells");
  conformance->add_option("--out", conformance_out, "directory for all run directories");
  cli::AddMarkdownFlag(conformance, &conformance_options.markdown);
  cli::AddJunitFlag(conformance, &conformance_options.junit, "default OUT/junit.xml");
  std::string conformance_shard;
  cli::AddShardFlag(conformance, &conformance_shard, "the matrix's cells");
  cli::AddJobsFlag(conformance, &conformance_options.jobs, "cells");

  cli::MergeOptions merge_options;
  CLI::App* merge = app.add_subcommand(
      "merge", "join the output directories of conformance shards into one matrix and JUnit file");
  merge->add_option("dirs", merge_options.dirs, "the shards' --out directories")->required();
  merge->add_option("--rerun", merge_options.reruns,
                    "a later run of single cells (conformance --adapter/--scenario) whose cells "
                    "replace the shards' (repeatable)");
  cli::AddMarkdownFlag(merge, &merge_options.markdown);
  cli::AddJunitFlag(merge, &merge_options.junit, "none if not given");

  cli::CrashSubcommand crash(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return cli::Fail(e.what());
  }

  // Every subcommand but `check` starts implementation processes: they run
  // in a PID namespace of ours, so that none outlives a killed harness.
  if (!check->parsed()) runner::EnterRunNamespace();

  try {
    if (crash.parsed()) return crash.Run();
    if (conformance->parsed()) {
      if (conformance_out.empty()) conformance_out = cli::DefaultOutDir(0) + "-conformance";
      conformance_options.out_dir = conformance_out;
      conformance_options.command_line = cli::CommandLine(argc, argv);
      if (!conformance_shard.empty()) {
        std::string error;
        conformance_options.shard = scenario::ParseShard(conformance_shard, &error);
        if (!conformance_options.shard) return cli::Fail("bad --shard: " + error);
      }
      runner::InstallTerminationHandlers();
      return cli::ConformanceCommand(conformance_options);
    }
    if (merge->parsed()) {
      merge_options.command_line = cli::CommandLine(argc, argv);
      return cli::MergeCommand(merge_options);
    }
    if (suite->parsed()) {
      return SuiteCommand(
          suite_dir, suite_impl, suite_catalog,
          suite_seed_option->count() > 0 ? std::optional<uint64_t>(suite_seed) : std::nullopt,
          suite_out, shard, junit, suite_lock_convention, suite_placement_init, suite_registry_dir);
    }
    if (mutants->parsed()) {
      if (mutants_out.empty()) mutants_out = cli::DefaultOutDir(0) + "-mutants";
      mutants_options.out_dir = mutants_out;
      mutants_options.command_line = cli::CommandLine(argc, argv);
      runner::InstallTerminationHandlers();
      return cli::MutantsCommand(mutants_options);
    }
    if (run->parsed() && !run_flags.scenario_file.empty()) {
      // A scenario carries its own workload and faults: other flags would
      // silently disagree with the file, so they are refused
      // (--lock-convention is the implementation's, not the scenario's).
      for (const CLI::Option* option : run->get_options()) {
        const std::string name = option->get_name();
        if (option->count() > 0 && name != "scenario" && name != "--impl" && name != "--seed" &&
            name != "--out" && name != "--help" && name != "--lock-convention" &&
            name != "--placement-init" && name != "--registry-dir") {
          return cli::Fail(name + " cannot be combined with a scenario file (set it in the file)");
        }
      }
      std::string error;
      auto options = cli::RunOptionsFromFlags(run_flags, &error);
      if (!options) return cli::Fail(error);
      return RunScenarioCommand(
          run_flags.scenario_file, options->impl,
          lh::install::ThisHarnessData().adapters / "catalog.json",
          cli::FlagGiven(run_flags, "seed") ? std::optional<uint64_t>(options->seed) : std::nullopt,
          options->out_dir, options->lock_convention, options->placement_init,
          options->registry_dir);
    }
    if (run->parsed()) {
      std::string error;
      auto options = cli::RunOptionsFromFlags(run_flags, &error);
      if (!options) return cli::Fail(error);
      if (!cli::FlagGiven(run_flags, "seed")) options->seed = cli::RandomSeed();
      return RunOptionsCommand(std::move(*options));
    }
    return CheckCommand(check_dir);
  } catch (const std::exception& e) {
    // Malformed input files end here rather than in std::terminate.
    return cli::Fail(std::string("internal error: ") + e.what());
  }
}
