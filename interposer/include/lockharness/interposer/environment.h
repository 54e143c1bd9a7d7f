// environment.h: builds the environment that runs a program under the
// interposer, validating it first so a harness rejects a bad fault spec
// before it starts any process (the library itself would exit with 125).
//
// Usage:
//   InterposerSettings s;
//   s.library = InterposeLibraryPath();   // the built .so
//   s.registry = "/abs/dir/sandboxes.json";
//   s.trace = run_dir + "/trace.jsonl";
//   s.faults = "lh/rename/registry=kill";
//   std::string error;
//   auto env = InterposerEnvironment(s, &error);   // {"LD_PRELOAD=...", ...}
//   if (!env) { report(error); }

#ifndef LOCKHARNESS_INTERPOSER_ENVIRONMENT_H_
#define LOCKHARNESS_INTERPOSER_ENVIRONMENT_H_

#include <optional>
#include <string>
#include <vector>

namespace lockharness::interposer {

inline constexpr char kRegistryVariable[] = "LOCKHARNESS_REGISTRY";
inline constexpr char kFaultsVariable[] = "LOCKHARNESS_FAULTS";
inline constexpr char kTraceVariable[] = "LOCKHARNESS_TRACE";
inline constexpr char kFifoVariable[] = "LOCKHARNESS_FIU_FIFO";
inline constexpr char kLockPathVariable[] = "LOCKHARNESS_LOCK_PATH";
// The status a process exits with when its interposer settings are invalid.
inline constexpr int kInvalidSettingsExitStatus = 125;

struct InterposerSettings {
  std::string library;    // path of liblockharness_interpose.so
  std::string registry;   // absolute path of the registry file
  std::string faults;     // LOCKHARNESS_FAULTS syntax; empty: none
  std::string trace;      // trace file; empty: no trace
  std::string fifo_base;  // fiu remote-control base name; empty: none
  std::string lock_path;  // lock path in the registry's directory; empty:
                          // the registry's path + ".lock"
};

// The path of the preload library this build produced.
std::string InterposeLibraryPath();

// Returns "KEY=VALUE" entries to add to a child's environment, or nullopt
// with *error naming the problem: empty library, relative registry, an
// invalid fault spec (the parser's message), or faults without a registry.
// LD_PRELOAD is set to the library alone; callers that must keep another
// preload should append it.
std::optional<std::vector<std::string>> InterposerEnvironment(
    const InterposerSettings& settings, std::string* error);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_ENVIRONMENT_H_
