// lost_update.cc: is the final registry reachable from the history?
//
// Model. An operation that may have taken effect (ok, info, pending) is
// given a linearisation point inside its [invoked, completed] interval; any
// choice of points is an order consistent with real time and every such
// order is realisable by points, so "reachable" means "some choice of
// points, and of which info operations took effect, produces the final
// file". Operations on different names commute, so each name is decided on
// its own; for one name the register comes first, ok operations that need
// the entry (update, set-default, get, remove) come after it, and at most
// one remove ends it. A field's final value is written by the last writer of
// that field, which the register is for fields no update touches.

#include "lockharness/harness/checkers/lost_update.h"

#include "lockharness/harness/checkers/name_groups.h"
#include "lockharness/harness/checkers/names.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

namespace lockharness::harness {
namespace {

using nlohmann::json;

constexpr size_t kMaxEvidenceFindings = 10;
// Beyond this many distinct final writers for one entry the joint check
// (which tries every order of them) is skipped and the name is unknown.
constexpr size_t kMaxJointWriters = 7;

struct Finding {
  const Operation* anchor = nullptr;  // the operation whose effect is missing
  std::string message;
  std::vector<const Operation*> related;
};

// What the history says about one sandbox name.
struct NameOps {
  std::vector<const Operation*> registers;         // may have taken effect
  std::vector<const Operation*> failed_registers;
  std::vector<const Operation*> updates;           // may have taken effect
  std::vector<const Operation*> failed_updates;
  std::vector<const Operation*> removes;           // may have taken effect
  std::vector<const Operation*> ok_removes;
  // ok operations that imply the entry existed: update, set-default, get.
  std::vector<const Operation*> must_exist;
};

bool IsOk(const Operation& op) { return op.outcome == Outcome::kOk; }

const std::string* FieldValue(const Operation& op, std::string_view key) {
  for (const auto& [k, v] : op.fields()) {
    if (k == key) return &v;
  }
  return nullptr;
}

// A final field value as the checker compares it: unset (absent or null) or
// text. Strings compare as themselves; other JSON as their serialisation, so
// a register's "gpuEnabled=true" matches a stored boolean true.
struct FinalValue {
  bool unset = true;
  std::string text;
};

FinalValue ReadFinalValue(const json& entry, std::string_view key) {
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return {};
  if (it->is_string()) return {false, it->get<std::string>()};
  return {false, it->dump()};
}

std::string Quote(const std::string& text) { return "'" + text + "'"; }

class NameChecker {
 public:
  NameChecker(const std::string& name, const NameOps& ops, const json* entry,
              std::vector<Finding>* findings, std::vector<std::string>* unknown)
      : name_(name), ops_(ops), entry_(entry), findings_(findings),
        unknown_(unknown) {}

  void Check();

 private:
  void Report(const Operation* anchor, std::string message,
              std::vector<const Operation*> related = {}) {
    findings_->push_back({anchor, std::move(message), std::move(related)});
  }
  void CheckNeverRegistered();
  void CheckOrderAgainstRegister(const Operation& reg);
  void CheckAbsent(const Operation& reg);
  void CheckPresent(const Operation& reg);
  // Chooses the last writer of `key` that explains the final value; returns
  // false (after reporting) if none can.
  bool ChooseLastWriter(const Operation& reg, std::string_view key,
                        const Operation** writer);
  bool CheckWriterCanBeLast(const Operation& reg, std::string_view key,
                            const Operation& writer, const FinalValue& value);
  void CheckWritersJointly(const Operation& reg,
                           const std::vector<std::string_view>& keys,
                           const std::vector<const Operation*>& writers);

