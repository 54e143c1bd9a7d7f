// lockharness: runs an implementation of the lock-and-rename registry
// protocol under a seeded concurrent workload and judges the history.
//
//   lockharness run --impl 'lockreg --file {registry}' --writers 16 --ops 200
//                   [--mode per-op|worker] [--readers K] [--seed S]
//                   [--out DIR] [--op-timeout-ms T]
//   lockharness check DIR
//
// Exit codes: 0 all checkers valid, 1 some checker found a violation,
// 2 unknown verdict or harness error (bad flags, implementation not
// runnable, unreadable input, interrupted), with a one-line reason.

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"
#include "lockharness/harness/runner/report.h"
#include "lockharness/harness/runner/run.h"
#include "lockharness/harness/runner/signals.h"
#include "lockharness/harness/runner/workload.h"
#include "src/cli/fault_flags.h"

namespace {

namespace fs = std::filesystem;
namespace lh = lockharness::harness;
namespace runner = lockharness::harness::runner;

constexpr int kExitValid = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUnknown = 2;

int Fail(const std::string& reason) {
  std::cerr << "lockharness: " << reason << "\n";
  return kExitUnknown;
}

int ExitCodeFor(lh::Verdict verdict) {
  switch (verdict) {
    case lh::Verdict::kValid: return kExitValid;
    case lh::Verdict::kInvalid: return kExitInvalid;
    case lh::Verdict::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

std::string DefaultOutDir(uint64_t seed) {
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return "runs/" + std::string(stamp) + "-" + std::to_string(seed);
}

// Progress on stderr: a redrawn bar on a terminal, a line per 10% otherwise.
class Progress {
 public:
  Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}
  void Update(int64_t done, int64_t total) {
    if (total <= 0) return;
    const int percent = static_cast<int>(done * 100 / total);
    if (tty_) {
      constexpr int kWidth = 40;
      const int filled = percent * kWidth / 100;
      std::fprintf(stderr, "\r[%s%s] %3d%% %lld/%lld ops", std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, ' ').c_str(), percent,
                   static_cast<long long>(done), static_cast<long long>(total));
      dirty_ = true;
    } else if (percent / 10 > last_decile_) {
      last_decile_ = percent / 10;
      std::fprintf(stderr, "lockharness: %d%% (%lld/%lld ops)\n", last_decile_ * 10,
                   static_cast<long long>(done), static_cast<long long>(total));
    }
  }
  void Finish() {
    if (dirty_) std::fputc('\n', stderr);
    dirty_ = false;
  }

 private:
  bool tty_;
  bool dirty_ = false;
  int last_decile_ = 0;
};

std::optional<nlohmann::json> ReadJsonFile(const fs::path& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path.string();
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = path.string() + ": not a JSON object";
    return std::nullopt;
  }
  return j;
}

// Judges the run directory; writes the report files (results.json,
// report.txt, junit.xml, timeline.html); prints the text.
// An interrupted or otherwise incomplete run is at best "unknown".
int JudgeRunDirectory(const fs::path& dir, const nlohmann::json& run_notes,
                      bool complete) {
  std::string error;
  std::optional<lh::RunArtifacts> artifacts = lh::LoadRunDirectory(dir, &error);
  if (!artifacts) return Fail("cannot load run directory: " + error);
  auto config = ReadJsonFile(dir / "run.json", &error);
  if (!config) return Fail(error);
  const std::vector<lh::CheckerReport> findings = lh::CheckAll(*artifacts);
  lh::Verdict verdict = lh::Overall(findings);
  if (!complete && verdict == lh::Verdict::kValid) verdict = lh::Verdict::kUnknown;
  const nlohmann::json report =
      runner::BuildReport(*config, artifacts->history, findings, verdict, run_notes);
  if (!runner::WriteReportFiles(dir, report, &artifacts->history, &error)) {
    return Fail(error);
  }
  std::cout << runner::FormatReportText(report) << std::flush;
  if (verdict == lh::Verdict::kUnknown) {
    // Say which checkers could not decide, and why, on the one line.
    std::string reason = "verdict unknown";
    if (!complete && run_notes.contains("reason")) {
      reason = run_notes["reason"].get<std::string>();
    } else {
      for (const lh::CheckerReport& finding : findings) {
        if (finding.verdict != lh::Verdict::kUnknown) continue;
        reason += (reason == "verdict unknown" ? ": " : "; ") + finding.checker + ": " +
                  finding.summary;
      }
    }
    std::cerr << "lockharness: " << reason << "\n";
  }
  return ExitCodeFor(verdict);
}

int RunCommand(runner::RunOptions options, bool seed_given,
               const std::string& mix_text) {
  if (!seed_given) options.seed = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
  std::string error;
  auto mix = runner::ParseOpMix(mix_text, &error);
  if (!mix) return Fail("bad --mix: " + error);
  options.mix = *mix;
  if (options.out_dir.empty()) options.out_dir = DefaultOutDir(options.seed);
  runner::InstallTerminationHandlers();
  std::cerr << "lockharness: seed " << options.seed << ", run directory "
            << options.out_dir.string() << "\n";

  Progress progress;
  options.progress = [&progress](int64_t done, int64_t total) {
    progress.Update(done, total);
  };
  const runner::RunOutcome outcome = runner::ExecuteRun(options);
  progress.Finish();
  const nlohmann::json notes = outcome.ToJson();
  using Status = runner::RunOutcome::Status;
  if (outcome.status == Status::kNotRunnable || outcome.status == Status::kHarnessError) {
    // Judge nothing: the failure is the harness's or the command's, not a
    // protocol violation. Leave a report if the directory was set up.
    if (auto config = ReadJsonFile(options.out_dir / "run.json", &error)) {
      const nlohmann::json report =
          runner::BuildUnjudgedReport(*config, notes, outcome.reason);
      runner::WriteReportFiles(options.out_dir, report, nullptr, &error);
    }
    return Fail(outcome.reason);
  }
  return JudgeRunDirectory(options.out_dir, notes,
                           outcome.status == Status::kCompleted);
}

