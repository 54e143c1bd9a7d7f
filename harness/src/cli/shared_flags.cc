// Flags shared by subcommands (see shared_flags.h).

#include "src/cli/shared_flags.h"

namespace lockharness::harness::cli {

CLI::Option* AddShardFlag(CLI::App* command, std::string* shard, const std::string& of_what) {
  return command->add_option("--shard", *shard,
                             "K/N: run the K-th of N deterministic slices of " + of_what);
}

CLI::Option* AddJunitFlag(CLI::App* command, std::filesystem::path* junit,
                          const std::string& default_text) {
  return command->add_option("--junit", *junit, "JUnit file (" + default_text + ")");
}

CLI::Option* AddMarkdownFlag(CLI::App* command, std::filesystem::path* markdown) {
  return command->add_option("--markdown", *markdown, "write the matrix here");
}

CLI::Option* AddJobsFlag(CLI::App* command, int* jobs, const std::string& of_what) {
  return command->add_option("--jobs", *jobs, "how many " + of_what + " run at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
}

}  // namespace lockharness::harness::cli
