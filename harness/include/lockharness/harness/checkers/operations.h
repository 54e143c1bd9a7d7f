// operations.h: a history's invoke/completion events paired into operations.
//
// Every checker that reasons about operations (rather than single events)
// works on an OperationIndex built once by IndexOperations(). Events are
// referenced, not copied: the index is valid while the history it was built
// from is alive and unchanged.
//
//   OperationIndex index = IndexOperations(run.history);
//   for (const Operation& op : index.operations) { ... }

#ifndef LOCKHARNESS_HARNESS_CHECKERS_OPERATIONS_H_
#define LOCKHARNESS_HARNESS_CHECKERS_OPERATIONS_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "lockharness/harness/history.h"

namespace lockharness::harness {

// kPending: the history has an invoke but no completion.
enum class Outcome { kOk, kFail, kInfo, kPending };

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Operation {
  int64_t id = -1;
  OpKind kind = OpKind::kGet;
  Outcome outcome = Outcome::kPending;
  const Event* invoke = nullptr;      // never null
  const Event* completion = nullptr;  // null while pending
  int64_t invoked_at = 0;
  int64_t completed_at = kNever;  // kNever while pending

  const std::string& name() const { return invoke->name; }
  const Fields& fields() const { return invoke->fields; }
  // The OS pid that ran the operation: the completion's if known (a
  // restarted worker may differ), else the invoke's; 0 if unknown.
  int pid() const;
  // Could the operation have taken effect? (ok, info or pending)
  bool MayHaveEffect() const { return outcome != Outcome::kFail; }
  // Real-time order: this completed before `later` was invoked.
  bool Precedes(const Operation& later) const { return completed_at < later.invoked_at; }
};

struct OperationIndex {
  // In invoke order (the order of invoke events in the history).
  std::vector<Operation> operations;
  // Inconsistencies in the pairing, one line each: a completion without an
  // invoke, a second completion, a reused id, events out of time order.
  std::vector<std::string> problems;
};

OperationIndex IndexOperations(const std::vector<Event>& history);

// "ok" | "fail" | "info" | "pending".
std::string_view OutcomeName(Outcome outcome);

// "op 7 update w3-17 {model=w3-op7} by writer 3 (pid 4242): invoked at
// 12.345 ms, ok at 13.000 ms", for evidence lines.
std::string DescribeOperation(const Operation& op);

// The operation's events as history lines, for evidence.
std::vector<std::string> OperationEventLines(const Operation& op);

// Nanoseconds since run start as "12.345 ms".
std::string FormatMillis(int64_t ns);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_OPERATIONS_H_
