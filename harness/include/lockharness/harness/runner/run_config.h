// run_config.h: the one codec of a run's configuration (RunOptions).
//
// Every configurable RunOptions field is described once, in the table
// RunFields() (run_config.cc): its run.json key, its place in a scenario
// file, its command-line flag, its type and limits, a doc string and how to
// read and store it. Every way in or out of a RunOptions goes through that
// table and through the same validation:
//   - scenario files (scenario.cc: TOML values converted to JSON, then Set);
//   - the command line (cli/run_flags.cc: flags registered from the table,
//     their text converted to JSON, then Set);
//   - run.json, written with ToJson() and read back strictly with FromJson()
//     (`lockharness check DIR`, load_run.cc): an unknown or misspelt key is
//     an error naming the key;
//   - the replay line, ToFlags(): flags that the command-line parser turns
//     back into an equal RunOptions (tested over every scenario file).
// Nemeses and setup steps have their own key tables (NemesisKeys(),
// SetupKeys()) used the same way by [[nemesis]]/[[setup]] entries,
// --nemesis/--setup texts ("KIND:key=value,...") and run.json.
//
// Adding an option:
//   1. add the member to RunOptions (run.h) with its default;
//   2. add one row to the table in RunFields() (run_config.cc): json key,
//      TOML table and key ("" if scenario files cannot set it), flag, type,
//      limits, doc, and `IntField<&RunOptions::x>` (or Int64/String/Bool/
//      StringList); an option with its own syntax gets a small get/set pair
//      next to the table (see mode, mix, env);
//   3. document it in docs/scenarios.md (if in TOML) and the README.
// Nothing else: TOML reading, flag registration, run.json and the replay
// line pick it up from the table. A new nemesis or setup key is one row in
// NemesisKeys()/SetupKeys().
//
// Errors are one line that starts with the label the caller passes (a TOML
// loader passes "[workload] writers", the command line "--writers", run.json
// readers "field 'writers'"), e.g. "--writers must be an integer from 1 to
// 1024, got 0".

#ifndef LOCKHARNESS_HARNESS_RUNNER_RUN_CONFIG_H_
#define LOCKHARNESS_HARNESS_RUNNER_RUN_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/runner/nemesis.h"
#include "lockharness/harness/runner/run.h"

namespace lockharness::harness::runner {

// Where a value was refused. `element` is the index of the offending list
// element (fleet template, env pair, nemesis or setup entry), -1 for the
// value as a whole; `key` the offending key inside a nemesis or setup
// entry ("" for the entry as a whole, e.g. a missing key).
struct ConfigError {
  std::string message;  // one line, starting with the caller's label
  int element = -1;
  std::string key;
};

enum class FieldType {
  kInt,         // JSON integer in [min, max]; flag text: a decimal integer
  kUint,        // unsigned 64-bit integer (the seed)
  kString,      // JSON string (maybe restricted by the field's set)
  kBool,        // JSON boolean; a flag without a value, "--no-FLAG" for false
  kStringList,  // JSON array of strings; a repeatable flag
  kSpecList,    // JSON array of nemesis/setup objects; a repeatable
                // "KIND:key=value,..." flag
};

struct RunField {
  std::string_view json;        // run.json key
  std::string_view toml_table;  // scenario-file table ("workload", "limits",
                                // "interposer", "env", "nemesis", "setup");
                                // "" if a scenario file cannot set it
  std::string_view toml_key;    // key in that table ("" for env, nemesis,
                                // setup: the table itself is the value)
  std::string_view flag;        // "--writers"
  FieldType type;
  int64_t min;  // kInt only
  int64_t max;
  // The replay line spells it even when it has its default value.
  bool always_in_flags;
  std::string_view doc;  // --help text
  nlohmann::json (*get)(const RunOptions& options);
  // Validates `value` and stores it; on failure returns the error and leaves
  // *options unchanged.
  std::optional<ConfigError> (*set)(const RunField& field, const nlohmann::json& value,
                                    std::string_view label, RunOptions* options);
};

// Every configurable option, in replay-line order (the seed last).
const std::vector<RunField>& RunFields();

// The field with run.json key `json`; nullptr if none.
const RunField* FindRunField(std::string_view json);

// Keys of run.json that record the run rather than configure it (written by
// ExecuteRun, accepted and ignored by FromJson).
inline constexpr std::string_view kRunRecordKeys[] = {
    "registry", "started_at", "monotonic_origin_ns", "observation", "run_namespace"};

// The configuration as run.json's option keys, in table order. Empty lists
// (fleet, env, nemeses, setup) are left out.
nlohmann::ordered_json ToJson(const RunOptions& options);

// The configuration in `config` (run.json). Keys absent keep RunOptions'
// defaults; an unknown key, a wrong type or a value out of range is an
// error "field 'writers' must be ..." / "unknown key 'writer' (known:
// ...)". out_dir and progress stay empty.
std::optional<RunOptions> FromJson(const nlohmann::json& config, std::string* error);

// The command-line words (after `lockharness run`) that reproduce
// `options`: every field that differs from its default (and those marked
// always_in_flags), the seed last. Unquoted; QuoteWord them for a shell.
std::vector<std::string> ToFlags(const RunOptions& options);

// Nemesis and setup entries -------------------------------------------------

// The keys of a [[nemesis]] / [[setup]] entry, "kind" first.
std::vector<std::string> NemesisKeys();
std::vector<std::string> SetupKeys();

nlohmann::json NemesisToJson(const NemesisSpec& spec);
nlohmann::json SetupToJson(const SetupSpec& spec);

// Validates one entry. `context` names it in messages ("[[nemesis]] #2",
// "--nemesis #1"): key errors read "<context> count must be ...", entry
// errors "<context>: missing key 'kind'".
std::optional<NemesisSpec> NemesisFromJson(const nlohmann::json& entry, std::string_view context,
                                           ConfigError* error);
std::optional<SetupSpec> SetupFromJson(const nlohmann::json& entry, std::string_view context,
                                       ConfigError* error);

// "kill-holder:start_ms=200,count=5" <-> {"kind":"kill-holder",
// "start_ms":200,"count":5}. Values must be integers. Parse errors:
// "'x' is not KEY=VALUE", "count: 'x' is not an integer".
std::optional<nlohmann::json> SpecTextToJson(std::string_view text, std::string* error);
std::string SpecJsonToText(const nlohmann::json& entry);

// Message pieces shared with the scenario loader -----------------------------

// "an integer >= 1" when `max` is only the type's limit, else "an integer
// from 1 to 1024".
std::string IntegerRangeText(int64_t min, int64_t max);
// "a string", "an integer", "a float", "a boolean", "an array", "a table".
std::string_view JsonTypeName(const nlohmann::json& value);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_RUN_CONFIG_H_
