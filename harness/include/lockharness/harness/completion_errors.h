// completion_errors.h: how the runner marks two kinds of completion that a
// checker must tell apart from other outcomes.
//
// - An operation the harness killed at its op timeout is recorded as `info`
//   with an error beginning "timed out after N ms"; processes killed by a
//   nemesis, a fault point, the run timeout or an interrupt get other errors
//   ("killed by ...", "interrupted; ...") and are not timeouts. The progress
//   checker calls a timed-out operation stuck (docs/checkers.md).
// - An operation whose output carried a malformed lock span (a span line or
//   worker answer whose lock_acquired_ns/lock_released_ns is not an integer,
//   or only one of them) keeps its outcome and gets an error beginning
//   "implementation error: malformed lock span: "; the mutual-exclusion
//   checker reports it. An error the implementation gave itself (a refusal's
//   text) is kept after it, so neither hides the other.

#ifndef LOCKHARNESS_HARNESS_COMPLETION_ERRORS_H_
#define LOCKHARNESS_HARNESS_COMPLETION_ERRORS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "lockharness/harness/history.h"

namespace lockharness::harness {

inline constexpr std::string_view kTimedOutPrefix = "timed out after ";
inline constexpr std::string_view kMalformedSpanPrefix =
    "implementation error: malformed lock span: ";

// "timed out after <timeout_ms> ms; <action>", e.g. action "worker killed".
inline std::string TimedOutError(int64_t timeout_ms, std::string_view action) {
  return std::string(kTimedOutPrefix) + std::to_string(timeout_ms) + " ms; " + std::string(action);
}

// True if `completion` is an operation the harness killed at its timeout.
inline bool IsTimedOut(const Event& completion) {
  return completion.type == EventType::kInfo &&
         std::string_view(completion.error).starts_with(kTimedOutPrefix);
}

// Marks `error` (the completion's error so far, possibly empty) as carrying
// a malformed lock span for `reason`, keeping the implementation's own text:
// "implementation error: malformed lock span: <reason>[; implementation said: <error>]".
inline void MarkMalformedSpan(std::string_view reason, std::string* error) {
  std::string marked = std::string(kMalformedSpanPrefix) + std::string(reason);
  if (!error->empty()) marked.append("; implementation said: ").append(*error);
  *error = std::move(marked);
}

// True if `completion` carried a malformed lock span.
inline bool HasMalformedSpan(const Event& completion) {
  return std::string_view(completion.error).starts_with(kMalformedSpanPrefix);
}

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_COMPLETION_ERRORS_H_
