// kernel_locks.cc: kernel locks and the open file descriptions that own
// them, rebuilt from the trace timeline (kernel_locks.h).

#include "kernel_locks.h"

#include <algorithm>
#include <string>
#include <utility>

namespace lockharness::harness {
namespace {

// The lock path, the registry and the directory are one file each
// whatever the spelling (an open's path is as given, an inherited
// descriptor's as /proc shows it, symlinks resolved); other classes are
// compared by path.
bool SameFile(const std::string& class_a, const std::string& path_a, const std::string& class_b,
              const std::string& path_b) {
  if (class_a == class_b && (class_a == "lock" || class_a == "registry" || class_a == "dir")) {
    return true;
  }
  return !path_a.empty() && path_a == path_b;
}

}  // namespace

int64_t HeldUntilAtLeast(const TraceTimeline& timeline, const LockObject& o, const Tenure& t) {
  if (t.kept_by.empty()) return timeline.last_seen.at(o.holder);
  int64_t until = t.start->latest();
  for (int pid : t.kept_by) {
    auto it = timeline.last_seen.find(pid);
    if (it != timeline.last_seen.end()) until = std::max(until, it->second);
  }
  return until;
}

int64_t EndsNotBefore(const TraceTimeline& timeline, const LockObject& o, const Tenure& t) {
  if (t.end != nullptr) return t.end->earliest;
  return HeldUntilAtLeast(timeline, o, t);
}

void KernelLockTracker::Run() {
  for (const TracedCall& call : timeline_.calls) {
    const TraceEventRef e = call.event;
    // A new program's inherited lines come right after its hello: any
    // other line of the process means they are over.
    if (call.family() != "inherited") SettleExec(e.pid());
    if (call.family() == "lock" && Succeeded(e) && !e.lock_kind().empty()) {
      OnLock(call);
    } else if (call.family() == "open" && Succeeded(e) && e.fd() >= 0) {
      OnOpen(call);
    } else if (call.family() == "dup") {
      OnDup(call);
    } else if (call.family() == "inherited") {
      OnInherited(call);
    } else if (call.family() == "close" && Performed(e)) {
      OnClose(call);
    } else if (call.family() == "exit") {
      OnExit(call);
    } else if (call.family() == "exec") {
      OnExec(call);
    }
    if (e.fd() >= 0 && call.family() != "close") {
      auto it = bound_.find({e.pid(), e.fd()});
      if (it != bound_.end()) descriptions_[it->second].last_use = &call;
    }
  }
  while (!exec_pending_.empty()) SettleExec(exec_pending_.begin()->first);
  for (const Description& d : descriptions_) {
    if (d.lock == kNoLock) continue;
    std::set<int> pids;
    for (const Fd& fd : d.fds) pids.insert(fd.first);
    objects_[d.lock].tenures.back().kept_by.assign(pids.begin(), pids.end());
  }
  for (const auto& [key, object] : posix_) {
    objects_[object].tenures.back().kept_by = {key.first};
  }
}

void KernelLockTracker::OnLock(const TracedCall& call) {
  const TraceEventRef e = call.event;
  if (e.lock_kind() == "posix") return OnPosixLock(call);
  const size_t d = DescriptionOf(call, e.pid(), e.fd(), e.path());
  Description& desc = descriptions_[d];
  if (e.lock_op() == "exclusive") {
    if (desc.lock != kNoLock) return;  // already held through this description
    desc.lock = objects_.size();
    objects_.push_back(
        {call.writer,
         e.lock_kind() + " lock (" + e.call() + " exclusive on the " + e.path_class() + " file)",
         {{&call, nullptr, "", 0, {}}},
         e.pid()});
    return;
  }
  if (desc.lock == kNoLock) return;
  std::string how = "downgraded to shared (" + e.call() + ")";
  if (e.lock_op() == "unlock") {
    const bool owner = objects_[desc.lock].owner == call.writer;
    how = "released by " + (owner ? std::string("its owner") : "pid " + std::to_string(e.pid())) +
          " (" + e.call() + " unlock)";
  }
  EndFlock(d, call, how, call.writer);
}

void KernelLockTracker::OnPosixLock(const TracedCall& call) {
  const TraceEventRef e = call.event;
  const std::pair<int, std::string> key{e.pid(), e.path()};
  auto it = posix_.find(key);
  if (e.lock_op() == "exclusive") {
    if (it != posix_.end()) return;
    posix_[key] = objects_.size();
    objects_.push_back({call.writer,
                        "posix lock (" + e.call() + (e.lock_wait() ? " wait" : " no-wait") +
                            " exclusive on the " + e.path_class() + " file)",
                        {{&call, nullptr, "", 0, {}}},
                        e.pid()});
  } else if (it != posix_.end()) {
    EndPosix(it, call,
             e.lock_op() == "unlock" ? "released by its owner (" + e.call() + " unlock)"
                                     : "downgraded to shared (" + e.call() + ")");
  }
}

void KernelLockTracker::OnOpen(const TracedCall& call) {
  const TraceEventRef e = call.event;
  const Fd fd{e.pid(), e.fd()};
  Unbind(fd, nullptr, "");  // the number was free: its descriptor went untraced
  const size_t d = NewDescription(e.path_class(), e.path());
  Bind(call, fd, d);
}

void KernelLockTracker::OnDup(const TracedCall& call) {
  const TraceEventRef e = call.event;
  const Fd to{e.pid(), e.new_fd()};
  Unbind(to, &call, "released when dup2 replaced fd " + std::to_string(e.new_fd()));
  if (e.path_class().empty() || e.path_class() == "other") return;
  const size_t d = DescriptionOf(call, e.pid(), e.fd(), e.path());
  Bind(call, to, d);
}

void KernelLockTracker::OnInherited(const TracedCall& call) {
  const TraceEventRef e = call.event;
  const Fd fd{e.pid(), e.fd()};
  auto pending = exec_pending_.find(e.pid());
  if (pending != exec_pending_.end()) {
    std::map<int, size_t>& kept = pending->second.second;
    auto it = kept.find(e.fd());
    if (it != kept.end()) {
      const size_t d = it->second;
      kept.erase(it);
      const Description& desc = descriptions_[d];
      if (SameFile(desc.path_class, desc.path, e.path_class(), e.path())) {
        bound_[fd] = d;  // the same descriptor, across exec
        return;
      }
      // Not the descriptor we knew: ours was replaced untraced.
      bound_[fd] = d;
      Unbind(fd, nullptr, "");
    }
  }
  if (bound_.count(fd) != 0) Unbind(fd, nullptr, "");
  size_t d = InheritedFromParent(e.pid(), e.fd(), e.path_class(), e.path());
  if (d == kNoLock) d = NewDescription(e.path_class(), e.path());
  Bind(call, fd, d);
}

void KernelLockTracker::OnClose(const TracedCall& call) {
  const TraceEventRef e = call.event;
  const std::string how = "released by close of fd " + std::to_string(e.fd());
  // A POSIX record lock goes with the close of any descriptor of its file.
  auto posix = posix_.find({e.pid(), e.path()});
  if (posix != posix_.end()) EndPosix(posix, call, how);
  Unbind({e.pid(), e.fd()}, &call, how);
}

void KernelLockTracker::OnExit(const TracedCall& call) {
  const int pid = call.pid();
  const std::string how = "released when its process exited";
  for (auto it = bound_.lower_bound({pid, -1}); it != bound_.end() && it->first.first == pid;) {
    const Fd fd = (it++)->first;
    Unbind(fd, &call, how);
  }
  for (auto it = posix_.lower_bound({pid, ""}); it != posix_.end() && it->first.first == pid;) {
    EndPosix(it++, call, how);
  }
}

void KernelLockTracker::OnExec(const TracedCall& call) {
  const int pid = call.pid();
  auto& [exec_call, kept] = exec_pending_[pid];
  exec_call = &call;
  // Until the new program's inherited lines say which survived, the
  // descriptors stay in their descriptions (so none drops to empty).
  for (auto it = bound_.lower_bound({pid, -1}); it != bound_.end() && it->first.first == pid;) {
    kept[it->first.second] = it->second;
    it = bound_.erase(it);
  }
}

void KernelLockTracker::SettleExec(int pid) {
  auto pending = exec_pending_.find(pid);
  if (pending == exec_pending_.end()) return;
  const TracedCall& exec_call = *pending->second.first;
  const std::map<int, size_t> closed = std::move(pending->second.second);
  exec_pending_.erase(pending);
  for (const auto& [fd, d] : closed) {
    bound_[{pid, fd}] = d;
    Unbind({pid, fd}, &exec_call,
           "released at exec: fd " + std::to_string(fd) + " was close-on-exec");
  }
}

size_t KernelLockTracker::DescriptionOf(const TracedCall& call, int pid, int fd,
                                        const std::string& path) {
  const TraceEventRef e = call.event;
  if (fd < 0) return NewDescription(e.path_class(), path);
  const Fd key{pid, fd};
  auto it = bound_.find(key);
  if (it != bound_.end()) {
    const Description& desc = descriptions_[it->second];
    if (path.empty() || SameFile(desc.path_class, desc.path, e.path_class(), path)) {
      return it->second;
    }
    Unbind(key, nullptr, "");  // the number names another file now
  }
  size_t d = InheritedFromParent(pid, fd, e.path_class(), path);
  if (d == kNoLock) d = NewDescription(e.path_class(), path);
  Bind(call, key, d);
  return d;
}

size_t KernelLockTracker::InheritedFromParent(int pid, int fd, const std::string& path_class,
                                              const std::string& path) const {
  auto parent = timeline_.parent_of.find(pid);
  auto born = timeline_.first_seen.find(pid);
  if (parent == timeline_.parent_of.end() || born == timeline_.first_seen.end()) return kNoLock;
  auto history = history_.find({parent->second, fd});
  if (history == history_.end()) return kNoLock;
  // The parent's descriptors of that number made before the child
  // certainly existed: exactly one is the one it inherited.
  size_t found = kNoLock;
  int candidates = 0;
  for (const Binding& b : history->second) {
    if (b.made->earliest >= born->second) continue;
    ++candidates;
    found = b.description;
  }
  if (candidates != 1) return kNoLock;
  const Description& d = descriptions_[found];
  // Gone everywhere already: its lock has been ended, a new one would
  // start a second tenure of the same lock.
  if (d.fds.empty() || !SameFile(d.path_class, d.path, path_class, path)) return kNoLock;
  return found;
}

size_t KernelLockTracker::NewDescription(const std::string& path_class, const std::string& path) {
  descriptions_.push_back({path_class, path, {}, kNoLock, nullptr});
  return descriptions_.size() - 1;
}

void KernelLockTracker::Bind(const TracedCall& call, Fd fd, size_t description) {
  bound_[fd] = description;
  descriptions_[description].fds.insert(fd);
  descriptions_[description].last_use = &call;
  history_[fd].push_back({description, &call});
}

void KernelLockTracker::Unbind(Fd fd, const TracedCall* end, const std::string& how) {
  auto it = bound_.find(fd);
  if (it == bound_.end()) return;
  const size_t d = it->second;
  bound_.erase(it);
  Description& desc = descriptions_[d];
  desc.fds.erase(fd);
  if (!desc.fds.empty() || desc.lock == kNoLock) return;
  if (end != nullptr) {
    EndFlock(d, *end, how + ", its last descriptor", end->writer);
  } else {
    // Closed without a trace line: it was certainly held at its last use.
    EndFlock(d, *desc.last_use,
             "ended untraced (its last descriptor was closed by a call the trace does not show)",
             0);
  }
}

void KernelLockTracker::EndFlock(size_t description, const TracedCall& call, std::string how,
                                 int by) {
  Description& desc = descriptions_[description];
  Tenure& t = objects_[desc.lock].tenures.back();
  t.end = &call;
  t.how_ended = std::move(how);
  t.ended_by = by;
  desc.lock = kNoLock;
}

void KernelLockTracker::EndPosix(std::map<std::pair<int, std::string>, size_t>::iterator it,
                                 const TracedCall& call, std::string how) {
  Tenure& t = objects_[it->second].tenures.back();
  t.end = &call;
  t.how_ended = std::move(how);
  t.ended_by = call.writer;
  posix_.erase(it);
}

}  // namespace lockharness::harness
