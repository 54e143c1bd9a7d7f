// Writer placement (see placement.h).

#include "lockharness/harness/runner/placement.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/runner/process.h"

namespace lockharness::harness::runner {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadSmall(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

uint64_t NamespaceInode(const std::string& link) {
  struct stat st;
  return ::stat(link.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

// Field `n` (1-based, n >= 3) of a /proc/<pid>/stat text, as a number.
std::optional<int64_t> StatField(const std::string& stat, int n) {
  size_t at = stat.rfind(')');
  if (at == std::string::npos) return std::nullopt;
  std::istringstream in(stat.substr(at + 1));
  std::string field;
  for (int i = 3; i <= n; ++i) {
    if (!(in >> field)) return std::nullopt;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || ptr != field.data() + field.size()) return std::nullopt;
  return value;
}

std::optional<pid_t> InnermostNsPid(const std::string& status) {
  size_t at = status.find("\nNSpid:");
  if (at == std::string::npos) return std::nullopt;
  size_t end = status.find('\n', at + 1);
  std::istringstream in(
      status.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7));
  int64_t value = 0, last = 0;
  while (in >> value) last = value;
  if (last <= 0) return std::nullopt;
  return static_cast<pid_t>(last);
}

std::string BootIdFor(uint64_t seed, int writer) {
  std::mt19937_64 rng(seed * 1000003u + static_cast<uint64_t>(writer) + 1);
  const uint64_t hi = rng(), lo = rng();
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xfff),
                static_cast<unsigned>(lo >> 52),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

// Runs the placer's --check for one placement kind; "" or its message.
std::string CheckKind(Placement kind, const fs::path& hosts_dir) {
  std::vector<std::string> prefix;
  std::string error;
  std::error_code ec;
  fs::create_directories(hosts_dir, ec);  // for the check's log, whatever the kind
  if (!PlacementPrefix(kind, false, 0, 0, hosts_dir, &prefix, &error)) return error;
  SpawnOptions spawn;
  spawn.argv = {prefix[0], "--check"};
  spawn.argv.insert(spawn.argv.end(), prefix.begin() + 1, prefix.end() - 1);  // without "--"
  spawn.stderr_path = hosts_dir / "placer-check.log";
  spawn.pipe_stdout = false;
  std::optional<Child> child = Child::Spawn(spawn, &error);
  if (!child) return error;
  ExitStatus status = child->Wait(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  if (status.kind == ExitStatus::Kind::kExited && status.code == 0) return "";
  std::string log = ReadSmall(spawn.stderr_path.string()).value_or("");
  while (!log.empty() && log.back() == '\n') log.pop_back();
  if (size_t nl = log.rfind('\n'); nl != std::string::npos) log = log.substr(nl + 1);
  return log.empty() ? "lockharness-placer --check: " + status.Describe() : log;
}

}  // namespace

Placement PlacementOf(Placement p, int writer) {
  if (p != Placement::kMixed) return p;
  static constexpr Placement kCycle[] = {Placement::kSame, Placement::kPidNamespace,
                                         Placement::kHost};
  return kCycle[writer % 3];
}

std::string PlacerProgram() { return install::ThisHarnessData().placer.string(); }

bool PlacementPrefix(Placement p, bool init, int writer, uint64_t seed, const fs::path& hosts_dir,
                     std::vector<std::string>* prefix, std::string* error) {
  prefix->clear();
  std::vector<std::string> place;  // the placer's options for this kind
  switch (PlacementOf(p, writer)) {
    case Placement::kSame:
    case Placement::kMixed: return true;
    case Placement::kPidNamespace: place = {"--pid-ns"}; break;
    case Placement::kHost: {
      std::error_code ec;
      fs::create_directories(hosts_dir, ec);
      const fs::path boot_id = hosts_dir / ("writer-" + std::to_string(writer) + ".boot_id");
      std::ofstream out(boot_id, std::ios::trunc);
      out << BootIdFor(seed, writer) << "\n";
      out.close();
      if (!out) {
        *error = "cannot write " + boot_id.string();
        return false;
      }
      place = {"--host", "lh-host-" + std::to_string(writer), "--boot-id-file", boot_id.string()};
      break;
    }
  }
  *prefix = {PlacerProgram()};
  if (init) prefix->push_back("--init");
  prefix->insert(prefix->end(), place.begin(), place.end());
  prefix->push_back("--");
  return true;
}

std::string PlacementUnavailableReason(Placement p, const fs::path& hosts_dir) {
  if (p == Placement::kSame) return "";
  for (Placement kind : {Placement::kPidNamespace, Placement::kHost}) {
    if (p != kind && p != Placement::kMixed) continue;
    std::string why = CheckKind(kind, hosts_dir);
    if (!why.empty()) {
      return "placement '" + std::string(PlacementName(p)) +
             "' is not available on this machine: " + why;
    }
  }
  return "";
}

uint64_t OwnPidNamespace() { return NamespaceInode("/proc/self/ns/pid"); }

std::optional<pid_t> FindInPidNamespace(uint64_t pid_ns, pid_t ns_pid,
                                        const std::function<bool(pid_t group)>& in_group) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<pid_t> found;
  bool ambiguous = false;
  while (struct dirent* e = ::readdir(proc)) {
    pid_t pid = 0;
    const std::string name = e->d_name;
    auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || ptr != name.data() + name.size() || pid <= 0) continue;
    const std::string base = "/proc/" + name;
    if (pid_ns != 0 && NamespaceInode(base + "/ns/pid") != pid_ns) continue;
    auto status = ReadSmall(base + "/status");
    if (!status || InnermostNsPid(*status) != ns_pid) continue;
    if (in_group) {
      auto stat = ReadSmall(base + "/stat");
      auto group = stat ? StatField(*stat, 5) : std::nullopt;
      if (!group || !in_group(static_cast<pid_t>(*group))) continue;
    }
    if (found) ambiguous = true;
    found = pid;
  }
  ::closedir(proc);
  if (ambiguous) return std::nullopt;
  return found;
}

}  // namespace lockharness::harness::runner
