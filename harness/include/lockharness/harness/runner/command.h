// command.h: turns an implementation command template into an argv.
//
// An implementation is given as a template such as
//   build/protocol/lockreg --file {registry}
// It is never handed to a shell: SplitCommandTemplate() splits it into words
// with shell-like quoting ('single' keeps everything literal, "double" allows
// \" and \\, a backslash outside quotes escapes the next character) but no
// expansion of variables, globs or anything else. InstantiateCommand() then
// replaces every `{registry}` with the registry path and makes relative paths
// absolute, because the implementation runs with the run directory as cwd.
//
// Usage:
//   std::string error;
//   auto words = SplitCommandTemplate(flag, &error);
//   if (!words) { ...report error... }
//   auto argv = InstantiateCommand(*words, registry, launch_dir);
//   if (auto problem = CheckRunnable(argv)) { ...not runnable: *problem... }

#ifndef LOCKHARNESS_HARNESS_RUNNER_COMMAND_H_
#define LOCKHARNESS_HARNESS_RUNNER_COMMAND_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::harness::runner {

// Splits `command` into words. On success returns at least one word. On
// failure (unterminated quote, trailing backslash, empty command) returns
// nullopt and sets *error to a one-line reason.
std::optional<std::vector<std::string>> SplitCommandTemplate(std::string_view command,
                                                             std::string* error);

// Returns the argv to run: `{registry}` replaced by `registry` in every word;
// argv[0] without a '/' is left for PATH lookup; any other word that is a
// relative path naming an existing file or directory under `launch_dir` is
// made absolute (so `python3 adapter.py` keeps working from the run
// directory). REQUIRES: `launch_dir` is absolute.
std::vector<std::string> InstantiateCommand(const std::vector<std::string>& words,
                                            const std::string& registry,
                                            const std::filesystem::path& launch_dir);

// Resolves argv[0] like execvp would. Returns the absolute path of the
// program, or nullopt if no executable file is found.
std::optional<std::string> ResolveProgram(const std::string& program);

// Returns nullopt if argv[0] resolves to an executable regular file,
// otherwise a one-line reason ("no such program: foo", "not executable: x").
std::optional<std::string> CheckRunnable(const std::vector<std::string>& argv);

// Quotes `word` so that SplitCommandTemplate() (and a POSIX shell) reads it
// back unchanged; used to print replay commands.
std::string QuoteWord(std::string_view word);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_COMMAND_H_
