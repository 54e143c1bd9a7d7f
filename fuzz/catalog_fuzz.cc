// The adapter catalog (harness/adapters/catalog.json) as `lockharness
// conformance` reads it (harness/src/cli/catalog.h).

#include <cstdint>
#include <string>
#include <string_view>

#include "src/cli/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  lockharness::harness::cli::ParseCatalog(text, "catalog.json", &error);
  return 0;
}
