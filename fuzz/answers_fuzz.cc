// Worker answers and per-op span lines
// (harness/include/lockharness/harness/runner/answers.h).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lockharness/harness/runner/answers.h"

namespace runner = lockharness::harness::runner;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto answer = runner::ParseWorkerAnswer(text, 1, &error);
  if (!answer && error.empty()) std::abort();  // a rejection always says why
  if (answer && answer->span.span && !answer->span.error.empty()) std::abort();
  runner::SpanReading span = runner::ParsePerOpSpan(text);
  if (span.span && !span.error.empty()) std::abort();
  return 0;
}
