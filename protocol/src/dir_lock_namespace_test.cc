// Locks held across PID namespaces and simulated hosts (docs/protocol.md
// P9-P11), with real namespaces: root only (unshare). Each test forks a
// helper that unshares, and its child, PID 1 of the new namespace with its
// own /proc, takes the lock: exactly the measured bug's holder.

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <optional>

#include "lockharness/protocol/dir_lock.h"
#include "lockharness/protocol/lease.h"
#include "test_util.h"

namespace lockharness::protocol {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kGrace{400};

// Why namespaces cannot be made here, or "" if they can.
std::string WhyNoNamespaces() {
  if (::geteuid() != 0) return "needs root (unshare of PID and mount namespaces)";
  pid_t child = testing::Spawn([] { return ::unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS) == 0 ? 0 : 1; });
  if (testing::WaitFor(child) != 0) return "unshare(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWUTS) fails here";
  return "";
}

#define SKIP_WITHOUT_NAMESPACES()                              \
  do {                                                         \
    std::string why = WhyNoNamespaces();                       \
    if (!why.empty()) GTEST_SKIP() << "not runnable: " << why; \
  } while (0)

// A lock holder in its own PID namespace (and, for a simulated host, its own
// UTS namespace, host name and boot id). It takes the lock, renews its lease
// like RegistryStore does, reports, waits for a byte, then checks that it
// still holds the lock (P1's fence) and releases. Exit: 0 held throughout,
// 6 lock lost, other: setup failure.
class NamespacedHolder {
 public:
  NamespacedHolder(const std::string& lock, bool simulated_host, const std::string& boot_id_file) {
    // Three pipes: the helper sends the holder's PID on `pid_pipe`, the
    // holder its 'R' on `ready` (on one pipe the two writers raced, and the
    // holder's byte could arrive before the PID), the test its 'G' on `go`.
    int pid_pipe[2], ready[2], go[2];
    if (::pipe(pid_pipe) != 0 || ::pipe(ready) != 0 || ::pipe(go) != 0) return;
    helper_ = testing::Spawn([&]() -> int {
      ::close(pid_pipe[0]);
      ::close(ready[0]);
      ::close(go[1]);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int flags = CLONE_NEWPID | CLONE_NEWNS | (simulated_host ? CLONE_NEWUTS : 0);
      if (::unshare(flags) != 0) return 20;
      pid_t init = ::fork();
      if (init < 0) return 21;
      if (init == 0) {
        ::close(pid_pipe[1]);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(22);
        if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) _exit(23);
        if (simulated_host) {
          if (::sethostname("simulated-host", 14) != 0) _exit(24);
          if (::mount(boot_id_file.c_str(), "/proc/sys/kernel/random/boot_id", nullptr, MS_BIND, nullptr) != 0) {
            _exit(25);
          }
        }
        LockOptions options;
        options.timeout = milliseconds(5000);
        options.ownerless_grace = kGrace;
        auto held = DirLock::Acquire(Env::Default(), lock, options);
        if (!held.ok()) _exit(26);
        int code = 0;
        {
          LeaseRenewer lease(Env::Default(), (*held)->dirfd(), lock, LeaseRenewInterval(kGrace));
          char c = 'R';
          if (::write(ready[1], &c, 1) != 1) _exit(27);
          if (::read(go[0], &c, 1) != 1) _exit(28);
          code = (*held)->VerifyHeld().ok() ? 0 : 6;
        }
        (void)(*held)->Release();
        _exit(code);
      }
      ::close(ready[1]);
      if (::write(pid_pipe[1], &init, sizeof init) != sizeof init) return 29;
      ::close(pid_pipe[1]);
      return testing::WaitFor(init);
    });
    ::close(pid_pipe[1]);
    ::close(ready[1]);
    ::close(go[0]);
    go_ = go[1];
    pid_t pid = 0;
    char c = 0;
    const bool got_pid = ::read(pid_pipe[0], &pid, sizeof pid) == sizeof pid;
    if (got_pid && ::read(ready[0], &c, 1) == 1 && c == 'R') holder_ = pid;
    ::close(pid_pipe[0]);
    ::close(ready[0]);
    if (holder_ == 0 && helper_ > 0) {
      // It failed: keep its exit code (20-29 above) for the message. Close
      // `go` first, so a holder that did start ends (code 28) instead of
      // waiting for us while we wait for it.
      ::close(go_);
      go_ = -1;
      start_failure_ = testing::WaitFor(helper_);
      waited_ = true;
    }
  }
  ~NamespacedHolder() {
    if (go_ >= 0) ::close(go_);
    if (helper_ > 0 && !waited_) {
      ::kill(helper_, SIGKILL);
      (void)testing::WaitFor(helper_);
    }
  }
  // Our PID for the holder (0 if it failed to start).
  pid_t holder() const { return holder_; }
  // Why it failed to start: the helper's exit code (see the codes above).
  std::string StartFailure() const { return "helper exit code " + std::to_string(start_failure_); }
  // Lets the holder finish; returns its exit code.
  int Finish() {
    char c = 'G';
    (void)!::write(go_, &c, 1);
    waited_ = true;
    return testing::WaitFor(helper_);
  }

 private:
  pid_t helper_ = -1;
  pid_t holder_ = 0;
  int go_ = -1;
  bool waited_ = false;
  int start_failure_ = -1;
};

