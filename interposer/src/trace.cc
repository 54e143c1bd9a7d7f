// trace.cc: Trace, the interposer's trace kept as compact records and
// interned strings.

#include "lockharness/interposer/trace.h"

#include <functional>
#include <unordered_map>
#include <utility>

namespace lockharness::interposer {
namespace {

using trace_internal::Record;
using trace_internal::Shape;
using trace_internal::Tables;

// What makes two shapes the same: every field of Shape, its strings by id.
struct ShapeKey {
  TraceEvent::Type type;
  bool injected;
  bool truncated;
  bool lock_wait;
  int faults;
  int lock_whence;
  int new_fd;
  int64_t lock_start;
  int64_t lock_len;
  uint32_t registry, call, point, path_class, from_class, error, action,
      open_flags, lock_kind, lock_op;

  bool operator==(const ShapeKey&) const = default;
};

struct ShapeKeyHash {
  size_t operator()(const ShapeKey& k) const {
    size_t h = static_cast<size_t>(k.type);
    auto mix = [&h](uint64_t v) {
      h = (h ^ std::hash<uint64_t>{}(v)) * 0x100000001b3ull;
    };
    for (uint64_t v :
         {uint64_t{k.injected}, uint64_t{k.truncated}, uint64_t{k.lock_wait},
          static_cast<uint64_t>(k.faults), static_cast<uint64_t>(k.lock_whence),
          static_cast<uint64_t>(k.new_fd), static_cast<uint64_t>(k.lock_start),
          static_cast<uint64_t>(k.lock_len), uint64_t{k.registry},
          uint64_t{k.call}, uint64_t{k.point}, uint64_t{k.path_class},
          uint64_t{k.from_class}, uint64_t{k.error}, uint64_t{k.action},
          uint64_t{k.open_flags}, uint64_t{k.lock_kind}, uint64_t{k.lock_op}}) {
      mix(v);
    }
    return h;
  }
};

std::string_view FamilyOf(TraceEvent::Type type, std::string_view call,
                          std::string_view point) {
  if (type == TraceEvent::Type::kExit) return "exit";
  if (point.substr(0, 3) != "lh/") return call;
  point.remove_prefix(3);
  const size_t slash = point.find('/');
  return slash == std::string_view::npos ? call : point.substr(0, slash);
}

}  // namespace

struct Trace::Index {
  // Keys view the strings in Tables::strings.
  std::unordered_map<std::string_view, uint32_t> strings;
  std::unordered_map<ShapeKey, uint32_t, ShapeKeyHash> shapes;
};

TraceEvent TraceEventRef::ToEvent() const {
  TraceEvent e;
  e.type = type();
  e.pid = pid();
  e.mono_ns = mono_ns();
  e.ppid = ppid();
  e.registry = registry();
  e.faults = faults();
  e.call = call();
  e.point = point();
  e.path_class = path_class();
  e.path = path();
  e.from = from();
  e.from_class = from_class();
  e.fd = fd();
  e.new_fd = new_fd();
  e.result = result();
  e.error = error();
  e.injected = injected();
  e.action = action();
  e.truncated = truncated();
  e.open_flags = open_flags();
  e.lock_kind = lock_kind();
  e.lock_op = lock_op();
  e.lock_wait = lock_wait();
  e.lock_start = lock_start();
  e.lock_len = lock_len();
  e.lock_whence = lock_whence();
  return e;
}

Trace::Trace()
    : tables_(std::make_unique<Tables>()), index_(std::make_unique<Index>()) {
  Intern("");  // id 0: the empty string, for absent fields
}

Trace::Trace(const std::vector<TraceEvent>& events) : Trace() {
  for (const TraceEvent& e : events) Append(e);
}

Trace::Trace(Trace&&) noexcept = default;
Trace& Trace::operator=(Trace&&) noexcept = default;
Trace::~Trace() = default;

uint32_t Trace::Intern(std::string_view text) {
  auto it = index_->strings.find(text);
  if (it != index_->strings.end()) return it->second;
  const auto id = static_cast<uint32_t>(tables_->strings.size());
  const std::string& kept = tables_->strings.emplace_back(text);
  index_->strings.emplace(kept, id);
  string_bytes_ += kept.size();
  return id;
}

uint32_t Trace::InternShape(const TraceEvent& e) {
  const ShapeKey key{e.type,
                     e.injected,
                     e.truncated,
                     e.lock_wait,
                     e.faults,
                     e.lock_whence,
                     e.new_fd,
                     e.lock_start,
                     e.lock_len,
                     Intern(e.registry),
                     Intern(e.call),
                     Intern(e.point),
                     Intern(e.path_class),
                     Intern(e.from_class),
                     Intern(e.error),
                     Intern(e.action),
                     Intern(e.open_flags),
                     Intern(e.lock_kind),
                     Intern(e.lock_op)};
  auto [it, added] = index_->shapes.try_emplace(
      key, static_cast<uint32_t>(tables_->shapes.size()));
  if (!added) return it->second;
  const std::deque<std::string>& s = tables_->strings;
  Shape shape;
  shape.type = e.type;
  shape.injected = e.injected;
  shape.truncated = e.truncated;
  shape.lock_wait = e.lock_wait;
  shape.exclusive_create = e.ExclusiveCreate();
  shape.faults = e.faults;
  shape.lock_whence = e.lock_whence;
  shape.new_fd = e.new_fd;
  shape.lock_start = e.lock_start;
  shape.lock_len = e.lock_len;
  shape.registry = &s[key.registry];
  shape.call = &s[key.call];
  shape.point = &s[key.point];
  shape.path_class = &s[key.path_class];
  shape.from_class = &s[key.from_class];
  shape.error = &s[key.error];
  shape.action = &s[key.action];
  shape.open_flags = &s[key.open_flags];
  shape.lock_kind = &s[key.lock_kind];
  shape.lock_op = &s[key.lock_op];
  shape.family = FamilyOf(e.type, *shape.call, *shape.point);
  tables_->shapes.push_back(shape);
  return it->second;
}

void Trace::Append(const TraceEvent& event) {
  if (size_ % kBlockEvents == 0) {
    blocks_.push_back(std::make_unique<Record[]>(kBlockEvents));
  }
  Record& r = blocks_.back()[size_ % kBlockEvents];
  r.mono_ns = event.mono_ns;
  r.result = event.result;
  r.pid = event.pid;
  r.ppid = event.ppid;
  r.fd = event.fd;
  r.shape = InternShape(event);
  r.path = Intern(event.path);
  r.from = Intern(event.from);
  ++size_;
}

}  // namespace lockharness::interposer
