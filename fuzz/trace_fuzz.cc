// The interposer's trace reader (interposer/include/lockharness/interposer/trace_reader.h):
// every line of the input through ParseTraceLine, and each event it accepts
// into a Trace (trace.h), which must give it back field for field.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lockharness/interposer/trace.h"
#include "lockharness/interposer/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lockharness::interposer::Trace trace;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string error;
    const auto event =
        lockharness::interposer::ParseTraceLine(text.substr(start, end - start), &error);
    if (event) {
      trace.Append(*event);
      if (!(trace[trace.size() - 1].ToEvent() == *event)) abort();
    }
    start = end + 1;
  }
  return 0;
}