int CheckCommand(const fs::path& dir) {
  // Keep what only the run knew (reader sample counts, interrupts).
  nlohmann::json notes;
  std::string ignored;
  bool complete = true;
  // (report.json: the name in run directories of earlier versions.)
  auto previous = ReadJsonFile(dir / "results.json", &ignored);
  if (!previous) previous = ReadJsonFile(dir / "report.json", &ignored);
  if (previous) {
    if (previous->contains("run")) {
      notes = (*previous)["run"];
      const auto status = notes.find("status");
      complete = status == notes.end() || *status == "completed";
    }
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Fail("not a run directory: " + dir.string());
  return JudgeRunDirectory(dir, notes, complete);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lockharness: verifies implementations of the lock-and-rename "
               "registry protocol"};
  app.require_subcommand(1);

  runner::RunOptions options;
  std::string mode = "per-op";
  std::string mix_text = "40,35,10,15";
  std::string out_dir;
  CLI::App* run = app.add_subcommand("run", "run an implementation under a workload and judge it");
  run->add_option("--impl", options.impl,
                  "command template, e.g. 'lockreg --file {registry}' (no shell)")
      ->required();
  run->add_option("--mode", mode, "per-op (one process per operation) or worker")
      ->check(CLI::IsMember({"per-op", "worker"}));
  run->add_option("--writers", options.writers, "concurrent writers")
      ->check(CLI::Range(1, 1024));
  run->add_option("--ops", options.ops_per_writer, "operations per writer")
      ->check(CLI::Range(1, 1000000));
  run->add_option("--readers", options.readers, "reader threads sampling the file")
      ->check(CLI::Range(0, 64));
  CLI::Option* seed = run->add_option("--seed", options.seed, "workload seed (random if absent)");
  run->add_option("--out", out_dir, "run directory (absent or empty)");
  run->add_option("--op-timeout-ms", options.op_timeout_ms,
                  "kill an operation (its process group) after this long")
      ->check(CLI::Range(int64_t{1}, int64_t{3600000}));
  run->add_option("--takeover-bound-ms", options.takeover_bound_ms,
                  "how fast a dead holder's lock must be taken over")
      ->check(CLI::Range(int64_t{1}, int64_t{3600000}));
  run->add_option("--mix", mix_text,
                  "weights register,update,remove,set-default[,get]");
  run->add_option("--value-bytes", options.value_bytes,
                  "pad field values to this length (bigger file)")
      ->check(CLI::Range(0, 1 << 20));
  run->add_option("--reader-interval-us", options.reader_interval_us,
                  "pause between reader samples")
      ->check(CLI::Range(0, 1000000));

  std::vector<std::string> nemesis_flags;
  std::vector<std::string> setup_flags;
  run->add_option("--nemesis", nemesis_flags,
                  "fault during the run, repeatable: KIND[:key=value,...] "
                  "(kill-holder, pause-holder, kill-writer, steal-lock, backdate-lock)");
  run->add_option("--setup", setup_flags,
                  "forged state before the run, repeatable: KIND[:key=value,...] "
                  "(dead-owner-lock, recycled-pid-lock, corrupt-registry, ...)");
  run->add_option("--faults", options.interposer_faults,
                  "interposer fault specs, e.g. 'lh/rename/registry=errno:EIO,prob:0.2'");
  run->add_flag("--trace", options.trace, "record a file-system trace (trace.jsonl)");
  run->add_option("--stale-ms", options.stale_ms,
                  "passed to the implementation as LOCKHARNESS_STALE_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}));
  run->add_option("--fleet", options.fleet,
                  "mixed fleet, repeatable: writer w runs the (w mod n)-th template; "
                  "{impl} stands for --impl");
  run->add_option("--env", options.env, "KEY=VALUE for the implementation, repeatable");
  run->add_option("--run-timeout-ms", options.run_timeout_ms,
                  "stop the whole run after this long (verdict unknown)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}));

  std::string check_dir;
  CLI::App* check = app.add_subcommand("check", "re-run the checkers on a saved run directory");
  check->add_option("dir", check_dir, "run directory")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return Fail(e.what());
  }

  try {
    if (run->parsed()) {
      options.mode = mode == "worker" ? runner::Mode::kWorker : runner::Mode::kPerOp;
      options.out_dir = out_dir;
      std::string error;
      for (const std::string& flag : nemesis_flags) {
        auto spec = lockharness::harness::cli::ParseNemesisFlag(flag, &error);
        if (!spec) return Fail("bad --nemesis '" + flag + "': " + error);
        options.nemeses.push_back(*spec);
      }
      for (const std::string& flag : setup_flags) {
        auto spec = lockharness::harness::cli::ParseSetupFlag(flag, &error);
        if (!spec) return Fail("bad --setup '" + flag + "': " + error);
        options.setup.push_back(*spec);
      }
      for (std::string& member : options.fleet) {
        if (member == "{impl}") member = options.impl;
      }
      return RunCommand(std::move(options), seed->count() > 0, mix_text);
    }
    return CheckCommand(check_dir);
  } catch (const std::exception& e) {
    // Malformed input files end here rather than in std::terminate.
    return Fail(std::string("internal error: ") + e.what());
  }
}
