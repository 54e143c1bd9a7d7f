// Checks the interposer's preload library (see interposer_library.h).

#include "lockharness/harness/install/interposer_library.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <system_error>

#include "lockharness/harness/install/data_locations.h"

namespace lockharness::harness::install {
namespace {

namespace fs = std::filesystem;

// The first line of the loader's complaint, without its noise.
std::string FirstLine(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (!line.empty() && line.find("\"type\":\"hello\"") == std::string::npos) return line;
    start = end + 1;
  }
  return "";
}

}  // namespace

std::string CheckInterposeLibrary(const fs::path& library) {
  const std::string where = "interposer library " + library.string();
  std::error_code ec;
  if (!fs::is_regular_file(library, ec)) return where + " not found";
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return where + ": cannot check it: pipe: " + std::strerror(errno);
  }
  // The trace goes to the child's stdout, the loader's message to stderr:
  // both into the pipe, so nothing is written to disk.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  const std::string preload = "LD_PRELOAD=" + library.string();
  char sh[] = "/bin/sh", dash_c[] = "-c", colon[] = ":";
  char* argv[] = {sh, dash_c, colon, nullptr};
  char trace[] = "LOCKHARNESS_TRACE=/dev/fd/1";
  char* envp[] = {const_cast<char*>(preload.c_str()), trace, nullptr};
  pid_t pid = -1;
  const int spawn_error = ::posix_spawn(&pid, sh, &actions, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawn_error != 0) {
    ::close(pipe_fds[0]);
    return where + ": cannot check it: cannot run /bin/sh: " + std::strerror(spawn_error);
  }
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      if (output.size() < 65536) output.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const bool exited_zero = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (exited_zero && output.find("\"type\":\"hello\"") != std::string::npos) return "";
  const std::string message = FirstLine(output);
  return where + " cannot be loaded" + (message.empty() ? "" : ": " + message);
}

const std::string& ThisInterposerProblem() {
  static const std::string problem = [] {
    std::string found = CheckInterposeLibrary(ThisHarnessData().interposer);
    if (!found.empty()) {
      std::cerr << "lockharness: " << found
                << "; scenarios that need the interposer (faults, --trace) are not runnable\n";
    }
    return found;
  }();
  return problem;
}

}  // namespace lockharness::harness::install
