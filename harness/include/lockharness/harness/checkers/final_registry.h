// final_registry.h: the registry file left at the end of a run, parsed once
// and shared by the checkers that read it (lost-update, json-validity).
//
//   FinalRegistry final = ParseFinalRegistry(run);
//   if (final.document) { ... *final.document is the parsed JSON ... }

#ifndef LOCKHARNESS_HARNESS_CHECKERS_FINAL_REGISTRY_H_
#define LOCKHARNESS_HARNESS_CHECKERS_FINAL_REGISTRY_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"

namespace lockharness::harness {

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
