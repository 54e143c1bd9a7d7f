#include "lockharness/protocol/process_identity.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace lockharness::protocol {
namespace {

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const std::string& BootId() {
  static const std::string kBootId = [] {
    std::string id = ReadSmallFile("/proc/sys/kernel/random/boot_id").value_or("");
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    return id;
  }();
  return kBootId;
}

}  // namespace

std::optional<uint64_t> ParseStartTicks(std::string_view stat) {
  // The command name is in parentheses and may itself contain ") ", so the
  // fields after it start at the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // After ')' come fields 3.. separated by single spaces; we want field 22,
  // i.e. the 20th field after the parenthesis.
  int field = 2;
  size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    ++field;
    if (field == 22) {
      uint64_t value = 0;
      auto [ptr, ec] = std::from_chars(rest.data() + pos, rest.data() + end, value);
      if (ec != std::errc() || ptr != rest.data() + end) return std::nullopt;
      return value;
    }
    pos = end;
  }
  return std::nullopt;
}

std::optional<ProcessIdentity> ReadProcessIdentity(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat || stat->empty()) return std::nullopt;
  auto ticks = ParseStartTicks(*stat);
  if (!ticks) return std::nullopt;
  return ProcessIdentity{pid, BootId(), *ticks};
}

}  // namespace lockharness::protocol
