// Conformance results files (see conformance_results.h).

#include "src/cli/conformance_results.h"

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "lockharness/harness/json_bounds.h"

namespace lockharness::harness::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kFormat[] = "lockharness-conformance-results";
constexpr int kFormatVersion = 1;

class Fnv1a64 {
 public:
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash_ ^= c;
      hash_ *= 0x100000001b3ULL;
    }
  }
  std::string Hex() const {
    char text[32];
    std::snprintf(text, sizeof text, "fnv1a64:%016" PRIx64, hash_);
    return text;
  }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

std::optional<Verdict> VerdictFromName(std::string_view name) {
  for (Verdict v : {Verdict::kValid, Verdict::kInvalid, Verdict::kUnknown}) {
    if (VerdictName(v) == name) return v;
  }
  return std::nullopt;
}

std::optional<ScenarioStatus> StatusFromName(std::string_view name) {
  for (ScenarioStatus s : {ScenarioStatus::kPass, ScenarioStatus::kFail, ScenarioStatus::kUnknown,
                           ScenarioStatus::kNotApplicable}) {
    if (ScenarioStatusName(s) == name) return s;
  }
  return std::nullopt;
}

json OutcomeToJson(const ScenarioOutcome& o) {
  json findings = json::array();
  for (const CheckerReport& f : o.result.findings) {
    findings.push_back({{"checker", f.checker},
                        {"verdict", VerdictName(f.verdict)},
                        {"summary", f.summary},
                        {"evidence", f.evidence}});
  }
  return {{"file", o.file.string()},
          {"expected", o.expected},
          {"expected_checker", o.expected_checker},
          {"expect_lint_clean", o.expect_lint_clean},
          {"seed", o.seed},
          {"impl", o.impl},
          {"run_dir", o.run_dir.string()},
          {"judged", o.result.judged},
          {"verdict", VerdictName(o.result.verdict)},
          {"reason", o.result.reason},
          {"seconds", o.result.seconds},
          {"findings", std::move(findings)},
          {"lint_clean", o.lint_clean},
          {"substitution", o.substitution},
          {"status", ScenarioStatusName(o.status)},
          {"not_applicable", o.not_applicable},
          {"caught_by", o.caught_by}};
}

// Typed access to a parsed document; the first problem is kept with the
// path of the field ("cells[3].outcome.seed: want an unsigned integer").
class Fields {
 public:
  explicit Fields(std::string* error) : error_(error) {}

  bool ok() const { return error_->empty(); }

  const json* Get(const json& object, const std::string& where, const char* key) {
    if (!ok()) return nullptr;
    if (!object.is_object()) return Fail(where, "want an object");
    auto it = object.find(key);
    if (it == object.end()) return Fail(Join(where, key), "missing");
    return &*it;
  }
  void String(const json& object, const std::string& where, const char* key, std::string* out) {
    const json* v = Get(object, where, key);
    if (v == nullptr) return;
    if (!v->is_string()) return void(Fail(Join(where, key), "want a string"));
    *out = v->get<std::string>();
  }
  void Bool(const json& object, const std::string& where, const char* key, bool* out) {
    const json* v = Get(object, where, key);
    if (v == nullptr) return;
    if (!v->is_boolean()) return void(Fail(Join(where, key), "want true or false"));
    *out = v->get<bool>();
  }
  void Unsigned(const json& object, const std::string& where, const char* key, uint64_t* out) {
    const json* v = Get(object, where, key);
    if (v == nullptr) return;
    if (!v->is_number_unsigned()) return void(Fail(Join(where, key), "want an unsigned integer"));
    *out = v->get<uint64_t>();
  }
  void Number(const json& object, const std::string& where, const char* key, double* out) {
    const json* v = Get(object, where, key);
    if (v == nullptr) return;
    if (!v->is_number()) return void(Fail(Join(where, key), "want a number"));
    *out = v->get<double>();
  }
  void Strings(const json& object, const std::string& where, const char* key,
               std::vector<std::string>* out) {
    const json* v = Get(object, where, key);
    if (v == nullptr) return;
    if (!v->is_array()) return void(Fail(Join(where, key), "want an array of strings"));
    for (const json& item : *v) {
      if (!item.is_string()) return void(Fail(Join(where, key), "want an array of strings"));
      out->push_back(item.get<std::string>());
    }
  }
  template <typename T>
  void Named(const json& object, const std::string& where, const char* key,
             std::optional<T> (*parse)(std::string_view), T* out) {
    std::string name;
    String(object, where, key, &name);
    if (!ok()) return;
    std::optional<T> value = parse(name);
    if (!value) return void(Fail(Join(where, key), "unknown value '" + name + "'"));
    *out = *value;
  }

