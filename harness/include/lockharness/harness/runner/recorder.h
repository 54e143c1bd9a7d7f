// recorder.h: appends history events to DIR/history.jsonl as they happen.
//
// One Recorder per run, shared by all writer and reader threads. Record()
// stamps nothing itself: callers set `t` from the RunClock right before the
// moment the event describes (an invoke is recorded before the process is
// started, a completion after it is reaped), so the history's real-time
// order is what the checkers rely on. Lines are written under one mutex, so
// they never interleave, and flushed by Flush() and on destruction.
//
// Usage:
//   RunClock clock;
//   std::string error;
//   auto recorder = Recorder::Open(dir / "history.jsonl", &error);
//   Event e; e.t = clock.Now(); ...; recorder->Record(e);

#ifndef LOCKHARNESS_HARNESS_RUNNER_RECORDER_H_
#define LOCKHARNESS_HARNESS_RUNNER_RECORDER_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "lockharness/harness/history.h"

namespace lockharness::harness::runner {

// CLOCK_MONOTONIC nanoseconds, relative to the clock's construction.
class RunClock {
 public:
  RunClock();
  int64_t Now() const;  // ns since start
  int64_t start_ns() const { return start_ns_; }
  // Converts an absolute CLOCK_MONOTONIC reading (as workers report it).
  int64_t FromAbsolute(int64_t monotonic_ns) const { return monotonic_ns - start_ns_; }
  static int64_t AbsoluteNow();

 private:
  int64_t start_ns_;
};

class Recorder {
 public:
  // Creates (truncates) `path`. On failure returns nullptr and sets *error.
  static std::unique_ptr<Recorder> Open(const std::filesystem::path& path, std::string* error);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Appends one line. Thread-safe. Returns false after a write error (the
  // first error is kept in error()).
  bool Record(const Event& event);
  void Flush();
  int64_t events_recorded() const;
  std::string error() const;

 private:
  explicit Recorder(std::FILE* file) : file_(file) {}
  mutable std::mutex mu_;
  std::FILE* file_;
  int64_t count_ = 0;
  std::string error_;
};

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_RECORDER_H_
