// catalog.h: the adapter catalog (harness/adapters/catalog.json) as
// `lockharness conformance`, `suite` and `run` read it: {"adapters":
// [{"name", "per_op", optional "worker", "description", "lock_convention"
// and "placement_init"}...]}. "lock_convention" must be a name of
// runner/lock_convention.h ("mkdir", "flock", ...), "placement_init" a
// boolean; any other value is an error naming the adapter. Templates name files as in a
// checkout; they resolve for this harness, in a checkout or an installed
// tree (install/data_locations.h).
//
// Input bound: at most kMaxCatalogBytes and JSON nesting depth
// kMaxCatalogDepth; larger or deeper input is rejected with an error that
// says so, before it is parsed.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_CATALOG_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_CATALOG_H_

#include <cstddef>
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
  // How it locks (runner/lock_convention.h names); empty: not declared.
  std::string lock_convention;
  // Placed writers need an init as PID 1 (runner::RunOptions::placement_init):
  // the program refuses to run as PID 1 or as its child.
  bool placement_init = false;
};

// The entry for the implementation `impl` (a command template as given to
// --impl): one whose per_op or worker template, resolved, is exactly
// `impl`; nullptr if none.
const Adapter* FindCatalogAdapter(const std::vector<Adapter>& adapters, const std::string& impl);

// This harness's catalog entry for `impl`; nullopt if none matches (with
// *error set, and not empty, when the catalog cannot be read).
// REQUIRES: error != nullptr.
std::optional<Adapter> CatalogAdapterFor(const std::string& impl, std::string* error);

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
