// test_trace.h: builds hand-made interposer traces for the trace checker
// tests, in the shape the interposer writes them (docs/interposer.md).
//
//   TestTrace t;                   // registry /d/sandboxes.json
//   t.Mkdir(1, 100);               // pid 1 takes the lock at 100 ns
//   t.Publish(1, 110);             // a clean temp write + rename + dir fsync
//   t.Rmdir(1, 200);
//   TraceTimeline timeline = t.Timeline();
//
// Times are CLOCK_MONOTONIC nanoseconds (small made-up numbers). Publish()
// uses ten consecutive nanoseconds starting at its `t`.

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_TEST_TRACE_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_TEST_TRACE_H_

#include <deque>
#include <string>
#include <vector>

#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness::testing_util {

class TestTrace {
 public:
  static constexpr char kDir[] = "/d";
  static constexpr char kRegistry[] = "/d/sandboxes.json";
  static constexpr char kLock[] = "/d/sandboxes.json.lock";

  static std::string Temp(int pid) {
    return std::string(kRegistry) + ".tmp." + std::to_string(pid) + ".a1";
  }

  TestTrace& Hello(int pid, int64_t t) {
    TraceEvent e;
    e.type = TraceEvent::Type::kHello;
    e.pid = pid;
    e.mono_ns = t;
    e.registry = kRegistry;
    events.push_back(e);
    return *this;
  }

  // A hello line of a process started by `ppid` (a traced process: its
  // calls count as that process's writer's).
  TestTrace& Child(int pid, int ppid, int64_t t, bool forked = false) {
    TraceEvent e;
    e.type = forked ? TraceEvent::Type::kFork : TraceEvent::Type::kHello;
    e.pid = pid;
    e.ppid = ppid;
    e.mono_ns = t;
    e.registry = kRegistry;
    events.push_back(e);
    return *this;
  }

  TestTrace& Exit(int pid, int64_t t) {
    TraceEvent e;
    e.type = TraceEvent::Type::kExit;
    e.pid = pid;
    e.mono_ns = t;
    e.call = "exit";
    events.push_back(e);
    return *this;
  }

  // A kernel lock request on descriptor `fd` of `path` (class `cls`):
  // kind "flock", "posix" or "ofd"; op "exclusive", "shared" or "unlock".
  TestTrace& KernelLock(int pid, int64_t t, std::string kind, std::string op,
                        std::string path = kLock, std::string cls = "lock", int fd = 7,
                        std::string error = "") {
    const std::string call = kind == "flock" ? "flock" : "fcntl";
    TraceEvent& e = Call(pid, t, call, "lock", std::move(cls), std::move(path),
                         error.empty() ? 0 : -1, std::move(error));
    e.fd = fd;
    e.lock_kind = std::move(kind);
    e.lock_op = std::move(op);
    e.lock_wait = true;
    return *this;
  }

  // A descriptor of `path` the process's program started with (an
  // inherited line, right after its hello).
  TestTrace& Inherited(int pid, int64_t t, int fd, std::string path = kLock,
                       std::string cls = "lock") {
    TraceEvent e;
    e.type = TraceEvent::Type::kInherited;
    e.call = "inherited";
    e.pid = pid;
    e.mono_ns = t;
    e.fd = fd;
    e.path_class = std::move(cls);
    e.path = std::move(path);
    events.push_back(e);
    return *this;
  }

  // dup2(fd, new_fd) of a descriptor of `path` (class "other" and no path:
  // fd is not a protocol file, only new_fd was).
  TestTrace& Dup(int pid, int64_t t, int fd, int new_fd, std::string path = kLock,
                 std::string cls = "lock") {
    TraceEvent e;
    e.type = TraceEvent::Type::kDup;
    e.call = "dup";
    e.pid = pid;
    e.mono_ns = t;
    e.fd = fd;
    e.new_fd = new_fd;
    e.path_class = std::move(cls);
    e.path = std::move(path);
    events.push_back(e);
    return *this;
  }

  // An open of the lock path with these flags ("O_WRONLY|O_CREAT|O_EXCL").
  TestTrace& OpenLock(int pid, int64_t t, std::string flags, int fd = 7, std::string error = "") {
    TraceEvent& e =
        Call(pid, t, "open", "open", "lock", kLock, error.empty() ? fd : -1, std::move(error));
    e.fd = error.empty() ? fd : -1;
    e.open_flags = std::move(flags);
    return *this;
  }

  TestTrace& CloseFd(int pid, int64_t t, int fd, std::string path = kLock,
                     std::string cls = "lock") {
    Call(pid, t, "close", "close", std::move(cls), std::move(path)).fd = fd;
    return *this;
  }

