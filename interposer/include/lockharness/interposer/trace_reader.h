// trace_reader.h: reads the interposer's JSON-lines trace back (the format
// is described in trace_line.h and docs/interposer.md), for checkers that
// must tell an injected failure from a real one and for tests.
//
// Usage:
//   std::string error;
//   std::optional<Trace> trace = ReadTraceFile(path, &error);
//   if (!trace) { ... error says which line and why ... }
//   for (TraceEventRef e : *trace)
//     if (e.injected()) ...   // this failure was ours, not the program's

#ifndef LOCKHARNESS_INTERPOSER_TRACE_READER_H_
#define LOCKHARNESS_INTERPOSER_TRACE_READER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lockharness/interposer/trace.h"
#include "lockharness/interposer/trace_event.h"

namespace lockharness::interposer {

// Input bounds of ReadTraceFile: what a trace may hold before it is refused
// rather than read. The memory a trace costs is set by its events (40 bytes
// each in a Trace, about 85 while `lockharness check` judges it:
// docs/checkers.md) and its distinct strings, not by its size on disk: 64
// writers polling one lock write gigabytes of lines that differ only in pid
// and stamp.
struct TraceBounds {
  // Judging this many takes about 2.8 GB.
  size_t max_events = size_t{1} << 25;
  // Bytes of distinct strings (mostly paths, each kept once): a trace whose
  // every line names a new path is refused here, not by max_events.
  size_t max_string_bytes = size_t{256} << 20;
};

// Parses one line. On failure returns nullopt and sets *error (if not null)
// to a message naming the missing or malformed field. Input bound: a line of
// kTraceLineSize bytes or more (trace_line.h) is rejected unparsed.
std::optional<TraceEvent> ParseTraceLine(std::string_view line,
                                         std::string* error);

// For a line that does not parse: if it ends in a whole line starting at a
// later `{"type":"`, the part before is a line torn by the kill of its
// writer (Trace::TornLine). Returns the whole line's event and sets
// *fragment_pid to the fragment's pid (0 if it ends before it), or returns
// nullopt.
std::optional<TraceEvent> ParseAfterTornFragment(std::string_view line,
                                                 int* fragment_pid);

// Reads a trace file line by line (never the whole text at once). Empty
// lines are skipped. A final line without a newline that does not parse is
// ignored (a writer's line in progress, or one torn by its writer's kill).
// A line that does not parse but ends in a whole line is a torn fragment
// followed by the next process's line: the whole line is read and the
// fragment listed in Trace::torn_lines(). On failure (a line that does not
// parse, a bound exceeded, a read error) returns nullopt and sets *error to
// "<path>:<line>: <why>" (or "<path>: <why>").
std::optional<Trace> ReadTraceFile(const std::string& path, std::string* error,
                                   const TraceBounds& bounds = {});

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_TRACE_READER_H_
