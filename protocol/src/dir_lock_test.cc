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
  EXPECT_EQ(id->process, *ReadSelfIdentity()) << "with our PID namespace and host (P9)";
  EXPECT_NE(id->process.pid_ns, 0u);
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

// --- Mutants (mutant.h): each breaks the lock in its bug's situation, where
// the reference (kNone) does not.

// A waiter expected to time out gives up after 300 ms; one expected to get
// the lock has 10 s (two loaded cores).
LockOptions ForMutant(Mutant m, bool expect_timeout) {
  LockOptions o = Fast(expect_timeout ? 300ms : 10000ms, 60000ms);  // the reference's grace never ends here
  o.mutant = m;
  return o;
}

void BackdateMtime(const std::string& path, time_t seconds) {
  struct timespec times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
}

TEST(DirLockMutantTest, AgeReapBreaksALiveOwnersLockOlderThanTheStaleAge) {
  for (Mutant m : {Mutant::kNone, Mutant::kAgeReap}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string lock = dir.Join("f.lock");
    pid_t live = SpawnSleeper();
    ForgeLock(lock, std::to_string(live), IdentityFor(live, 0));
    BackdateMtime(lock, 60);  // a holder busy (or stopped) for a minute
    LockOptions o = ForMutant(m, /*expect_timeout=*/m == Mutant::kNone);
    o.stale_age = 10000ms;
    auto held = DirLock::Acquire(Env::Default(), lock, o);
    if (m == Mutant::kNone) {
      EXPECT_EQ(held.status().code(), Code::kLockTimeout);
      EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), live) << "the live owner keeps its lock";
    } else {
      ASSERT_TRUE(held.ok()) << held.status().ToString();
      EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), ::getpid()) << "stolen from a live owner";
      EXPECT_EQ(dir.Names(), std::vector<std::string>{"f.lock"}) << "deleted by path, no quarantine";
    }
    Kill(live);
  }
}

TEST(DirLockMutantTest, AgeReapSparesALockYoungerThanTheStaleAge) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  pid_t live = SpawnSleeper();
  ForgeLock(lock, std::to_string(live), IdentityFor(live, 0));
  BackdateMtime(lock, 60);
  LockOptions o = ForMutant(Mutant::kAgeReap, /*expect_timeout=*/true);
  o.stale_age = 120000ms;
  EXPECT_EQ(DirLock::Acquire(Env::Default(), lock, o).status().code(), Code::kLockTimeout);
  EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), live);
  Kill(live);
}

// Replaces the lock with a live process's right after a waiter has read the
// (dead) owner record: the check-then-delete window of P3.4.
class SwapAfterInspectionEnv : public ForwardingEnv {
 public:
  SwapAfterInspectionEnv(std::string lock, pid_t live) : ForwardingEnv(Env::Default()), lock_(lock), live_(live) {}
  StatusOr<std::string> ReadFileAt(int dirfd, const std::string& name, size_t max, const std::string& p) override {
    auto result = ForwardingEnv::ReadFileAt(dirfd, name, max, p);
    if (name == kIdentityFile && p == lock_ && !swapped_) {
      swapped_ = true;  // another waiter broke the dead lock; a live process took a fresh one
      std::filesystem::rename(lock_, lock_ + ".gone");
      ForgeLock(lock_, std::to_string(live_), IdentityFor(live_, 0));
    }
    return result;
  }

 private:
  std::string lock_;
  pid_t live_;
  bool swapped_ = false;
};

TEST(DirLockMutantTest, NoOwnerRecheckDeletesALockItDidNotInspect) {
  for (Mutant m : {Mutant::kNone, Mutant::kNoOwnerRecheck}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string lock = dir.Join("f.lock");
    pid_t live = SpawnSleeper();
    SwapAfterInspectionEnv env(lock, live);
    ForgeLock(lock, std::to_string(DeadPid()));
    auto held = DirLock::Acquire(&env, lock, ForMutant(m, /*expect_timeout=*/m == Mutant::kNone));
    if (m == Mutant::kNone) {
      EXPECT_EQ(held.status().code(), Code::kLockTimeout);
      EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), live) << "the fresh live lock stays";
    } else {
      ASSERT_TRUE(held.ok()) << held.status().ToString();
      EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), ::getpid())
          << "the live process's fresh lock was deleted by path";
    }
    Kill(live);
  }
}

