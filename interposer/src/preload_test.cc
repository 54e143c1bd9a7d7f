// End-to-end tests of liblockharness_interpose.so: programs (a C driver,
// Node.js, Python) run under LD_PRELOAD with faults configured, and the
// tests assert the exact failure each call saw, the effect on the file
// system and the trace lines.

#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockharness/interposer/trace_reader.h"
#include "nlohmann/json.hpp"
#include "test_process.h"

namespace lockharness::interposer {
namespace {

using ::lockharness::interposer::testing::ChildProcess;
using ::lockharness::interposer::testing::ProcessResult;
using ::lockharness::interposer::testing::RunProcess;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The lines for one call, e.g. every "rename ..." line (descriptor numbers
// in "open" lines depend on what the test runner leaves open).
std::vector<std::string> LinesOf(const std::string& text,
                                 const std::string& call) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(text)) {
    if (l.rfind(call + " ", 0) == 0) out.push_back(l);
  }
  return out;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

class PreloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lh-interpose-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    registry_ = dir_ + "/sandboxes.json";
    lock_ = registry_ + ".lock";
    owner_ = lock_ + "/owner";
    temp_ = registry_ + ".tmp.1.x";
    trace_ = dir_ + "/trace.jsonl";
  }

  void TearDown() override {
    // Every trace a test produced must satisfy the documented format.
    if (Exists(trace_)) {
      std::string error;
      EXPECT_TRUE(ReadTraceFile(trace_, &error)) << error;
    }
    RunProcess({"rm", "-rf", dir_}, {});
  }

  std::vector<std::string> Env(const std::string& faults) const {
    std::vector<std::string> env = {
        std::string("LD_PRELOAD=") + LH_PRELOAD_LIB,
        "LOCKHARNESS_REGISTRY=" + registry_,
        "LOCKHARNESS_TRACE=" + trace_,
    };
    if (!faults.empty()) env.push_back("LOCKHARNESS_FAULTS=" + faults);
    return env;
  }

  ProcessResult Driver(const std::string& faults,
                       std::vector<std::string> args) {
    args.insert(args.begin(), LH_DRIVER);
    return RunProcess(args, Env(faults));
  }

  std::vector<Json> Trace() const {
    std::vector<Json> lines;
    for (const std::string& line : Lines(ReadAll(trace_))) {
      lines.push_back(Json::parse(line));
    }
    return lines;
  }

  std::vector<Json> Injected() const {
    std::vector<Json> out;
    for (const Json& j : Trace()) {
      if (j.value("injected", false)) out.push_back(j);
    }
    return out;
  }

  // "call class" for every traced call, in order.
  std::vector<std::string> CallClasses() const {
    std::vector<std::string> out;
    for (const Json& j : Trace()) {
      if (j["type"] == "call") {
        out.push_back(j["call"].get<std::string>() + " " +
                      j["class"].get<std::string>());
      }
    }
    return out;
  }

  std::string dir_, registry_, lock_, owner_, temp_, trace_;
};

// Is `needle` a subsequence of `haystack`?
bool IsSubsequence(const std::vector<std::string>& needle,
                   const std::vector<std::string>& haystack) {
  auto it = haystack.begin();
  for (const std::string& n : needle) {
    it = std::find(it, haystack.end(), n);
    if (it == haystack.end()) return false;
    ++it;
  }
  return true;
}

TEST_F(PreloadTest, WithoutConfigurationNothingChanges) {
  ProcessResult plain = RunProcess({LH_DRIVER, "protocol", registry_}, {});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  RunProcess({"rm", "-f", registry_}, {});
  ProcessResult preloaded =
      RunProcess({LH_DRIVER, "protocol", registry_},
                 {std::string("LD_PRELOAD=") + LH_PRELOAD_LIB});
  EXPECT_EQ(preloaded.exit_code, 0) << preloaded.err;
  EXPECT_EQ(preloaded.out, plain.out);
  EXPECT_FALSE(Exists(trace_));
}

