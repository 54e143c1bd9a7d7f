// test_process.h (test-only): starts a program with extra environment
// variables, talks to it over pipes and reports how it ended, so the
// end-to-end tests can run programs under the preload library.
//
// Usage:
//   ChildProcess child({"prog", "arg"}, {"LD_PRELOAD=/x.so"});
//   std::string line = child.ReadLine();   // "" at end of output
//   child.WriteLine("go");
//   ProcessResult r = child.Wait();        // collects remaining output

#ifndef LOCKHARNESS_INTERPOSER_SRC_TEST_PROCESS_H_
#define LOCKHARNESS_INTERPOSER_SRC_TEST_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace lockharness::interposer::testing {

struct ProcessResult {
  int exit_code = -1;   // -1 if killed by a signal
  int term_signal = 0;  // the signal that ended it, 0 if it exited
  std::string out;      // stdout not consumed by ReadLine
  std::string err;      // all of stderr
};

class ChildProcess {
 public:
  // Starts argv[0] (looked up on PATH) with the parent's environment minus
  // LD_PRELOAD and LOCKHARNESS_*, plus `env` ("KEY=VALUE" entries).
  // Aborts the test binary if fork/exec setup fails.
  ChildProcess(const std::vector<std::string>& argv,
               const std::vector<std::string>& env);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Next stdout line without its newline; "" at end of output.
  std::string ReadLine();
  void WriteLine(const std::string& line);
  void CloseStdin();

  // Waits for the process to stop (SIGSTOP) and returns true, or returns
  // false if it exited first.
  bool WaitStopped();

  // Closes stdin, drains output and reaps the process.
  ProcessResult Wait();

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string pending_;
  bool reaped_ = false;
  ProcessResult result_;
};

// Runs to completion with stdin closed.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env);

}  // namespace lockharness::interposer::testing

#endif  // LOCKHARNESS_INTERPOSER_SRC_TEST_PROCESS_H_
