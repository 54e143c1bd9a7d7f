// operations.cc: pairing invoke and completion events by operation id.

#include "lockharness/harness/checkers/operations.h"

#include <cstdio>
#include <unordered_map>

namespace lockharness::harness {
namespace {

constexpr size_t kNoOperation = static_cast<size_t>(-1);

// Maps operation ids to indexes in OperationIndex::operations. Harness ids
// are small dense integers, so a vector serves them; others use a hash map.
class IdTable {
 public:
  explicit IdTable(size_t dense_limit) : dense_(dense_limit, kNoOperation) {}

  size_t* Slot(int64_t id) {
    if (id >= 0 && static_cast<uint64_t>(id) < dense_.size()) {
      return &dense_[static_cast<size_t>(id)];
    }
    auto [it, inserted] = sparse_.try_emplace(id, kNoOperation);
    return &it->second;
  }
  size_t Find(int64_t id) const {
    if (id >= 0 && static_cast<uint64_t>(id) < dense_.size()) {
      return dense_[static_cast<size_t>(id)];
    }
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kNoOperation : it->second;
  }

 private:
  std::vector<size_t> dense_;
  std::unordered_map<int64_t, size_t> sparse_;
};

Outcome OutcomeOf(EventType type) {
  switch (type) {
    case EventType::kOk: return Outcome::kOk;
    case EventType::kFail: return Outcome::kFail;
    default: return Outcome::kInfo;
  }
}

std::string FieldsText(const Fields& fields) {
  std::string text = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text += ", ";
    text += fields[i].first + "=" + fields[i].second;
  }
  return text + "}";
}

}  // namespace

int Operation::pid() const {
  if (completion != nullptr && completion->pid != 0) return completion->pid;
  return invoke->pid;
}

OperationIndex IndexOperations(const std::vector<Event>& history) {
  OperationIndex index;
  index.operations.reserve(history.size() / 2 + 1);
  IdTable ids(history.size() + 1);
  for (const Event& event : history) {
    switch (event.type) {
      case EventType::kRead:
      case EventType::kFault: break;
      case EventType::kInvoke: {
        size_t* slot = ids.Slot(event.id);
        if (*slot != kNoOperation) {
          index.problems.push_back("operation id " + std::to_string(event.id) +
                                   " is invoked twice");
          break;
        }
        *slot = index.operations.size();
        Operation op;
        op.id = event.id;
        op.kind = event.op.value_or(OpKind::kGet);
        op.invoke = &event;
        op.invoked_at = event.t;
        index.operations.push_back(op);
        break;
      }
      case EventType::kOk:
      case EventType::kFail:
      case EventType::kInfo: {
        size_t at = ids.Find(event.id);
        if (at == kNoOperation) {
          index.problems.push_back("a " + std::string(EventTypeName(event.type)) +
                                   " event for operation id " + std::to_string(event.id) +
                                   " has no invoke before it");
          break;
        }
        Operation& op = index.operations[at];
        if (op.completion != nullptr) {
          index.problems.push_back("operation id " + std::to_string(event.id) + " completes twice");
          break;
        }
        if (event.t < op.invoked_at) {
          index.problems.push_back("operation id " + std::to_string(event.id) +
                                   " completes before it was invoked");
        }
        op.completion = &event;
        op.outcome = OutcomeOf(event.type);
        op.completed_at = event.t;
        break;
      }
    }
  }
  return index;
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kInfo: return "info";
    case Outcome::kPending: return "pending";
  }
  return "?";
}

std::string FormatMillis(int64_t ns) {
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%.3f ms", static_cast<double>(ns) / 1e6);
  return buffer;
}

std::string DescribeOperation(const Operation& op) {
  // Built with append(): GCC 12 at -O3 misreports "literal + temporary"
  // concatenations as overlapping copies (-Wrestrict).
  std::string text = "op ";
  text.append(std::to_string(op.id)).append(" ").append(OpKindName(op.kind));
  if (!op.name().empty()) text.append(" ").append(op.name());
  if (!op.fields().empty()) text.append(" ").append(FieldsText(op.fields()));
  text.append(" by writer ").append(std::to_string(op.invoke->writer));
  text.append(" (pid ").append(std::to_string(op.pid())).append(")");
  text.append(": invoked at ").append(FormatMillis(op.invoked_at)).append(", ");
  if (op.outcome == Outcome::kPending) return text.append("never completed");
  text.append(OutcomeName(op.outcome)).append(" at ");
  text.append(FormatMillis(op.completed_at));
  if (!op.completion->error.empty()) {
    text.append(" (").append(op.completion->error).append(")");
  }
  return text;
}

std::vector<std::string> OperationEventLines(const Operation& op) {
  std::vector<std::string> lines = {"  " + FormatEvent(*op.invoke)};
  if (op.completion != nullptr) lines.push_back("  " + FormatEvent(*op.completion));
  return lines;
}

}  // namespace lockharness::harness
