// registry_cycle.h: the critical section every lock strategy protects in the
// contention benchmark: one read-modify-write of a registry-shaped JSON file.
//
//   Status s = SeedRegistryFile(path, 20);      // once, before the processes start
//   ... under the lock:  s = BumpCounter(path, WriteMethod::kTempFsyncRenameDirSync);
//   StatusOr<int64_t> n = ReadCounter(path);    // after the run: the number of bumps
//
// The cycle is the same for every strategy, so differences between
// strategies come from the lock alone: read the whole file, parse it with
// nlohmann::json, add one to `sandboxes["bench-counter"]["ops"]`, serialize
// it (two-space indent, as the registry does) and replace the file with
// `method` (write_methods.h). Because every bump is a read-modify-write, the
// final counter equals the number of bumps only if the lock excluded
// everyone: ReadCounter is the benchmark's lost-update check.

#ifndef LOCKHARNESS_BENCH_REGISTRY_CYCLE_H_
#define LOCKHARNESS_BENCH_REGISTRY_CYCLE_H_

#include <cstdint>
#include <string>

#include "lockharness/bench/write_methods.h"
#include "lockharness/protocol/status.h"

namespace lockharness::bench {

using protocol::StatusOr;

// Writes a registry with `sandboxes` ordinary entries (each about 300 bytes,
// like a real one) plus the "bench-counter" entry at 0.
// REQUIRES: sandboxes >= 0; the directory of `path` exists.
Status SeedRegistryFile(const std::string& path, int sandboxes);

// One read-modify-write. kCorrupt if the file does not parse or has no
// counter; kIoError if reading or writing fails (the file is then unchanged
// or, for kInPlace, possibly damaged). REQUIRES: the caller holds the lock.
Status BumpCounter(const std::string& path, WriteMethod method);

// The counter's value; errors as BumpCounter.
StatusOr<int64_t> ReadCounter(const std::string& path);

}  // namespace lockharness::bench

#endif  // LOCKHARNESS_BENCH_REGISTRY_CYCLE_H_
