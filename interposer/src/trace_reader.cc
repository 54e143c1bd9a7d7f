#include "lockharness/interposer/trace_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "lockharness/interposer/trace_line.h"
#include "nlohmann/json.hpp"

namespace lockharness::interposer {
namespace {

using Json = nlohmann::json;

void SetError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

// Field readers: false if the field is present with the wrong type, or
// absent while required.
bool ReadString(const Json& j, const char* key, bool required, std::string* out,
                std::string* error) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) SetError(error, std::string("missing field '") + key + "'");
    return !required;
  }
  if (!it->is_string()) {
    SetError(error, std::string("field '") + key + "' is not a string");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

template <typename Int>
bool ReadInt(const Json& j, const char* key, bool required, Int* out,
             std::string* error) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) SetError(error, std::string("missing field '") + key + "'");
    return !required;
  }
  if (!it->is_number_integer()) {
    SetError(error, std::string("field '") + key + "' is not an integer");
    return false;
  }
  *out = it->get<Int>();
  return true;
}

bool ReadBool(const Json& j, const char* key, bool required, bool* out,
              std::string* error) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) SetError(error, std::string("missing field '") + key + "'");
    return !required;
  }
  if (!it->is_boolean()) {
    SetError(error, std::string("field '") + key + "' is not a boolean");
    return false;
  }
  *out = it->get<bool>();
  return true;
}

bool ReadCall(const Json& j, TraceEvent* e, std::string* error) {
  if (!ReadString(j, "call", true, &e->call, error) ||
      !ReadString(j, "point", true, &e->point, error) ||
      !ReadString(j, "class", true, &e->path_class, error) ||
      !ReadInt(j, "fd", true, &e->fd, error) ||
      !ReadInt(j, "result", true, &e->result, error) ||
      !ReadBool(j, "injected", true, &e->injected, error) ||
      !ReadString(j, "action", e->injected, &e->action, error) ||
      !ReadString(j, "path", false, &e->path, error) ||
      !ReadString(j, "from", false, &e->from, error) ||
      !ReadString(j, "from_class", false, &e->from_class, error) ||
      !ReadBool(j, "truncated", false, &e->truncated, error) ||
      !ReadString(j, "flags", false, &e->open_flags, error) ||
      !ReadString(j, "lock_kind", false, &e->lock_kind, error) ||
      !ReadString(j, "lock_op", !e->lock_kind.empty(), &e->lock_op, error) ||
      !ReadBool(j, "lock_wait", false, &e->lock_wait, error) ||
      !ReadInt(j, "lock_start", false, &e->lock_start, error) ||
      !ReadInt(j, "lock_len", false, &e->lock_len, error) ||
      !ReadInt(j, "lock_whence", false, &e->lock_whence, error)) {
    return false;
  }
  auto err = j.find("errno");
  if (err != j.end()) {
    if (err->is_string()) {
      e->error = err->get<std::string>();
    } else if (err->is_number_integer()) {
      e->error = std::to_string(err->get<int>());
    } else {
      SetError(error, "field 'errno' is neither a name nor a number");
      return false;
    }
  }
  if (e->result < 0 && e->error.empty() && e->action != "kill") {
    SetError(error, "failed call without 'errno'");
    return false;
  }
  return true;
}

std::string OverlongLine(size_t size) {
  return "line of " + std::to_string(size) +
         " bytes, longer than any the interposer writes (" +
         std::to_string(kTraceLineSize - 1) + ")";
}

// One line of a file read through a fixed buffer. A line of
// kTraceLineSize bytes or more is not kept: only its size is known.
struct Line {
  std::string_view text;  // empty if overlong
  size_t size = 0;
  bool overlong = false;
  bool complete = false;  // ended by a newline
};

// Splits a file into lines through a buffer of kBufferSize bytes, so
// memory stays bounded however long the file or its lines.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd), buffer_(kBufferSize) {}

  // The next line; false at the end of the file or on a read error
  // (read_error() then says which).
  bool Next(Line* line) {
    for (;;) {
      const size_t available = end_ - begin_;
      const char* start = buffer_.data() + begin_;
      if (const auto* nl =
              static_cast<const char*>(memchr(start, '\n', available))) {
        const size_t length = static_cast<size_t>(nl - start);
        begin_ += length + 1;
        if (skipped_ > 0) {
          *line = Line{{}, skipped_ + length, true, true};
          skipped_ = 0;
        } else {
          *line = Line{{start, length}, length, false, true};
        }
        return true;
      }
      // No newline in the buffer: keep a line that may still fit, count
      // the bytes of one that cannot.
      if (skipped_ > 0 || available >= kTraceLineSize) {
        skipped_ += available;
        begin_ = end_ = 0;
      } else if (begin_ > 0) {
        memmove(buffer_.data(), start, available);
        begin_ = 0;
        end_ = available;
      }
      const ssize_t n = Read(buffer_.data() + end_, buffer_.size() - end_);
      if (n < 0) return false;
      if (n == 0) {  // end of file: a last line without a newline
        if (skipped_ > 0) {
          *line = Line{{}, skipped_, true, false};
          skipped_ = 0;
          return true;
        }
        if (end_ == begin_) return false;
        *line = Line{{buffer_.data() + begin_, end_ - begin_},
                     end_ - begin_,
                     false,
                     false};
        begin_ = end_;
        return true;
      }
      end_ += static_cast<size_t>(n);
    }
  }

  const std::string& read_error() const { return read_error_; }

 private:
  static constexpr size_t kBufferSize = size_t{1} << 20;
  static_assert(kBufferSize > 2 * kTraceLineSize);

  ssize_t Read(char* to, size_t size) {
    for (;;) {
      const ssize_t n = ::read(fd_, to, size);
      if (n >= 0 || errno != EINTR) {
        if (n < 0) read_error_ = std::string("read error: ") + strerror(errno);
        return n;
      }
    }
  }

  const int fd_;
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes: [begin_, end_)
  size_t skipped_ = 0;          // bytes so far of an overlong line
  std::string read_error_;
};

}  // namespace

