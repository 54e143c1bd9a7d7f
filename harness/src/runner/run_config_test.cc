#include "lockharness/harness/runner/run_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

RunOptions Everything() {
  RunOptions o;
  o.impl = "lockreg --file '{registry}'";
  o.mode = Mode::kWorker;
  o.writers = 16;
  o.ops_per_writer = 20;
  o.readers = 2;
  o.seed = 18446744073709551615u;  // beyond int64: the seed is unsigned
  o.op_timeout_ms = 20000;
  o.takeover_bound_ms = 7000;
  o.mix.get_weight = 5;
  o.value_bytes = 300;
  o.reader_interval_us = 250;
  NemesisSpec pause;
  pause.kind = NemesisKind::kPauseHolder;
  pause.start_ms = 100;
  pause.jitter_ms = 50;
  pause.count = 3;
  pause.duration_ms = 1500;
  NemesisSpec backdate;
  backdate.kind = NemesisKind::kBackdateLock;
  backdate.shift_ms = -600000;
  o.nemeses = {pause, backdate};
  SetupSpec temps;
  temps.kind = SetupKind::kStaleTempFiles;
  temps.count = 5;
  temps.age_ms = 1000;
  o.setup = {temps, SetupSpec{}};
  o.fleet = {"lockreg --file {registry}", "python3 adapter.py"};
  o.env = {"TZ=UTC", "A=b=c"};
  o.stale_ms = 500;
  o.interposer_faults = "lh/rename/registry=errno:EIO,prob:0.2";
  o.trace = true;
  o.run_timeout_ms = 60000;
  o.lock_convention = "flock";
  return o;
}

TEST(RunConfigTest, JsonRoundTripsEveryField) {
  const RunOptions original = Everything();
  std::string error;
  const auto back = FromJson(ToJson(original), &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(ToJson(*back), ToJson(original));
  EXPECT_EQ(back->seed, original.seed);
  EXPECT_EQ(back->nemeses[1].shift_ms, -600000);
  EXPECT_EQ(back->setup[0].count, 5);
  EXPECT_EQ(back->env, original.env);
  EXPECT_TRUE(back->trace);
}

TEST(RunConfigTest, LockConventionIsOneOfTheNames) {
  std::string error;
  auto o = FromJson({{"lock_convention", "o-excl"}}, &error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->lock_convention, "o-excl");
  EXPECT_FALSE(FromJson({{"lock_convention", "fcntl"}}, &error));
  EXPECT_EQ(error,
            "field 'lock_convention' must be one of mkdir, o-excl, link, rename, flock, posix, "
            "ofd, none, got 'fcntl'");
  // The implementation's, not a scenario's: scenario files cannot set it.
  EXPECT_EQ(FindRunField("lock_convention")->toml_table, "");
  EXPECT_EQ(FindRunField("lock_convention")->flag, "--lock-convention");
}

TEST(RunConfigTest, EveryFieldHasAFlagADocAndAJsonKey) {
  for (const RunField& field : RunFields()) {
    EXPECT_FALSE(field.json.empty());
    EXPECT_THAT(std::string(field.flag), StartsWith("--")) << field.json;
    EXPECT_FALSE(field.doc.empty()) << field.json;
    EXPECT_EQ(FindRunField(field.json), &field);
  }
  EXPECT_EQ(FindRunField("nope"), nullptr);
}

TEST(RunConfigTest, UnknownOrMisspeltKeyIsAnErrorNamingIt) {
  std::string error;
  EXPECT_FALSE(FromJson({{"writers", 2}, {"writer", 3}}, &error));
  EXPECT_THAT(error, StartsWith("unknown key 'writer' (known: impl, mode, writers,"));
  EXPECT_FALSE(FromJson({{"nemeses", {{{"kind", "kill-holder"}, {"cuont", 2}}}}}, &error));
  EXPECT_THAT(error, StartsWith("unknown key 'cuont' in field 'nemeses' #1 (known: kind,"));
}

TEST(RunConfigTest, RecordKeysAreAcceptedAndAbsentKeysKeepDefaults) {
  std::string error;
  const auto o = FromJson({{"registry", "registry/sandboxes.json"},
                           {"started_at", "2026-01-01T00:00:00Z"},
                           {"monotonic_origin_ns", 5}},
                          &error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(ToJson(*o), ToJson(RunOptions{}));
}

TEST(RunConfigTest, OneSetOfLimitsWithTheCallersLabel) {
  RunOptions o;
  const RunField& writers = *FindRunField("writers");
  auto error = writers.set(writers, 0, "--writers", &o);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "--writers must be an integer from 1 to 1024, got 0");
  error = writers.set(writers, "8", "[workload] writers", &o);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "[workload] writers must be an integer from 1 to 1024, got a string");
  EXPECT_FALSE(writers.set(writers, 1024, "--writers", &o));
  EXPECT_EQ(o.writers, 1024);

  const RunField& ops = *FindRunField("ops");
  error = ops.set(ops, 1000001, "x", &o);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "x must be an integer from 1 to 1000000, got 1000001");

  const RunField& seed = *FindRunField("seed");
  error = seed.set(seed, -1, "seed", &o);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "seed must be an integer >= 0, got -1");

  ConfigError spec_error;
  EXPECT_FALSE(NemesisFromJson({{"kind", "kill-holder"}, {"count", 1000001}}, "n", &spec_error));
  EXPECT_EQ(spec_error.message, "n count must be an integer from 0 to 1000000, got 1000001");
  EXPECT_EQ(spec_error.key, "count");
}

