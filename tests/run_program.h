// run_program.h (tests only): run a program without a shell and capture
// its exit status and output.
#ifndef LOCKHARNESS_TESTS_RUN_PROGRAM_H_
#define LOCKHARNESS_TESTS_RUN_PROGRAM_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace lockharness::testing {

struct ProgramResult {
  int exit_code = -1;  // 128+signal if killed
  std::string out;
  std::string err;
};

// Runs argv[0] with `argv`, `extra_env` ("K=V") added to the environment,
// stdin from /dev/null (or `input` if given).
ProgramResult RunProgram(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env = {},
                         const std::string& input = "");

// Starts it in the background; WaitProgram collects the result.
pid_t StartProgram(const std::vector<std::string>& argv,
                   const std::vector<std::string>& extra_env = {});
int WaitProgram(pid_t pid);

}  // namespace lockharness::testing

#endif  // LOCKHARNESS_TESTS_RUN_PROGRAM_H_
