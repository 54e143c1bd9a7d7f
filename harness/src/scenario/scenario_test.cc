#include "lockharness/harness/scenario/scenario.h"

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/crash/crash_run.h"

namespace lockharness::harness::scenario {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::optional<Scenario> Parse(const std::string& text, std::string* error) {
  return ParseScenario(text, "scenarios/smoke/x.toml", error);
}

// The error for `text`, which must not load.
std::string ErrorOf(const std::string& text) {
  std::string error;
  std::optional<Scenario> s = Parse(text, &error);
  EXPECT_FALSE(s.has_value()) << text;
  EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
  return error;
}

TEST(ParseScenario, EmptyFileGivesRunOptionsDefaults) {
  std::string error;
  std::optional<Scenario> s = Parse("", &error);
  ASSERT_TRUE(s.has_value()) << error;
  const runner::RunOptions defaults;
  EXPECT_EQ(s->name, "x");
  EXPECT_EQ(s->file, "scenarios/smoke/x.toml");
  EXPECT_EQ(s->expect, Scenario::Expect::kValid);
  EXPECT_FALSE(s->expect_lint_clean);
  EXPECT_FALSE(s->seed_set);
  EXPECT_EQ(s->run.impl, "");
  EXPECT_TRUE(s->run.out_dir.empty());
  EXPECT_EQ(s->run.writers, defaults.writers);
  EXPECT_EQ(s->run.ops_per_writer, defaults.ops_per_writer);
  EXPECT_EQ(s->run.seed, defaults.seed);
  EXPECT_EQ(s->run.op_timeout_ms, defaults.op_timeout_ms);
  EXPECT_TRUE(s->run.nemeses.empty());
  EXPECT_TRUE(s->run.setup.empty());
  EXPECT_EQ(PlannedOps(*s), int64_t{defaults.writers} * defaults.ops_per_writer);
}

TEST(ParseScenario, ReadsEveryKey) {
  const std::string text = R"(
name = "everything"
description = "all keys"
expect = "invalid"
expect_lint = "clean"
[workload]
mode = "worker"
writers = 16
ops = 20
readers = 2
mix = "40,35,10,15,5"
value_bytes = 300
seed = 12345678901
reader_interval_us = 250
fleet = ["{impl}", "lockreg --file {registry}"]
[limits]
op_timeout_ms = 20000
takeover_bound_ms = 7000
stale_ms = 500
run_timeout_ms = 60000
[env]
TZ = "UTC"
MY_VAR = "a=b"
[interposer]
faults = "lh/rename/registry=errno:EIO,prob:0.2"
trace = true
[[nemesis]]
kind = "pause-holder"
start_ms = 100
interval_ms = 700
jitter_ms = 50
count = 3
duration_ms = 1500
[[nemesis]]
kind = "backdate-lock"
shift_ms = -600000
[[setup]]
kind = "stale-temp-files"
age_ms = 1000
count = 5
[[setup]]
kind = "corrupt-registry"
)";
  std::string error;
  std::optional<Scenario> s = Parse(text, &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->name, "everything");
  EXPECT_EQ(s->description, "all keys");
  EXPECT_EQ(s->expect, Scenario::Expect::kInvalid);
  EXPECT_TRUE(s->expect_lint_clean);
  const runner::RunOptions& run = s->run;
  EXPECT_EQ(run.mode, runner::Mode::kWorker);
  EXPECT_EQ(run.writers, 16);
  EXPECT_EQ(run.ops_per_writer, 20);
  EXPECT_EQ(run.readers, 2);
  EXPECT_EQ(run.mix.get_weight, 5);
  EXPECT_EQ(run.mix.remove_weight, 10);
  EXPECT_EQ(run.value_bytes, 300);
  EXPECT_EQ(run.seed, 12345678901u);
  EXPECT_TRUE(s->seed_set);
  EXPECT_EQ(run.reader_interval_us, 250);
  EXPECT_EQ(run.fleet, (std::vector<std::string>{"{impl}", "lockreg --file {registry}"}));
  EXPECT_EQ(run.op_timeout_ms, 20000);
  EXPECT_EQ(run.takeover_bound_ms, 7000);
  EXPECT_EQ(run.stale_ms, 500);
  EXPECT_EQ(run.run_timeout_ms, 60000);
  EXPECT_EQ(run.env, (std::vector<std::string>{"MY_VAR=a=b", "TZ=UTC"}));
  EXPECT_EQ(run.interposer_faults, "lh/rename/registry=errno:EIO,prob:0.2");
  EXPECT_TRUE(run.trace);
  ASSERT_EQ(run.nemeses.size(), 2u);
  EXPECT_EQ(run.nemeses[0].kind, runner::NemesisKind::kPauseHolder);
  EXPECT_EQ(run.nemeses[0].start_ms, 100);
  EXPECT_EQ(run.nemeses[0].interval_ms, 700);
  EXPECT_EQ(run.nemeses[0].jitter_ms, 50);
  EXPECT_EQ(run.nemeses[0].count, 3);
  EXPECT_EQ(run.nemeses[0].duration_ms, 1500);
  EXPECT_EQ(run.nemeses[1].kind, runner::NemesisKind::kBackdateLock);
  EXPECT_EQ(run.nemeses[1].shift_ms, -600000);
  EXPECT_EQ(run.nemeses[1].interval_ms, runner::NemesisSpec{}.interval_ms);
  ASSERT_EQ(run.setup.size(), 2u);
  EXPECT_EQ(run.setup[0].kind, runner::SetupKind::kStaleTempFiles);
  EXPECT_EQ(run.setup[0].age_ms, 1000);
  EXPECT_EQ(run.setup[0].count, 5);
  EXPECT_EQ(run.setup[1].kind, runner::SetupKind::kCorruptRegistry);
  EXPECT_EQ(run.setup[1].count, 1);
  EXPECT_EQ(PlannedOps(*s), 320);
}

