// registry.h: the sandbox registry document and its operations, in memory.
//
//   {"sandboxes": {NAME: {"name", "createdAt", "model", "nimContainer",
//                         "provider", "gpuEnabled", "policies": [], ...}},
//    "defaultSandbox": NAME | null}
//
// Parse() validates the schema; every operation keeps the invariant that
// `defaultSandbox` is null or names an existing entry. Entries keep their
// insertion order (as JavaScript objects do), which decides the new default
// when the default is removed. Nothing here touches the disk: see
// registry_store.h for the locked load-modify-save.

#ifndef LOCKHARNESS_PROTOCOL_REGISTRY_H_
#define LOCKHARNESS_PROTOCOL_REGISTRY_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/protocol/status.h"

namespace lockharness::protocol {

using Json = nlohmann::ordered_json;
// KEY=VALUE pairs as given on the command line, in order.
using FieldList = std::vector<std::pair<std::string, std::string>>;

inline constexpr size_t kMaxNameBytes = 128;

// OK unless `name` is empty, longer than 128 bytes, contains '/', or a
// control character (InvalidArgument naming the problem).
Status ValidateName(std::string_view name);

// Splits "KEY=VALUE" (KEY: a letter or '_' then letters, digits, '_';
// at most 64 bytes). InvalidArgument for anything else.
StatusOr<std::pair<std::string, std::string>> ParseField(std::string_view arg);

class Registry {
 public:
  Registry();  // empty: no sandboxes, no default

  // Parses and validates file contents. kCorrupt with the reason (parse
  // error position, or the schema rule broken) if they are not a registry.
  static StatusOr<Registry> Parse(std::string_view bytes, const std::string& path_for_errors);

  // Two-space indented JSON with a trailing newline.
  std::string Serialize() const;

  // Adds or replaces NAME. If there is no default, NAME becomes it.
  // InvalidArgument for a bad name or field; `created_at` is an ISO time.
  Status Register(const std::string& name, const FieldList& fields, const std::string& created_at);
  // Merges fields into NAME. Refused if NAME is unknown or a field renames it.
  Status Update(const std::string& name, const FieldList& fields);
  // Deletes NAME; a removed default moves to the first remaining entry.
  // Refused if NAME is unknown.
  Status Remove(const std::string& name);
  // Refused if NAME is unknown.
  Status SetDefault(const std::string& name);

  // The entry for NAME, or Refused.
  StatusOr<Json> Get(const std::string& name) const;
  const Json& document() const { return doc_; }
  bool Contains(const std::string& name) const;

 private:
  explicit Registry(Json doc) : doc_(std::move(doc)) {}
  Status ApplyFields(Json& entry, const FieldList& fields, bool allow_name);
  Json doc_;
};

// The current UTC time as "2026-11-28T13:40:00.123Z".
std::string IsoTimeNow();

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_REGISTRY_H_
