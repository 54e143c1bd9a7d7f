// lost_update_default.h (private): the default-pointer model of the
// lost-update checker (lost_update.h; docs/checkers.md): defaultSandbox
// must name an entry of the final file, and where the history pins it down
// (an undisputed last set-default, or no set-default and no remove at all),
// be the name it pins down.

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_DEFAULT_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_DEFAULT_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/checkers/operations.h"
#include "lost_update_model.h"

namespace lockharness::harness::lost_update {

// The default pointer, beyond its invariant, is decided only where the
// history pins it down.
class DefaultChecker {
 public:
  DefaultChecker(const OperationIndex& index, const nlohmann::json& sandboxes,
                 const nlohmann::json* default_value, std::vector<Finding>* findings)
      : index_(index), sandboxes_(sandboxes), default_(default_value), findings_(findings) {}

  std::string Check();  // returns how the default was checked

 private:
  std::string ShownDefault() const {
    return default_ == nullptr || default_->is_null() ? "null" : Quote(default_->dump());
  }
  std::string CheckLastSetDefault(const Operation& last);
  std::string CheckFirstRegister();

  const OperationIndex& index_;
  const nlohmann::json& sandboxes_;
  const nlohmann::json* default_;
  std::vector<Finding>* findings_;
};

}  // namespace lockharness::harness::lost_update

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_DEFAULT_H_