TEST(ParseScenario, UnknownKeyNamesKeyTableAndKnownKeys) {
  EXPECT_EQ(ErrorOf("[workload]\nwriters = 2\n\n\n\n\nwriter = 3\n"),
            "scenarios/smoke/x.toml:7:1: unknown key 'writer' in [workload] "
            "(known: mode, writers, ops, readers, mix, value_bytes, "
            "reader_interval_us, fleet, placement, seed)");
}

TEST(ParseScenario, UnknownTopLevelKeyAndTable) {
  EXPECT_THAT(ErrorOf("nmae = \"x\"\n"),
              StartsWith("scenarios/smoke/x.toml:1:1: unknown key 'nmae' (known: name,"));
  EXPECT_THAT(ErrorOf("[workloads]\nwriters = 2\n"),
              StartsWith("scenarios/smoke/x.toml:1:2: unknown table [workloads] (known:"));
}

TEST(ParseScenario, OutOfRangeNamesKeyRangeAndValue) {
  EXPECT_EQ(ErrorOf("[workload]\n\n\n\n\n\n\n\nwriters = 0\n"),
            "scenarios/smoke/x.toml:9:11: [workload] writers must be an "
            "integer from 1 to 1024, got 0");
  EXPECT_EQ(ErrorOf("[workload]\nwriters = 1025\n"),
            "scenarios/smoke/x.toml:2:11: [workload] writers must be an "
            "integer from 1 to 1024, got 1025");
  EXPECT_EQ(ErrorOf("[workload]\nops = 0\n"),
            "scenarios/smoke/x.toml:2:7: [workload] ops must be an integer "
            "from 1 to 1000000, got 0");
  EXPECT_EQ(ErrorOf("[workload]\nseed = -1\n"),
            "scenarios/smoke/x.toml:2:8: [workload] seed must be an integer "
            ">= 0, got -1");
  EXPECT_EQ(ErrorOf("[limits]\nop_timeout_ms = 0\n"),
            "scenarios/smoke/x.toml:2:17: [limits] op_timeout_ms must be an "
            "integer from 1 to 3600000, got 0");
  EXPECT_EQ(ErrorOf("[limits]\nstale_ms = -5\n"),
            "scenarios/smoke/x.toml:2:12: [limits] stale_ms must be an "
            "integer from 0 to 3600000, got -5");
}

