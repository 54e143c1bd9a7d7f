// Data locations of a checkout and of an installed tree (see data_locations.h).

#include "lockharness/harness/install/data_locations.h"

#include <cstdlib>
#include <system_error>
#include <vector>

#include "lockharness/harness/runner/command.h"

#if !defined(LOCKHARNESS_SOURCE_DIR) || !defined(LOCKHARNESS_BINARY_DIR) ||        \
    !defined(LOCKHARNESS_BUILD_INTERPOSER) || !defined(LOCKHARNESS_BIN_TO_DATA) || \
    !defined(LOCKHARNESS_BIN_TO_PKGLIB)
#error "the build defines the layout (harness/install.cmake)"
#endif

namespace lockharness::harness::install {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kScenarios = "scenarios/";
constexpr std::string_view kAdapters = "harness/adapters/";
constexpr std::string_view kBuild = "build/";
constexpr std::string_view kLockreg = "build/protocol/lockreg";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool IsDirectory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

// Bare if the splitter reads it back as one word, else single-quoted.
std::string Quote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\'' || c == '"' || c == '\\') plain = false;
  }
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

DataLocations LocateData(const fs::path& executable, const BuildLayout& layout) {
  DataLocations data;
  const fs::path exe_dir = executable.parent_path();
  const fs::path installed_data = (exe_dir / layout.bin_to_data).lexically_normal();
  if (IsDirectory(installed_data / "scenarios")) {
    data.installed = true;
    data.root = installed_data;
    data.scenarios = installed_data / "scenarios";
    data.adapters = installed_data / "adapters";
    data.lockreg = exe_dir / "lockreg";
    data.interposer = (exe_dir / layout.bin_to_pkglib).lexically_normal() / kInterposeLibraryName;
    data.placer = (exe_dir / layout.bin_to_pkglib).lexically_normal() / kPlacerName;
    return data;
  }
  data.root = layout.source_dir;
  data.scenarios = layout.source_dir / "scenarios";
  data.adapters = layout.source_dir / "harness" / "adapters";
  data.build_dir = layout.build_dir;
  data.lockreg = layout.build_dir / "protocol" / "lockreg";
  data.interposer = layout.build_interposer;
  data.placer = layout.build_placer;
  return data;
}

BuildLayout ThisBuildLayout() {
  BuildLayout layout;
  layout.source_dir = LOCKHARNESS_SOURCE_DIR;
  layout.build_dir = LOCKHARNESS_BINARY_DIR;
  layout.build_interposer = LOCKHARNESS_BUILD_INTERPOSER;
  layout.build_placer = LOCKHARNESS_BUILD_PLACER;
  layout.bin_to_data = LOCKHARNESS_BIN_TO_DATA;
  layout.bin_to_pkglib = LOCKHARNESS_BIN_TO_PKGLIB;
  const char* moved = std::getenv("LOCKHARNESS_BUILD_DIR");
  if (moved != nullptr && *moved != '\0') {
    std::error_code ec;
    layout.build_dir = fs::absolute(moved, ec).lexically_normal();
  }
  return layout;
}

const DataLocations& ThisHarnessData() {
  static const DataLocations data = [] {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return LocateData(ec ? fs::path() : exe, ThisBuildLayout());
  }();
  return data;
}

std::string ResolveDataPath(const DataLocations& data, std::string_view name) {
  auto under = [name](const fs::path& dir, std::string_view prefix) {
    return (dir / std::string(name.substr(prefix.size()))).string();
  };
  if (StartsWith(name, kScenarios)) return under(data.scenarios, kScenarios);
  if (StartsWith(name, kAdapters)) return under(data.adapters, kAdapters);
  if (name == kLockreg) return data.lockreg.string();
  if (StartsWith(name, kBuild) && !data.installed) return under(data.build_dir, kBuild);
  return std::string(name);
}

std::string ResolveDataTemplate(const DataLocations& data, const std::string& command) {
  std::string error;
  const auto words = runner::SplitCommandTemplate(command, &error);
  if (!words) return command;
  bool changed = false;
  std::vector<std::string> resolved;
  for (const std::string& word : *words) {
    resolved.push_back(ResolveDataPath(data, word));
    changed = changed || resolved.back() != word;
  }
  if (!changed) return command;
  std::string out;
  for (const std::string& word : resolved) {
    if (!out.empty()) out += ' ';
    out += Quote(word);
  }
  return out;
}

}  // namespace lockharness::harness::install
