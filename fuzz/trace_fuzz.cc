// The interposer's trace reader (interposer/include/lockharness/interposer/trace_reader.h):
// every line of the input through ParseTraceLine.

#include <cstdint>
#include <string>
#include <string_view>

#include "lockharness/interposer/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string error;
    lockharness::interposer::ParseTraceLine(text.substr(start, end - start), &error);
    start = end + 1;
  }
  return 0;
}