std::optional<TraceEvent> ParseTraceLine(std::string_view line,
                                         std::string* error) {
  // Input bound: the interposer never writes a line as long as its buffer.
  if (line.size() >= kTraceLineSize) {
    SetError(error, OverlongLine(line.size()));
    return std::nullopt;
  }
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    SetError(error, "not a JSON object");
    return std::nullopt;
  }
  TraceEvent e;
  std::string type;
  if (!ReadString(j, "type", true, &type, error) ||
      !ReadInt(j, "pid", true, &e.pid, error) ||
      !ReadInt(j, "mono_ns", true, &e.mono_ns, error)) {
    return std::nullopt;
  }
  if (type == "hello") {
    e.type = TraceEvent::Type::kHello;
    if (!ReadString(j, "registry", true, &e.registry, error) ||
        !ReadInt(j, "faults", true, &e.faults, error) ||
        !ReadInt(j, "ppid", false, &e.ppid, error)) {
      return std::nullopt;
    }
    return e;
  }
  if (type == "exit") {
    e.type = TraceEvent::Type::kExit;
    e.call = "exit";
    return e;
  }
  if (type == "fork") {
    e.type = TraceEvent::Type::kFork;
    if (!ReadInt(j, "ppid", true, &e.ppid, error)) return std::nullopt;
    return e;
  }
  if (type == "inherited" || type == "dup") {
    const bool dup = type == "dup";
    e.type = dup ? TraceEvent::Type::kDup : TraceEvent::Type::kInherited;
    e.call = type;
    if (!ReadInt(j, "fd", true, &e.fd, error) ||
        !ReadInt(j, "new_fd", dup, &e.new_fd, error) ||
        !ReadString(j, "class", true, &e.path_class, error) ||
        !ReadString(j, "path", false, &e.path, error) ||
        !ReadBool(j, "truncated", false, &e.truncated, error)) {
      return std::nullopt;
    }
    return e;
  }
  if (type != "call") {
    SetError(error, "unknown type '" + type + "'");
    return std::nullopt;
  }
  if (!ReadCall(j, &e, error)) return std::nullopt;
  return e;
}

std::optional<TraceEvent> ParseAfterTornFragment(std::string_view text,
                                                 int* fragment_pid) {
  constexpr std::string_view kStart = "{\"type\":\"";
  for (size_t at = text.find(kStart, 1); at != std::string_view::npos;
       at = text.find(kStart, at + 1)) {
    std::optional<TraceEvent> e = ParseTraceLine(text.substr(at), nullptr);
    if (!e) continue;
    const std::string_view fragment = text.substr(0, at);
    *fragment_pid = 0;
    constexpr std::string_view kPid = "\"pid\":";
    if (size_t p = fragment.find(kPid); p != std::string_view::npos) {
      int pid = 0;
      size_t i = p + kPid.size();
      for (; i < fragment.size() && fragment[i] >= '0' && fragment[i] <= '9' &&
             pid < 100000000;
           ++i) {
        pid = pid * 10 + (fragment[i] - '0');
      }
      // Digits cut by the tear would name another process: only a pid its
      // separator follows counts.
      if (i < fragment.size() && fragment[i] == ',') *fragment_pid = pid;
    }
    return e;
  }
  return std::nullopt;
}

std::optional<Trace> ReadTraceFile(const std::string& path, std::string* error,
                                   const TraceBounds& bounds) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    SetError(error, path + ": cannot open");
    return std::nullopt;
  }
  LineReader reader(fd);
  Trace trace;
  Line line;
  std::optional<std::string> failure;
  for (size_t number = 1; !failure && reader.Next(&line); ++number) {
    if (line.size == 0) continue;
    std::string why;
    std::optional<TraceEvent> e;
    if (line.overlong) {
      why = OverlongLine(line.size);
    } else {
      e = ParseTraceLine(line.text, &why);
      int torn_pid = 0;
      if (!e && line.complete &&
          (e = ParseAfterTornFragment(line.text, &torn_pid))) {
        trace.AddTornLine({number, torn_pid});
      }
    }
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (!e) {
      if (!line.complete) break;  // a writer's line in progress
      failure = where + why;
    } else if (trace.size() >= bounds.max_events) {
      failure = where + "more than " + std::to_string(bounds.max_events) +
                " events, the bound on a trace's events (each costs memory "
                "while the trace is judged)";
    } else {
      trace.Append(*e);
      if (trace.string_bytes() > bounds.max_string_bytes) {
        failure = where + "its distinct paths and names exceed " +
                  std::to_string(bounds.max_string_bytes) +
                  " bytes, the bound on a trace's strings";
      }
    }
  }
  if (!failure && !reader.read_error().empty())
    failure = path + ": " + reader.read_error();
  ::close(fd);
  if (failure) {
    SetError(error, std::move(*failure));
    return std::nullopt;
  }
  return trace;
}

}  // namespace lockharness::interposer
