#include "lockharness/harness/scenario/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/runner/lock_convention.h"
#include "lockharness/harness/runner/run_config.h"
#include "src/crash/crash_checks.h"
#include "src/crash/crash_run.h"
#include "src/scenario/toml_reader.h"

namespace lockharness::harness::scenario {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name == "." || name == "..") {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// `conventions`: the lock conventions (or groups) the scenario applies to,
// each word checked where it is written.
bool ReadConventions(TomlReader& r, const toml::table& root, Scenario* s) {
  const toml::node* node = root.get("conventions");
  if (node == nullptr) return true;
  const std::string want = "conventions must be a non-empty array of strings";
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return r.Fail(node->source(), want + ", got " + std::string(TomlReader::TypeName(*node)));
  }
  if (array->empty()) return r.Fail(node->source(), want + ", got []");
  std::vector<runner::LockConvention> conventions;
  for (const toml::node& element : *array) {
    const auto* word = element.as_string();
    if (word == nullptr) {
      return r.Fail(element.source(), want + ", got an element that is " +
                                          std::string(TomlReader::TypeName(element)));
    }
    auto expanded = runner::ExpandConventionWord(word->get());
    if (!expanded) {
      return r.Fail(element.source(),
                    "conventions: '" + word->get() + "' is not " + runner::ConventionWordsText());
    }
    for (runner::LockConvention c : *expanded) {
      if (std::find(conventions.begin(), conventions.end(), c) == conventions.end()) {
        conventions.push_back(c);
      }
    }
  }
  s->conventions = std::move(conventions);
  return true;
}

// The top-level keys: name, description, expect, expect_lint,
// expect_checker, adapter, conventions. `checkers` are the names
// expect_checker may take: a run's checkers, or a crash run's.
bool ReadTop(TomlReader& r, const toml::table& root, Scenario* s,
             const std::vector<std::string>& checkers) {
  if (!r.String(root, "", "name", &s->name)) return false;
  if (root.contains("name") && !ValidName(s->name)) {
    return r.Fail(root.get("name")->source(),
                  "name must be 1 to 128 characters of A-Z a-z 0-9 . _ -, "
                  "got '" +
                      s->name + "'");
  }
  if (!r.String(root, "", "description", &s->description)) return false;
  std::string expect = "valid";
  if (!r.String(root, "", "expect", &expect, {"valid", "invalid"})) {
    return false;
  }
  s->expect = expect == "valid" ? Scenario::Expect::kValid : Scenario::Expect::kInvalid;
  std::string lint = "any";
  if (!r.String(root, "", "expect_lint", &lint, {"any", "clean"})) {
    return false;
  }
  s->expect_lint_clean = lint == "clean";
  if (!r.String(root, "", "expect_checker", &s->expect_checker)) return false;
  if (root.contains("expect_checker")) {
    const toml::source_region& at = root.get("expect_checker")->source();
    if (std::find(checkers.begin(), checkers.end(), s->expect_checker) == checkers.end()) {
      return r.Fail(at, "expect_checker must be one of " + TomlReader::QuoteList(checkers) +
                            ", got '" + s->expect_checker + "'");
    }
    if (s->expect != Scenario::Expect::kInvalid) {
      return r.Fail(at, "expect_checker needs expect = \"invalid\"");
    }
  }
  if (!r.String(root, "", "adapter", &s->adapter)) return false;
  if (root.contains("adapter")) {
    const toml::source_region& at = root.get("adapter")->source();
    if (!ValidName(s->adapter)) {
      return r.Fail(at,
                    "adapter must be a catalog adapter name (1 to 128 characters of "
                    "A-Z a-z 0-9 . _ -), got '" +
                        s->adapter + "'");
    }
    s->adapter_line = static_cast<int>(at.begin.line);
    s->adapter_column = static_cast<int>(at.begin.column);
  }
  return ReadConventions(r, root, s);
}

