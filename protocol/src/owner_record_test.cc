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

namespace lockharness::protocol {
namespace {

// --- P9/P10: owners in other PID namespaces and on other hosts -----------

// We are PID 50 in namespace 4026531836 on host "m1/alpha", boot "boot-now";
// the test decides what a lookup into another namespace finds.
class NamespaceEnv : public ForwardingEnv {
 public:
  NamespaceEnv() : ForwardingEnv(Env::Default()) {}
  pid_t SelfPid() override { return 50; }
  Liveness ProbeProcess(pid_t pid) override { return pid == 1 || pid == 50 ? Liveness::kAlive : Liveness::kDead; }
  std::optional<ProcessIdentity> IdentityOf(pid_t pid) override {
    ProcessIdentity id{pid, "boot-now", pid == 50 ? 7u : 1u};
    if (pid == 50) {
      id.pid_ns = kOurNs;
      id.host = "m1/alpha";
    }
    return id;  // PID 1 here is our init, started at tick 1
  }
  PidNamespaceLookup LookUpInPidNamespace(uint64_t ns, pid_t pid) override {
    ++lookups;
    looked_up_ns = ns;
    looked_up_pid = pid;
    return lookup;
  }
  static constexpr uint64_t kOurNs = 4026531836;
  PidNamespaceLookup lookup;
  int lookups = 0;
  uint64_t looked_up_ns = 0;
  pid_t looked_up_pid = 0;
};

std::string ForeignIdentity(pid_t pid, const char* boot, uint64_t ticks, uint64_t ns, const char* host) {
  OwnerIdentity id{{pid, boot, ticks}, 1};
  id.process.pid_ns = ns;
  id.process.host = host;
  return FormatIdentity(id);
}

TEST(IdentityTest, RoundTripsNamespaceAndHost) {
  OwnerIdentity id{{1, "boot-1", 5}, 2};
  id.process.pid_ns = 4026532000;
  id.process.host = "0123abcd/box";
  std::string text = FormatIdentity(id);
  EXPECT_NE(text.find("pid_ns=4026532000\n"), std::string::npos);
  EXPECT_NE(text.find("host=0123abcd/box\n"), std::string::npos);
  auto back = ParseIdentity(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->process, id.process);
  EXPECT_FALSE(ParseIdentity("pid=1\nboot_id=b\nstart_ticks=5\ntoken=1\npid_ns=x\n").has_value());
}

// The measured bug: a holder that is PID 1 of its own namespace. Judged by
// our PID 1 (another start time) it looked recycled and was broken.
TEST(ClassifyOwnerTest, OwnerInAnInvisiblePidNamespaceIsNeverJudgedByOurPid) {
  NamespaceEnv env;
  pid_t pid = 0;
  const std::string record = ForeignIdentity(1, "boot-now", 900, 4026532999, "m1/alpha");
  env.lookup.result = PidNamespaceLookup::Result::kInvisible;
  EXPECT_EQ(ClassifyOwner(&env, "1", record, &pid), OwnerState::kOtherPidNamespace);
  EXPECT_EQ(env.looked_up_ns, 4026532999u);
  EXPECT_EQ(env.looked_up_pid, 1);
  EXPECT_TRUE(NeedsLease(OwnerState::kOtherPidNamespace));
  // host-blind (the old behaviour) compares with our PID 1: "recycled".
  EXPECT_EQ(ClassifyOwner(&env, "1", record, &pid, /*pids_are_global=*/true), OwnerState::kRecycled);
}

TEST(ClassifyOwnerTest, OwnerInAVisibleNamespaceIsVerifiedThroughNsPid) {
  NamespaceEnv env;
  pid_t pid = 0;
  const std::string record = ForeignIdentity(1, "boot-now", 900, 4026532999, "m1/alpha");
  env.lookup.result = PidNamespaceLookup::Result::kFound;
  env.lookup.process = ProcessIdentity{31337, "boot-now", 900};
  EXPECT_EQ(ClassifyOwner(&env, "1", record, &pid), OwnerState::kAlive);
  env.lookup.process.start_ticks = 901;
  EXPECT_EQ(ClassifyOwner(&env, "1", record, &pid), OwnerState::kRecycled);
  env.lookup.result = PidNamespaceLookup::Result::kNotRunning;
  EXPECT_EQ(ClassifyOwner(&env, "1", record, &pid), OwnerState::kDead);
}

TEST(ClassifyOwnerTest, OwnerOnAnotherHostNeedsTheLeaseButAnEarlierBootIsStale) {
  NamespaceEnv env;
  pid_t pid = 0;
  EXPECT_EQ(ClassifyOwner(&env, "1", ForeignIdentity(1, "boot-other", 900, 4026532999, "m1/beta"), &pid),
            OwnerState::kOtherHost);
  EXPECT_EQ(env.lookups, 0) << "a PID of another kernel is not looked up at all";
  // Same host identity, another boot id: this host rebooted since.
  EXPECT_EQ(ClassifyOwner(&env, "1", ForeignIdentity(1, "boot-old", 900, 4026531836, "m1/alpha"), &pid),
            OwnerState::kRecycled);
  // An older record without host: judged as before (an earlier boot).
  EXPECT_EQ(ClassifyOwner(&env, "1", Identity(1, "boot-old", 900), &pid), OwnerState::kRecycled);
  EXPECT_EQ(ClassifyOwner(&env, "1", ForeignIdentity(1, "boot-other", 900, 4026532999, "m1/beta"), &pid, true),
            OwnerState::kRecycled)
      << "host-blind";
}

TEST(ClassifyOwnerTest, OwnerInOurNamespaceIsJudgedAsBefore) {
  NamespaceEnv env;
  pid_t pid = 0;
  EXPECT_EQ(ClassifyOwner(&env, "1", ForeignIdentity(1, "boot-now", 1, NamespaceEnv::kOurNs, "m1/alpha"), &pid),
            OwnerState::kAlive);
  EXPECT_EQ(ClassifyOwner(&env, "1", ForeignIdentity(1, "boot-now", 2, NamespaceEnv::kOurNs, "m1/alpha"), &pid),
            OwnerState::kRecycled);
  EXPECT_EQ(env.lookups, 0);
}

}  // namespace
}  // namespace lockharness::protocol