TEST(ParseScenario, WrongTypesAreErrors) {
  EXPECT_EQ(ErrorOf("[workload]\nwriters = \"8\"\n"),
            "scenarios/smoke/x.toml:2:11: [workload] writers must be an "
            "integer from 1 to 1024, got a string");
  EXPECT_EQ(ErrorOf("[workload]\nwriters = 2.5\n"),
            "scenarios/smoke/x.toml:2:11: [workload] writers must be an "
            "integer from 1 to 1024, got a float");
  EXPECT_EQ(ErrorOf("name = 3\n"),
            "scenarios/smoke/x.toml:1:8: name must be a string, got an integer");
  EXPECT_EQ(ErrorOf("[interposer]\ntrace = \"yes\"\n"),
            "scenarios/smoke/x.toml:2:9: [interposer] trace must be true or "
            "false, got a string");
  EXPECT_EQ(ErrorOf("workload = 3\n"),
            "scenarios/smoke/x.toml:1:12: workload must be a table [workload], "
            "got an integer");
  EXPECT_EQ(ErrorOf("[nemesis]\nkind = \"kill-holder\"\n"),
            "scenarios/smoke/x.toml:1:1: nemesis must be an array of tables "
            "[[nemesis]], got a table");
  EXPECT_EQ(ErrorOf("[workload]\nfleet = \"{impl}\"\n"),
            "scenarios/smoke/x.toml:2:9: [workload] fleet must be a non-empty "
            "array of strings, got a string");
  EXPECT_EQ(ErrorOf("[workload]\nfleet = []\n"),
            "scenarios/smoke/x.toml:2:9: [workload] fleet must be a non-empty "
            "array of strings, got []");
  EXPECT_EQ(ErrorOf("[workload]\nfleet = [\"{impl}\", 3]\n"),
            "scenarios/smoke/x.toml:2:20: [workload] fleet must be a non-empty "
            "array of strings, got an element that is an integer");
}

TEST(ParseScenario, EnumeratedStrings) {
  EXPECT_EQ(ErrorOf("expect = \"ok\"\n"),
            "scenarios/smoke/x.toml:1:10: expect must be 'valid' or "
            "'invalid', got 'ok'");
  EXPECT_EQ(ErrorOf("expect_lint = \"strict\"\n"),
            "scenarios/smoke/x.toml:1:15: expect_lint must be 'any' or "
            "'clean', got 'strict'");
  EXPECT_EQ(ErrorOf("[workload]\nmode = \"threads\"\n"),
            "scenarios/smoke/x.toml:2:8: [workload] mode must be 'per-op' or "
            "'worker', got 'threads'");
}

TEST(ParseScenario, NameMustBeUsableAsAFileName) {
  EXPECT_EQ(ErrorOf("name = \"a/b\"\n"),
            "scenarios/smoke/x.toml:1:8: name must be 1 to 128 characters of "
            "A-Z a-z 0-9 . _ -, got 'a/b'");
}

TEST(ParseScenario, ExpectCheckerNamesARunCheckerOfAnInvalidExpectation) {
  std::string error;
  std::optional<Scenario> s =
      Parse("expect = \"invalid\"\nexpect_checker = \"lost-update\"\n", &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->expect_checker, "lost-update");
  s = Parse("expect = \"invalid\"\n", &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->expect_checker, "");

  EXPECT_THAT(ErrorOf("expect = \"invalid\"\nexpect_checker = \"lost-updates\"\n"),
              StartsWith("scenarios/smoke/x.toml:2:18: expect_checker must be one of "
                         "'lost-update', 'json-validity', "));
  EXPECT_THAT(ErrorOf("expect = \"invalid\"\nexpect_checker = \"lost-updates\"\n"),
              HasSubstr(", got 'lost-updates'"));
  EXPECT_EQ(ErrorOf("expect_checker = \"progress\"\n"),
            "scenarios/smoke/x.toml:1:18: expect_checker needs expect = \"invalid\"");
  EXPECT_EQ(ErrorOf("expect = \"valid\"\nexpect_checker = \"progress\"\n"),
            "scenarios/smoke/x.toml:2:18: expect_checker needs expect = \"invalid\"");
  EXPECT_EQ(ErrorOf("expect = \"invalid\"\nexpect_checker = [\"progress\"]\n"),
            "scenarios/smoke/x.toml:2:18: expect_checker must be a string, got an array");
}

