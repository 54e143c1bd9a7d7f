#include "lockharness/harness/scenario/suite.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "src/scenario/toml_reader.h"

namespace lockharness::harness::scenario {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSuiteFile = "suite.toml";

// Walks suites depth first. `stack` holds the suites being listed (for
// cycles), `done` the suites already listed (a shared include is listed
// once), `seen` the scenario files already in `out`.
class SuiteWalker {
 public:
  explicit SuiteWalker(std::string* error) : error_(error) {}

  bool Walk(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      *error_ = dir.string() + ": not a suite directory";
      return false;
    }
    const fs::path canonical = fs::weakly_canonical(dir, ec);
    const auto on_stack = std::find(stack_.begin(), stack_.end(), canonical);
    if (on_stack != stack_.end()) {
      std::string cycle;
      for (auto it = on_stack; it != stack_.end(); ++it) {
        cycle += it->string() + " -> ";
      }
      *error_ = dir.string() + ": include cycle: " + cycle + canonical.string();
      return false;
    }
    if (done_.count(canonical) > 0) return true;
    stack_.push_back(canonical);
    const bool ok = WalkIncludes(dir) && AddOwnFiles(dir);
    stack_.pop_back();
    done_.insert(canonical);
    return ok;
  }

  std::vector<fs::path> Take() { return std::move(out_); }

 private:
  bool WalkIncludes(const fs::path& dir) {
    std::optional<SuiteConfig> config = LoadSuiteConfig(dir, error_);
    if (!config) return false;
    for (const std::string& include : config->include) {
      const fs::path sub = (dir / include).lexically_normal();
      std::error_code ec;
      if (!fs::is_directory(sub, ec)) {
        *error_ = (dir / kSuiteFile).string() + ": included suite '" + include + "' (" +
                  sub.string() + ") is not a directory";
        return false;
      }
      if (!Walk(sub)) return false;
    }
    return true;
  }

  bool AddOwnFiles(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path name = it->path().filename();
      if (name.extension() != ".toml" || name == kSuiteFile) continue;
      if (!it->is_regular_file(ec)) continue;
      files.push_back(name);
    }
    if (ec) {
      *error_ = dir.string() + ": cannot list: " + ec.message();
      return false;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& name : files) {
      const fs::path file = (dir / name).lexically_normal();
      if (seen_.insert(fs::weakly_canonical(file, ec)).second) {
        out_.push_back(file);
      }
    }
    return true;
  }

  std::string* error_;
  std::vector<fs::path> stack_;
  std::set<fs::path> done_;
  std::set<fs::path> seen_;
  std::vector<fs::path> out_;
};

}  // namespace

std::optional<SuiteConfig> LoadSuiteConfig(const fs::path& dir, std::string* error) {
  const fs::path file = dir / kSuiteFile;
  SuiteConfig config;
  std::error_code ec;
  if (!fs::exists(file, ec)) return config;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *error = file.string() + ": cannot read";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  TomlReader r(file.string(), error);
  std::optional<toml::table> root = r.Parse(text.str());
  if (!root || !r.CheckKeys(*root, "", {"description", "include"}) ||
      !r.String(*root, "", "description", &config.description) ||
      !r.StringArray(*root, "", "include", &config.include)) {
    return std::nullopt;
  }
  return config;
}

std::optional<std::vector<fs::path>> ListSuite(const fs::path& dir, std::string* error) {
  SuiteWalker walker(error);
  if (!walker.Walk(dir)) return std::nullopt;
  return walker.Take();
}

std::optional<Shard> ParseShard(std::string_view text, std::string* error) {
  const std::string rule = " (want K/N with 1 <= K <= N, e.g. 2/5)";
  const size_t slash = text.find('/');
  Shard shard;
  auto parse = [](std::string_view part, int* out) {
    const char* end = part.data() + part.size();
    auto [ptr, ec] = std::from_chars(part.data(), end, *out);
    // Digits only: from_chars alone would take "-1".
    return !part.empty() && part[0] >= '0' && part[0] <= '9' && ec == std::errc() && ptr == end;
  };
  if (slash == std::string_view::npos || !parse(text.substr(0, slash), &shard.index) ||
      !parse(text.substr(slash + 1), &shard.count)) {
    *error = "shard '" + std::string(text) + "' is not K/N" + rule;
    return std::nullopt;
  }
  if (shard.count < 1) {
    *error = "shard '" + std::string(text) + "': N must be >= 1" + rule;
    return std::nullopt;
  }
  if (shard.index < 1 || shard.index > shard.count) {
    *error = "shard '" + std::string(text) + "': K must be from 1 to " +
             std::to_string(shard.count) + rule;
    return std::nullopt;
  }
  return shard;
}

bool InShard(size_t index, const Shard& shard) {
  return static_cast<int>(index % static_cast<size_t>(shard.count)) == shard.index - 1;
}

std::vector<fs::path> SelectShard(const std::vector<fs::path>& files, const Shard& shard) {
  std::vector<fs::path> selected;
  for (size_t i = 0; i < files.size(); ++i) {
    if (InShard(i, shard)) selected.push_back(files[i]);
  }
  return selected;
}

}  // namespace lockharness::harness::scenario
