// SIGINT/SIGTERM handling (see signals.h).

#include "lockharness/harness/runner/signals.h"

#include <signal.h>

#include <atomic>

#include "lockharness/harness/runner/process.h"

namespace lockharness::harness::runner {
namespace {

std::atomic<int> g_signal{0};

void OnTerminationSignal(int sig) {
  g_signal.store(sig);
  KillAllRegisteredGroups();
}

}  // namespace

void InstallTerminationHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnTerminationSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
}

bool Interrupted() { return g_signal.load() != 0; }

int InterruptSignal() { return g_signal.load(); }

}  // namespace lockharness::harness::runner
