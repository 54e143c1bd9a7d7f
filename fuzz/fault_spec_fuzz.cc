// The interposer's fault-spec parser (LOCKHARNESS_FAULTS,
// interposer/include/lockharness/interposer/fault_spec.h), which runs inside
// every program under the preload library.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "lockharness/interposer/fault_spec.h"

namespace interposer = lockharness::interposer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);  // NUL-terminated
  interposer::FaultList list;
  interposer::ParseError error;
  const bool ok = interposer::ParseFaultList(text.c_str(), &list, &error);
  if (!ok && error.message[0] == '\0') std::abort();  // a rejection always says why
  if (ok && (list.count < 0 || list.count > interposer::kMaxFaultSpecs)) std::abort();
  if (strnlen(error.message, sizeof error.message) == sizeof error.message) std::abort();
  return 0;
}
