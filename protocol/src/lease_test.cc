#include "lockharness/protocol/lease.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_util.h"

namespace lockharness::protocol {
namespace {

class ClockEnv : public ForwardingEnv {
 public:
  ClockEnv() : ForwardingEnv(Env::Default()) {}
  int64_t NowMonotonicNs() override { return now; }
  int64_t now = 1000;
};

FileStat Stamp(ino_t ino, int64_t ctime) {
  FileStat st;
  st.dev = 1;
  st.ino = ino;
  st.ctime_ns = ctime;
  st.mtime_ns = ctime;
  return st;
}

TEST(LeaseTest, CountsOnlyTimeObservedWithoutAnyChange) {
  ClockEnv env;
  EXPECT_EQ(ObservedUnchangedNs(&env, Stamp(77, 5)), 0) << "first sight";
  env.now += 300;
  EXPECT_EQ(ObservedUnchangedNs(&env, Stamp(77, 5)), 300);
  EXPECT_EQ(ObservedUnchangedNs(&env, Stamp(78, 5)), 0) << "another lock has its own observation";
  env.now += 200;
  EXPECT_EQ(ObservedUnchangedNs(&env, Stamp(77, 6)), 0) << "a renewal (new ctime) restarts the count";
  env.now += 50;
  EXPECT_EQ(ObservedUnchangedNs(&env, Stamp(77, 6)), 50);
  EXPECT_EQ(ObservedUnchangedNs(&env, Stamp(78, 5)), 250);
}

TEST(LeaseTest, RenewerTouchesTheDirectoryWhileItLives) {
  testing::TempDir dir;
  Env* env = Env::Default();
  auto fd = env->OpenDir(dir.path());
  ASSERT_TRUE(fd.ok());
  auto before = env->StatFd(*fd, dir.path());
  ASSERT_TRUE(before.ok());
  {
    LeaseRenewer lease(env, *fd, dir.path(), std::chrono::milliseconds(5));
    env->SleepFor(std::chrono::milliseconds(60));
  }
  auto renewed = env->StatFd(*fd, dir.path());
  ASSERT_TRUE(renewed.ok());
  EXPECT_GT(renewed->ctime_ns, before->ctime_ns);
  env->SleepFor(std::chrono::milliseconds(30));
  auto after = env->StatFd(*fd, dir.path());
  EXPECT_EQ(after->ctime_ns, renewed->ctime_ns) << "no renewal once the renewer is gone";
  (void)env->CloseDir(*fd);
  EXPECT_EQ(LeaseRenewInterval(std::chrono::milliseconds(400)), std::chrono::milliseconds(100));
  EXPECT_EQ(LeaseRenewInterval(std::chrono::milliseconds(0)), std::chrono::milliseconds(1));
}

}  // namespace
}  // namespace lockharness::protocol
