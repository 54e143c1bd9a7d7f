// Tests of the experimental wait queue (LockOptions::wait_queue): waiters
// queue in flock on `<lock>.queue` while the mkdir lock stays the lock.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "lockharness/protocol/dir_lock.h"
#include "test_util.h"

namespace lockharness::protocol {
namespace {

using namespace std::chrono_literals;
using testing::Spawn;
using testing::TempDir;
using testing::WaitFor;

LockOptions Queued(std::chrono::milliseconds timeout) {
  LockOptions o;
  o.timeout = timeout;
  o.wait_queue = true;
  return o;
}

// Whether some open file description holds the flock on `path` now.
bool FlockHeld(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // drops the probe's own flock, if it got one
  return held;
}

// Polls `condition` every 2 ms for up to `limit`.
template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds limit = 20000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

// Records what the lock's queue told it: how often a wait for the turn ended
// without it, and whether it got the turn.
class RecordingEnv : public ForwardingEnv {
 public:
  RecordingEnv() : ForwardingEnv(Env::Default()) {}
  std::atomic<int> waits_without_turn{0};
  std::atomic<bool> got_turn{false};

  StatusOr<std::unique_ptr<WaitQueue>> JoinWaitQueue(const std::string& path) override {
    auto queue = ForwardingEnv::JoinWaitQueue(path);
    if (!queue.ok()) return queue;
    return std::unique_ptr<WaitQueue>(new Recorded(std::move(queue).value(), this));
  }

 private:
  class Recorded : public WaitQueue {
   public:
    Recorded(std::unique_ptr<WaitQueue> inner, RecordingEnv* env) : inner_(std::move(inner)), env_(env) {}
    bool WaitForTurn(std::chrono::nanoseconds timeout) override {
      bool turn = inner_->WaitForTurn(timeout);
      if (turn) {
        env_->got_turn = true;
      } else {
        ++env_->waits_without_turn;
      }
      return turn;
    }

   private:
    std::unique_ptr<WaitQueue> inner_;
    RecordingEnv* env_;
  };
};

TEST(DirLockQueueTest, WaiterTakesTheLockAfterReleaseAndLeavesTheQueue) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  auto first = DirLock::Acquire(Env::Default(), lock, Queued(2000ms));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::thread releaser([&] {
    std::this_thread::sleep_for(50ms);
    (void)(*first)->Release();
  });
  auto second = DirLock::Acquire(Env::Default(), lock, Queued(5000ms));
  releaser.join();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // It queued (the side file is there, a regular file kept for the next
  // waiters) and left the queue as soon as it held the lock.
  struct stat st;
  ASSERT_EQ(::lstat((lock + kWaitQueueSuffix).c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_FALSE(FlockHeld(lock + kWaitQueueSuffix));
  EXPECT_TRUE((*second)->Release().ok());
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"f.lock.queue"});
}

// The brief of the queue: a waiter that dies while at the head of the queue
// frees its place at once (the kernel drops its flock), so the next waiter
// takes its turn while the lock is still held, not by a later re-check.
TEST(DirLockQueueTest, KilledHeadOfTheQueueLetsTheNextWaiterTakeItsTurn) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  const std::string queue = lock + kWaitQueueSuffix;
  auto held = DirLock::Acquire(Env::Default(), lock, Queued(2000ms));
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  pid_t head = Spawn([&] {
    auto mine = DirLock::Acquire(Env::Default(), lock, Queued(60000ms));
    return mine.ok() ? 0 : 1;
  });
  if (!Eventually([&] { return FlockHeld(queue); })) {
    ::kill(head, SIGKILL);
    WaitFor(head);
    FAIL() << "the first waiter never reached the queue's head";
  }

  RecordingEnv env;
  StatusOr<std::unique_ptr<DirLock>> next = Status::IoError("not run", lock, 0);
  std::thread waiter([&] { next = DirLock::Acquire(&env, lock, Queued(20000ms)); });
  EXPECT_TRUE(Eventually([&] { return env.waits_without_turn.load() > 0; })) << "the next waiter did not queue";
  EXPECT_FALSE(env.got_turn.load()) << "the next waiter got the turn while the head was alive";

  ::kill(head, SIGKILL);
  EXPECT_EQ(WaitFor(head), 128 + SIGKILL);
  EXPECT_TRUE(Eventually([&] { return env.got_turn.load(); })) << "a dead waiter kept the queue";
  EXPECT_TRUE(std::filesystem::exists(lock)) << "the turn came from the queue, not from a free lock";

