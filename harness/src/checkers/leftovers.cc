// leftovers.cc: the registry directory must be clean after the run, except
// for what killed processes may have left behind.

#include "lockharness/harness/checkers/leftovers.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>
#include <unordered_map>
#include <utility>

#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/checkers/trace_timeline.h"
#include "lockharness/harness/runner/lock_convention.h"

namespace lockharness::harness {
namespace {

enum class LeftoverKind { kTemp, kLock, kLockSibling, kOther };

struct Classified {
  LeftoverKind kind = LeftoverKind::kOther;
  int pid = 0;  // for kTemp: the pid in the name, 0 if none
};

// <base>.tmp.<pid>[.<anything>] carries a pid; <base>.tmp and other
// <base>.tmp* names do not.
Classified Classify(std::string_view name, const std::string& base) {
  std::string_view rest;
  if (!name.starts_with(base)) return {};
  rest = name.substr(base.size());
  if (rest == ".lock") return {LeftoverKind::kLock, 0};
  if (rest.starts_with(".lock.")) return {LeftoverKind::kLockSibling, 0};
  if (!rest.starts_with(".tmp")) return {};
  rest.remove_prefix(4);
  int pid = 0;
  if (rest.starts_with(".")) {
    rest.remove_prefix(1);
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    bool digits = ec == std::errc() && end != rest.data();
    bool terminated = end == rest.data() + rest.size() || *end == '.';
    if (!digits || !terminated || pid <= 0) pid = 0;
  }
  return {LeftoverKind::kTemp, pid};
}

const char* KindName(LeftoverKind kind) {
  switch (kind) {
    case LeftoverKind::kTemp: return "temp file";
    case LeftoverKind::kLock: return "lock directory";
    case LeftoverKind::kLockSibling: return "quarantine/lock sibling";
    case LeftoverKind::kOther: return "unexpected entry";
  }
  return "?";
}

// Finds the first ok mutating operation invoked after a time by a process
// other than a given pid (one that could have swept a leftover). Sorted
// once, so many leftovers cost a binary search each.
class LaterWriters {
 public:
  explicit LaterWriters(const OperationIndex& index) {
    for (const Operation& op : index.operations) {
      if (op.outcome == Outcome::kOk && IsMutating(op.kind)) writes_.push_back(&op);
    }
    std::stable_sort(writes_.begin(), writes_.end(), [](const Operation* a, const Operation* b) {
      return a->invoked_at < b->invoked_at;
    });
  }

  // pid 0: any process.
  const Operation* After(int64_t time, int pid) const {
    auto it = std::upper_bound(writes_.begin(), writes_.end(), time,
                               [](int64_t t, const Operation* op) { return t < op->invoked_at; });
    for (; it != writes_.end(); ++it) {
      if (pid == 0 || (*it)->pid() != pid) return *it;
    }
    return nullptr;
  }