// Runs a second waiter at the moment the holder is about to write its PID
// into the owner record (for the reference: into its temp file).
class WaiterDuringPublishEnv : public ForwardingEnv {
 public:
  WaiterDuringPublishEnv(std::string lock, LockOptions waiter)
      : ForwardingEnv(Env::Default()), lock_(std::move(lock)), waiter_(waiter) {}
  Status WriteAll(int fd, std::string_view data, const std::string& p) override {
    const bool owner_write = p == lock_ + "/owner" || p.rfind(lock_ + "/owner.tmp.", 0) == 0;
    if (owner_write && !waiter_result) waiter_result.emplace(DirLock::Acquire(Env::Default(), lock_, waiter_));
    return ForwardingEnv::WriteAll(fd, data, p);
  }
  std::optional<StatusOr<std::unique_ptr<DirLock>>> waiter_result;

 private:
  std::string lock_;
  LockOptions waiter_;
};

TEST(DirLockMutantTest, OwnerNonatomicLetsAWaiterStealALockBeingPublished) {
  for (Mutant m : {Mutant::kNone, Mutant::kOwnerNonatomic}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string lock = dir.Join("f.lock");
    WaiterDuringPublishEnv env(lock, ForMutant(m, /*expect_timeout=*/m == Mutant::kNone));
    auto holder = DirLock::Acquire(&env, lock, ForMutant(m, /*expect_timeout=*/false));
    ASSERT_TRUE(holder.ok()) << holder.status().ToString();
    ASSERT_TRUE(env.waiter_result.has_value());
    auto& waiter = *env.waiter_result;
    if (m == Mutant::kNone) {
      EXPECT_EQ(waiter.status().code(), Code::kLockTimeout) << "no owner record yet: the grace applies";
      EXPECT_NE(waiter.status().message().find("no owner file"), std::string::npos) << waiter.status().message();
      EXPECT_TRUE((*holder)->VerifyHeld().ok());
    } else {
      ASSERT_TRUE(waiter.ok()) << "an empty record was broken at once: " << waiter.status().ToString();
      EXPECT_TRUE((*waiter)->VerifyHeld().ok());
      EXPECT_EQ((*holder)->VerifyHeld().code(), Code::kLockLost)
          << "the holder believes it holds a lock that is gone: two holders";
      (void)(*waiter)->Release();
    }
  }
}

TEST(DirLockMutantTest, ReleaseAnyDeletesTheNextHoldersLock) {
  for (Mutant m : {Mutant::kNone, Mutant::kReleaseAny}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string lock = dir.Join("f.lock");
    auto mine = DirLock::Acquire(Env::Default(), lock, ForMutant(m, /*expect_timeout=*/false));
    ASSERT_TRUE(mine.ok());
    // Our lock is stolen (moved aside) and another process takes the path.
    ASSERT_EQ(::rename(lock.c_str(), dir.Join("stolen").c_str()), 0);
    pid_t next = SpawnSleeper();
    ForgeLock(lock, std::to_string(next), IdentityFor(next, 0));
    Status s = (*mine)->Release();
    if (m == Mutant::kNone) {
      EXPECT_EQ(s.code(), Code::kLockLost);
      EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), next) << "the next holder's lock is intact";
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_FALSE(std::filesystem::exists(lock)) << "the next holder's lock was removed";
    }
    Kill(next);
  }
}

// pid-only: an owner record naming a live process that is not its writer.
struct ForgedIdentityCase {
  const char* name;
  uint64_t tick_offset;
  const char* boot;
};

class PidOnlyTest : public ::testing::TestWithParam<ForgedIdentityCase> {};

TEST_P(PidOnlyTest, KeepsTheLockOfARecycledPid) {
  for (Mutant m : {Mutant::kNone, Mutant::kPidOnly}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string lock = dir.Join("f.lock");
    pid_t unrelated = SpawnSleeper();
    ForgeLock(lock, std::to_string(unrelated), IdentityFor(unrelated, GetParam().tick_offset, GetParam().boot));
    auto held = DirLock::Acquire(Env::Default(), lock, ForMutant(m, /*expect_timeout=*/m == Mutant::kPidOnly));
    if (m == Mutant::kNone) {
      EXPECT_TRUE(held.ok()) << held.status().ToString();
    } else {
      ASSERT_EQ(held.status().code(), Code::kLockTimeout);
      EXPECT_NE(held.status().message().find("alive (identity unverifiable)"), std::string::npos)
          << held.status().message();
      EXPECT_EQ(ParseOwnerPid(testing::ReadFileOrDie(lock + "/owner")), unrelated);
    }
    Kill(unrelated);
  }
}

INSTANTIATE_TEST_SUITE_P(Forgeries, PidOnlyTest,
                         ::testing::Values(ForgedIdentityCase{"OtherStartTime", 1, ""},
                                           ForgedIdentityCase{"OtherBoot", 0, "00000000-old-boot"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace lockharness::protocol
