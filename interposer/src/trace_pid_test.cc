// Tests of the trace's PIDs (trace_pid.h): the `self` link of a procfs.

#include "trace_pid.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace lockharness::interposer {
namespace {

TEST(ProcSelfPid, IsThisProcessInTheNamespaceOfTheProcfs) {
  EXPECT_EQ(ProcSelfPid("/proc"), getpid());
}

TEST(ProcSelfPid, IsZeroWhereNoProcfsIsMounted) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("trace_pid_test." + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  EXPECT_EQ(ProcSelfPid(dir.c_str()), 0);  // the placer before its bind mount
  EXPECT_EQ(ProcSelfPid("/nonexistent/dir"), 0);
  std::filesystem::remove(dir);
}

TEST(TracePid, FallsBackToProcWhereTheDirectoryIsNoProcfs) {
  // An unmounted LOCKHARNESS_TRACE_PROC (a writer placed "same" in a mixed
  // run) names the process as /proc, i.e. as getpid() here.
  ASSERT_EQ(setenv("LOCKHARNESS_TRACE_PROC", "/nonexistent/dir", 1), 0);
  ASSERT_TRUE(ConfigureTracePid());
  EXPECT_EQ(TracePid(), getpid());
  EXPECT_EQ(TraceParentPid(), getppid());
  unsetenv("LOCKHARNESS_TRACE_PROC");
}

}  // namespace
}  // namespace lockharness::interposer
