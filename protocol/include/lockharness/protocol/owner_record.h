// owner_record.h: the owner record a lock holder publishes inside the lock
// directory, and how a waiter judges it.
//
// Inside `<file>.lock/`:
//   owner           the holder's PID as bare decimal digits (what other
//                   implementations of the seed's recipe write and parse);
//   owner.identity  "pid=<pid>\nboot_id=<id>\nstart_ticks=<n>\ntoken=<hex>\n"
//                   then "pid_ns=<inode>\nhost=<machine-id>/<hostname>\n"
//                   (P9; older readers ignore unknown keys), written before
//                   `owner` so that whenever `owner` exists the identity
//                   beside it is complete.
// `owner` is published atomically: written to `owner.tmp.<pid>.<random>`
// (O_EXCL) and renamed into place, so a reader never sees it half written.

#ifndef LOCKHARNESS_PROTOCOL_OWNER_RECORD_H_
#define LOCKHARNESS_PROTOCOL_OWNER_RECORD_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lockharness/protocol/env.h"
#include "lockharness/protocol/process_identity.h"

namespace lockharness::protocol {

inline constexpr char kOwnerFile[] = "owner";
inline constexpr char kIdentityFile[] = "owner.identity";
// Owner records are tiny; anything larger is garbage, not a record.
inline constexpr size_t kMaxOwnerRecordBytes = 64;
inline constexpr size_t kMaxIdentityBytes = 512;

struct OwnerIdentity {
  ProcessIdentity process;
  uint64_t token = 0;  // random per acquisition
};

std::string FormatOwnerPid(pid_t pid);
// Accepts optional surrounding whitespace around 1-10 decimal digits that fit
// a positive pid_t; anything else is nullopt (garbled).
std::optional<pid_t> ParseOwnerPid(std::string_view text);

std::string FormatIdentity(const OwnerIdentity& id);
// nullopt if a key pid, boot_id, start_ticks or token is missing or
// malformed, or `text` is longer than kMaxIdentityBytes (the input bound).
std::optional<OwnerIdentity> ParseIdentity(std::string_view text);

// What a waiter concludes about the holder of an existing lock.
enum class OwnerState {
  kAlive,              // the PID runs and its identity matches the record
  kAliveUnverifiable,  // the PID runs; no identity to compare (seed-style owner)
  kDead,               // kill(pid, 0) says ESRCH
  kRecycled,           // the PID runs but is another process, or the record is from another boot
  kNoRecord,           // no owner file, or an empty, garbled, oversized or non-regular one
  // The holder's PID cannot be checked from here (P10): broken only once
  // its lease has expired (P11), never on PID evidence.
  kOtherPidNamespace,  // same kernel, a PID namespace we cannot see into
  kOtherHost,          // another host (another boot id and another host identity)
};

// True for the states whose lock may be broken only when its lease expired.
bool NeedsLease(OwnerState s);

const char* OwnerStateName(OwnerState s);

// Classifies a lock from the raw bytes of its owner files (nullopt: absent or
// unreadable). Pure apart from the liveness probes through `env`.
// `pids_are_global` is the host-blind mutant: the record's PID namespace and
// host are ignored and its PID is judged as if it were ours.
OwnerState ClassifyOwner(Env* env, const std::optional<std::string>& owner_bytes,
                         const std::optional<std::string>& identity_bytes, pid_t* pid_out,
                         bool pids_are_global = false);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_OWNER_RECORD_H_
