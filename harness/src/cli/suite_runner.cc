// Scenario suites (see suite_runner.h).

#include "src/cli/suite_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "lockharness/harness/checkers/lock_convention_check.h"
#include "lockharness/harness/checkers/protocol_lint.h"
#include "lockharness/harness/checkers/trace_mutual_exclusion.h"
#include "lockharness/harness/checkers/trace_timeline.h"
#include "lockharness/harness/report/junit.h"
#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/run_dir/load_run.h"
#include "lockharness/harness/runner/lock_convention.h"
#include "lockharness/harness/runner/safe_files.h"
#include "lockharness/interposer/fault_spec.h"
#include "src/cli/scenario_adapter.h"
#include "src/crash/crash_run.h"

namespace lockharness::harness::cli {
namespace fs = std::filesystem;

std::string ScenarioLine(const ScenarioOutcome& o) {
  if (o.status == ScenarioStatus::kNotApplicable) {
    return "N/A     " + o.name + "  not run: " + o.not_applicable;
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%6.1f s", o.result.seconds);
  std::string verdict = o.result.judged ? std::string(VerdictName(o.result.verdict)) : "not judged";
  std::string line = std::string(ScenarioStatusName(o.status)) +
                     std::string(8 - std::string(ScenarioStatusName(o.status)).size(), ' ') +
                     o.name + "  " + verdict + " (expected " + o.expected +
                     (o.expected_checker.empty() ? "" : " from " + o.expected_checker) +
                     (o.expect_lint_clean ? ", lint clean" : "") + ")  " + seconds + "  seed " +
                     std::to_string(o.seed);
  if (!o.caught_by.empty()) {
    line += "  caught by:";
    for (const std::string& c : o.caught_by) line += " " + c;
  }
  if (!o.result.crash_summary.empty()) line += "  crash " + o.result.crash_summary;
  if (!o.substitution.empty()) line += "\n        ran in " + o.substitution;
  if (o.status != ScenarioStatus::kPass && !o.result.reason.empty()) {
    line += "\n        " + o.result.reason;
  }
  if (o.status != ScenarioStatus::kPass && !o.result.replay.empty()) {
    line += "\n        replay: " + o.result.replay;
  }
  return line;
}

namespace {

// Whether the scenario's applicability depends on the lock convention: a
// `conventions` list, or a setup step or nemesis that does not apply to
// every convention.
bool DependsOnConvention(const scenario::Scenario& s) {
  if (!s.conventions.empty()) return true;
  for (runner::LockConvention c : {runner::LockConvention::kMkdir, runner::LockConvention::kOExcl,
                                   runner::LockConvention::kLink, runner::LockConvention::kRename,
                                   runner::LockConvention::kFlock, runner::LockConvention::kPosix,
                                   runner::LockConvention::kOfd, runner::LockConvention::kNone}) {
    if (runner::NotApplicableFaults(s.run.nemeses, s.run.setup, c)) return true;
  }
  return false;
}

// The options of `lockharness crash` that a crash scenario stands for.
crash::CrashOptions CrashOptionsFor(const scenario::Scenario& s) {
  crash::CrashOptions o;
  o.impl = s.run.impl;
  o.model = *crash::ParseModel(s.crash->model);  // checked by the loader
  o.writers = s.run.writers;
  o.ops_per_writer = s.run.ops_per_writer;
  o.states = s.crash->states;
  o.recover_states = s.crash->recover_states;
  o.seed = s.run.seed;
  o.out_dir = s.run.out_dir;
  o.takeover_bound_ms = s.run.takeover_bound_ms;
  o.stale_ms = s.run.stale_ms;
  o.op_timeout_ms = s.run.op_timeout_ms;
  o.run_timeout_ms = s.run.run_timeout_ms;
  return o;
}

RunResult ExecuteCrashScenario(const scenario::Scenario& s) {
  const auto started = std::chrono::steady_clock::now();
  crash::CrashResult crashed = crash::ExecuteCrash(CrashOptionsFor(s));
  RunResult result;
  result.verdict = crashed.verdict;
  result.judged = crashed.judged;
  result.reason = std::move(crashed.reason);
  result.findings = std::move(crashed.findings);
  result.report_text = std::move(crashed.report_text);
  result.replay = std::move(crashed.replay);
  result.crash_summary = std::move(crashed.summary);
  // As root, leave nothing the user who owns the tree cannot delete.
  if (std::string error; !runner::HandOverToDirectoryOwner(s.run.out_dir, &error)) {
    std::cerr << "lockharness: warning: " << error << "\n";
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

const char* ScenarioStatusName(ScenarioStatus status) {
  switch (status) {
    case ScenarioStatus::kPass: return "PASS";
    case ScenarioStatus::kFail: return "FAIL";
    case ScenarioStatus::kUnknown: return "UNKNOWN";
    case ScenarioStatus::kNotApplicable: return "N/A";
  }
  return "UNKNOWN";
}

void ApplyCommandLine(const std::string& impl, const std::optional<uint64_t>& seed,
                      const fs::path& out_dir, scenario::Scenario* scenario) {
  scenario->run.impl = impl;
  for (std::string& member : scenario->run.fleet) {
    if (member == "{impl}") member = impl;
  }
  if (seed) scenario->run.seed = *seed;
  scenario->run.out_dir = out_dir;
}

RunResult ExecuteScenario(const scenario::Scenario& scenario, Progress* progress) {
  if (scenario.crash) return ExecuteCrashScenario(scenario);
  return ExecuteAndJudge(scenario.run, progress);
}

ScenarioOutcome JudgeScenario(const scenario::Scenario& scenario, RunResult result) {
  ScenarioOutcome o;
  o.name = scenario.name;
  o.file = scenario.file;
  o.expected = std::string(scenario::ExpectName(scenario.expect));
  o.expected_checker = scenario.expect_checker;
  o.expect_lint_clean = scenario.expect_lint_clean;
  o.seed = scenario.run.seed;
  o.impl = scenario.run.impl;
  o.run_dir = scenario.run.out_dir;
  o.result = std::move(result);
  for (const CheckerReport& finding : o.result.findings) {
    if (finding.verdict == Verdict::kInvalid) o.caught_by.push_back(finding.checker);
  }
  // What counts as lint findings, and as no lint at all, is the checkers'
  // rule (OverallWithLint).
  std::vector<CheckerReport> lint;
  for (const CheckerReport& finding : o.result.findings) {
    if (finding.checker == kProtocolLintChecker) lint.push_back(finding);
  }
  o.lint_clean = OverallWithLint(lint, /*lint_is_failure=*/true) != Verdict::kInvalid;
  const bool lint_failed = scenario.expect_lint_clean && !o.lint_clean;
  if (lint_failed && std::find(o.caught_by.begin(), o.caught_by.end(), kProtocolLintChecker) ==
                         o.caught_by.end()) {
    o.caught_by.push_back(kProtocolLintChecker);
  }
  const Verdict expected =
      scenario.expect == scenario::Scenario::Expect::kValid ? Verdict::kValid : Verdict::kInvalid;
  if (!o.result.judged || o.result.verdict == Verdict::kUnknown) {
    o.status = ScenarioStatus::kUnknown;
  } else if (o.result.verdict != expected || lint_failed) {
    o.status = ScenarioStatus::kFail;
  } else if (!scenario.expect_checker.empty() &&
             std::find(o.caught_by.begin(), o.caught_by.end(), scenario.expect_checker) ==
                 o.caught_by.end()) {
    // Invalid, but not for the reason the scenario reproduces.
    o.status = ScenarioStatus::kFail;
    o.result.reason = "expected " + scenario.expect_checker + " to find it invalid; it did not";
  } else if (scenario.expect_lint_clean &&
             OverallWithLint(o.result.findings, /*lint_is_failure=*/true) == Verdict::kUnknown) {
    o.status = ScenarioStatus::kUnknown;
    o.result.reason = "a clean protocol lint was expected but the run has no trace";
  } else {
    o.status = ScenarioStatus::kPass;
  }
  return o;
}

SuiteOutcome RunScenarios(const SuiteRunOptions& options) {
  SuiteOutcome outcome;
  const auto started = std::chrono::steady_clock::now();
  std::vector<scenario::Scenario> scenarios;
  std::vector<std::string> impls;
  std::optional<std::vector<Adapter>> catalog;  // read when a scenario names an adapter
  for (const fs::path& file : options.files) {
    std::string error;
    auto loaded = scenario::LoadScenario(file, &error);
    if (loaded && !loaded->adapter.empty() && options.impl.empty() && !catalog) {
      catalog = LoadCatalog(options.catalog, &error);
      if (!catalog) loaded.reset();
    }
    std::string impl;
    if (!loaded || !ScenarioImpl(*loaded, options.impl, catalog ? &*catalog : nullptr,
                                 options.catalog, &impl, &error)) {
      // Load every file before running any: a typo must not surface after
      // ten minutes of runs.
      outcome.error = error;
      return outcome;
    }
    scenarios.push_back(std::move(*loaded));
    impls.push_back(std::move(impl));
  }
  if (!options.registry_dir.empty()) {
    if (std::string why = runner::RefusedRegistryDir(options.registry_dir); !why.empty()) {
      outcome.error = why;
      return outcome;
    }
  }
  // Each run wants an empty registry directory of its own.
  const auto registry_dir_for = [&](const std::string& run_name, scenario::Scenario* s) {
    if (options.registry_dir.empty()) return;
    const fs::path dir = options.registry_dir / run_name;
    std::error_code ec;
    fs::create_directory(dir, ec);
    s->run.registry_dir = dir.string();
  };
  // The convention scenarios are chosen by: declared, else detected once,
  // when the first scenario that depends on it comes.
  std::optional<runner::LockConvention> convention;
  std::string convention_source;
  if (!options.lock_convention.empty()) {
    convention = runner::ParseLockConvention(options.lock_convention);
    if (!convention) {
      outcome.error = "unknown lock convention '" + options.lock_convention +
                      "' (known: " + runner::LockConventionNames() + ")";
      return outcome;
    }
    convention_source =
        options.lock_convention_source.empty() ? "declared" : options.lock_convention_source;
  }
  const auto not_applicable = [&](const scenario::Scenario& s, std::string why) {
    ScenarioOutcome o;
    o.name = s.name;
    o.file = s.file;
    o.expected = std::string(scenario::ExpectName(s.expect));
    o.seed = options.seed.value_or(s.run.seed);
    o.impl = options.impl;
    o.status = ScenarioStatus::kNotApplicable;
    o.not_applicable = std::move(why);
    ++outcome.not_applicable;
    if (options.print) std::cout << ScenarioLine(o) << std::endl;
    outcome.scenarios.push_back(std::move(o));
  };
  bool detection_tried = false;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    scenario::Scenario& s = scenarios[i];
    // A scenario that names its adapter was written for that adapter: the
    // command line's implementation and its convention are not involved.
    const bool own_adapter = !s.adapter.empty() && options.impl.empty();
    if (!own_adapter && !convention && options.detect_lock_convention && !detection_tried &&
        DependsOnConvention(s)) {
      detection_tried = true;
      std::string why;
      convention = DetectLockConvention(options.impl, options.out_dir / "lock-convention-probe",
                                        &convention_source, &why);
      if (options.print) {
        std::cout << (convention
                          ? "lock convention " +
                                std::string(runner::LockConventionName(*convention)) + ", " +
                                convention_source
                          : "lock convention not detected (" + why + "): every scenario runs")
                  << std::endl;
      }
    }
    if (!own_adapter && convention) {
      if (auto why = scenario::NotApplicableReason(s, *convention)) {
        not_applicable(s, *why + " (lock convention " +
                              std::string(runner::LockConventionName(*convention)) + ", " +
                              convention_source + ")");
        continue;
      }
    }
    ApplyCommandLine(impls[i], options.seed, options.out_dir / s.name, &s);
    // Declared only: a detected convention was seen, not claimed, and has
    // nothing to be checked against.
    if (!own_adapter) {
      s.run.lock_convention = options.lock_convention;
      s.run.placement_init = options.placement_init;
    }
    registry_dir_for(s.name, &s);
    std::string substitution;
    std::optional<RunResult> result;
    if (s.run.mode == runner::Mode::kWorker && options.no_worker_mode.empty()) {
      result = ExecuteScenario(s, nullptr);
      if (!s.crash && FoundNoWorkerMode(*result)) substitution = result->reason;
    } else if (!s.crash && s.run.mode == runner::Mode::kWorker) {
      substitution = options.no_worker_mode;
    }
    if (!substitution.empty()) {
      // A fault chain counted within one process means something else when
      // every operation is a process of its own: not a verdict to give.
      if (std::string chain = PerProcessFaultChain(s.run.interposer_faults); !chain.empty()) {
        not_applicable(s, "needs a long-lived process: its fault chain (" + chain +
                              ") counts the calls of one process, and the implementation has "
                              "no worker mode (" +
                              substitution + ")");
        continue;
      }
      substitution = "per-op mode: the implementation has no worker mode (" + substitution + ")";
      s.run.mode = runner::Mode::kPerOp;
      s.run.out_dir = options.out_dir / (s.name + ".per-op");
      registry_dir_for(s.name + ".per-op", &s);
      result.reset();
    }
    if (!result) result = ExecuteScenario(s, nullptr);
    ScenarioOutcome o = JudgeScenario(s, std::move(*result));
    o.substitution = std::move(substitution);
    switch (o.status) {
      case ScenarioStatus::kPass: ++outcome.passed; break;
      case ScenarioStatus::kFail: ++outcome.failed; break;
      case ScenarioStatus::kUnknown: ++outcome.unknown; break;
      case ScenarioStatus::kNotApplicable: ++outcome.not_applicable; break;
    }
    if (options.print) std::cout << ScenarioLine(o) << std::endl;
    outcome.scenarios.push_back(std::move(o));
    if (options.stop_after && options.stop_after(outcome.scenarios.back())) break;
  }
  if (convention) {
    outcome.lock_convention = std::string(runner::LockConventionName(*convention));
    outcome.lock_convention_source = convention_source;
  }
  outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

std::optional<runner::LockConvention> DetectLockConvention(const std::string& impl,
                                                           const fs::path& out_dir,
                                                           std::string* source, std::string* why) {
  runner::RunOptions probe;
  probe.impl = impl;
  probe.mode = runner::Mode::kPerOp;
  probe.writers = 2;
  probe.ops_per_writer = 3;
  probe.readers = 0;
  probe.observe = true;
  probe.run_timeout_ms = 60000;
  probe.out_dir = out_dir;
  const runner::RunOutcome outcome = runner::ExecuteRun(probe);
  if (outcome.status != runner::RunOutcome::Status::kCompleted) {
    *why = "probe run in " + out_dir.string() + ": " + outcome.reason;
    return std::nullopt;
  }
  std::string error;
  const std::optional<RunArtifacts> run = LoadRunDirectory(out_dir, &error);
  if (!run) {
    *why = error;
    return std::nullopt;
  }
  if (!run->trace) {
    *why = "the probe run in " + out_dir.string() + " was not observed";
    return std::nullopt;
  }
  const TraceTimeline timeline = BuildTraceTimeline(*run->trace, run->monotonic_origin_ns);
  const auto first = FirstObservedAcquisition(ObservedLockSpans(timeline));
  if (!first) {
    *why = "the probe run in " + out_dir.string() + " shows no lock acquisition";
    return std::nullopt;
  }
  *source = "detected: first acquisition " + first->how_acquired + " at line " +
            std::to_string(first->line) + " of " + (out_dir / run_files::kTrace).string();
  return first->convention;
}

bool FoundNoWorkerMode(const RunResult& result) { return !result.judged && result.no_worker_mode; }

std::string PerProcessFaultChain(const std::string& faults) {
  if (faults.empty()) return "";
  auto list = std::make_unique<interposer::FaultList>();
  interposer::ParseError why;
  // Checked when the scenario was loaded; unparsable text has no chain.
  if (!interposer::ParseFaultList(faults.c_str(), list.get(), &why)) return "";
  std::string counted;
  for (int i = 0; i < list->count; ++i) {
    const interposer::FaultSpec& spec = list->specs[i];
    std::string modifier;
    if (spec.once) modifier = "once";
    if (spec.every > 1) {
      modifier +=
          (modifier.empty() ? "" : ",") + std::string("every:") + std::to_string(spec.every);
    }
    if (modifier.empty()) continue;
    if (!counted.empty()) counted += "; ";
    counted += std::string(spec.point) + " " + modifier;
  }
  return counted;
}

int SuiteExitCode(const SuiteOutcome& outcome) {
  if (!outcome.error.empty()) return kExitUnknown;
  if (outcome.failed > 0) return kExitInvalid;
  if (outcome.unknown > 0) return kExitUnknown;
  return kExitValid;
}

std::string SuiteJunitXml(const SuiteOutcome& outcome, const std::string& suite_name) {
  std::vector<report::JunitSuite> suites;
  for (const ScenarioOutcome& o : outcome.scenarios) {
    suites.push_back(
        ScenarioJunitSuite(o, suite_name + "/" + o.name, "lockharness.scenarios." + o.name));
  }
  return report::JunitXml(suites);
}

report::JunitCase SkippedExpectation(const std::string& classname, const std::string& message) {
  report::JunitCase skipped;
  skipped.name = "expectation";
  skipped.classname = classname;
  skipped.result = report::JunitResult::kSkipped;
  skipped.message = message;
  return skipped;
}

report::JunitSuite ScenarioJunitSuite(const ScenarioOutcome& o, const std::string& suite_name,
                                      const std::string& classname) {
  report::JunitSuite suite;
  suite.name = suite_name;
  suite.seconds = o.result.seconds;
  suite.properties = {{"seed", std::to_string(o.seed)},
                      {"file", o.file.string()},
                      {"run_dir", o.run_dir.string()},
                      {"expected", o.expected}};
  if (!o.expected_checker.empty()) {
    suite.properties.push_back({"expected_checker", o.expected_checker});
  }
  if (!o.substitution.empty()) suite.properties.push_back({"substitution", o.substitution});
  if (o.status == ScenarioStatus::kNotApplicable) {
    suite.properties.push_back({"not_applicable", o.not_applicable});
    suite.cases.push_back(SkippedExpectation(classname, "not applicable: " + o.not_applicable));
    return suite;
  }
  if (!o.result.crash_summary.empty()) {
    suite.properties.push_back({"crash", o.result.crash_summary});
  }
  if (!o.result.replay.empty()) suite.properties.push_back({"replay", o.result.replay});
  report::JunitCase expectation;
  expectation.name = "expectation";
  expectation.classname = classname;
  expectation.seconds = o.result.seconds;
  const std::string got =
      o.result.judged ? std::string(VerdictName(o.result.verdict)) : "not judged";
  expectation.message = "verdict " + got + ", expected " + o.expected +
                        (o.expected_checker.empty() ? "" : " from " + o.expected_checker) +
                        (o.result.reason.empty() ? "" : ": " + o.result.reason);
  expectation.result = o.status == ScenarioStatus::kPass   ? report::JunitResult::kPass
                       : o.status == ScenarioStatus::kFail ? report::JunitResult::kFailure
                                                           : report::JunitResult::kError;
  suite.cases.push_back(expectation);
  for (const CheckerReport& finding : o.result.findings) {
    report::JunitCase c;
    c.name = finding.checker;
    c.classname = classname;
    c.message = finding.summary;
    for (const std::string& line : finding.evidence) c.text += line + "\n";
    // A checker's verdict is reported as such only where it is the
    // expected one: in a scenario expecting "invalid", the violation is
    // the point, so the case passes.
    const bool expected_invalid = o.expected == "invalid";
    c.result = finding.verdict == Verdict::kInvalid && expected_invalid
                   ? report::JunitResult::kPass
                   : report::JunitResultFor(finding.verdict);
    suite.cases.push_back(std::move(c));
  }
  return suite;
}

}  // namespace lockharness::harness::cli
