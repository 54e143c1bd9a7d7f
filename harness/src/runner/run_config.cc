// The run-configuration codec (see run_config.h).

#include "lockharness/harness/runner/run_config.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <memory>
#include <type_traits>

#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/runner/lock_convention.h"
#include "lockharness/harness/runner/workload.h"
#include "lockharness/interposer/fault_spec.h"

namespace lockharness::harness::runner {
namespace {

using json = nlohmann::json;

// One set of limits, shared by scenario files, flags and run.json.
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kYearMs = 365 * kDayMs;
constexpr int64_t kMaxOps = 1'000'000;
constexpr int64_t kMaxNemesisActions = 1'000'000;

ConfigError Error(std::string message, int element = -1) {
  return ConfigError{std::move(message), element, ""};
}

std::string Quoted(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += "'" + names[i] + "'";
  }
  return text;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// An integer in [min, max], or the error "<label> must be an integer ...".
std::optional<int64_t> CheckedInt(const json& value, std::string_view label, int64_t min,
                                  int64_t max, ConfigError* error) {
  const std::string want = std::string(label) + " must be " + IntegerRangeText(min, max);
  if (!value.is_number_integer()) {
    *error = Error(want + ", got " + std::string(JsonTypeName(value)));
    return std::nullopt;
  }
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    *error = Error(want + ", got " + value.dump());
    return std::nullopt;
  }
  const int64_t number = value.get<int64_t>();
  if (number < min || number > max) {
    *error = Error(want + ", got " + std::to_string(number));
    return std::nullopt;
  }
  return number;
}

std::optional<ConfigError> CheckString(const json& value, std::string_view label) {
  if (value.is_string()) return std::nullopt;
  return Error(std::string(label) + " must be a string, got " + std::string(JsonTypeName(value)));
}

// Each non-trivial list element is checked by `check(element, index)`.
std::optional<ConfigError> CheckStringList(const json& value, std::string_view label,
                                           bool non_empty) {
  const std::string want =
      std::string(label) + " must be " + (non_empty ? "a non-empty " : "an ") + "array of strings";
  if (!value.is_array()) return Error(want + ", got " + std::string(JsonTypeName(value)));
  if (non_empty && value.empty()) return Error(want + ", got []");
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return Error(want + ", got an element that is " + std::string(JsonTypeName(value[i])),
                   static_cast<int>(i));
    }
  }
  return std::nullopt;
}

// --- Generic getters and setters, one per member type -----------------------

template <auto Member>
json GetMember(const RunOptions& options) {
  return options.*Member;
}

template <auto Member>
std::optional<ConfigError> SetInt(const RunField& field, const json& value, std::string_view label,
                                  RunOptions* options) {
  ConfigError error;
  const auto number = CheckedInt(value, label, field.min, field.max, &error);
  if (!number) return error;
  options->*Member = static_cast<std::remove_reference_t<decltype(options->*Member)>>(*number);
  return std::nullopt;
}

template <auto Member>
std::optional<ConfigError> SetUint(const RunField&, const json& value, std::string_view label,
                                   RunOptions* options) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
    return Error(std::string(label) + " must be an integer >= 0, got " +
                 (value.is_number_integer() ? value.dump() : std::string(JsonTypeName(value))));
  }
  options->*Member = value.get<uint64_t>();
  return std::nullopt;
}

template <auto Member>
std::optional<ConfigError> SetBool(const RunField&, const json& value, std::string_view label,
                                   RunOptions* options) {
  if (!value.is_boolean()) {
    return Error(std::string(label) + " must be true or false, got " +
                 std::string(JsonTypeName(value)));
  }
  options->*Member = value.get<bool>();
  return std::nullopt;
}

template <auto Member>
std::optional<ConfigError> SetString(const RunField&, const json& value, std::string_view label,
                                     RunOptions* options) {
  if (auto error = CheckString(value, label)) return error;
  options->*Member = value.get<std::string>();
  return std::nullopt;
}

