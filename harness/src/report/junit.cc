// junit.cc: the JUnit XML writer (see junit.h).

#include "lockharness/harness/report/junit.h"

#include <cstdio>

#include "lockharness/harness/report/xml_text.h"

namespace lockharness::harness::report {
namespace {

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
};

Counts CountSuite(const JunitSuite& suite) {
  Counts counts;
  counts.seconds = suite.seconds;
  for (const JunitCase& c : suite.cases) {
    ++counts.tests;
    if (c.result == JunitResult::kFailure) ++counts.failures;
    if (c.result == JunitResult::kError) ++counts.errors;
    if (c.result == JunitResult::kSkipped) ++counts.skipped;
  }
  return counts;
}

std::string Seconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds < 0 ? 0.0 : seconds);
  return buffer;
}

// ` name="value"`, escaped.
void AppendAttribute(std::string_view name, std::string_view value, std::string* out) {
  out->push_back(' ');
  out->append(name);
  out->append("=\"");
  AppendXmlEscaped(value, XmlContext::kAttribute, out);
  out->push_back('"');
}

void AppendCounts(const Counts& counts, std::string* out) {
  AppendAttribute("tests", std::to_string(counts.tests), out);
  AppendAttribute("failures", std::to_string(counts.failures), out);
  AppendAttribute("errors", std::to_string(counts.errors), out);
  AppendAttribute("skipped", std::to_string(counts.skipped), out);
  AppendAttribute("time", Seconds(counts.seconds), out);
}

// <failure ...>text</failure>, <error ...>text</error> or <skipped .../>.
void AppendOutcome(const JunitCase& c, std::string* out) {
  const char* element = nullptr;
  std::string message = c.message;
  switch (c.result) {
    case JunitResult::kPass: return;
    case JunitResult::kFailure: element = "failure"; break;
    case JunitResult::kError:
      element = "error";
      message = "unknown: " + message;
      break;
    case JunitResult::kSkipped:
      out->append("      <skipped");
      AppendAttribute("message", message, out);
      out->append("/>\n");
      return;
  }
  out->append("      <").append(element);
  AppendAttribute("message", message, out);
  AppendAttribute("type", c.result == JunitResult::kFailure ? "invalid" : "unknown", out);
  out->push_back('>');
  AppendXmlEscaped(c.text, XmlContext::kText, out);
  out->append("</").append(element).append(">\n");
}

void AppendCase(const JunitCase& c, std::string* out) {
  out->append("    <testcase");
  AppendAttribute("classname", c.classname, out);
  AppendAttribute("name", c.name, out);
  AppendAttribute("time", Seconds(c.seconds), out);
  if (c.result == JunitResult::kPass) {
    out->append("/>\n");
    return;
  }
  out->append(">\n");
  AppendOutcome(c, out);
  out->append("    </testcase>\n");
}

void AppendSuite(const JunitSuite& suite, std::string* out) {
  out->append("  <testsuite");
  AppendAttribute("name", suite.name, out);
  AppendCounts(CountSuite(suite), out);
  out->append(">\n");
  if (!suite.properties.empty()) {
    out->append("    <properties>\n");
    for (const auto& [name, value] : suite.properties) {
      out->append("      <property");
      AppendAttribute("name", name, out);
      AppendAttribute("value", value, out);
      out->append("/>\n");
    }
    out->append("    </properties>\n");
  }
  for (const JunitCase& c : suite.cases) AppendCase(c, out);
  out->append("  </testsuite>\n");
}

}  // namespace

JunitResult JunitResultFor(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return JunitResult::kPass;
    case Verdict::kInvalid: return JunitResult::kFailure;
    case Verdict::kUnknown: return JunitResult::kError;
  }
  return JunitResult::kError;
}

std::string JunitXml(const std::vector<JunitSuite>& suites) {
  Counts total;
  for (const JunitSuite& suite : suites) {
    Counts counts = CountSuite(suite);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
    total.seconds += counts.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
  AppendAttribute("name", "lockharness", &out);
  AppendCounts(total, &out);
  if (suites.empty()) return out + "/>\n";
  out.append(">\n");
  for (const JunitSuite& suite : suites) AppendSuite(suite, &out);
  out.append("</testsuites>\n");
  return out;
}

}  // namespace lockharness::harness::report
