// `lockharness crash` (crash_run.h).

#include "src/crash/crash_run.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"
#include "lockharness/harness/history.h"
#include "lockharness/harness/report/run_report.h"
#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/runner/run.h"
#include "src/crash/crash_checks.h"
#include "src/crash/crash_record.h"

namespace lockharness::harness::crash {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kRegistryName[] = "sandboxes.json";
constexpr char kProbe[] = "crash-probe";

// CPU time of this process's threads, and with `children` also of its
// waited-for children (user + system).
double ProcessCpuSeconds(bool children = false) {
  auto seconds = [](const rusage& u) {
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  double total = seconds(self);
  if (children) {
    rusage kids{};
    getrusage(RUSAGE_CHILDREN, &kids);
    total += seconds(kids);
  }
  return total;
}

int ExitFor(Verdict v) { return v == Verdict::kValid ? 0 : v == Verdict::kInvalid ? 1 : 2; }

bool ReadFile(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  *out = bytes.str();
  return true;
}

bool WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// Everything a crash run is judged from; produced by a workload or read
// back from an earlier output directory.
struct Recorded {
  std::vector<Event> history;
  int64_t origin_ns = 0;
  CrashRecord record;
  StartState start;
  std::string impl;
  int writers = 0;
  int ops_per_writer = 0;
  // What the crash-free recorded run left beside the registry (a flock
  // lock file): kept by design, so no leftover after a recovery either.
  std::vector<std::string> persistent_names;
};

// The configuration a crash run keeps in OUT/crash.json (and that --from
// reads back).
json CrashConfig(const CrashOptions& o, const std::string& impl, int writers, int ops) {
  return {{"impl", impl},
          {"model", std::string(ModelName(o.model))},
          {"writers", writers},
          {"ops", ops},
          {"states", o.states},
          {"seed", o.seed},
          {"recover_states", o.recover_states},
          {"takeover_bound_ms", o.takeover_bound_ms},
          {"stale_ms", o.stale_ms},
          {"max_record_bytes", o.max_record_bytes}};
}

std::string Replay(const CrashOptions& o, const fs::path& out, std::optional<int> point) {
  std::string line = "lockharness crash --from " + runner::QuoteWord(fs::absolute(out).string()) +
                     " --model " + std::string(ModelName(o.model)) + " --states " +
                     std::to_string(o.states) + " --seed " + std::to_string(o.seed) +
                     " --recover-states " + std::to_string(o.recover_states);
  if (point) line += " --crash-point " + std::to_string(*point);
  return line;
}

// Either the recorded run, or (verdict unknown / not runnable) why not.
struct Prepared {
  std::optional<Recorded> recorded;
  std::string problem;
};

Prepared Prepare(const CrashOptions& o, const fs::path& out, std::string* impl_used) {
  Prepared p;
  Recorded r;
  fs::path run_dir;
  fs::path record_path;
  if (!o.from.empty()) {
    run_dir = o.from / "run";
    record_path = o.from / "crash-record.jsonl";
    std::string text;
    if (!ReadFile(o.from / "crash.json", &text)) {
      p.problem = "cannot read " + (o.from / "crash.json").string();
      return p;
    }
    json config = json::parse(text, nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
      p.problem = (o.from / "crash.json").string() + ": not a JSON object";
      return p;
    }
    r.impl = config.value("impl", std::string());
    r.writers = config.value("writers", 0);
    r.ops_per_writer = config.value("ops", 0);
  } else {
    run_dir = out / "run";
    record_path = out / "crash-record.jsonl";
    r.impl = o.impl;
    *impl_used = r.impl;  // named in the report even if the run is refused
    r.writers = o.writers;
    r.ops_per_writer = o.ops_per_writer;
    runner::RunOptions run;
    run.impl = o.impl;
    run.mode = runner::Mode::kPerOp;
    run.writers = o.writers;
    run.ops_per_writer = o.ops_per_writer;
    run.readers = 0;
    run.seed = o.seed;
    run.out_dir = run_dir;
    run.takeover_bound_ms = o.takeover_bound_ms;
    run.stale_ms = o.stale_ms;
    if (o.op_timeout_ms > 0) run.op_timeout_ms = o.op_timeout_ms;
    if (o.run_timeout_ms > 0) run.run_timeout_ms = o.run_timeout_ms;
    run.trace = true;  // loads the interposer (and checks the program can be)
    run.env = {"LOCKHARNESS_CRASH_RECORD=" + fs::absolute(record_path).string(),
               "LOCKHARNESS_CRASH_RECORD_MAX_BYTES=" + std::to_string(o.max_record_bytes)};
    runner::RunOutcome outcome = runner::ExecuteRun(run);
    if (outcome.status == runner::RunOutcome::Status::kNotRunnable) {
      // ExecuteRun checked the program can be interposed (--trace): a
      // static or raw-syscall program is refused here.
      p.problem = outcome.reason.rfind("not runnable", 0) == 0 ? outcome.reason
                                                               : "not runnable: " + outcome.reason;
      return p;
    }
    if (outcome.status != runner::RunOutcome::Status::kCompleted) {
      p.problem = "the recorded run did not complete: " + outcome.reason;
      return p;
    }
  }
  *impl_used = r.impl;
  std::string error;
  if (!ReadHistoryFile(run_dir / run_files::kHistory, &r.history, &error)) {
    p.problem = error;
    return p;
  }
  std::string run_json;
  if (!ReadFile(run_dir / run_files::kRunConfig, &run_json)) {
    p.problem = "cannot read " + (run_dir / run_files::kRunConfig).string();
    return p;
  }
  json config = json::parse(run_json, nullptr, false);
  if (config.is_discarded() || !config.contains("monotonic_origin_ns")) {
    p.problem = (run_dir / run_files::kRunConfig).string() + ": no monotonic_origin_ns";
    return p;
  }
  r.origin_ns = config["monotonic_origin_ns"].get<int64_t>();
  std::string text;
  if (!ReadFile(record_path, &text)) {
    p.problem = "not runnable: cannot record: no process wrote the crash record " +
                record_path.string() + " (a static binary, or raw system calls?)";
    return p;
  }
  const std::string registry_dir =
      fs::weakly_canonical(fs::absolute(run_dir / "registry")).string();
  auto record = ParseCrashRecord(text, registry_dir, &error);
  if (!record) {
    p.problem = record_path.string() + " " + error;
    return p;
  }
  if (record->processes == 0) {
    p.problem = "not runnable: cannot record: no process loaded the interposer";
    return p;
  }
  if (record->overflow) {
    p.problem = "the crash record exceeded its bound (" + *record->overflow +
                "); raise --max-record-bytes or run fewer operations";
    return p;
  }
  // Every operation that took effect must have left calls in the record;
  // an implementation that bypasses libc (raw system calls, a static
  // helper) writes the registry unseen.
  int ok_mutations = 0;
  for (const Event& e : r.history) {
    if (e.type == EventType::kOk && e.op && IsMutating(*e.op)) ++ok_mutations;
  }
  bool renamed_registry = false;
  for (const CrashCall& c : record->calls) {
    if (c.path == kRegistryName &&
        (c.kind == CallKind::kRename || c.kind == CallKind::kWrite || c.kind == CallKind::kLink)) {
      renamed_registry = true;
    }
  }
  if (ok_mutations > 0 && !renamed_registry) {
    p.problem = "not runnable: cannot record: " + std::to_string(ok_mutations) +
                " operations succeeded but the record has no call that installs or writes the "
                "registry (raw system calls, or a write path the interposer does not wrap)";
    return p;
  }
  r.record = std::move(*record);
  std::error_code list_error;
  for (const auto& entry : fs::directory_iterator(run_dir / "registry", list_error)) {
    const std::string name = entry.path().filename().string();
    if (name != kRegistryName) r.persistent_names.push_back(name);
  }
  // ExecuteRun creates registry/ empty and starts writers only then: the
  // starting state is the empty directory.
  p.recorded = std::move(r);
  return p;
}

struct Violation {
  Finding finding;
  int state = -1;
  std::string where;  // kept directory, relative to OUT
};

}  // namespace

CrashResult ExecuteCrash(const CrashOptions& o) {
  const fs::path out = o.out_dir;
  std::error_code ec;
  auto refuse = [](std::string reason) {
    CrashResult result;
    result.reason = std::move(reason);
    return result;
  };
  // Like `run`: an earlier run's results are never overwritten.
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    return refuse("output directory " + out.string() +
                  " is not empty (give a new one; --from reads an earlier run's)");
  }
  fs::create_directories(out, ec);
  if (ec) return refuse("cannot create " + out.string() + ": " + ec.message());
  std::string impl;
  Prepared prepared = Prepare(o, out, &impl);
  json run_config =
      CrashConfig(o, impl, prepared.recorded ? prepared.recorded->writers : o.writers,
                  prepared.recorded ? prepared.recorded->ops_per_writer : o.ops_per_writer);
  if (o.from.empty()) WriteText(out / "crash.json", run_config.dump(2) + "\n");
  run_config["seed"] = o.seed;
  run_config["mode"] = "crash";

