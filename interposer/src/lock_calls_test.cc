// End-to-end tests of the lock-call tracing (lock_calls.cc, the open flags
// and the fork/exit lines in preload.cc): a C driver, Python and shell
// programs lock a file under LD_PRELOAD, and the trace must say what they
// asked for, on which path class, in which process.

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockharness/interposer/trace_reader.h"
#include "test_process.h"

namespace lockharness::interposer {
namespace {

using ::lockharness::interposer::testing::ProcessResult;
using ::lockharness::interposer::testing::RunProcess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LockCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lh-lockcalls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    registry_ = dir_ + "/sandboxes.json";
    lock_ = registry_ + ".lock";
    trace_ = dir_ + "/trace.jsonl";
  }
  void TearDown() override { RunProcess({"rm", "-rf", dir_}, {}); }

  std::vector<std::string> Env(const std::string& extra = "") const {
    std::vector<std::string> env = {std::string("LD_PRELOAD=") + LH_PRELOAD_LIB,
                                    "LOCKHARNESS_REGISTRY=" + registry_,
                                    "LOCKHARNESS_TRACE=" + trace_};
    if (!extra.empty()) env.push_back(extra);
    return env;
  }

  ProcessResult Driver(const std::string& mode,
                       const std::string& extra_env = "") {
    return RunProcess({LH_LOCK_DRIVER, mode, lock_, registry_}, Env(extra_env));
  }

  std::vector<TraceEvent> Events() const {
    std::string error;
    std::optional<Trace> trace = ReadTraceFile(trace_, &error);
    EXPECT_TRUE(trace) << error;
    std::vector<TraceEvent> events;
    if (trace) {
      for (TraceEventRef e : *trace) events.push_back(e.ToEvent());
    }
    return events;
  }

  // "call class kind op wait" of every lock line.
  std::vector<std::string> LockLines() const {
    std::vector<std::string> out;
    for (const TraceEvent& e : Events()) {
      if (e.type != TraceEvent::Type::kCall ||
          e.point.rfind("lh/lock/", 0) != 0)
        continue;
      out.push_back(e.call + " " + e.path_class + " " + e.lock_kind + " " +
                    e.lock_op + (e.lock_wait ? " wait" : " nowait") +
                    (e.result < 0 ? " " + e.error : ""));
    }
    return out;
  }

  std::string dir_, registry_, lock_, trace_;
};

TEST_F(LockCallsTest, OpenFlagsShowExclusiveCreation) {
  ProcessResult r = Driver("excl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> opens;
  for (const TraceEvent& e : Events()) {
    if (e.point == "lh/open/lock") {
      opens.push_back(e.open_flags + (e.result < 0 ? " " + e.error : " ok"));
    }
  }
  EXPECT_THAT(opens, ElementsAre("O_WRONLY|O_CREAT|O_EXCL ok",
                                 "O_WRONLY|O_CREAT|O_EXCL EEXIST"));
}

TEST_F(LockCallsTest, FlockRequestsAreTraced) {
  ProcessResult r = Driver("flock");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(LockLines(), ElementsAre("flock lock flock exclusive wait",
                                       "flock lock flock unlock nowait",
                                       "flock lock flock exclusive nowait"));
}

TEST_F(LockCallsTest, FcntlRecordAndOfdLocksAreTracedAndOtherCommandsAreNot) {
  ProcessResult r = Driver("fcntl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(LockLines(), ElementsAre("fcntl lock posix exclusive wait",
                                       "fcntl lock posix unlock nowait",
                                       "fcntl lock ofd shared nowait",
                                       "fcntl lock ofd unlock wait",
                                       "fcntl lock posix exclusive nowait"));
  // Both closes are traced: the first (of another descriptor) is the one
  // that drops the record lock.
  int closes = 0;
  for (const TraceEvent& e : Events()) closes += e.point == "lh/close/lock";
  EXPECT_EQ(closes, 2);
}

TEST_F(LockCallsTest, LockfOnTheRegistryIsTracedAsPosix) {
  ProcessResult r = Driver("lockf");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(LockLines(),
              ElementsAre("lockf registry posix exclusive wait",
                          "lockf registry posix unlock nowait",
                          "lockf registry posix exclusive nowait"));
}

TEST_F(LockCallsTest, LinkOntoTheLockPathIsTraced) {
  ProcessResult r = Driver("link");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int links = 0;
  for (const TraceEvent& e : Events()) {
    if (e.point == "lh/link/lock") {
      ++links;
      EXPECT_EQ(e.path, lock_);
      EXPECT_EQ(e.from_class, "quarantine");  // R.lock.tmp.<pid>
    }
  }
  EXPECT_EQ(links, 1);
}

TEST_F(LockCallsTest, ForkedChildSaysWhoseItIsAndExitsAreTraced) {
  ProcessResult r = Driver("fork");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int parent = 0, child = 0, exits = 0;
  bool child_wrote = false;
  for (const TraceEvent& e : Events()) {
    if (e.type == TraceEvent::Type::kHello) parent = e.pid;
    if (e.type == TraceEvent::Type::kFork) {
      child = e.pid;
      EXPECT_EQ(e.ppid, parent);
    }
    if (e.type == TraceEvent::Type::kExit) ++exits;
    if (e.point == "lh/open/registry" && e.pid == child && child != 0)
      child_wrote = true;
  }
  EXPECT_NE(child, 0);
  EXPECT_NE(child, parent);
  EXPECT_TRUE(child_wrote);
  EXPECT_EQ(exits, 2);  // the child's exit() and the parent's
}

