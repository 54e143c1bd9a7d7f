// Command-line nemesis and setup specs (see fault_flags.h).

#include "src/cli/fault_flags.h"

#include <charconv>
#include <cstdint>
#include <vector>

namespace lockharness::harness::cli {
namespace {

using runner::NemesisKind;
using runner::SetupKind;

struct Pair {
  std::string key;
  int64_t value = 0;
};

// Splits "kind:k=v,k=v" into the kind and integer pairs.
bool SplitFlag(std::string_view text, std::string* kind, std::vector<Pair>* pairs,
               std::string* error) {
  const size_t colon = text.find(':');
  *kind = std::string(text.substr(0, colon));
  if (colon == std::string_view::npos) return true;
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      *error = "'" + std::string(item) + "' is not KEY=VALUE";
      return false;
    }
    Pair pair;
    pair.key = std::string(item.substr(0, eq));
    const std::string_view number = item.substr(eq + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), pair.value);
    if (ec != std::errc() || end != number.data() + number.size()) {
      *error = pair.key + ": '" + std::string(number) + "' is not an integer";
      return false;
    }
    pairs->push_back(pair);
  }
  return true;
}

bool Check(bool ok, const std::string& message, std::string* error) {
  if (!ok) *error = message;
  return ok;
}

}  // namespace

std::optional<runner::NemesisSpec> ParseNemesisFlag(std::string_view text, std::string* error) {
  std::string kind_name;
  std::vector<Pair> pairs;
  if (!SplitFlag(text, &kind_name, &pairs, error)) return std::nullopt;
  const auto kind = runner::ParseNemesisKind(kind_name);
  if (!kind) {
    std::string known;
    for (const auto& name : runner::AllNemesisKindNames()) known += (known.empty() ? "" : ", ") + name;
    *error = "unknown nemesis '" + kind_name + "' (known: " + known + ")";
    return std::nullopt;
  }
  runner::NemesisSpec spec;
  spec.kind = *kind;
  for (const Pair& p : pairs) {
    bool ok = true;
    if (p.key == "start_ms") {
      ok = Check(p.value >= 0, "start_ms must be >= 0", error) && ((spec.start_ms = p.value), true);
    } else if (p.key == "interval_ms") {
      ok = Check(p.value > 0, "interval_ms must be > 0", error) && ((spec.interval_ms = p.value), true);
    } else if (p.key == "jitter_ms") {
      ok = Check(p.value >= 0, "jitter_ms must be >= 0", error) && ((spec.jitter_ms = p.value), true);
    } else if (p.key == "count") {
      ok = Check(p.value >= 0 && p.value <= 1000000, "count must be 0..1000000", error) &&
           ((spec.count = static_cast<int>(p.value)), true);
    } else if (p.key == "duration_ms" && spec.kind == NemesisKind::kPauseHolder) {
      ok = Check(p.value > 0, "duration_ms must be > 0", error) && ((spec.duration_ms = p.value), true);
    } else if (p.key == "shift_ms" && spec.kind == NemesisKind::kBackdateLock) {
      ok = Check(p.value != 0, "shift_ms must not be 0", error) && ((spec.shift_ms = p.value), true);
    } else {
      *error = "unknown key '" + p.key + "' for nemesis " + kind_name;
      ok = false;
    }
    if (!ok) return std::nullopt;
  }
  if (spec.kind == NemesisKind::kPauseHolder && spec.duration_ms <= 0) {
    *error = "pause-holder needs duration_ms";
    return std::nullopt;
  }
  if (spec.kind == NemesisKind::kBackdateLock && spec.shift_ms == 0) {
    *error = "backdate-lock needs shift_ms";
    return std::nullopt;
  }
  return spec;
}

std::optional<runner::SetupSpec> ParseSetupFlag(std::string_view text, std::string* error) {
  std::string kind_name;
  std::vector<Pair> pairs;
  if (!SplitFlag(text, &kind_name, &pairs, error)) return std::nullopt;
  const auto kind = runner::ParseSetupKind(kind_name);
  if (!kind) {
    std::string known;
    for (const auto& name : runner::AllSetupKindNames()) known += (known.empty() ? "" : ", ") + name;
    *error = "unknown setup step '" + kind_name + "' (known: " + known + ")";
    return std::nullopt;
  }
  runner::SetupSpec spec;
  spec.kind = *kind;
  for (const Pair& p : pairs) {
    bool ok = true;
    if (p.key == "age_ms") {
      ok = Check(p.value >= 0, "age_ms must be >= 0", error) && ((spec.age_ms = p.value), true);
    } else if (p.key == "count" && spec.kind == SetupKind::kStaleTempFiles) {
      ok = Check(p.value >= 1 && p.value <= 1000, "count must be 1..1000", error) &&
           ((spec.count = static_cast<int>(p.value)), true);
    } else {
      *error = "unknown key '" + p.key + "' for setup step " + kind_name;
      ok = false;
    }
    if (!ok) return std::nullopt;
  }
  return spec;
}

}  // namespace lockharness::harness::cli