LockOptions WaiterOptions(milliseconds timeout) {
  LockOptions options;
  options.timeout = timeout;
  options.ownerless_grace = kGrace;
  return options;
}

// The measured bug: the holder publishes PID 1; our PID 1 is another
// process, and the waiter used to call the holder "recycled" and break a
// live lock. The host sees into its child namespace through NSpid.
TEST(NamespaceLockTest, HostWaiterVerifiesAHolderInAChildPidNamespace) {
  SKIP_WITHOUT_NAMESPACES();
  testing::TempDir dir;
  const std::string lock = dir.Join("reg.json.lock");
  NamespacedHolder holder(lock, /*simulated_host=*/false, "");
  ASSERT_GT(holder.holder(), 0) << "the namespaced holder did not start: " << holder.StartFailure();
  EXPECT_EQ(testing::ReadFileOrDie(lock + "/owner"), "1") << "PID 1 of its namespace";

  auto seen = InspectLock(Env::Default(), lock, WaiterOptions(milliseconds(100)));
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->state, OwnerState::kAlive) << seen->Describe();
  EXPECT_FALSE(seen->breakable);

  LockOptions blind = WaiterOptions(milliseconds(100));
  blind.mutant = Mutant::kHostBlind;
  auto blind_seen = InspectLock(Env::Default(), lock, blind);
  ASSERT_TRUE(blind_seen.ok());
  EXPECT_EQ(blind_seen->state, OwnerState::kRecycled) << "the old behaviour, kept as the host-blind mutant";
  EXPECT_TRUE(blind_seen->breakable);

  auto waiter = DirLock::Acquire(Env::Default(), lock, WaiterOptions(milliseconds(3 * kGrace.count())));
  ASSERT_FALSE(waiter.ok()) << "a live holder's lock was broken";
  EXPECT_EQ(waiter.status().code(), Code::kLockTimeout) << waiter.status().ToString();
  EXPECT_EQ(holder.Finish(), 0) << "the holder lost its lock";
}

// Killed with its namespace: nothing of it is left to look at, so the lock
// falls to the lease and is taken over once it has gone unrenewed.
TEST(NamespaceLockTest, KilledHolderInAPidNamespaceIsTakenOverAfterTheLease) {
  SKIP_WITHOUT_NAMESPACES();
  testing::TempDir dir;
  const std::string lock = dir.Join("reg.json.lock");
  NamespacedHolder holder(lock, false, "");
  ASSERT_GT(holder.holder(), 0);
  ASSERT_EQ(::kill(holder.holder(), SIGKILL), 0);
  EXPECT_EQ(holder.Finish(), 128 + SIGKILL);
  const auto start = std::chrono::steady_clock::now();
  auto taken = DirLock::Acquire(Env::Default(), lock, WaiterOptions(milliseconds(10000)));
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(kGrace.count() * 9 / 10))
      << "broken before the lease could have expired";
  EXPECT_TRUE((*taken)->Release().ok());
}

// A simulated host (own boot id and host name): its PID means nothing here.
// While it renews, its lock is never broken; stopped, it loses the lock after
// the lease, and when it resumes, P1's check tells it so.
TEST(NamespaceLockTest, OtherHostKeepsItsLockWhileRenewingAndIsFencedAfterExpiry) {
  SKIP_WITHOUT_NAMESPACES();
  testing::TempDir dir;
  const std::string lock = dir.Join("reg.json.lock");
  const std::string boot_id = dir.Join("boot_id");
  testing::WriteFileOrDie(boot_id, "00000000-0000-4000-8000-00000000beef\n");
  NamespacedHolder holder(lock, /*simulated_host=*/true, boot_id);
  ASSERT_GT(holder.holder(), 0);

  auto seen = InspectLock(Env::Default(), lock, WaiterOptions(milliseconds(100)));
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->state, OwnerState::kOtherHost) << seen->Describe();
  EXPECT_FALSE(seen->breakable);
  auto waiter = DirLock::Acquire(Env::Default(), lock, WaiterOptions(milliseconds(4 * kGrace.count())));
  ASSERT_FALSE(waiter.ok()) << "broken although the holder renewed its lease";

  ASSERT_EQ(::kill(holder.holder(), SIGSTOP), 0);
  auto taken = DirLock::Acquire(Env::Default(), lock, WaiterOptions(milliseconds(10000)));
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  ASSERT_EQ(::kill(holder.holder(), SIGCONT), 0);
  EXPECT_EQ(holder.Finish(), 6) << "the resumed holder must find its lock lost";
  EXPECT_TRUE((*taken)->Release().ok());
}

}  // namespace
}  // namespace lockharness::protocol
