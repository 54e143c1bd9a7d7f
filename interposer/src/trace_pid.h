// trace_pid.h (private): the process IDs a trace line names.
//
// Normally getpid() and getppid(). A writer the harness placed in a PID
// namespace of its own (placement pid-namespace or host) is PID 1 there, as
// is every other placed writer: by those numbers the trace could not tell
// the writers apart, nor the harness find a holder. For such runs the
// harness sets LOCKHARNESS_TRACE_PROC to a directory over which the placer
// bind-mounts the harness's /proc before mounting the namespace's own; the
// trace then names each process by its PID in the harness's namespace: the
// `self` link of that procfs. Where the directory is not (yet) a procfs, as
// in the placer itself and in its child before it enters the new mounts,
// /proc still is the harness's and serves.
//
// No allocation, raw system calls only: called from wrappers, from the
// library's constructor and in a forked child.

#ifndef LOCKHARNESS_INTERPOSER_SRC_TRACE_PID_H_
#define LOCKHARNESS_INTERPOSER_SRC_TRACE_PID_H_

namespace lockharness::interposer {

// Reads LOCKHARNESS_TRACE_PROC; false if it is set but too long.
bool ConfigureTracePid();

// This process's PID for the trace (cached; recomputed when getpid()
// changes, i.e. in a forked child).
int TracePid();

// The parent's PID for a hello line: PPid of the harness's procfs view,
// else getppid() (0: the parent lies outside our PID namespace).
int TraceParentPid();

// In a forked child, before its first line: the parent's trace PID (the
// cached value the child inherited), then the cache is refreshed for the
// child.
int TracePidOfParentAfterFork();

// The PID procfs mounted at `proc_dir` gives the calling process (its
// `self` link), or 0 if `proc_dir` is not a procfs. Exposed for tests.
int ProcSelfPid(const char* proc_dir);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_SRC_TRACE_PID_H_
