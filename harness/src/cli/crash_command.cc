// The `lockharness crash` subcommand (crash_command.h).

#include "src/cli/crash_command.h"

#include "lockharness/harness/runner/signals.h"
#include "src/cli/common.h"
#include "src/crash/crash_run.h"

namespace lockharness::harness::cli {

struct CrashSubcommand::State {
  CLI::App* command = nullptr;
  crash::CrashOptions options;
  std::string model = "posix";
  std::string out;
  std::string from;
  int crash_point = -1;
  CLI::Option* seed = nullptr;
};

CrashSubcommand::CrashSubcommand(CLI::App& app) : state_(std::make_unique<State>()) {
  State& s = *state_;
  crash::CrashOptions& o = s.options;
  s.command = app.add_subcommand(
      "crash",
      "power-loss testing: record a run, crash it under a persistence model, recover, check");
  s.command->add_option("--impl", o.impl,
                        "per-op command template, e.g. 'lockreg --file {registry}' (no shell)");
  s.command->add_option("--model", s.model, "persistence model")
      ->check(CLI::IsMember(crash::ModelNames()))
      ->capture_default_str();
  s.command->add_option("--writers", o.writers, "writer processes")
      ->check(CLI::Range(1, crash::kMaxCrashWriters))
      ->capture_default_str();
  s.command->add_option("--ops", o.ops_per_writer, "operations per writer")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  s.command->add_option("--states", o.states, "crash-state budget of the whole run")
      ->check(CLI::Range(int64_t{1}, crash::kMaxCrashStates))
      ->capture_default_str();
  s.seed = s.command->add_option("--seed", o.seed, "seed of the workload and every sampler");
  s.command->add_option("--out", s.out, "output directory (absent or empty)");
  s.command
      ->add_option("--recover-states", o.recover_states,
                   "distinct states the implementation recovers (0: skip recovery)")
      ->check(CLI::Range(int64_t{0}, crash::kMaxRecoverStates))
      ->capture_default_str();
  s.command
      ->add_option("--takeover-bound-ms", o.takeover_bound_ms,
                   "a recovering register must succeed within this")
      ->capture_default_str();
  s.command
      ->add_option("--stale-ms", o.stale_ms,
                   "LOCKHARNESS_STALE_MS for the recorded workload (the recovery after the "
                   "reboot runs with 0)")
      ->capture_default_str();
  s.command
      ->add_option("--max-record-bytes", o.max_record_bytes,
                   "bound of the crash record; a larger run is unknown")
      ->capture_default_str();
  s.command->add_option("--from", s.from,
                        "re-judge the record of an earlier crash output directory (no workload)");
  s.command->add_option("--crash-point", s.crash_point, "only this crash point (a call index)");
}

CrashSubcommand::~CrashSubcommand() = default;

bool CrashSubcommand::parsed() const { return state_->command->parsed(); }

int CrashSubcommand::Run() {
  State& s = *state_;
  crash::CrashOptions& o = s.options;
  o.model = *crash::ParseModel(s.model);
  o.from = s.from;
  if (o.from.empty() && o.impl.empty()) return Fail("crash: --impl or --from is required");
  if (!o.from.empty() && !o.impl.empty())
    return Fail("crash: --impl and --from exclude each other");
  if (s.crash_point >= 0) o.crash_point = s.crash_point;
  if (s.seed->count() == 0) o.seed = RandomSeed();
  if (s.out.empty()) s.out = DefaultOutDir(o.seed) + "-crash-" + s.model;
  o.out_dir = s.out;
  runner::InstallTerminationHandlers();
  return crash::CrashCommand(o);
}

}  // namespace lockharness::harness::cli
