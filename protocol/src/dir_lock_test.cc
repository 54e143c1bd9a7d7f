#include "lockharness/protocol/dir_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "lockharness/protocol/fault_points.h"
#include "test_util.h"

namespace lockharness::protocol {
namespace {

using namespace std::chrono_literals;
using testing::DeadPid;
using testing::Spawn;
using testing::TempDir;
using testing::WaitFor;
using testing::WriteFileOrDie;

LockOptions Fast(std::chrono::milliseconds timeout = 2000ms, std::chrono::milliseconds grace = 5000ms) {
  LockOptions o;
  o.timeout = timeout;
  o.ownerless_grace = grace;
  return o;
}

// Makes a lock directory by hand, as another (possibly broken) writer would.
void ForgeLock(const std::string& lock, const std::optional<std::string>& owner,
               const std::optional<std::string>& identity = std::nullopt) {
  ASSERT_EQ(::mkdir(lock.c_str(), 0700), 0);
  if (owner) WriteFileOrDie(lock + "/owner", *owner);
  if (identity) WriteFileOrDie(lock + "/owner.identity", *identity);
}

std::string IdentityFor(pid_t pid, uint64_t tick_offset, const std::string& boot = "") {
  auto id = ReadProcessIdentity(pid);
  OwnerIdentity rec{{pid, boot.empty() ? id->boot_id : boot, id->start_ticks + tick_offset}, 42};
  return FormatIdentity(rec);
}

// A live process that is not a lock holder: the "unrelated process".
pid_t SpawnSleeper() {
  return Spawn([] {
    ::pause();
    return 0;
  });
}

void Kill(pid_t pid) {
  ::kill(pid, SIGKILL);
  WaitFor(pid);
}

TEST(DirLockTest, AcquirePublishesOwnerAndReleaseRemovesIt) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  auto held = DirLock::Acquire(Env::Default(), lock, Fast());
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), ::getpid());
  auto id = ParseIdentity(testing::ReadFileOrDie(lock + "/owner.identity"));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->process, *ReadProcessIdentity(::getpid()));
  EXPECT_EQ(id->token, (*held)->token());
  struct stat st;
  ASSERT_EQ(::stat(lock.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE((*held)->VerifyHeld().ok());
  EXPECT_TRUE((*held)->Release().ok());
  EXPECT_TRUE(dir.Names().empty());
}

TEST(DirLockTest, LiveHolderMakesOthersWaitThenHandsOver) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t holder = Spawn([&] {
    auto held = DirLock::Acquire(Env::Default(), lock, Fast());
    if (!held.ok()) return 1;
    char c = 'x';
    (void)!::write(ready[1], &c, 1);
    std::this_thread::sleep_for(300ms);
    return (*held)->Release().ok() ? 0 : 2;
  });
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  auto start = std::chrono::steady_clock::now();
  auto held = DirLock::Acquire(Env::Default(), lock, Fast(5000ms));
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(WaitFor(holder), 0);
  EXPECT_GE(waited, 100ms) << "we must have waited for the holder";
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(DirLockTest, TimesOutOnALiveOwnerAndNamesIt) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  pid_t sleeper = SpawnSleeper();
  ForgeLock(lock, std::to_string(sleeper), IdentityFor(sleeper, 0));
  auto held = DirLock::Acquire(Env::Default(), lock, Fast(200ms, 0ms));
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), Code::kLockTimeout);
  const std::string& msg = held.status().message();
  EXPECT_NE(msg.find("PID " + std::to_string(sleeper)), std::string::npos) << msg;
  EXPECT_NE(msg.find("(alive)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("rm -r"), std::string::npos) << msg;
  Kill(sleeper);
}

TEST(DirLockTest, LiveOwnerIsNeverBrokenByAge) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  pid_t sleeper = SpawnSleeper();
  ForgeLock(lock, std::to_string(sleeper));  // seed-style: no identity
  // Hours old by mtime; grace zero: age must not matter for a live owner.
  struct timespec times[2] = {{::time(nullptr) - 5 * 3600, 0}, {::time(nullptr) - 5 * 3600, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, lock.c_str(), times, 0), 0);
  auto held = DirLock::Acquire(Env::Default(), lock, Fast(300ms, 0ms));
  EXPECT_EQ(held.status().code(), Code::kLockTimeout);
  EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), sleeper) << "the lock is untouched";
  Kill(sleeper);
}

TEST(DirLockTest, DeadOwnerIsBroken) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  ForgeLock(lock, std::to_string(DeadPid()));
  auto held = DirLock::Acquire(Env::Default(), lock, Fast());
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"f.lock"}) << "no quarantine left behind";
}

