// Allocation-free JSON line formatting for the trace.

#include "lockharness/interposer/trace_line.h"

#include <fcntl.h>

#include "json_text.h"
#include "lockharness/errno_names.h"

namespace lockharness::interposer {
namespace {

// Appends into a fixed buffer, keeping room for the closing "}\n" and a
// truncation marker; once full it silently drops further text and
// remembers that it did.
class LineBuilder : public JsonText<LineBuilder> {
 public:
  LineBuilder(char* out, size_t size) : out_(out), limit_(size - kReserve) {}

  void Field(const char* key) {
    Raw(first_ ? "\"" : ",\"");
    first_ = false;
    Raw(key);
    Raw("\":");
  }

  size_t Finish() {
    // The reserve always has room for this tail.
    const char* tail = truncated_ ? ",\"truncated\":true}\n" : "}\n";
    if (truncated_) {
      // Drop a possibly half-written string so the line stays valid JSON:
      // cut back to the last field separator that was fully written.
      len_ = last_complete_;
    }
    for (const char* p = tail; *p != '\0'; ++p) out_[len_++] = *p;
    return len_;
  }

  // Marks the end of a complete field (for truncation recovery).
  void Commit() {
    if (!truncated_) last_complete_ = len_;
  }

 private:
  friend class JsonText<LineBuilder>;
  static constexpr size_t kReserve = 32;

  void Put(char c) {
    if (len_ < limit_) {
      out_[len_++] = c;
    } else {
      truncated_ = true;
    }
  }

