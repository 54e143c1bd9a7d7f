#include "lockharness/protocol/process_identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "test_util.h"

namespace lockharness::protocol {
namespace {

TEST(ProcessIdentityTest, ParsesStartTicksPastAnAwkwardCommandName) {
  std::string stat = "123 (a) b) (c) S 1 123 123 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
  EXPECT_EQ(ParseStartTicks(stat), 987654u);
  EXPECT_FALSE(ParseStartTicks("123 (x) S 1 2").has_value());
  EXPECT_FALSE(ParseStartTicks("garbage").has_value());
}

TEST(ProcessIdentityTest, ReadsThisProcessAndTellsAChildApart) {
  auto self = ReadProcessIdentity(::getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_FALSE(self->boot_id.empty());
  EXPECT_GT(self->start_ticks, 0u);
  EXPECT_EQ(ReadProcessIdentity(::getpid()), self) << "stable for one process";
  EXPECT_FALSE(ReadProcessIdentity(testing::DeadPid()).has_value());
}

}  // namespace
}  // namespace lockharness::protocol

namespace lockharness::protocol {
namespace {

TEST(ProcessIdentityTest, SelfIdentityNamesOurPidNamespaceAndHost) {
  auto self = ReadSelfIdentity();
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(self->pid, ::getpid());
  EXPECT_NE(self->pid_ns, 0u);
  EXPECT_FALSE(self->host.empty());
  EXPECT_EQ(self->start_ticks, ReadProcessIdentity(::getpid())->start_ticks);
}

TEST(ProcessIdentityTest, ParsesTheInnermostNsPid) {
  EXPECT_EQ(ParseInnermostNsPid("Name:\tx\nNSpid:\t4242\t17\t1\nNSpgid:\t1\n"), 1);
  EXPECT_EQ(ParseInnermostNsPid("NSpid:\t4242\n"), 4242);
  EXPECT_FALSE(ParseInnermostNsPid("Name:\tx\n").has_value());
  EXPECT_FALSE(ParseInnermostNsPid("NSpid:\t\n").has_value());
  EXPECT_FALSE(ParseInnermostNsPid("NSpid:\tx1\n").has_value());
}

TEST(ProcessIdentityTest, FindsThisProcessInItsOwnNamespace) {
  auto self = ReadSelfIdentity();
  ASSERT_TRUE(self.has_value());
  PidNamespaceLookup found = LookUpInPidNamespace(self->pid_ns, ::getpid());
  ASSERT_EQ(found.result, PidNamespaceLookup::Result::kFound);
  EXPECT_EQ(found.process.pid, ::getpid());
  EXPECT_EQ(found.process.start_ticks, self->start_ticks);
  if (::geteuid() == 0) {
    // Root reads every process's namespace, so a free PID is known free.
    EXPECT_EQ(LookUpInPidNamespace(self->pid_ns, testing::DeadPid()).result, PidNamespaceLookup::Result::kNotRunning);
  }
  EXPECT_EQ(LookUpInPidNamespace(12345, 1).result, PidNamespaceLookup::Result::kInvisible)
      << "no process is in a namespace with inode 12345";
}

}  // namespace
}  // namespace lockharness::protocol
