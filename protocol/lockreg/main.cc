// lockreg: the reference client of the lock-and-rename protocol.
//
//   lockreg --file PATH [options] OP [ARGS...]
//   lockreg --file PATH worker            (JSON lines on stdin/stdout)
//
// Exit codes: 0 done, 1 refused, 2 usage error, 3 lock not acquired before
// the deadline, 4 I/O error, 5 corrupt registry, 6 lock lost.

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "lockharness/protocol/fault_points.h"
#include "lockharness/protocol/mutant.h"
#include "lockharness/protocol/registry_store.h"
#include "worker.h"

#ifdef LOCKHARNESS_FAULT_POINTS
#include <fiu-control.h>
#include <fiu.h>
#endif

namespace {

using namespace lockharness;

constexpr char kFooter[] = R"(Operations:
  register NAME [KEY=VALUE...]  add or replace NAME (first one becomes the default)
  update NAME KEY=VALUE...      merge fields into NAME (refused: unknown NAME, renaming)
  remove NAME                   delete NAME (the default moves to the first remaining)
  set-default NAME              make NAME the default (refused: unknown NAME)
  get NAME                      print NAME's entry as JSON
  list                          print the whole registry as JSON
  worker                        serve JSON-line requests on stdin (docs/adapter-contract.md)
Fields: model, nimContainer, provider (strings; "null" for null), gpuEnabled (true|false),
  policies (comma-separated), or any other KEY (stored as a string).

Exit codes:
  0 done   1 refused (unknown sandbox, rename attempt)   2 usage error
  3 lock not acquired before the deadline (the message names the holder)
  4 I/O error   5 corrupt registry (never overwritten; its bytes are backed up)
  6 lock lost (another process broke our lock; see the message)

Environment (testing aids):
  LOCKHARNESS_RUN_DIR   set by lockharness: mutating operations then print their lock span as a JSON line
  LOCKHARNESS_STALE_MS  milliseconds: the grace before a lock without a valid owner record is broken
                        (unless --ownerless-grace-ms is given), and the age at which --mutant age-reap
                        breaks any lock (default 10000)
  LOCKREG_FAULT_POINTS  enable fault points, e.g. "lockreg/write/before_rename=EIO,lockreg/lock/after_mkdir=crash"
  LOCKREG_FIU_FIFO      control fault points at run time with fiu-ctrl through this fifo basename
)";

int Fail(int code, const std::string& message) {
  std::cerr << "lockreg: " << message << "\n";
  return code;
}

// Applies LOCKREG_FAULT_POINTS / LOCKREG_FIU_FIFO. Returns false on a bad spec.
bool SetUpFaultPoints() {
  const char* spec = std::getenv("LOCKREG_FAULT_POINTS");
  if (spec != nullptr && *spec != '\0') {
    protocol::Status s = protocol::ApplyFaultSpec(spec);
    if (!s.ok()) {
      std::cerr << "lockreg: LOCKREG_FAULT_POINTS: " << s.message() << "\n";
      return false;
    }
  }
#ifdef LOCKHARNESS_FAULT_POINTS
  const char* fifo = std::getenv("LOCKREG_FIU_FIFO");
  if (fifo != nullptr && *fifo != '\0') {
    fiu_init(0);
    if (fiu_rc_fifo(fifo) != 0) {
      std::cerr << "lockreg: LOCKREG_FIU_FIFO: cannot create control fifo " << fifo << "\n";
      return false;
    }
  }
#endif
  return true;
}

constexpr int64_t kMaxMs = 86400000;  // a day: longer is surely a mistake

