#include "lockharness/bench/lock_strategy.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "lockharness/bench/scratch_dir.h"

namespace lockharness::bench {
namespace {

namespace fs = std::filesystem;

TEST(LockKindNames, RoundTripAndRejectUnknown) {
  for (LockKind kind : AllLockKinds()) {
    auto parsed = ParseLockKind(LockKindName(kind));
    ASSERT_TRUE(parsed.has_value()) << LockKindName(kind);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(ParseLockKind("none"), LockKind::kNone);
  EXPECT_EQ(ParseLockKind("ours-queue"), LockKind::kOursQueue);
  EXPECT_EQ(std::string(LockKindName(LockKind::kOursQueue)), "ours-queue");
  EXPECT_FALSE(ParseLockKind("mutex").has_value());
  EXPECT_EQ(AllLockKinds().size(), 5u);  // kNone is no contender, kOursQueue an experiment
}

// The path whose existence shows the lock is held, for the kinds whose lock
// is a directory entry.
std::string MarkerOf(LockKind kind, const std::string& file) {
  switch (kind) {
    case LockKind::kOurs:
    case LockKind::kOursQueue:
    case LockKind::kSeed: return file + ".lock";
    case LockKind::kExcl: return file + ".excl";
    default: return "";
  }
}

TEST(LockStrategy, PathLocksExistWhileHeldAndVanishOnRelease) {
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string file = dir.path() + "/registry.json";
  for (LockKind kind : {LockKind::kOurs, LockKind::kOursQueue, LockKind::kSeed, LockKind::kExcl}) {
    SCOPED_TRACE(LockKindName(kind));
    auto lock = MakeLockStrategy(kind, file);
    ASSERT_TRUE(lock->Acquire().ok());
    EXPECT_TRUE(fs::exists(MarkerOf(kind, file)));
    ASSERT_TRUE(lock->Release().ok());
    EXPECT_FALSE(fs::exists(MarkerOf(kind, file)));
    // And again: a release leaves nothing that blocks the next acquisition.
    ASSERT_TRUE(lock->Acquire().ok());
    ASSERT_TRUE(lock->Release().ok());
  }
}

TEST(LockStrategy, SeedRecipeWritesItsPidIntoTheOwnerFile) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  auto lock = MakeLockStrategy(LockKind::kSeed, file);
  ASSERT_TRUE(lock->Acquire().ok());
  std::ifstream owner(file + ".lock/owner");
  std::string pid;
  owner >> pid;
  EXPECT_EQ(pid, std::to_string(::getpid()));
  ASSERT_TRUE(lock->Release().ok());
}

TEST(LockStrategy, SeedRecipeReapsALockOlderThanTenSeconds) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  ASSERT_EQ(::mkdir((file + ".lock").c_str(), 0700), 0);
  struct timespec old[2];
  ::clock_gettime(CLOCK_REALTIME, &old[0]);
  old[0].tv_sec -= 11;
  old[1] = old[0];
  ASSERT_EQ(::utimensat(AT_FDCWD, (file + ".lock").c_str(), old, 0), 0);
  auto lock = MakeLockStrategy(LockKind::kSeed, file);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(lock->Acquire().ok());
  // Reaped at once, without a 100 ms retry sleep (generous bound).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
  ASSERT_TRUE(lock->Release().ok());
}

TEST(LockStrategy, SeedRecipeWaitsInWholeRetrySleepsForAFreshLock) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  ASSERT_EQ(::mkdir((file + ".lock").c_str(), 0700), 0);
  auto lock = MakeLockStrategy(LockKind::kSeed, file);
  // The releaser waits 50 ms so that Acquire() has surely made its first
  // attempt (and found the lock held) by then, even on a loaded machine.
  auto start = std::chrono::steady_clock::now();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::rmdir((file + ".lock").c_str());
  });
  Status s = lock->Acquire();
  auto waited = std::chrono::steady_clock::now() - start;
  releaser.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Released after 50 ms, but the recipe only looks again after 100 ms.
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  ASSERT_TRUE(lock->Release().ok());
}

TEST(LockStrategy, FlockExcludesAnotherOpenFileDescription) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  auto lock = MakeLockStrategy(LockKind::kFlock, file);
  ASSERT_TRUE(lock->Acquire().ok());
  int other = ::open((file + ".flock").c_str(), O_RDWR);
  ASSERT_GE(other, 0);
  EXPECT_NE(::flock(other, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(errno, EWOULDBLOCK);
  ASSERT_TRUE(lock->Release().ok());
  EXPECT_EQ(::flock(other, LOCK_EX | LOCK_NB), 0);
  ::close(other);
}

TEST(LockStrategy, OfdLockExcludesAnotherOpenFileDescriptionInTheSameProcess) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  auto lock = MakeLockStrategy(LockKind::kOfd, file);
  ASSERT_TRUE(lock->Acquire().ok());
  int other = ::open((file + ".ofd").c_str(), O_RDWR);
  ASSERT_GE(other, 0);
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  EXPECT_NE(::fcntl(other, F_OFD_SETLK, &fl), 0);  // a classic POSIX lock would not conflict here
  EXPECT_EQ(errno, EAGAIN);
  ASSERT_TRUE(lock->Release().ok());
  EXPECT_EQ(::fcntl(other, F_OFD_SETLK, &fl), 0);
  ::close(other);
}

TEST(LockStrategy, ExclusiveFileWaitsForTheHolderToUnlink) {
  ScratchDir dir;
  const std::string file = dir.path() + "/registry.json";
  std::ofstream(file + ".excl") << "1";
  // The clock starts before the releaser does: the unlink then comes at
  // least 30 ms after `start`, however late this thread gets to Acquire().
  auto start = std::chrono::steady_clock::now();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ::unlink((file + ".excl").c_str());
  });
  auto lock = MakeLockStrategy(LockKind::kExcl, file);
  Status s = lock->Acquire();
  auto waited = std::chrono::steady_clock::now() - start;
  releaser.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(waited, std::chrono::milliseconds(30));
  ASSERT_TRUE(lock->Release().ok());
}

TEST(LockStrategy, MissingDirectoryIsAnIoErrorNotAHang) {
  const std::string file = "/nonexistent-lockharness-dir/registry.json";
  for (LockKind kind : AllLockKinds()) {
    SCOPED_TRACE(LockKindName(kind));
    Status s = MakeLockStrategy(kind, file)->Acquire();
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.code(), protocol::Code::kIoError) << s.ToString();
    EXPECT_EQ(s.err(), ENOENT) << s.ToString();
  }
}

}  // namespace
}  // namespace lockharness::bench