TEST(ParseScenario, AdapterIsANameAndItsPositionIsKept) {
  std::string error;
  std::optional<Scenario> s = Parse("\n  adapter = \"node-conf\"\n", &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->adapter, "node-conf");
  EXPECT_EQ(s->adapter_line, 2);
  EXPECT_EQ(s->adapter_column, 13);
  s = Parse("", &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->adapter, "");
  EXPECT_EQ(s->adapter_line, 0);

  EXPECT_EQ(ErrorOf("adapter = \"node conf\"\n"),
            "scenarios/smoke/x.toml:1:11: adapter must be a catalog adapter name (1 to 128 "
            "characters of A-Z a-z 0-9 . _ -), got 'node conf'");
  EXPECT_EQ(ErrorOf("adapter = \"\"\n"),
            "scenarios/smoke/x.toml:1:11: adapter must be a catalog adapter name (1 to 128 "
            "characters of A-Z a-z 0-9 . _ -), got ''");
  EXPECT_EQ(ErrorOf("adapter = 7\n"),
            "scenarios/smoke/x.toml:1:11: adapter must be a string, got an integer");
}

TEST(ParseScenario, FleetTemplatesAreSplitLikeTheRunnerDoes) {
  EXPECT_THAT(ErrorOf("[workload]\nfleet = [\"{impl}\", \"lockreg 'unterminated\"]\n"),
              StartsWith("scenarios/smoke/x.toml:2:20: [workload] fleet: command "
                         "template #2: "));
  EXPECT_THAT(ErrorOf("[workload]\nfleet = [\"  \"]\n"),
              StartsWith("scenarios/smoke/x.toml:2:10: [workload] fleet: command "
                         "template #1: "));
}

TEST(ParseScenario, MixUsesTheRunnerParser) {
  EXPECT_THAT(ErrorOf("[workload]\nmix = \"1,2\"\n"),
              StartsWith("scenarios/smoke/x.toml:2:7: [workload] mix: "));
}

TEST(ParseScenario, SyntaxErrorHasTomlPosition) {
  EXPECT_THAT(ErrorOf("[workload]\nwriters = = 3\n"), StartsWith("scenarios/smoke/x.toml:2:"));
  EXPECT_THAT(ErrorOf("[workload]\nwriters = = 3\n"), HasSubstr(": TOML syntax error: "));
  EXPECT_THAT(ErrorOf("[workload]\nwriters = 2\n[workload]\n"),
              StartsWith("scenarios/smoke/x.toml:3:"));
}

TEST(ParseScenario, EnvBecomesKeyValueStrings) {
  EXPECT_EQ(ErrorOf("[env]\nLOCKHARNESS_STALE_MS = \"5\"\n"),
            "scenarios/smoke/x.toml:2:1: [env] LOCKHARNESS_STALE_MS is "
            "reserved (LOCKHARNESS_* and LD_* are set by the harness; use "
            "[limits] or [interposer])");
  EXPECT_THAT(ErrorOf("[env]\nLD_PRELOAD = \"x.so\"\n"),
              StartsWith("scenarios/smoke/x.toml:2:1: [env] LD_PRELOAD is reserved"));
  EXPECT_EQ(ErrorOf("[env]\n\"1X\" = \"a\"\n"),
            "scenarios/smoke/x.toml:2:1: [env] key '1X' is not a variable "
            "name ([A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_EQ(ErrorOf("[env]\nX = 1\n"),
            "scenarios/smoke/x.toml:2:5: [env] X must be a string, got an integer");
}

