// shared_flags.h: the flags that several subcommands take, each spelled
// and explained once.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_SHARED_FLAGS_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_SHARED_FLAGS_H_

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

namespace lockharness::harness::cli {

// --shard K/N: run the K-th of N deterministic slices (scenario/suite.h).
CLI::Option* AddShardFlag(CLI::App* command, std::string* shard, const std::string& of_what);

// --junit FILE.
CLI::Option* AddJunitFlag(CLI::App* command, std::filesystem::path* junit,
                          const std::string& default_text);

// --markdown FILE: the matrix, headed by the command that made it.
CLI::Option* AddMarkdownFlag(CLI::App* command, std::filesystem::path* markdown);

// --jobs N: how many independent runs at once (at least 1).
CLI::Option* AddJobsFlag(CLI::App* command, int* jobs, const std::string& of_what);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_SHARED_FLAGS_H_
