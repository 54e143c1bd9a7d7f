// trace_timeline.h: the interposer's system-call trace (trace.jsonl, see
// docs/interposer.md) prepared for the trace checkers
// (trace_mutual_exclusion.h, protocol_lint.h).
//
// Each traced call gets a window in which it took effect. The interposer
// stamps a line with CLOCK_MONOTONIC *after* the call returned, so the
// stamp is an upper bound; the same process's previous line was stamped
// before this call started, so that stamp is a lower bound. Comparing
// windows rather than stamps lets a checker claim an order between two
// processes' calls only when it is certain: a process preempted between a
// call and its stamp cannot make a correct run look wrong.
//
//   TraceTimeline timeline = BuildTraceTimeline(*run.trace,
//                                               run.monotonic_origin_ns);
//   for (const TracedCall& call : timeline.calls) { ... }
//
// The timeline points into the trace it was built from: keep that alive.
// A trace can hold tens of millions of calls, so a TracedCall is kept to
// 32 bytes: what the event already says (its stamp, its family) is read
// from the event.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_TRACE_TIMELINE_H_
#define LOCKHARNESS_HARNESS_CHECKERS_TRACE_TIMELINE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/interposer/trace.h"

namespace lockharness::harness {

using interposer::Trace;
using interposer::TraceEvent;
using interposer::TraceEventRef;

// `earliest` of a process's first line: no lower bound is known.
inline constexpr int64_t kUnboundedPast = std::numeric_limits<int64_t>::min();

struct TracedCall {
  TraceEventRef event;
  int64_t earliest = 0;  // took effect after this (kUnboundedPast: unknown)
  // The writer the call is attributed to: the oldest traced ancestor of
  // the calling process (a shell adapter's `mkdir` or `mv` helper counts
  // as the shell that started it). The pid itself if it has no traced
  // parent.
  int writer = 0;
  uint32_t line = 0;  // 1-based position among the trace's lines

  // Took effect no later than this (the line's mono_ns).
  int64_t latest() const { return event.mono_ns(); }
  // "rename", "mkdir", ... (from the point name), "exit" for exit lines,
  // "inherited" and "dup" for descriptor lines, "exec" for a hello line
  // (the timeline keeps only those of processes already seen).
  std::string_view family() const {
    return event.type() == TraceEvent::Type::kHello ? "exec" : event.family();
  }
  int pid() const { return event.pid(); }
  // Certainly took effect before `other` did.
  bool CertainlyBefore(const TracedCall& other) const { return latest() <= other.earliest; }
};

struct TraceTimeline {
  // The call lines, exit lines (family "exit"), the descriptor lines
  // (families "inherited" and "dup", see docs/interposer.md) and the hello
  // lines of processes already seen, which started a new program (family
  // "exec": close-on-exec descriptors are closed then), ordered by stamp
  // (trace order among equal stamps).
  std::vector<TracedCall> calls;
  // Per pid, the stamp of its last line: a lower bound for its death.
  std::map<int, int64_t> last_seen;
  size_t hello_lines = 0;
  size_t fork_lines = 0;
  // Per pid, the traced process it descends from (see TracedCall::writer).
  std::map<int, int> writer_of;
  // Per pid, its parent as its hello or fork line names it (traced or not).
  std::map<int, int> parent_of;
  // Per pid, the stamp of its first line: it was created before this.
  std::map<int, int64_t> first_seen;
  // CLOCK_MONOTONIC of the run's start (history time 0), if known: times
  // are then shown as the history shows them.
  std::optional<int64_t> origin;
};

// Orders the call lines and computes their windows.
TraceTimeline BuildTraceTimeline(const Trace& trace, std::optional<int64_t> origin);

// The call really ran: it was not replaced by an injected errno or kill
// (an injected delay or stop runs it; an injected errno on close runs it
// too, but close's effect does not matter to the checkers).
bool Performed(TraceEventRef event);

// Performed and succeeded (result >= 0, no errno).
bool Succeeded(TraceEventRef event);

// "12.345 ms" since the run's start with an origin, else
// "12345.678 ms CLOCK_MONOTONIC".
std::string FormatTraceTime(int64_t mono_ns, std::optional<int64_t> origin);

// One evidence line: "trace line 17: pid 4242 renameat2
// /d/sandboxes.json.tmp.4242.x -> /d/sandboxes.json: failed EIO (injected
// errno) at 12.345 ms".
std::string DescribeCall(const TracedCall& call, std::optional<int64_t> origin);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_TRACE_TIMELINE_H_