TEST_F(PreloadTest, TracesTheProtocolWithPathClasses) {
  ProcessResult r = Driver("", {"protocol", registry_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Lines(r.out), Not(Contains(HasSubstr(" -1 "))));
  std::vector<Json> trace = Trace();
  ASSERT_FALSE(trace.empty());
  EXPECT_EQ(trace[0]["type"], "hello");
  EXPECT_EQ(trace[0]["registry"], registry_);
  EXPECT_THAT(
      CallClasses(),
      ElementsAre("mkdir lock", "open owner", "write owner", "close owner",
                  "open temp", "write temp", "close temp", "open temp",
                  "fsync temp", "close temp", "rename registry", "open dir",
                  "fsync dir", "close dir", "unlink owner", "rmdir lock"));
  for (const Json& j : trace) {
    EXPECT_EQ(j["pid"], trace[0]["pid"]);
    if (j["type"] != "call") continue;
    EXPECT_EQ(j["injected"], false);
    EXPECT_GT(j["mono_ns"].get<int64_t>(), 0);
    if (j["call"] == "rename") {
      EXPECT_EQ(j["point"], "lh/rename/registry");
      EXPECT_EQ(j["from_class"], "temp");
      EXPECT_EQ(j["path"], registry_);
    }
  }
}

struct ErrnoCase {
  const char* name;
  const char* faults;
  std::vector<std::string> args;  // "$L" lock, "$O" owner, "$T" temp, ...
  const char* expected_line;
  const char* point;
};

class ErrnoFaultTest : public PreloadTest,
                       public ::testing::WithParamInterface<ErrnoCase> {
 protected:
  std::vector<std::string> Expand(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (const std::string& a : args) {
      if (a == "$R")
        out.push_back(registry_);
      else if (a == "$L")
        out.push_back(lock_);
      else if (a == "$O")
        out.push_back(owner_);
      else if (a == "$OT")
        out.push_back(owner_ + ".tmp.1");
      else if (a == "$T")
        out.push_back(temp_);
      else if (a == "$D")
        out.push_back(dir_);
      else
        out.push_back(a);
    }
    return out;
  }
};

TEST_P(ErrnoFaultTest, FailsExactlyTheTargetedCall) {
  const ErrnoCase& c = GetParam();
  ProcessResult r = Driver(c.faults, Expand(c.args));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  EXPECT_THAT(lines, Contains(c.expected_line)) << r.out;
  // Only the targeted call failed.
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& l) {
                            return l.find(" -1 ") != std::string::npos;
                          }),
            1)
      << r.out;
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 1u);
  EXPECT_EQ(injected[0]["point"], c.point);
  EXPECT_EQ(injected[0]["action"], "errno");
  EXPECT_EQ(injected[0]["result"], -1);
  std::string expected_errno =
      std::string(c.expected_line)
          .substr(std::string(c.expected_line).rfind(' ') + 1);
  EXPECT_EQ(injected[0]["errno"], expected_errno);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCall, ErrnoFaultTest,
    ::testing::Values(
        ErrnoCase{"rename",
                  "lh/rename/registry=errno:EIO",
                  {"create", "$T", "x", "rename", "$T", "$R"},
                  "rename -1 EIO",
                  "lh/rename/registry"},
        ErrnoCase{"renameat2",
                  "lh/rename/registry=errno:ENOSPC",
                  {"create", "$T", "x", "renameat2", "$T", "$R"},
                  "renameat2 -1 ENOSPC",
                  "lh/rename/registry"},
        ErrnoCase{"mkdir",
                  "lh/mkdir/lock=errno:ENOSPC",
                  {"mkdir", "$L"},
                  "mkdir -1 ENOSPC",
                  "lh/mkdir/lock"},
        ErrnoCase{"mkdirat",
                  "lh/mkdir/lock=errno:EDQUOT",
                  {"mkdirat", "$D", "sandboxes.json.lock"},
                  "mkdirat -1 EDQUOT",
                  "lh/mkdir/lock"},
        ErrnoCase{"rmdir",
                  "lh/rmdir/lock=errno:EACCES",
                  {"mkdir", "$L", "rmdir", "$L"},
                  "rmdir -1 EACCES",
                  "lh/rmdir/lock"},
        ErrnoCase{"link",
                  "lh/link/owner=errno:EDQUOT",
                  {"mkdir", "$L", "create", "$OT", "x", "link", "$OT", "$O"},
                  "link -1 EDQUOT",
                  "lh/link/owner"},
        ErrnoCase{"unlink",
                  "lh/unlink/owner=errno:EIO",
                  {"mkdir", "$L", "create", "$O", "x", "unlink", "$O"},
                  "unlink -1 EIO",
                  "lh/unlink/owner"},
        ErrnoCase{"fsync",
                  "lh/fsync/temp=errno:EIO",
                  {"create", "$T", "x", "fsync", "$T"},
                  "fsync -1 EIO",
                  "lh/fsync/temp"},
        ErrnoCase{"fsyncdir",
                  "lh/fsync/dir=errno:EIO",
                  {"fsyncdir", "$D"},
                  "fsync -1 EIO",
                  "lh/fsync/dir"},
        ErrnoCase{"fdatasync",
                  "lh/fdatasync/temp=errno:EINTR",
                  {"create", "$T", "x", "fdatasync", "$T"},
                  "fdatasync -1 EINTR",
                  "lh/fdatasync/temp"},
        ErrnoCase{"write",
                  "lh/write/temp=errno:EDQUOT",
                  {"create", "$T", "xyz"},
                  "write -1 EDQUOT",
                  "lh/write/temp"},
        ErrnoCase{"pwrite",
                  "lh/write/temp=errno:ENOSPC",
                  {"pwrite", "$T", "xyz"},
                  "pwrite -1 ENOSPC",
                  "lh/write/temp"},
        ErrnoCase{"writev",
                  "lh/write/temp=errno:EIO",
                  {"writev", "$T", "xyz"},
                  "writev -1 EIO",
                  "lh/write/temp"},
        ErrnoCase{"open",
                  "lh/open/temp=errno:EACCES",
                  {"create", "$T", "x"},
                  "open -1 EACCES",
                  "lh/open/temp"},
        ErrnoCase{"openat",
                  "lh/open/temp=errno:EROFS",
                  {"openat", "$D", "sandboxes.json.tmp.2"},
                  "openat -1 EROFS",
                  "lh/open/temp"},
        ErrnoCase{"close",
                  "lh/close/temp=errno:EIO",
                  {"create", "$T", "x"},
                  "close -1 EIO",
                  "lh/close/temp"}),
    [](const ::testing::TestParamInfo<ErrnoCase>& info) {
      return std::string(info.param.name);
    });