// --- Options with their own syntax -----------------------------------------

json GetMode(const RunOptions& options) { return std::string(ModeName(options.mode)); }

std::optional<ConfigError> SetMode(const RunField&, const json& value, std::string_view label,
                                   RunOptions* options) {
  const std::string want = std::string(label) + " must be 'per-op' or 'worker', got ";
  if (!value.is_string()) return Error(want + std::string(JsonTypeName(value)));
  const std::string text = value.get<std::string>();
  if (text != "per-op" && text != "worker") return Error(want + "'" + text + "'");
  options->mode = text == "worker" ? Mode::kWorker : Mode::kPerOp;
  return std::nullopt;
}

json GetPlacement(const RunOptions& options) {
  return std::string(PlacementName(options.placement));
}

std::optional<ConfigError> SetPlacement(const RunField&, const json& value, std::string_view label,
                                        RunOptions* options) {
  const std::string want = std::string(label) + " must be one of " + PlacementNames() + ", got ";
  if (!value.is_string()) return Error(want + std::string(JsonTypeName(value)));
  const std::optional<Placement> placement = ParsePlacement(value.get<std::string>());
  if (!placement) return Error(want + "'" + value.get<std::string>() + "'");
  options->placement = *placement;
  return std::nullopt;
}

json GetMix(const RunOptions& options) { return FormatOpMix(options.mix); }

std::optional<ConfigError> SetMix(const RunField&, const json& value, std::string_view label,
                                  RunOptions* options) {
  if (auto error = CheckString(value, label)) return error;
  std::string why;
  const auto mix = ParseOpMix(value.get<std::string>(), &why);
  if (!mix) return Error(std::string(label) + ": " + why);
  options->mix = *mix;
  return std::nullopt;
}

// Fleet members are split now as the runner will, so a quoting mistake is
// reported where it was written.
std::optional<ConfigError> SetFleet(const RunField&, const json& value, std::string_view label,
                                    RunOptions* options) {
  if (auto error = CheckStringList(value, label, /*non_empty=*/true)) return error;
  for (size_t i = 0; i < value.size(); ++i) {
    std::string why;
    if (!SplitCommandTemplate(value[i].get<std::string>(), &why)) {
      return Error(std::string(label) + ": command template #" + std::to_string(i + 1) + ": " + why,
                   static_cast<int>(i));
    }
  }
  options->fleet = value.get<std::vector<std::string>>();
  return std::nullopt;
}

bool ValidEnvKey(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "KEY=VALUE" pairs; LOCKHARNESS_* and LD_* belong to the harness.
std::optional<ConfigError> SetEnv(const RunField&, const json& value, std::string_view label,
                                  RunOptions* options) {
  if (auto error = CheckStringList(value, label, /*non_empty=*/false)) return error;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string pair = value[i].get<std::string>();
    const int element = static_cast<int>(i);
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) {
      return Error(std::string(label) + " '" + pair + "' is not KEY=VALUE", element);
    }
    const std::string key = pair.substr(0, eq);
    if (!ValidEnvKey(key)) {
      return Error(
          std::string(label) + " key '" + key + "' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)",
          element);
    }
    if (key.rfind("LOCKHARNESS_", 0) == 0 || key.rfind("LD_", 0) == 0) {
      return Error(std::string(label) + " " + key +
                       " is reserved (LOCKHARNESS_* and LD_* are set by the harness; use "
                       "[limits] or [interposer])",
                   element);
    }
  }
  options->env = value.get<std::vector<std::string>>();
  return std::nullopt;
}

// The preload library parses the same text at startup and would refuse it
// there, once per process; refuse it here, once.
std::optional<ConfigError> SetInterposerFaults(const RunField&, const json& value,
                                               std::string_view label, RunOptions* options) {
  if (auto error = CheckString(value, label)) return error;
  const std::string text = value.get<std::string>();
  if (!text.empty()) {
    auto list = std::make_unique<interposer::FaultList>();
    interposer::ParseError why;
    if (!interposer::ParseFaultList(text.c_str(), list.get(), &why)) {
      return Error(std::string(label) + ": " + why.message);
    }
  }
  options->interposer_faults = text;
  return std::nullopt;
}

