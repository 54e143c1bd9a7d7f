// Names of nemesis and setup kinds (see nemesis.h).

#include "lockharness/harness/runner/nemesis.h"

#include <array>
#include <utility>

namespace lockharness::harness::runner {
namespace {

constexpr std::array<std::pair<NemesisKind, std::string_view>, 5> kNemesisNames{{
    {NemesisKind::kKillHolder, "kill-holder"},
    {NemesisKind::kPauseHolder, "pause-holder"},
    {NemesisKind::kKillWriter, "kill-writer"},
    {NemesisKind::kStealLock, "steal-lock"},
    {NemesisKind::kBackdateLock, "backdate-lock"},
}};

constexpr std::array<std::pair<SetupKind, std::string_view>, 10> kSetupNames{{
    {SetupKind::kDeadOwnerLock, "dead-owner-lock"},
    {SetupKind::kRecycledPidLock, "recycled-pid-lock"},
    {SetupKind::kOtherBootLock, "other-boot-lock"},
    {SetupKind::kEmptyOwnerLock, "empty-owner-lock"},
    {SetupKind::kGarbledOwnerLock, "garbled-owner-lock"},
    {SetupKind::kOversizedOwnerLock, "oversized-owner-lock"},
    {SetupKind::kSymlinkedOwnerLock, "symlinked-owner-lock"},
    {SetupKind::kOwnerlessLock, "ownerless-lock"},
    {SetupKind::kStaleTempFiles, "stale-temp-files"},
    {SetupKind::kCorruptRegistry, "corrupt-registry"},
}};

template <typename Kind, size_t N>
std::string_view NameOf(const std::array<std::pair<Kind, std::string_view>, N>& table, Kind kind) {
  for (const auto& [k, name] : table) {
    if (k == kind) return name;
  }
  return "?";
}

template <typename Kind, size_t N>
std::optional<Kind> KindOf(const std::array<std::pair<Kind, std::string_view>, N>& table,
                           std::string_view name) {
  for (const auto& [k, n] : table) {
    if (n == name) return k;
  }
  return std::nullopt;
}

template <typename Kind, size_t N>
std::vector<std::string> NamesOf(const std::array<std::pair<Kind, std::string_view>, N>& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.second);
  return names;
}

}  // namespace

std::string_view NemesisKindName(NemesisKind kind) { return NameOf(kNemesisNames, kind); }
std::optional<NemesisKind> ParseNemesisKind(std::string_view name) {
  return KindOf(kNemesisNames, name);
}
std::vector<std::string> AllNemesisKindNames() { return NamesOf(kNemesisNames); }

std::string_view SetupKindName(SetupKind kind) { return NameOf(kSetupNames, kind); }
std::optional<SetupKind> ParseSetupKind(std::string_view name) { return KindOf(kSetupNames, name); }
std::vector<std::string> AllSetupKindNames() { return NamesOf(kSetupNames); }

}  // namespace lockharness::harness::runner
