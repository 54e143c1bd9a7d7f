// junit.h: verdicts as a JUnit XML report (junit.xml), for CI systems.
//
// One <testsuite> per suite (a run, or a scenario), one <testcase> per case
// (a checker of that run), all inside one <testsuites>. A case's verdict
// maps so that only "valid" can look like a pass:
//   valid    a passing <testcase/>;
//   invalid  <failure message="SUMMARY" type="invalid">EVIDENCE</failure>;
//   unknown  <error message="unknown: SUMMARY" type="unknown">EVIDENCE</error>,
//            which CI counts as broken, not passed;
//   skipped  <skipped message="SUMMARY"/>, for a case that does not apply
//            (no checker verdict maps here; a suite runner may use it).
// Every name, message and evidence text is escaped (xml_text.h), so the
// document is well-formed whatever the implementation printed.
//
//   JunitSuite suite{.name = "lockreg seed 42"};
//   suite.cases.push_back({.name = "lost-update", .result = JunitResult::kFailure,
//                          .message = "entry w1-0 is missing", .text = "op 25 ..."});
//   WriteFile(dir / "junit.xml", JunitXml({suite}));

#ifndef LOCKHARNESS_HARNESS_REPORT_JUNIT_H_
#define LOCKHARNESS_HARNESS_REPORT_JUNIT_H_

#include <string>
#include <utility>
#include <vector>

#include "lockharness/harness/check.h"

namespace lockharness::harness::report {

enum class JunitResult { kPass, kFailure, kError, kSkipped };

// valid -> kPass, invalid -> kFailure, unknown -> kError.
JunitResult JunitResultFor(Verdict verdict);

struct JunitCase {
  std::string name;  // e.g. the checker
  std::string classname = "lockharness.checkers";
  JunitResult result = JunitResult::kError;
  std::string message;  // one line; for kError written as "unknown: " + message
  std::string text;     // evidence, one item per line
  double seconds = 0;
};

struct JunitSuite {
  std::string name;  // e.g. "lockreg --file {registry} seed 42"
  std::vector<JunitCase> cases;
  double seconds = 0;
  // <properties>: seed, replay command... in this order.
  std::vector<std::pair<std::string, std::string>> properties;
};

// The whole document, with the XML declaration. Counts (tests, failures,
// errors, skipped) are computed per suite and in total. An empty list gives
// an empty <testsuites/> with zero counts.
std::string JunitXml(const std::vector<JunitSuite>& suites);

}  // namespace lockharness::harness::report

#endif  // LOCKHARNESS_HARNESS_REPORT_JUNIT_H_
