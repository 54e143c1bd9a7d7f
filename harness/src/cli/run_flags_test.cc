// The `run` flags and the replay line: every checked-in scenario's replay
// line, parsed by the command-line parser `lockharness` uses, gives back
// the scenario's configuration; and the flags' errors.

#include "src/cli/run_flags.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/report/run_report.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/scenario/scenario.h"
#include "src/cli/suite_runner.h"

namespace lockharness::harness::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Field by field, written out (not through the codec), so that a field the
// codec forgot shows up here. Add new RunOptions fields.
void ExpectSameConfiguration(const runner::RunOptions& a, const runner::RunOptions& b,
                             const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.impl, b.impl);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.writers, b.writers);
  EXPECT_EQ(a.ops_per_writer, b.ops_per_writer);
  EXPECT_EQ(a.readers, b.readers);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.op_timeout_ms, b.op_timeout_ms);
  EXPECT_EQ(a.takeover_bound_ms, b.takeover_bound_ms);
  EXPECT_EQ(runner::FormatOpMix(a.mix), runner::FormatOpMix(b.mix));
  EXPECT_EQ(a.value_bytes, b.value_bytes);
  EXPECT_EQ(a.reader_interval_us, b.reader_interval_us);
  ASSERT_EQ(a.nemeses.size(), b.nemeses.size());
  for (size_t i = 0; i < a.nemeses.size(); ++i) {
    EXPECT_EQ(a.nemeses[i].kind, b.nemeses[i].kind) << i;
    EXPECT_EQ(a.nemeses[i].start_ms, b.nemeses[i].start_ms) << i;
    EXPECT_EQ(a.nemeses[i].interval_ms, b.nemeses[i].interval_ms) << i;
    EXPECT_EQ(a.nemeses[i].jitter_ms, b.nemeses[i].jitter_ms) << i;
    EXPECT_EQ(a.nemeses[i].count, b.nemeses[i].count) << i;
    EXPECT_EQ(a.nemeses[i].duration_ms, b.nemeses[i].duration_ms) << i;
    EXPECT_EQ(a.nemeses[i].shift_ms, b.nemeses[i].shift_ms) << i;
  }
  ASSERT_EQ(a.setup.size(), b.setup.size());
  for (size_t i = 0; i < a.setup.size(); ++i) {
    EXPECT_EQ(a.setup[i].kind, b.setup[i].kind) << i;
    EXPECT_EQ(a.setup[i].age_ms, b.setup[i].age_ms) << i;
    EXPECT_EQ(a.setup[i].count, b.setup[i].count) << i;
  }
  EXPECT_EQ(a.fleet, b.fleet);
  EXPECT_EQ(a.env, b.env);
  EXPECT_EQ(a.stale_ms, b.stale_ms);
  EXPECT_EQ(a.interposer_faults, b.interposer_faults);
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.observe, b.observe);
  EXPECT_EQ(a.lock_path, b.lock_path);
  EXPECT_EQ(a.lock_convention, b.lock_convention);
  EXPECT_EQ(a.placement, b.placement);
  EXPECT_EQ(a.run_timeout_ms, b.run_timeout_ms);
}

// The replay line of run.json, split as a shell would, parsed as argv.
runner::RunOptions ParseReplay(const std::string& replay) {
  std::string error;
  auto words = runner::SplitCommandTemplate(replay, &error);
  EXPECT_TRUE(words) << error << ": " << replay;
  if (!words) return {};
  EXPECT_EQ(words->at(0), "lockharness");
  words->erase(words->begin());
  auto parsed = ParseRunArguments(*words, &error);
  EXPECT_TRUE(parsed) << error << ": " << replay;
  return parsed.value_or(runner::RunOptions{});
}

