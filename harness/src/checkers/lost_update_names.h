// lost_update_names.h (private): the name model of the lost-update checker
// (lost_update.h): is one sandbox name's final entry (or its absence)
// reachable from the operations on that name?
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

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_NAMES_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_NAMES_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/checkers/operations.h"
#include "lost_update_model.h"

namespace lockharness::harness::lost_update {

// What the history says about one sandbox name.
struct NameOps {
  std::vector<const Operation*> registers;  // may have taken effect
  std::vector<const Operation*> failed_registers;
  std::vector<const Operation*> updates;  // may have taken effect
  std::vector<const Operation*> failed_updates;
  std::vector<const Operation*> removes;  // may have taken effect
  std::vector<const Operation*> ok_removes;
  // ok operations that imply the entry existed: update, set-default, get.
  std::vector<const Operation*> must_exist;
};

// Sorts one name's operations into *ops (cleared first, capacity reused).
void Classify(const Operation* const* first, const Operation* const* last, NameOps* ops);

// A final field value as the checker compares it: unset (absent or null) or
// text. Strings compare as themselves; other JSON as their serialisation, so
// a register's "gpuEnabled=true" matches a stored boolean true.
struct FinalValue {
  bool unset = true;
  std::string text;
};

// Checks one name; appends what it finds to *findings and to *unknown (why
// the name cannot be decided).
class NameChecker {
 public:
  NameChecker(const std::string& name, const NameOps& ops, const nlohmann::json* entry,
              std::vector<Finding>* findings, std::vector<std::string>* unknown)
      : name_(name), ops_(ops), entry_(entry), findings_(findings), unknown_(unknown) {}

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
  bool ChooseLastWriter(const Operation& reg, std::string_view key, const Operation** writer);
  bool CheckWriterCanBeLast(const Operation& reg, std::string_view key, const Operation& writer,
                            const FinalValue& value);
  void CheckWritersJointly(const Operation& reg, const std::vector<std::string_view>& keys,
                           const std::vector<const Operation*>& writers);

  const std::string& name_;
  const NameOps& ops_;
  const nlohmann::json* entry_;  // null if absent from the final file
  std::vector<Finding>* findings_;
  std::vector<std::string>* unknown_;
};

}  // namespace lockharness::harness::lost_update

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_NAMES_H_