  auto finish = [&](std::vector<CheckerReport> reports, Verdict verdict, json notes,
                    const std::vector<Event>& history, const std::string& reason) {
    CrashResult result;
    result.replay = Replay(o, o.from.empty() ? out : o.from, std::nullopt);
    json report = reason.empty() ? runner::BuildReport(run_config, history, reports, verdict, notes)
                                 : runner::BuildUnjudgedReport(run_config, notes, reason);
    report["replay"] = result.replay;
    report["crash"] = notes;
    std::string error;
    if (!runner::WriteReportFiles(out, report, &history, &error)) {
      result.reason = error;
      return result;
    }
    result.report_text = runner::FormatReportText(report);
    result.reason = reason;
    if (!reason.empty()) return result;
    result.judged = true;
    result.verdict = verdict;
    result.findings = std::move(reports);
    result.exit_code = ExitFor(verdict);
    if (verdict == Verdict::kUnknown) result.reason = UnknownVerdictReason(result.findings);
    return result;
  };

  if (!prepared.recorded) {
    return finish({}, Verdict::kUnknown, json::object(), {}, prepared.problem);
  }
  const Recorded& rec = *prepared.recorded;
  std::string error;
  auto program = CrashProgram::Lower(rec.start, rec.record.calls, kRegistryName, &error);
  if (!program) {
    return finish({}, Verdict::kUnknown, json::object(), rec.history,
                  "the persistence model cannot place a recorded call: " + error);
  }
  const int n = program->call_count();
  if (n == 0) {
    return finish({}, Verdict::kUnknown, json::object(), rec.history,
                  "the record has no calls: nothing to crash");
  }
  // Crash points: every call, or a seeded sample of `states` of them.
  std::vector<int> points(n);
  for (int i = 0; i < n; ++i) points[i] = i;
  std::mt19937_64 sampler(o.seed);
  if (static_cast<int64_t>(points.size()) > o.states) {
    std::shuffle(points.begin(), points.end(), sampler);
    points.resize(static_cast<size_t>(o.states));
    std::sort(points.begin(), points.end());
  }
  const int64_t per_point = std::max<int64_t>(1, o.states / static_cast<int64_t>(points.size()));
  if (o.crash_point) {
    if (!std::binary_search(points.begin(), points.end(), *o.crash_point)) {
      return refuse("--crash-point " + std::to_string(*o.crash_point) +
                    " is not one of this run's crash points");
    }
    points = {*o.crash_point};
  }