// Checked against a stand-in registry: whether the text can name a file
// directly in the registry's directory does not depend on where that is.
// ExecuteRun resolves it again against the real registry.
std::optional<ConfigError> SetLockPath(const RunField&, const json& value, std::string_view label,
                                       RunOptions* options) {
  if (auto error = CheckString(value, label)) return error;
  const std::string text = value.get<std::string>();
  std::string why;
  if (!text.empty() && !ResolveLockPath(text, "/lockharness-run/registry/sandboxes.json", &why)) {
    return Error(std::string(label) + " '" + text +
                 "' must name a file directly in the registry's directory "
                 "(e.g. '{registry}.lock' or 'state.lock')");
  }
  options->lock_path = text;
  return std::nullopt;
}

std::optional<ConfigError> SetLockConvention(const RunField&, const json& value,
                                             std::string_view label, RunOptions* options) {
  if (auto error = CheckString(value, label)) return error;
  const std::string text = value.get<std::string>();
  if (!text.empty() && !ParseLockConvention(text)) {
    return Error(std::string(label) + " must be one of " + LockConventionNames() + ", got '" +
                 text + "'");
  }
  options->lock_convention = text;
  return std::nullopt;
}

// Only the form is checked here; ExecuteRun refuses a directory that does
// not exist, is not empty or is not writable, before anything runs.
std::optional<ConfigError> SetRegistryDir(const RunField&, const json& value,
                                          std::string_view label, RunOptions* options) {
  if (auto error = CheckString(value, label)) return error;
  const std::string text = value.get<std::string>();
  if (text.find('\0') != std::string::npos) {
    return Error(std::string(label) + " must not contain a NUL byte");
  }
  options->registry_dir = text;
  return std::nullopt;
}

json GetNemeses(const RunOptions& options) {
  json list = json::array();
  for (const NemesisSpec& spec : options.nemeses) list.push_back(NemesisToJson(spec));
  return list;
}

json GetSetup(const RunOptions& options) {
  json list = json::array();
  for (const SetupSpec& spec : options.setup) list.push_back(SetupToJson(spec));
  return list;
}

// Entries are named "<label> #N" (from 1), as [[nemesis]] #2.
template <typename Spec>
std::optional<ConfigError> SetSpecs(const json& value, std::string_view label,
                                    std::vector<Spec>* out,
                                    std::optional<Spec> (*from_json)(const json&, std::string_view,
                                                                     ConfigError*)) {
  if (!value.is_array()) {
    return Error(std::string(label) + " must be an array of tables, got " +
                 std::string(JsonTypeName(value)));
  }
  std::vector<Spec> specs;
  for (size_t i = 0; i < value.size(); ++i) {
    ConfigError error;
    auto spec = from_json(value[i], std::string(label) + " #" + std::to_string(i + 1), &error);
    if (!spec) {
      error.element = static_cast<int>(i);
      return error;
    }
    specs.push_back(*spec);
  }
  *out = std::move(specs);
  return std::nullopt;
}

std::optional<ConfigError> SetNemeses(const RunField&, const json& value, std::string_view label,
                                      RunOptions* options) {
  return SetSpecs<NemesisSpec>(value, label, &options->nemeses, NemesisFromJson);
}

std::optional<ConfigError> SetSetup(const RunField&, const json& value, std::string_view label,
                                    RunOptions* options) {
  return SetSpecs<SetupSpec>(value, label, &options->setup, SetupFromJson);
}

// --- Nemesis and setup keys -------------------------------------------------

