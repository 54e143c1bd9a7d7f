#include "lockharness/harness/report/report_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;

CheckerReport Report(Verdict v) {
  CheckerReport r;
  r.checker = "x";
  r.verdict = v;
  return r;
}

TEST(ReportFormat, WarningsAreRenderedApartFromEvidence) {
  CheckerReport r = Report(Verdict::kValid);
  r.checker = "protocol-lint";
  r.summary = "1 registry renames linted: 1 findings (temp-not-fsynced 1)";
  r.warnings = {"temp-not-fsynced: pid 1 renamed x", "  trace line 3: pid 1 open x"};
  nlohmann::json json = ReportsToJson({r});
  EXPECT_EQ(json["verdict"], "valid");
  EXPECT_EQ(json["checkers"][0]["warnings"][0], "temp-not-fsynced: pid 1 renamed x");
  EXPECT_TRUE(json["checkers"][0]["evidence"].empty());
  std::string text = ReportsToText({r});
  EXPECT_THAT(text, HasSubstr("  warning: temp-not-fsynced: pid 1 renamed x\n"
                              "  warning:   trace line 3: pid 1 open x\n"));
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
