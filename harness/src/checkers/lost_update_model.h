// lost_update_model.h (private): what the name model (lost_update_names.h)
// and the default-pointer model (lost_update_default.h) of the lost-update
// checker share: a finding, an operation's outcome, a quoted value.

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_MODEL_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_MODEL_H_

#include <string>
#include <vector>

#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness::lost_update {

struct Finding {
  const Operation* anchor = nullptr;  // the operation whose effect is missing
  std::string message;
  std::vector<const Operation*> related;
};

inline bool IsOk(const Operation& op) { return op.outcome == Outcome::kOk; }

inline std::string Quote(const std::string& text) { return "'" + text + "'"; }

}  // namespace lockharness::harness::lost_update

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_LOST_UPDATE_MODEL_H_