TEST_F(PreloadTest, InjectedErrnoPreventsTheCall) {
  ProcessResult r = Driver("lh/mkdir/lock=errno:ENOSPC", {"mkdir", lock_});
  EXPECT_THAT(Lines(r.out), ElementsAre("mkdir -1 ENOSPC"));
  EXPECT_FALSE(Exists(lock_));
}

TEST_F(PreloadTest, ShortWriteWritesHalf) {
  ProcessResult r =
      Driver("lh/write/temp=short", {"create", temp_, "0123456789"});
  EXPECT_THAT(Lines(r.out), Contains("write 5 0"));
  EXPECT_EQ(ReadAll(temp_), "01234");
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 1u);
  EXPECT_EQ(injected[0]["action"], "short");
  EXPECT_EQ(injected[0]["result"], 5);

  r = Driver("lh/write/temp=short:3", {"writev", temp_, "0123456789"});
  EXPECT_THAT(Lines(r.out), Contains("writev 3 0"));
  EXPECT_EQ(ReadAll(temp_), "012");
}

TEST_F(PreloadTest, KillHappensBeforeTheRename) {
  ProcessResult r = Driver("lh/rename/registry=kill", {"protocol", registry_});
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_FALSE(Exists(registry_));  // the rename never ran
  EXPECT_TRUE(Exists(lock_));       // the lock is left behind, as in a crash
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 1u);
  EXPECT_EQ(injected[0]["action"], "kill");
  EXPECT_EQ(injected[0]["point"], "lh/rename/registry");
  EXPECT_EQ(Trace().back(), injected[0]);
}

TEST_F(PreloadTest, DelaySleepsThenPerformsTheCall) {
  int64_t start = NowMs();
  ProcessResult r = Driver("lh/mkdir/lock=delay:300", {"mkdir", lock_});
  int64_t elapsed = NowMs() - start;
  EXPECT_THAT(Lines(r.out), ElementsAre("mkdir 0 0"));
  EXPECT_GE(elapsed, 300);
  EXPECT_TRUE(Exists(lock_));
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 1u);
  EXPECT_EQ(injected[0]["action"], "delay");
  EXPECT_EQ(injected[0]["result"], 0);
}

TEST_F(PreloadTest, StopHaltsTheProcessBeforeTheCall) {
  ChildProcess child(
      {LH_DRIVER, "create", temp_, "x", "rename", temp_, registry_},
      Env("lh/rename/registry=stop"));
  ASSERT_TRUE(child.WaitStopped());
  EXPECT_FALSE(Exists(registry_));
  kill(child.pid(), SIGCONT);
  ProcessResult r = child.Wait();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(Lines(r.out), Contains("rename 0 0"));
  EXPECT_TRUE(Exists(registry_));
  ASSERT_EQ(Injected().size(), 1u);
  EXPECT_EQ(Injected()[0]["action"], "stop");
}

