#include "lockharness/protocol/owner_record.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace lockharness::protocol {
namespace {

TEST(OwnerPidTest, ParsesBareDecimalPids) {
  EXPECT_EQ(ParseOwnerPid("1234"), 1234);
  EXPECT_EQ(ParseOwnerPid("1234\n"), 1234) << "a trailing newline, as echo writes";
  EXPECT_EQ(ParseOwnerPid(" 42 "), 42);
  EXPECT_EQ(ParseOwnerPid(FormatOwnerPid(777)), 777);
}

TEST(OwnerPidTest, RejectsGarbage) {
  for (const char* bad : {"", "\n", "0", "-5", "12ab", "abc", "1 2", "99999999999", "2147483648", "0x10"}) {
    EXPECT_FALSE(ParseOwnerPid(bad).has_value()) << bad;
  }
}

TEST(IdentityTest, RoundTrips) {
  OwnerIdentity id{{1234, "boot-1", 98765}, 0xdeadbeefcafef00dULL};
  auto back = ParseIdentity(FormatIdentity(id));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->process, id.process);
  EXPECT_EQ(back->token, id.token);
}

TEST(IdentityTest, RejectsIncompleteOrGarbled) {
  EXPECT_FALSE(ParseIdentity("pid=1\nboot_id=b\nstart_ticks=5\n").has_value()) << "no token";
  EXPECT_FALSE(ParseIdentity("pid=x\nboot_id=b\nstart_ticks=5\ntoken=1\n").has_value());
  EXPECT_FALSE(ParseIdentity("pid=1\nboot_id=b\nstart_ticks=5\ntoken=1\nfuture=" + std::string(600, '#')).has_value())
      << "longer than kMaxIdentityBytes";
  EXPECT_FALSE(ParseIdentity("garbage").has_value());
  EXPECT_TRUE(ParseIdentity("pid=1\nboot_id=b\nstart_ticks=5\ntoken=1\nfuture=ok\n").has_value());
}

// An Env whose process table the test decides.
class FakeProcessEnv : public ForwardingEnv {
 public:
  FakeProcessEnv() : ForwardingEnv(Env::Default()) {}
  Liveness ProbeProcess(pid_t pid) override { return pid == live_pid ? Liveness::kAlive : Liveness::kDead; }
  std::optional<ProcessIdentity> IdentityOf(pid_t pid) override {
    if (pid == live_pid && proc_visible) return ProcessIdentity{pid, "boot-now", live_ticks};
    if (pid == SelfPid()) return ProcessIdentity{pid, "boot-now", 1};
    return std::nullopt;
  }
  pid_t live_pid = 500;
  uint64_t live_ticks = 100;
  bool proc_visible = true;
};

std::string Identity(pid_t pid, const char* boot, uint64_t ticks) {
  return FormatIdentity(OwnerIdentity{{pid, boot, ticks}, 1});
}

TEST(ClassifyOwnerTest, CoversEveryState) {
  FakeProcessEnv env;
  pid_t pid = 0;
  EXPECT_EQ(ClassifyOwner(&env, "500", Identity(500, "boot-now", 100), &pid), OwnerState::kAlive);
  EXPECT_EQ(pid, 500);
  EXPECT_EQ(ClassifyOwner(&env, "500", Identity(500, "boot-now", 99), &pid), OwnerState::kRecycled);
  EXPECT_EQ(ClassifyOwner(&env, "500", Identity(500, "boot-old", 100), &pid), OwnerState::kRecycled);
  EXPECT_EQ(ClassifyOwner(&env, "500", std::nullopt, &pid), OwnerState::kAliveUnverifiable);
  EXPECT_EQ(ClassifyOwner(&env, "501", Identity(501, "boot-now", 100), &pid), OwnerState::kDead);
  EXPECT_EQ(ClassifyOwner(&env, "501", std::nullopt, &pid), OwnerState::kDead);
  EXPECT_EQ(ClassifyOwner(&env, std::nullopt, std::nullopt, &pid), OwnerState::kNoRecord);
  EXPECT_EQ(ClassifyOwner(&env, "", std::nullopt, &pid), OwnerState::kNoRecord);
  EXPECT_EQ(ClassifyOwner(&env, "junk", Identity(500, "boot-now", 100), &pid), OwnerState::kNoRecord);
}

TEST(ClassifyOwnerTest, IdentityOfAnotherPidIsIgnored) {
  FakeProcessEnv env;
  pid_t pid = 0;
  // The identity names pid 9, the owner file 500: judge 500 by kill alone.
  EXPECT_EQ(ClassifyOwner(&env, "500", Identity(9, "boot-now", 1), &pid), OwnerState::kAliveUnverifiable);
}

TEST(ClassifyOwnerTest, InvisibleProcessFromAnotherBootIsRecycled) {
  FakeProcessEnv env;
  env.proc_visible = false;  // e.g. /proc mounted with hidepid
  pid_t pid = 0;
  EXPECT_EQ(ClassifyOwner(&env, "500", Identity(500, "boot-old", 100), &pid), OwnerState::kRecycled);
  EXPECT_EQ(ClassifyOwner(&env, "500", Identity(500, "boot-now", 100), &pid), OwnerState::kAliveUnverifiable);
}

}  // namespace
}  // namespace lockharness::protocol
