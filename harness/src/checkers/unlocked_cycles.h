// unlocked_cycles.h (private): mutual exclusion for writers that take no
// lock the trace-mutual-exclusion checker recognises (a library that keeps
// its state in a JSON file without any lock, trace_mutual_exclusion.h).
// Without lock spans, the critical sections are judged by the
// read-modify-write cycles themselves: a writer's cycle runs from its last
// open of the registry for reading (or an open that failed with ENOENT: it
// read "no file") to its write, a successful rename onto the registry or
// an in-place write to it. Another writer's rename onto the registry
// certainly inside that cycle replaced the file the writer had opened: the
// writer's document was computed from a version already superseded, and
// its write overwrites the other's (or is lost, written into the replaced
// file). An in-place write of another writer inside the cycle is not
// counted: reads are not traced, so the writer may have read after it.
// For the same reason a writer that opened the registry several times
// since its last write is judged from its last open (certain), and a
// rename between its first and its last open is only a possible overlap:
// the document may come from the first read (conf reads the file three
// times for one set()).

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_UNLOCKED_CYCLES_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_UNLOCKED_CYCLES_H_

#include <cstddef>
#include <string>
#include <vector>

#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {

struct UnlockedCycles {
  size_t writes = 0;                  // registry renames and in-place writes
  size_t judged = 0;                  // those with an open of the registry before them
  size_t overlaps = 0;                // judged writes with another writer's rename inside
  size_t possible = 0;                // ... inside only when counted from an earlier read
  std::string possible_first;         // the first of those, one line
  std::string first;                  // the first overlap, one line
  std::vector<std::string> evidence;  // its trace lines: open, rename, write
  struct Overlap {
    int pid = 0;
    uint32_t trace_line = 0;
    std::string summary;
  };
  std::vector<Overlap> listed;  // the first 100 overlaps
};

// REQUIRES: the trace `timeline` was built from is alive.
UnlockedCycles JudgeUnlockedCycles(const TraceTimeline& timeline);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_UNLOCKED_CYCLES_H_
