// crash_command.h: the `lockharness crash` subcommand's flags
// (the work is in src/crash/crash_run.h).

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_CRASH_COMMAND_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_CRASH_COMMAND_H_

#include <memory>

#include <CLI/CLI.hpp>

namespace lockharness::harness::cli {

class CrashSubcommand {
 public:
  // Adds `crash` and its flags to `app`.
  explicit CrashSubcommand(CLI::App& app);
  ~CrashSubcommand();
  bool parsed() const;
  // Runs it. REQUIRES: parsed().
  int Run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_CRASH_COMMAND_H_
