// signals.h: SIGINT/SIGTERM handling for the harness.
//
// InstallTerminationHandlers() makes SIGINT and SIGTERM (and SIGHUP) set a
// flag and SIGKILL every child process group listed by process.h; the run
// then notices Interrupted(), records the killed operations as `info`, reaps
// every child and exits. SIGPIPE is ignored, so a worker that dies while the
// harness writes to it gives EPIPE instead of killing the harness. Because
// the handler sets the flag before it walks the child table, and Spawn()
// registers a child before checking the flag, no child escapes a signal that
// arrives while it is being started.
//
// Usage:
//   InstallTerminationHandlers();
//   while (!Interrupted()) { ... }

#ifndef LOCKHARNESS_HARNESS_RUNNER_SIGNALS_H_
#define LOCKHARNESS_HARNESS_RUNNER_SIGNALS_H_

namespace lockharness::harness::runner {

void InstallTerminationHandlers();

// True once SIGINT/SIGTERM/SIGHUP was received.
bool Interrupted();

// The signal received, or 0.
int InterruptSignal();

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_SIGNALS_H_