  char* out_;
  size_t limit_;
  size_t len_ = 0;
  size_t last_complete_ = 0;
  bool first_ = true;
  bool truncated_ = false;
};

}  // namespace

const char* LockKindName(LockKind kind) {
  switch (kind) {
    case LockKind::kFlock: return "flock";
    case LockKind::kPosix: return "posix";
    case LockKind::kOfd: return "ofd";
    case LockKind::kNone: break;
  }
  return "none";
}

const char* LockOpName(LockOp op) {
  switch (op) {
    case LockOp::kExclusive: return "exclusive";
    case LockOp::kShared: return "shared";
    case LockOp::kUnlock: return "unlock";
  }
  return "exclusive";
}

void FormatOpenFlags(int flags, char* out) {
  size_t len = 0;
  auto add = [&](const char* name) {
    if (len > 0) out[len++] = '|';
    for (const char* p = name; *p != '\0'; ++p) out[len++] = *p;
  };
  switch (flags & O_ACCMODE) {
    case O_WRONLY: add("O_WRONLY"); break;
    case O_RDWR: add("O_RDWR"); break;
    default: add("O_RDONLY"); break;
  }
  if ((flags & O_CREAT) != 0) add("O_CREAT");
  if ((flags & O_EXCL) != 0) add("O_EXCL");
  if ((flags & O_TRUNC) != 0) add("O_TRUNC");
  if ((flags & O_APPEND) != 0) add("O_APPEND");
  if ((flags & O_DIRECTORY) != 0) add("O_DIRECTORY");
  if ((flags & O_TMPFILE) == O_TMPFILE) add("O_TMPFILE");
  out[len] = '\0';
}

size_t FormatTraceLine(const TraceRecord& r, char* out, size_t out_size) {
  LineBuilder b(out, out_size);
  b.Raw("{");
  b.Commit();
  b.Field("type");
  b.String("call");
  b.Commit();
  b.Field("pid");
  b.Int(r.pid);
  b.Commit();
  b.Field("call");
  b.String(r.call);
  b.Commit();
  char point[kPointNameSize];
  FormatPointName(r.family, r.path_class, point);
  b.Field("point");
  b.String(point);
  b.Commit();
  b.Field("class");
  b.String(PathClassName(r.path_class));
  b.Commit();
  b.Field("fd");
  b.Int(r.fd);
  b.Commit();
  b.Field("result");
  b.Int(r.result);
  b.Commit();
  if (r.result < 0 && r.error != 0) {
    const char* name = ErrnoName(r.error);
    b.Field("errno");
    if (name != nullptr) {
      b.String(name);
    } else {
      b.Int(r.error);
    }
    b.Commit();
  }
  b.Field("injected");
  b.Raw(r.injected ? "true" : "false");
  b.Commit();
  if (r.injected) {
    b.Field("action");
    b.String(ActionKindName(r.action));
    b.Commit();
  }
  b.Field("mono_ns");
  b.Int(r.mono_ns);
  b.Commit();
  if (r.open_flags >= 0) {
    char flags[kOpenFlagsSize];
    FormatOpenFlags(r.open_flags, flags);
    b.Field("flags");
    b.String(flags);
    b.Commit();
  }
  if (r.lock != nullptr && r.lock->kind != LockKind::kNone) {
    b.Field("lock_kind");
    b.String(LockKindName(r.lock->kind));
    b.Commit();
    b.Field("lock_op");
    b.String(LockOpName(r.lock->op));
    b.Commit();
    b.Field("lock_wait");
    b.Raw(r.lock->wait ? "true" : "false");
    b.Commit();
    if (r.lock->kind != LockKind::kFlock) {
      b.Field("lock_start");
      b.Int(r.lock->start);
      b.Commit();
      b.Field("lock_len");
      b.Int(r.lock->len);
      b.Commit();
      if (r.lock->whence != 0) {
        b.Field("lock_whence");
        b.Int(r.lock->whence);
        b.Commit();
      }
    }
  }
  if (r.from != nullptr) {
    b.Field("from_class");
    b.String(PathClassName(r.from_class));
    b.Commit();
  }
  // Paths last: they are the only unbounded fields, so truncation drops
  // them rather than the fields a checker keys on.
  if (r.path != nullptr) {
    b.Field("path");
    b.String(r.path);
    b.Commit();
  }
  if (r.from != nullptr) {
    b.Field("from");
    b.String(r.from);
    b.Commit();
  }
  return b.Finish();
}

size_t FormatHelloLine(int pid, const char* registry, int fault_count,
                       int64_t mono_ns, char* out, size_t out_size, int ppid) {
  LineBuilder b(out, out_size);
  b.Raw("{");
  b.Commit();
  b.Field("type");
  b.String("hello");
  b.Commit();
  b.Field("pid");
  b.Int(pid);
  b.Commit();
  if (ppid > 0) {
    b.Field("ppid");
    b.Int(ppid);
    b.Commit();
  }
  b.Field("faults");
  b.Int(fault_count);
  b.Commit();
  b.Field("mono_ns");
  b.Int(mono_ns);
  b.Commit();
  b.Field("registry");
  b.String(registry != nullptr ? registry : "");
  b.Commit();
  return b.Finish();
}

size_t FormatForkLine(int pid, int ppid, int64_t mono_ns, char* out,
                      size_t out_size) {
  LineBuilder b(out, out_size);
  b.Raw("{");
  b.Commit();
  b.Field("type");
  b.String("fork");
  b.Commit();
  b.Field("pid");
  b.Int(pid);
  b.Commit();
  b.Field("ppid");
  b.Int(ppid);
  b.Commit();
  b.Field("mono_ns");
  b.Int(mono_ns);
  b.Commit();
  return b.Finish();
}

size_t FormatExitLine(int pid, int64_t mono_ns, char* out, size_t out_size) {
  LineBuilder b(out, out_size);
  b.Raw("{");
  b.Commit();
  b.Field("type");
  b.String("exit");
  b.Commit();
  b.Field("pid");
  b.Int(pid);
  b.Commit();
  b.Field("mono_ns");
  b.Int(mono_ns);
  b.Commit();
  return b.Finish();
}

namespace {

// The common shape of the inherited and dup lines.
size_t FormatDescriptorLine(const char* type, int pid, int fd, int new_fd,
                            PathClass path_class, const char* path,
                            int64_t mono_ns, char* out, size_t out_size) {
  LineBuilder b(out, out_size);
  b.Raw("{");
  b.Commit();
  b.Field("type");
  b.String(type);
  b.Commit();
  b.Field("pid");
  b.Int(pid);
  b.Commit();
  b.Field("fd");
  b.Int(fd);
  b.Commit();
  if (new_fd >= 0) {
    b.Field("new_fd");
    b.Int(new_fd);
    b.Commit();
  }
  b.Field("class");
  b.String(PathClassName(path_class));
  b.Commit();
  b.Field("mono_ns");
  b.Int(mono_ns);
  b.Commit();
  if (path != nullptr) {  // last: truncation drops it first
    b.Field("path");
    b.String(path);
    b.Commit();
  }
  return b.Finish();
}

}  // namespace

size_t FormatInheritedLine(int pid, int fd, PathClass path_class,
                           const char* path, int64_t mono_ns, char* out,
                           size_t out_size) {
  return FormatDescriptorLine("inherited", pid, fd, -1, path_class, path,
                              mono_ns, out, out_size);
}

size_t FormatDupLine(int pid, int fd, int new_fd, PathClass path_class,
                     const char* path, int64_t mono_ns, char* out,
                     size_t out_size) {
  return FormatDescriptorLine("dup", pid, fd, new_fd, path_class, path, mono_ns,
                              out, out_size);
}

}  // namespace lockharness::interposer
