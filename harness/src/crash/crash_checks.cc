// Checks of one crash state (crash_checks.h).

#include "src/crash/crash_checks.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lockharness/harness/checkers/final_registry.h"
#include "lockharness/harness/checkers/lost_update.h"
#include "lockharness/harness/runner/process.h"

namespace lockharness::harness::crash {
namespace fs = std::filesystem;
using nlohmann::json;

// The history as it stood at one crash point: operations invoked before
// it, with the completions seen before it; later completions are dropped,
// so those operations are pending (they may or may not have taken effect).
struct CrashChecker::Cut {
  int crash_after = -1;
  RunArtifacts run;
  OperationIndex index;
};

CrashChecker::CrashChecker(const CrashProgram& program, const std::vector<Event>& history,
                           int64_t origin_ns, std::string registry_name, CheckLimits limits)
    : program_(program), history_(history), origin_ns_(origin_ns),
      registry_name_(std::move(registry_name)), limits_(limits) {}

CrashChecker::~CrashChecker() = default;

const CrashChecker::Cut& CrashChecker::CutAt(int crash_after) {
  if (cut_ && cut_->crash_after == crash_after) return *cut_;
  auto cut = std::make_unique<Cut>();
  cut->crash_after = crash_after;
  cut->run.registry_basename = registry_name_;
  cut->run.limits = limits_;
  // The call's stamp was taken after it returned: an acknowledgement the
  // harness saw before it certainly came before the crash.
  const int64_t crash_t = program_.calls()[crash_after].ns - origin_ns_;
  for (const Event& e : history_) {
    if (e.type == EventType::kRead || e.type == EventType::kFault) continue;
    if (e.t >= crash_t) continue;
    cut->run.history.push_back(e);
  }
  cut->index = IndexOperations(cut->run.history);
  cut_ = std::move(cut);
  return *cut_;
}

bool CrashChecker::RegistryCorrupt(const CrashState& state) const {
  auto it = state.image.entries.find(registry_name_);
  if (it == state.image.entries.end()) return false;
  return !it->second || ValidateRegistryDocument(*it->second).has_value();
}

std::vector<Finding> CrashChecker::CheckOffline(const CrashState& state) {
  if (judged_point_ != state.crash_after) {
    judged_point_ = state.crash_after;
    judged_.clear();
  }
  auto it = state.image.entries.find(registry_name_);
  std::string key;
  if (it != state.image.entries.end()) key = it->second ? "\x01" + *it->second : "\x02";
  auto [slot, inserted] = judged_.try_emplace(std::move(key));
  if (inserted) slot->second = Judge(state);
  return slot->second;
}

std::vector<Finding> CrashChecker::Judge(const CrashState& state) {
  std::vector<Finding> out;
  auto it = state.image.entries.find(registry_name_);
  std::optional<std::string> bytes;
  if (it != state.image.entries.end()) {
    if (!it->second) {
      out.push_back({kAtomicity, Verdict::kInvalid, "the registry name is a directory"});
      return out;
    }
    bytes = *it->second;
    const std::string size = std::to_string(bytes->size()) + " bytes";
    if (bytes->empty()) {
      out.push_back({kAtomicity, Verdict::kInvalid, "the registry is empty (0 bytes)"});
    } else if (auto why = ValidateRegistryDocument(*bytes)) {
      out.push_back({kAtomicity, Verdict::kInvalid,
                     "the registry (" + size + ") is not a registry document: " + *why});
    } else if (!program_.registry_contents().count(*bytes)) {
      out.push_back({kAtomicity, Verdict::kInvalid,
                     "the registry (" + size +
                         ") is a document the run never wrote whole (a mix of writes)"});
    }
    if (!out.empty()) return out;
  }
  const Cut& cut = CutAt(state.crash_after);
  FinalRegistry final;
  final.present = bytes.has_value();
  if (bytes) {
    json document = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
      final.parse_error = "not JSON";
    } else {
      final.document = std::move(document);
    }
  }
  CheckerReport report = CheckLostUpdate(cut.run, cut.index, final);
  if (report.verdict != Verdict::kValid) {
    std::string summary = report.summary;
    if (!report.evidence.empty()) summary += " | " + report.evidence.front();
    out.push_back({kDurability, report.verdict, summary});
  }
  return out;
}

