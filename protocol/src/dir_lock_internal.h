// dir_lock_internal.h (protocol library only): what the three parts of the
// lock share. dir_lock.cc takes and gives back the lock (P2, P4, P7),
// owner_publication.cc writes the owner record (P2.2), lock_breaking.cc
// inspects and breaks a stale lock (P3).
#ifndef LOCKHARNESS_PROTOCOL_SRC_DIR_LOCK_INTERNAL_H_
#define LOCKHARNESS_PROTOCOL_SRC_DIR_LOCK_INTERNAL_H_

#include <cstdint>
#include <string>

#include "lockharness/protocol/dir_lock.h"
#include "lockharness/protocol/env.h"
#include "lockharness/protocol/mutant.h"
#include "lockharness/protocol/status.h"

namespace lockharness::protocol::internal {

// Publishes the owner record into the new lock directory `dirfd` (P2.2:
// identity, then owner by rename; the owner-nonatomic mutant writes it in
// place). Returns the identity's token. On failure the caller abandons the
// lock; a temp owner file of ours is already removed.
StatusOr<uint64_t> Publish(Env* env, int dirfd, const std::string& dir, Mutant mutant);

// Breaks an inspected lock (P3.4). OK means "look again": the lock was
// removed, or someone else changed it first.
Status BreakLock(Env* env, const std::string& path, const LockInspection& seen, Mutant mutant);

}  // namespace lockharness::protocol::internal

#endif  // LOCKHARNESS_PROTOCOL_SRC_DIR_LOCK_INTERNAL_H_
