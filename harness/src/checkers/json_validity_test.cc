#include "lockharness/harness/checkers/json_validity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestHistory;

TEST(JsonValidity, ValidSamplesAndFinalFile) {
  TestHistory h;
  h.Read(10, true);
  h.Read(20, true);
  CheckerReport r = CheckJsonValidity(h.Run(R"({"sandboxes":{}})"));
  EXPECT_EQ(r.checker, "json-validity");
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["reader_samples"], 2);
}

TEST(JsonValidity, MissingFinalFileIsAnEmptyRegistry) {
  TestHistory h;
  CheckerReport r = CheckJsonValidity(h.Run(std::nullopt));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_THAT(r.summary, HasSubstr("absent"));
}

TEST(JsonValidity, TornReaderSampleIsInvalid) {
  TestHistory h;
  h.Read(10, true);
  h.Read(20, false, "not JSON: parse error at byte 17");
  h.Read(30, false, "later");
  CheckerReport r = CheckJsonValidity(h.Run(R"({"sandboxes":{}})"));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("2 of 3 reader samples"));
  EXPECT_THAT(r.summary, HasSubstr("parse error at byte 17"));
  ASSERT_GE(r.evidence.size(), 2u);
  EXPECT_THAT(r.evidence[1], HasSubstr("\"t\":20"));
}

TEST(JsonValidity, InvalidFinalFileIsInvalid) {
  TestHistory h;
  h.Read(10, true);
  CheckerReport r =
      CheckJsonValidity(h.Run(R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"z"})"));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("final registry file is invalid"));
  EXPECT_THAT(r.summary, HasSubstr("defaultSandbox: names 'z'"));
  EXPECT_EQ(r.details["final_file"], "invalid");
}

TEST(JsonValidity, UnjudgedSamplesAreCountedNotTrusted) {
  TestHistory h;
  Event e;
  e.type = EventType::kRead;
  e.t = 5;
  h.AddRaw(e);
  CheckerReport r = CheckJsonValidity(h.Run(R"({})"));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.details["unjudged_samples"], 1);
  EXPECT_THAT(r.summary, HasSubstr("1 samples unjudged"));
}

TEST(JsonValidity, BesideAForgedCorruptFinalJudgesOnlyTheSamples) {
  TestHistory h;
  h.Read(10, true);
  // The final file is the corrupt one forged before the run: not judged here.
  CheckerReport r = CheckJsonValidityBesideForgedFinal(h.Run("{not json"));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.summary,
            "1 reader samples valid; final file is the corrupt registry forged before the run, "
            "untouched (see corrupt-registry)");
  h.Read(20, false, "torn");
  EXPECT_EQ(CheckJsonValidityBesideForgedFinal(h.Run("{not json")).verdict, Verdict::kInvalid);
}

}  // namespace
}  // namespace lockharness::harness