  std::nullptr_t Fail(const std::string& where, const std::string& what) {
    if (ok()) *error_ = where + ": " + what;
    return nullptr;
  }

  static std::string Join(const std::string& where, const char* key) {
    return where.empty() ? key : where + "." + key;
  }

 private:
  std::string* error_;
};

void ParseOutcome(Fields& f, const json& j, const std::string& where, ScenarioOutcome* o) {
  std::string file, run_dir;
  f.String(j, where, "file", &file);
  o->file = file;
  f.String(j, where, "expected", &o->expected);
  f.String(j, where, "expected_checker", &o->expected_checker);
  f.Bool(j, where, "expect_lint_clean", &o->expect_lint_clean);
  f.Unsigned(j, where, "seed", &o->seed);
  f.String(j, where, "impl", &o->impl);
  f.String(j, where, "run_dir", &run_dir);
  o->run_dir = run_dir;
  f.Bool(j, where, "judged", &o->result.judged);
  f.Named(j, where, "verdict", &VerdictFromName, &o->result.verdict);
  f.String(j, where, "reason", &o->result.reason);
  f.Number(j, where, "seconds", &o->result.seconds);
  f.Bool(j, where, "lint_clean", &o->lint_clean);
  f.String(j, where, "substitution", &o->substitution);
  f.Named(j, where, "status", &StatusFromName, &o->status);
  f.String(j, where, "not_applicable", &o->not_applicable);
  f.Strings(j, where, "caught_by", &o->caught_by);
  const json* findings = f.Get(j, where, "findings");
  if (findings == nullptr) return;
  if (!findings->is_array()) return void(f.Fail(where + ".findings", "want an array"));
  for (size_t i = 0; i < findings->size() && f.ok(); ++i) {
    const std::string at = where + ".findings[" + std::to_string(i) + "]";
    CheckerReport report;
    f.String((*findings)[i], at, "checker", &report.checker);
    f.Named((*findings)[i], at, "verdict", &VerdictFromName, &report.verdict);
    f.String((*findings)[i], at, "summary", &report.summary);
    f.Strings((*findings)[i], at, "evidence", &report.evidence);
    o->result.findings.push_back(std::move(report));
  }
}

}  // namespace

std::string ContentVersion(std::string_view bytes) {
  Fnv1a64 hash;
  hash.Add(bytes);
  return hash.Hex();
}

std::optional<std::string> SuiteVersion(const fs::path& suite_dir,
                                        const std::vector<fs::path>& files, std::string* error) {
  Fnv1a64 hash;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) {
      *error = "cannot read " + file.string();
      return std::nullopt;
    }
    // The name and the length keep the files' boundaries apart.
    const std::string name = file.lexically_relative(suite_dir).generic_string();
    const std::string content = bytes.str();
    hash.Add(name);
    hash.Add(std::string_view("\0", 1));
    hash.Add(std::to_string(content.size()));
    hash.Add(std::string_view("\0", 1));
    hash.Add(content);
  }
  return hash.Hex();
}

