// lockharness-interpose-check PROGRAM: says whether the preload library can
// see PROGRAM's file system calls.
//   exit 0  "interposable: <file>: <reason>"
//   exit 1  "cannot interpose: <file>: <reason>"
//   exit 2  usage error

#include <cstdio>
#include <cstring>

#include "lockharness/interposer/interpose_check.h"

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "--help") == 0) {
    std::fprintf(stderr, "usage: %s PROGRAM\n", argv[0]);
    return 2;
  }
  lockharness::interposer::InterposeCheck check =
      lockharness::interposer::CheckInterposable(argv[1]);
  std::printf("%s: %s: %s\n",
              check.interposable ? "interposable" : "cannot interpose",
              check.program.c_str(), check.reason.c_str());
  return check.interposable ? 0 : 1;
}