TEST(DirLockTest, RecycledPidIsBroken) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  pid_t unrelated = SpawnSleeper();
  // The record names a live PID, but a process that started at another time.
  ForgeLock(lock, std::to_string(unrelated), IdentityFor(unrelated, 1));
  auto held = DirLock::Acquire(Env::Default(), lock, Fast());
  EXPECT_TRUE(held.ok()) << held.status().ToString();
  Kill(unrelated);
}

TEST(DirLockTest, OwnerFromAnEarlierBootIsBroken) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  pid_t unrelated = SpawnSleeper();
  ForgeLock(lock, std::to_string(unrelated), IdentityFor(unrelated, 0, "00000000-old-boot"));
  auto held = DirLock::Acquire(Env::Default(), lock, Fast());
  EXPECT_TRUE(held.ok()) << held.status().ToString();
  Kill(unrelated);
}

// Owner files that are no valid record: broken only after the grace period.
struct BadOwnerCase {
  const char* name;
  std::function<void(const std::string& lock)> make;
};

class BadOwnerTest : public ::testing::TestWithParam<BadOwnerCase> {};

TEST_P(BadOwnerTest, WaitsForGraceThenBreaks) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  ASSERT_EQ(::mkdir(lock.c_str(), 0700), 0);
  GetParam().make(lock);
  auto young = DirLock::Acquire(Env::Default(), lock, Fast(150ms, 60000ms));
  ASSERT_EQ(young.status().code(), Code::kLockTimeout) << "inside the grace period it is left alone";
  EXPECT_NE(young.status().message().find("no valid owner record"), std::string::npos) << young.status().message();
  auto old = DirLock::Acquire(Env::Default(), lock, Fast(2000ms, 0ms));
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE((*old)->Release().ok());
  EXPECT_TRUE(dir.Names().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadOwnerTest,
    ::testing::Values(
        BadOwnerCase{"NoOwnerFile", [](const std::string&) {}},
        BadOwnerCase{"Empty", [](const std::string& l) { WriteFileOrDie(l + "/owner", ""); }},
        BadOwnerCase{"Garbled", [](const std::string& l) { WriteFileOrDie(l + "/owner", "pid?\x01"); }},
        BadOwnerCase{"Oversized", [](const std::string& l) { WriteFileOrDie(l + "/owner", std::string(4096, '7')); }},
        BadOwnerCase{"Symlinked",
                     [](const std::string& l) {
                       // Even a symlink to a live PID's record is not trusted.
                       static TempDir elsewhere;
                       WriteFileOrDie(elsewhere.Join("target"), std::to_string(::getppid()));
                       ASSERT_EQ(::symlink(elsewhere.Join("target").c_str(), (l + "/owner").c_str()), 0);
                     }},
        BadOwnerCase{"Directory", [](const std::string& l) { ASSERT_EQ(::mkdir((l + "/owner").c_str(), 0700), 0); }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DirLockTest, WrongModeOwnerFileIsJudgedByItsContent) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  ForgeLock(lock, std::to_string(DeadPid()));
  ASSERT_EQ(::chmod((lock + "/owner").c_str(), 0777), 0);
  auto held = DirLock::Acquire(Env::Default(), lock, Fast());
  EXPECT_TRUE(held.ok()) << "a dead owner's lock is broken whatever its mode";
  ASSERT_TRUE((*held)->Release().ok());

  pid_t sleeper = SpawnSleeper();
  ForgeLock(lock, std::to_string(sleeper));
  ASSERT_EQ(::chmod((lock + "/owner").c_str(), 0), 0);  // root still reads it; others see no record
  auto blocked = DirLock::Acquire(Env::Default(), lock, Fast(200ms, 60000ms));
  EXPECT_EQ(blocked.status().code(), Code::kLockTimeout);
  Kill(sleeper);
}

TEST(DirLockTest, LockPathThatIsNotADirectoryIsAnErrorNotBroken) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  WriteFileOrDie(lock, "i am a file");
  auto held = DirLock::Acquire(Env::Default(), lock, Fast(300ms, 0ms));
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), Code::kIoError);
  EXPECT_EQ(held.status().err(), ENOTDIR);
  EXPECT_EQ(testing::ReadFileOrDie(lock), "i am a file");
}

