// Tests of the POSIX Env's directory watcher: watchers are pooled per
// process and per directory (closing an inotify descriptor is slow), and a
// pooled one must behave as a fresh one.

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
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

TEST(PosixEnvWatchTest, MissingDirectoryHasNoWatcher) {
  TempDir dir;
  EXPECT_EQ(Env::Default()->WatchDir(dir.Join("absent"), "f.lock"), nullptr);
}

}  // namespace
}  // namespace lockharness::protocol
