// lost_update_names.cc: the name model of the lost-update checker (see
// lost_update_names.h).

#include "lost_update_names.h"

#include <algorithm>
#include <cstdint>

namespace lockharness::harness::lost_update {
namespace {

using nlohmann::json;

// Beyond this many distinct final writers for one entry the joint check
// (which tries every order of them) is skipped and the name is unknown.
constexpr size_t kMaxJointWriters = 7;

const std::string* FieldValue(const Operation& op, std::string_view key) {
  for (const auto& [k, v] : op.fields()) {
    if (k == key) return &v;
  }
  return nullptr;
}

FinalValue ReadFinalValue(const json& entry, std::string_view key) {
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return {};
  if (it->is_string()) return {false, it->get<std::string>()};
  return {false, it->dump()};
}

}  // namespace

void NameChecker::Check() {
  if (ops_.registers.empty()) {
    CheckNeverRegistered();
    return;
  }
  if (ops_.registers.size() > 1) {
    unknown_->push_back(
        name_ + " is registered more than once (ops " + std::to_string(ops_.registers[0]->id) +
        " and " + std::to_string(ops_.registers[1]->id) + "); this check assumes unique registers");
    return;
  }
  const Operation& reg = *ops_.registers[0];
  size_t findings_before = findings_->size();
  CheckOrderAgainstRegister(reg);
  if (ops_.ok_removes.size() > 1) {
    Report(ops_.ok_removes[1],
           "two removes of " + name_ +
               " were acknowledged, but only one can have found the entry "
               "(it is registered once)",
           {ops_.ok_removes[0]});
  }
  if (findings_->size() != findings_before) return;
  if (entry_ == nullptr) {
    CheckAbsent(reg);
  } else {
    CheckPresent(reg);
  }
}

void NameChecker::CheckNeverRegistered() {
  std::vector<const Operation*> acknowledged = ops_.must_exist;
  acknowledged.insert(acknowledged.end(), ops_.ok_removes.begin(), ops_.ok_removes.end());
  if (!acknowledged.empty()) {
    const Operation* first = *std::min_element(
        acknowledged.begin(), acknowledged.end(),
        [](const Operation* a, const Operation* b) { return a->invoked_at < b->invoked_at; });
    Report(first,
           "operation on " + name_ +
               " was acknowledged, but no register of it can have "
               "taken effect",
           ops_.failed_registers);
    return;
  }
  if (entry_ != nullptr) {
    const Operation* anchor = ops_.failed_registers.empty() ? nullptr : ops_.failed_registers[0];
    Report(anchor, "entry " + name_ +
                       " is in the final file, but no register of it can "
                       "have taken effect" +
                       (anchor != nullptr ? " (its register failed)" : ""));
  }
}

// ok operations need the entry, so they cannot all have completed before
// the register was even invoked.
void NameChecker::CheckOrderAgainstRegister(const Operation& reg) {
  auto check = [&](const Operation* op) {
    if (op->completed_at < reg.invoked_at) {
      Report(op,
             std::string(OpKindName(op->kind)) + " of " + name_ +
                 " was acknowledged before its register was invoked",
             {&reg});
    }
  };
  for (const Operation* op : ops_.must_exist) check(op);
  for (const Operation* op : ops_.ok_removes) check(op);
}

// The entry is gone: either the register never took effect, or a remove
// took effect after the register and after every ok operation that needed
// the entry.
void NameChecker::CheckAbsent(const Operation& reg) {
  if (!IsOk(reg) && ops_.must_exist.empty() && ops_.ok_removes.empty()) return;
  const Operation* latest_user = &reg;
  for (const Operation* op : ops_.must_exist) {
    if (op->invoked_at > latest_user->invoked_at) latest_user = op;
  }
  const std::vector<const Operation*>& candidates =
      ops_.ok_removes.empty() ? ops_.removes : ops_.ok_removes;
  for (const Operation* remove : candidates) {
    if (remove->completed_at >= latest_user->invoked_at) return;
  }
  if (ops_.removes.empty()) {
    Report(latest_user,
           "entry " + name_ +
               " is missing from the final file, but it was registered and "
               "no remove of it was attempted",
           {&reg});
    return;
  }
  std::vector<const Operation*> related = ops_.removes;
  related.push_back(&reg);
  Report(latest_user,
         "entry " + name_ +
             " is missing from the final file, but every remove of it "
             "completed before this operation, which needs the entry, was "
             "invoked",
         related);
}

void NameChecker::CheckPresent(const Operation& reg) {
  if (!ops_.ok_removes.empty()) {
    Report(ops_.ok_removes[0],
           "entry " + name_ +
               " is in the final file, but its remove was acknowledged and "
               "it is registered only once",
           {&reg});
    return;
  }
  // Fields to compare: those the register sets and those any update
  // touches (including failed updates, whose values must not appear).
  // Views of the operations' field names, which outlive this check.
  std::vector<std::string_view> keys;
  auto add_keys = [&keys](const Operation& op) {
    for (const auto& field : op.fields()) {
      if (std::find(keys.begin(), keys.end(), field.first) == keys.end()) {
        keys.push_back(field.first);
      }
    }
  };
  add_keys(reg);
  for (const Operation* op : ops_.updates) add_keys(*op);
  for (const Operation* op : ops_.failed_updates) add_keys(*op);

  std::vector<const Operation*> writers(keys.size(), nullptr);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!ChooseLastWriter(reg, keys[i], &writers[i])) return;
  }
  CheckWritersJointly(reg, keys, writers);
}

