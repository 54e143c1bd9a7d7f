// History lines (harness/include/lockharness/harness/history.h): the whole
// document parser, and every line through ParseEvent; an event that parses
// must survive FormatEvent and parse again to the same line.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/harness/history.h"

using lockharness::harness::Event;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Event> events;
  std::string error;
  lockharness::harness::ParseHistory(text, &events, &error);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line_error;
    if (auto event =
            lockharness::harness::ParseEvent(text.substr(start, end - start), &line_error)) {
      const std::string line = lockharness::harness::FormatEvent(*event);
      auto again = lockharness::harness::ParseEvent(line, &line_error);
      if (!again || lockharness::harness::FormatEvent(*again) != line) std::abort();
    }
    start = end + 1;
  }
  return 0;
}
