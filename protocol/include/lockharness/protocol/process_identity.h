// process_identity.h: what tells one process apart from a later process that
// reuses its PID, or from a process of an earlier boot.
//
// On Linux the identity is (boot id, PID, start time in clock ticks since
// boot): a recycled PID has another start time; after a reboot the boot id
// differs. Owner records carry it so a waiter can tell a live holder from an
// unrelated process that happens to have the holder's old PID.

#ifndef LOCKHARNESS_PROTOCOL_PROCESS_IDENTITY_H_
#define LOCKHARNESS_PROTOCOL_PROCESS_IDENTITY_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockharness::protocol {

struct ProcessIdentity {
  pid_t pid = 0;
  std::string boot_id;      // /proc/sys/kernel/random/boot_id
  uint64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat

  bool operator==(const ProcessIdentity&) const = default;
};

// Reads the identity of `pid` from /proc. nullopt if the process does not
// exist or /proc is unavailable.
std::optional<ProcessIdentity> ReadProcessIdentity(pid_t pid);

// The start time (field 22) from the contents of a /proc/<pid>/stat file,
// whose second field (the command name) may contain spaces and parentheses.
std::optional<uint64_t> ParseStartTicks(std::string_view proc_stat);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_PROCESS_IDENTITY_H_
