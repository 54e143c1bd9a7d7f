// final_registry.h: the registry file's schema (registry_schema.cc), and
// the file left at the end of a run, parsed once and shared by the checkers
// that read it (lost-update, json-validity).
//
//   FinalRegistry final = ParseFinalRegistry(run);
//   if (final.document) { ... *final.document is the parsed JSON ... }

#ifndef LOCKHARNESS_HARNESS_CHECKERS_FINAL_REGISTRY_H_
#define LOCKHARNESS_HARNESS_CHECKERS_FINAL_REGISTRY_H_

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lockharness/harness/checkers/run_artifacts.h"

namespace lockharness::harness {

// Checks that `bytes` is a registry document (docs/checkers.md, "Registry
// schema"): parses as JSON, `sandboxes` entries are objects whose `name`
// equals their key, known fields have their types, and `defaultSandbox` is
// null or names an entry. Returns nullopt if it is, else a one-line reason
// naming the offending path, e.g. "sandboxes.w1-3.gpuEnabled: expected a
// boolean". The runner calls this on every reader sample.
std::optional<std::string> ValidateRegistryDocument(std::string_view bytes);

struct FinalRegistry {
  bool present = false;                    // the file existed
  std::optional<nlohmann::json> document;  // set if present and JSON
  std::string parse_error;                 // set if present and not JSON
};

FinalRegistry ParseFinalRegistry(const RunArtifacts& run);

// The schema half of ValidateRegistryDocument(), on parsed JSON: nullopt if
// `document` is a registry, else the reason naming the offending path.
std::optional<std::string> ValidateRegistryJson(const nlohmann::json& document);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_FINAL_REGISTRY_H_
