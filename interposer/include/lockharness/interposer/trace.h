// trace.h: a whole interposer trace, kept compactly for the trace checkers.
//
// A traced run can leave tens of millions of lines (64 writers polling one
// lock leave a refused mkdir and a read of the owner record per poll), but
// the strings of its lines take few distinct values: a handful of calls,
// points, classes, errnos, flags and lock kinds, and a few thousand paths.
// So a Trace keeps every distinct string once and each event as a 40-byte
// record: its stamp, result, pid, ppid and fd, the ids of its path and
// rename source, and the id of its "shape" (all its other fields, interned
// together). Events are read through TraceEventRef, a handle whose
// accessors return the interned strings.
//
//   Trace trace;
//   trace.Append(event);          // a TraceEvent, e.g. from ParseTraceLine
//   for (TraceEventRef e : trace)
//     if (e.injected()) ...       // this failure was ours, not the program's
//
// A TraceEventRef stays valid as long as its Trace (which may be moved, but
// not copied).

#ifndef LOCKHARNESS_INTERPOSER_TRACE_H_
#define LOCKHARNESS_INTERPOSER_TRACE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/interposer/trace_event.h"

namespace lockharness::interposer {

namespace trace_internal {

// Every field of an event except those kept in its Record. The strings
// point into the trace's string table.
struct Shape {
  TraceEvent::Type type = TraceEvent::Type::kCall;
  bool injected = false;
  bool truncated = false;
  bool lock_wait = false;
  bool exclusive_create = false;  // TraceEvent::ExclusiveCreate()
  int faults = 0;
  int lock_whence = 0;
  // kDup's copy. Dup lines are rare, so it lives here rather than in Record.
  int new_fd = -1;
  int64_t lock_start = 0;
  int64_t lock_len = 0;
  const std::string* registry = nullptr;
  const std::string* call = nullptr;
  const std::string* point = nullptr;
  const std::string* path_class = nullptr;
  const std::string* from_class = nullptr;
  const std::string* error = nullptr;
  const std::string* action = nullptr;
  const std::string* open_flags = nullptr;
  const std::string* lock_kind = nullptr;
  const std::string* lock_op = nullptr;
  std::string_view family;  // see TraceEventRef::family()
};

// One event: the fields that differ from line to line.
struct Record {
  int64_t mono_ns = 0;
  int64_t result = 0;
  int32_t pid = 0;
  int32_t ppid = 0;
  int32_t fd = -1;
  uint32_t shape = 0;  // index into Tables::shapes
  uint32_t path = 0;   // index into Tables::strings
  uint32_t from = 0;   // index into Tables::strings
};
static_assert(sizeof(Record) == 40, "a trace event is meant to cost 40 bytes");

struct Tables {
  std::deque<std::string> strings;  // a deque: references stay valid
  std::vector<Shape> shapes;
};

}  // namespace trace_internal

// One event of a Trace, read through accessors named like TraceEvent's
// fields.
class TraceEventRef {
 public:
  TraceEventRef(const trace_internal::Record* record,
                const trace_internal::Tables* tables)
      : record_(record), tables_(tables) {}

  TraceEvent::Type type() const { return shape().type; }
  int pid() const { return record_->pid; }
  int64_t mono_ns() const { return record_->mono_ns; }
  int ppid() const { return record_->ppid; }
  const std::string& registry() const { return *shape().registry; }
  int faults() const { return shape().faults; }
  const std::string& call() const { return *shape().call; }
  const std::string& point() const { return *shape().point; }
  const std::string& path_class() const { return *shape().path_class; }
  const std::string& path() const { return tables_->strings[record_->path]; }
  const std::string& from() const { return tables_->strings[record_->from]; }
  const std::string& from_class() const { return *shape().from_class; }
  int fd() const { return record_->fd; }
  int new_fd() const { return shape().new_fd; }
  int64_t result() const { return record_->result; }
  const std::string& error() const { return *shape().error; }
  bool injected() const { return shape().injected; }
  const std::string& action() const { return *shape().action; }
  bool truncated() const { return shape().truncated; }
  const std::string& open_flags() const { return *shape().open_flags; }
  const std::string& lock_kind() const { return *shape().lock_kind; }
  const std::string& lock_op() const { return *shape().lock_op; }
  bool lock_wait() const { return shape().lock_wait; }
  int64_t lock_start() const { return shape().lock_start; }
  int64_t lock_len() const { return shape().lock_len; }
  int lock_whence() const { return shape().lock_whence; }

  // The open asked for exclusive creation (O_CREAT|O_EXCL).
  bool ExclusiveCreate() const { return shape().exclusive_create; }

  // The call family named by the failure point ("lh/rename/registry" ->
  // "rename"), the libc name if the point is malformed, "exit" for an exit
  // line and "" for hello and fork lines.
  std::string_view family() const { return shape().family; }

  // A self-contained copy.
  TraceEvent ToEvent() const;

 private:
  const trace_internal::Shape& shape() const {
    return tables_->shapes[record_->shape];
  }

  const trace_internal::Record* record_;
  const trace_internal::Tables* tables_;
};

class Trace {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = TraceEventRef;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = TraceEventRef;

    Iterator() = default;
    Iterator(const Trace* trace, size_t index) : trace_(trace), index_(index) {}
    TraceEventRef operator*() const { return (*trace_)[index_]; }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const Iterator& other) const {
      return index_ == other.index_;
    }

   private:
    const Trace* trace_ = nullptr;
    size_t index_ = 0;
  };

  Trace();
  // The events in this order (for tests and tools that build a trace).
  explicit Trace(const std::vector<TraceEvent>& events);
  Trace(Trace&&) noexcept;
  Trace& operator=(Trace&&) noexcept;
  ~Trace();

  // Adds an event after the others. REQUIRES: fewer than 2^32 distinct
  // strings and shapes (ReadTraceFile's bounds keep far below).
  void Append(const TraceEvent& event);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // REQUIRES: i < size().
  TraceEventRef operator[](size_t i) const {
    return TraceEventRef(&blocks_[i / kBlockEvents][i % kBlockEvents],
                         tables_.get());
  }
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, size_); }

  // Bytes of the distinct strings kept (paths, calls, errnos, ...).
  size_t string_bytes() const { return string_bytes_; }

  // A line cut short by the kill of the process writing it: a write(2)
  // that SIGKILL interrupts between two pages returns short, and the next
  // process's line follows the fragment. The call it traced had returned;
  // it is the process's last and is not among the events.
  struct TornLine {
    size_t line = 0;  // in the file, from 1
    int pid = 0;      // 0: the fragment ends before its pid
  };
  const std::vector<TornLine>& torn_lines() const { return torn_lines_; }
  void AddTornLine(TornLine torn) { torn_lines_.push_back(torn); }

 private:
  // Events are kept in fixed blocks: growth never copies them, and a
  // TraceEventRef keeps pointing at its record.
  static constexpr size_t kBlockEvents = 4096;
  struct Index;

  uint32_t Intern(std::string_view text);
  uint32_t InternShape(const TraceEvent& event);

  std::unique_ptr<trace_internal::Tables> tables_;
  std::unique_ptr<Index> index_;  // string -> id, shape -> id
  std::vector<std::unique_ptr<trace_internal::Record[]>> blocks_;
  size_t size_ = 0;
  size_t string_bytes_ = 0;
  std::vector<TornLine> torn_lines_;
};

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_TRACE_H_