TEST(ReplayLine, EveryScenarioFileReplaysToTheSameConfiguration) {
  int checked = 0;
  int with_faults = 0;
  for (const char* suite : {"smoke", "full", "soak"}) {
    const fs::path dir = fs::path(LOCKHARNESS_SOURCE_DIR) / "scenarios" / suite;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".toml" || entry.path().filename() == "suite.toml") {
        continue;
      }
      std::string error;
      auto s = scenario::LoadScenario(entry.path(), &error);
      ASSERT_TRUE(s) << error;
      // A name with a space and a quote: the replay line must quote it.
      ApplyCommandLine("lockreg --file {registry} --label \"it's\"", std::nullopt, "", &*s);
      const nlohmann::json config = runner::RunConfigJson(s->run, "2026-01-01T00:00:00Z");
      const std::string replay = runner::ReplayCommand(config);
      ExpectSameConfiguration(s->run, ParseReplay(replay), entry.path().string() + ": " + replay);
      ++checked;
      if (!s->run.nemeses.empty() || !s->run.setup.empty() || !s->run.interposer_faults.empty()) {
        ++with_faults;
      }
    }
  }
  EXPECT_GE(checked, 40);
  EXPECT_GE(with_faults, 15);
}

TEST(ReplayLine, CarriesEveryKindOfOption) {
  runner::RunOptions o;
  o.impl = "my impl {registry}";
  o.seed = 99;
  runner::NemesisSpec kill;
  kill.start_ms = 20;
  kill.interval_ms = 100;
  kill.count = 5;
  o.nemeses = {kill};
  runner::SetupSpec dead;
  dead.age_ms = 60000;
  o.setup = {dead};
  o.interposer_faults = "lh/rename/registry=kill,once";
  o.trace = true;
  o.stale_ms = 1000;
  o.fleet = {"a {registry}", "b {registry}"};
  o.env = {"TZ=UTC"};
  o.reader_interval_us = 50;
  o.run_timeout_ms = 40000;
  o.value_bytes = 500;
  o.observe = false;
  o.lock_path = "state.lock";
  o.lock_convention = "o-excl";
  o.placement = runner::Placement::kHost;
  const std::string replay = runner::ReplayCommand(runner::RunConfigJson(o, "now"));
  for (const char* flag :
       {"--nemesis kill-holder:count=5,interval_ms=100,jitter_ms=0,start_ms=20",
        "--setup dead-owner-lock:age_ms=60000", "--faults lh/rename/registry=kill,once", "--trace",
        "--stale-ms 1000", "--fleet 'a {registry}' --fleet 'b {registry}'", "--env TZ=UTC",
        "--reader-interval-us 50", "--run-timeout-ms 40000", "--value-bytes 500", "--no-observe",
        "--lock-path state.lock", "--lock-convention o-excl", "--placement host", "--seed 99"}) {
    EXPECT_THAT(replay, HasSubstr(flag));
  }
  ExpectSameConfiguration(o, ParseReplay(replay), replay);
}

TEST(ReplayLine, AReadBackRunJsonWithAnUnknownKeyHasNoReplay) {
  nlohmann::json config = runner::RunConfigJson(runner::RunOptions{}, "now");
  config["nemesis"] = nlohmann::json::array();
  EXPECT_THAT(runner::ReplayCommand(config),
              StartsWith("(no replay line: run.json: unknown key 'nemesis'"));
}

std::string ErrorOf(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"run", "--impl", "x {registry}"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string error;
  EXPECT_FALSE(ParseRunArguments(argv, &error));
  return error;
}