TEST_F(LockCallsTest, LockCallsCanBeFaulted) {
  ProcessResult r =
      Driver("flock", "LOCKHARNESS_FAULTS=lh/lock/lock=errno:EAGAIN,once");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("flock EX failed"));
  std::vector<TraceEvent> events = Events();
  bool injected = false;
  for (const TraceEvent& e : events) {
    if (e.point == "lh/lock/lock" && e.injected) {
      injected = true;
      EXPECT_EQ(e.error, "EAGAIN");
      EXPECT_EQ(e.lock_op, "exclusive");
    }
  }
  EXPECT_TRUE(injected);
}

TEST_F(LockCallsTest, LockPathCanBeSetInTheRegistryDirectory) {
  lock_ = dir_ + "/registry.lck";
  ProcessResult r = Driver("flock", "LOCKHARNESS_LOCK_PATH=" + lock_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(LockLines().size(), 3u);
  for (const TraceEvent& e : Events()) {
    if (e.type == TraceEvent::Type::kCall) {
      EXPECT_EQ(e.path_class, "lock") << e.call;
    }
  }
}

TEST_F(LockCallsTest, LockPathOutsideTheRegistryDirectoryIsRefused) {
  ProcessResult r =
      Driver("flock", "LOCKHARNESS_LOCK_PATH=/tmp/elsewhere.lock");
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(
      r.err,
      HasSubstr("LOCKHARNESS_LOCK_PATH must be an absolute path in the "
                "directory of LOCKHARNESS_REGISTRY: /tmp/elsewhere.lock"));
}

TEST_F(LockCallsTest, PythonFlockAndLockfAreTraced) {
  const std::string program =
      "import fcntl, os, sys\n"
      "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
      "fcntl.flock(fd, fcntl.LOCK_EX)\n"
      "fcntl.flock(fd, fcntl.LOCK_UN)\n"
      "fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
      "fcntl.lockf(fd, fcntl.LOCK_UN)\n"
      "os.close(fd)\n";
  // Debian's interpreter, whatever python3 comes first on PATH.
  ProcessResult r =
      RunProcess({"/usr/bin/python3", "-c", program, lock_}, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = LockLines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0], HasSubstr("lock flock exclusive wait"));
  EXPECT_THAT(lines[1], HasSubstr("lock flock unlock"));
  EXPECT_THAT(lines[2], HasSubstr("lock posix exclusive nowait"));
  EXPECT_THAT(lines[3], HasSubstr("lock posix unlock"));
}

TEST_F(LockCallsTest, ShellFlockUtilityAndNoclobberAreTracedPerProcess) {
  // flock(1) locks and runs a helper; bash's noclobber creates with O_EXCL.
  const std::string script =
      "REG=\"$2\" flock \"$1\" -c 'echo {} > \"$REG\"' || exit 2\n"
      "rm -f \"$1\"; set -C; echo $$ > \"$1\" || exit 3\n";
  ProcessResult r =
      RunProcess({"bash", "-c", script, "sh", lock_, registry_}, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int shell = 0, flock_pid = 0, helper_parent = 0;
  bool excl = false;
  for (const TraceEvent& e : Events()) {
    if (e.type == TraceEvent::Type::kHello && shell == 0) shell = e.pid;
    if (e.call == "flock" && e.lock_op == "exclusive") flock_pid = e.pid;
    if (e.point == "lh/open/registry") {
      for (const TraceEvent& h : Events()) {
        if ((h.type == TraceEvent::Type::kHello ||
             h.type == TraceEvent::Type::kFork) &&
            h.pid == e.pid) {
          helper_parent = h.ppid;
        }
      }
    }
    if (e.point == "lh/open/lock" && e.ExclusiveCreate() && e.pid == shell)
      excl = true;
  }
  EXPECT_NE(flock_pid, 0);
  EXPECT_NE(flock_pid, shell);
  EXPECT_NE(helper_parent, 0);  // the redirecting shell says whose it is
  EXPECT_TRUE(excl);
}

TEST_F(LockCallsTest, FlockOnAnInheritedDescriptorIsTracedWithItsOrigin) {
  // The shell-flock idiom: the shell opens the lock file on descriptor 9
  // (open, dup2, close), flock(1) locks that descriptor in a process of its
  // own and exits. flock(1) opened nothing, so only the start-up scan
  // classifies its descriptor 9.
  const std::string script =
      "exec 9>>\"$1\" || exit 2\n"
      "flock 9 || exit 3\n"
      "flock -u 9 || exit 4\n";
  ProcessResult r = RunProcess({"bash", "-c", script, "sh", lock_}, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int shell = 0;
  bool dup_to_9 = false;
  std::vector<int> inheritors, lockers;
  std::vector<std::string> lock_ops;
  for (const TraceEvent& e : Events()) {
    if (e.type == TraceEvent::Type::kHello && shell == 0) shell = e.pid;
    if (e.type == TraceEvent::Type::kDup && e.pid == shell && e.new_fd == 9 &&
        e.path == lock_ && e.path_class == "lock") {
      dup_to_9 = true;
    }
    if (e.type == TraceEvent::Type::kInherited && e.fd == 9 &&
        e.path == lock_) {
      EXPECT_EQ(e.path_class, "lock");
      inheritors.push_back(e.pid);
    }
    if (e.call == "flock" && e.fd == 9) {
      EXPECT_EQ(e.path, lock_);
      lockers.push_back(e.pid);
      lock_ops.push_back(e.lock_op);
    }
  }
  EXPECT_TRUE(dup_to_9);
  EXPECT_THAT(lock_ops, ElementsAre("exclusive", "unlock"));
  ASSERT_EQ(lockers.size(), 2u);
  for (int pid : lockers) {
    EXPECT_NE(pid, shell);
    EXPECT_THAT(inheritors, ::testing::Contains(pid));
  }
}

}  // namespace
}  // namespace lockharness::interposer
