// recovery.h: sweeping what killed writers leave behind (P6).
//
// A writer killed mid-operation leaves its temp file "<file>.tmp.<pid>.*"
// and, if it was breaking a lock, a quarantine "<file>.lock.quarantine.<pid>.*".
// The next writer, holding the lock, removes those whose <pid> is dead.
// Entries of live processes are never touched.

#ifndef LOCKHARNESS_PROTOCOL_RECOVERY_H_
#define LOCKHARNESS_PROTOCOL_RECOVERY_H_

#include <string>
#include <vector>

#include "lockharness/protocol/env.h"
#include "lockharness/protocol/status.h"

namespace lockharness::protocol {

struct SweepResult {
  std::vector<std::string> removed;  // names removed
  std::vector<std::string> failed;   // names that could not be removed
};

// REQUIRES: the caller holds the lock of `registry_path`.
StatusOr<SweepResult> SweepLeftovers(Env* env, const std::string& registry_path);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_RECOVERY_H_
