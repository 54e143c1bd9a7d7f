#include "lockharness/harness/report/junit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

JunitCase Case(std::string name, Verdict verdict, std::string message = "", std::string text = "") {
  JunitCase c;
  c.name = std::move(name);
  c.result = JunitResultFor(verdict);
  c.message = std::move(message);
  c.text = std::move(text);
  return c;
}

TEST(JunitResultForTest, OnlyValidPasses) {
  EXPECT_EQ(JunitResultFor(Verdict::kValid), JunitResult::kPass);
  EXPECT_EQ(JunitResultFor(Verdict::kInvalid), JunitResult::kFailure);
  EXPECT_EQ(JunitResultFor(Verdict::kUnknown), JunitResult::kError);
}

TEST(JunitXmlTest, WritesOneSuiteWithACasePerChecker) {
  JunitSuite suite;
  suite.name = "lockreg seed 42";
  suite.seconds = 1.5;
  suite.properties = {{"seed", "42"}};
  suite.cases = {
      Case("lost-update", Verdict::kInvalid, "entry w1-0 is missing", "op 25 register w1-0\n"),
      Case("json-validity", Verdict::kValid),
      Case("progress", Verdict::kUnknown, "no operation completed")};
  EXPECT_EQ(JunitXml({suite}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"lockharness\" tests=\"3\" failures=\"1\" errors=\"1\" "
            "skipped=\"0\" time=\"1.500\">\n"
            "  <testsuite name=\"lockreg seed 42\" tests=\"3\" failures=\"1\" errors=\"1\" "
            "skipped=\"0\" time=\"1.500\">\n"
            "    <properties>\n"
            "      <property name=\"seed\" value=\"42\"/>\n"
            "    </properties>\n"
            "    <testcase classname=\"lockharness.checkers\" name=\"lost-update\" "
            "time=\"0.000\">\n"
            "      <failure message=\"entry w1-0 is missing\" type=\"invalid\">"
            "op 25 register w1-0\n</failure>\n"
            "    </testcase>\n"
            "    <testcase classname=\"lockharness.checkers\" name=\"json-validity\" "
            "time=\"0.000\"/>\n"
            "    <testcase classname=\"lockharness.checkers\" name=\"progress\" "
            "time=\"0.000\">\n"
            "      <error message=\"unknown: no operation completed\" type=\"unknown\">"
            "</error>\n"
            "    </testcase>\n"
            "  </testsuite>\n"
            "</testsuites>\n");
}

TEST(JunitXmlTest, UnknownIsAnErrorNeverAPassOrASkip) {
  JunitSuite suite;
  suite.name = "s";
  suite.cases = {Case("mutual-exclusion", Verdict::kUnknown, "no lock spans")};
  const std::string xml = JunitXml({suite});
  EXPECT_THAT(xml, HasSubstr("<error message=\"unknown: no lock spans\""));
  EXPECT_THAT(xml, HasSubstr("errors=\"1\""));
  EXPECT_THAT(xml, Not(HasSubstr("<skipped")));
}

TEST(JunitXmlTest, SkippedCasesAreCountedAsSkipped) {
  JunitSuite suite;
  suite.name = "s";
  JunitCase skipped;
  skipped.name = "takeover";
  skipped.result = JunitResult::kSkipped;
  skipped.message = "no fault injected";
  suite.cases = {skipped};
  const std::string xml = JunitXml({suite});
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"no fault injected\"/>"));
  EXPECT_THAT(xml, HasSubstr("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""));
}

TEST(JunitXmlTest, SeveralSuitesAreSummedInTestsuites) {
  JunitSuite a, b;
  a.name = "scenario-a";
  a.cases = {Case("lost-update", Verdict::kValid)};
  b.name = "scenario-b";
  b.cases = {Case("lost-update", Verdict::kInvalid, "lost"),
             Case("progress", Verdict::kInvalid, "stuck")};
  const std::string xml = JunitXml({a, b});
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"lockharness\" tests=\"3\" failures=\"2\" "
                             "errors=\"0\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"scenario-a\" tests=\"1\" failures=\"0\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"scenario-b\" tests=\"2\" failures=\"2\""));
}

TEST(JunitXmlTest, EscapesNamesMessagesAndEvidence) {
  JunitSuite suite;
  suite.name = "impl 'a\"b' <x> & y";
  suite.cases = {Case("lost-update", Verdict::kInvalid, "value \"<v>\" & \x01 \xFF",
                      "{\"error\":\"</failure>\"} \x02\n")};
  const std::string xml = JunitXml({suite});
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"impl &apos;a&quot;b&apos; &lt;x&gt; &amp; y\""));
  EXPECT_THAT(xml, HasSubstr("message=\"value &quot;&lt;v&gt;&quot; &amp; \\x01 \xEF\xBF\xBD\""));
  EXPECT_THAT(xml, HasSubstr(">{\"error\":\"&lt;/failure&gt;\"} \\x02\n</failure>"));
}

TEST(JunitXmlTest, EmptyListIsAnEmptyDocument) {
  EXPECT_EQ(JunitXml({}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"lockharness\" tests=\"0\" failures=\"0\" errors=\"0\" "
            "skipped=\"0\" time=\"0.000\"/>\n");
}

}  // namespace
}  // namespace lockharness::harness::report
