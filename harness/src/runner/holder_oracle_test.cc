#include "src/runner/holder_oracle.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace lockharness::harness::runner {
namespace {

TEST(ParseProcLocks, ReadsGrantedLocksAndSkipsWaiters) {
  const auto entries = ParseProcLocks(
      "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF\n"
      "1: -> FLOCK  ADVISORY  WRITE 4243 08:01:1234 0 EOF\n"
      "2: POSIX  ADVISORY  READ 77 00:2f:99 0 EOF\n"
      "3: OFDLCK ADVISORY  WRITE -1 fd:00:5 0 EOF\n"
      "garbage\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].kind, "FLOCK");
  EXPECT_TRUE(entries[0].write);
  EXPECT_EQ(entries[0].pid, 4242);
  EXPECT_EQ(entries[0].major, 8u);
  EXPECT_EQ(entries[0].minor, 1u);
  EXPECT_EQ(entries[0].inode, 1234u);
  EXPECT_FALSE(entries[1].write);
  EXPECT_EQ(entries[1].minor, 0x2fu);
  EXPECT_EQ(entries[2].pid, -1);
  EXPECT_EQ(entries[2].major, 0xfdu);
}

TEST(ParseProcLocks, SeesThisProcessFlock) {
  char tmpl[] = "/tmp/lh-oracle-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string lock = std::string(tmpl) + "/r.json.lock";
  const int fd = ::open(lock.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  struct stat st;
  ASSERT_EQ(::fstat(fd, &st), 0);
  std::ifstream in("/proc/locks");
  std::stringstream text;
  text << in.rdbuf();
  bool found = false;
  for (const KernelLockEntry& e : ParseProcLocks(text.str())) {
    found |= e.kind == "FLOCK" && e.write && e.pid == ::getpid() &&
             e.inode == static_cast<uint64_t>(st.st_ino) && e.major == major(st.st_dev) &&
             e.minor == minor(st.st_dev);
  }
  EXPECT_TRUE(found);
  ::close(fd);
  ::unlink(lock.c_str());
  ::rmdir(tmpl);
}

TEST(OurProcess, AHolderSeenHereHasOnePid) {
  // A holder found in the trace or /proc/locks is named by its PID here:
  // owner_pid and process agree (the nemesis's report would otherwise
  // describe it as living in another PID namespace).
  LiveProcesses live(2);
  live.Started(1, ::getpid());
  const std::optional<LockHolder> holder = OurProcess(::getpid(), live);
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->writer, 1);
  EXPECT_EQ(holder->pid, ::getpid());
  EXPECT_EQ(holder->owner_pid, ::getpid());
  EXPECT_EQ(holder->process, ::getpid());
  EXPECT_FALSE(OurProcess(::getppid(), live).has_value());
}

TEST(HolderOracle, FindsAFlockWhoseTakerExited) {
  // flock(1) -w 9 in a shell: a helper takes the flock on a descriptor the
  // shell keeps, and exits. /proc/locks still names the helper; the lock is
  // this process's, through its descriptor.
  char tmpl[] = "/tmp/lh-oracle-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string registry = std::string(tmpl) + "/r.json";
  const std::string lock = registry + ".lock";
  const int fd = ::open(lock.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  LiveProcesses live(2);
  live.Started(1, ::getpid());
  HolderOracle oracle(lock, registry, "");
  EXPECT_FALSE(oracle.Find(live).has_value());  // open, not locked
  struct stat st;
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_FALSE(DescriptorHolder(live, ::getpid(), major(st.st_dev), minor(st.st_dev),
                                static_cast<uint64_t>(st.st_ino))
                   .has_value());

  const pid_t helper = ::fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) _exit(::flock(fd, LOCK_EX) == 0 ? 0 : 1);
  int status = 0;
  ASSERT_EQ(::waitpid(helper, &status, 0), helper);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  const std::optional<OracleHolder> found = oracle.Find(live);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->source, "kernel");
  EXPECT_TRUE(found->kernel_lock);
  EXPECT_EQ(found->holder.writer, 1);
  EXPECT_EQ(found->holder.pid, ::getpid());

  ::close(fd);  // the last descriptor: the lock is gone
  EXPECT_FALSE(oracle.Find(live).has_value());
  ::unlink(lock.c_str());
  ::rmdir(tmpl);
}

}  // namespace
}  // namespace lockharness::harness::runner