TEST(RunFlags, NemesisFlagErrorsNameTheFlagAndTheKey) {
  EXPECT_EQ(ErrorOf({"--nemesis", "kill-holder:count=2000000"}),
            "--nemesis #1 count must be an integer from 0 to 1000000, got 2000000 "
            "(--nemesis 'kill-holder:count=2000000')");
  EXPECT_EQ(ErrorOf({"--nemesis", "kill-holder", "--nemesis", "pause-holder"}),
            "--nemesis #2: missing key 'duration_ms' (required for pause-holder) "
            "(--nemesis 'pause-holder')");
  EXPECT_EQ(ErrorOf({"--nemesis", "kill-holder:shift_ms=5"}),
            "--nemesis #1 shift_ms applies only to backdate-lock, not kill-holder "
            "(--nemesis 'kill-holder:shift_ms=5')");
  EXPECT_EQ(ErrorOf({"--nemesis", "backdate-lock:shift_ms=0"}),
            "--nemesis #1 shift_ms must not be 0 (negative: into the past) "
            "(--nemesis 'backdate-lock:shift_ms=0')");
  EXPECT_THAT(ErrorOf({"--nemesis", "kill-everyone"}),
              StartsWith("--nemesis #1 kind must be 'kill-holder', 'pause-holder', "));
  EXPECT_THAT(ErrorOf({"--nemesis", "kill-holder:bogus=1"}),
              StartsWith("unknown key 'bogus' in --nemesis #1 (known: kind, start_ms,"));
  EXPECT_EQ(ErrorOf({"--nemesis", "kill-holder:count"}),
            "bad --nemesis 'kill-holder:count': 'count' is not KEY=VALUE");
  EXPECT_EQ(ErrorOf({"--nemesis", "kill-holder:count=many"}),
            "bad --nemesis 'kill-holder:count=many': count: 'many' is not an integer");
}

TEST(RunFlags, SetupFlagErrors) {
  EXPECT_EQ(ErrorOf({"--setup", "stale-temp-files:count=1001"}),
            "--setup #1 count must be an integer from 1 to 1000, got 1001 "
            "(--setup 'stale-temp-files:count=1001')");
  EXPECT_EQ(ErrorOf({"--setup", "dead-owner-lock:count=2"}),
            "--setup #1 count applies only to stale-temp-files, not dead-owner-lock "
            "(--setup 'dead-owner-lock:count=2')");
  EXPECT_THAT(ErrorOf({"--setup", "haunted-lock"}),
              StartsWith("--setup #1 kind must be 'dead-owner-lock', "));
  EXPECT_EQ(ErrorOf({"--setup", "ownerless-lock:age_ms=-1"}),
            "--setup #1 age_ms must be an integer from 0 to 31536000000, got -1 "
            "(--setup 'ownerless-lock:age_ms=-1')");
}

TEST(RunFlags, ParsesNemesisAndSetupFlags) {
  std::string error;
  auto o = ParseRunArguments(
      {"run", "--impl", "x {registry}", "--nemesis", "pause-holder:start_ms=5,duration_ms=100",
       "--setup", "stale-temp-files:count=3,age_ms=10", "--fleet", "{impl}"},
      &error);
  ASSERT_TRUE(o) << error;
  ASSERT_EQ(o->nemeses.size(), 1u);
  EXPECT_EQ(o->nemeses[0].kind, runner::NemesisKind::kPauseHolder);
  EXPECT_EQ(o->nemeses[0].start_ms, 5);
  EXPECT_EQ(o->nemeses[0].duration_ms, 100);
  ASSERT_EQ(o->setup.size(), 1u);
  EXPECT_EQ(o->setup[0].count, 3);
  EXPECT_EQ(o->setup[0].age_ms, 10);
  EXPECT_EQ(o->fleet, std::vector<std::string>{"x {registry}"});
}

TEST(RunFlags, ScalarFlagsUseTheCodecLimits) {
  EXPECT_EQ(ErrorOf({"--writers", "0"}), "--writers must be an integer from 1 to 1024, got 0");
  EXPECT_EQ(ErrorOf({"--writers", "two"}), "--writers: 'two' is not an integer");
  EXPECT_EQ(ErrorOf({"--mode", "threads"}), "--mode must be 'per-op' or 'worker', got 'threads'");
  EXPECT_THAT(ErrorOf({"--mix", "1,2"}), StartsWith("--mix: "));
  EXPECT_THAT(ErrorOf({"--env", "LD_PRELOAD=x"}), StartsWith("--env LD_PRELOAD is reserved"));
  EXPECT_THAT(ErrorOf({"--faults", "lh/rename/registry=explode"}), StartsWith("--faults: "));
  EXPECT_EQ(ErrorOf({"--seed", "-3"}), "--seed: '-3' is not an integer >= 0");
}

}  // namespace
}  // namespace lockharness::harness::cli
