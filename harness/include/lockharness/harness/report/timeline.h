// timeline.h: a run's history as one self-contained HTML page (timeline.html).
//
// The page draws one lane per writer, one for the readers and, if needed,
// one for the harness. Every operation is a bar from its invoke to its
// completion, coloured by outcome (ok, fail, info, pending), with the span
// it held the lock drawn inside it when the history knows it
// (lock_acquired..lock_released). Injected faults are markers on the lane of
// the writer whose pid (or writer index) they name, else on the harness
// lane; invalid reader samples are markers on the readers lane. A crash
// run's crash points (the call after which a violating crash state was cut,
// docs/crash-consistency.md) are red dashed lines across every lane. Hovering
// shows the operation, name, pid, times and error; the mouse wheel zooms
// and dragging pans. Data, CSS and script are inline: the page needs no
// network and no server.
//
// Big histories are bounded: at most `max_operations` operations (the first
// ones, in invoke order) and `max_markers` faults and invalid samples each
// are drawn, and the page says how many were left out.
//
//   TimelineOptions options;
//   options.title = "lockreg --file {registry}, seed 42";
//   WriteFile(dir / "timeline.html", TimelineHtml(history, options));

#ifndef LOCKHARNESS_HARNESS_REPORT_TIMELINE_H_
#define LOCKHARNESS_HARNESS_REPORT_TIMELINE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/history.h"

namespace lockharness::harness::report {

// A crash point: the power was cut at `t` (ns since the run's start).
struct TimelineCrashPoint {
  int64_t t = 0;
  std::string label;   // drawn by the line: "state-12"
  std::string detail;  // on hover: the call, the checker, the state
};

struct TimelineOptions {
  std::string title;
  std::vector<TimelineCrashPoint> crash_points;  // at most max_markers drawn
  size_t max_operations = 200'000;
  size_t max_markers = 20'000;
  // Shown above the timeline, e.g. why the history could not be read.
  std::string note;
};

// The page's data, as embedded in it (times in microseconds since run
// start):
//   {"title", "note", "lanes": ["writer 0", ..., "readers", "harness"],
//    "ops": [[lane, invoked, completed|null, outcome, op, name, pid, error,
//             lock_acquired|null, lock_released|null, id], ...],
//    "faults": [[lane, t, fault, target, pid], ...],
//    "invalid_reads": [[lane, t, error, pid], ...],
//    "crash_points": [[t, label, detail], ...],
//    "outcomes": ["ok", "fail", "info", "pending"],
//    "total_ops", "total_faults", "total_invalid_reads", "total_crash_points",
//    "valid_reads", "end"}
// `outcome` indexes "outcomes". Fewer entries than the totals mean the
// page was truncated.
nlohmann::json TimelineData(const std::vector<Event>& history, const TimelineOptions& options);

// The whole page. Never fails; an empty history gives an empty timeline.
std::string TimelineHtml(const std::vector<Event>& history, const TimelineOptions& options);

// The page around already-built data (TimelineData()). Exposed for tests.
std::string TimelinePage(const nlohmann::json& data);

// "Truncated to keep this file bounded: showing the first N of M
// operations, ...; history.jsonl has everything.", or "" if nothing was
// left out of `data`.
std::string TruncationNotice(const nlohmann::json& data);

// `json` serialised so that it can sit inside a <script> element: every '<'
// is written as \u003c (so "</script>" and "<!--" cannot occur), and bytes
// that are not UTF-8 become U+FFFD instead of failing.
std::string JsonForScript(const nlohmann::json& json);

}  // namespace lockharness::harness::report

#endif  // LOCKHARNESS_HARNESS_REPORT_TIMELINE_H_