// Reads LOCKHARNESS_STALE_MS. nullopt if unset or empty; false (with a
// message) if it is not a whole number of milliseconds in [0, a day].
bool ReadStaleMs(std::optional<int64_t>* out) {
  const char* text = std::getenv("LOCKHARNESS_STALE_MS");
  if (text == nullptr || *text == '\0') return true;
  std::string_view v(text);
  int64_t ms = -1;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
  if (ec != std::errc() || ptr != v.data() + v.size() || ms < 0 || ms > kMaxMs) {
    std::cerr << "lockreg: LOCKHARNESS_STALE_MS: expected milliseconds from 0 to " << kMaxMs << ", got '" << v << "'\n";
    return false;
  }
  *out = ms;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // `lockreg --list-mutants`: one mutant name per line, for harnesses that
  // run every mutant (lockharness mutants). Needs no --file.
  if (argc == 2 && std::string_view(argv[1]) == "--list-mutants") {
    for (const auto& m : protocol::AllMutantNames()) std::printf("%s\n", m.c_str());
    return 0;
  }
  CLI::App app{"lockreg: reference client of the lock-and-rename registry protocol", "lockreg"};
  app.footer(kFooter);
  std::string file;
  int64_t timeout_ms = 10000;
  int64_t grace_ms = 5000;
  std::string mutant_name = "none";
  std::vector<std::string> args;
  app.add_option("--file", file, "the registry file (its lock is FILE.lock)")->required();
  app.add_option("--timeout-ms", timeout_ms, "give up waiting for the lock after this long")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, kMaxMs));
  auto* grace_option =
      app.add_option("--ownerless-grace-ms", grace_ms,
                     "break a lock without a valid owner record after this long (default: LOCKHARNESS_STALE_MS, "
                     "else 5000)")
          ->check(CLI::Range(int64_t{0}, kMaxMs));
  std::string mutants = "testing aid, never for real use: a deliberately broken variant (";
  for (const auto& m : protocol::AllMutantNames()) mutants += m + " ";
  mutants.back() = ')';
  app.add_option("--mutant", mutant_name, mutants)->capture_default_str();
  app.add_option("operation", args, "OP [ARGS...]")->required();
  app.allow_extras(false);
  app.positionals_at_end(true);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : lockreg::kExitUsage;
  }

  auto mutant = protocol::ParseMutant(mutant_name);
  if (!mutant) return Fail(lockreg::kExitUsage, "unknown mutant '" + mutant_name + "'");
  if (!SetUpFaultPoints()) return lockreg::kExitUsage;
  std::optional<int64_t> stale_ms;
  if (!ReadStaleMs(&stale_ms)) return lockreg::kExitUsage;
  if (stale_ms && grace_option->count() == 0) grace_ms = *stale_ms;

  protocol::StoreOptions options;
  options.lock.timeout = std::chrono::milliseconds(timeout_ms);
  options.lock.ownerless_grace = std::chrono::milliseconds(grace_ms);
  if (stale_ms) options.lock.stale_age = std::chrono::milliseconds(*stale_ms);
  options.mutant = *mutant;
  protocol::RegistryStore store(protocol::Env::Default(), file, options);

  if (args.size() == 1 && args[0] == "worker") return lockreg::RunWorker(store, std::cin, std::cout);

  auto request = lockreg::ParseRequest(args);
  if (!request.ok()) return Fail(lockreg::kExitUsage, request.status().message() + " (see --help)");
  protocol::LockSpan span;
  protocol::Status s = lockreg::RunRequest(store, *request, std::cout, &span);
  // Under the harness, report when we held the lock so its mutual-exclusion
  // checker can judge per-operation runs too (docs/adapter-contract.md).
  const char* run_dir = std::getenv("LOCKHARNESS_RUN_DIR");
  // LOCKHARNESS_NO_SPANS (tests): be judged from observation alone.
  if (s.ok() && span.acquired_ns != 0 && run_dir != nullptr && *run_dir != '\0' &&
      std::getenv("LOCKHARNESS_NO_SPANS") == nullptr) {
    std::cout << "{\"lock_acquired_ns\":" << span.acquired_ns << ",\"lock_released_ns\":" << span.released_ns << "}\n";
  }
  std::cout.flush();
  if (!s.ok()) return Fail(lockreg::ExitCodeFor(s), s.ToString());
  return lockreg::kExitOk;
}