  CheckLimits limits;
  limits.takeover_bound_ns = o.takeover_bound_ms * 1000000;
  CrashChecker checker(*program, rec.history, rec.origin_ns, kRegistryName, limits);
  std::vector<CrashState> states;
  std::map<std::string, int64_t> violations_by_checker;
  std::map<std::string, int64_t> unknown_by_checker;
  std::vector<Violation> kept;
  // A state can violate several checkers (and offline and in recovery):
  // counted once.
  std::set<int> invalid_states;
  // Offline and recovery findings each keep up to kept_violations states,
  // so the recovery evidence (after-recovery/) is never crowded out.
  int kept_offline = 0, kept_recovery = 0;
  fs::remove_all(out / "violations", ec);

  auto keep = [&](const CrashState& state, int index, const Finding& f,
                  const fs::path* after_recovery) {
    Violation v{f, index, ""};
    int& budget_used = after_recovery != nullptr ? kept_recovery : kept_offline;
    if (budget_used < o.kept_violations) {
      ++budget_used;
      const fs::path dir = out / "violations" / ("state-" + std::to_string(index));
      if (!fs::exists(dir / "registry")) {
        fs::create_directories(dir / "registry", ec);
        std::string werr;
        state.image.Materialize(dir / "registry", &werr);
        WriteText(dir / "description.txt",
                  state.description + "\n" +
                      Replay(o, o.from.empty() ? out : o.from, state.crash_after) + "\n");
      }
      if (after_recovery != nullptr) fs::rename(*after_recovery, dir / "after-recovery", ec);
      v.where = fs::relative(dir, out).string();
    }
    kept.push_back(v);
  };