// One integer key of a nemesis or setup entry. `only_for`: the one kind it
// applies to ("" for every kind); `required`: an entry of that kind must
// give it. `nonzero`: 0 is refused (with `nonzero_hint`).
template <typename Spec>
struct SpecKey {
  std::string_view name;
  int64_t min;
  int64_t max;
  std::string_view only_for;
  bool required;
  bool nonzero;
  std::string_view nonzero_hint;
  int64_t (*get)(const Spec&);
  void (*set)(Spec*, int64_t);
};

template <auto Member, typename Spec>
int64_t GetSpecMember(const Spec& spec) {
  return spec.*Member;
}

template <auto Member, typename Spec>
void SetSpecMember(Spec* spec, int64_t value) {
  spec->*Member = static_cast<std::remove_reference_t<decltype(spec->*Member)>>(value);
}

template <auto Member>
constexpr auto kNemesisGet = &GetSpecMember<Member, NemesisSpec>;
template <auto Member>
constexpr auto kNemesisSet = &SetSpecMember<Member, NemesisSpec>;
template <auto Member>
constexpr auto kSetupGet = &GetSpecMember<Member, SetupSpec>;
template <auto Member>
constexpr auto kSetupSet = &SetSpecMember<Member, SetupSpec>;

// The nemesis keys (docs/scenarios.md "[[nemesis]]").
const std::vector<SpecKey<NemesisSpec>>& NemesisKeyTable() {
  static const std::vector<SpecKey<NemesisSpec>> keys = {
      {"start_ms", 0, kDayMs, "", false, false, "", kNemesisGet<&NemesisSpec::start_ms>,
       kNemesisSet<&NemesisSpec::start_ms>},
      {"interval_ms", 1, kDayMs, "", false, false, "", kNemesisGet<&NemesisSpec::interval_ms>,
       kNemesisSet<&NemesisSpec::interval_ms>},
      {"jitter_ms", 0, kDayMs, "", false, false, "", kNemesisGet<&NemesisSpec::jitter_ms>,
       kNemesisSet<&NemesisSpec::jitter_ms>},
      {"count", 0, kMaxNemesisActions, "", false, false, "", kNemesisGet<&NemesisSpec::count>,
       kNemesisSet<&NemesisSpec::count>},
      {"duration_ms", 1, kDayMs, "pause-holder", true, false, "",
       kNemesisGet<&NemesisSpec::duration_ms>, kNemesisSet<&NemesisSpec::duration_ms>},
      {"shift_ms", -kYearMs, kYearMs, "backdate-lock", true, true, " (negative: into the past)",
       kNemesisGet<&NemesisSpec::shift_ms>, kNemesisSet<&NemesisSpec::shift_ms>},
  };
  return keys;
}

// The setup keys (docs/scenarios.md "[[setup]]").
const std::vector<SpecKey<SetupSpec>>& SetupKeyTable() {
  static const std::vector<SpecKey<SetupSpec>> keys = {
      {"age_ms", 0, kYearMs, "", false, false, "", kSetupGet<&SetupSpec::age_ms>,
       kSetupSet<&SetupSpec::age_ms>},
      {"count", 1, 1000, "stale-temp-files", false, false, "", kSetupGet<&SetupSpec::count>,
       kSetupSet<&SetupSpec::count>},
  };
  return keys;
}

template <typename Spec>
std::vector<std::string> KeyNames(const std::vector<SpecKey<Spec>>& table) {
  std::vector<std::string> names = {"kind"};
  for (const auto& key : table) names.emplace_back(key.name);
  return names;
}

template <typename Spec, typename KindName>
json SpecToJson(const Spec& spec, const std::vector<SpecKey<Spec>>& table, KindName kind_name) {
  json entry;
  const std::string kind(kind_name(spec.kind));
  entry["kind"] = kind;
  for (const auto& key : table) {
    if (key.only_for.empty() || key.only_for == kind) entry[std::string(key.name)] = key.get(spec);
  }
  return entry;
}