TEST(ParseScenario, InterposerFaultsAreCheckedWithTheInterposerParser) {
  const std::string error = ErrorOf("[interposer]\nfaults = \"lh/rename/registry=explode\"\n");
  EXPECT_THAT(error, StartsWith("scenarios/smoke/x.toml:2:10: [interposer] faults: "));
  EXPECT_THAT(error, HasSubstr("explode"));
  std::string ok_error;
  EXPECT_TRUE(
      Parse("[interposer]\nfaults = \"lh/mkdir/lock=errno:EACCES,once;"
            "lh/rename/registry=delay:20,prob:0.3\"\n",
            &ok_error))
      << ok_error;
}

TEST(ParseScenario, NemesisNeedsAKnownKind) {
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"kill-holder\"\n[[nemesis]]\nstart_ms = 5\n"),
            "scenarios/smoke/x.toml:3:1: [[nemesis]] #2: missing key 'kind'");
  EXPECT_THAT(ErrorOf("[[nemesis]]\nkind = \"kill-everyone\"\n"),
              StartsWith("scenarios/smoke/x.toml:2:8: [[nemesis]] #1 kind must be "
                         "'kill-holder', 'pause-holder', "));
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"kill-holder\"\nbogus = 1\n"),
            "scenarios/smoke/x.toml:3:1: unknown key 'bogus' in [[nemesis]] #1 "
            "(known: kind, start_ms, interval_ms, jitter_ms, count, "
            "duration_ms, shift_ms)");
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"kill-holder\"\ninterval_ms = 0\n"),
            "scenarios/smoke/x.toml:3:15: [[nemesis]] #1 interval_ms must be "
            "an integer from 1 to 86400000, got 0");
}

TEST(ParseScenario, DurationOnlyForPauseHolder) {
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"pause-holder\"\n"),
            "scenarios/smoke/x.toml:1:1: [[nemesis]] #1: missing key "
            "'duration_ms' (required for pause-holder)");
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"kill-holder\"\nduration_ms = 5\n"),
            "scenarios/smoke/x.toml:3:15: [[nemesis]] #1 duration_ms applies "
            "only to pause-holder, not kill-holder");
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"pause-holder\"\nduration_ms = 0\n"),
            "scenarios/smoke/x.toml:3:15: [[nemesis]] #1 duration_ms must be "
            "an integer from 1 to 86400000, got 0");
}

TEST(ParseScenario, ShiftOnlyForBackdateLockAndNotZero) {
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"backdate-lock\"\n"),
            "scenarios/smoke/x.toml:1:1: [[nemesis]] #1: missing key "
            "'shift_ms' (required for backdate-lock)");
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"backdate-lock\"\nshift_ms = 0\n"),
            "scenarios/smoke/x.toml:3:12: [[nemesis]] #1 shift_ms must not be "
            "0 (negative: into the past)");
  EXPECT_EQ(ErrorOf("[[nemesis]]\nkind = \"steal-lock\"\nshift_ms = -5\n"),
            "scenarios/smoke/x.toml:3:12: [[nemesis]] #1 shift_ms applies "
            "only to backdate-lock, not steal-lock");
}

TEST(ParseScenario, SetupKindsAndCount) {
  EXPECT_EQ(ErrorOf("[[setup]]\nage_ms = 5\n"),
            "scenarios/smoke/x.toml:1:1: [[setup]] #1: missing key 'kind'");
  EXPECT_THAT(ErrorOf("[[setup]]\nkind = \"haunted-lock\"\n"),
              StartsWith("scenarios/smoke/x.toml:2:8: [[setup]] #1 kind must be "
                         "'dead-owner-lock', "));
  EXPECT_EQ(ErrorOf("[[setup]]\nkind = \"dead-owner-lock\"\ncount = 2\n"),
            "scenarios/smoke/x.toml:3:9: [[setup]] #1 count applies only to "
            "stale-temp-files, not dead-owner-lock");
  EXPECT_EQ(ErrorOf("[[setup]]\nkind = \"stale-temp-files\"\ncount = 1001\n"),
            "scenarios/smoke/x.toml:3:9: [[setup]] #1 count must be an integer "
            "from 1 to 1000, got 1001");
  EXPECT_EQ(ErrorOf("[[setup]]\nkind = \"ownerless-lock\"\nage_ms = -1\n"),
            "scenarios/smoke/x.toml:3:10: [[setup]] #1 age_ms must be an "
            "integer from 0 to 31536000000, got -1");
}

