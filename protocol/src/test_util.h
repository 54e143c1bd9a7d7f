// test_util.h (tests only): temp directories, child processes and scoped
// fault points for the protocol tests.
#ifndef LOCKHARNESS_PROTOCOL_SRC_TEST_UTIL_H_
#define LOCKHARNESS_PROTOCOL_SRC_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace lockharness::protocol::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }
  // Sorted names in the directory.
  std::vector<std::string> Names() const;

 private:
  std::string path_;
};

// Forks; the child runs `body` and exits with its return value (never
// running gtest's teardown). Returns the child's pid.
pid_t Spawn(const std::function<int()>& body);

// Waits for `pid`. Returns the exit code, or 128+signal if it was killed.
int WaitFor(pid_t pid);

// A pid that is certainly not running now (a reaped child's).
pid_t DeadPid();

// Enables a libfiu fault point for the scope: failnum kFaultFail with errno
// `err`, or kFaultCrash.
class ScopedFault {
 public:
  ScopedFault(const char* name, int failnum, int err);
  ~ScopedFault();

 private:
  std::string name_;
};

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& data);

}  // namespace lockharness::protocol::testing

#endif  // LOCKHARNESS_PROTOCOL_SRC_TEST_UTIL_H_