// A TOML value as the JSON the run-configuration codec reads. Dates and
// times have no JSON form: *bad is set to the first one met.
std::optional<nlohmann::json> TomlToJson(const toml::node& node, const toml::node** bad) {
  if (const auto* v = node.as_integer()) return nlohmann::json(v->get());
  if (const auto* v = node.as_floating_point()) return nlohmann::json(v->get());
  if (const auto* v = node.as_boolean()) return nlohmann::json(v->get());
  if (const auto* v = node.as_string()) return nlohmann::json(v->get());
  if (const auto* array = node.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const toml::node& element : *array) {
      auto value = TomlToJson(element, bad);
      if (!value) return std::nullopt;
      out.push_back(std::move(*value));
    }
    return out;
  }
  if (const auto* table = node.as_table()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : *table) {
      auto converted = TomlToJson(value, bad);
      if (!converted) return std::nullopt;
      out[std::string(key.str())] = std::move(*converted);
    }
    return out;
  }
  *bad = &node;
  return std::nullopt;
}

// Hands `value` (read at `node`) to the codec's field; on failure reports
// at the offending element (`elements[i]`, when given) or at `node`.
bool SetField(TomlReader& r, const runner::RunField& field, const toml::node& node,
              const std::string& label, const nlohmann::json& value,
              const std::vector<const toml::node*>& elements, Scenario* s) {
  const auto error = field.set(field, value, label, &s->run);
  if (!error) return true;
  const toml::node* at = &node;
  if (error->element >= 0 && static_cast<size_t>(error->element) < elements.size()) {
    at = elements[error->element];
  }
  return r.Fail(at->source(), error->message);
}

// The keys of `table` that the codec places in scenario table `name`
// ([workload], [limits], [interposer]), each read through the codec.
bool ReadOptionTable(TomlReader& r, const toml::table& t, std::string_view name, Scenario* s) {
  const std::string ctx = "[" + std::string(name) + "]";
  std::vector<std::string_view> known;
  for (const runner::RunField& field : runner::RunFields()) {
    if (field.toml_table == name) known.push_back(field.toml_key);
  }
  if (!r.CheckKeys(t, ctx, known)) return false;
  for (const runner::RunField& field : runner::RunFields()) {
    if (field.toml_table != name) continue;
    const toml::node* node = t.get(field.toml_key);
    if (node == nullptr) continue;
    const std::string label = ctx + " " + std::string(field.toml_key);
    const toml::node* bad = nullptr;
    const auto value = TomlToJson(*node, &bad);
    if (!value) {
      return r.Fail(bad->source(), label + " cannot be " + std::string(TomlReader::TypeName(*bad)));
    }
    std::vector<const toml::node*> elements;
    if (const auto* array = node->as_array()) {
      for (const toml::node& element : *array) elements.push_back(&element);
    }
    if (!SetField(r, field, *node, label, *value, elements, s)) return false;
    if (field.json == "seed") s->seed_set = true;
  }
  return true;
}

bool ReadWorkload(TomlReader& r, const toml::table& t, Scenario* s) {
  return ReadOptionTable(r, t, "workload", s);
}

bool ReadLimits(TomlReader& r, const toml::table& t, Scenario* s) {
  return ReadOptionTable(r, t, "limits", s);
}

bool ReadInterposer(TomlReader& r, const toml::table& t, Scenario* s) {
  return ReadOptionTable(r, t, "interposer", s);
}

// [env]: KEY = "value" pairs, handed to the codec as "KEY=value" strings.
bool ReadEnv(TomlReader& r, const toml::table& t, Scenario* s) {
  nlohmann::json pairs = nlohmann::json::array();
  std::vector<const toml::node*> keys;
  std::vector<toml::source_region> key_sources;
  for (const auto& [key, node] : t) {
    const std::string name(key.str());
    const auto* value = node.as_string();
    if (value == nullptr) {
      return r.Fail(node.source(), "[env] " + name + " must be a string, got " +
                                       std::string(TomlReader::TypeName(node)));
    }
    pairs.push_back(name + "=" + value->get());
    key_sources.push_back(key.source().begin.line > 0 ? key.source() : node.source());
  }
  if (pairs.empty()) return true;
  const runner::RunField& field = *runner::FindRunField("env");
  const auto error = field.set(field, pairs, "[env]", &s->run);
  if (!error) return true;
  return r.Fail(error->element >= 0 ? key_sources[error->element] : t.source(), error->message);
}

