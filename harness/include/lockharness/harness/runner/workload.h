// workload.h: the seeded schedule of operations each writer performs.
//
// GenerateWorkload() turns a seed and a few sizes into one list of planned
// operations per writer. Every choice comes from std::mt19937_64 streams
// derived from the seed, so the same options always give the same schedule
// (the seed printed in a report replays the run's schedule exactly; only the
// interleaving of the processes differs).
//
// Values are traceable to the operation that wrote them:
//   register uses a name no other operation uses: "w3-17" is writer 3's op 17;
//   every field value written is unique to its operation: model=w3-op17.
// update/remove/set-default target names registered earlier in the schedule
// (by this writer or another writer at an earlier index), and now and then a
// name that is never registered ("ghost-w3-17"), so that refusals happen.
//
// Usage:
//   WorkloadOptions options{.seed = 42, .writers = 8, .ops_per_writer = 25};
//   std::vector<std::vector<PlannedOp>> plan = GenerateWorkload(options);

#ifndef LOCKHARNESS_HARNESS_RUNNER_WORKLOAD_H_
#define LOCKHARNESS_HARNESS_RUNNER_WORKLOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/harness/history.h"

namespace lockharness::harness::runner {

// Relative weights of the operation kinds (they need not sum to 100).
struct OpMix {
  int register_weight = 40;
  int update_weight = 35;
  int remove_weight = 10;
  int set_default_weight = 15;
  int get_weight = 0;
};

// Parses "40,35,10,15" or "40,35,10,15,5" (register, update, remove,
// set-default[, get]). Returns nullopt and sets *error on malformed input,
// negative weights or an all-zero mix.
std::optional<OpMix> ParseOpMix(std::string_view text, std::string* error);
std::string FormatOpMix(const OpMix& mix);

struct WorkloadOptions {
  uint64_t seed = 1;
  int writers = 1;         // REQUIRES: >= 1
  int ops_per_writer = 1;  // REQUIRES: >= 1
  OpMix mix;
  // Minimum length of each field value; longer values make a bigger file,
  // which makes torn reads of a non-atomic write easier to observe. Values
  // stay unique: the operation tag comes first, padding after it.
  int value_bytes = 0;
  // Percentage of targeted operations aimed at a name never registered.
  int ghost_percent = 10;
};

struct PlannedOp {
  int64_t id = 0;  // unique in the run: writer * ops_per_writer + index
  int writer = 0;
  int index = 0;  // position in the writer's schedule
  OpKind kind = OpKind::kRegister;
  std::string name;
  Fields fields;  // register / update only
};

// Returns plan[w] = writer w's operations, in order.
// REQUIRES: options.writers >= 1, options.ops_per_writer >= 1.
std::vector<std::vector<PlannedOp>> GenerateWorkload(const WorkloadOptions& options);

// The per-op mode arguments appended to the command template:
// {"update", "w3-17", "model=w3-op9"}.
std::vector<std::string> OperationArguments(const PlannedOp& op);

// The worker mode request line (no trailing newline):
// {"id":9,"op":"update","name":"w3-17","fields":{"model":"w3-op9"}}
std::string WorkerRequestLine(const PlannedOp& op);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_WORKLOAD_H_
