// Tests of the kernel lock tracker (kernel_locks.h) on hand-made traces:
// flock locks owned by open file descriptions shared across dup, fork and
// exec, as a shell's `exec 9>>LOCK; flock 9` makes them.

#include "kernel_locks.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockharness/harness/checkers/trace_mutual_exclusion.h"
#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestTrace;

constexpr int kShell = 10;  // the writer: a shell the harness started
constexpr int kFlock = 11;  // flock(1), started by the shell
constexpr int kMv = 12;     // mv(1), started by the shell
constexpr int kOther = 20;  // another writer

// A process the shell forks and execs, which starts with the shell's fd 9.
void ShellChild(TestTrace& t, int pid, int64_t at) {
  t.Child(pid, kShell, at, /*forked=*/true);
  t.Child(pid, kShell, at + 1);
  t.Inherited(pid, at + 2, 9);
}

// The shell-flock adapter's operation up to its write: the shell opens the
// lock file on fd 9 (open fd 3, dup2, close 3), flock(1) locks fd 9 at 23
// and exits at 24, mv renames onto the registry at 45.
TestTrace ShellFlockUpToTheWrite() {
  TestTrace t;
  t.Hello(kShell, 1);
  t.OpenLock(kShell, 10, "O_WRONLY|O_CREAT|O_APPEND", 3);
  t.Dup(kShell, 11, 3, 9);
  t.CloseFd(kShell, 12, 3);
  ShellChild(t, kFlock, 20);
  t.KernelLock(kFlock, 23, "flock", "exclusive", TestTrace::kLock, "lock", 9);
  t.Exit(kFlock, 24);
  ShellChild(t, kMv, 30);
  t.Publish(kMv, 40);
  t.Exit(kMv, 55);
  return t;
}

struct Tracked {
  TestTrace trace;
  TraceTimeline timeline;
  std::vector<LockObject> objects;
};

// The locks of `t` (kept with the timeline they point into).
std::unique_ptr<Tracked> Track(TestTrace t) {
  auto tracked = std::make_unique<Tracked>();
  tracked->trace = std::move(t);
  tracked->timeline = tracked->trace.Timeline();
  KernelLockTracker tracker(tracked->timeline);
  tracker.Run();
  tracked->objects = tracker.objects();
  return tracked;
}

std::string Evidence(const CheckerReport& report) {
  std::string text = report.summary + "\n";
  for (const std::string& line : report.evidence) text += line + "\n";
  return text;
}

TEST(KernelLocks, FlockOnTheShellsDescriptorLastsUntilTheShellUnlocks) {
  TestTrace t = ShellFlockUpToTheWrite();
  ShellChild(t, 13, 60);  // flock -u 9
  t.KernelLock(13, 63, "flock", "unlock", TestTrace::kLock, "lock", 9);
  t.Exit(13, 64);
  t.Exit(kShell, 70);
  auto tracked = Track(std::move(t));
  ASSERT_EQ(tracked->objects.size(), 1u);
  const LockObject& lock = tracked->objects[0];
  EXPECT_EQ(lock.owner, kShell);  // attributed to the writer
  EXPECT_EQ(lock.holder, kFlock);
  ASSERT_EQ(lock.tenures.size(), 1u);
  const Tenure& tenure = lock.tenures[0];
  EXPECT_EQ(tenure.start->latest(), 23);
  ASSERT_NE(tenure.end, nullptr) << "flock(1)'s exit at 24 does not end it";
  EXPECT_EQ(tenure.end->latest(), 63);
  EXPECT_EQ(tenure.how_ended, "released by its owner (flock unlock)");
  EXPECT_EQ(tenure.ended_by, kShell);

  const CheckerReport report = CheckTraceMutualExclusion(tracked->timeline);
  EXPECT_EQ(report.verdict, Verdict::kValid) << Evidence(report);
}

TEST(KernelLocks, FlockOnTheShellsDescriptorEndsAtTheShellsClose) {
  TestTrace t = ShellFlockUpToTheWrite();
  t.CloseFd(kShell, 60, 9);
  t.Exit(kShell, 70);
  auto tracked = Track(std::move(t));
  ASSERT_EQ(tracked->objects.size(), 1u);
  const Tenure& tenure = tracked->objects[0].tenures.at(0);
  ASSERT_NE(tenure.end, nullptr);
  EXPECT_EQ(tenure.end->latest(), 60);
  EXPECT_EQ(tenure.how_ended, "released by close of fd 9, its last descriptor");
}

TEST(KernelLocks, FlockOnTheShellsDescriptorEndsAtTheShellsExit) {
  TestTrace t = ShellFlockUpToTheWrite();
  t.Exit(kShell, 60);
  auto tracked = Track(std::move(t));
  ASSERT_EQ(tracked->objects.size(), 1u);
  const Tenure& tenure = tracked->objects[0].tenures.at(0);
  ASSERT_NE(tenure.end, nullptr);
  EXPECT_EQ(tenure.end->latest(), 60);
  EXPECT_EQ(tenure.how_ended, "released when its process exited, its last descriptor");
}

