// catalog.h: the adapter catalog (harness/adapters/catalog.json) as
// `lockharness conformance`, `suite` and `run` read it: {"adapters":
// [{"name", "per_op", optional "worker", "description" and
// "lock_convention"}...]}. "lock_convention" must be a name of
// runner/lock_convention.h ("mkdir", "flock", ...); any other value is an
// error naming the adapter. Templates name files as in a
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
};

// The entry for the implementation `impl` (a command template as given to
// --impl): one whose per_op or worker template, resolved, is exactly
// `impl`; nullptr if none.
const Adapter* FindCatalogAdapter(const std::vector<Adapter>& adapters, const std::string& impl);

// The lock convention this harness's catalog declares for `impl`, with
// *source "catalog entry NAME"; "" if no entry matches, it declares
// none, or the catalog cannot be read (then *source says why).
// REQUIRES: source != nullptr.
std::string CatalogLockConvention(const std::string& impl, std::string* source);

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
