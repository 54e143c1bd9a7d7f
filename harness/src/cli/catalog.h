// catalog.h: the adapter catalog (harness/adapters/catalog.json) as
// `lockharness conformance` reads it: {"adapters": [{"name", "per_op",
// optional "worker" and "description"}...]}. Templates name files as in a
// checkout; they resolve for this harness, in a checkout or an installed
// tree (install/data_locations.h).
//
// Input bound: at most kMaxCatalogBytes and JSON nesting depth
// kMaxCatalogDepth; larger or deeper input is rejected with an error that
// says so, before it is parsed.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_CATALOG_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_CATALOG_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::harness::cli {

inline constexpr size_t kMaxCatalogBytes = 1u << 20;
inline constexpr int kMaxCatalogDepth = 16;

struct Adapter {
  std::string name;
  std::string description;
  std::string per_op;
  std::string worker;  // empty: no worker mode
};

// Parses catalog bytes. On failure returns nullopt and sets *error to
// "<name_for_errors>: <why>".
// REQUIRES: error != nullptr.
std::optional<std::vector<Adapter>> ParseCatalog(std::string_view bytes,
                                                 const std::string& name_for_errors,
                                                 std::string* error);

// Reads and parses the catalog file at `path`.
// REQUIRES: error != nullptr.
std::optional<std::vector<Adapter>> LoadCatalog(const std::filesystem::path& path,
                                                std::string* error);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_CATALOG_H_
