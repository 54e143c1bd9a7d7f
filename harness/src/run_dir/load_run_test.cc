#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "lockharness/harness/check.h"

namespace lockharness::harness {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LoadRunTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("load_run_test_" + std::to_string(::getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "registry");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const fs::path& relative, const std::string& text) {
    std::ofstream(dir_ / relative, std::ios::binary) << text;
  }
  void WriteGoodRun() {
    Write("run.json",
          R"({"seed":1,"impl":"x {registry}","mode":"per-op","writers":2,)"
          R"("ops":1,"readers":0,"op_timeout_ms":3000,"takeover_bound_ms":500,)"
          R"("registry":"registry/sandboxes.json","started_at":"2026-01-01T00:00:00Z"})");
    Write(
        "history.jsonl",
        R"({"type":"invoke","id":1,"process":0,"writer":0,"pid":50,"t":10,"op":"register","name":"a"})"
        "\n"
        R"({"type":"ok","id":1,"process":0,"writer":0,"pid":50,"t":20})"
        "\n");
    Write("registry/sandboxes.json", R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})");
  }

  fs::path dir_;
};

TEST_F(LoadRunTest, LoadsEverything) {
  WriteGoodRun();
  Write("registry/sandboxes.json.tmp.50.abc", "{");
  fs::create_directory(dir_ / "registry" / "sandboxes.json.lock");
  std::string error;
  std::optional<RunArtifacts> run = LoadRunDirectory(dir_, &error);
  ASSERT_TRUE(run) << error;
  EXPECT_EQ(run->history.size(), 2u);
  EXPECT_EQ(run->limits.op_timeout_ns, 3'000'000'000);
  EXPECT_EQ(run->limits.takeover_bound_ns, 500'000'000);
  EXPECT_EQ(run->registry_basename, "sandboxes.json");
  ASSERT_TRUE(run->final_registry);
  EXPECT_THAT(*run->final_registry, HasSubstr("\"defaultSandbox\":\"a\""));
  EXPECT_EQ(run->directory_entries,
            (std::vector<std::string>{"sandboxes.json.lock", "sandboxes.json.tmp.50.abc"}));
  std::vector<CheckerReport> reports = CheckAll(*run);
  EXPECT_EQ(reports[2].verdict, Verdict::kInvalid);  // leftovers
}

TEST_F(LoadRunTest, WithoutATraceThereAreNoTraceCheckers) {
  WriteGoodRun();
  std::string error;
  std::optional<RunArtifacts> run = LoadRunDirectory(dir_, &error);
  ASSERT_TRUE(run) << error;
  EXPECT_FALSE(run->trace.has_value());
  EXPECT_FALSE(run->monotonic_origin_ns.has_value());
  std::vector<CheckerReport> reports = CheckAll(*run);
  EXPECT_EQ(reports.size(), 5u);
  EXPECT_EQ(Overall(reports), Verdict::kUnknown);  // per-op: no lock spans
}

TEST_F(LoadRunTest, LoadsTheTraceAndTheMonotonicOrigin) {
  WriteGoodRun();
  Write("run.json",
        R"({"op_timeout_ms":3000,"takeover_bound_ms":500,"monotonic_origin_ns":1000000})");
  Write(
      "trace.jsonl",
      R"({"type":"hello","pid":50,"faults":0,"mono_ns":1000005,"registry":"/r/sandboxes.json"})"
      "\n"
      R"({"type":"call","pid":50,"call":"mkdir","point":"lh/mkdir/lock","class":"lock","fd":-1,"result":0,"injected":false,"mono_ns":1000010,"path":"/r/sandboxes.json.lock"})"
      "\n");
  std::string error;
  std::optional<RunArtifacts> run = LoadRunDirectory(dir_, &error);
  ASSERT_TRUE(run) << error;
  ASSERT_TRUE(run->trace.has_value());
  EXPECT_EQ(run->trace->size(), 2u);
  EXPECT_EQ(run->monotonic_origin_ns, 1000000);
  std::vector<CheckerReport> reports = CheckAll(*run);
  ASSERT_EQ(reports.size(), 7u);
  EXPECT_EQ(reports[5].checker, "trace-mutual-exclusion");
  EXPECT_THAT(reports[5].summary, HasSubstr("no successful rename onto the registry"));
}

TEST_F(LoadRunTest, BadTraceOrOriginIsAnError) {
  WriteGoodRun();
  Write("trace.jsonl", "{\"type\":\"call\",\"pid\":1}\n");
  std::string error;
  EXPECT_FALSE(LoadRunDirectory(dir_, &error));
  EXPECT_THAT(error, HasSubstr("trace.jsonl:1: missing field 'mono_ns'"));

  fs::remove(dir_ / "trace.jsonl");
  Write("run.json",
        R"({"op_timeout_ms":3000,"takeover_bound_ms":500,"monotonic_origin_ns":"now"})");
  EXPECT_FALSE(LoadRunDirectory(dir_, &error));
  EXPECT_THAT(error, HasSubstr("run.json: field 'monotonic_origin_ns' must be an integer"));
}

TEST_F(LoadRunTest, MissingRegistryFileIsAbsentNotAnError) {
  WriteGoodRun();
  fs::remove(dir_ / "registry" / "sandboxes.json");
  std::string error;
  std::optional<RunArtifacts> run = LoadRunDirectory(dir_, &error);
  ASSERT_TRUE(run) << error;
  EXPECT_FALSE(run->final_registry.has_value());
  EXPECT_TRUE(run->directory_entries.empty());
}

TEST_F(LoadRunTest, ErrorsNameTheFileAndLine) {
  std::string error;
  EXPECT_FALSE(LoadRunDirectory(dir_, &error));
  EXPECT_THAT(error, HasSubstr("run.json: cannot open"));

  WriteGoodRun();
  Write("history.jsonl", "{\"type\":\"ok\",\"id\":1}\n{\"type\":\"ok\",\"id\":x}\n");
  EXPECT_FALSE(LoadRunDirectory(dir_, &error));
  EXPECT_THAT(error, HasSubstr("history.jsonl line 2: field 'id'"));

  Write("run.json", R"({"op_timeout_ms":"soon","takeover_bound_ms":1})");
  EXPECT_FALSE(LoadRunDirectory(dir_, &error));
  EXPECT_THAT(error, HasSubstr("run.json: field 'op_timeout_ms'"));

  Write("run.json", "{not json");
  EXPECT_FALSE(LoadRunDirectory(dir_, &error));
  EXPECT_THAT(error, HasSubstr("run.json: not JSON"));
}

}  // namespace
}  // namespace lockharness::harness