bool NameChecker::ChooseLastWriter(const Operation& reg, std::string_view key,
                                   const Operation** writer) {
  FinalValue value = ReadFinalValue(*entry_, key);
  const std::string* reg_value = FieldValue(reg, key);
  std::vector<const Operation*> candidates;
  if (value.unset ? reg_value == nullptr : (reg_value != nullptr && *reg_value == value.text)) {
    candidates.push_back(&reg);
  }
  if (!value.unset) {
    for (const Operation* op : ops_.updates) {
      const std::string* v = FieldValue(*op, key);
      if (v != nullptr && *v == value.text) candidates.push_back(op);
    }
  }
  if (candidates.empty()) {
    std::string shown = value.unset ? "unset" : Quote(value.text);
    if (!value.unset) {
      for (const Operation* op : ops_.failed_updates) {
        const std::string* v = FieldValue(*op, key);
        if (v != nullptr && *v == value.text) {
          Report(op, name_ + "." + std::string(key) + " is " + shown +
                         ", a value written only by this failed operation");
          return false;
        }
      }
    }
    // Unset although something set it: every ok writer's effect is lost;
    // name the latest, which nothing after it could have undone.
    const Operation* anchor = IsOk(reg) || reg_value == nullptr ? &reg : nullptr;
    for (const Operation* op : ops_.updates) {
      if (IsOk(*op) && FieldValue(*op, key) != nullptr &&
          (anchor == nullptr || op->invoked_at >= anchor->invoked_at)) {
        anchor = op;
      }
    }
    if (anchor == nullptr) anchor = &reg;
    Report(anchor, name_ + "." + std::string(key) + " is " + shown + " in the final file, " +
                       (value.unset ? "but this operation set it"
                                    : "a value no operation on " + name_ + " wrote"));
    return false;
  }
  size_t findings_before = findings_->size();
  for (const Operation* candidate : candidates) {
    // Report only for the first candidate; any feasible one will do.
    std::vector<Finding> scratch;
    std::vector<Finding>* real = findings_;
    if (candidate != candidates.front()) findings_ = &scratch;
    bool feasible = CheckWriterCanBeLast(reg, key, *candidate, value);
    findings_ = real;
    if (feasible) {
      findings_->resize(findings_before);
      *writer = candidate;
      return true;
    }
  }
  return false;
}

bool NameChecker::CheckWriterCanBeLast(const Operation& reg, std::string_view key,
                                       const Operation& writer, const FinalValue& value) {
  std::string shown = value.unset ? "unset" : Quote(value.text);
  if (&writer != &reg && writer.completed_at < reg.invoked_at) {
    Report(&writer,
           name_ + "." + std::string(key) + " is " + shown +
               ", written by this update, which completed before the "
               "register was invoked and so must have been refused",
           {&reg});
    return false;
  }
  // Every ok writer of the field other than `writer` must be able to go
  // before it; the register always goes first, so if it is the writer no
  // ok update may touch the field at all.
  const Operation* missing = nullptr;
  for (const Operation* op : ops_.updates) {
    if (op == &writer || !IsOk(*op) || FieldValue(*op, key) == nullptr) {
      continue;
    }
    bool must_follow = &writer == &reg || writer.Precedes(*op);
    if (must_follow && (missing == nullptr || op->invoked_at < missing->invoked_at)) {
      missing = op;
    }
  }
  if (missing == nullptr) return true;
  Report(missing,
         "the effect of this update is missing: " + name_ + "." + std::string(key) + " is " +
             shown + ", last written by op " + std::to_string(writer.id) +
             (&writer == &reg ? " (the register), which must precede it"
                              : ", which completed before it was invoked"),
         {&writer});
  return false;
}

