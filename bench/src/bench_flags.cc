#include "lockharness/bench/bench_flags.h"

#include <charconv>

namespace lockharness::bench {

std::string TakeFlag(int* argc, char** argv, std::string_view name, std::string default_value) {
  const std::string prefix = "--" + std::string(name) + "=";
  std::string value = std::move(default_value);
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, prefix.size()) == prefix) {
      value = std::string(arg.substr(prefix.size()));
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  argv[kept] = nullptr;
  return value;
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool ParsePositiveIntList(std::string_view text, std::vector<int>* out) {
  out->clear();
  for (const std::string& item : SplitCommaList(text)) {
    int value = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (ec != std::errc() || end != item.data() + item.size() || value <= 0) return false;
    out->push_back(value);
  }
  return true;
}

}  // namespace lockharness::bench