template <typename Spec, typename Kind>
std::optional<Spec> SpecFromJson(const json& entry, std::string_view context,
                                 const std::vector<SpecKey<Spec>>& table,
                                 std::optional<Kind> (*parse_kind)(std::string_view),
                                 const std::vector<std::string>& kind_names, ConfigError* error) {
  const std::string ctx(context);
  auto fail = [&](std::string message, std::string key) {
    *error = ConfigError{std::move(message), -1, std::move(key)};
    return std::nullopt;
  };
  if (!entry.is_object()) {
    return fail(ctx + " must be a table, got " + std::string(JsonTypeName(entry)), "");
  }
  const std::vector<std::string> known = KeyNames(table);
  for (const auto& [key, value] : entry.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return fail("unknown key '" + key + "' in " + ctx + " (known: " + Joined(known) + ")", key);
    }
  }
  const auto kind_it = entry.find("kind");
  if (kind_it == entry.end()) return fail(ctx + ": missing key 'kind'", "");
  const std::string want_kind = ctx + " kind must be " + Quoted(kind_names) + ", got ";
  if (!kind_it->is_string()) {
    return fail(want_kind + std::string(JsonTypeName(*kind_it)), "kind");
  }
  const std::string kind_name = kind_it->get<std::string>();
  const std::optional<Kind> kind = parse_kind(kind_name);
  if (!kind) return fail(want_kind + "'" + kind_name + "'", "kind");
  Spec spec;
  spec.kind = *kind;
  for (const auto& key : table) {
    const std::string name(key.name);
    const bool applies = key.only_for.empty() || key.only_for == kind_name;
    const auto it = entry.find(name);
    if (it == entry.end()) {
      if (applies && key.required) {
        return fail(
            ctx + ": missing key '" + name + "' (required for " + std::string(key.only_for) + ")",
            "");
      }
      continue;
    }
    if (!applies) {
      return fail(
          ctx + " " + name + " applies only to " + std::string(key.only_for) + ", not " + kind_name,
          name);
    }
    ConfigError range;
    const auto number = CheckedInt(*it, ctx + " " + name, key.min, key.max, &range);
    if (!number) return fail(range.message, name);
    if (key.nonzero && *number == 0) {
      return fail(ctx + " " + name + " must not be 0" + std::string(key.nonzero_hint), name);
    }
    key.set(&spec, *number);
  }
  return spec;
}

// --- The table --------------------------------------------------------------

template <auto Member>
constexpr auto kSetInt = &SetInt<Member>;
template <auto Member>
constexpr auto kGet = &GetMember<Member>;