 private:
  std::vector<const Operation*> writes_;
};

// A process that was killed (by the harness, a fault point, a timeout) may
// leave files behind; one that exited on its own, even with an error
// status, must not. Forged state names dead writers the same way.
bool WasKilled(const Event& event) {
  if (event.pid <= 0) return false;
  if (event.type == EventType::kFault) {
    return event.fault == "sigkill" || event.fault == "stale-temp" || event.fault == "forged-lock";
  }
  if (event.type != EventType::kInfo) return false;
  for (const char* sign : {"signal", "timed out", "killed", "no answer within"}) {
    if (event.error.find(sign) != std::string::npos) return true;
  }
  return false;
}

// Names of the files on the lock path that the trace shows holding a
// granted flock, fcntl or lockf lock. Such a lock file normally stays:
// deleting it would let a waiter on the old file and a newcomer on a new
// one both hold "the" lock.
std::set<std::string> ObservedKernelLockFiles(const RunArtifacts& run) {
  std::set<std::string> files;
  if (!run.trace) return files;
  for (const interposer::TraceEventRef e : *run.trace) {
    if (e.lock_kind().empty() || e.path_class() != "lock" || e.path().empty()) continue;
    if (e.lock_op() != "exclusive" && e.lock_op() != "shared") continue;
    if (!Succeeded(e)) continue;
    files.insert(std::filesystem::path(e.path()).filename().string());
  }
  return files;
}

// Who made each file of the registry directory, as the trace shows it: the
// last process that created it (an open with O_CREAT, a link or a rename
// onto it), and that process's ancestors among the traced processes (a
// shell adapter's helper counts as the shell the harness started). A
// leftover whose name carries no pid (dotlockfile's `.lk<...>`, procmail's
// `_<random>`, a library's hashed temp name) is then still traced to the
// writer that left it.
struct Creator {
  std::vector<int> lineage;  // the creating pid, then its traced ancestors
  std::string how;           // "open", "link", "rename"
};

std::unordered_map<std::string, Creator> TracedCreators(const RunArtifacts& run) {
  std::unordered_map<std::string, Creator> creators;
  if (!run.trace) return creators;
  std::unordered_map<int, int> parent;  // from hello and fork lines
  for (const interposer::TraceEventRef e : *run.trace) {
    const auto type = e.type();
    if ((type == interposer::TraceEvent::Type::kHello ||
         type == interposer::TraceEvent::Type::kFork) &&
        e.ppid() > 0 && e.ppid() != e.pid()) {
      parent.try_emplace(e.pid(), e.ppid());
      continue;
    }
    if (type != interposer::TraceEvent::Type::kCall || !Succeeded(e) || e.path().empty()) {
      continue;
    }
    const std::string_view family = e.family();
    const bool created =
        (family == "open" && e.open_flags().find("O_CREAT") != std::string::npos) ||
        family == "link" || family == "rename";
    if (!created) continue;
    Creator& c = creators[std::filesystem::path(e.path()).filename().string()];
    c.lineage = {e.pid()};
    c.how = std::string(family);
  }
  for (auto& [name, c] : creators) {
    for (auto it = parent.find(c.lineage.back()); it != parent.end() && c.lineage.size() < 64;
         it = parent.find(c.lineage.back())) {
      if (std::find(c.lineage.begin(), c.lineage.end(), it->second) != c.lineage.end()) break;
      c.lineage.push_back(it->second);
    }
  }
  return creators;
}

bool DeclaresKernelLock(const RunArtifacts& run) {
  const auto convention = runner::ParseLockConvention(run.declared_lock_convention);
  return convention && runner::IsKernelLock(*convention);
}

}  // namespace

CheckerReport CheckLeftovers(const RunArtifacts& run, const OperationIndex& index) {
  CheckerReport report;
  report.checker = kLeftoversChecker;
  // Killed (or in-doubt) processes and when they were last seen killed.
  std::unordered_map<int, int64_t> killed;
  for (const Event& event : run.history) {
    if (!WasKilled(event)) continue;
    auto [it, inserted] = killed.try_emplace(event.pid, event.t);
    if (!inserted) it->second = std::max(it->second, event.t);
  }
  int64_t last_kill = INT64_MIN;
  for (const auto& [pid, time] : killed) last_kill = std::max(last_kill, time);

  LaterWriters later(index);
  const std::set<std::string> kernel_lock_files = ObservedKernelLockFiles(run);
  const std::unordered_map<std::string, Creator> creators = TracedCreators(run);
  // The trace's creator of `name` and the killed process in its lineage
  // (0 if none was killed, or the trace shows no creator).
  auto killed_creator = [&](const std::string& name) -> std::pair<const Creator*, int> {
    auto it = creators.find(name);
    if (it == creators.end()) return {nullptr, 0};
    for (int pid : it->second.lineage) {
      if (killed.count(pid)) return {&it->second, pid};
    }
    return {&it->second, 0};
  };
  std::vector<std::string> names = run.directory_entries;
  std::sort(names.begin(), names.end());
  nlohmann::json unexplained = nlohmann::json::array();
  nlohmann::json in_doubt = nlohmann::json::array();
  nlohmann::json explained = nlohmann::json::array();
  nlohmann::json not_swept = nlohmann::json::array();
  std::vector<std::string> warnings;
  for (const std::string& name : names) {
    Classified c = Classify(name, run.registry_basename);
    std::string why;
    const Operation* sweeper = nullptr;
    if (std::find(run.corrupt_copies.begin(), run.corrupt_copies.end(), name) !=
        run.corrupt_copies.end()) {
      why = "backup of the corrupt registry forged before the run";
    } else if (kernel_lock_files.count(name) != 0) {
      why = "lock file of flock/fcntl locks (observed in the trace); such a file stays";
    } else if (name == run.lock_path_name && DeclaresKernelLock(run)) {
      // Declared, not seen (no trace): the lock-convention checker reports
      // a declaration that a trace contradicts.
      why = "lock file of the declared " + run.declared_lock_convention +
            " lock convention; such a file stays";
    } else if (c.kind == LeftoverKind::kTemp && c.pid > 0 && killed.count(c.pid)) {
      why = "temp file of killed pid " + std::to_string(c.pid);
      sweeper = later.After(killed[c.pid], c.pid);
    } else if (c.kind == LeftoverKind::kTemp && c.pid == 1 && run.writers_in_own_pid_namespaces &&
               !killed.empty()) {
      // A placed writer is PID 1 of its namespace; no sweeper elsewhere can
      // judge that PID (docs/protocol.md, known limits), so it stays.
      why = "temp file of a killed writer in its own PID namespace (PID 1 there)";
    } else if (const auto [creator, writer] = killed_creator(name);
               c.kind == LeftoverKind::kOther && writer != 0) {
      // A name of the implementation's own (not <registry>.tmp...): the
      // trace says which process made it, and that it belonged to a killed
      // writer. A <registry>.tmp name without a pid stays unexplained: it
      // is every writer's (protocol-lint's temp-name-shared).
      why = "made (" + creator->how + ") by pid " + std::to_string(creator->lineage.front());
      if (creator->lineage.front() != writer)
        why += " of killed writer pid " + std::to_string(writer);
      else
        why += ", which was killed";
      why += " (seen in the trace)";
      sweeper = later.After(killed[writer], writer);
    } else if (c.kind == LeftoverKind::kLock && !killed.empty() &&
               later.After(last_kill, 0) == nullptr) {
      why = "lock of a killed process; no successful write came after";
    } else if (c.kind == LeftoverKind::kLockSibling && !killed.empty()) {
      why = "left by a killed process (interrupted takeover)";
      sweeper = later.After(last_kill, 0);
    }
    if (why.empty() && c.kind == LeftoverKind::kOther && run.trace && !killed.empty() &&
        creators.count(name) == 0) {
      // A wrapper makes the call, then writes its trace line: a process
      // killed between the two leaves a file no line names. Observed, every
      // other creation is traced, so this one is the killed processes' or
      // an untraced helper's; which, nothing says.
      in_doubt.push_back({{"name", name}, {"kind", KindName(c.kind)}});
      report.evidence.push_back("leftover in doubt: " + name +
                                " (no traced call made it, and a killed process may have made it "
                                "before its trace line was written)");
      continue;
    }
    if (why.empty()) {
      unexplained.push_back({{"name", name}, {"kind", KindName(c.kind)}});
      report.evidence.push_back("unexplained leftover: " + name + " (" + KindName(c.kind) + ")");
      continue;
    }
    explained.push_back({{"name", name}, {"kind", KindName(c.kind)}, {"why", why}});
    if (sweeper != nullptr) {
      not_swept.push_back(name);
      warnings.push_back("warning: " + name + " not swept by later writers (e.g. " +
                         DescribeOperation(*sweeper) + ")");
    }
  }
  for (const auto& item : explained) {
    report.evidence.push_back("explained leftover: " + item["name"].get<std::string>() + " (" +
                              item["why"].get<std::string>() + ")");
  }
  report.evidence.insert(report.evidence.end(), warnings.begin(), warnings.end());
  report.details = {{"unexplained", unexplained},
                    {"in_doubt", in_doubt},
                    {"explained", explained},
                    {"not_swept", not_swept},
                    {"killed_pids", killed.size()}};
  if (!unexplained.empty()) {
    report.verdict = Verdict::kInvalid;
    report.summary = std::to_string(unexplained.size()) +
                     " unexplained leftover(s) in the registry directory, "
                     "first " +
                     unexplained[0]["name"].get<std::string>();
    return report;
  }
  if (!in_doubt.empty()) {
    report.verdict = Verdict::kUnknown;
    report.summary = std::to_string(in_doubt.size()) + " leftover(s) in doubt, first " +
                     in_doubt[0]["name"].get<std::string>() + ": no traced call made it, and " +
                     std::to_string(killed.size()) +
                     " killed process(es) may have made it before its trace line was written";
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary =
      explained.empty()
          ? "the registry directory holds only the registry file"
          : std::to_string(explained.size()) + " leftover(s), all explained" +
                (kernel_lock_files.empty() ? " by killed processes"
                                           : " (killed processes, observed kernel lock files)");
  if (!not_swept.empty()) {
    report.summary += "; " + std::to_string(not_swept.size()) + " not swept by later writers";
  }
  return report;
}

}  // namespace lockharness::harness