TEST_F(PreloadTest, OnceFailsOnlyTheFirstCall) {
  ProcessResult r = Driver("lh/rename/registry=errno:EIO,once",
                           {"create", temp_, "x", "rename", temp_, registry_,
                            "rename", temp_, registry_});
  EXPECT_THAT(LinesOf(r.out, "rename"),
              ElementsAre("rename -1 EIO", "rename 0 0"));
  EXPECT_EQ(Injected().size(), 1u);
}

TEST_F(PreloadTest, EveryNthCallFails) {
  std::vector<std::string> args;
  for (int i = 0; i < 6; ++i) {
    args.insert(args.end(), {"mkdir", lock_, "rmdir", lock_});
  }
  ProcessResult r = Driver("lh/mkdir/lock=errno:ENOSPC,every:3", args);
  std::vector<std::string> mkdirs;
  for (const std::string& l : Lines(r.out)) {
    if (l.rfind("mkdir", 0) == 0) mkdirs.push_back(l);
  }
  EXPECT_THAT(mkdirs, ElementsAre("mkdir 0 0", "mkdir 0 0", "mkdir -1 ENOSPC",
                                  "mkdir 0 0", "mkdir 0 0", "mkdir -1 ENOSPC"));
  EXPECT_EQ(Injected().size(), 2u);
}

TEST_F(PreloadTest, OnceWithEveryFailsOnlyTheNthCall) {
  std::vector<std::string> args;
  for (int i = 0; i < 7; ++i) {
    args.insert(args.end(), {"mkdir", lock_, "rmdir", lock_});
  }
  ProcessResult r = Driver("lh/mkdir/lock=errno:ENOSPC,every:3,once", args);
  EXPECT_THAT(LinesOf(r.out, "mkdir"),
              ElementsAre("mkdir 0 0", "mkdir 0 0", "mkdir -1 ENOSPC",
                          "mkdir 0 0", "mkdir 0 0", "mkdir 0 0", "mkdir 0 0"));
  EXPECT_EQ(Injected().size(), 1u);
}

TEST_F(PreloadTest, ProbabilityFailsSomeCalls) {
  std::vector<std::string> args;
  for (int i = 0; i < 100; ++i) {
    args.insert(args.end(), {"mkdir", lock_, "rmdir", lock_});
  }
  ProcessResult r = Driver("lh/mkdir/lock=errno:ENOSPC,prob:0.5", args);
  auto lines = Lines(r.out);
  auto failed = std::count(lines.begin(), lines.end(), "mkdir -1 ENOSPC");
  auto succeeded = std::count(lines.begin(), lines.end(), "mkdir 0 0");
  // P(outside these bounds) is astronomically small for p = 0.5.
  EXPECT_GE(failed, 10);
  EXPECT_GE(succeeded, 10);
  EXPECT_EQ(failed + succeeded, 100);
  EXPECT_EQ(static_cast<long>(Injected().size()), failed);
}

TEST_F(PreloadTest, OnceChainsToTheNextSpecForThePoint) {
  ProcessResult r =
      Driver("lh/rename/registry=errno:EIO,once;lh/rename/registry=kill",
             {"create", temp_, "x", "rename", temp_, registry_, "rename", temp_,
              registry_});
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_THAT(Lines(r.out), Contains("rename -1 EIO"));
  EXPECT_FALSE(Exists(registry_));
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 2u);
  EXPECT_EQ(injected[0]["action"], "errno");
  EXPECT_EQ(injected[1]["action"], "kill");
}

