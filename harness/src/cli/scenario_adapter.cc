// The implementation a scenario runs (see scenario_adapter.h).

#include "src/cli/scenario_adapter.h"

#include <algorithm>

namespace lockharness::harness::cli {
namespace {

// "<file>:<line>:<column>: " at the `adapter` key.
std::string AtAdapterKey(const scenario::Scenario& s) {
  return s.file.string() + ":" + std::to_string(s.adapter_line) + ":" +
         std::to_string(s.adapter_column) + ": ";
}

}  // namespace

bool ScenarioImpl(const scenario::Scenario& scenario, const std::string& command_line_impl,
                  const std::vector<Adapter>* catalog, const std::filesystem::path& catalog_path,
                  std::string* impl, std::string* error) {
  if (!command_line_impl.empty()) {
    if (!scenario.adapter.empty()) {
      *error = AtAdapterKey(scenario) + "the scenario is written for adapter '" + scenario.adapter +
               "' and its expectation holds for that adapter only; run it without --impl";
      return false;
    }
    *impl = command_line_impl;
    return true;
  }
  if (scenario.adapter.empty()) {
    *error = scenario.file.string() +
             ": the scenario names no adapter (key 'adapter'): give the implementation with --impl";
    return false;
  }
  const Adapter* found = nullptr;
  if (catalog != nullptr) {
    auto it = std::find_if(catalog->begin(), catalog->end(),
                           [&](const Adapter& a) { return a.name == scenario.adapter; });
    if (it != catalog->end()) found = &*it;
  }
  if (found == nullptr) {
    *error = AtAdapterKey(scenario) + "adapter '" + scenario.adapter + "' is not in the catalog " +
             catalog_path.string();
    return false;
  }
  if (scenario.run.mode == runner::Mode::kWorker) {
    if (found->worker.empty()) {
      *error = AtAdapterKey(scenario) + "adapter '" + scenario.adapter +
               "' has no worker mode: set [workload] mode = \"per-op\"";
      return false;
    }
    *impl = found->worker;
    return true;
  }
  *impl = found->per_op;
  return true;
}

}  // namespace lockharness::harness::cli
