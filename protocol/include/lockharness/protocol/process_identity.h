// process_identity.h: what tells one process apart from a later process that
// reuses its PID, or from a process of an earlier boot.
//
// On Linux the identity is (boot id, PID, start time in clock ticks since
// boot): a recycled PID has another start time; after a reboot the boot id
// differs. Owner records carry it so a waiter can tell a live holder from an
// unrelated process that happens to have the holder's old PID.
//
// A PID means something only inside one PID namespace of one kernel, so the
// identity also names the PID namespace (the inode of /proc/self/ns/pid) and
// the host (machine id and host name). A waiter in another namespace finds
// the process, where it can see it, through NSpid in /proc/<pid>/status.

#ifndef LOCKHARNESS_PROTOCOL_PROCESS_IDENTITY_H_
#define LOCKHARNESS_PROTOCOL_PROCESS_IDENTITY_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace lockharness::protocol {

struct ProcessIdentity {
  ProcessIdentity() = default;
  ProcessIdentity(pid_t p, std::string boot, uint64_t ticks) : pid(p), boot_id(std::move(boot)), start_ticks(ticks) {}

  pid_t pid = 0;
  std::string boot_id;       // /proc/sys/kernel/random/boot_id
  uint64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat
  uint64_t pid_ns = 0;       // inode of /proc/<pid>/ns/pid; 0: unknown
  std::string host;          // "<machine-id>/<hostname>"; empty: unknown

  bool operator==(const ProcessIdentity&) const = default;
};

// Reads the identity of `pid` from /proc. nullopt if the process does not
// exist or /proc is unavailable. pid_ns and host are left unknown: they are
// only read for the calling process (ReadSelfIdentity).
std::optional<ProcessIdentity> ReadProcessIdentity(pid_t pid);

// The calling process's full identity, read through /proc/self (which, unlike
// /proc/<getpid()>, is right even when /proc belongs to another PID
// namespace). nullopt if /proc is unavailable.
std::optional<ProcessIdentity> ReadSelfIdentity();

// True if /proc is the proc of our own PID namespace, so that /proc/<pid>
// names the process that kill(pid, ...) would reach.
bool ProcMatchesOwnPidNamespace();

// The host part of an identity: "<machine-id>/<hostname>" (either part may
// be empty when unreadable; both empty gives "").
std::string HostIdentity();

// Where a process that another PID namespace calls `ns_pid` is, seen from
// here (docs/protocol.md, P9).
struct PidNamespaceLookup {
  enum class Result {
    kFound,       // a process of that namespace has that PID there; `process` is it
    kNotRunning,  // we see into the namespace and no process of it has that PID
    kInvisible,   // we cannot see into the namespace (a sibling or an ancestor of
                  // ours, or gone, or some processes' namespaces were unreadable)
  };
  Result result = Result::kInvisible;
  ProcessIdentity process;  // kFound: our PID for it, boot id, start ticks, pid_ns
};

// Scans /proc for a process whose /proc/<p>/ns/pid inode is `pid_ns` and
// whose NSpid's last entry is `ns_pid`. Costs one stat per process on the
// machine, plus a read of status for those in that namespace.
PidNamespaceLookup LookUpInPidNamespace(uint64_t pid_ns, pid_t ns_pid);

// The last entry of the NSpid line of a /proc/<pid>/status text, or nullopt.
std::optional<pid_t> ParseInnermostNsPid(std::string_view proc_status);

// The start time (field 22) from the contents of a /proc/<pid>/stat file,
// whose second field (the command name) may contain spaces and parentheses.
std::optional<uint64_t> ParseStartTicks(std::string_view proc_stat);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_PROCESS_IDENTITY_H_