namespace {

struct Ran {
  runner::ExitStatus status;
  std::string out;
  int64_t ms = 0;
  std::string error;  // did not start
};

Ran RunOne(std::vector<std::string> argv, const fs::path& cwd, const fs::path& stderr_path,
           const std::vector<std::string>& env, int64_t timeout_ms) {
  Ran ran;
  runner::SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.cwd = cwd;
  spawn.extra_env = env;
  spawn.stderr_path = stderr_path;
  const auto start = std::chrono::steady_clock::now();
  auto child = runner::Child::Spawn(spawn, &ran.error);
  if (!child) return ran;
  const auto deadline = start + std::chrono::milliseconds(timeout_ms);
  child->ReadAllStdout(deadline, &ran.out);
  ran.status = child->Wait(deadline);
  ran.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
               .count();
  return ran;
}

std::string LastLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

bool AnyFileHolds(const fs::path& dir, const std::string& bytes) {
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    if (data.str() == bytes) return true;
  }
  return false;
}

}  // namespace

std::vector<Finding> RecoverState(const std::vector<std::string>& argv_prefix,
                                  const fs::path& registry, const std::string& probe,
                                  const std::optional<std::string>& corrupt_bytes,
                                  const std::vector<std::string>& state_names,
                                  const std::vector<std::string>& extra_env,
                                  const std::vector<std::string>& persistent_names,
                                  int64_t takeover_bound_ms, std::string* log) {
  std::vector<Finding> out;
  const fs::path dir = registry.parent_path();
  const fs::path stderr_path = dir.parent_path() / "recovery.stderr";
  // Generous: a hang is reported as such, a slow success as over the bound.
  const int64_t timeout_ms = takeover_bound_ms + 10000;
  std::vector<std::string> argv = argv_prefix;
  argv.push_back("register");
  argv.push_back(probe);
  Ran reg = RunOne(argv, dir.parent_path(), stderr_path, extra_env, timeout_ms);
  *log += "register: " + (reg.error.empty() ? reg.status.Describe() : reg.error) + " in " +
          std::to_string(reg.ms) + " ms\n";
  if (!reg.error.empty()) {
    out.push_back({kRecovery, Verdict::kUnknown, "cannot start the implementation: " + reg.error});
    return out;
  }
  const bool ok = reg.status.kind == runner::ExitStatus::Kind::kExited && reg.status.code == 0;
  if (corrupt_bytes) {
    if (ok && !AnyFileHolds(dir, *corrupt_bytes)) {
      out.push_back({kNoSilentReset, Verdict::kInvalid,
                     "the recovering register succeeded on a corrupt registry and its bytes "
                     "are nowhere in the directory"});
    }
    return out;  // refusing a corrupt registry (and saying so) is right
  }
  if (!ok) {
    out.push_back({kRecovery, Verdict::kInvalid,
                   "register " + probe + " on the crashed state: " + reg.status.Describe() +
                       " after " + std::to_string(reg.ms) + " ms: " + LastLine(stderr_path)});
    return out;
  }
  if (reg.ms > takeover_bound_ms) {
    out.push_back({kRecovery, Verdict::kInvalid,
                   "register " + probe + " on the crashed state took " + std::to_string(reg.ms) +
                       " ms, over the takeover bound of " + std::to_string(takeover_bound_ms) +
                       " ms"});
  }
  argv = argv_prefix;
  argv.push_back("list");
  Ran list = RunOne(argv, dir.parent_path(), stderr_path, extra_env, timeout_ms);
  *log += "list: " + (list.error.empty() ? list.status.Describe() : list.error) + "\n";
  json listed = json::parse(list.out, nullptr, false);
  if (list.status.kind != runner::ExitStatus::Kind::kExited || list.status.code != 0 ||
      listed.is_discarded() || !listed.is_object() || !listed.contains("sandboxes") ||
      !listed["sandboxes"].is_object()) {
    out.push_back({kRecovery, Verdict::kInvalid,
                   "list after recovery: " + list.status.Describe() +
                       ", output not a registry: " + LastLine(stderr_path)});
    return out;
  }
  std::vector<std::string> expected = state_names;
  expected.push_back(probe);
  for (const std::string& name : expected) {
    if (!listed["sandboxes"].contains(name)) {
      out.push_back({kRecovery, Verdict::kInvalid,
                     "list after recovery lacks '" + name + "', which the crashed state " +
                         (name == probe ? "just had registered" : "had")});
      return out;
    }
  }
  std::vector<std::string> leftovers;
  const std::string base = registry.filename().string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == base || name.rfind(base + ".corrupt.", 0) == 0) continue;
    if (std::find(persistent_names.begin(), persistent_names.end(), name) !=
        persistent_names.end()) {
      continue;
    }
    leftovers.push_back(name);
  }
  if (!leftovers.empty()) {
    std::string names;
    for (const auto& n : leftovers) names += (names.empty() ? "" : ", ") + n;
    out.push_back({kRecovery, Verdict::kInvalid,
                   "leftovers after the recovering register and list: " + names});
  }
  return out;
}

}  // namespace lockharness::harness::crash
