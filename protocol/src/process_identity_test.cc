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
