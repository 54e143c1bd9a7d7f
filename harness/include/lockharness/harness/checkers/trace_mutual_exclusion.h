// trace_mutual_exclusion.h: mutual exclusion judged from the interposer's
// system-call trace ("trace-mutual-exclusion"), for any implementation,
// whether or not it reports its lock spans.
//
// Lock spans are reconstructed per process from the calls on the lock path
// `R.lock`. Recognised acquisitions: a successful mkdir of it; a successful
// link onto it; a successful rename onto it (of a path that held no lock:
// a lock built elsewhere and moved in); an open of it that returned a
// descriptor the same process then writes to before closing it (a lock
// file made with O_CREAT|O_EXCL that receives the holder's pid: the trace
// carries no open flags, and a waiter reading the file does not write).
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
// successful registry rename, shows renames but no acquisition this
// checker recognises (flock, fcntl locks, no lock at all), or lock holders
// that never rename themselves (lock and rename done by different
// processes, e.g. mkdir(1) then mv(1)); else valid.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_TRACE_MUTUAL_EXCLUSION_H_
#define LOCKHARNESS_HARNESS_CHECKERS_TRACE_MUTUAL_EXCLUSION_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {

// REQUIRES: the trace `timeline` was built from is alive.
CheckerReport CheckTraceMutualExclusion(const TraceTimeline& timeline);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_TRACE_MUTUAL_EXCLUSION_H_
