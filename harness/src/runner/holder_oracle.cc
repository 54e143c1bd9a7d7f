// The live holder oracle (see holder_oracle.h).

#include "src/runner/holder_oracle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lockharness/interposer/trace_reader.h"

namespace lockharness::harness::runner {
namespace {

std::string ReadWhole(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t GroupOf(pid_t pid) {
  const std::string stat = ReadWhole(("/proc/" + std::to_string(pid) + "/stat").c_str());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  char state = 0;
  int ppid = 0, pgrp = 0;
  if (std::sscanf(stat.c_str() + close + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) return 0;
  return pgrp;
}

}  // namespace

std::optional<LockHolder> OurProcess(pid_t pid, const LiveProcesses& live) {
  if (pid <= 0) return std::nullopt;
  LockHolder holder;
  holder.owner_pid = pid;
  holder.process = pid;  // seen from here (trace, /proc/locks): the same PID
  if (auto writer = live.WriterOf(pid)) {
    holder.writer = *writer;
    holder.pid = pid;
    return holder;
  }
  const pid_t group = GroupOf(pid);
  if (auto writer = live.WriterOf(group)) {
    holder.writer = *writer;
    holder.pid = group;
    return holder;
  }
  return std::nullopt;
}

std::vector<KernelLockEntry> ParseProcLocks(std::string_view text) {
  std::vector<KernelLockEntry> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(start, end - start));
    start = end + 1;
    if (line.find("->") != std::string::npos) continue;  // a blocked waiter
    char kind[16], advisory[16], access[16];
    int pid = 0;
    unsigned major = 0, minor = 0;
    unsigned long long inode = 0;
    // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF"
    if (std::sscanf(line.c_str(), "%*d: %15s %15s %15s %d %x:%x:%llu", kind, advisory, access, &pid,
                    &major, &minor, &inode) != 7) {
      continue;
    }
    KernelLockEntry e;
    e.kind = kind;
    e.write = std::string_view(access) == "WRITE";
    e.pid = pid;
    e.major = major;
    e.minor = minor;
    e.inode = inode;
    out.push_back(e);
  }
  return out;
}

HolderOracle::HolderOracle(std::filesystem::path lock_path, std::filesystem::path registry,
                           std::filesystem::path trace_path)
    : lock_path_(std::move(lock_path)), registry_(std::move(registry)),
      trace_path_(std::move(trace_path)) {}

std::optional<OracleHolder> HolderOracle::Find(const LiveProcesses& live) {
  if (auto h = FromKernel(live)) return h;
  if (auto h = FindLockHolder(registry_, live, lock_path_)) return OracleHolder{*h, "owner", false};
  return FromTrace(live);
}

std::optional<LockHolder> DescriptorHolder(const LiveProcesses& live, pid_t pid, unsigned major,
                                           unsigned minor, uint64_t inode) {
  const std::string fdinfo = "/proc/" + std::to_string(pid) + "/fdinfo";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(fdinfo, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::istringstream lines(ReadWhole(it->path().c_str()));
    for (std::string line; std::getline(lines, line);) {
      constexpr std::string_view kLock = "lock:";
      if (line.compare(0, kLock.size(), kLock) != 0) continue;
      for (const KernelLockEntry& e : ParseProcLocks(std::string_view(line).substr(kLock.size()))) {
        if (e.write && e.major == major && e.minor == minor && e.inode == inode) {
          return OurProcess(pid, live);
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<OracleHolder> HolderOracle::FromKernel(const LiveProcesses& live) const {
  struct Target {
    unsigned major, minor;
    uint64_t inode;
  };
  std::vector<Target> targets;
  for (const auto& path : {lock_path_, registry_}) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      targets.push_back({major(st.st_dev), minor(st.st_dev), static_cast<uint64_t>(st.st_ino)});
    }
  }
  if (targets.empty()) return std::nullopt;
  for (const KernelLockEntry& e : ParseProcLocks(ReadWhole("/proc/locks"))) {
    if (!e.write || e.pid <= 0) continue;
    for (const Target& t : targets) {
      if (e.major != t.major || e.minor != t.minor || e.inode != t.inode) continue;
      if (auto holder = OurProcess(e.pid, live)) return OracleHolder{*holder, "kernel", true};
      // /proc/locks names the process that took a flock, which may be a
      // helper that has exited since (flock(1) locking a descriptor of the
      // shell that runs it): the lock belongs to the open file, so look for
      // the writer process whose descriptor carries it.
      for (const auto& [writer, pid] : live.Snapshot()) {
        if (auto holder = DescriptorHolder(live, pid, t.major, t.minor, t.inode)) {
          return OracleHolder{*holder, "kernel", true};
        }
      }
    }
  }
  return std::nullopt;
}

void HolderOracle::FollowTrace() {
  if (trace_path_.empty()) return;
  const int fd = ::open(trace_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(trace_offset_));
    if (n <= 0) break;
    trace_offset_ += static_cast<uint64_t>(n);
    partial_line_.append(buffer, static_cast<size_t>(n));
    size_t begin = 0;
    for (size_t nl; (nl = partial_line_.find('\n', begin)) != std::string::npos; begin = nl + 1) {
      const std::string_view text = std::string_view(partial_line_).substr(begin, nl - begin);
      int torn_pid = 0;
      auto e = interposer::ParseTraceLine(text, nullptr);
      if (!e) e = interposer::ParseAfterTornFragment(text, &torn_pid);
      if (!e || e->type != interposer::TraceEvent::Type::kCall) continue;
      const bool ok = e->result >= 0 && e->error.empty() &&
                      !(e->injected && (e->action == "errno" || e->action == "kill"));
      if (!ok) continue;
      const std::string_view point = e->point;
      if (e->path_class == "lock" &&
          (point == "lh/mkdir/lock" || point == "lh/link/lock" || point == "lh/rename/lock" ||
           (point == "lh/open/lock" && e->ExclusiveCreate()))) {
        trace_acquirer_ = e->pid;
      } else if ((point == "lh/rmdir/lock" || point == "lh/unlink/lock") ||
                 (point.substr(0, 10) == "lh/rename/" && e->from_class == "lock")) {
        trace_acquirer_ = 0;
      }
    }
    partial_line_.erase(0, begin);
  }
  ::close(fd);
}

std::optional<OracleHolder> HolderOracle::FromTrace(const LiveProcesses& live) {
  FollowTrace();
  if (trace_acquirer_ == 0) return std::nullopt;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(lock_path_, ec))) {
    return std::nullopt;  // removed by a call the trace cannot see
  }
  if (auto holder = OurProcess(trace_acquirer_, live)) return OracleHolder{*holder, "trace", false};
  return std::nullopt;
}

}  // namespace lockharness::harness::runner