json ConformanceResultsToJson(const ConformanceResults& r) {
  json cells = json::array();
  for (const ConformanceCell& cell : r.cells) {
    json c = {{"adapter", cell.adapter}, {"scenario", cell.scenario}};
    if (!cell.not_runnable.empty()) {
      c["not_runnable"] = cell.not_runnable;
    } else {
      c["outcome"] = OutcomeToJson(cell.outcome);
    }
    cells.push_back(std::move(c));
  }
  return {{"format", kFormat},
          {"format_version", kFormatVersion},
          {"suite_version", r.suite_version},
          {"catalog_version", r.catalog_version},
          {"adapters", r.adapters},
          {"scenarios", r.scenarios},
          {"shard", std::to_string(r.shard.index) + "/" + std::to_string(r.shard.count)},
          {"complete", r.complete},
          {"command_line", r.command_line},
          {"cells", std::move(cells)}};
}

std::string ConformanceResultsText(const ConformanceResults& results) {
  return ConformanceResultsToJson(results).dump(1, ' ', false, json::error_handler_t::replace) +
         "\n";
}

std::optional<ConformanceResults> ParseConformanceResults(std::string_view bytes,
                                                          const std::string& name,
                                                          std::string* error) {
  if (auto too_big = CheckJsonBounds(bytes, kMaxResultsBytes, kMaxResultsDepth)) {
    *error = name + ": " + *too_big;
    return std::nullopt;
  }
  const json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    *error = name + ": not a JSON object";
    return std::nullopt;
  }
  std::string problem;
  Fields f(&problem);
  std::string format;
  f.String(doc, "", "format", &format);
  if (f.ok() && format != kFormat) f.Fail("format", "'" + format + "', want '" + kFormat + "'");
  uint64_t version = 0;
  f.Unsigned(doc, "", "format_version", &version);
  if (f.ok() && version != kFormatVersion) {
    f.Fail("format_version",
           std::to_string(version) + ", this lockharness reads " + std::to_string(kFormatVersion));
  }
  ConformanceResults r;
  f.String(doc, "", "suite_version", &r.suite_version);
  f.String(doc, "", "catalog_version", &r.catalog_version);
  f.Strings(doc, "", "adapters", &r.adapters);
  f.Strings(doc, "", "scenarios", &r.scenarios);
  std::string shard;
  f.String(doc, "", "shard", &shard);
  if (f.ok()) {
    std::string why;
    std::optional<scenario::Shard> parsed = scenario::ParseShard(shard, &why);
    if (!parsed) f.Fail("shard", why);
    if (parsed) r.shard = *parsed;
  }
  f.Bool(doc, "", "complete", &r.complete);
  f.String(doc, "", "command_line", &r.command_line);
  const json* cells = f.Get(doc, "", "cells");
  if (cells != nullptr && !cells->is_array()) f.Fail("cells", "want an array");
  for (size_t i = 0; f.ok() && i < cells->size(); ++i) {
    const std::string at = "cells[" + std::to_string(i) + "]";
    const json& c = (*cells)[i];
    ConformanceCell cell;
    f.String(c, at, "adapter", &cell.adapter);
    f.String(c, at, "scenario", &cell.scenario);
    if (f.ok() && c.contains("not_runnable")) {
      f.String(c, at, "not_runnable", &cell.not_runnable);
      if (f.ok() && cell.not_runnable.empty()) f.Fail(at + ".not_runnable", "empty reason");
    } else if (const json* outcome = f.Get(c, at, "outcome")) {
      ParseOutcome(f, *outcome, at + ".outcome", &cell.outcome);
      cell.outcome.name = cell.scenario;
    }
    r.cells.push_back(std::move(cell));
  }
  if (!f.ok()) {
    *error = name + ": " + problem;
    return std::nullopt;
  }
  return r;
}

std::optional<ConformanceResults> LoadConformanceResults(const fs::path& dir, std::string* error) {
  const fs::path path = dir / kConformanceResultsFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = dir.string() + ": no " + kConformanceResultsFile +
             " (not the output directory of a `lockharness conformance` run)";
    return std::nullopt;
  }
  // Read at most one byte past the bound: enough to reject an oversized file.
  std::string bytes;
  char chunk[1 << 16];
  while (bytes.size() <= kMaxResultsBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    bytes.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) {
    *error = path.string() + ": read error";
    return std::nullopt;
  }
  return ParseConformanceResults(bytes, path.string(), error);
}

}  // namespace lockharness::harness::cli