TEST(ParseScenario, EveryNemesisAndSetupKindLoads) {
  for (const std::string& kind : runner::AllNemesisKindNames()) {
    std::string text = "[[nemesis]]\nkind = \"" + kind + "\"\n";
    if (kind == "pause-holder") text += "duration_ms = 100\n";
    if (kind == "backdate-lock") text += "shift_ms = -1000\n";
    std::string error;
    EXPECT_TRUE(Parse(text, &error).has_value()) << kind << ": " << error;
  }
  for (const std::string& kind : runner::AllSetupKindNames()) {
    std::string error;
    EXPECT_TRUE(Parse("[[setup]]\nkind = \"" + kind + "\"\n", &error).has_value())
        << kind << ": " << error;
  }
}

TEST(ParseScenario, CrashScenarioReadsItsKeys) {
  std::string error;
  std::optional<Scenario> s = Parse(R"(
description = "power loss"
expect = "invalid"
[workload]
writers = 4
ops = 6
seed = 77
[limits]
takeover_bound_ms = 4000
stale_ms = 300
op_timeout_ms = 12000
run_timeout_ms = 30000
[crash]
model = "ext4-ordered"
states = 900
recover_states = 7
)",
                                    &error);
  ASSERT_TRUE(s.has_value()) << error;
  ASSERT_TRUE(s->crash.has_value());
  EXPECT_EQ(s->expect, Scenario::Expect::kInvalid);
  EXPECT_EQ(s->crash->model, "ext4-ordered");
  EXPECT_EQ(s->crash->states, 900);
  EXPECT_EQ(s->crash->recover_states, 7);
  EXPECT_EQ(s->run.mode, runner::Mode::kPerOp);
  EXPECT_EQ(s->run.writers, 4);
  EXPECT_EQ(s->run.ops_per_writer, 6);
  EXPECT_EQ(s->run.seed, 77u);
  EXPECT_TRUE(s->seed_set);
  EXPECT_EQ(s->run.takeover_bound_ms, 4000);
  EXPECT_EQ(s->run.stale_ms, 300);
  EXPECT_EQ(s->run.op_timeout_ms, 12000);
  EXPECT_EQ(s->run.run_timeout_ms, 30000);
  EXPECT_EQ(PlannedOps(*s), 24);
}

TEST(ParseScenario, CrashScenarioDefaultsAreTheCrashCommands) {
  std::string error;
  std::optional<Scenario> s = Parse("[crash]\n", &error);
  ASSERT_TRUE(s.has_value()) << error;
  ASSERT_TRUE(s->crash.has_value());
  const crash::CrashOptions defaults;
  EXPECT_EQ(s->crash->model, crash::ModelName(defaults.model));
  EXPECT_EQ(s->crash->states, defaults.states);
  EXPECT_EQ(s->crash->recover_states, defaults.recover_states);
  EXPECT_EQ(s->run.writers, defaults.writers);
  EXPECT_EQ(s->run.ops_per_writer, defaults.ops_per_writer);
  EXPECT_EQ(s->run.seed, defaults.seed);
  EXPECT_EQ(s->run.takeover_bound_ms, defaults.takeover_bound_ms);
  EXPECT_EQ(s->run.stale_ms, defaults.stale_ms);
  EXPECT_FALSE(Parse("", &error)->crash.has_value());
}

// A known-bug crash scenario names its adapter and the crash checker that
// must find it invalid; a run checker's name is not a crash checker.
TEST(ParseScenario, CrashScenarioNamesItsAdapterAndACrashChecker) {
  std::string error;
  std::optional<Scenario> s = Parse(
      "adapter = \"node-write-file-atomic\"\nexpect = \"invalid\"\n"
      "expect_checker = \"crash-durability\"\n[crash]\n",
      &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->adapter, "node-write-file-atomic");
  EXPECT_EQ(s->expect_checker, "crash-durability");
  EXPECT_EQ(ErrorOf("expect = \"invalid\"\nexpect_checker = \"lost-update\"\n[crash]\n"),
            "scenarios/smoke/x.toml:2:18: expect_checker must be one of 'crash-atomicity', "
            "'crash-durability', 'crash-recovery' or 'crash-no-silent-reset', got 'lost-update'");
  EXPECT_THAT(ErrorOf("expect = \"invalid\"\nexpect_checker = \"crash-durability\"\n"),
              HasSubstr("expect_checker must be one of 'lost-update'"));
}