const std::vector<RunField>& Table() {
  using FT = FieldType;
  using O = RunOptions;
  // json, toml table, toml key, flag, type, min, max, always in flags, doc,
  // get, set.
  static const std::vector<RunField> fields = {
      {"impl", "", "", "--impl", FT::kString, 0, 0, true,
       "command template, e.g. 'lockreg --file {registry}' (no shell)", kGet<&O::impl>,
       &SetString<&O::impl>},
      {"mode", "workload", "mode", "--mode", FT::kString, 0, 0, true,
       "per-op (one process per operation) or worker", &GetMode, &SetMode},
      {"writers", "workload", "writers", "--writers", FT::kInt, 1, 1024, true, "concurrent writers",
       kGet<&O::writers>, kSetInt<&O::writers>},
      {"ops", "workload", "ops", "--ops", FT::kInt, 1, kMaxOps, true, "operations per writer",
       kGet<&O::ops_per_writer>, kSetInt<&O::ops_per_writer>},
      {"readers", "workload", "readers", "--readers", FT::kInt, 0, 64, true,
       "reader threads sampling the file", kGet<&O::readers>, kSetInt<&O::readers>},
      {"op_timeout_ms", "limits", "op_timeout_ms", "--op-timeout-ms", FT::kInt, 1, kHourMs, true,
       "kill an operation (its process group) after this long", kGet<&O::op_timeout_ms>,
       kSetInt<&O::op_timeout_ms>},
      {"takeover_bound_ms", "limits", "takeover_bound_ms", "--takeover-bound-ms", FT::kInt, 1,
       kHourMs, true, "how fast a dead holder's lock must be taken over",
       kGet<&O::takeover_bound_ms>, kSetInt<&O::takeover_bound_ms>},
      {"mix", "workload", "mix", "--mix", FT::kString, 0, 0, true,
       "weights register,update,remove,set-default[,get]", &GetMix, &SetMix},
      {"value_bytes", "workload", "value_bytes", "--value-bytes", FT::kInt, 0, 1 << 20, false,
       "pad field values to this length (bigger file)", kGet<&O::value_bytes>,
       kSetInt<&O::value_bytes>},
      {"reader_interval_us", "workload", "reader_interval_us", "--reader-interval-us", FT::kInt, 0,
       1'000'000, false, "pause between reader samples", kGet<&O::reader_interval_us>,
       kSetInt<&O::reader_interval_us>},
      {"fleet", "workload", "fleet", "--fleet", FT::kStringList, 0, 0, false,
       "mixed fleet, repeatable: writer w runs the (w mod n)-th template; {impl} stands for "
       "--impl",
       kGet<&O::fleet>, &SetFleet},
      {"placement", "workload", "placement", "--placement", FT::kString, 0, 0, false,
       "where writers run: same, pid-namespace (own PID namespace each), host (a simulated "
       "host each), mixed (w mod 3: same, pid-namespace, host)",
       &GetPlacement, &SetPlacement},
      // Not in scenario files: how the implementation is deployed, like
      // its lock convention (the catalog's `placement_init`).
      {"placement_init", "", "", "--placement-init", FT::kBool, 0, 0, false,
       "placed writers run as the child of a minimal init (PID 2), not as PID 1 of their "
       "namespace (default: the adapter catalog's placement_init)",
       kGet<&O::placement_init>, &SetBool<&O::placement_init>},
      {"env", "env", "", "--env", FT::kStringList, 0, 0, false,
       "KEY=VALUE for the implementation, repeatable", kGet<&O::env>, &SetEnv},
      {"stale_ms", "limits", "stale_ms", "--stale-ms", FT::kInt, 0, kHourMs, false,
       "passed to the implementation as LOCKHARNESS_STALE_MS", kGet<&O::stale_ms>,
       kSetInt<&O::stale_ms>},
      {"run_timeout_ms", "limits", "run_timeout_ms", "--run-timeout-ms", FT::kInt, 0, kDayMs, false,
       "stop the whole run after this long (verdict unknown)", kGet<&O::run_timeout_ms>,
       kSetInt<&O::run_timeout_ms>},
      {"interposer_faults", "interposer", "faults", "--faults", FT::kString, 0, 0, false,
       "interposer fault specs, e.g. 'lh/rename/registry=errno:EIO,prob:0.2'",
       kGet<&O::interposer_faults>, &SetInterposerFaults},
      {"trace", "interposer", "trace", "--trace", FT::kBool, 0, 0, false,
       "record a file-system trace (trace.jsonl)", kGet<&O::trace>, &SetBool<&O::trace>},
      {"observe", "interposer", "observe", "--observe", FT::kBool, 0, 0, false,
       "record the trace whenever the implementation can be interposed (default; "
       "--no-observe switches it off)",
       kGet<&O::observe>, &SetBool<&O::observe>},
      {"lock_path", "interposer", "lock_path", "--lock-path", FT::kString, 0, 0, false,
       "the implementation's lock path, in the registry's directory (default {registry}.lock)",
       kGet<&O::lock_path>, &SetLockPath},
      // Not in scenario files: the convention is the implementation's, and
      // a scenario is written for every implementation.
      {"lock_convention", "", "", "--lock-convention", FT::kString, 0, 0, false,
       "how the implementation locks: mkdir, o-excl, link, rename, flock, posix (fcntl/lockf), "
       "ofd or none (default: the adapter catalog's, else detected from the trace)",
       kGet<&O::lock_convention>, &SetLockConvention},
      {"registry_dir", "", "", "--registry-dir", FT::kString, 0, 0, false,
       "put the registry in this existing, empty, writable directory (e.g. on an NFS or SMB "
       "mount) instead of the run directory's registry/",
       kGet<&O::registry_dir>, &SetRegistryDir},
      {"nemeses", "nemesis", "", "--nemesis", FT::kSpecList, 0, 0, false,
       "fault during the run, repeatable: KIND[:key=value,...] (kill-holder, pause-holder, "
       "kill-writer, steal-lock, backdate-lock)",
       &GetNemeses, &SetNemeses},
      {"setup", "setup", "", "--setup", FT::kSpecList, 0, 0, false,
       "forged state before the run, repeatable: KIND[:key=value,...] (dead-owner-lock, "
       "recycled-pid-lock, corrupt-registry, ...)",
       &GetSetup, &SetSetup},
      {"seed", "workload", "seed", "--seed", FT::kUint, 0, 0, true,
       "workload seed (random if absent)", kGet<&O::seed>, &SetUint<&O::seed>},
  };
  return fields;
}

}  // namespace