TEST(DirLockTest, ReleaseAfterTheLockWasTakenOverLeavesTheNewLock) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  auto mine = DirLock::Acquire(Env::Default(), lock, Fast());
  ASSERT_TRUE(mine.ok());
  // Someone broke our lock (moved it aside) and another process took it.
  ASSERT_EQ(::rename(lock.c_str(), dir.Join("elsewhere").c_str()), 0);
  pid_t other = SpawnSleeper();
  ForgeLock(lock, std::to_string(other), IdentityFor(other, 0));
  EXPECT_EQ((*mine)->VerifyHeld().code(), Code::kLockLost);
  Status s = (*mine)->Release();
  EXPECT_EQ(s.code(), Code::kLockLost);
  EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), other) << "the other's lock is intact";
  Kill(other);
}

TEST(DirLockTest, ReleaseNoticesAReplacedOwnerRecord) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  auto mine = DirLock::Acquire(Env::Default(), lock, Fast());
  ASSERT_TRUE(mine.ok());
  WriteFileOrDie(lock + "/owner", "1");  // a buggy writer overwrote it in place
  EXPECT_EQ((*mine)->Release().code(), Code::kLockLost);
  EXPECT_TRUE(std::filesystem::exists(lock));
}

TEST(DirLockTest, KilledHolderIsTakenOverWellWithinTheDeadline) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  pid_t holder = Spawn([&] {
    testing::ScopedFault crash(fault_point::kBeforeRelease, kFaultCrash, 0);
    auto held = DirLock::Acquire(Env::Default(), lock, Fast());
    return held.ok() ? 0 : 1;  // the destructor releases: crash point fires
  });
  EXPECT_EQ(WaitFor(holder), 128 + SIGKILL);
  ASSERT_TRUE(std::filesystem::exists(lock)) << "the killed holder left its lock";
  auto start = std::chrono::steady_clock::now();
  auto held = DirLock::Acquire(Env::Default(), lock, Fast(10000ms));
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms);
}

TEST(DirLockTest, FailedPublishLeavesNoLock) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  {
    testing::ScopedFault fault(fault_point::kAfterMkdir, kFaultFail, EIO);
    auto held = DirLock::Acquire(Env::Default(), lock, Fast());
    EXPECT_EQ(held.status().err(), EIO);
    EXPECT_TRUE(held.status().injected());
  }
  EXPECT_TRUE(dir.Names().empty());
  {
    testing::ScopedFault fault(fault_point::kAfterOwnerPublish, kFaultFail, ENOSPC);
    auto held = DirLock::Acquire(Env::Default(), lock, Fast());
    EXPECT_EQ(held.status().err(), ENOSPC);
  }
  EXPECT_TRUE(dir.Names().empty());
}

// The break must never delete a lock it did not inspect. Here the inspected
// (dead) lock is replaced by a live one between inspection and break.
TEST(DirLockTest, BreakPutsBackALockItDidNotInspect) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  pid_t live = SpawnSleeper();
  // An Env that swaps the lock after the break's last check and right
  // before its quarantine rename, as a racing breaker and taker would.
  class SwappingEnv : public ForwardingEnv {
   public:
    SwappingEnv(std::string lock, pid_t live) : ForwardingEnv(Env::Default()), lock_(lock), live_(live) {}
    Status RenameNoReplace(const std::string& from, const std::string& to) override {
      if (from == lock_ && !swapped_) {
        swapped_ = true;
        std::filesystem::rename(lock_, lock_ + ".gone");
        ForgeLock(lock_, std::to_string(live_), IdentityFor(live_, 0));
      }
      return ForwardingEnv::RenameNoReplace(from, to);
    }
    std::string lock_;
    pid_t live_;
    bool swapped_ = false;
  } env(lock, live);
  ForgeLock(lock, std::to_string(DeadPid()));
  auto held = DirLock::Acquire(&env, lock, Fast(300ms, 0ms));
  EXPECT_EQ(held.status().code(), Code::kLockTimeout) << "the live lock must stay";
  EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), live);
  Kill(live);
}

TEST(DirLockTest, ManyProcessesNeverHoldTheLockAtOnce) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  const std::string counter = dir.Join("inside");
  std::vector<pid_t> kids;
  for (int p = 0; p < 6; ++p) {
    kids.push_back(Spawn([&] {
      for (int i = 0; i < 50; ++i) {
        auto held = DirLock::Acquire(Env::Default(), lock, Fast(20000ms));
        if (!held.ok()) return 1;
        // Creating a marker exclusively fails if another holder is inside.
        int fd = ::open(counter.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
        if (fd < 0) return 2;
        ::close(fd);
        ::unlink(counter.c_str());
        if (!(*held)->Release().ok()) return 3;
      }
      return 0;
    }));
  }
  for (pid_t k : kids) EXPECT_EQ(WaitFor(k), 0);
  EXPECT_TRUE(dir.Names().empty());
}

}  // namespace
}  // namespace lockharness::protocol
