// lost_update_default.cc: the default-pointer model of the lost-update
// checker (see lost_update_default.h).

#include "lost_update_default.h"

#include <algorithm>
#include <cstdint>

namespace lockharness::harness::lost_update {

std::string DefaultChecker::Check() {
  if (default_ != nullptr && !default_->is_null()) {
    if (!default_->is_string() || !sandboxes_.contains(default_->get<std::string>())) {
      findings_->push_back(
          {nullptr,
           "defaultSandbox is " + ShownDefault() + ", which names no entry of the final file",
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
        max_other_completion = std::max(max_other_completion, last_set_default->completed_at);
      }
      last_set_default = &op;
    } else {
      max_other_completion = std::max(max_other_completion, op.completed_at);
    }
  }
  if (last_set_default != nullptr) {
    if (!IsOk(*last_set_default) || max_other_completion >= last_set_default->invoked_at) {
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
    if (op.kind == OpKind::kRemove && op.MayHaveEffect() && op.name() == last.name() &&
        op.completed_at >= last.invoked_at) {
      return "invariant only (the default's entry may have been removed)";
    }
  }
  if (default_ == nullptr || !default_->is_string() ||
      default_->get<std::string>() != last.name()) {
    findings_->push_back({&last,
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
    if (first_ok == nullptr || first_ok == &op || op.invoked_at <= first_ok->completed_at) {
      return "first register";
    }
    findings_->push_back({first_ok,
                          "the effect of this register on the default is missing: "
                          "defaultSandbox is " +
                              ShownDefault() + ", registered by op " + std::to_string(op.id) +
                              ", which was invoked after this one completed",
                          {&op}});
    return "first register";
  }
  return "first register";  // an entry no register made: reported elsewhere
}

}  // namespace lockharness::harness::lost_update
