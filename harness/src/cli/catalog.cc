// The adapter catalog (see catalog.h).

#include "src/cli/catalog.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/json_bounds.h"

namespace lockharness::harness::cli {
namespace {

// Templates name files as in a checkout ("build/protocol/lockreg",
// "harness/adapters/..."): resolved for this harness, checkout or installed.
std::string Relocate(const std::string& command) {
  return install::ResolveDataTemplate(install::ThisHarnessData(), command);
}

}  // namespace

std::optional<std::vector<Adapter>> ParseCatalog(std::string_view bytes, const std::string& name,
                                                 std::string* error) {
  if (auto too_big = CheckJsonBounds(bytes, kMaxCatalogBytes, kMaxCatalogDepth)) {
    *error = name + ": " + *too_big;
    return std::nullopt;
  }
  const nlohmann::json catalog = nlohmann::json::parse(bytes, nullptr, false);
  if (catalog.is_discarded() || !catalog.is_object()) {
    *error = name + ": not a JSON object";
    return std::nullopt;
  }
  auto list = catalog.find("adapters");
  if (list == catalog.end() || !list->is_array()) {
    *error = name + ": no \"adapters\" array";
    return std::nullopt;
  }
  std::vector<Adapter> adapters;
  for (const nlohmann::json& entry : *list) {
    Adapter a;
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
        !entry.contains("per_op") || !entry["per_op"].is_string()) {
      *error = name + ": every adapter needs string \"name\" and \"per_op\"";
      return std::nullopt;
    }
    a.name = entry["name"];
    a.per_op = Relocate(entry["per_op"]);
    if (entry.contains("worker") && entry["worker"].is_string()) {
      a.worker = Relocate(entry["worker"]);
    }
    if (entry.contains("description") && entry["description"].is_string()) {
      a.description = entry["description"];
    }
    adapters.push_back(std::move(a));
  }
  return adapters;
}

std::optional<std::vector<Adapter>> LoadCatalog(const std::filesystem::path& path,
                                                std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path.string();
    return std::nullopt;
  }
  // One byte past the bound is enough to reject an oversized file.
  std::string bytes(kMaxCatalogBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return ParseCatalog(bytes, path.string(), error);
}

}  // namespace lockharness::harness::cli