// Here rather than in run.cc: the codec validates --lock-path with it.
std::optional<std::filesystem::path> ResolveLockPath(const std::string& lock_path,
                                                     const std::filesystem::path& registry,
                                                     std::string* error) {
  namespace fs = std::filesystem;
  const fs::path dir = registry.parent_path();
  if (lock_path.empty()) return fs::path(registry.string() + ".lock");
  std::string text = lock_path;
  for (size_t at; (at = text.find("{registry}")) != std::string::npos;) {
    text.replace(at, 10, registry.string());
  }
  fs::path path = fs::path(text).is_absolute() ? fs::path(text) : dir / text;
  path = path.lexically_normal();
  if (path.parent_path() != dir || path == registry || !path.has_filename()) {
    *error = "--lock-path '" + lock_path + "' names " + path.string() +
             ", which is not a file directly in the registry's directory " + dir.string() +
             " (the harness never touches files outside its run directory)";
    return std::nullopt;
  }
  return path;
}

// Here rather than in placement.cc: the checkers read run.json without the
// runner.
namespace {
constexpr std::string_view kPlacementNames[] = {"same", "pid-namespace", "host", "mixed"};
}  // namespace

std::string_view PlacementName(Placement p) { return kPlacementNames[static_cast<int>(p)]; }

std::optional<Placement> ParsePlacement(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kPlacementNames[i]) return static_cast<Placement>(i);
  }
  return std::nullopt;
}

std::string PlacementNames() { return "same, pid-namespace, host, mixed"; }

// Here rather than in run.cc: the checkers read run.json without the runner.
std::string_view ModeName(Mode mode) { return mode == Mode::kWorker ? "worker" : "per-op"; }

std::string IntegerRangeText(int64_t min, int64_t max) {
  if (max == std::numeric_limits<int64_t>::max()) return "an integer >= " + std::to_string(min);
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string_view JsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::string: return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a float";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "a table";
    case json::value_t::null: return "null";
    default: break;
  }
  return "nothing";
}

const std::vector<RunField>& RunFields() { return Table(); }

const RunField* FindRunField(std::string_view name) {
  for (const RunField& field : Table()) {
    if (field.json == name) return &field;
  }
  return nullptr;
}

nlohmann::ordered_json ToJson(const RunOptions& options) {
  nlohmann::ordered_json config;
  for (const RunField& field : Table()) {
    json value = field.get(options);
    const bool list = field.type == FieldType::kStringList || field.type == FieldType::kSpecList;
    if (list && value.empty()) continue;
    config[std::string(field.json)] = std::move(value);
  }
  return config;
}