// Files outside the registry's directory are class other (a file directly
// in it is a sibling, and traced).
TEST_F(PreloadTest, FaultHitsOnlyItsPathClass) {
  const std::string other_dir = dir_ + "/elsewhere";
  ASSERT_EQ(::mkdir(other_dir.c_str(), 0755), 0);
  std::string a = other_dir + "/a.json", b = other_dir + "/b.json";
  ProcessResult r = Driver("lh/rename/registry=errno:EIO",
                           {"create", a, "x", "rename", a, b, "create", temp_,
                            "x", "rename", temp_, registry_, "create", temp_,
                            "y", "rename", temp_, registry_ + ".lock.stale"});
  EXPECT_THAT(LinesOf(r.out, "rename"),
              ElementsAre("rename 0 0", "rename -1 EIO", "rename 0 0"));
  EXPECT_TRUE(Exists(b));
  // The unrelated rename is not traced; the quarantine one is.
  std::vector<std::string> renames;
  for (const Json& j : Trace()) {
    if (j["type"] == "call" && j["call"] == "rename") {
      renames.push_back(j["point"].get<std::string>());
    }
  }
  EXPECT_THAT(renames,
              ElementsAre("lh/rename/registry", "lh/rename/quarantine"));
}

TEST_F(PreloadTest, WildcardPointsNeverTouchOtherFiles) {
  const std::string other_dir = dir_ + "/elsewhere";
  ASSERT_EQ(::mkdir(other_dir.c_str(), 0755), 0);
  std::string elsewhere = other_dir + "/elsewhere.json";
  ProcessResult r = Driver("lh/*=errno:EIO", {"create", elsewhere, "x", "fsync",
                                              elsewhere, "mkdir", lock_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Lines(r.out), Not(Contains(HasSubstr("open -1"))));
  EXPECT_THAT(LinesOf(r.out, "fsync"), ElementsAre("fsync 0 0"));
  EXPECT_THAT(LinesOf(r.out, "mkdir"), ElementsAre("mkdir -1 EIO"));
  EXPECT_EQ(ReadAll(elsewhere), "x");
}

// Several processes append to one trace at once; every line must still be
// a whole JSON object (one write per line on an O_APPEND descriptor).
TEST_F(PreloadTest, ConcurrentProcessesDoNotInterleaveTraceLines) {
  constexpr int kProcesses = 4;
  constexpr int kRounds = 150;  // 3 traced calls each: open, fsync, close
  // Each process also writes a hello line and an exit line.
  std::vector<std::unique_ptr<ChildProcess>> children;
  for (int i = 0; i < kProcesses; ++i) {
    children.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{LH_DRIVER, "repeat", std::to_string(kRounds),
                                 "fsyncdir", dir_},
        Env("")));
  }
  for (auto& child : children) EXPECT_EQ(child->Wait().exit_code, 0);
  std::vector<std::string> lines = Lines(ReadAll(trace_));
  EXPECT_EQ(lines.size(), static_cast<size_t>(kProcesses * (2 + 3 * kRounds)));
  std::map<int, int> per_pid;
  for (const std::string& line : lines) {
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << line;
    ++per_pid[j["pid"].get<int>()];
  }
  EXPECT_EQ(per_pid.size(), static_cast<size_t>(kProcesses));
  for (const auto& [pid, count] : per_pid) EXPECT_EQ(count, 2 + 3 * kRounds);
}

// A library's own temp name in the registry's directory (write-file-atomic's
// R.<hash>) is a sibling: traced, and faultable by its own points.
TEST_F(PreloadTest, SiblingFilesAreTracedAndFaultable) {
  const std::string own_temp = registry_ + ".3695404269";
  ProcessResult r = Driver("lh/fsync/sibling=errno:EIO",
                           {"create", own_temp, "x", "fsync", own_temp,
                            "rename", own_temp, registry_});
  EXPECT_THAT(LinesOf(r.out, "fsync"), ElementsAre("fsync -1 EIO"));
  EXPECT_THAT(LinesOf(r.out, "rename"), ElementsAre("rename 0 0"));
  EXPECT_THAT(CallClasses(), Contains("fsync sibling"));
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 1u);
  EXPECT_EQ(injected[0]["point"], "lh/fsync/sibling");
}

TEST_F(PreloadTest, DuplicatedDescriptorsKeepTheirClass) {
  ProcessResult r =
      Driver("lh/fsync/temp=errno:EIO", {"dupwrite", temp_, "data"});
  EXPECT_THAT(LinesOf(r.out, "write"), ElementsAre("write 4 0"));
  EXPECT_THAT(LinesOf(r.out, "fsync"), ElementsAre("fsync -1 EIO"));
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 1u);
  EXPECT_EQ(injected[0]["fd"], 50);
  EXPECT_THAT(CallClasses(), Contains("write temp"));
}

