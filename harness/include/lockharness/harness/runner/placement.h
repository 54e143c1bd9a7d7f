// placement.h: where the writers of a run live (docs/scenarios.md,
// "Placement"): all in the harness's namespaces, each in its own PID
// namespace (containers sharing a volume), each on a simulated host (own
// PID, UTS and mount namespaces, host name and boot id; only the registry's
// directory is shared), or a mix.
//
// A placed writer runs under `lockharness-placer` (placer.cc), whose child,
// PID 1 of a new PID namespace, execs the implementation (or, with the
// run's placement_init, forks it as PID 2 and stays its init). The harness keeps
// spawning, signalling and reaping the placer's process group as before;
// holder-directed nemeses find the real process from the owner record's PID
// through NSpid (FindInPidNamespace).

#ifndef LOCKHARNESS_HARNESS_RUNNER_PLACEMENT_H_
#define LOCKHARNESS_HARNESS_RUNNER_PLACEMENT_H_

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::harness::runner {

enum class Placement {
  kSame,          // today's: every writer in the harness's namespaces
  kPidNamespace,  // each writer process in its own PID namespace
  kHost,          // each writer on its own simulated host
  kMixed,         // writer w: same, pid-namespace, host for w mod 3 = 0, 1, 2
};

std::string_view PlacementName(Placement p);  // "same" | "pid-namespace" | "host" | "mixed"
std::optional<Placement> ParsePlacement(std::string_view name);
// The names, for help texts and error messages: "same, pid-namespace, host, mixed".
std::string PlacementNames();

// What writer `writer` gets under `p` (never kMixed).
Placement PlacementOf(Placement p, int writer);

// The command prefix that places writer `writer` ({} for kSame): the placer
// and its options (with `init`, --init: the writer runs as the child of a
// minimal init, not as PID 1). A simulated host's boot id file is written
// to `hosts_dir`/writer-<w>.boot_id (a UUID drawn from `seed`). False with
// *error if a file cannot be written.
bool PlacementPrefix(Placement p, bool init, int writer, uint64_t seed,
                     const std::filesystem::path& hosts_dir, std::vector<std::string>* prefix,
                     std::string* error);

// "" if this machine can provide `p` (the placer's --check succeeds for
// each kind `p` uses), else the reason, e.g. "placement 'host' is not
// available: lockharness-placer: unshare(...): Operation not permitted".
std::string PlacementUnavailableReason(Placement p, const std::filesystem::path& hosts_dir);

// The placer program (built beside lockharness).
std::string PlacerProgram();

// The process that PID namespace `pid_ns` (an inode of /proc/*/ns/pid; 0:
// any namespace) calls `ns_pid`, as our PID, among the processes whose
// process group satisfies `in_group` (nullptr: any). nullopt if there is
// no such process or more than one.
std::optional<pid_t> FindInPidNamespace(uint64_t pid_ns, pid_t ns_pid,
                                        const std::function<bool(pid_t group)>& in_group);

// The inode of our own PID namespace (/proc/self/ns/pid), 0 if unreadable.
uint64_t OwnPidNamespace();

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_PLACEMENT_H_
