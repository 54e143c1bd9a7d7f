// The TOML scenario loader (harness/include/lockharness/harness/scenario/scenario.h).

#include <cstdint>
#include <string>
#include <string_view>

#include "lockharness/harness/scenario/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  lockharness::harness::scenario::ParseScenario(text, "fuzz.toml", &error);
  return 0;
}