// Descriptor-based calls are traced under the path the descriptor was
// opened by (kept by the fd table, no readlink), also after a rename.
TEST_F(PreloadTest, DescriptorCallsAreTracedUnderTheirOpenPath) {
  ProcessResult r = Driver("", {"renamesync", temp_, registry_});
  ASSERT_THAT(LinesOf(r.out, "fsync"), ElementsAre("fsync 0 0"));
  int fd_calls = 0;
  for (const Json& j : Trace()) {
    if (j["type"] != "call") continue;
    if (j["call"] == "fsync" || j["call"] == "close") {
      ++fd_calls;
      EXPECT_EQ(j["path"], temp_) << j.dump();
      EXPECT_EQ(j["class"], "temp") << j.dump();
    }
  }
  EXPECT_EQ(fd_calls, 2);
}

// If the program takes over the trace descriptor's number without the
// library seeing it, trace lines must not land in the program's file.
TEST_F(PreloadTest, TraceNeverWritesIntoAFileThatTookItsDescriptor) {
  const std::string other_dir = dir_ + "/elsewhere";
  ASSERT_EQ(::mkdir(other_dir.c_str(), 0755), 0);
  std::string victim = other_dir + "/victim.txt";
  ProcessResult r =
      Driver("", {"hijack", "900", victim, "mkdir", lock_, "rmdir", lock_});
  ASSERT_THAT(LinesOf(r.out, "hijack"), ElementsAre("hijack 900 0"));
  EXPECT_EQ(ReadAll(victim), "");
  EXPECT_THAT(CallClasses(), ElementsAre("mkdir lock", "rmdir lock"));
}

TEST_F(PreloadTest, FortifyEntryPointsAreWrapped) {
  RunProcess({"touch", temp_, dir_ + "/sandboxes.json.tmp.2"}, {});
  ProcessResult r =
      RunProcess({LH_FORTIFIED_OPEN, temp_, dir_, "sandboxes.json.tmp.2"},
                 Env("lh/open/temp=errno:EACCES"));
  EXPECT_THAT(Lines(r.out), ElementsAre("open -1 EACCES", "openat -1 EACCES"));
  std::vector<std::string> calls;
  for (const Json& j : Injected()) calls.push_back(j["call"]);
  EXPECT_THAT(calls, ElementsAre("__open_2", "__openat_2"));
}

TEST_F(PreloadTest, RelativePathsResolveAgainstTheWorkingDirectory) {
  ProcessResult r = Driver(
      "lh/mkdir/lock=errno:EACCES",
      {"chdir", dir_, "mkdir", "sandboxes.json.lock", "mkdir", "./x/../other"});
  EXPECT_THAT(Lines(r.out),
              ElementsAre("chdir 0 0", "mkdir -1 EACCES", "mkdir -1 ENOENT"));
}

TEST_F(PreloadTest, ForkedChildKeepsInjectingAndTracingWithItsPid) {
  ProcessResult r = Driver("lh/mkdir/lock=errno:EIO",
                           {"mkdir", lock_, "fork", "mkdir", lock_});
  EXPECT_THAT(Lines(r.out), ElementsAre("mkdir -1 EIO", "mkdir -1 EIO"));
  std::vector<Json> injected = Injected();
  ASSERT_EQ(injected.size(), 2u);
  EXPECT_NE(injected[0]["pid"], injected[1]["pid"]);
  EXPECT_EQ(injected[0]["pid"], Trace()[0]["pid"]);
}

