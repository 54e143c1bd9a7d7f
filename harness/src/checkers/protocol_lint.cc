// protocol_lint.cc: SHOULD-level write-path rules checked on each writer's
// traced calls around its registry renames. A writer is a traced process
// with the helpers it started (TracedCall::writer): a shell adapter's
// mktemp, JSON step and mv together make one write.

#include "lockharness/harness/checkers/protocol_lint.h"

#include <map>
#include <set>

namespace lockharness::harness {
namespace {

using Calls = std::vector<const TracedCall*>;

constexpr size_t kMaxWarnedFindings = 50;
constexpr size_t kMaxListedFindings = 100;

std::string_view Directory(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool IsRegistryRename(const TracedCall& call) {
  return call.family() == "rename" && call.event.path_class() == "registry";
}

bool IsKill(TraceEventRef e) { return e.injected() && e.action() == "kill"; }

bool IsSync(const TracedCall& call) {
  return call.family() == "fsync" || call.family() == "fdatasync";
}

bool Failed(TraceEventRef e) { return !IsKill(e) && !Succeeded(e); }

class Linter {
 public:
  explicit Linter(const TraceTimeline& timeline) : timeline_(timeline) {
    for (const TracedCall& call : timeline.calls) by_writer_[call.writer].push_back(&call);
  }

  std::vector<LintFinding> Run() {
    // Findings are collected per call position, so they come out in the
    // order of the calls they are about whatever rule found them.
    for (const auto& [writer, calls] : by_writer_) {
      std::set<std::string> failed_temps;
      for (size_t k = 0; k < calls.size(); ++k) {
        const TracedCall& call = *calls[k];
        if (IsRegistryRename(call) && !IsKill(call.event)) {
          ++renames_;
          CheckDirectory(call);
          CheckTempSynced(calls, k);
          if (Succeeded(call.event)) CheckDirectorySynced(calls, k);
        }
        const std::string* temp = FailedTemp(call);
        if (temp != nullptr && failed_temps.insert(*temp).second) {
          CheckTempRemoved(calls, k, *temp);
        }
      }
    }
    CheckSharedNames();
    std::vector<LintFinding> out;
    for (auto& [line, findings] : found_) {
      for (LintFinding& f : findings) out.push_back(std::move(f));
    }
    return out;
  }

  size_t renames() const { return renames_; }

 private:
  std::string Describe(const TracedCall& call) const {
    return DescribeCall(call, timeline_.origin);
  }

  void Add(const TracedCall& about, std::string rule, std::string message, const Calls& evidence) {
    LintFinding f{std::move(rule), about.pid(), std::move(message), {}};
    for (const TracedCall* c : evidence) f.evidence.push_back(Describe(*c));
    found_[about.line].push_back(std::move(f));
  }

  void CheckDirectory(const TracedCall& rename) {
    const TraceEventRef e = rename.event;
    if (e.from().empty() || e.path().empty()) return;
    if (Directory(e.from()) == Directory(e.path())) return;
    Add(rename, "temp-outside-registry-dir",
        "pid " + std::to_string(e.pid()) + " renamed " + e.from() +
            " over the registry from another directory",
        {&rename});
  }

  // The open that created the renamed file: the writer's last successful
  // open of that path before call k, or null. A failed rename does not end
  // the search: the temp is still there (mv tries renameat2 with
  // RENAME_NOREPLACE, gets EEXIST, then renames).
  static const TracedCall* TempOpen(const Calls& calls, size_t k, const std::string& path) {
    for (size_t i = k; i-- > 0;) {
      const TraceEventRef e = calls[i]->event;
      if (calls[i]->family() == "open" && Succeeded(e) && e.fd() >= 0 && e.path() == path) {
        return calls[i];
      }
      if (IsRegistryRename(*calls[i]) && Succeeded(calls[i]->event)) break;
    }
    return nullptr;
  }

  void CheckTempSynced(const Calls& calls, size_t k) {
    const TracedCall& rename = *calls[k];
    const TraceEventRef e = rename.event;
    if (e.from().empty()) return;
    const TracedCall* open = TempOpen(calls, k, e.from());
    const TracedCall* failed_sync = nullptr;
    for (size_t i = k; i-- > 0;) {
      const TracedCall& c = *calls[i];
      if (&c == open || (open == nullptr && IsRegistryRename(c) && Succeeded(c.event))) break;
      // A descriptor number names the file only in the process that opened it.
      const bool same_file = open != nullptr
                                 ? c.pid() == open->pid() && c.event.fd() == open->event.fd()
                                 : c.event.path() == e.from();
      if (!IsSync(c) || !same_file) continue;
      if (Succeeded(c.event)) return;
      if (failed_sync == nullptr) failed_sync = &c;
    }
    Calls evidence;
    if (open != nullptr) evidence.push_back(open);
    std::string message = "pid " + std::to_string(e.pid()) + " renamed " + e.from() +
                          " over the registry without a successful fsync of it";
    if (failed_sync != nullptr) {
      evidence.push_back(failed_sync);
      message += " (its fsync failed and the rename went ahead)";
    }
    evidence.push_back(&rename);
    Add(rename, "temp-not-fsynced", message, evidence);
  }

  void CheckDirectorySynced(const Calls& calls, size_t k) {
    const TracedCall& rename = *calls[k];
    if (k + 1 == calls.size()) return;  // the writer ended here: cannot tell
    size_t i = k + 1;
    for (; i < calls.size() && !IsRegistryRename(*calls[i]); ++i) {
      const TracedCall& c = *calls[i];
      if (IsSync(c) && c.event.path_class() == "dir") return;
    }
    Calls evidence = {&rename, calls[i == calls.size() ? i - 1 : i]};
    Add(rename, "dir-not-fsynced",
        "pid " + std::to_string(rename.pid()) +
            " renamed onto the registry and went on without fsyncing the "
            "directory",
        evidence);
  }

  // The temp file a failed call was about, or null.
  static const std::string* FailedTemp(const TracedCall& call) {
    const TraceEventRef e = call.event;
    if (!Failed(e)) return nullptr;
    if (IsRegistryRename(call) && !e.from().empty()) return &e.from();
    const bool temp_step = call.family() == "write" || IsSync(call);
    if (temp_step && e.path_class() == "temp" && !e.path().empty()) return &e.path();
    return nullptr;
  }

  void CheckTempRemoved(const Calls& calls, size_t k, const std::string& temp) {
    for (size_t i = k + 1; i < calls.size(); ++i) {
      const TracedCall& c = *calls[i];
      const TraceEventRef e = c.event;
      if (c.family() == "unlink" && e.path() == temp) return;
      if (c.family() == "rename" && Succeeded(e) && e.from() == temp) return;
    }
    for (size_t i = k; i < calls.size(); ++i) {
      if (IsKill(calls[i]->event)) return;  // killed: P6 recovery's job
    }
    Calls evidence = {calls[k]};
    if (calls.back() != calls[k]) evidence.push_back(calls.back());
    Add(*calls[k], "temp-left-after-failure",
        "pid " + std::to_string(calls[k]->pid()) + " left " + temp + " behind after a failed " +
            calls[k]->event.call(),
        evidence);
  }

  void CheckSharedNames() {
    // temp path -> first use by each writer, in time order.
    std::map<std::string, std::vector<const TracedCall*>> users;
    for (const TracedCall& call : timeline_.calls) {
      const TraceEventRef e = call.event;
      const std::string* temp = nullptr;
      if (call.family() == "open" && Succeeded(e) && e.path_class() == "temp") temp = &e.path();
      if (IsRegistryRename(call) && !IsKill(e) && !e.from().empty()) temp = &e.from();
      if (temp == nullptr) continue;
      std::vector<const TracedCall*>& list = users[*temp];
      bool seen = false;
      for (const TracedCall* u : list) seen |= u->writer == call.writer;
      if (!seen) list.push_back(&call);
    }
    for (const auto& [temp, list] : users) {
      if (list.size() < 2) continue;
      std::string pids;
      for (const TracedCall* u : list) {
        pids += (pids.empty() ? "" : ", ") + std::to_string(u->pid());
      }
      Calls evidence(list.begin(), list.begin() + std::min<size_t>(list.size(), 4));
      Add(*list[1], "temp-name-shared",
          "temp file " + temp + " used by " + std::to_string(list.size()) + " writers (pids " +
              pids + "): its name is not unique to the writer",
          evidence);
    }
  }

  const TraceTimeline& timeline_;
  std::map<int, Calls> by_writer_;
  std::map<size_t, std::vector<LintFinding>> found_;  // by trace line
  size_t renames_ = 0;
};

}  // namespace

std::vector<LintFinding> LintTrace(const TraceTimeline& timeline) { return Linter(timeline).Run(); }

CheckerReport CheckProtocolLint(const TraceTimeline& timeline) {
  Linter linter(timeline);
  const std::vector<LintFinding> findings = linter.Run();
  CheckerReport report;
  report.checker = kProtocolLintChecker;
  nlohmann::json by_rule = nlohmann::json::object();
  nlohmann::json listed = nlohmann::json::array();
  for (const LintFinding& f : findings) {
    by_rule[f.rule] = by_rule.value(f.rule, 0) + 1;
    if (listed.size() < kMaxListedFindings) {
      listed.push_back(
          {{"rule", f.rule}, {"pid", f.pid}, {"message", f.message}, {"evidence", f.evidence}});
    }
    if (report.warnings.size() < kMaxWarnedFindings) {
      report.warnings.push_back(f.rule + ": " + f.message);
      for (const std::string& line : f.evidence) report.warnings.push_back("  " + line);
    }
  }
  if (findings.size() > kMaxWarnedFindings) {
    report.warnings.push_back("... " + std::to_string(findings.size() - kMaxWarnedFindings) +
                              " more findings (details.by_rule counts them)");
  }
  report.details = {{"registry_renames", linter.renames()},
                    {"findings", findings.size()},
                    {"by_rule", by_rule},
                    {"finding_list", listed}};
  if (linter.renames() == 0) {
    report.verdict = Verdict::kUnknown;
    report.summary = "no rename onto the registry in the trace: nothing to lint";
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = std::to_string(linter.renames()) + " registry renames linted: ";
  if (findings.empty()) {
    report.summary += "clean";
  } else {
    report.summary += std::to_string(findings.size()) + " findings (";
    bool first = true;
    for (const auto& [rule, count] : by_rule.items()) {
      report.summary += (first ? "" : ", ") + rule + " " + count.dump();
      first = false;
    }
    report.summary += ")";
  }
  return report;
}

Verdict OverallWithLint(const std::vector<CheckerReport>& reports, bool lint_is_failure) {
  const Verdict overall = Overall(reports);
  if (!lint_is_failure || overall == Verdict::kInvalid) return overall;
  for (const CheckerReport& report : reports) {
    if (report.checker != kProtocolLintChecker) continue;
    return report.warnings.empty() ? overall : Verdict::kInvalid;
  }
  return Verdict::kUnknown;
}

}  // namespace lockharness::harness