TEST(ParseScenario, CrashScenarioIsCheckedStrictly) {
  // What a crash run cannot do is an unknown key, with its position.
  EXPECT_EQ(ErrorOf("[crash]\n\n[[nemesis]]\nkind = \"kill-holder\"\n"),
            "scenarios/smoke/x.toml:3:3: unknown key 'nemesis' in a crash scenario "
            "(known: name, description, expect, expect_checker, adapter, workload, limits, "
            "crash)");
  EXPECT_THAT(ErrorOf("expect_lint = \"clean\"\n[crash]\n"),
              StartsWith("scenarios/smoke/x.toml:1:1: unknown key 'expect_lint' in a crash "
                         "scenario"));
  EXPECT_EQ(ErrorOf("[crash]\n[workload]\nmode = \"worker\"\n"),
            "scenarios/smoke/x.toml:3:1: unknown key 'mode' in [workload] of a crash scenario "
            "(known: writers, ops, seed)");
  EXPECT_THAT(ErrorOf("[crash]\n[limits]\nop_timeout = 3\n"),
              StartsWith("scenarios/smoke/x.toml:3:1: unknown key 'op_timeout' in [limits] of a "
                         "crash scenario (known: takeover_bound_ms,"));
  EXPECT_EQ(ErrorOf("[crash]\nmodle = \"posix\"\n"),
            "scenarios/smoke/x.toml:2:1: unknown key 'modle' in [crash] "
            "(known: model, states, recover_states)");
  EXPECT_EQ(ErrorOf("[crash]\nmodel = \"ext3\"\n"),
            "scenarios/smoke/x.toml:2:9: [crash] model must be 'posix', 'ext4-ordered' or "
            "'prefix', got 'ext3'");
  EXPECT_THAT(ErrorOf("[crash]\nmodel = 4\n"),
              StartsWith("scenarios/smoke/x.toml:2:9: [crash] model must be a string"));
  EXPECT_EQ(ErrorOf("[crash]\nstates = 0\n"),
            "scenarios/smoke/x.toml:2:10: [crash] states must be an integer from 1 to "
            "100000000, got 0");
  EXPECT_EQ(ErrorOf("[crash]\nrecover_states = -1\n"),
            "scenarios/smoke/x.toml:2:18: [crash] recover_states must be an integer from 0 to "
            "1000000, got -1");
  EXPECT_EQ(ErrorOf("[crash]\n[workload]\nwriters = 65\n"),
            "scenarios/smoke/x.toml:3:11: [workload] writers of a crash scenario must be at "
            "most 64, got 65");
  // The codec still checks the shared keys.
  EXPECT_EQ(ErrorOf("[crash]\n[workload]\nops = 0\n"),
            "scenarios/smoke/x.toml:3:7: [workload] ops must be an integer from 1 to 1000000, "
            "got 0");
  EXPECT_THAT(ErrorOf("crash = 3\n"), HasSubstr("x.toml:1:9: crash must be a table"));
}

TEST(ParseScenario, ConventionsExpandGroupsOnce) {
  std::string error;
  auto s = Parse("conventions = [\"mkdir\", \"path\", \"flock\"]\n", &error);
  ASSERT_TRUE(s) << error;
  using LC = runner::LockConvention;
  EXPECT_EQ(s->conventions,
            (std::vector<LC>{LC::kMkdir, LC::kOExcl, LC::kLink, LC::kRename, LC::kFlock}));
  auto none = Parse("", &error);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->conventions.empty());
}

