// trace_mutual_exclusion.h: mutual exclusion judged from the interposer's
// system-call trace ("trace-mutual-exclusion"), for any implementation,
// whether or not it reports its lock spans.
//
// Lock spans are reconstructed per writer (a process and every process it
// started: TracedCall::writer) from the calls on the lock path (`R.lock`
// unless the run names another). Recognised acquisitions: a successful
// mkdir of it; a successful link onto it; a successful rename onto it (of a
// path that held no lock: a lock built elsewhere and moved in); a
// successful open of it with O_CREAT|O_EXCL (for traces without open
// flags: an open whose descriptor the same process then writes to before
// closing it); and a successful exclusive flock(2), fcntl F_SETLK(W) /
// F_OFD_SETLK(W) or lockf(3) request on the lock path or on the registry
// (a kernel lock: a flock or OFD lock ends at an unlock or downgrade
// through any descriptor of its open file description, in any process, or
// when the last such descriptor is closed or its process exits; a POSIX
// record lock at its process's unlock, close of any descriptor of the
// file, or exit; see docs/checkers.md).
// A span ends when the lock is removed from `R.lock` (rmdir, unlink, or a
// rename away: by its owner a release, by anyone else a break) or, at the
// latest, at its owner's last traced call (the process died). A lock moved
// away and renamed back (a waiter's put-back, docs/protocol.md P3.4) is
// held again from the rename back.
//
// The critical section's evidence is a successful rename onto the registry
// `R` (injected failures and kills are not renames). Such a rename by P is
// a violation when another process certainly held the lock at that moment,
// or when P certainly held none: its lock had been broken by another
// process (the "holder overwrites after its lock was broken" bug), it had
// released it, or it never took one. "Certainly" uses TracedCall windows
// (trace_timeline.h): an order that timestamps alone cannot settle is not
// reported. A correct waiter that breaks a dead holder's lock is never
// reported: the dead holder renames nothing later.
//
// Verdicts: invalid naming the first violation (both spans and the rename
// as trace lines) and counting all; unknown when the trace shows no
// successful registry rename, or lock holders that never rename themselves
// (lock and rename done by different processes, e.g. mkdir(1) then mv(1));
// else valid. A trace with renames but no acquisition this checker
// recognises (no lock at all, or one on a path it does not watch) is
// judged by its read-modify-write cycles instead (unlocked_cycles.h):
// invalid when another writer's rename certainly fell inside one, unknown
// when that is only possible or no cycle could be delimited.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_TRACE_MUTUAL_EXCLUSION_H_
#define LOCKHARNESS_HARNESS_CHECKERS_TRACE_MUTUAL_EXCLUSION_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {

// REQUIRES: the trace `timeline` was built from is alive.
CheckerReport CheckTraceMutualExclusion(const TraceTimeline& timeline);

// One observed stay of a lock, as the checker above rebuilds it; times are
// CLOCK_MONOTONIC windows (trace_timeline.h).
struct ObservedSpan {
  int writer = 0;            // TracedCall::writer of the acquiring call
  int holder = 0;            // the acquiring process
  std::string how_acquired;  // "mkdir", "flock lock (flock exclusive ...)", ...
  std::string convention;    // mkdir, o-excl, link, rename, lock-file, flock, posix, ofd
  int64_t start_earliest = 0;
  int64_t start_latest = 0;
  bool ended = false;        // false: held until the last line of a keeper at least
  int64_t end_earliest = 0;  // if ended
  int64_t end_latest = 0;    // if ended; else the last line of a process that kept it
  size_t start_line = 0;     // trace line of the acquisition
};

// Every lock span of every convention the trace shows.
std::vector<ObservedSpan> ObservedLockSpans(const TraceTimeline& timeline);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_TRACE_MUTUAL_EXCLUSION_H_
