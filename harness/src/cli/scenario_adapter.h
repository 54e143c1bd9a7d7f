// scenario_adapter.h: which implementation a scenario runs: the command
// line's (--impl), or the catalog adapter the scenario names (`adapter`).
//
// A scenario that names an adapter states a fact about that library (a
// known bug reproduced, scenarios/known-bugs/): its expectation holds for
// that adapter only, so a command-line implementation is refused rather
// than judged against it. Without --impl, a scenario must name an adapter
// that is in the catalog and, for a worker-mode scenario, has a worker
// template. Errors are one line, `<file>:<line>:<column>: <what>` where the
// `adapter` key is, or `<file>: <what>`.
//
// Usage:
//   std::string impl, error;
//   if (!ScenarioImpl(s, options.impl, &catalog, catalog_path, &impl, &error)) ...

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_SCENARIO_ADAPTER_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_SCENARIO_ADAPTER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "lockharness/harness/scenario/scenario.h"
#include "src/cli/catalog.h"

namespace lockharness::harness::cli {

// Sets *impl to the command template `scenario` runs. `catalog` may be
// nullptr when `command_line_impl` is not empty; `catalog_path` is only
// named in messages.
// REQUIRES: impl != nullptr, error != nullptr.
bool ScenarioImpl(const scenario::Scenario& scenario, const std::string& command_line_impl,
                  const std::vector<Adapter>* catalog, const std::filesystem::path& catalog_path,
                  std::string* impl, std::string* error);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_SCENARIO_ADAPTER_H_
