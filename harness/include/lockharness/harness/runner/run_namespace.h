// run_namespace.h: the PID namespace the harness owns, so that no process
// of a run outlives the harness, even a SIGKILLed one (docs/adapter-contract.md,
// "No survivors, even of a SIGKILLed harness").
//
// EnterRunNamespace() makes a new PID namespace and a mount namespace with
// its own /proc (as root; otherwise inside a new user namespace that maps
// the caller's uid and gid to themselves, where the kernel allows that) and
// moves the harness into it:
//
//   lockharness (the process the user started; waits, forwards signals)
//     `- lockharness (PID 1 there: reaps orphans, forwards signals)
//          `- lockharness (PID 2: returns from EnterRunNamespace and runs)
//               `- every writer, reader process, placer and their children
//
// The kernel kills every process of a PID namespace when its PID 1 dies.
// PID 1 has PR_SET_PDEATHSIG=SIGKILL towards the starting process and exits
// when the harness does, so killing any of the three, with any signal, ends
// every process of the run. The harness and every writer see the PIDs of
// the run's namespace, and its /proc (hence /proc/locks, /proc/PID/status
// NSpid) shows the same numbers: the PID-based checks stay consistent.
// The two outer processes exit as the harness did (killed by a signal:
// with that signal).
//
// Where the namespaces cannot be made (not root, and no unprivileged user
// namespaces), the harness runs as before, in the caller's namespaces, and
// a SIGKILLed harness leaves its writers running; RunNamespaceState() says
// why, and run.json records it.
//
// REQUIRES: called at most once, before the process has started a thread.
//
// Usage (in main, after parsing the command line):
//   runner::EnterRunNamespace();
//   ... run ...

#ifndef LOCKHARNESS_HARNESS_RUNNER_RUN_NAMESPACE_H_
#define LOCKHARNESS_HARNESS_RUNNER_RUN_NAMESPACE_H_

#include <string>

namespace lockharness::harness::runner {

struct RunNamespace {
  bool owned = false;           // this process runs in a PID namespace of its own
  bool user_namespace = false;  // ... made inside a user namespace (not root)
  std::string reason;           // why not, when !owned
};

// Enters the run's namespaces (see above). Returns only in the process that
// runs the harness: the namespaces' PID 2, or this process, unchanged, when
// they cannot be made.
const RunNamespace& EnterRunNamespace();

// What EnterRunNamespace() did; before it is called, not owned, with the
// reason "not requested by this program".
const RunNamespace& RunNamespaceState();

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_RUN_NAMESPACE_H_
