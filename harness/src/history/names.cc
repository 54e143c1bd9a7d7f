// history/names.cc: the names of event types and operations (history.h).

#include "lockharness/harness/history.h"

#include "match.h"

namespace lockharness::harness {
namespace {

using history_internal::MatchEventType;
using history_internal::MatchOpKind;

constexpr std::string_view kEventTypeNames[] = {"invoke", "ok", "fail", "info", "read", "fault"};
constexpr std::string_view kOpKindNames[] = {"register",    "update", "remove",
                                             "set-default", "get",    "list"};

}  // namespace

std::string_view EventTypeName(EventType type) { return kEventTypeNames[static_cast<int>(type)]; }

std::optional<EventType> ParseEventType(std::string_view name) { return MatchEventType(name); }

std::string_view OpKindName(OpKind kind) { return kOpKindNames[static_cast<int>(kind)]; }

std::optional<OpKind> ParseOpKind(std::string_view name) { return MatchOpKind(name); }

bool IsMutating(OpKind kind) {
  return kind == OpKind::kRegister || kind == OpKind::kUpdate || kind == OpKind::kRemove ||
         kind == OpKind::kSetDefault;
}

}  // namespace lockharness::harness