TEST(RunConfigTest, ElementErrorsNameTheElement) {
  RunOptions o;
  const RunField& env = *FindRunField("env");
  auto error = env.set(env, {"A=1", "LD_PRELOAD=x"}, "--env", &o);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->element, 1);
  EXPECT_THAT(error->message, StartsWith("--env LD_PRELOAD is reserved"));
  error = env.set(env, {"novalue"}, "--env", &o);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "--env 'novalue' is not KEY=VALUE");
  const RunField& fleet = *FindRunField("fleet");
  error = fleet.set(fleet, {"ok {registry}", "bad 'unterminated"}, "--fleet", &o);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->element, 1);
  EXPECT_THAT(error->message, StartsWith("--fleet: command template #2: "));
  const RunField& faults = *FindRunField("interposer_faults");
  error = faults.set(faults, "lh/rename/registry=explode", "--faults", &o);
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message, StartsWith("--faults: "));
  EXPECT_THAT(error->message, HasSubstr("explode"));
}

TEST(RunConfigTest, SpecEntriesCheckKindSpecificKeys) {
  ConfigError error;
  EXPECT_FALSE(NemesisFromJson({{"kind", "pause-holder"}}, "c", &error));
  EXPECT_EQ(error.message, "c: missing key 'duration_ms' (required for pause-holder)");
  EXPECT_EQ(error.key, "");
  EXPECT_FALSE(NemesisFromJson({{"kind", "kill-holder"}, {"duration_ms", 5}}, "c", &error));
  EXPECT_EQ(error.message, "c duration_ms applies only to pause-holder, not kill-holder");
  EXPECT_FALSE(NemesisFromJson({{"kind", "backdate-lock"}, {"shift_ms", 0}}, "c", &error));
  EXPECT_EQ(error.message, "c shift_ms must not be 0 (negative: into the past)");
  EXPECT_FALSE(NemesisFromJson({{"kind", "kill-everyone"}}, "c", &error));
  EXPECT_THAT(error.message, StartsWith("c kind must be 'kill-holder', 'pause-holder', "));
  EXPECT_FALSE(SetupFromJson({{"age_ms", 5}}, "s", &error));
  EXPECT_EQ(error.message, "s: missing key 'kind'");
  EXPECT_FALSE(SetupFromJson({{"kind", "dead-owner-lock"}, {"count", 2}}, "s", &error));
  EXPECT_EQ(error.message, "s count applies only to stale-temp-files, not dead-owner-lock");
}

TEST(RunConfigTest, SpecTextRoundTrips) {
  std::string error;
  const auto entry = SpecTextToJson("pause-holder:start_ms=5,duration_ms=100", &error);
  ASSERT_TRUE(entry) << error;
  ConfigError refused;
  const auto spec = NemesisFromJson(*entry, "n", &refused);
  ASSERT_TRUE(spec) << refused.message;
  EXPECT_EQ(spec->start_ms, 5);
  EXPECT_EQ(spec->duration_ms, 100);
  const auto again = SpecTextToJson(SpecJsonToText(NemesisToJson(*spec)), &error);
  ASSERT_TRUE(again) << error;
  EXPECT_EQ(*again, nlohmann::json(NemesisToJson(*spec)));
  EXPECT_FALSE(SpecTextToJson("kill-holder:count", &error));
  EXPECT_EQ(error, "'count' is not KEY=VALUE");
  EXPECT_FALSE(SpecTextToJson("kill-holder:count=many", &error));
  EXPECT_EQ(error, "count: 'many' is not an integer");
}

TEST(RunConfigTest, FlagsSpellDefaultsOnlyWhereAlwaysWanted) {
  RunOptions o;
  o.impl = "x {registry}";
  o.seed = 7;
  EXPECT_EQ(ToFlags(o),
            (std::vector<std::string>{"--impl", "x {registry}", "--mode", "per-op", "--writers",
                                      "8", "--ops", "100", "--readers", "1", "--op-timeout-ms",
                                      "10000", "--takeover-bound-ms", "5000", "--mix",
                                      "40,35,10,15,0", "--seed", "7"}));
  o.trace = true;
  o.nemeses.push_back(NemesisSpec{});
  const std::vector<std::string> words = ToFlags(o);
  EXPECT_NE(std::find(words.begin(), words.end(), "--trace"), words.end());
  EXPECT_NE(std::find(words.begin(), words.end(),
                      "kill-holder:count=0,interval_ms=500,jitter_ms=0,start_ms=0"),
            words.end());
}

}  // namespace
}  // namespace lockharness::harness::runner
