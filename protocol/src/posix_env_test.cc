// Tests of the POSIX Env's directory watcher: watchers are pooled per
// process and per directory (closing an inotify descriptor is slow), and a
// pooled one must behave as a fresh one.

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "lockharness/protocol/env.h"
#include "test_util.h"

namespace lockharness::protocol {
namespace {

using std::chrono::milliseconds;
using testing::TempDir;

// How long `watcher->Wait(limit)` takes when `name` in `dir` is removed
// `after` from now by another thread.
milliseconds TimeToWake(DirWatcher* watcher, const std::string& path, milliseconds after, milliseconds limit) {
  std::thread remover([&] {
    std::this_thread::sleep_for(after);
    ::rmdir(path.c_str());
  });
  auto start = std::chrono::steady_clock::now();
  watcher->Wait(limit);
  auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  remover.join();
  return took;
}

TEST(PosixEnvWatchTest, PooledWatcherWakesOnDeletion) {
  TempDir dir;
  Env* env = Env::Default();
  const std::string lock = dir.Join("f.lock");
  for (int round = 0; round < 3; ++round) {  // round 0 makes the watch, later rounds reuse it
    ASSERT_EQ(::mkdir(lock.c_str(), 0700), 0);
    auto watcher = env->WatchDir(dir.path(), "f.lock");
    ASSERT_NE(watcher, nullptr);
    // Generous bounds for a loaded machine: a wake-up by the event, not the 10 s limit.
    EXPECT_LT(TimeToWake(watcher.get(), lock, milliseconds(50), milliseconds(10000)), milliseconds(5000))
        << "round " << round;
  }
}

TEST(PosixEnvWatchTest, DirectoryMadeAgainAtTheSamePathGetsAFreshWatch) {
  TempDir parent;
  Env* env = Env::Default();
  const std::string dir = parent.Join("d");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  { auto first = env->WatchDir(dir, "f.lock"); }  // pooled, watching the first d
  ASSERT_EQ(::rmdir(dir.c_str()), 0);
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  const std::string lock = dir + "/f.lock";
  ASSERT_EQ(::mkdir(lock.c_str(), 0700), 0);
  auto watcher = env->WatchDir(dir, "f.lock");
  ASSERT_NE(watcher, nullptr);
  // A watch on the removed directory would never fire: the wait would last the full 10 s.
  EXPECT_LT(TimeToWake(watcher.get(), lock, milliseconds(50), milliseconds(10000)), milliseconds(5000));
}

TEST(PosixEnvWatchTest, TwoWatchersOfOneDirectoryAtOnceBothWake) {
  TempDir dir;
  Env* env = Env::Default();
  { auto pooled = env->WatchDir(dir.path(), "f.lock"); }
  const std::string lock = dir.Join("f.lock");
  ASSERT_EQ(::mkdir(lock.c_str(), 0700), 0);
  auto a = env->WatchDir(dir.path(), "f.lock");  // takes the pooled one
  auto b = env->WatchDir(dir.path(), "f.lock");  // must not share it
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_LT(TimeToWake(a.get(), lock, milliseconds(50), milliseconds(10000)), milliseconds(5000));
  auto start = std::chrono::steady_clock::now();
  b->Wait(milliseconds(10000));  // the event is queued for b too
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
}

// Open inotify descriptors of this process.
int InotifyDescriptors() {
  int n = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code link_ec;
    if (std::filesystem::read_symlink(entry.path(), link_ec).string() == "anon_inode:inotify") ++n;
  }
  return n;
}

// The cause of issue #15's collapse: a waiter that got the lock closed its
// watcher, and closing an inotify descriptor with a watch blocks for an SRCU
// grace period (10-30 ms) while the lock is held. A watcher is pooled
// instead, and the next wait on the same directory reuses it.
TEST(PosixEnvWatchTest, DestroyingAWatcherKeepsItsDescriptorForTheNextWait) {
  TempDir dir;
  Env* env = Env::Default();
  auto first = env->WatchDir(dir.path(), "f.lock");
  ASSERT_NE(first, nullptr);
  const int open_with_watcher = InotifyDescriptors();
  first.reset();
  EXPECT_EQ(InotifyDescriptors(), open_with_watcher) << "the descriptor was closed";
  auto second = env->WatchDir(dir.path(), "f.lock");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(InotifyDescriptors(), open_with_watcher) << "a new descriptor instead of the pooled one";
}

TEST(PosixEnvWatchTest, MissingDirectoryHasNoWatcher) {
  TempDir dir;
  EXPECT_EQ(Env::Default()->WatchDir(dir.Join("absent"), "f.lock"), nullptr);
}

}  // namespace
}  // namespace lockharness::protocol
