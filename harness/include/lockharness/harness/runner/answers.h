// answers.h: parsing what an implementation prints back (docs/adapter-contract.md):
// a worker's JSON answer line, and the optional lock span line of a per-op
// process. Both are untrusted input: every field's type is checked.
//
// Input bound: a line longer than kMaxAnswerBytes, or with JSON nested
// deeper than kMaxAnswerDepth, is rejected unparsed with an error saying so.

#ifndef LOCKHARNESS_HARNESS_RUNNER_ANSWERS_H_
#define LOCKHARNESS_HARNESS_RUNNER_ANSWERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockharness::harness::runner {

// 16 MiB: far above any registry a get/list prints in the suites.
inline constexpr size_t kMaxAnswerBytes = 16u << 20;
// A registry document nests 3 levels; 64 leaves room for any sane value.
inline constexpr int kMaxAnswerDepth = 64;

// Absolute CLOCK_MONOTONIC ns the implementation says it held the lock.
struct LockSpan {
  int64_t acquired_ns = 0;
  int64_t released_ns = 0;
};

// Result of reading the span keys of an answer or span line.
struct SpanReading {
  std::optional<LockSpan> span;  // both keys present and integers
  std::string error;             // non-empty: keys present but malformed
};

struct WorkerAnswer {
  bool ok = false;
  bool unknown = false;              // "unknown": true, the outcome is in doubt
  std::string error;                 // "error" (a non-string is kept as its JSON)
  std::optional<std::string> value;  // "value" as JSON text, if present
  SpanReading span;
};

// Parses one worker answer line to the request with `id`. On success
// returns the answer (its span may still carry an error: a malformed span
// does not undo an answer). Returns nullopt and sets *error (if non-null)
// when the line is too long, not a JSON object, lacks "id": `id` or a
// boolean "ok", or has a non-boolean "unknown".
std::optional<WorkerAnswer> ParseWorkerAnswer(std::string_view line, int64_t id,
                                              std::string* error);

// Reads the optional span line of a per-op process's stdout: its last
// non-empty line. A line that is not a JSON object and does not mention
// lock_acquired_ns or lock_released_ns is no span line (nothing to read).
// A line that mentions them must be a JSON object with both as integers,
// else the reading carries an error.
SpanReading ParsePerOpSpan(std::string_view stdout_text);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_ANSWERS_H_