TEST(KernelLocks, AKilledShellKeepsTheLockUntilItsLastLine) {
  TestTrace t = ShellFlockUpToTheWrite();
  t.CloseFd(kShell, 58, 4, TestTrace::Temp(kShell), "temp");  // its last line
  auto tracked = Track(std::move(t));                         // no exit line: killed
  ASSERT_EQ(tracked->objects.size(), 1u);
  const LockObject& lock = tracked->objects[0];
  EXPECT_EQ(lock.tenures.at(0).end, nullptr);
  EXPECT_EQ(lock.tenures.at(0).kept_by, std::vector<int>{kShell});
  EXPECT_EQ(HeldUntilAtLeast(tracked->timeline, lock, lock.tenures[0]), 58);
  const std::vector<ObservedSpan> spans = ObservedLockSpans(tracked->timeline);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0].ended);
  EXPECT_EQ(spans[0].end_latest, 58) << "the shell's last line, not flock(1)'s exit at 24";
}

TEST(KernelLocks, AnotherWritersRenameInsideTheShellsTenureIsAViolation) {
  TestTrace t = ShellFlockUpToTheWrite();
  // Another writer locks a descriptor of its own (as if the lock file had
  // been replaced) while the shell's fd 9 still holds the lock.
  t.Hello(kOther, 2);
  t.OpenLock(kOther, 44, "O_WRONLY|O_CREAT|O_APPEND", 7);
  t.KernelLock(kOther, 45, "flock", "exclusive", TestTrace::kLock, "lock", 7);
  t.Publish(kOther, 46);
  t.Exit(kOther, 57);
  ShellChild(t, 13, 60);  // flock -u 9
  t.KernelLock(13, 63, "flock", "unlock", TestTrace::kLock, "lock", 9);
  t.Exit(13, 64);
  t.Exit(kShell, 70);
  const TraceTimeline timeline = t.Timeline();
  const CheckerReport report = CheckTraceMutualExclusion(timeline);
  ASSERT_EQ(report.verdict, Verdict::kInvalid) << Evidence(report);
  EXPECT_EQ(report.details.at("violation_list").at(0).at("kind"), "rename-while-another-holds");
  EXPECT_THAT(Evidence(report), HasSubstr("pid 10 took the lock by flock lock"));
}

TEST(KernelLocks, AnotherWritersRenameAfterTheShellsTenureIsNone) {
  TestTrace t = ShellFlockUpToTheWrite();
  t.Exit(kShell, 60);
  t.Hello(kOther, 2);
  t.OpenLock(kOther, 61, "O_WRONLY|O_CREAT|O_APPEND", 7);
  t.KernelLock(kOther, 62, "flock", "exclusive", TestTrace::kLock, "lock", 7);
  t.Publish(kOther, 63);
  t.Exit(kOther, 80);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  EXPECT_EQ(report.verdict, Verdict::kValid) << Evidence(report);
  EXPECT_EQ(report.details["kernel_locks"], 2);
}

TEST(KernelLocks, UnlockBeforeTheWriteIsCaught) {
  // The broken variant of the adapter: flock -u 9 before mv.
  TestTrace t;
  t.Hello(kShell, 1);
  t.OpenLock(kShell, 10, "O_WRONLY|O_CREAT|O_APPEND", 3);
  t.Dup(kShell, 11, 3, 9);
  t.CloseFd(kShell, 12, 3);
  ShellChild(t, kFlock, 20);
  t.KernelLock(kFlock, 23, "flock", "exclusive", TestTrace::kLock, "lock", 9);
  t.Exit(kFlock, 24);
  ShellChild(t, 13, 25);
  t.KernelLock(13, 28, "flock", "unlock", TestTrace::kLock, "lock", 9);
  t.Exit(13, 29);
  ShellChild(t, kMv, 30);
  t.Publish(kMv, 40);
  t.Exit(kMv, 55);
  t.Exit(kShell, 60);
  const CheckerReport report = CheckTraceMutualExclusion(t.Timeline());
  ASSERT_EQ(report.verdict, Verdict::kInvalid) << Evidence(report);
  EXPECT_EQ(report.details.at("violation_list").at(0).at("kind"), "rename-after-release");
}

TEST(KernelLocks, AChildsOwnDescriptorEndsTheLockAtItsExit) {
  // `flock LOCK -c cmd`-style: the child opens the lock file itself.
  TestTrace t;
  t.Hello(kShell, 1);
  t.Child(kFlock, kShell, 20, /*forked=*/true);
  t.Child(kFlock, kShell, 21);
  t.OpenLock(kFlock, 22, "O_RDONLY|O_CREAT", 5);
  t.KernelLock(kFlock, 23, "flock", "exclusive", TestTrace::kLock, "lock", 5);
  t.Exit(kFlock, 24);
  t.Exit(kShell, 60);
  auto tracked = Track(std::move(t));
  ASSERT_EQ(tracked->objects.size(), 1u);
  const Tenure& tenure = tracked->objects[0].tenures.at(0);
  ASSERT_NE(tenure.end, nullptr);
  EXPECT_EQ(tenure.end->latest(), 24);
  EXPECT_EQ(tenure.end->pid(), kFlock);
}

