// The registry document: the reference's parser and schema
// (protocol/include/lockharness/protocol/registry.h) and the harness's own
// schema check (ValidateRegistryDocument, harness/include/lockharness/harness/check.h).
// A document the reference accepts must serialize to one it accepts again.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lockharness/harness/check.h"
#include "lockharness/protocol/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lockharness::harness::ValidateRegistryDocument(text);
  auto registry = lockharness::protocol::Registry::Parse(text, "fuzz.json");
  if (registry.ok()) {
    const std::string bytes = registry->Serialize();
    if (!lockharness::protocol::Registry::Parse(bytes, "again.json").ok()) std::abort();
  }
  return 0;
}