std::optional<RunOptions> FromJson(const json& config, std::string* error) {
  if (!config.is_object()) {
    *error = "expected an object, got " + std::string(JsonTypeName(config));
    return std::nullopt;
  }
  RunOptions options;
  for (const auto& [key, value] : config.items()) {
    if (std::find(std::begin(kRunRecordKeys), std::end(kRunRecordKeys), key) !=
        std::end(kRunRecordKeys)) {
      continue;
    }
    const RunField* field = FindRunField(key);
    if (field == nullptr) {
      std::string known;
      for (const RunField& f : Table()) known += (known.empty() ? "" : ", ") + std::string(f.json);
      for (std::string_view k : kRunRecordKeys) known += ", " + std::string(k);
      *error = "unknown key '" + key + "' (known: " + known + ")";
      return std::nullopt;
    }
    if (auto refused = field->set(*field, value, "field '" + key + "'", &options)) {
      *error = refused->message;
      return std::nullopt;
    }
  }
  return options;
}

std::vector<std::string> ToFlags(const RunOptions& options) {
  static const RunOptions defaults;
  std::vector<std::string> words;
  for (const RunField& field : Table()) {
    const json value = field.get(options);
    if (!field.always_in_flags && value == field.get(defaults)) continue;
    const std::string flag(field.flag);
    switch (field.type) {
      case FieldType::kBool:
        // Every boolean flag has a negation ("--no-observe"), for those
        // whose default is true.
        words.push_back(value.get<bool>() ? flag : "--no-" + flag.substr(2));
        break;
      case FieldType::kInt:
      case FieldType::kUint:
        words.push_back(flag);
        words.push_back(value.dump());
        break;
      case FieldType::kString:
        words.push_back(flag);
        words.push_back(value.get<std::string>());
        break;
      case FieldType::kStringList:
        for (const json& item : value) {
          words.push_back(flag);
          words.push_back(item.get<std::string>());
        }
        break;
      case FieldType::kSpecList:
        for (const json& item : value) {
          words.push_back(flag);
          words.push_back(SpecJsonToText(item));
        }
        break;
    }
  }
  return words;
}

std::vector<std::string> NemesisKeys() { return KeyNames(NemesisKeyTable()); }
std::vector<std::string> SetupKeys() { return KeyNames(SetupKeyTable()); }

nlohmann::json NemesisToJson(const NemesisSpec& spec) {
  return SpecToJson(spec, NemesisKeyTable(), NemesisKindName);
}

nlohmann::json SetupToJson(const SetupSpec& spec) {
  return SpecToJson(spec, SetupKeyTable(), SetupKindName);
}

std::optional<NemesisSpec> NemesisFromJson(const json& entry, std::string_view context,
                                           ConfigError* error) {
  return SpecFromJson<NemesisSpec, NemesisKind>(entry, context, NemesisKeyTable(), ParseNemesisKind,
                                                AllNemesisKindNames(), error);
}

std::optional<SetupSpec> SetupFromJson(const json& entry, std::string_view context,
                                       ConfigError* error) {
  return SpecFromJson<SetupSpec, SetupKind>(entry, context, SetupKeyTable(), ParseSetupKind,
                                            AllSetupKindNames(), error);
}

std::optional<json> SpecTextToJson(std::string_view text, std::string* error) {
  json entry = json::object();
  const size_t colon = text.find(':');
  entry["kind"] = std::string(text.substr(0, colon));
  if (colon == std::string_view::npos) return entry;
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      *error = "'" + std::string(item) + "' is not KEY=VALUE";
      return std::nullopt;
    }
    const std::string key(item.substr(0, eq));
    const std::string_view number = item.substr(eq + 1);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size()) {
      *error = key + ": '" + std::string(number) + "' is not an integer";
      return std::nullopt;
    }
    entry[key] = value;
  }
  return entry;
}

std::string SpecJsonToText(const json& entry) {
  std::string text = entry.value("kind", "");
  bool first = true;
  for (const auto& [key, value] : entry.items()) {
    if (key == "kind") continue;
    text += (first ? ":" : ",") + key + "=" + value.dump();
    first = false;
  }
  return text;
}

}  // namespace lockharness::harness::runner
