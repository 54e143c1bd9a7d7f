// holder.h (private): finds the writer process that holds the registry lock.
//
// The harness reads the lock's owner record the way a waiter would: the file
// `<registry>.lock/owner` (the seed recipe's and the reference's layout),
// taking the first run of decimal digits as the PID, so both a bare "4242"
// and {"pid":4242} are understood. The PID counts only if it is one of this
// run's writer processes, or a process inside one of their process groups
// (an adapter script whose library runs in a child): the harness never
// signals a process it did not start. A holder in another PID namespace
// (a placed writer, placement.h) is found from the record's PID and the
// identity's pid_ns through NSpid among the descendants of our writers.

#ifndef LOCKHARNESS_HARNESS_SRC_RUNNER_HOLDER_H_
#define LOCKHARNESS_HARNESS_SRC_RUNNER_HOLDER_H_

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>

#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {

struct LockHolder {
  int writer = -1;
  pid_t pid = 0;        // the writer's process (its group leader)
  pid_t owner_pid = 0;  // the PID the owner record names (in the holder's PID namespace)
  pid_t process = 0;    // that process's PID here (== owner_pid unless placed in its own namespace)
};

// The lock directory of `registry`: "<registry>.lock".
std::filesystem::path LockDirOf(const std::filesystem::path& registry);

// The first run of decimal digits in `text` as a positive pid, or nullopt.
std::optional<pid_t> FirstPid(std::string_view text);

// The holder of the registry's lock now, or nullopt if there is no lock,
// no readable owner record, or its PID is not one of ours.
// `lock_path` (empty: LockDirOf(registry)) is where the owner record
// `<lock_path>/owner` is looked for.
std::optional<LockHolder> FindLockHolder(const std::filesystem::path& registry,
                                         const LiveProcesses& live,
                                         const std::filesystem::path& lock_path = {});

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_SRC_RUNNER_HOLDER_H_
