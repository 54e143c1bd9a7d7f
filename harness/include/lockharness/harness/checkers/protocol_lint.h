// protocol_lint.h: protocol lint from the interposer's system-call trace
// ("protocol-lint"): the SHOULD-level rules of docs/protocol.md P5 whose
// absence does not show in a run without a power failure or a crash at the
// wrong moment, reported as warnings.
//
// Rules, per writer and per rename onto the registry. A writer is a traced
// process together with the traced processes it started (TracedCall::writer):
// a shell adapter whose mktemp creates the temp, whose JSON step fsyncs it
// and whose mv renames it wrote it once, as one writer.
//   temp-outside-registry-dir  the renamed file was not in the registry's
//                              directory (rename is atomic only within one
//                              file system; P5.1)
//   temp-name-shared           the temp file's name was used (opened or
//                              renamed from) by more than one writer, e.g.
//                              a fixed `sandboxes.json.tmp` (P5.1)
//   temp-not-fsynced           no successful fsync/fdatasync of the temp
//                              file between its open and the rename (P5.3)
//   dir-not-fsynced            after a successful rename the writer went on
//                              (made further traced calls) without an fsync
//                              of the directory before its next registry
//                              rename (P5.3)
//   temp-left-after-failure    a rename, write or fsync of the temp file
//                              failed (for real or injected) and the writer
//                              neither unlinked the temp nor renamed it
//                              later (P5.4); not reported when one of the
//                              writer's processes was killed (injected) after it
//
// The verdict stays valid when there are findings (unknown when the trace
// has no attempted registry rename to lint); findings are listed in
// CheckerReport::warnings (a headline per finding, then its trace lines)
// and in details.findings ({rule, pid, message, evidence}). Callers that
// need "lint clean" use OverallWithLint(reports, /*lint_is_failure=*/true).

#ifndef LOCKHARNESS_HARNESS_CHECKERS_PROTOCOL_LINT_H_
#define LOCKHARNESS_HARNESS_CHECKERS_PROTOCOL_LINT_H_

#include <string>
#include <vector>

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {

struct LintFinding {
  std::string rule;  // e.g. "temp-not-fsynced"
  int pid = 0;
  std::string message;                // one line
  std::vector<std::string> evidence;  // trace lines, oldest first
};

// All findings, in the order of the calls they are about.
// REQUIRES: the trace `timeline` was built from is alive.
std::vector<LintFinding> LintTrace(const TraceTimeline& timeline);

// The "protocol-lint" report for LintTrace()'s findings.
CheckerReport CheckProtocolLint(const TraceTimeline& timeline);

// Overall() when lint is advice; when `lint_is_failure`, a protocol-lint
// report with findings makes the result invalid, and a run without a
// protocol-lint report (no trace) is at best unknown: lint-clean cannot be
// shown without a trace.
Verdict OverallWithLint(const std::vector<CheckerReport>& reports, bool lint_is_failure);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_PROTOCOL_LINT_H_
