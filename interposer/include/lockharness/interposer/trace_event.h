// trace_event.h: one line of the interposer's trace, parsed (the format is
// described in trace_line.h and docs/interposer.md). ParseTraceLine()
// (trace_reader.h) makes one; a whole trace is kept as a Trace (trace.h),
// which stores its events compactly.

#ifndef LOCKHARNESS_INTERPOSER_TRACE_EVENT_H_
#define LOCKHARNESS_INTERPOSER_TRACE_EVENT_H_

#include <cstdint>
#include <string>

namespace lockharness::interposer {

struct TraceEvent {
  // kInherited: a descriptor the program image started with; kDup: a
  // descriptor copied (fd -> new_fd). Both carry fd, path_class and path.
  enum class Type : uint8_t { kHello, kCall, kFork, kExit, kInherited, kDup };
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
  int new_fd = -1;  // kDup: the copy
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

  bool operator==(const TraceEvent&) const = default;
};

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_TRACE_EVENT_H_