// Each field's last writer is fine on its own; check that one order makes
// all of them last at once (an update may write several fields).
void NameChecker::CheckWritersJointly(const Operation& reg,
                                      const std::vector<std::string_view>& keys,
                                      const std::vector<const Operation*>& writers) {
  std::vector<const Operation*> distinct;
  for (const Operation* w : writers) {
    if (w != &reg && std::find(distinct.begin(), distinct.end(), w) == distinct.end()) {
      distinct.push_back(w);
    }
  }
  // A field whose last writer is the register may not be written by any
  // other chosen last writer, which necessarily comes after the register.
  for (size_t i = 0; i < keys.size(); ++i) {
    if (writers[i] != &reg) continue;
    for (const Operation* w : distinct) {
      if (FieldValue(*w, keys[i]) != nullptr) {
        Report(w,
               "the effect of this update on " + name_ + "." + std::string(keys[i]) +
                   " is missing although its other fields survived",
               {&reg});
        return;
      }
    }
  }
  if (distinct.size() < 2) return;
  if (distinct.size() > kMaxJointWriters) {
    unknown_->push_back(name_ +
                        ": too many distinct last writers to check "
                        "jointly");
    return;
  }
  // Earliest point for each chosen writer: after the register and after
  // every ok writer of its fields that is not itself a chosen writer.
  std::vector<int64_t> lower(distinct.size());
  for (size_t d = 0; d < distinct.size(); ++d) {
    lower[d] = std::max(distinct[d]->invoked_at, reg.invoked_at);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (writers[i] != distinct[d]) continue;
      for (const Operation* op : ops_.updates) {
        if (IsOk(*op) && FieldValue(*op, keys[i]) != nullptr &&
            std::find(distinct.begin(), distinct.end(), op) == distinct.end()) {
          lower[d] = std::max(lower[d], op->invoked_at);
        }
      }
    }
  }
  std::vector<size_t> order(distinct.size());
  for (size_t d = 0; d < order.size(); ++d) order[d] = d;
  // For each field, the index in `distinct` of its chosen last writer
  // (npos for the register).
  constexpr size_t npos = static_cast<size_t>(-1);
  std::vector<size_t> writer_index(keys.size(), npos);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (writers[i] == &reg) continue;
    writer_index[i] = static_cast<size_t>(std::find(distinct.begin(), distinct.end(), writers[i]) -
                                          distinct.begin());
  }
  std::vector<size_t> position(distinct.size());
  do {
    for (size_t pos = 0; pos < order.size(); ++pos) position[order[pos]] = pos;
    // In this order no chosen writer may write a field whose chosen last
    // writer comes before it, and points must fit the intervals.
    bool feasible = true;
    int64_t point = INT64_MIN;
    for (size_t pos = 0; feasible && pos < order.size(); ++pos) {
      const Operation* w = distinct[order[pos]];
      for (size_t i = 0; feasible && i < keys.size(); ++i) {
        if (writer_index[i] != npos && position[writer_index[i]] < pos &&
            FieldValue(*w, keys[i]) != nullptr) {
          feasible = false;
        }
      }
      point = std::max(point, lower[order[pos]]);
      if (point > w->completed_at) feasible = false;
    }
    if (feasible) return;
  } while (std::next_permutation(order.begin(), order.end()));
  std::vector<const Operation*> related(distinct.begin() + 1, distinct.end());
  Report(distinct[0],
         "the fields of " + name_ +
             " come from operations that cannot all be the last "
             "writers of their fields in one order",
         related);
}

void Classify(const Operation* const* first, const Operation* const* last, NameOps* ops) {
  for (auto* v : {&ops->registers, &ops->failed_registers, &ops->updates, &ops->failed_updates,
                  &ops->removes, &ops->ok_removes, &ops->must_exist}) {
    v->clear();
  }
  for (; first != last; ++first) {
    const Operation* op = *first;
    bool may = op->MayHaveEffect();
    switch (op->kind) {
      case OpKind::kRegister: (may ? ops->registers : ops->failed_registers).push_back(op); break;
      case OpKind::kUpdate:
        (may ? ops->updates : ops->failed_updates).push_back(op);
        if (IsOk(*op)) ops->must_exist.push_back(op);
        break;
      case OpKind::kRemove:
        if (may) ops->removes.push_back(op);
        if (IsOk(*op)) ops->ok_removes.push_back(op);
        break;
      case OpKind::kSetDefault:
      case OpKind::kGet:
        if (IsOk(*op)) ops->must_exist.push_back(op);
        break;
      case OpKind::kList: break;
    }
  }
}

}  // namespace lockharness::harness::lost_update
