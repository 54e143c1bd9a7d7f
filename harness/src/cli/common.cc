// Shared pieces of the subcommands (see common.h).

#include "src/cli/common.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>

namespace lockharness::harness::cli {

int Fail(const std::string& reason) {
  std::cerr << "lockharness: " << reason << "\n";
  return kExitUnknown;
}

int ExitCodeFor(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return kExitValid;
    case Verdict::kInvalid: return kExitInvalid;
    case Verdict::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

std::optional<nlohmann::json> ReadJsonFile(const std::filesystem::path& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path.string();
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = path.string() + ": not a JSON object";
    return std::nullopt;
  }
  return j;
}

bool WriteTextFile(const std::filesystem::path& path, const std::string& text, std::string* error) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    *error = "cannot write " + path.string();
    return false;
  }
  return true;
}

std::string DefaultOutDir(uint64_t seed) {
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return "runs/" + std::string(stamp) + "-" + std::to_string(seed);
}

std::optional<runner::ExitStatus> RunForOutput(const std::vector<std::string>& argv,
                                               std::chrono::seconds timeout, std::string* out,
                                               std::string* error,
                                               const std::vector<std::string>& extra_env) {
  runner::SpawnOptions spawn;
  spawn.argv = argv;
  spawn.extra_env = extra_env;
  std::optional<runner::Child> child = runner::Child::Spawn(spawn, error);
  if (!child) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  child->ReadAllStdout(deadline, out);
  return child->Wait(deadline);
}

std::string CommandLine(int argc, char** argv) {
  std::string line = "lockharness";
  for (int i = 1; i < argc; ++i) line += std::string(" ") + argv[i];
  return line;
}

uint64_t RandomSeed() {
  std::random_device device;
  return device() | (uint64_t{device()} << 32);
}

Progress::Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}

void Progress::Update(int64_t done, int64_t total) {
  if (total <= 0) return;
  const int percent = static_cast<int>(done * 100 / total);
  if (tty_) {
    constexpr int kWidth = 40;
    const int filled = percent * kWidth / 100;
    std::fprintf(stderr, "\r[%s%s] %3d%% %lld/%lld ops", std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, ' ').c_str(), percent, static_cast<long long>(done),
                 static_cast<long long>(total));
    dirty_ = true;
  } else if (percent / 10 > last_decile_) {
    last_decile_ = percent / 10;
    std::fprintf(stderr, "lockharness: %d%% (%lld/%lld ops)\n", last_decile_ * 10,
                 static_cast<long long>(done), static_cast<long long>(total));
  }
}

void Progress::Finish() {
  if (dirty_) std::fputc('\n', stderr);
  dirty_ = false;
}

}  // namespace lockharness::harness::cli
