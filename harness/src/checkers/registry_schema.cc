// registry_schema.cc: ValidateRegistryDocument(), the registry file schema.
//
// Deliberately permissive about extra fields (implementations may store
// more) and strict about the ones every tool reads, because a reader that
// sees a wrong type fails just like one that sees torn JSON.

#include <string>

#include <nlohmann/json.hpp>

#include "lockharness/harness/checkers/final_registry.h"
#include "lockharness/harness/json_bounds.h"

namespace lockharness::harness {
namespace {

using nlohmann::json;

std::optional<std::string> ValidateEntry(const std::string& key, const json& entry) {
  const std::string path = "sandboxes." + key;
  if (!entry.is_object()) return path + ": expected an object";
  auto name = entry.find("name");
  if (name == entry.end() || !name->is_string()) {
    return path + ".name: expected a string";
  }
  if (name->get_ref<const std::string&>() != key) {
    return path + ".name: is '" + name->get<std::string>() + "', expected the key '" + key + "'";
  }
  if (auto it = entry.find("createdAt"); it != entry.end() && !it->is_string()) {
    return path + ".createdAt: expected a string";
  }
  for (const char* field : {"model", "nimContainer", "provider"}) {
    auto it = entry.find(field);
    if (it != entry.end() && !it->is_string() && !it->is_null()) {
      return path + "." + field + ": expected a string or null";
    }
  }
  if (auto it = entry.find("gpuEnabled"); it != entry.end() && !it->is_boolean()) {
    return path + ".gpuEnabled: expected a boolean";
  }
  if (auto it = entry.find("policies"); it != entry.end()) {
    if (!it->is_array()) return path + ".policies: expected an array";
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) {
        return path + ".policies[" + std::to_string(i) + "]: expected a string";
      }
    }
  }
  return std::nullopt;
}

// A registry nests 3 levels; deeper input is rejected before parsing.
constexpr int kMaxRegistryDepth = 64;

}  // namespace

// nlohmann's parse error text includes its own position prefix; keep the
// byte offset and the description.
std::string DescribeParseError(const nlohmann::json::parse_error& e, std::string_view bytes) {
  return "not JSON: parse error at byte " + std::to_string(e.byte) +
         (bytes.empty() ? " (empty file)" : "");
}

// A json::exception other than a parse error (out_of_range 406: a number
// beyond a double's range).
std::string DescribeOtherJsonError(const nlohmann::json::exception& e) {
  return std::string("not JSON: ") + (e.id == 406 ? "a number out of range" : e.what());
}

std::optional<std::string> ValidateRegistryDocument(std::string_view bytes) {
  // Input bound: depth only (the size is what the implementation wrote).
  if (auto why = CheckJsonBounds(bytes, bytes.size(), kMaxRegistryDepth)) {
    return "not a registry: " + *why;
  }
  json document;
  try {
    document = json::parse(bytes.begin(), bytes.end());
  } catch (const json::parse_error& e) {
    return DescribeParseError(e, bytes);
  } catch (const json::exception& e) {
    // Valid JSON syntax that nlohmann cannot hold, e.g. a number beyond a
    // double's range ("1e400"): an implementation's bytes must never end
    // the judge.
    return DescribeOtherJsonError(e);
  }
  return ValidateRegistryJson(document);
}

std::optional<std::string> ValidateRegistryJson(const json& document) {
  if (!document.is_object()) return "top level: expected an object";
  static const json kEmpty = json::object();
  const json* sandboxes = &kEmpty;
  if (auto it = document.find("sandboxes"); it != document.end()) {
    if (!it->is_object()) return "sandboxes: expected an object";
    sandboxes = &*it;
  }
  for (const auto& [key, entry] : sandboxes->items()) {
    if (auto error = ValidateEntry(key, entry)) return error;
  }
  if (auto it = document.find("defaultSandbox"); it != document.end() && !it->is_null()) {
    if (!it->is_string()) return "defaultSandbox: expected a string or null";
    const std::string& name = it->get_ref<const std::string&>();
    if (!sandboxes->contains(name)) {
      return "defaultSandbox: names '" + name + "', which is not an entry";
    }
  }
  return std::nullopt;
}

FinalRegistry ParseFinalRegistry(const RunArtifacts& run) {
  FinalRegistry final;
  if (!run.final_registry) return final;
  final.present = true;
  const std::string& bytes = *run.final_registry;
  try {
    final.document = json::parse(bytes);
  } catch (const json::parse_error& e) {
    final.parse_error = DescribeParseError(e, bytes);
  } catch (const json::exception& e) {
    final.parse_error = DescribeOtherJsonError(e);
  }
  return final;
}

}  // namespace lockharness::harness
