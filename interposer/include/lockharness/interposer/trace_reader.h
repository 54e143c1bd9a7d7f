// trace_reader.h: reads the interposer's JSON-lines trace back (the format
// is described in trace_line.h and docs/interposer.md), for checkers that
// must tell an injected failure from a real one and for tests.
//
// Usage:
//   std::string error;
//   std::optional<std::vector<TraceEvent>> events = ReadTraceFile(path,
//   &error); if (!events) { ... error says which line and why ... } for (const
//   TraceEvent& e : *events)
//     if (e.injected) ...   // this failure was ours, not the program's

#ifndef LOCKHARNESS_INTERPOSER_TRACE_READER_H_
#define LOCKHARNESS_INTERPOSER_TRACE_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::interposer {

struct TraceEvent {
  enum class Type { kHello, kCall, kFork, kExit };
  Type type = Type::kCall;
  int pid = 0;
  int64_t mono_ns = 0;
  int ppid = 0;  // kHello (0: not recorded) and kFork: the parent

  // kHello
  std::string registry;
  int faults = 0;

  // kCall
  std::string call;        // libc function, e.g. "renameat2"
  std::string point;       // e.g. "lh/rename/registry"
  std::string path_class;  // e.g. "registry"
  std::string path;        // may be empty (truncated line)
  std::string from;        // rename/link source, else empty
  std::string from_class;  // else empty
  int fd = -1;
  int64_t result = 0;
  std::string error;  // symbolic errno ("EIO"), empty on success
  bool injected = false;
  std::string action;  // "errno", "short", "delay", "kill", "stop"
  bool truncated = false;
  std::string open_flags;  // opens: "O_WRONLY|O_CREAT|O_EXCL"; else empty
  // Lock calls (point lh/lock/...): lock_kind "flock", "posix" or "ofd";
  // lock_op "exclusive", "shared" or "unlock".
  std::string lock_kind;
  std::string lock_op;
  bool lock_wait = false;
  int64_t lock_start = 0;
  int64_t lock_len = 0;
  int lock_whence = 0;

  // The open asked for exclusive creation (O_CREAT|O_EXCL).
  bool ExclusiveCreate() const {
    return open_flags.find("O_CREAT") != std::string::npos &&
           open_flags.find("O_EXCL") != std::string::npos;
  }
};

// Parses one line. On failure returns nullopt and sets *error (if not null)
// to a message naming the missing or malformed field. Input bound: a line of
// kTraceLineSize bytes or more (trace_line.h) is rejected unparsed.
std::optional<TraceEvent> ParseTraceLine(std::string_view line,
                                         std::string* error);

// Reads a whole trace file. Empty lines are skipped. A final line without a
// newline that does not parse is ignored (a process killed mid-write cannot
// leave one, but a reader racing a writer can see one). On failure returns
// nullopt and sets *error to "<path>:<line>: <why>".
std::optional<std::vector<TraceEvent>> ReadTraceFile(const std::string& path,
                                                     std::string* error);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_TRACE_READER_H_
