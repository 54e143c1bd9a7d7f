// The adapter catalog (see catalog.h).

#include "src/cli/catalog.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/json_bounds.h"
#include "lockharness/harness/runner/lock_convention.h"

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
    if (auto it = entry.find("lock_convention"); it != entry.end()) {
      if (!it->is_string() || !runner::ParseLockConvention(it->get<std::string>())) {
        *error = name + ": adapter '" + a.name + "': \"lock_convention\" must be one of " +
                 runner::LockConventionNames() + ", got " + it->dump();
        return std::nullopt;
      }
      a.lock_convention = it->get<std::string>();
    }
    if (auto it = entry.find("placement_init"); it != entry.end()) {
      if (!it->is_boolean()) {
        *error = name + ": adapter '" + a.name +
                 "': \"placement_init\" must be true or false, got " + it->dump();
        return std::nullopt;
      }
      a.placement_init = it->get<bool>();
    }
    adapters.push_back(std::move(a));
  }
  return adapters;
}

const Adapter* FindCatalogAdapter(const std::vector<Adapter>& adapters, const std::string& impl) {
  // Resolved like the entries, so "build/protocol/lockreg --file {registry}"
  // matches in a checkout and in an installed tree.
  const std::string resolved = Relocate(impl);
  for (const Adapter& a : adapters) {
    if (a.per_op == resolved || (!a.worker.empty() && a.worker == resolved)) return &a;
  }
  return nullptr;
}

std::optional<Adapter> CatalogAdapterFor(const std::string& impl, std::string* error) {
  const auto adapters = LoadCatalog(install::ThisHarnessData().adapters / "catalog.json", error);
  if (!adapters) return std::nullopt;
  const Adapter* a = FindCatalogAdapter(*adapters, impl);
  if (a == nullptr) return std::nullopt;
  return *a;
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
