// test_history.h: builds hand-made histories for the checker tests.
//
//   TestHistory h;
//   int64_t reg = h.Register("a", {{"model", "m0"}}, 10, 20);
//   h.Update("a", {{"model", "x"}}, 30, 40, EventType::kInfo);
//   RunArtifacts run = h.Run(R"({"sandboxes":{...}})");
//
// Times are nanoseconds since run start. Events are emitted in time order
// (invokes before completions at equal times), like a real recorder.

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_TEST_HISTORY_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_TEST_HISTORY_H_

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "lockharness/harness/check.h"

namespace lockharness::harness::testing_util {

inline constexpr int64_t kPending = -1;  // `end` for an op never completed

class TestHistory {
 public:
  // Adds an operation; returns its id. pid 0 means "1000 + id".
  int64_t Op(OpKind kind, const std::string& name, Fields fields, int64_t start, int64_t end,
             EventType outcome = EventType::kOk, int pid = 0, std::string error = "") {
    int64_t id = next_id_++;
    Event invoke;
    invoke.type = EventType::kInvoke;
    invoke.id = id;
    invoke.process = static_cast<int>(id % 8);
    invoke.writer = static_cast<int>(id % 8);
    invoke.pid = pid != 0 ? pid : static_cast<int>(1000 + id);
    invoke.t = start;
    invoke.op = kind;
    invoke.name = name;
    invoke.fields = std::move(fields);
    Add(invoke, 0);
    if (end != kPending) {
      Event done = invoke;
      done.type = outcome;
      done.t = end;
      done.fields.clear();
      done.error = std::move(error);
      Add(done, 1);
    }
    return id;
  }
  int64_t Register(const std::string& name, Fields fields, int64_t start, int64_t end,
                   EventType outcome = EventType::kOk) {
    return Op(OpKind::kRegister, name, std::move(fields), start, end, outcome);
  }
  int64_t Update(const std::string& name, Fields fields, int64_t start, int64_t end,
                 EventType outcome = EventType::kOk) {
    return Op(OpKind::kUpdate, name, std::move(fields), start, end, outcome);
  }
  int64_t Remove(const std::string& name, int64_t start, int64_t end,
                 EventType outcome = EventType::kOk) {
    return Op(OpKind::kRemove, name, {}, start, end, outcome);
  }
  int64_t SetDefault(const std::string& name, int64_t start, int64_t end,
                     EventType outcome = EventType::kOk) {
    return Op(OpKind::kSetDefault, name, {}, start, end, outcome);
  }
  // Sets lock span fields on the completion of operation `id`.
  void LockSpan(int64_t id, int64_t acquired, int64_t released) {
    for (Entry& e : entries_) {
      if (e.event.id == id && e.event.type != EventType::kInvoke) {
        e.event.lock_acquired = acquired;
        e.event.lock_released = released;
      }
    }
  }
  // `fault`: what was done; `configured_kind`: the nemesis or setup kind
  // that did it (Event::kind).
  void Fault(int pid, int64_t t, std::string fault = "sigkill", std::string target = "lock holder",
             std::string configured_kind = "") {
    Event e;
    e.type = EventType::kFault;
    e.pid = pid;
    e.t = t;
    e.fault = std::move(fault);
    e.kind = std::move(configured_kind);
    e.target = std::move(target);
    Add(e, 1);
  }
  void Read(int64_t t, bool valid, std::string error = "") {
    Event e;
    e.type = EventType::kRead;
    e.process = 70;
    e.pid = 7000;
    e.t = t;
    e.valid = valid;
    e.error = std::move(error);
    Add(e, 1);
  }
  void AddRaw(Event e) { Add(std::move(e), 1); }

  std::vector<Event> Events() const {
    std::vector<Entry> sorted = entries_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
      if (a.event.t != b.event.t) return a.event.t < b.event.t;
      return a.rank < b.rank;
    });
    std::vector<Event> events;
    for (Entry& e : sorted) events.push_back(std::move(e.event));
    return events;
  }

  RunArtifacts Run(std::optional<std::string> final_registry,
                   std::vector<std::string> leftovers = {}) const {
    RunArtifacts run;
    run.history = Events();
    run.final_registry = std::move(final_registry);
    run.directory_entries = std::move(leftovers);
    run.limits.op_timeout_ns = 1000;
    run.limits.takeover_bound_ns = 500;
    run.limits.timeout_slack_ns = 100;
    return run;
  }

 private:
  struct Entry {
    Event event;
    int rank;
  };
  void Add(Event e, int rank) { entries_.push_back({std::move(e), rank}); }

  std::vector<Entry> entries_;
  int64_t next_id_ = 1;
};

}  // namespace lockharness::harness::testing_util

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_TEST_HISTORY_H_