TEST(ParseScenario, ConventionsAreCheckedStrictlyWhereWritten) {
  EXPECT_THAT(ErrorOf("conventions = [\"mkdir\",\n  \"fcntl\"]\n"),
              StartsWith("scenarios/smoke/x.toml:2:3: conventions: 'fcntl' is not a lock "
                         "convention (mkdir, o-excl, link, rename, flock, posix, ofd, none) or "
                         "a group (path, kernel, any)"));
  EXPECT_EQ(ErrorOf("conventions = \"mkdir\"\n"),
            "scenarios/smoke/x.toml:1:15: conventions must be a non-empty array of strings, "
            "got a string");
  EXPECT_THAT(ErrorOf("conventions = []\n"), HasSubstr("got []"));
  EXPECT_THAT(ErrorOf("conventions = [1]\n"), HasSubstr("an element that is an integer"));
}

TEST(NotApplicableReason, ConventionsListSetupAndNemeses) {
  std::string error;
  using LC = runner::LockConvention;
  auto fleet = Parse("conventions = [\"mkdir\"]\n", &error);
  ASSERT_TRUE(fleet) << error;
  EXPECT_FALSE(NotApplicableReason(*fleet, LC::kMkdir));
  EXPECT_EQ(NotApplicableReason(*fleet, LC::kFlock).value_or(""),
            "the scenario applies to mkdir locks, not to flock");

  auto dead = Parse("[[setup]]\nkind = \"dead-owner-lock\"\n", &error);
  ASSERT_TRUE(dead) << error;
  EXPECT_FALSE(NotApplicableReason(*dead, LC::kMkdir));
  EXPECT_FALSE(NotApplicableReason(*dead, LC::kOExcl));  // a lock file with the dead PID
  EXPECT_THAT(NotApplicableReason(*dead, LC::kFlock).value_or(""),
              HasSubstr("setup step dead-owner-lock forges a lock only for mkdir, o-excl, link"));

  auto recycled = Parse("[[setup]]\nkind = \"recycled-pid-lock\"\n", &error);
  ASSERT_TRUE(recycled);
  EXPECT_TRUE(NotApplicableReason(*recycled, LC::kOExcl));
  auto temps = Parse("[[setup]]\nkind = \"stale-temp-files\"\n", &error);
  ASSERT_TRUE(temps);
  EXPECT_FALSE(NotApplicableReason(*temps, LC::kPosix));

  auto steal = Parse("[[nemesis]]\nkind = \"steal-lock\"\n", &error);
  ASSERT_TRUE(steal) << error;
  EXPECT_FALSE(NotApplicableReason(*steal, LC::kLink));
  EXPECT_THAT(NotApplicableReason(*steal, LC::kFlock).value_or(""),
              HasSubstr("nemesis steal-lock applies to mkdir, o-excl, link, rename locks, not to "
                        "flock (a kernel lock has no name to act on)"));
  auto kill = Parse("[[nemesis]]\nkind = \"kill-holder\"\n", &error);
  ASSERT_TRUE(kill);
  EXPECT_FALSE(NotApplicableReason(*kill, LC::kFlock));
  EXPECT_TRUE(NotApplicableReason(*kill, LC::kNone));
}

TEST(LoadScenario, DirectoryIsNotAScenario) {
  std::string error;
  EXPECT_FALSE(LoadScenario(::testing::TempDir(), &error).has_value());
  EXPECT_EQ(error, ::testing::TempDir() + ": cannot read: is a directory");
}

TEST(LoadScenario, MissingFileNamesTheFile) {
  std::string error;
  EXPECT_FALSE(LoadScenario("/nonexistent/dir/y.toml", &error).has_value());
  EXPECT_EQ(error, "/nonexistent/dir/y.toml: cannot read: No such file or directory");
}

TEST(LoadScenario, ReadsTheFileAndDefaultsTheNameToItsStem) {
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "stem-name.toml";
  std::ofstream(file) << "[workload]\nwriters = 3\n";
  std::string error;
  std::optional<Scenario> s = LoadScenario(file, &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->name, "stem-name");
  EXPECT_EQ(s->run.writers, 3);
  EXPECT_EQ(s->file, file);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace lockharness::harness::scenario
