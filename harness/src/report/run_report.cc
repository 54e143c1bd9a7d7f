// Run reports (see run_report.h).

#include "lockharness/harness/report/run_report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "lockharness/harness/install/build_info.h"
#include "lockharness/harness/report/junit.h"
#include "lockharness/harness/report/timeline.h"
#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/runner/run_config.h"
#include "lockharness/harness/runner/safe_files.h"

namespace lockharness::harness::runner {
namespace {

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(
      sorted.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[index];
}

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

template <typename T>
T Get(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

// A checker's `key` lines (evidence or warnings), each after `prefix`: the
// first 12, then how many more results.json has.
void PrintCheckerLines(std::ostream& out, const nlohmann::json& checker, const char* key,
                       const char* prefix, const char* more) {
  auto lines = checker.find(key);
  if (lines == checker.end() || !lines->is_array()) return;
  int shown = 0;
  for (const auto& e : *lines) {
    if (++shown > 12) {
      out << "      ... (" << lines->size() - 12 << " more " << more << " in results.json)\n";
      break;
    }
    out << "      " << prefix << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
  }
}

nlohmann::json CommonHeader(const nlohmann::json& run_config) {
  nlohmann::ordered_json report;
  for (const char* key : {"seed", "impl", "mode", "writers", "ops", "readers", "op_timeout_ms",
                          "takeover_bound_ms", "observation"}) {
    if (run_config.contains(key)) report[key] = run_config[key];
  }
  report["replay"] = ReplayCommand(run_config);
  report["lockharness_version"] = std::string(install::Version()) + " (" + install::Commit() + ")";
  return report;
}

}  // namespace

nlohmann::json OperationStats(const std::vector<Event>& history) {
  std::unordered_map<int64_t, const Event*> invokes;
  std::map<std::string, std::map<std::string, int64_t>> by_op;
  std::vector<double> latencies_ms;
  int64_t counts[3] = {0, 0, 0};  // ok, fail, info
  int64_t first_t = -1, last_t = -1;
  int64_t invoked = 0;
  for (const Event& e : history) {
    if (e.type == EventType::kInvoke) {
      invokes[e.id] = &e;
      ++invoked;
      if (first_t < 0 || e.t < first_t) first_t = e.t;
      continue;
    }
    int kind;
    switch (e.type) {
      case EventType::kOk: kind = 0; break;
      case EventType::kFail: kind = 1; break;
      case EventType::kInfo: kind = 2; break;
      default: continue;
    }
    ++counts[kind];
    last_t = std::max(last_t, e.t);
    auto it = invokes.find(e.id);
    std::string op = "unknown";
    if (it != invokes.end()) {
      if (it->second->op) op = std::string(OpKindName(*it->second->op));
      latencies_ms.push_back(static_cast<double>(e.t - it->second->t) / 1e6);
    }
    static const char* const kNames[] = {"ok", "fail", "info"};
    ++by_op[op][kNames[kind]];
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const int64_t completed = counts[0] + counts[1] + counts[2];
  const double span_s =
      (first_t >= 0 && last_t > first_t) ? static_cast<double>(last_t - first_t) / 1e9 : 0;
  nlohmann::ordered_json stats;
  stats["invoked"] = invoked;
  stats["ok"] = counts[0];
  stats["fail"] = counts[1];
  stats["info"] = counts[2];
  stats["never_completed"] = invoked - completed;
  stats["by_op"] = by_op;
  stats["duration_s"] = span_s;
  stats["throughput_ops_per_s"] = span_s > 0 ? static_cast<double>(completed) / span_s : 0;
  stats["latency_ms"] = {{"p50", Percentile(latencies_ms, 50)},
                         {"p90", Percentile(latencies_ms, 90)},
                         {"p99", Percentile(latencies_ms, 99)},
                         {"max", latencies_ms.empty() ? 0 : latencies_ms.back()}};
  return stats;
}

nlohmann::json BuildReport(const nlohmann::json& run_config, const std::vector<Event>& history,
                           const std::vector<CheckerReport>& findings, Verdict verdict,
                           const nlohmann::json& run_notes) {
  nlohmann::ordered_json report = CommonHeader(run_config);
  report["verdict"] = VerdictName(verdict);
  nlohmann::ordered_json checkers = nlohmann::ordered_json::array();
  for (const CheckerReport& finding : findings) {
    nlohmann::ordered_json c;
    c["checker"] = finding.checker;
    c["verdict"] = VerdictName(finding.verdict);
    c["summary"] = finding.summary;
    c["evidence"] = finding.evidence;
    if (!finding.warnings.empty()) c["warnings"] = finding.warnings;
    c["details"] = finding.details;
    checkers.push_back(std::move(c));
  }
  report["checkers"] = std::move(checkers);
  report["operations"] = OperationStats(history);
  if (!run_notes.is_null()) report["run"] = run_notes;
  return report;
}

nlohmann::json BuildUnjudgedReport(const nlohmann::json& run_config,
                                   const nlohmann::json& run_notes, const std::string& reason) {
  nlohmann::ordered_json report = CommonHeader(run_config);
  report["verdict"] = "unknown";
  report["reason"] = reason;
  report["checkers"] = nlohmann::ordered_json::array();
  if (!run_notes.is_null()) report["run"] = run_notes;
  return report;
}

std::string FormatReportText(const nlohmann::json& report) {
  std::ostringstream out;
  out << "lockharness: seed " << Get<uint64_t>(report, "seed", 0) << ", "
      << Get<std::string>(report, "mode", "?") << " mode, " << Get<int>(report, "writers", 0)
      << " writers x " << Get<int>(report, "ops", 0) << " ops, " << Get<int>(report, "readers", 0)
      << " readers\n";
  out << "implementation: " << Get<std::string>(report, "impl", "") << "\n";
  if (auto obs = report.find("observation");
      obs != report.end() && obs->is_object() && !Get<bool>(*obs, "recorded", true)) {
    // Said once: the verdicts below rest on what can be seen from outside.
    out << "observation: none (" << Get<std::string>(*obs, "reason", "?")
        << "); judged from the history and the files alone\n";
  }
  std::string verdict = Get<std::string>(report, "verdict", "unknown");
  std::transform(verdict.begin(), verdict.end(), verdict.begin(), ::toupper);
  out << "verdict: " << verdict << "\n";
  if (report.contains("reason")) out << "reason: " << report["reason"].get<std::string>() << "\n";
  if (auto it = report.find("checkers"); it != report.end() && !it->empty()) {
    out << "\ncheckers:\n";
    for (const auto& c : *it) {
      char line[256];
      std::snprintf(line, sizeof line, "  %-17s %-8s ", Get<std::string>(c, "checker", "?").c_str(),
                    Get<std::string>(c, "verdict", "?").c_str());
      out << line << Get<std::string>(c, "summary", "") << "\n";
      PrintCheckerLines(out, c, "evidence", "", "lines");
      PrintCheckerLines(out, c, "warnings", "warning: ", "warning lines");
    }
  }
  if (auto it = report.find("operations"); it != report.end()) {
    const auto& ops = *it;
    out << "\noperations: " << Get<int64_t>(ops, "invoked", 0)
        << " invoked: " << Get<int64_t>(ops, "ok", 0) << " ok, " << Get<int64_t>(ops, "fail", 0)
        << " fail, " << Get<int64_t>(ops, "info", 0) << " info";
    if (Get<int64_t>(ops, "never_completed", 0) > 0) {
      out << ", " << Get<int64_t>(ops, "never_completed", 0) << " never completed";
    }
    out << "\n";
    if (auto by = ops.find("by_op"); by != ops.end()) {
      for (const auto& [op, c] : by->items()) {
        out << "  " << op << ": " << Get<int64_t>(c, "ok", 0) << " ok, "
            << Get<int64_t>(c, "fail", 0) << " fail, " << Get<int64_t>(c, "info", 0) << " info\n";
      }
    }
    out << "throughput: " << Fixed(Get<double>(ops, "throughput_ops_per_s", 0), 1) << " ops/s over "
        << Fixed(Get<double>(ops, "duration_s", 0), 2) << " s\n";
    if (auto lat = ops.find("latency_ms"); lat != ops.end()) {
      out << "latency (ms): p50 " << Fixed(Get<double>(*lat, "p50", 0), 2) << "  p90 "
          << Fixed(Get<double>(*lat, "p90", 0), 2) << "  p99 "
          << Fixed(Get<double>(*lat, "p99", 0), 2) << "  max "
          << Fixed(Get<double>(*lat, "max", 0), 2) << "\n";
    }
  }
  if (auto it = report.find("run"); it != report.end() && it->is_object()) {
    const auto& run = *it;
    if (run.contains("reader_samples")) {
      out << "readers: " << Get<int64_t>(run, "reader_samples", 0) << " samples, "
          << Get<int64_t>(run, "reader_samples_invalid", 0) << " invalid, "
          << Get<int64_t>(run, "reader_samples_missing", 0) << " before the file existed\n";
    }
    if (Get<std::string>(run, "status", "completed") != "completed") {
      out << "run: " << Get<std::string>(run, "status", "") << ": "
          << Get<std::string>(run, "reason", "") << "\n";
    }
  }
  out << "seed: " << Get<uint64_t>(report, "seed", 0) << "\n";
  out << "replay: " << Get<std::string>(report, "replay", "") << "\n";
  return out.str();
}

std::string ReplayCommand(const nlohmann::json& run_config) {
  // Through the run-configuration codec: every option, as the command line
  // parses it back.
  std::string error;
  const std::optional<RunOptions> options = FromJson(run_config, &error);
  if (!options) return "(no replay line: run.json: " + error + ")";
  std::string command = "lockharness run";
  for (const std::string& word : ToFlags(*options)) command += " " + QuoteWord(word);
  return command;
}

std::string RunName(const nlohmann::json& report) {
  return Get<std::string>(report, "impl", "?") + " seed " +
         std::to_string(Get<uint64_t>(report, "seed", 0));
}

report::JunitSuite JunitSuiteFor(const nlohmann::json& report) {
  report::JunitSuite suite;
  suite.name = RunName(report);
  if (auto ops = report.find("operations"); ops != report.end()) {
    suite.seconds = Get<double>(*ops, "duration_s", 0);
  }
  suite.properties = {{"seed", std::to_string(Get<uint64_t>(report, "seed", 0))},
                      {"impl", Get<std::string>(report, "impl", "")},
                      {"mode", Get<std::string>(report, "mode", "")},
                      {"verdict", Get<std::string>(report, "verdict", "unknown")},
                      {"replay", Get<std::string>(report, "replay", "")}};
  const auto checkers = report.find("checkers");
  if (checkers == report.end() || !checkers->is_array() || checkers->empty()) {
    // Nothing was judged: one case that CI counts as an error, never an
    // empty (passing) suite.
    report::JunitCase run;
    run.name = "run";
    run.classname = "lockharness.run";
    run.result = report::JunitResult::kError;
    run.message = Get<std::string>(report, "reason", "the run was not judged");
    suite.cases.push_back(std::move(run));
    return suite;
  }
  for (const auto& c : *checkers) {
    report::JunitCase test;
    test.name = Get<std::string>(c, "checker", "?");
    const std::string verdict = Get<std::string>(c, "verdict", "unknown");
    test.result = report::JunitResultFor(verdict == "valid"     ? Verdict::kValid
                                         : verdict == "invalid" ? Verdict::kInvalid
                                                                : Verdict::kUnknown);
    test.message = Get<std::string>(c, "summary", "");
    if (auto ev = c.find("evidence"); ev != c.end() && ev->is_array()) {
      for (const auto& line : *ev) {
        test.text += line.is_string() ? line.get<std::string>() : line.dump();
        test.text += '\n';
      }
    }
    suite.cases.push_back(std::move(test));
  }
  return suite;
}

namespace {

// A crash run's report lists where its violating states were cut
// (crash.violation_points, crash_run.cc); the timeline marks them.
std::vector<report::TimelineCrashPoint> CrashPointsOf(const nlohmann::json& report) {
  std::vector<report::TimelineCrashPoint> points;
  const auto crash = report.find("crash");
  if (crash == report.end() || !crash->is_object()) return points;
  const auto list = crash->find("violation_points");
  if (list == crash->end() || !list->is_array()) return points;
  for (const nlohmann::json& p : *list) {
    if (!p.is_object() || !p.contains("t_ns") || !p["t_ns"].is_number_integer()) continue;
    report::TimelineCrashPoint point;
    point.t = p["t_ns"].get<int64_t>();
    point.label = p.value("state", std::string());
    point.detail = p.value("detail", std::string());
    points.push_back(std::move(point));
  }
  return points;
}

}  // namespace

std::string TimelineFor(const std::filesystem::path& dir, const nlohmann::json& report,
                        const std::vector<Event>* history) {
  report::TimelineOptions options;
  options.title = RunName(report);
  options.crash_points = CrashPointsOf(report);
  if (history != nullptr) return report::TimelineHtml(*history, options);
  std::vector<Event> loaded;
  std::string error;
  if (!ReadHistoryFile(dir / run_files::kHistory, &loaded, &error)) {
    options.note = "history not available: " + error;
    loaded.clear();
  }
  return report::TimelineHtml(loaded, options);
}

bool WriteReportFiles(const std::filesystem::path& dir, const nlohmann::json& report,
                      const std::vector<Event>* history, std::string* error) {
  const std::pair<const char*, std::string> files[] = {
      {run_files::kResults,
       report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"},
      {run_files::kReportText, FormatReportText(report)},
      {run_files::kJunit, report::JunitXml({JunitSuiteFor(report)})},
      {run_files::kTimeline, TimelineFor(dir, report, history)},
  };
  for (const auto& [name, text] : files) {
    if (!WriteFileNoFollow(dir / name, text, error)) return false;
  }
  return true;
}

}  // namespace lockharness::harness::runner