// Every [[nemesis]] or [[setup]] entry, through the codec's field `json`.
bool ReadSpecEntries(TomlReader& r, const toml::table& root, std::string_view key,
                     std::string_view json, const std::vector<std::string>& keys, Scenario* s) {
  bool ok = true;
  const toml::array* entries = r.TableArray(root, key, &ok);
  if (!ok) return false;
  if (entries == nullptr) return true;
  const std::string label = "[[" + std::string(key) + "]]";
  const std::vector<std::string_view> known(keys.begin(), keys.end());
  nlohmann::json list = nlohmann::json::array();
  std::vector<const toml::table*> tables;
  for (const toml::node& entry : *entries) {
    const toml::table& table = *entry.as_table();
    if (!r.CheckKeys(table, label + " #" + std::to_string(tables.size() + 1), known)) {
      return false;
    }
    const toml::node* bad = nullptr;
    auto value = TomlToJson(table, &bad);
    if (!value) {
      return r.Fail(bad->source(), label + " #" + std::to_string(tables.size() + 1) +
                                       " cannot hold " + std::string(TomlReader::TypeName(*bad)));
    }
    list.push_back(std::move(*value));
    tables.push_back(&table);
  }
  const runner::RunField& field = *runner::FindRunField(json);
  const auto error = field.set(field, list, label, &s->run);
  if (!error) return true;
  const toml::table& table = *tables[std::max(0, error->element)];
  const toml::node* node = error->key.empty() ? nullptr : table.get(error->key);
  return r.Fail(node != nullptr ? node->source() : table.source(), error->message);
}

// Reads the optional table `key` with `read`.
bool ReadTable(TomlReader& r, const toml::table& root, std::string_view key, Scenario* s,
               bool (*read)(TomlReader&, const toml::table&, Scenario*)) {
  bool ok = true;
  const toml::table* table = r.Table(root, key, &ok);
  if (!ok) return false;
  return table == nullptr || read(r, *table, s);
}

// A crash scenario: the top-level keys, [workload] and [limits] it may
// set, and its [crash] table. `lockharness crash`'s defaults first.
bool ReadCrashScenario(TomlReader& r, const toml::table& root, Scenario* s) {
  static const std::vector<std::string> kCrashCheckers = {crash::kAtomicity, crash::kDurability,
                                                          crash::kRecovery, crash::kNoSilentReset};
  if (!r.CheckKeys(root, "a crash scenario",
                   {"name", "description", "expect", "expect_checker", "adapter", "workload",
                    "limits", "crash"}) ||
      !ReadTop(r, root, s, kCrashCheckers)) {
    return false;
  }
  const crash::CrashOptions defaults;
  s->run.mode = runner::Mode::kPerOp;
  s->run.writers = defaults.writers;
  s->run.ops_per_writer = defaults.ops_per_writer;
  s->run.seed = defaults.seed;
  s->run.takeover_bound_ms = defaults.takeover_bound_ms;
  s->run.stale_ms = defaults.stale_ms;
  s->crash = Scenario::Crash{std::string(crash::ModelName(defaults.model)), defaults.states,
                             defaults.recover_states};
  bool ok = true;
  const toml::table* workload = r.Table(root, "workload", &ok);
  if (!ok) return false;
  if (workload != nullptr) {
    if (!r.CheckKeys(*workload, "[workload] of a crash scenario", {"writers", "ops", "seed"}) ||
        !ReadWorkload(r, *workload, s)) {
      return false;
    }
    if (s->run.writers > crash::kMaxCrashWriters) {
      return r.Fail(workload->get("writers")->source(),
                    "[workload] writers of a crash scenario must be at most " +
                        std::to_string(crash::kMaxCrashWriters) + ", got " +
                        std::to_string(s->run.writers));
    }
  }
  const toml::table* limits = r.Table(root, "limits", &ok);
  if (!ok) return false;
  if (limits != nullptr &&
      (!r.CheckKeys(*limits, "[limits] of a crash scenario",
                    {"takeover_bound_ms", "stale_ms", "op_timeout_ms", "run_timeout_ms"}) ||
       !ReadLimits(r, *limits, s))) {
    return false;
  }
  const toml::table* table = r.Table(root, "crash", &ok);
  if (!ok) return false;
  if (!r.CheckKeys(*table, "[crash]", {"model", "states", "recover_states"})) return false;
  Scenario::Crash& c = *s->crash;
  if (!r.String(*table, "[crash]", "model", &c.model)) return false;
  if (!crash::ParseModel(c.model)) {
    return r.Fail(table->get("model")->source(), "[crash] model must be " +
                                                     TomlReader::QuoteList(crash::ModelNames()) +
                                                     ", got '" + c.model + "'");
  }
  return r.Int(*table, "[crash]", "states", 1, crash::kMaxCrashStates, &c.states) &&
         r.Int(*table, "[crash]", "recover_states", 0, crash::kMaxRecoverStates, &c.recover_states);
}

}  // namespace

