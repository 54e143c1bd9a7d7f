#include "src/cli/scenario_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/scenario/suite.h"

namespace lockharness::harness::cli {
namespace {

using ::testing::HasSubstr;

scenario::Scenario Naming(std::string adapter, runner::Mode mode = runner::Mode::kPerOp) {
  scenario::Scenario s;
  s.file = "scenarios/known-bugs/x.toml";
  s.adapter = std::move(adapter);
  if (!s.adapter.empty()) {
    s.adapter_line = 3;
    s.adapter_column = 11;
  }
  s.run.mode = mode;
  return s;
}

const std::vector<Adapter> kCatalog = {
    {.name = "node-conf",
     .description = "",
     .per_op = "node conf.mjs --file {registry}",
     .worker = "node conf.mjs --file {registry} --worker-template",
     .lock_convention = "none"},
    {.name = "shell-noclobber",
     .description = "",
     .per_op = "noclobber.sh --file {registry}",
     .worker = "",
     .lock_convention = "o-excl"}};

std::string ImplOf(const scenario::Scenario& s, const std::string& command_line = "") {
  std::string impl, error;
  EXPECT_TRUE(ScenarioImpl(s, command_line, &kCatalog, "catalog.json", &impl, &error)) << error;
  return impl;
}

std::string ErrorOf(const scenario::Scenario& s, const std::string& command_line = "",
                    const std::vector<Adapter>* catalog = &kCatalog) {
  std::string impl = "untouched", error;
  EXPECT_FALSE(ScenarioImpl(s, command_line, catalog, "catalog.json", &impl, &error));
  EXPECT_EQ(impl, "untouched");
  return error;
}

TEST(ScenarioImpl, CommandLineImplementationForAScenarioNamingNone) {
  EXPECT_EQ(ImplOf(Naming(""), "lockreg --file {registry}"), "lockreg --file {registry}");
  std::string impl, error;
  EXPECT_TRUE(ScenarioImpl(Naming(""), "lockreg --file {registry}", nullptr, "catalog.json", &impl,
                           &error));
  EXPECT_EQ(impl, "lockreg --file {registry}");
}

TEST(ScenarioImpl, TheNamedAdaptersTemplateForTheScenariosMode) {
  EXPECT_EQ(ImplOf(Naming("node-conf")), "node conf.mjs --file {registry}");
  EXPECT_EQ(ImplOf(Naming("node-conf", runner::Mode::kWorker)),
            "node conf.mjs --file {registry} --worker-template");
  EXPECT_EQ(ImplOf(Naming("shell-noclobber")), "noclobber.sh --file {registry}");
}

TEST(ScenarioImpl, RefusesACommandLineImplementationForAScenarioNamingAnAdapter) {
  EXPECT_EQ(ErrorOf(Naming("node-conf"), "lockreg --file {registry}"),
            "scenarios/known-bugs/x.toml:3:11: the scenario is written for adapter 'node-conf' "
            "and its expectation holds for that adapter only; run it without --impl");
}

TEST(ScenarioImpl, NeitherAnAdapterNorACommandLineImplementation) {
  EXPECT_EQ(ErrorOf(Naming("")),
            "scenarios/known-bugs/x.toml: the scenario names no adapter (key 'adapter'): give "
            "the implementation with --impl");
}

TEST(ScenarioImpl, AnAdapterMissingFromTheCatalog) {
  EXPECT_EQ(ErrorOf(Naming("node-confstore")),
            "scenarios/known-bugs/x.toml:3:11: adapter 'node-confstore' is not in the catalog "
            "catalog.json");
  EXPECT_THAT(ErrorOf(Naming("node-conf"), "", nullptr), HasSubstr("is not in the catalog"));
}

TEST(ScenarioImpl, AWorkerScenarioForAnAdapterWithoutWorkerMode) {
  EXPECT_EQ(ErrorOf(Naming("shell-noclobber", runner::Mode::kWorker)),
            "scenarios/known-bugs/x.toml:3:11: adapter 'shell-noclobber' has no worker mode: set "
            "[workload] mode = \"per-op\"");
}

// The checked-in known bugs: each names an adapter of the checked-in
// catalog, a checker, and the public report it reproduces (for a bug this
// harness found, the public source it was confirmed in).
TEST(KnownBugs, EveryScenarioNamesACatalogAdapterACheckerAndItsReport) {
  const std::filesystem::path root = LOCKHARNESS_SOURCE_DIR;
  std::string error;
  auto catalog = LoadCatalog(root / "harness/adapters/catalog.json", &error);
  ASSERT_TRUE(catalog.has_value()) << error;
  auto files = scenario::ListSuite(root / "scenarios/known-bugs", &error);
  ASSERT_TRUE(files.has_value()) << error;
  EXPECT_GE(files->size(), 6u);
  for (const std::filesystem::path& file : *files) {
    auto s = scenario::LoadScenario(file, &error);
    ASSERT_TRUE(s.has_value()) << error;
    std::string impl;
    EXPECT_TRUE(ScenarioImpl(*s, "", &*catalog, "catalog.json", &impl, &error)) << error;
    EXPECT_FALSE(s->expect_checker.empty()) << file;
    EXPECT_THAT(s->description, HasSubstr("https://github.com/")) << file;
  }
}

}  // namespace
}  // namespace lockharness::harness::cli
