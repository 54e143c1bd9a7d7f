#include "src/crash/crash_checks.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::crash {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RecoverStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lh-recover-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    scratch_ = dir_template;
    fs::create_directories(scratch_ / "registry");
    // register: takes a flock on REGISTRY.lock (a file that stays, as
    // python-filelock's does) and writes a registry with the name; list:
    // prints the registry.
    script_ = scratch_ / "impl.sh";
    std::ofstream(script_) << "#!/bin/sh\n"
                              "reg=\"$2\"\n"
                              "case \"$3\" in\n"
                              "  register) exec 9>\"$reg.lock\"; flock 9;\n"
                              "    printf '{\"sandboxes\":{\"%s\":{}}}' \"$4\" > \"$reg\" ;;\n"
                              "  list) cat \"$reg\" ;;\n"
                              "esac\n";
    fs::permissions(script_, fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(scratch_); }

  std::vector<Finding> Recover(const std::vector<std::string>& persistent) {
    const fs::path registry = scratch_ / "registry" / "sandboxes.json";
    std::string log;
    return RecoverState({script_.string(), "--file", registry.string()}, registry, "probe",
                        std::nullopt, {}, {}, persistent, 5000, &log);
  }

  fs::path scratch_;
  fs::path script_;
};

// A lock file the crash-free recorded run also left is the implementation's
// by design (a flock lock file stays): not a leftover of the recovery.
TEST_F(RecoverStateTest, AFileTheRecordedRunAlsoLeftIsNoLeftover) {
  EXPECT_TRUE(Recover({"sandboxes.json.lock"}).empty());
}

TEST_F(RecoverStateTest, AnyOtherFileLeftIsALeftover) {
  const std::vector<Finding> findings = Recover({});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].checker, kRecovery);
  EXPECT_EQ(findings[0].verdict, Verdict::kInvalid);
  EXPECT_THAT(findings[0].summary,
              HasSubstr("leftovers after the recovering register and list: sandboxes.json.lock"));
}

}  // namespace
}  // namespace lockharness::harness::crash