std::string_view ExpectName(Scenario::Expect expect) {
  return expect == Scenario::Expect::kValid ? "valid" : "invalid";
}

std::optional<std::string> NotApplicableReason(const Scenario& scenario,
                                               runner::LockConvention convention) {
  const auto& listed = scenario.conventions;
  if (!listed.empty() && std::find(listed.begin(), listed.end(), convention) == listed.end()) {
    std::string names;
    for (runner::LockConvention c : listed) {
      names += (names.empty() ? "" : ", ") + std::string(runner::LockConventionName(c));
    }
    return "the scenario applies to " + names + " locks, not to " +
           std::string(runner::LockConventionName(convention));
  }
  return runner::NotApplicableFaults(scenario.run.nemeses, scenario.run.setup, convention);
}

int64_t PlannedOps(const Scenario& scenario) {
  return static_cast<int64_t>(scenario.run.writers) * scenario.run.ops_per_writer;
}

std::optional<Scenario> ParseScenario(std::string_view toml_text,
                                      const std::filesystem::path& file_for_messages,
                                      std::string* error) {
  TomlReader r(file_for_messages.string(), error);
  std::optional<toml::table> root = r.Parse(toml_text);
  if (!root) return std::nullopt;
  Scenario s;
  s.file = file_for_messages;
  s.name = file_for_messages.stem().string();
  if (root->contains("crash")) {
    if (!ReadCrashScenario(r, *root, &s)) return std::nullopt;
    return s;
  }
  const bool ok =
      r.CheckKeys(*root, "",
                  {"name", "description", "expect", "expect_lint", "expect_checker", "adapter",
                   "conventions", "workload", "limits", "env", "interposer", "nemesis", "setup"}) &&
      ReadTop(r, *root, &s, std::vector<std::string>(kRunCheckers.begin(), kRunCheckers.end())) &&
      ReadTable(r, *root, "workload", &s, ReadWorkload) &&
      ReadTable(r, *root, "limits", &s, ReadLimits) && ReadTable(r, *root, "env", &s, ReadEnv) &&
      ReadTable(r, *root, "interposer", &s, ReadInterposer) &&
      ReadSpecEntries(r, *root, "nemesis", "nemeses", runner::NemesisKeys(), &s) &&
      ReadSpecEntries(r, *root, "setup", "setup", runner::SetupKeys(), &s);
  if (!ok) return std::nullopt;
  return s;
}

std::optional<Scenario> LoadScenario(const std::filesystem::path& file, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    *error = file.string() + ": cannot read: is a directory";
    return std::nullopt;
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int saved = errno;
    *error =
        file.string() + ": cannot read: " + (saved != 0 ? std::strerror(saved) : "cannot open");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *error = file.string() + ": cannot read: read error";
    return std::nullopt;
  }
  return ParseScenario(text.str(), file, error);
}

}  // namespace lockharness::harness::scenario