  // A call line. `family` and `cls` make the point "lh/<family>/<cls>".
  TraceEvent& Call(int pid, int64_t t, std::string call, std::string family, std::string cls,
                   std::string path, int64_t result = 0, std::string error = "") {
    TraceEvent e;
    e.pid = pid;
    e.mono_ns = t;
    e.call = std::move(call);
    e.point = "lh/" + family + "/" + cls;
    e.path_class = std::move(cls);
    e.path = std::move(path);
    e.result = result;
    e.error = std::move(error);
    events.push_back(e);
    return events.back();
  }

  // Marks the last line as an injected fault with `action`.
  TestTrace& Injected(std::string action) {
    events.back().injected = true;
    events.back().action = std::move(action);
    return *this;
  }

  TestTrace& Mkdir(int pid, int64_t t, std::string error = "") {
    Call(pid, t, "mkdir", "mkdir", "lock", kLock, error.empty() ? 0 : -1, error);
    return *this;
  }
  TestTrace& Rmdir(int pid, int64_t t) {
    Call(pid, t, "rmdir", "rmdir", "lock", kLock);
    return *this;
  }
  // Moves the lock to a quarantine name (a break, or a release by rename).
  TestTrace& RenameLockAway(int pid, int64_t t) {
    TraceEvent& e = Call(pid, t, "renameat2", "rename", "quarantine", Quarantine(pid));
    e.from = kLock;
    e.from_class = "lock";
    return *this;
  }
  // Puts a quarantined lock back.
  TestTrace& RenameLockBack(int pid, int64_t t) {
    TraceEvent& e = Call(pid, t, "renameat2", "rename", "lock", kLock);
    e.from = Quarantine(pid);
    e.from_class = "quarantine";
    return *this;
  }
  TestTrace& RmdirQuarantine(int pid, int64_t t) {
    Call(pid, t, "rmdir", "rmdir", "quarantine", Quarantine(pid));
    return *this;
  }

  // Rename of `from` onto the registry.
  TraceEvent& Rename(int pid, int64_t t, const std::string& from, int64_t result = 0,
                     std::string error = "") {
    TraceEvent& e =
        Call(pid, t, "rename", "rename", "registry", kRegistry, result, std::move(error));
    e.from = from;
    e.from_class = from.rfind(std::string(kRegistry) + ".tmp", 0) == 0 ? "temp" : "other";
    return e;
  }

  // The write steps before the rename: open, write, (fsync), close of
  // `temp` as descriptor 4, at t .. t+3.
  TestTrace& WriteTemp(int pid, int64_t t, const std::string& temp, bool fsync = true) {
    Call(pid, t, "open", "open", "temp", temp, 4).fd = 4;
    Call(pid, t + 1, "write", "write", "temp", temp, 100).fd = 4;
    if (fsync) Call(pid, t + 2, "fsync", "fsync", "temp", temp).fd = 4;
    Call(pid, t + 3, "close", "close", "temp", temp).fd = 4;
    return *this;
  }
  // The directory fsync after the rename, at t .. t+2.
  TestTrace& SyncDir(int pid, int64_t t) {
    Call(pid, t, "open", "open", "dir", kDir, 5).fd = 5;
    Call(pid, t + 1, "fsync", "fsync", "dir", kDir).fd = 5;
    Call(pid, t + 2, "close", "close", "dir", kDir).fd = 5;
    return *this;
  }
  // A correct write: WriteTemp, rename, SyncDir, at t .. t+9.
  TestTrace& Publish(int pid, int64_t t, std::string temp = "") {
    if (temp.empty()) temp = Temp(pid);
    WriteTemp(pid, t, temp);
    Rename(pid, t + 5, temp);
    return SyncDir(pid, t + 6);
  }

  // mkdir, Publish, rmdir at t .. t+11.
  TestTrace& LockedPublish(int pid, int64_t t) {
    Mkdir(pid, t);
    Publish(pid, t + 1);
    return Rmdir(pid, t + 11);
  }

  // The timeline of the events so far. It points into a Trace this object
  // keeps, so it stays valid as long as this object.
  TraceTimeline Timeline(std::optional<int64_t> origin = std::nullopt) const {
    return BuildTraceTimeline(built_.emplace_back(events), origin);
  }

  Trace ToTrace() const { return Trace(events); }

  std::vector<TraceEvent> events;

 private:
  mutable std::deque<Trace> built_;

  static std::string Quarantine(int pid) {
    return std::string(kLock) + ".quarantine." + std::to_string(pid) + ".b2";
  }
};

}  // namespace lockharness::harness::testing_util

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_TEST_TRACE_H_