  // Crash points are independent (each has its own seeded sampler), so
  // they are generated and checked on one thread per core, each with its
  // own checker (its caches are per crash point); the results are merged in
  // crash-point order, so state numbers and the report do not depend on
  // the threads.
  const int jobs =
      o.jobs > 0 ? o.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  struct Checked {
    CrashState state;
    std::vector<Finding> findings;
  };
  std::vector<std::vector<Checked>> by_point(points.size());
  const auto offline_started = std::chrono::steady_clock::now();
  const double offline_cpu_started = ProcessCpuSeconds();
  {
    std::atomic<size_t> next_point{0};
    auto check_points = [&] {
      CrashChecker own(*program, rec.history, rec.origin_ns, kRegistryName, limits);
      for (size_t k = next_point++; k < points.size(); k = next_point++) {
        const int point = points[k];
        std::mt19937_64 rng(o.seed ^ (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(point + 1)));
        for (CrashState& state : program->StatesAt(point, o.model, per_point, rng)) {
          std::vector<Finding> findings = own.CheckOffline(state);
          by_point[k].push_back({std::move(state), std::move(findings)});
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min<int>(jobs, static_cast<int>(points.size())); ++t) {
      pool.emplace_back(check_points);
    }
    check_points();
    for (std::thread& t : pool) t.join();
  }
  const double offline_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - offline_started).count();
  // CPU time of all the threads: what the phase costs on a machine shared
  // with other work, where the wall time says little.
  const double offline_cpu_seconds = ProcessCpuSeconds() - offline_cpu_started;
  int64_t checked = 0;
  for (std::vector<Checked>& point_states : by_point) {
    for (Checked& c : point_states) {
      const int index = static_cast<int>(states.size());
      ++checked;
      for (const Finding& f : c.findings) {
        if (f.verdict == Verdict::kInvalid) {
          ++violations_by_checker[f.checker];
          keep(c.state, index, f, nullptr);
          invalid_states.insert(index);
        } else {
          ++unknown_by_checker[f.checker];
        }
      }
      states.push_back(std::move(c.state));
    }
    point_states.clear();
  }

  // Recovery on a seeded sample of the distinct images.
  std::vector<int> distinct;
  {
    std::unordered_map<uint64_t, std::vector<int>> seen;
    for (int i = 0; i < static_cast<int>(states.size()); ++i) {
      auto& bucket = seen[states[i].image.Hash()];
      bool dup = false;
      for (int j : bucket) dup = dup || states[j].image == states[i].image;
      if (!dup) {
        bucket.push_back(i);
        distinct.push_back(i);
      }
    }
  }
  std::vector<int> to_recover = distinct;
  std::shuffle(to_recover.begin(), to_recover.end(), sampler);
  if (static_cast<int64_t>(to_recover.size()) > o.recover_states) {
    to_recover.resize(static_cast<size_t>(std::max<int64_t>(0, o.recover_states)));
  }
  std::sort(to_recover.begin(), to_recover.end());
  auto words = runner::SplitCommandTemplate(impl, &error);
  if (!words) {
    return finish({}, Verdict::kUnknown, json::object(), rec.history, "bad --impl: " + error);
  }
  // Each sampled state is recovered in its own scratch directory, several
  // at once (the implementation's processes mostly wait on each other's
  // exec and I/O); results are merged in state order, so the output does
  // not depend on which finished first.
  struct Recovery {
    int index = -1;
    fs::path scratch;
    std::optional<std::string> corrupt;
    std::vector<std::string> names;
    std::string problem;  // could not build the state
    std::string log;
    std::vector<Finding> findings;
  };
  std::vector<Recovery> recoveries;
  for (int index : to_recover) {
    const CrashState& state = states[index];
    Recovery r;
    r.index = index;
    r.scratch = fs::absolute(out / "scratch" / ("state-" + std::to_string(index)));
    auto it = state.image.entries.find(kRegistryName);
    if (checker.RegistryCorrupt(state)) {
      r.corrupt = it->second ? *it->second : std::string();
    } else if (it != state.image.entries.end()) {
      const json doc = json::parse(*it->second, nullptr, /*allow_exceptions=*/false);
      if (doc.is_object() && doc.contains("sandboxes") && doc["sandboxes"].is_object()) {
        for (auto& [name, value] : doc["sandboxes"].items()) r.names.push_back(name);
      }
    }
    recoveries.push_back(std::move(r));
  }
  // After a reboot no writer of the old boot is alive, and a reboot takes
  // longer than any ownerless-lock grace: the recovering writer runs with a
  // grace of 0 (docs/crash-consistency.md, "Recovery and the reboot").
  const std::vector<std::string> recovery_env = {"LOCKHARNESS_STALE_MS=0"};
  const fs::path cwd = fs::current_path();
  std::atomic<size_t> next{0};
  auto recover = [&] {
    for (size_t k = next++; k < recoveries.size(); k = next++) {
      Recovery& r = recoveries[k];
      std::error_code dir_error;
      fs::remove_all(r.scratch, dir_error);
      fs::create_directories(r.scratch / "registry", dir_error);
      if (!states[r.index].image.Materialize(r.scratch / "registry", &r.problem)) {
        if (r.problem.empty()) r.problem = "cannot build the state";
        continue;
      }
      const fs::path registry = r.scratch / "registry" / kRegistryName;
      // Relative words resolve against the directory the command was given
      // in, as for the recorded run.
      auto argv = runner::InstantiateCommand(*words, registry.string(), cwd);
      r.findings = RecoverState(argv, registry, kProbe, r.corrupt, r.names, recovery_env,
                                rec.persistent_names, o.takeover_bound_ms, &r.log);
      bool invalid = false;
      for (const Finding& f : r.findings) invalid = invalid || f.verdict == Verdict::kInvalid;
      if (!invalid) fs::remove_all(r.scratch, dir_error);  // nothing to keep
    }
  };
  const auto recovery_started = std::chrono::steady_clock::now();
  const double recovery_cpu_started = ProcessCpuSeconds(/*children=*/true);
  {
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min<int>(jobs, static_cast<int>(recoveries.size())); ++t) {
      pool.emplace_back(recover);
    }
    recover();
    for (std::thread& t : pool) t.join();
  }
  int64_t recovered = 0;
  std::string recovery_log;
  for (Recovery& r : recoveries) {
    if (!r.problem.empty()) {
      fs::remove_all(out / "scratch", ec);
      return finish({}, Verdict::kUnknown, json::object(), rec.history, "scratch: " + r.problem);
    }
    const CrashState& state = states[r.index];
    ++recovered;
    recovery_log += "state-" + std::to_string(r.index) + ": " + r.log;
    for (const Finding& f : r.findings) {
      if (f.verdict == Verdict::kInvalid) {
        ++violations_by_checker[f.checker];
        invalid_states.insert(r.index);
        keep(state, r.index, f, &r.scratch);
      } else {
        ++unknown_by_checker[f.checker];
      }
    }
  }
  fs::remove_all(out / "scratch", ec);
  WriteText(out / "recovery.log", recovery_log);
  const double recovery_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - recovery_started).count();
  // The harness's threads and the implementation's processes.
  const double recovery_cpu_seconds = ProcessCpuSeconds(/*children=*/true) - recovery_cpu_started;

  std::vector<std::string> checkers = {kAtomicity, kDurability};
  if (o.recover_states > 0) {
    checkers.push_back(kRecovery);
    checkers.push_back(kNoSilentReset);
  }
  std::vector<CheckerReport> reports;
  for (const std::string& name : checkers) {
    CheckerReport r;
    r.checker = name;
    const int64_t bad = violations_by_checker[name];
    const int64_t unknown = unknown_by_checker[name];
    const bool recovery_kind = name == kRecovery || name == kNoSilentReset;
    const int64_t judged = recovery_kind ? recovered : checked;
    r.verdict = bad > 0 ? Verdict::kInvalid : unknown > 0 ? Verdict::kUnknown : Verdict::kValid;
    r.summary = std::to_string(bad) + " of " + std::to_string(judged) +
                (recovery_kind ? " recovered states" : " crash states") + " violate it" +
                (unknown > 0 ? ", " + std::to_string(unknown) + " undecided" : "");
    for (const Violation& v : kept) {
      if (v.finding.checker != name) continue;
      if (r.evidence.size() >= 5) break;
      const CrashState& s = states[v.state];
      r.evidence.push_back(
          "state-" + std::to_string(v.state) + ": " + v.finding.summary +
          "\n    state: " + s.description + (v.where.empty() ? "" : "\n    kept in: " + v.where) +
          "\n    replay: " + Replay(o, o.from.empty() ? out : o.from, s.crash_after));
    }
    reports.push_back(std::move(r));
  }
  // Where each kept violating state was cut: timeline.html draws a line
  // there (run_report.cc reads this list back).
  json violation_points = json::array();
  std::map<int, std::vector<std::string>> checkers_of_state;
  for (const Violation& v : kept) {
    if (v.where.empty()) continue;
    auto& names = checkers_of_state[v.state];
    if (std::find(names.begin(), names.end(), v.finding.checker) == names.end()) {
      names.push_back(v.finding.checker);
    }
  }
  for (const auto& [index, names] : checkers_of_state) {
    const CrashState& s = states[index];
    const CrashCall& call = program->calls()[s.crash_after];
    std::string detail = "after " + call.Describe(s.crash_after) + "\nviolates:";
    for (const std::string& name : names) detail += " " + name;
    constexpr size_t kMaxDescription = 600;
    detail += "\n" + (s.description.size() > kMaxDescription
                          ? s.description.substr(0, kMaxDescription) + "..."
                          : s.description);
    violation_points.push_back({{"state", "state-" + std::to_string(index)},
                                {"call", s.crash_after},
                                {"t_ns", call.ns - rec.origin_ns},
                                {"detail", detail}});
  }
  json notes = {{"model", std::string(ModelName(o.model))},
                {"calls", n},
                {"processes", rec.record.processes},
                {"crash_points", points.size()},
                {"states_checked", checked},
                {"distinct_states", distinct.size()},
                {"states_recovered", recovered},
                {"invalid_states", invalid_states.size()},
                {"offline_seconds", offline_seconds},
                {"offline_cpu_seconds", offline_cpu_seconds},
                {"recovery_seconds", recovery_seconds},
                {"recovery_cpu_seconds", recovery_cpu_seconds},
                {"violation_points", std::move(violation_points)}};
  Verdict verdict = Overall(reports);
  CrashResult result = finish(reports, verdict, notes, rec.history, "");
  result.summary = std::string(ModelName(o.model)) + ": " + std::to_string(invalid_states.size()) +
                   " of " + std::to_string(checked) + " crash states invalid, " +
                   std::to_string(recovered) + " recovered";
  return result;
}

int CrashCommand(const CrashOptions& options) {
  const CrashResult result = ExecuteCrash(options);
  if (result.report_text.empty()) {
    std::cerr << "lockharness: " << result.reason << "\n";
    return 2;
  }
  std::cout << result.report_text;
  return result.exit_code;
}

}  // namespace lockharness::harness::crash
