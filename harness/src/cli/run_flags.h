// run_flags.h: the `run` subcommand's flags, registered from the
// run-configuration codec (runner/run_config.h).
//
// Every RunFields() entry becomes one flag (its doc string as help, a bool
// a flag without value, a list a repeatable flag); the flag text is turned
// into JSON and validated by the codec, so the command line accepts exactly
// what scenario files and run.json accept, with the same limits. Besides
// the codec's flags, `run` takes an optional scenario file and --out.
//
// Usage:
//   RunFlags flags;
//   CLI::App* run = AddRunSubcommand(&app, &flags);
//   app.parse(argc, argv);
//   std::string error;
//   auto options = RunOptionsFromFlags(flags, &error);  // after parsing
//   if (!options) ...error names the flag...

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_RUN_FLAGS_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_RUN_FLAGS_H_

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "lockharness/harness/runner/run.h"

namespace lockharness::harness::cli {

struct RunFlags {
  std::string scenario_file;  // positional: run a scenario file instead
  std::string out_dir;        // --out
  // One per RunFields() entry, in the same order: the raw flag text.
  struct Value {
    std::string text;
    std::vector<std::string> list;
    bool flag = false;
    CLI::Option* option = nullptr;
  };
  std::vector<Value> values;
  CLI::App* app = nullptr;  // the `run` subcommand
};

// Adds `run` to `app` with every flag. *flags must outlive parsing.
CLI::App* AddRunSubcommand(CLI::App* app, RunFlags* flags);

// Whether the flag for codec field `json` (e.g. "seed") was given.
bool FlagGiven(const RunFlags& flags, std::string_view json);

// The RunOptions the parsed flags describe (defaults for flags not given;
// "{impl}" in --fleet replaced by --impl; the seed left at its default if
// --seed is absent; out_dir from --out). On a bad value returns nullopt with
// *error, e.g. "--writers must be an integer from 1 to 1024, got 0" or
// "--nemesis #2 count must be ... (--nemesis 'kill-holder:count=-1')".
std::optional<runner::RunOptions> RunOptionsFromFlags(const RunFlags& flags, std::string* error);

// Adds codec field `json`'s flag (its spelling and help text from
// RunFields()) to another subcommand, e.g. `suite --lock-convention`: an
// option is spelled once, in the codec. The flag's text lands in *text.
// REQUIRES: `json` names a kString field; *text outlives parsing.
CLI::Option* AddRunFieldOption(CLI::App* app, std::string_view json, std::string* text);

// Validates the text of such a flag through the codec, as `run` does, and
// stores it in *options; on a bad value returns the error ("--lock-convention
// must be one of ..."). Empty text leaves *options unchanged.
std::optional<std::string> SetRunFieldText(std::string_view json, const std::string& text,
                                           runner::RunOptions* options);

// Parses `args` (the words after the program name, starting with "run") with
// the same parser as `lockharness`, e.g. a replay line. Returns the options;
// nullopt with *error if CLI11 or the codec refuses them.
std::optional<runner::RunOptions> ParseRunArguments(const std::vector<std::string>& args,
                                                    std::string* error);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_RUN_FLAGS_H_
