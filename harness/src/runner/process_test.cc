#include "lockharness/harness/runner/process.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::runner {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

Deadline In(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

std::optional<Child> Start(std::vector<std::string> argv, bool pipe_stdin = false,
                           uint64_t run_id = 0) {
  SpawnOptions options;
  options.argv = std::move(argv);
  options.pipe_stdin = pipe_stdin;
  options.run_id = run_id;
  std::string error;
  auto child = Child::Spawn(options, &error);
  EXPECT_TRUE(child.has_value()) << error;
  return child;
}

bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(ChildTest, CapturesStdoutAndExitStatus) {
  auto child = Start({"sh", "-c", "echo hello; exit 3"});
  ASSERT_TRUE(child);
  std::string out;
  EXPECT_EQ(child->ReadAllStdout(In(5000), &out), ReadStatus::kEof);
  EXPECT_EQ(out, "hello\n");
  const ExitStatus status = child->Wait(In(5000));
  EXPECT_EQ(status.kind, ExitStatus::Kind::kExited);
  EXPECT_EQ(status.code, 3);
  EXPECT_EQ(status.Describe(), "exit status 3");
}

TEST(ChildTest, RunsInItsOwnProcessGroupWithCwdAndEnvironment) {
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo $(ps -o pgid= -p $$) $$ $(pwd) $LH_TEST_VAR"};
  options.cwd = "/tmp";
  options.extra_env = {"LH_TEST_VAR=hello"};
  std::string error;
  auto child = Child::Spawn(options, &error);
  ASSERT_TRUE(child) << error;
  std::string out;
  child->ReadAllStdout(In(5000), &out);
  std::istringstream words(out);
  pid_t pgid = 0, pid = 0;
  std::string cwd, var;
  words >> pgid >> pid >> cwd >> var;
  EXPECT_EQ(pgid, pid);
  EXPECT_EQ(pid, child->pid());
  EXPECT_EQ(cwd, "/tmp");
  EXPECT_EQ(var, "hello");
  child->Wait(In(5000));
}

TEST(ChildTest, ReportsMissingProgramAsSpawnError) {
  SpawnOptions options;
  options.argv = {"/nonexistent/program"};
  std::string error;
  int spawn_errno = 0;
  EXPECT_FALSE(Child::Spawn(options, &error, &spawn_errno));
  EXPECT_EQ(spawn_errno, ENOENT);
  EXPECT_THAT(error, HasSubstr("cannot execute /nonexistent/program"));
}

TEST(ChildTest, TimeoutKillsTheWholeProcessGroup) {
  // The shell starts a grandchild that would outlive it; both must die.
  auto child = Start({"sh", "-c", "sleep 30 & echo $!; wait"});
  ASSERT_TRUE(child);
  std::string line;
  ASSERT_EQ(child->ReadLine(In(5000), &line), ReadStatus::kOk);
  const pid_t grandchild = std::stoi(line);
  EXPECT_TRUE(Alive(grandchild));
  const auto before = Clock::now();
  const ExitStatus status = child->Wait(In(200));
  EXPECT_EQ(status.kind, ExitStatus::Kind::kTimedOut);
  EXPECT_LT(Clock::now() - before, std::chrono::seconds(10));
  // The grandchild was reparented; give init a moment to reap it.
  for (int i = 0; i < 200 && Alive(grandchild); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(Alive(grandchild));
}

TEST(ChildTest, ReadTimesOutOnSilentChild) {
  auto child = Start({"sleep", "30"});
  ASSERT_TRUE(child);
  std::string out;
  EXPECT_EQ(child->ReadAllStdout(In(100), &out), ReadStatus::kTimedOut);
  const ExitStatus status = child->Kill();
  EXPECT_EQ(status.kind, ExitStatus::Kind::kSignaled);
  EXPECT_EQ(status.code, SIGKILL);
  EXPECT_THAT(status.Describe(), HasSubstr("SIGKILL"));
}

TEST(ChildTest, TalksLinesOverStdinAndStdout) {
  auto child = Start({"sh", "-c", "while read x; do echo \"got $x\"; done"}, true);
  ASSERT_TRUE(child);
  std::string line;
  ASSERT_TRUE(child->WriteStdin("a\nb\n"));
  ASSERT_EQ(child->ReadLine(In(5000), &line), ReadStatus::kOk);
  EXPECT_EQ(line, "got a");
  ASSERT_EQ(child->ReadLine(In(5000), &line), ReadStatus::kOk);
  EXPECT_EQ(line, "got b");
  child->CloseStdin();
  EXPECT_EQ(child->ReadLine(In(5000), &line), ReadStatus::kEof);
  EXPECT_EQ(child->Wait(In(5000)).code, 0);
}

TEST(ChildTest, DestructorKillsAndUnregisters) {
  const int before = RegisteredChildCount();
  pid_t pid;
  {
    auto child = Start({"sleep", "30"});
    ASSERT_TRUE(child);
    pid = child->pid();
    EXPECT_EQ(RegisteredChildCount(), before + 1);
  }
  EXPECT_EQ(RegisteredChildCount(), before);
  EXPECT_FALSE(Alive(pid));  // killed and reaped, not a zombie
}

TEST(ChildTest, KillAllRegisteredGroupsKillsEveryLiveChild) {
  auto a = Start({"sleep", "30"});
  auto b = Start({"sleep", "30"});
  ASSERT_TRUE(a && b);
  EXPECT_GE(KillAllRegisteredGroups(), 2);
  EXPECT_EQ(a->Wait(In(5000)).code, SIGKILL);
  EXPECT_EQ(b->Wait(In(5000)).code, SIGKILL);
}

// Two runs side by side in one process (conformance --jobs 2): the run
// timeout of one kills its own children and leaves the other's running.
TEST(ChildTest, KillRunGroupsKillsOnlyThatRunsChildren) {
  const uint64_t mine = NewRunId();
  const uint64_t other = NewRunId();
  ASSERT_NE(mine, other);
  auto a = Start({"sleep", "30"}, false, mine);
  auto b = Start({"sleep", "30"}, false, other);
  auto c = Start({"sleep", "30"});
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(KillRunGroups(mine), 1);
  EXPECT_EQ(a->Wait(In(5000)).code, SIGKILL);
  EXPECT_TRUE(Alive(b->pid()));
  EXPECT_TRUE(Alive(c->pid()));
}

}  // namespace
}  // namespace lockharness::harness::runner