  EXPECT_TRUE((*held)->Release().ok());
  waiter.join();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE((*next)->Release().ok());
}

// A head that never leaves (stopped, or any process holding the side flock)
// delays the others by one re-check at most, and never past their deadline.
TEST(DirLockQueueTest, StuckHeadOfTheQueueBlocksNobody) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  int stuck = ::open((lock + kWaitQueueSuffix).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(stuck, 0);
  ASSERT_EQ(::flock(stuck, LOCK_EX), 0);

  // A free lock is taken at once: mkdir comes before the queue.
  auto free_lock = DirLock::Acquire(Env::Default(), lock, Queued(2000ms));
  ASSERT_TRUE(free_lock.ok()) << free_lock.status().ToString();

  // A released lock is seen by the queued waiter's re-checks.
  std::thread releaser([&] {
    std::this_thread::sleep_for(50ms);
    (void)(*free_lock)->Release();
  });
  auto start = std::chrono::steady_clock::now();
  auto after_release = DirLock::Acquire(Env::Default(), lock, Queued(10000ms));
  releaser.join();
  ASSERT_TRUE(after_release.ok()) << after_release.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5000ms);  // generous: about 50 ms + one re-check

  // A lock that stays taken: the deadline holds although the turn never comes.
  start = std::chrono::steady_clock::now();
  auto timed_out = DirLock::Acquire(Env::Default(), lock, Queued(300ms));
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.status().code(), Code::kLockTimeout) << timed_out.status().ToString();
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 5000ms);
  EXPECT_TRUE((*after_release)->Release().ok());
  ::close(stuck);
}

// A waiter that gave up while its flock request was pending must not take
// the queue's turn later and keep it: the grant is dropped at once.
TEST(DirLockQueueTest, WithdrawnRequestDropsALateGrant) {
  TempDir dir;
  const std::string path = dir.Join("q");
  int holder = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(holder, 0);
  ASSERT_EQ(::flock(holder, LOCK_EX), 0);
  {
    auto queue = Env::Default()->JoinWaitQueue(path);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    EXPECT_FALSE((*queue)->WaitForTurn(20ms));
  }                 // withdrawn while its flock thread still blocks
  ::close(holder);  // that thread is granted the flock now, and must drop it
  EXPECT_TRUE(Eventually([&] { return !FlockHeld(path); })) << "a withdrawn request kept the turn";
}

// Mutual exclusion with queued waiters and seed-style writers side by side
// (the seed's recipe never looks at the side file): a marker created with
// O_EXCL inside the lock fails if two holders are ever inside at once.
TEST(DirLockQueueTest, QueuedAndSeedStyleWritersNeverHoldTheLockAtOnce) {
  TempDir dir;
  const std::string lock = dir.Join("f.lock");
  const std::string inside = dir.Join("inside");
  auto critical_section = [&]() -> bool {
    int fd = ::open(inside.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd < 0) return false;
    ::close(fd);
    std::this_thread::sleep_for(200us);
    return ::unlink(inside.c_str()) == 0;
  };
  std::vector<pid_t> kids;
  for (int p = 0; p < 4; ++p) {
    kids.push_back(Spawn([&] {
      for (int i = 0; i < 40; ++i) {
        auto held = DirLock::Acquire(Env::Default(), lock, Queued(30000ms));
        if (!held.ok()) return 1;
        if (!critical_section()) return 2;
        if (!(*held)->Release().ok()) return 3;
      }
      return 0;
    }));
  }
  for (int p = 0; p < 2; ++p) {
    kids.push_back(Spawn([&] {
      const std::string pid = std::to_string(::getpid());
      for (int i = 0; i < 20;) {
        if (::mkdir(lock.c_str(), 0777) != 0) {
          if (errno != EEXIST) return 4;
          std::this_thread::sleep_for(2ms);  // the seed sleeps 100 ms; shorter to finish soon
          continue;
        }
        testing::WriteFileOrDie(lock + "/owner", pid);
        if (!critical_section()) return 5;
        ::unlink((lock + "/owner").c_str());
        if (::rmdir(lock.c_str()) != 0) return 6;
        ++i;
      }
      return 0;
    }));
  }
  for (pid_t k : kids) EXPECT_EQ(WaitFor(k), 0);
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"f.lock.queue"});
}

}  // namespace
}  // namespace lockharness::protocol
