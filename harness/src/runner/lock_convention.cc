// Lock conventions and the faults that apply to each (see lock_convention.h).

#include "lockharness/harness/runner/lock_convention.h"

#include <algorithm>
#include <array>
#include <utility>

namespace lockharness::harness::runner {
namespace {

using LC = LockConvention;

constexpr std::array<std::pair<LC, std::string_view>, 8> kNames{{
    {LC::kMkdir, "mkdir"},
    {LC::kOExcl, "o-excl"},
    {LC::kLink, "link"},
    {LC::kRename, "rename"},
    {LC::kFlock, "flock"},
    {LC::kPosix, "posix"},
    {LC::kOfd, "ofd"},
    {LC::kNone, "none"},
}};

const std::vector<LC> kPath = {LC::kMkdir, LC::kOExcl, LC::kLink, LC::kRename};
const std::vector<LC> kKernel = {LC::kFlock, LC::kPosix, LC::kOfd};

std::vector<LC> All() {
  std::vector<LC> all;
  for (const auto& [c, name] : kNames) all.push_back(c);
  return all;
}

bool Contains(const std::vector<LC>& list, LC c) {
  return std::find(list.begin(), list.end(), c) != list.end();
}

std::string Names(const std::vector<LC>& list) {
  std::string text;
  for (LC c : list) text += (text.empty() ? "" : ", ") + std::string(LockConventionName(c));
  return text;
}

}  // namespace

std::string_view LockConventionName(LockConvention convention) {
  for (const auto& [c, name] : kNames) {
    if (c == convention) return name;
  }
  return "?";
}

std::optional<LockConvention> ParseLockConvention(std::string_view name) {
  for (const auto& [c, n] : kNames) {
    if (n == name) return c;
  }
  return std::nullopt;
}

std::string LockConventionNames() { return Names(All()); }

bool IsPathLock(LockConvention convention) { return Contains(kPath, convention); }
bool IsKernelLock(LockConvention convention) { return Contains(kKernel, convention); }

std::optional<std::vector<LockConvention>> ExpandConventionWord(std::string_view word) {
  if (word == "path") return kPath;
  if (word == "kernel") return kKernel;
  if (word == "any") return All();
  if (auto c = ParseLockConvention(word)) return std::vector<LC>{*c};
  return std::nullopt;
}

std::string ConventionWordsText() {
  return "a lock convention (" + LockConventionNames() + ") or a group (path, kernel, any)";
}

std::optional<LockConvention> ObservedConvention(std::string_view observed) {
  if (observed == "lock-file") return LC::kOExcl;
  auto c = ParseLockConvention(observed);
  if (c == LC::kNone) return std::nullopt;
  return c;
}

std::vector<LockConvention> SetupKindConventions(SetupKind kind) {
  switch (kind) {
    case SetupKind::kDeadOwnerLock: return {LC::kMkdir, LC::kOExcl, LC::kLink};
    case SetupKind::kRecycledPidLock:
    case SetupKind::kOtherBootLock:
    case SetupKind::kEmptyOwnerLock:
    case SetupKind::kGarbledOwnerLock:
    case SetupKind::kOversizedOwnerLock:
    case SetupKind::kSymlinkedOwnerLock:
    case SetupKind::kOwnerlessLock: return {LC::kMkdir};
    case SetupKind::kStaleTempFiles:
    case SetupKind::kCorruptRegistry: return All();
  }
  return All();
}

std::vector<LockConvention> NemesisKindConventions(NemesisKind kind) {
  switch (kind) {
    case NemesisKind::kStealLock:
    case NemesisKind::kBackdateLock: return kPath;
    case NemesisKind::kKillHolder:
    case NemesisKind::kPauseHolder: {
      std::vector<LC> locking = All();
      locking.erase(std::find(locking.begin(), locking.end(), LC::kNone));
      return locking;
    }
    case NemesisKind::kKillWriter: return All();
  }
  return All();
}

std::optional<std::string> NotApplicableFaults(const std::vector<NemesisSpec>& nemeses,
                                               const std::vector<SetupSpec>& setup,
                                               LockConvention convention) {
  const std::string name(LockConventionName(convention));
  for (const SetupSpec& step : setup) {
    const std::vector<LC> applies = SetupKindConventions(step.kind);
    if (!Contains(applies, convention)) {
      return "setup step " + std::string(SetupKindName(step.kind)) + " forges a lock only for " +
             Names(applies) + " locks, not for " + name;
    }
  }
  for (const NemesisSpec& spec : nemeses) {
    const std::vector<LC> applies = NemesisKindConventions(spec.kind);
    if (!Contains(applies, convention)) {
      const std::string what = IsKernelLock(convention)
                                   ? "a kernel lock has no name to act on"
                                   : "an implementation without a lock has no holder";
      return "nemesis " + std::string(NemesisKindName(spec.kind)) + " applies to " +
             Names(applies) + " locks, not to " + name + " (" + what + ")";
    }
  }
  return std::nullopt;
}

}  // namespace lockharness::harness::runner