TEST_F(PreloadTest, InvalidConfigurationExits125NamingTheSpec) {
  ProcessResult r = Driver("lh/rename/registry=errno:EIOO", {"mkdir", lock_});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("'lh/rename/registry=errno:EIOO'"));
  EXPECT_THAT(r.err, HasSubstr("unknown errno"));
  EXPECT_FALSE(Exists(lock_));

  r = RunProcess({LH_DRIVER, "mkdir", lock_},
                 {std::string("LD_PRELOAD=") + LH_PRELOAD_LIB,
                  "LOCKHARNESS_FAULTS=lh/mkdir/lock=kill"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("LOCKHARNESS_REGISTRY is not"));

  r = RunProcess({LH_DRIVER, "mkdir", lock_},
                 {std::string("LD_PRELOAD=") + LH_PRELOAD_LIB,
                  "LOCKHARNESS_REGISTRY=relative/sandboxes.json"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("absolute"));
}

TEST_F(PreloadTest, RemoteControlWithFiuCtrl) {
  std::string fifo = dir_ + "/fiu";
  std::vector<std::string> env = Env("");
  env.push_back("LOCKHARNESS_FIU_FIFO=" + fifo);
  ChildProcess child({LH_DRIVER, "create", temp_, "x", "rename", temp_,
                      registry_, "wait", "rename", registry_, temp_, "rename",
                      temp_, registry_, "wait", "rename", temp_, registry_},
                     env);
  std::string pid = std::to_string(child.pid());
  for (std::string line; (line = child.ReadLine()) != "ready " + pid;) {
    ASSERT_FALSE(line.empty()) << "driver ended early";
    ASSERT_THAT(line, Not(HasSubstr(" -1 "))) << "no fault armed yet";
  }
  ProcessResult ctrl =
      RunProcess({"fiu-ctrl", "-f", fifo, "-c",
                  "enable name=lh/rename/registry,failnum=1,failinfo=5", pid},
                 {});
  ASSERT_EQ(ctrl.exit_code, 0) << ctrl.out << ctrl.err;
  EXPECT_THAT(ctrl.out, Not(HasSubstr("error")));
  child.WriteLine("go");
  EXPECT_EQ(child.ReadLine(), "rename 0 0");     // registry -> temp: other
  EXPECT_EQ(child.ReadLine(), "rename -1 EIO");  // temp -> registry
  EXPECT_EQ(child.ReadLine(), "ready " + pid);
  ctrl = RunProcess(
      {"fiu-ctrl", "-f", fifo, "-c", "disable name=lh/rename/registry", pid},
      {});
  ASSERT_EQ(ctrl.exit_code, 0);
  child.WriteLine("go");
  EXPECT_EQ(child.ReadLine(), "rename 0 0");
  ProcessResult r = child.Wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Injected().size(), 1u);
  EXPECT_EQ(Injected()[0]["errno"], "EIO");
}

// --- Node.js --------------------------------------------------------------

class NodeTest : public PreloadTest {
 protected:
  std::vector<Json> RunNode(const std::string& faults,
                            std::vector<std::string> extra = {},
                            ProcessResult* result = nullptr) {
    std::vector<std::string> args = {
        "node", std::string(LH_TEST_SCRIPTS) + "/node_protocol.js", registry_};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = RunProcess(args, Env(faults));
    std::vector<Json> steps;
    for (const std::string& l : Lines(r.out)) steps.push_back(Json::parse(l));
    if (result != nullptr) *result = r;
    return steps;
  }

  static Json Step(const std::vector<Json>& steps, const std::string& name) {
    for (const Json& s : steps) {
      if (s["step"] == name) return s;
    }
    return Json();
  }
};

TEST_F(NodeTest, TraceShowsTheProtocolWithPathClasses) {
  ProcessResult r;
  std::vector<Json> steps = RunNode("", {}, &r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const Json& s : steps) EXPECT_EQ(s["ok"], true) << s;
  std::vector<std::string> calls = CallClasses();
  // libuv closes descriptors with a raw syscall, so no close lines; the
  // open variant depends on the build (open or open64).
  for (std::string& c : calls) {
    if (c.rfind("open64 ", 0) == 0) c = "open " + c.substr(7);
  }
  EXPECT_TRUE(
      IsSubsequence({"mkdir lock", "open owner", "write owner", "open temp",
                     "write temp", "fsync temp", "rename registry", "open dir",
                     "fsync dir", "unlink owner", "rmdir lock"},
                    calls))
      << ::testing::PrintToString(calls);
  for (const Json& j : Trace()) {
    if (j["type"] == "call" && j["call"] == "rename") {
      EXPECT_EQ(j["from_class"], "temp");
    }
  }
}

TEST_F(NodeTest, FaultsReachNodeCalls) {
  EXPECT_EQ(Step(RunNode("lh/rename/registry=errno:EIO"), "rename")["code"],
            "EIO");
  EXPECT_FALSE(Exists(registry_));
  EXPECT_EQ(Step(RunNode("lh/mkdir/lock=errno:ENOSPC"), "mkdir")["code"],
            "ENOSPC");
  EXPECT_EQ(Step(RunNode("lh/fsync/temp=errno:EIO"), "write")["code"], "EIO");
  EXPECT_EQ(Step(RunNode("lh/fsync/dir=errno:EIO"), "fsyncdir")["code"], "EIO");
  EXPECT_EQ(Step(RunNode("lh/rmdir/lock=errno:EACCES"), "rmdir")["code"],
            "EACCES");
  RunProcess({"rmdir", lock_}, {});
  // libuv retries a short write itself: the trace shows the shortened
  // write followed by one for the rest, and the file ends up complete.
  unlink(trace_.c_str());
  Json write = Step(RunNode("lh/write/temp=short,once"), "write");
  ASSERT_EQ(write["ok"], true);
  std::vector<int64_t> temp_writes;
  for (const Json& j : Trace()) {
    if (j["type"] == "call" && j["call"] == "write" && j["class"] == "temp") {
      temp_writes.push_back(j["result"].get<int64_t>());
      if (temp_writes.size() == 1) {
        EXPECT_EQ(j.value("action", ""), "short");
      }
    }
  }
  const int64_t total = write["value"].get<int64_t>();
  EXPECT_THAT(temp_writes, ElementsAre(total / 2, total - total / 2));
  EXPECT_EQ(static_cast<int64_t>(ReadAll(registry_).size()), total);
}