  const std::string& name_;
  const NameOps& ops_;
  const json* entry_;  // null if absent from the final file
  std::vector<Finding>* findings_;
  std::vector<std::string>* unknown_;
};

void NameChecker::Check() {
  if (ops_.registers.empty()) {
    CheckNeverRegistered();
    return;
  }
  if (ops_.registers.size() > 1) {
    unknown_->push_back(name_ + " is registered more than once (ops " +
                        std::to_string(ops_.registers[0]->id) + " and " +
                        std::to_string(ops_.registers[1]->id) +
                        "); this check assumes unique registers");
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
  acknowledged.insert(acknowledged.end(), ops_.ok_removes.begin(),
                      ops_.ok_removes.end());
  if (!acknowledged.empty()) {
    const Operation* first = *std::min_element(
        acknowledged.begin(), acknowledged.end(),
        [](const Operation* a, const Operation* b) {
          return a->invoked_at < b->invoked_at;
        });
    Report(first, "operation on " + name_ +
                      " was acknowledged, but no register of it can have "
                      "taken effect",
           ops_.failed_registers);
    return;
  }
  if (entry_ != nullptr) {
    const Operation* anchor =
        ops_.failed_registers.empty() ? nullptr : ops_.failed_registers[0];
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
  if (value.unset ? reg_value == nullptr
                  : (reg_value != nullptr && *reg_value == value.text)) {
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
                                    : "a value no operation on " + name_ +
                                          " wrote"));
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

bool NameChecker::CheckWriterCanBeLast(const Operation& reg,
                                       std::string_view key,
                                       const Operation& writer,
                                       const FinalValue& value) {
  std::string shown = value.unset ? "unset" : Quote(value.text);
  if (&writer != &reg && writer.completed_at < reg.invoked_at) {
    Report(&writer, name_ + "." + std::string(key) + " is " + shown +
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
         "the effect of this update is missing: " + name_ + "." + std::string(key) +
             " is " + shown + ", last written by op " +
             std::to_string(writer.id) +
             (&writer == &reg ? " (the register), which must precede it"
                              : ", which completed before it was invoked"),
         {&writer});
  return false;
}

// Each field's last writer is fine on its own; check that one order makes
// all of them last at once (an update may write several fields).
void NameChecker::CheckWritersJointly(
    const Operation& reg, const std::vector<std::string_view>& keys,
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
        Report(w, "the effect of this update on " + name_ + "." + std::string(keys[i]) +
                      " is missing although its other fields survived",
               {&reg});
        return;
      }
    }
  }
  if (distinct.size() < 2) return;
  if (distinct.size() > kMaxJointWriters) {
    unknown_->push_back(name_ + ": too many distinct last writers to check "
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
    writer_index[i] = static_cast<size_t>(
        std::find(distinct.begin(), distinct.end(), writers[i]) -
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
  Report(distinct[0], "the fields of " + name_ +
                          " come from operations that cannot all be the last "
                          "writers of their fields in one order",
         related);
}

// The default pointer, beyond its invariant, is decided only where the
// history pins it down.
class DefaultChecker {
 public:
  DefaultChecker(const OperationIndex& index, const json& sandboxes,
                 const json* default_value, std::vector<Finding>* findings)
      : index_(index), sandboxes_(sandboxes), default_(default_value),
        findings_(findings) {}

  std::string Check();  // returns how the default was checked

 private:
  std::string ShownDefault() const {
    return default_ == nullptr || default_->is_null() ? "null"
                                                      : Quote(default_->dump());
  }
  std::string CheckLastSetDefault(const Operation& last);
  std::string CheckFirstRegister();

  const OperationIndex& index_;
  const json& sandboxes_;
  const json* default_;
  std::vector<Finding>* findings_;
};

std::string DefaultChecker::Check() {
  if (default_ != nullptr && !default_->is_null()) {
    if (!default_->is_string() ||
        !sandboxes_.contains(default_->get<std::string>())) {
      findings_->push_back({nullptr,
                            "defaultSandbox is " + ShownDefault() +
                                ", which names no entry of the final file",
                            {}});
      return "invariant";
    }
  }
  const Operation* last_set_default = nullptr;
  int64_t max_other_completion = INT64_MIN;
  bool any_remove = false;
  for (const Operation& op : index_.operations) {
    if (!op.MayHaveEffect()) continue;
    if (op.kind == OpKind::kRemove) any_remove = true;
    if (op.kind != OpKind::kSetDefault) continue;
    if (last_set_default == nullptr || op.invoked_at > last_set_default->invoked_at) {
      if (last_set_default != nullptr) {
        max_other_completion =
            std::max(max_other_completion, last_set_default->completed_at);
      }
      last_set_default = &op;
    } else {
      max_other_completion = std::max(max_other_completion, op.completed_at);
    }
  }
  if (last_set_default != nullptr) {
    if (!IsOk(*last_set_default) ||
        max_other_completion >= last_set_default->invoked_at) {
      return "invariant only (the last set-default is concurrent or in doubt)";
    }
    return CheckLastSetDefault(*last_set_default);
  }
  if (any_remove) return "invariant only (removes may have moved the default)";
  return CheckFirstRegister();
}

// The last set-default is ok and every other set-default finished before
// it started: unless its target was removed later (or concurrently), the
// default must still be that target.
std::string DefaultChecker::CheckLastSetDefault(const Operation& last) {
  for (const Operation& op : index_.operations) {
    if (op.kind == OpKind::kRemove && op.MayHaveEffect() &&
        op.name() == last.name() && op.completed_at >= last.invoked_at) {
      return "invariant only (the default's entry may have been removed)";
    }
  }
  if (default_ == nullptr || !default_->is_string() ||
      default_->get<std::string>() != last.name()) {
    findings_->push_back(
        {&last,
         "the effect of this set-default is missing: defaultSandbox is " +
             ShownDefault() +
             ", but no later or concurrent operation could have changed it",
         {}});
  }
  return "last set-default";
}

// No set-default and no remove: the default is the name of whichever
// register took effect first.
std::string DefaultChecker::CheckFirstRegister() {
  const Operation* first_ok = nullptr;  // ok register completed earliest
  for (const Operation& op : index_.operations) {
    if (op.kind == OpKind::kRegister && IsOk(op) &&
        (first_ok == nullptr || op.completed_at < first_ok->completed_at)) {
      first_ok = &op;
    }
  }
  bool is_null = default_ == nullptr || default_->is_null();
  if (is_null) {
    if (first_ok != nullptr) {
      findings_->push_back({first_ok,
                            "defaultSandbox is null, but this register was "
                            "acknowledged and nothing could clear the default",
                            {}});
    }
    return "first register";
  }
  const std::string& name = default_->get_ref<const std::string&>();
  for (const Operation& op : index_.operations) {
    if (op.kind != OpKind::kRegister || !op.MayHaveEffect() || op.name() != name) {
      continue;
    }
    if (first_ok == nullptr || first_ok == &op ||
        op.invoked_at <= first_ok->completed_at) {
      return "first register";
    }
    findings_->push_back(
        {first_ok,
         "the effect of this register on the default is missing: "
         "defaultSandbox is " + ShownDefault() +
             ", registered by op " + std::to_string(op.id) +
             ", which was invoked after this one completed",
         {&op}});
    return "first register";
  }
  return "first register";  // an entry no register made: reported elsewhere
}

void AddFindingEvidence(const Finding& finding, std::vector<std::string>* out) {
  out->push_back(finding.message);
  if (finding.anchor != nullptr) {
    out->push_back("  " + DescribeOperation(*finding.anchor));
    for (std::string& line : OperationEventLines(*finding.anchor)) {
      out->push_back("  " + line);
    }
  }
  for (const Operation* op : finding.related) {
    if (op != finding.anchor) out->push_back("  related: " + DescribeOperation(*op));
  }
}

// Operations that matter per name: all but lists and non-ok gets.
bool Relevant(const Operation& op) {
  return op.kind != OpKind::kList && (op.kind != OpKind::kGet || IsOk(op));
}

// Sorts one name's operations into *ops (cleared first, capacity reused).
void Classify(const Operation* const* first, const Operation* const* last,
              NameOps* ops) {
  for (auto* v : {&ops->registers, &ops->failed_registers, &ops->updates,
                  &ops->failed_updates, &ops->removes, &ops->ok_removes,
                  &ops->must_exist}) {
    v->clear();
  }
  for (; first != last; ++first) {
    const Operation* op = *first;
    bool may = op->MayHaveEffect();
    switch (op->kind) {
      case OpKind::kRegister:
        (may ? ops->registers : ops->failed_registers).push_back(op);
        break;
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
      case OpKind::kList:
        break;
    }
  }
}

}  // namespace

CheckerReport CheckLostUpdate(const RunArtifacts& run,
                              const OperationIndex& index) {
  return CheckLostUpdate(run, index, ParseFinalRegistry(run));
}

CheckerReport CheckLostUpdate(const RunArtifacts& run,
                              const OperationIndex& index,
                              const FinalRegistry& final) {
  (void)run;
  CheckerReport report;
  report.checker = kLostUpdateChecker;
  if (final.present && !final.document) {
    report.verdict = Verdict::kUnknown;
    report.summary = "the final registry is not JSON (see json-validity)";
    return report;
  }
  static const json kEmptyDocument = json::object();
  const json& document = final.document ? *final.document : kEmptyDocument;
  const json* sandboxes = &kEmptyDocument;
  if (document.is_object() && document.contains("sandboxes")) {
    sandboxes = &document["sandboxes"];
  }
  bool shaped = document.is_object() && sandboxes->is_object();
  for (auto it = sandboxes->begin(); shaped && it != sandboxes->end(); ++it) {
    shaped = it->is_object();
  }
  if (!shaped) {
    report.verdict = Verdict::kUnknown;
    report.summary =
        "the final registry does not have the registry's shape (see "
        "json-validity)";
    return report;
  }

  int64_t ok_count = 0;
  int64_t in_doubt = 0;
  for (const Operation& op : index.operations) {
    if (!IsMutating(op.kind) || !op.MayHaveEffect()) continue;
    ++(IsOk(op) ? ok_count : in_doubt);
  }
  NameGroups groups = GroupByName(index, Relevant);

  std::vector<Finding> findings;
  std::vector<std::string> unknown;
  // Attach final entries to names in one pass over the final file.
  std::vector<const json*> entry_of(groups.names.size(), nullptr);
  for (auto it = sandboxes->begin(); it != sandboxes->end(); ++it) {
    if (std::optional<uint32_t> found = groups.Find(it.key())) {
      entry_of[*found] = &*it;
      continue;
    }
    findings.push_back({nullptr,
                        "entry " + it.key() +
                            " is in the final file, but no operation ever "
                            "named it",
                        {}});
  }
  // Names are independent: check the first of them, holding about half of
  // the operations (names differ a lot: one shared entry may have a quarter
  // of them), on a second thread. Results are concatenated in name order,
  // as if checked in one.
  struct Results {
    std::vector<Finding> findings;
    std::vector<std::string> unknown;
  };
  auto check_names = [&](size_t from, size_t to, Results* out) {
    NameOps ops;
    std::string name;
    for (size_t g = from; g < to; ++g) {
      Classify(groups.ops.data() + groups.begin[g],
               groups.ops.data() + groups.begin[g + 1], &ops);
      name.assign(groups.names[g]);
      NameChecker(name, ops, entry_of[g], &out->findings, &out->unknown).Check();
    }
  };
  const size_t half = static_cast<size_t>(
      std::lower_bound(groups.begin.begin(), groups.begin.end() - 1, groups.ops.size() / 2) -
      groups.begin.begin());
  Results first;
  Results second;
  std::optional<std::thread> helper;
  try {
    helper.emplace(check_names, 0, half, &first);
  } catch (const std::system_error&) {
    check_names(0, half, &first);
  }
  check_names(half, groups.names.size(), &second);
  if (helper) helper->join();
  for (Results* part : {&first, &second}) {
    std::move(part->findings.begin(), part->findings.end(),
              std::back_inserter(findings));
    std::move(part->unknown.begin(), part->unknown.end(),
              std::back_inserter(unknown));
  }
  const json* default_value =
      document.contains("defaultSandbox") ? &document["defaultSandbox"] : nullptr;
  std::string default_rule =
      DefaultChecker(index, *sandboxes, default_value, &findings).Check();

  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) {
                     int64_t ta = a.anchor ? a.anchor->invoked_at : INT64_MAX;
                     int64_t tb = b.anchor ? b.anchor->invoked_at : INT64_MAX;
                     return ta < tb;
                   });
  std::sort(unknown.begin(), unknown.end());
  report.details = {{"names", groups.names.size()},
                    {"final_entries", sandboxes->size()},
                    {"acknowledged_mutations", ok_count},
                    {"in_doubt_mutations", in_doubt},
                    {"findings", findings.size()},
                    {"undecided_names", unknown.size()},
                    {"default_check", default_rule}};
  if (!findings.empty()) {
    report.verdict = Verdict::kInvalid;
    const Finding& first = findings.front();
    report.summary = first.message;
    if (first.anchor != nullptr) {
      report.summary += " (op " + std::to_string(first.anchor->id) + ")";
    }
    if (findings.size() > 1) {
      report.summary += "; " + std::to_string(findings.size() - 1) + " more";
    }
    for (size_t i = 0; i < findings.size() && i < kMaxEvidenceFindings; ++i) {
      AddFindingEvidence(findings[i], &report.evidence);
    }
    return report;
  }
  if (!unknown.empty()) {
    report.verdict = Verdict::kUnknown;
    report.summary = unknown.front();
    report.evidence = unknown;
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = "the final registry is reachable: " +
                   std::to_string(groups.names.size()) + " names, " +
                   std::to_string(ok_count) + " acknowledged and " +
                   std::to_string(in_doubt) + " in-doubt mutations";
  return report;
}

}  // namespace lockharness::harness