TEST(KernelLocks, ExecClosesCloseOnExecDescriptorsAndKeepsInheritedOnes) {
  for (bool inherited : {false, true}) {
    TestTrace t;
    t.Hello(kShell, 1);
    t.OpenLock(kShell, 10, "O_WRONLY|O_CREAT|O_CLOEXEC", 5);
    t.KernelLock(kShell, 11, "flock", "exclusive", TestTrace::kLock, "lock", 5);
    t.Child(kShell, 0, 20);  // exec in place: a second hello
    if (inherited) t.Inherited(kShell, 21, 5);
    t.Call(kShell, 30, "write", "write", "temp", TestTrace::Temp(kShell), 10).fd = 4;
    t.Exit(kShell, 40);
    auto tracked = Track(std::move(t));
    ASSERT_EQ(tracked->objects.size(), 1u);
    const Tenure& tenure = tracked->objects[0].tenures.at(0);
    ASSERT_NE(tenure.end, nullptr);
    EXPECT_EQ(tenure.end->latest(), inherited ? 40 : 20) << "inherited " << inherited;
    if (!inherited) {
      EXPECT_THAT(tenure.how_ended, HasSubstr("close-on-exec"));
    }
  }
}

TEST(KernelLocks, Dup2OntoTheLastDescriptorEndsTheLock) {
  TestTrace t = ShellFlockUpToTheWrite();
  t.Dup(kShell, 60, 4, 9, "", "other");  // exec 9>/dev/null
  t.Exit(kShell, 70);
  auto tracked = Track(std::move(t));
  const Tenure& tenure = tracked->objects.at(0).tenures.at(0);
  ASSERT_NE(tenure.end, nullptr);
  EXPECT_EQ(tenure.end->latest(), 60);
}

TEST(KernelLocks, AnUnsettledInheritanceShortensTheLock) {
  // The shell made two descriptors numbered 9 before the child appeared:
  // which one the child inherited cannot be told, so the child's is its
  // own and the lock ends with the child.
  TestTrace t;
  t.Hello(kShell, 1);
  t.OpenLock(kShell, 10, "O_WRONLY|O_CREAT|O_APPEND", 9);
  t.CloseFd(kShell, 11, 9);
  t.OpenLock(kShell, 12, "O_WRONLY|O_CREAT|O_APPEND", 9);
  ShellChild(t, kFlock, 20);
  t.KernelLock(kFlock, 23, "flock", "exclusive", TestTrace::kLock, "lock", 9);
  t.Exit(kFlock, 24);
  t.Exit(kShell, 60);
  auto tracked = Track(std::move(t));
  const Tenure& tenure = tracked->objects.at(0).tenures.at(0);
  ASSERT_NE(tenure.end, nullptr);
  EXPECT_EQ(tenure.end->latest(), 24);
}

TEST(KernelLocks, ADescriptorMadeAfterTheChildAppearedIsNotItsInheritance) {
  TestTrace t;
  t.Hello(kShell, 1);
  t.Child(kFlock, kShell, 5, /*forked=*/true);
  t.Call(kShell, 6, "write", "write", "temp", TestTrace::Temp(kShell), 10).fd = 4;
  t.OpenLock(kShell, 10, "O_WRONLY|O_CREAT|O_APPEND", 9);  // after the fork
  t.Child(kFlock, kShell, 20);
  t.Inherited(kFlock, 21, 9);
  t.KernelLock(kFlock, 23, "flock", "exclusive", TestTrace::kLock, "lock", 9);
  t.Exit(kFlock, 24);
  t.Exit(kShell, 60);
  auto tracked = Track(std::move(t));
  const Tenure& tenure = tracked->objects.at(0).tenures.at(0);
  ASSERT_NE(tenure.end, nullptr);
  EXPECT_EQ(tenure.end->latest(), 24);
}

TEST(KernelLocks, PosixLocksStayPerProcess) {
  // A child's fcntl lock on an inherited descriptor is the child's: it
  // ends at the child's exit although the shell keeps the descriptor.
  TestTrace t = ShellFlockUpToTheWrite();
  ShellChild(t, 13, 60);
  t.KernelLock(13, 63, "posix", "exclusive", TestTrace::kLock, "lock", 9);
  t.Exit(13, 64);
  t.Exit(kShell, 70);
  auto tracked = Track(std::move(t));
  ASSERT_EQ(tracked->objects.size(), 2u);
  const Tenure& posix = tracked->objects[1].tenures.at(0);
  ASSERT_NE(posix.end, nullptr);
  EXPECT_EQ(posix.end->latest(), 64);
}

}  // namespace
}  // namespace lockharness::harness
