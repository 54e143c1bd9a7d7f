#include "lockharness/protocol/mutant.h"

namespace lockharness::protocol {
namespace {
struct Entry {
  Mutant mutant;
  const char* name;
};
constexpr Entry kMutants[] = {
    {Mutant::kNone, "none"},
    {Mutant::kNoLock, "no-lock"},
    {Mutant::kDirectWrite, "direct-write"},
    {Mutant::kSharedTmp, "shared-tmp"},
};
}  // namespace

std::string_view MutantName(Mutant m) {
  for (const auto& e : kMutants) {
    if (e.mutant == m) return e.name;
  }
  return "?";
}

std::optional<Mutant> ParseMutant(std::string_view name) {
  for (const auto& e : kMutants) {
    if (name == e.name) return e.mutant;
  }
  return std::nullopt;
}

std::vector<std::string> AllMutantNames() {
  std::vector<std::string> out;
  for (const auto& e : kMutants) {
    if (e.mutant != Mutant::kNone) out.emplace_back(e.name);
  }
  return out;
}

}  // namespace lockharness::protocol
