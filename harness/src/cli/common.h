// common.h: small pieces every `lockharness` subcommand shares: exit codes,
// the one-line error, reading run.json-like files, default run directories
// and the progress display.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_COMMON_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_COMMON_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"
#include "lockharness/harness/runner/process.h"

namespace lockharness::harness::cli {

inline constexpr int kExitValid = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUnknown = 2;

// Prints "lockharness: <reason>" on stderr; returns kExitUnknown.
int Fail(const std::string& reason);

int ExitCodeFor(Verdict verdict);

// A JSON object from `path`; nullopt with *error if unreadable or not one.
std::optional<nlohmann::json> ReadJsonFile(const std::filesystem::path& path, std::string* error);

// Replaces `path` with `text`, creating its parent directories; false
// with *error "cannot write PATH" on failure.
bool WriteTextFile(const std::filesystem::path& path, const std::string& text, std::string* error);

// "runs/<UTC stamp>-<seed>" (relative to the working directory).
std::string DefaultOutDir(uint64_t seed);

// Runs `argv` (no shell) to completion or `timeout`, capturing its stdout
// in *out; `extra_env` ("KEY=VALUE") is added to its environment. Returns
// its exit status; nullopt with *error if it did not start.
std::optional<runner::ExitStatus> RunForOutput(const std::vector<std::string>& argv,
                                               std::chrono::seconds timeout, std::string* out,
                                               std::string* error,
                                               const std::vector<std::string>& extra_env = {});

// Re-joins argv as the command line quoted in generated documents.
std::string CommandLine(int argc, char** argv);

// A seed from the system's entropy source.
uint64_t RandomSeed();

// Progress on stderr: a redrawn bar on a terminal, a line per 10% otherwise.
class Progress {
 public:
  Progress();
  void Update(int64_t done, int64_t total);
  void Finish();

 private:
  bool tty_;
  bool dirty_ = false;
  int last_decile_ = 0;
};

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_COMMON_H_
