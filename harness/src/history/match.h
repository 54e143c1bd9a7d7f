// match.h (private): event type and operation names matched at parse
// speed, shared by the names (names.cc) and the line parser (parser.cc).

#ifndef LOCKHARNESS_HARNESS_SRC_HISTORY_MATCH_H_
#define LOCKHARNESS_HARNESS_SRC_HISTORY_MATCH_H_

#include <cstring>
#include <optional>
#include <string_view>

#include "lockharness/harness/history.h"

namespace lockharness::harness::history_internal {

// `text == literal` with the length known at compile time, so the compiler
// compares inline instead of calling memcmp: this runs for every field of
// every line, and the library call was the parser's largest single cost.
template <size_t N>
bool Is(std::string_view text, const char (&literal)[N]) {
  return text.size() == N - 1 && std::memcmp(text.data(), literal, N - 1) == 0;
}

inline std::optional<EventType> MatchEventType(std::string_view name) {
  switch (name.size()) {
    case 2:
      if (Is(name, "ok")) return EventType::kOk;
      break;
    case 4:
      if (Is(name, "fail")) return EventType::kFail;
      if (Is(name, "info")) return EventType::kInfo;
      if (Is(name, "read")) return EventType::kRead;
      break;
    case 5:
      if (Is(name, "fault")) return EventType::kFault;
      break;
    case 6:
      if (Is(name, "invoke")) return EventType::kInvoke;
      break;
    default: break;
  }
  return std::nullopt;
}

inline std::optional<OpKind> MatchOpKind(std::string_view name) {
  switch (name.size()) {
    case 3:
      if (Is(name, "get")) return OpKind::kGet;
      break;
    case 4:
      if (Is(name, "list")) return OpKind::kList;
      break;
    case 6:
      if (Is(name, "update")) return OpKind::kUpdate;
      if (Is(name, "remove")) return OpKind::kRemove;
      break;
    case 8:
      if (Is(name, "register")) return OpKind::kRegister;
      break;
    case 11:
      if (Is(name, "set-default")) return OpKind::kSetDefault;
      break;
    default: break;
  }
  return std::nullopt;
}

}  // namespace lockharness::harness::history_internal

#endif  // LOCKHARNESS_HARNESS_SRC_HISTORY_MATCH_H_
