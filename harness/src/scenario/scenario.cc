#include "lockharness/harness/scenario/scenario.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/runner/nemesis.h"
#include "lockharness/harness/runner/workload.h"
#include "lockharness/interposer/fault_spec.h"
#include "src/scenario/toml_reader.h"

namespace lockharness::harness::scenario {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name == "." || name == "..") {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool ValidEnvKey(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The top-level keys: name, description, expect, expect_lint.
bool ReadTop(TomlReader& r, const toml::table& root, Scenario* s) {
  if (!r.String(root, "", "name", &s->name)) return false;
  if (root.contains("name") && !ValidName(s->name)) {
    return r.Fail(root.get("name")->source(),
                  "name must be 1 to 128 characters of A-Z a-z 0-9 . _ -, "
                  "got '" + s->name + "'");
  }
  if (!r.String(root, "", "description", &s->description)) return false;
  std::string expect = "valid";
  if (!r.String(root, "", "expect", &expect, {"valid", "invalid"})) {
    return false;
  }
  s->expect = expect == "valid" ? Scenario::Expect::kValid
                                : Scenario::Expect::kInvalid;
  std::string lint = "any";
  if (!r.String(root, "", "expect_lint", &lint, {"any", "clean"})) {
    return false;
  }
  s->expect_lint_clean = lint == "clean";
  return true;
}

bool ReadWorkload(TomlReader& r, const toml::table& t, Scenario* s) {
  constexpr std::string_view kCtx = "[workload]";
  if (!r.CheckKeys(t, kCtx,
                   {"mode", "writers", "ops", "readers", "mix", "value_bytes",
                    "seed", "reader_interval_us", "fleet"})) {
    return false;
  }
  runner::RunOptions& run = s->run;
  std::string mode(runner::ModeName(run.mode));
  if (!r.String(t, kCtx, "mode", &mode, {"per-op", "worker"})) return false;
  run.mode = mode == "worker" ? runner::Mode::kWorker : runner::Mode::kPerOp;
  if (!r.Int(t, kCtx, "writers", 1, 1024, &run.writers) ||
      !r.Int(t, kCtx, "ops", 1, kMax, &run.ops_per_writer) ||
      !r.Int(t, kCtx, "readers", 0, kMax, &run.readers) ||
      !r.Int(t, kCtx, "value_bytes", 0, kMax, &run.value_bytes) ||
      !r.Int(t, kCtx, "reader_interval_us", 0, kMax,
             &run.reader_interval_us)) {
    return false;
  }
  int64_t seed = -1;
  if (!r.Int(t, kCtx, "seed", 0, kMax, &seed)) return false;
  if (seed >= 0) {
    run.seed = static_cast<uint64_t>(seed);
    s->seed_set = true;
  }
  std::string mix;
  if (!r.String(t, kCtx, "mix", &mix)) return false;
  if (t.contains("mix")) {
    std::string why;
    std::optional<runner::OpMix> parsed = runner::ParseOpMix(mix, &why);
    if (!parsed) {
      return r.Fail(t.get("mix")->source(), "[workload] mix: " + why);
    }
    run.mix = *parsed;
  }
  if (!r.StringArray(t, kCtx, "fleet", &run.fleet)) return false;
  // Split now as the runner will, so a quoting mistake points at its line.
  for (size_t i = 0; i < run.fleet.size(); ++i) {
    std::string why;
    if (!runner::SplitCommandTemplate(run.fleet[i], &why)) {
      return r.Fail((*t.get("fleet")->as_array())[i].source(),
                    "[workload] fleet: command template #" +
                        std::to_string(i + 1) + ": " + why);
    }
    // "harness/adapters/..." names the same adapter from any directory,
    // in a checkout and in an installed tree.
    run.fleet[i] = install::ResolveDataTemplate(install::ThisHarnessData(), run.fleet[i]);
  }
  return true;
}

bool ReadLimits(TomlReader& r, const toml::table& t, Scenario* s) {
  constexpr std::string_view kCtx = "[limits]";
  if (!r.CheckKeys(t, kCtx,
                   {"op_timeout_ms", "takeover_bound_ms", "stale_ms",
                    "run_timeout_ms"})) {
    return false;
  }
  runner::RunOptions& run = s->run;
  return r.Int(t, kCtx, "op_timeout_ms", 1, kMax, &run.op_timeout_ms) &&
         r.Int(t, kCtx, "takeover_bound_ms", 1, kMax,
               &run.takeover_bound_ms) &&
         r.Int(t, kCtx, "stale_ms", 0, kMax, &run.stale_ms) &&
         r.Int(t, kCtx, "run_timeout_ms", 0, kMax, &run.run_timeout_ms);
}

bool ReadEnv(TomlReader& r, const toml::table& t, Scenario* s) {
  for (const auto& [key, node] : t) {
    const std::string name(key.str());
    const toml::source_region& at =
        key.source().begin.line > 0 ? key.source() : node.source();
    if (!ValidEnvKey(name)) {
      return r.Fail(at, "[env] key '" + name +
                            "' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    if (name.rfind("LOCKHARNESS_", 0) == 0 || name.rfind("LD_", 0) == 0) {
      return r.Fail(at, "[env] " + name +
                            " is reserved (LOCKHARNESS_* and LD_* are set by "
                            "the harness; use [limits] or [interposer])");
    }
    const auto* value = node.as_string();
    if (value == nullptr) {
      return r.Fail(node.source(), "[env] " + name + " must be a string, got " +
                                       std::string(TomlReader::TypeName(node)));
    }
    s->run.env.push_back(name + "=" + value->get());
  }
  return true;
}

bool ReadInterposer(TomlReader& r, const toml::table& t, Scenario* s) {
  constexpr std::string_view kCtx = "[interposer]";
  if (!r.CheckKeys(t, kCtx, {"faults", "trace"}) ||
      !r.String(t, kCtx, "faults", &s->run.interposer_faults) ||
      !r.Bool(t, kCtx, "trace", &s->run.trace)) {
    return false;
  }
  if (s->run.interposer_faults.empty()) return true;
  // The preload library parses the same text at startup and would refuse
  // it there, once per process; refuse it here, once, with a position.
  auto list = std::make_unique<interposer::FaultList>();
  interposer::ParseError why;
  if (!interposer::ParseFaultList(s->run.interposer_faults.c_str(), list.get(),
                                  &why)) {
    return r.Fail(t.get("faults")->source(),
                  std::string("[interposer] faults: ") + why.message);
  }
  return true;
}

// The required `kind` key of a [[nemesis]] or [[setup]] entry, one of
// `names`. Sets *name to the text; nullopt (error set) if missing or unknown.
template <typename Kind>
std::optional<Kind> ReadKind(TomlReader& r, const toml::table& t,
                             const std::string& ctx,
                             std::optional<Kind> (*parse)(std::string_view),
                             const std::vector<std::string>& names,
                             std::string* name) {
  if (!t.contains("kind")) {
    r.Fail(t.source(), ctx + ": missing key 'kind'");
    return std::nullopt;
  }
  if (!r.String(t, ctx, "kind", name)) return std::nullopt;
  std::optional<Kind> kind = parse(*name);
  if (!kind) {
    r.Fail(t.get("kind")->source(), ctx + " kind must be " +
                                        TomlReader::QuoteList(names) +
                                        ", got '" + *name + "'");
  }
  return kind;
}

// A key that belongs to one kind only: an error for other kinds and, if
// `required`, missing for that kind.
bool KindSpecific(TomlReader& r, const toml::table& t, const std::string& ctx,
                  std::string_view key, bool applies, bool required,
                  std::string_view owner_kind, std::string_view kind_name) {
  const toml::node* node = t.get(key);
  if (applies && required && node == nullptr) {
    return r.Fail(t.source(), ctx + ": missing key '" + std::string(key) +
                                  "' (required for " +
                                  std::string(owner_kind) + ")");
  }
  if (!applies && node != nullptr) {
    return r.Fail(node->source(), ctx + " " + std::string(key) +
                                      " applies only to " +
                                      std::string(owner_kind) + ", not " +
                                      std::string(kind_name));
  }
  return true;
}

bool ReadNemesis(TomlReader& r, const toml::table& t, int number,
                 Scenario* s) {
  const std::string ctx = "[[nemesis]] #" + std::to_string(number);
  if (!r.CheckKeys(t, ctx,
                   {"kind", "start_ms", "interval_ms", "jitter_ms", "count",
                    "duration_ms", "shift_ms"})) {
    return false;
  }
  std::string kind_name;
  const std::optional<runner::NemesisKind> kind =
      ReadKind(r, t, ctx, runner::ParseNemesisKind,
               runner::AllNemesisKindNames(), &kind_name);
  if (!kind) return false;
  runner::NemesisSpec spec;
  spec.kind = *kind;
  if (!r.Int(t, ctx, "start_ms", 0, kMax, &spec.start_ms) ||
      !r.Int(t, ctx, "interval_ms", 1, kMax, &spec.interval_ms) ||
      !r.Int(t, ctx, "jitter_ms", 0, kMax, &spec.jitter_ms) ||
      !r.Int(t, ctx, "count", 0, kMax, &spec.count)) {
    return false;
  }
  const bool pause = *kind == runner::NemesisKind::kPauseHolder;
  const bool backdate = *kind == runner::NemesisKind::kBackdateLock;
  if (!KindSpecific(r, t, ctx, "duration_ms", pause, /*required=*/true,
                    "pause-holder", kind_name) ||
      !r.Int(t, ctx, "duration_ms", 1, kMax, &spec.duration_ms) ||
      !KindSpecific(r, t, ctx, "shift_ms", backdate, /*required=*/true,
                    "backdate-lock", kind_name) ||
      !r.Int(t, ctx, "shift_ms", std::numeric_limits<int64_t>::min(), kMax,
             &spec.shift_ms)) {
    return false;
  }
  if (backdate && spec.shift_ms == 0) {
    return r.Fail(t.get("shift_ms")->source(),
                  ctx + " shift_ms must not be 0 (negative: into the past)");
  }
  s->run.nemeses.push_back(spec);
  return true;
}

bool ReadSetup(TomlReader& r, const toml::table& t, int number, Scenario* s) {
  const std::string ctx = "[[setup]] #" + std::to_string(number);
  if (!r.CheckKeys(t, ctx, {"kind", "age_ms", "count"})) return false;
  std::string kind_name;
  const std::optional<runner::SetupKind> kind =
      ReadKind(r, t, ctx, runner::ParseSetupKind, runner::AllSetupKindNames(),
               &kind_name);
  if (!kind) return false;
  runner::SetupSpec spec;
  spec.kind = *kind;
  if (!r.Int(t, ctx, "age_ms", 0, kMax, &spec.age_ms)) return false;
  const bool temps = *kind == runner::SetupKind::kStaleTempFiles;
  if (!KindSpecific(r, t, ctx, "count", temps, /*required=*/false,
                    "stale-temp-files", kind_name) ||
      !r.Int(t, ctx, "count", 1, 1000, &spec.count)) {
    return false;
  }
  s->run.setup.push_back(spec);
  return true;
}

// Reads every [[key]] entry with `read`, numbering them from 1.
template <typename ReadOne>
bool ReadEach(TomlReader& r, const toml::table& root, std::string_view key,
              Scenario* s, ReadOne read) {
  bool ok = true;
  const toml::array* entries = r.TableArray(root, key, &ok);
  if (!ok) return false;
  if (entries == nullptr) return true;
  int number = 0;
  for (const toml::node& entry : *entries) {
    if (!read(r, *entry.as_table(), ++number, s)) return false;
  }
  return true;
}

// Reads the optional table `key` with `read`.
bool ReadTable(TomlReader& r, const toml::table& root, std::string_view key,
               Scenario* s,
               bool (*read)(TomlReader&, const toml::table&, Scenario*)) {
  bool ok = true;
  const toml::table* table = r.Table(root, key, &ok);
  if (!ok) return false;
  return table == nullptr || read(r, *table, s);
}

}  // namespace

std::string_view ExpectName(Scenario::Expect expect) {
  return expect == Scenario::Expect::kValid ? "valid" : "invalid";
}

int64_t PlannedOps(const Scenario& scenario) {
  return static_cast<int64_t>(scenario.run.writers) *
         scenario.run.ops_per_writer;
}

std::optional<Scenario> ParseScenario(
    std::string_view toml_text, const std::filesystem::path& file_for_messages,
    std::string* error) {
  TomlReader r(file_for_messages.string(), error);
  std::optional<toml::table> root = r.Parse(toml_text);
  if (!root) return std::nullopt;
  Scenario s;
  s.file = file_for_messages;
  s.name = file_for_messages.stem().string();
  const bool ok =
      r.CheckKeys(*root, "",
                  {"name", "description", "expect", "expect_lint", "workload",
                   "limits", "env", "interposer", "nemesis", "setup"}) &&
      ReadTop(r, *root, &s) && ReadTable(r, *root, "workload", &s, ReadWorkload) &&
      ReadTable(r, *root, "limits", &s, ReadLimits) &&
      ReadTable(r, *root, "env", &s, ReadEnv) &&
      ReadTable(r, *root, "interposer", &s, ReadInterposer) &&
      ReadEach(r, *root, "nemesis", &s, ReadNemesis) &&
      ReadEach(r, *root, "setup", &s, ReadSetup);
  if (!ok) return std::nullopt;
  return s;
}

std::optional<Scenario> LoadScenario(const std::filesystem::path& file,
                                     std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    *error = file.string() + ": cannot read: is a directory";
    return std::nullopt;
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int saved = errno;
    *error = file.string() + ": cannot read: " +
             (saved != 0 ? std::strerror(saved) : "cannot open");
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
