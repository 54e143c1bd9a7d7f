#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/check.h"
#include "test_history.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestHistory;

CheckerReport Report(Verdict v) {
  CheckerReport r;
  r.checker = "x";
  r.verdict = v;
  return r;
}

TEST(Overall, InvalidBeatsUnknownBeatsValid) {
  EXPECT_EQ(Overall({}), Verdict::kUnknown);
  EXPECT_EQ(Overall({Report(Verdict::kValid)}), Verdict::kValid);
  EXPECT_EQ(Overall({Report(Verdict::kValid), Report(Verdict::kUnknown)}),
            Verdict::kUnknown);
  EXPECT_EQ(Overall({Report(Verdict::kUnknown), Report(Verdict::kInvalid)}),
            Verdict::kInvalid);
  EXPECT_EQ(VerdictName(Verdict::kInvalid), "invalid");
}

TEST(CheckAll, RunsEveryCheckerInOrder) {
  TestHistory h;
  h.LockSpan(h.Register("a", {}, 0, 100), 10, 20);
  h.Read(50, true);
  std::vector<CheckerReport> reports =
      CheckAll(h.Run(R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})"));
  ASSERT_EQ(reports.size(), 5u);
  EXPECT_EQ(reports[0].checker, "lost-update");
  EXPECT_EQ(reports[1].checker, "json-validity");
  EXPECT_EQ(reports[2].checker, "leftovers");
  EXPECT_EQ(reports[3].checker, "mutual-exclusion");
  EXPECT_EQ(reports[4].checker, "progress");
  for (const CheckerReport& r : reports) {
    EXPECT_EQ(r.verdict, Verdict::kValid) << r.checker << ": " << r.summary;
  }
  EXPECT_EQ(Overall(reports), Verdict::kValid);
}

TEST(CheckAll, LostRegisterMakesTheRunInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 100);
  h.Register("b", {}, 200, 300);
  std::vector<CheckerReport> reports =
      CheckAll(h.Run(R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})"));
  EXPECT_EQ(reports[0].verdict, Verdict::kInvalid);
  EXPECT_EQ(Overall(reports), Verdict::kInvalid);
}

TEST(ReportFormat, JsonAndTextCarryVerdictsAndEvidence) {
  CheckerReport r = Report(Verdict::kInvalid);
  r.checker = "leftovers";
  r.summary = "1 unexplained leftover";
  r.evidence = {"unexplained leftover: x"};
  r.details = {{"n", 1}};
  nlohmann::json json = ReportsToJson({r});
  EXPECT_EQ(json["verdict"], "invalid");
  EXPECT_EQ(json["checkers"][0]["checker"], "leftovers");
  EXPECT_EQ(json["checkers"][0]["evidence"][0], "unexplained leftover: x");
  EXPECT_EQ(json["checkers"][0]["details"]["n"], 1);
  std::string text = ReportsToText({r});
  EXPECT_THAT(text, HasSubstr("overall: invalid"));
  EXPECT_THAT(text, HasSubstr("leftovers: invalid - 1 unexplained leftover"));
  EXPECT_THAT(text, HasSubstr("  unexplained leftover: x"));
}

}  // namespace
}  // namespace lockharness::harness
