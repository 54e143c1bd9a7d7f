// fault_flags.h: nemeses and setup steps written on the command line.
//
//   --nemesis kill-holder:start_ms=200,interval_ms=400,count=5
//   --nemesis pause-holder:duration_ms=1500
//   --setup dead-owner-lock:age_ms=60000
//
// The kind comes first, then optional KEY=VALUE pairs after a colon, with
// the keys and ranges of the scenario files (docs/scenarios.md).

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_FAULT_FLAGS_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_FAULT_FLAGS_H_

#include <optional>
#include <string>
#include <string_view>

#include "lockharness/harness/runner/nemesis.h"

namespace lockharness::harness::cli {

// On failure returns nullopt and sets *error, naming the flag's bad part.
std::optional<runner::NemesisSpec> ParseNemesisFlag(std::string_view text, std::string* error);
std::optional<runner::SetupSpec> ParseSetupFlag(std::string_view text, std::string* error);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_FAULT_FLAGS_H_