TEST_F(NodeTest, KillOnRenameAndClassTargeting) {
  ProcessResult r;
  RunNode("lh/rename/registry=kill", {}, &r);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_FALSE(Exists(registry_));
  EXPECT_EQ(Injected().back()["action"], "kill");
  RunProcess({"rm", "-rf", lock_}, {});

  std::vector<Json> steps =
      RunNode("lh/rename/registry=errno:EIO", {"unrelated-rename"});
  EXPECT_EQ(Step(steps, "rename-other")["ok"], true);
  EXPECT_EQ(Step(steps, "rename")["code"], "EIO");
}

TEST_F(NodeTest, InvalidConfigurationStopsNode) {
  ProcessResult r;
  RunNode("lh/rename/registry=errno:EIO,every:x", {}, &r);
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("every:x"));
}

// --- Python ---------------------------------------------------------------

class PythonTest : public PreloadTest {
 protected:
  std::vector<Json> RunPython(const std::string& faults,
                              ProcessResult* result = nullptr) {
    ProcessResult r = RunProcess(
        {"/usr/bin/python3",
         std::string(LH_TEST_SCRIPTS) + "/python_protocol.py", registry_},
        Env(faults));
    std::vector<Json> steps;
    for (const std::string& l : Lines(r.out)) steps.push_back(Json::parse(l));
    if (result != nullptr) *result = r;
    return steps;
  }

  static Json Step(const std::vector<Json>& steps, const std::string& name) {
    for (const Json& s : steps) {
      if (s["step"] == name) return s;
    }
    return Json();
  }
};

TEST_F(PythonTest, TraceShowsTheProtocolWithPathClasses) {
  ProcessResult r;
  std::vector<Json> steps = RunPython("", &r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const Json& s : steps) EXPECT_EQ(s["ok"], true) << s;
  std::vector<std::string> calls = CallClasses();
  for (std::string& c : calls) {
    if (c.rfind("open64 ", 0) == 0) c = "open " + c.substr(7);
  }
  EXPECT_TRUE(IsSubsequence(
      {"mkdir lock", "open owner", "write owner", "close owner", "open temp",
       "write temp", "fsync temp", "close temp", "rename registry", "open dir",
       "fsync dir", "close dir", "unlink owner", "rmdir lock"},
      calls))
      << ::testing::PrintToString(calls);
}

TEST_F(PythonTest, FaultsReachPythonCalls) {
  EXPECT_EQ(
      Step(RunPython("lh/rename/registry=errno:EDQUOT"), "replace")["code"],
      "EDQUOT");
  EXPECT_FALSE(Exists(registry_));
  EXPECT_EQ(Step(RunPython("lh/mkdir/lock=errno:ENOSPC"), "mkdir")["code"],
            "ENOSPC");
  EXPECT_EQ(Step(RunPython("lh/open/owner=errno:EACCES"), "owner")["code"],
            "EACCES");
  EXPECT_EQ(Step(RunPython("lh/fsync/dir=errno:EIO"), "fsyncdir")["code"],
            "EIO");
  EXPECT_EQ(Step(RunPython("lh/unlink/owner=errno:EIO"), "unlink")["code"],
            "EIO");
  RunProcess({"rm", "-rf", lock_}, {});
  Json write = Step(RunPython("lh/write/temp=short"), "write");
  EXPECT_EQ(write["value"], 8);  // half of {"sandboxes": {}}
  ProcessResult r;
  RunPython("lh/rename/registry=kill", &r);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(Injected().back()["action"], "kill");
}

}  // namespace
}  // namespace lockharness::interposer
