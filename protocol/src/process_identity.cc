#include "lockharness/protocol/process_identity.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

namespace lockharness::protocol {
namespace {

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string TrimmedLine(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Cached per process: a forked child may enter a simulated host (its own
// boot id and host name) before it takes a lock.
const std::string& BootId() {
  thread_local pid_t read_by = 0;
  thread_local std::string boot_id;
  if (read_by != ::getpid()) {
    boot_id = TrimmedLine(ReadSmallFile("/proc/sys/kernel/random/boot_id").value_or(""));
    read_by = ::getpid();
  }
  return boot_id;
}

// Identity values are single lines of printable characters.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c > ' ' && c < 0x7f && c != '/') out.push_back(c);
  }
  return out;
}

// The inode of a /proc/.../ns/pid link's target, 0 if it cannot be read.
uint64_t PidNamespaceInode(const std::string& ns_link, int* err) {
  struct stat st;
  if (::stat(ns_link.c_str(), &st) != 0) {
    if (err != nullptr) *err = errno;
    return 0;
  }
  return static_cast<uint64_t>(st.st_ino);
}

}  // namespace

std::optional<uint64_t> ParseStartTicks(std::string_view stat) {
  // The command name is in parentheses and may itself contain ") ", so the
  // fields after it start at the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // After ')' come fields 3.. separated by single spaces; we want field 22,
  // i.e. the 20th field after the parenthesis.
  int field = 2;
  size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    ++field;
    if (field == 22) {
      uint64_t value = 0;
      auto [ptr, ec] = std::from_chars(rest.data() + pos, rest.data() + end, value);
      if (ec != std::errc() || ptr != rest.data() + end) return std::nullopt;
      return value;
    }
    pos = end;
  }
  return std::nullopt;
}

std::optional<ProcessIdentity> ReadProcessIdentity(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat || stat->empty()) return std::nullopt;
  auto ticks = ParseStartTicks(*stat);
  if (!ticks) return std::nullopt;
  return ProcessIdentity{pid, BootId(), *ticks};
}

std::string HostIdentity() {
  std::string machine = Printable(TrimmedLine(ReadSmallFile("/etc/machine-id").value_or("")));
  struct utsname u;
  std::string name = ::uname(&u) == 0 ? Printable(u.nodename) : "";
  if (machine.empty() && name.empty()) return std::string();
  return machine + "/" + name;
}

std::optional<ProcessIdentity> ReadSelfIdentity() {
  auto stat = ReadSmallFile("/proc/self/stat");
  if (!stat || stat->empty()) return std::nullopt;
  auto ticks = ParseStartTicks(*stat);
  if (!ticks) return std::nullopt;
  ProcessIdentity id{::getpid(), BootId(), *ticks};
  id.pid_ns = PidNamespaceInode("/proc/self/ns/pid", nullptr);
  id.host = HostIdentity();
  return id;
}

bool ProcMatchesOwnPidNamespace() {
  char buf[32];
  ssize_t n = ::readlink("/proc/self", buf, sizeof buf - 1);
  if (n <= 0) return false;
  buf[n] = '\0';
  return std::string(buf) == std::to_string(::getpid());
}

std::optional<pid_t> ParseInnermostNsPid(std::string_view status) {
  constexpr std::string_view kKey = "NSpid:";
  size_t at = 0;
  while (at < status.size()) {
    size_t nl = status.find('\n', at);
    std::string_view line = status.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? status.size() : nl + 1;
    if (line.substr(0, kKey.size()) != kKey) continue;
    line.remove_prefix(kKey.size());
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    size_t start = line.find_last_of(" \t");
    std::string_view last = start == std::string_view::npos ? line : line.substr(start + 1);
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(last.data(), last.data() + last.size(), value);
    if (last.empty() || ec != std::errc() || ptr != last.data() + last.size() || value <= 0) return std::nullopt;
    return static_cast<pid_t>(value);
  }
  return std::nullopt;
}

PidNamespaceLookup LookUpInPidNamespace(uint64_t pid_ns, pid_t ns_pid) {
  PidNamespaceLookup out;
  if (pid_ns == 0 || ns_pid <= 0) return out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  bool seen_namespace = false, some_unreadable = false;
  while (struct dirent* e = ::readdir(proc)) {
    pid_t pid = 0;
    const char* name = e->d_name;
    auto [ptr, ec] = std::from_chars(name, name + std::char_traits<char>::length(name), pid);
    if (ec != std::errc() || *ptr != '\0' || pid <= 0) continue;
    const std::string base = "/proc/" + std::string(name);
    int err = 0;
    uint64_t ns = PidNamespaceInode(base + "/ns/pid", &err);
    if (ns == 0) {
      // ENOENT: it exited while we looked. Anything else (EACCES: another
      // user's process, or init without CAP_SYS_PTRACE) leaves us unable to
      // say the PID is not running, if this process could be it: its NSpid
      // (status is world-readable) has that PID last.
      if (err != ENOENT) {
        auto status = ReadSmallFile(base + "/status");
        if (!status || ParseInnermostNsPid(*status) == ns_pid) some_unreadable = true;
      }
      continue;
    }
    if (ns != pid_ns) continue;
    seen_namespace = true;
    auto status = ReadSmallFile(base + "/status");
    if (!status || ParseInnermostNsPid(*status) != ns_pid) continue;
    auto identity = ReadProcessIdentity(pid);
    if (!identity) continue;  // exited meanwhile
    identity->pid_ns = ns;
    out.result = PidNamespaceLookup::Result::kFound;
    out.process = *identity;
    break;
  }
  ::closedir(proc);
  if (out.result != PidNamespaceLookup::Result::kFound && seen_namespace && !some_unreadable) {
    out.result = PidNamespaceLookup::Result::kNotRunning;
  }
  return out;
}

}  // namespace lockharness::protocol
