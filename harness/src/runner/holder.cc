// Lock holder discovery (see holder.h).

#include "src/runner/holder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include "lockharness/harness/runner/placement.h"

namespace lockharness::harness::runner {
namespace {

constexpr size_t kMaxOwnerBytes = 4096;

std::optional<std::string> ReadSmallFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string bytes(kMaxOwnerBytes, '\0');
  const ssize_t n = ::read(fd, bytes.data(), bytes.size());
  ::close(fd);
  if (n < 0) return std::nullopt;
  bytes.resize(static_cast<size_t>(n));
  return bytes;
}

// The process group of `pid` from /proc/<pid>/stat, or 0.
pid_t ProcessGroupOf(pid_t pid) {
  const auto stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return 0;
  // Fields after the command name, which is in parentheses and may hold
  // spaces: ") S ppid pgrp ...".
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  char state = 0;
  int ppid = 0, pgrp = 0;
  if (std::sscanf(stat->c_str() + close + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) return 0;
  return pgrp;
}

// The `pid_ns=` of an owner.identity record (docs/protocol.md P9), 0 if none.
uint64_t IdentityPidNamespace(const std::string& identity) {
  const size_t at = identity.find("pid_ns=");
  if (at == std::string::npos || (at > 0 && identity[at - 1] != '\n')) return 0;
  uint64_t ns = 0;
  for (size_t i = at + 7;
       i < identity.size() && std::isdigit(static_cast<unsigned char>(identity[i])); ++i) {
    ns = ns * 10 + static_cast<uint64_t>(identity[i] - '0');
  }
  return ns;
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  const std::string p = std::to_string(pid);
  const auto text = ReadSmallFile("/proc/" + p + "/task/" + p + "/children");
  if (!text) return out;
  std::istringstream in(*text);
  pid_t child = 0;
  while (in >> child) out.push_back(child);
  return out;
}

uint64_t PidNamespaceOf(pid_t pid) {
  struct stat st;
  const std::string link = "/proc/" + std::to_string(pid) + "/ns/pid";
  return ::stat(link.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

// A placed writer's processes are the descendants of its placer (the
// process the harness spawned). The one that the namespace `pid_ns` (0:
// any) calls `ns_pid`, searched a few levels deep; nullopt if none or
// more than one (seed-style records name no namespace: PID 1 of every
// container is ambiguous).
std::optional<std::pair<int, pid_t>> FindPlacedProcess(const LiveProcesses& live, uint64_t pid_ns,
                                                       pid_t ns_pid) {
  std::optional<std::pair<int, pid_t>> found;
  bool ambiguous = false;
  for (const auto& [writer, placer] : live.Snapshot()) {
    std::vector<pid_t> level = ChildrenOf(placer);
    for (int depth = 0; depth < 3 && !level.empty(); ++depth) {
      std::vector<pid_t> next;
      for (pid_t p : level) {
        const auto status = ReadSmallFile("/proc/" + std::to_string(p) + "/status");
        const size_t at = status ? status->find("\nNSpid:") : std::string::npos;
        if (at != std::string::npos) {
          std::istringstream in(status->substr(at + 7, status->find('\n', at + 1) - at - 7));
          int64_t value = 0, last = 0, count = 0;
          while (in >> value) {
            last = value;
            ++count;
          }
          if (count > 1 && last == ns_pid && (pid_ns == 0 || PidNamespaceOf(p) == pid_ns)) {
            if (found) ambiguous = true;
            found = std::make_pair(writer, p);
          }
        }
        for (pid_t c : ChildrenOf(p)) next.push_back(c);
      }
      level = std::move(next);
    }
  }
  if (ambiguous) return std::nullopt;
  return found;
}

}  // namespace

std::filesystem::path LockDirOf(const std::filesystem::path& registry) {
  return registry.string() + ".lock";
}

std::optional<pid_t> FirstPid(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  int64_t value = 0;
  size_t digits = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    if (++digits > 9) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  if (digits == 0 || value <= 0) return std::nullopt;
  return static_cast<pid_t>(value);
}

std::optional<LockHolder> FindLockHolder(const std::filesystem::path& registry,
                                         const LiveProcesses& live,
                                         const std::filesystem::path& lock_path) {
  const auto record =
      ReadSmallFile((lock_path.empty() ? LockDirOf(registry) : lock_path) / "owner");
  if (!record) return std::nullopt;
  const std::optional<pid_t> owner = FirstPid(*record);
  if (!owner) return std::nullopt;
  LockHolder holder;
  holder.owner_pid = *owner;
  holder.process = *owner;
  // A holder in another PID namespace (P9's pid_ns) names a PID of that
  // namespace: find the real process through NSpid, never ours by number.
  const uint64_t ns =
      IdentityPidNamespace(ReadSmallFile(LockDirOf(registry) / "owner.identity").value_or(""));
  if (ns != 0 && ns != OwnPidNamespace()) {
    auto placed = FindPlacedProcess(live, ns, *owner);
    if (!placed) return std::nullopt;
    holder.writer = placed->first;
    holder.process = placed->second;
    for (const auto& [w, pid] : live.Snapshot()) {
      if (w == placed->first) holder.pid = pid;
    }
    return holder.pid > 0 ? std::optional<LockHolder>(holder) : std::nullopt;
  }
  if (auto writer = live.WriterOf(*owner)) {
    holder.writer = *writer;
    holder.pid = *owner;
    return holder;
  }
  const pid_t group = ProcessGroupOf(*owner);
  if (auto writer = live.WriterOf(group)) {
    holder.writer = *writer;
    holder.pid = group;
    return holder;
  }
  // A seed-style record (no identity) of a placed writer: unique by NSpid?
  if (auto placed = FindPlacedProcess(live, 0, *owner)) {
    holder.writer = placed->first;
    holder.process = placed->second;
    for (const auto& [w, pid] : live.Snapshot()) {
      if (w == placed->first) holder.pid = pid;
    }
    return holder.pid > 0 ? std::optional<LockHolder>(holder) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace lockharness::harness::runner
