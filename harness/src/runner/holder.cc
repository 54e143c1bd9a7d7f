// Lock holder discovery (see holder.h).

#include "src/runner/holder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <string>

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
  return std::nullopt;
}

}  // namespace lockharness::harness::runner
