// End-to-end tests of the lockreg binary: exit codes, output, and many
// processes sharing one registry.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_program.h"

namespace lockharness::testing {
namespace {

namespace fs = std::filesystem;

class LockregTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lockreg-cli-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/sandboxes.json";
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProgramResult Lockreg(std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {LOCKREG_PATH, "--file", file_};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, env);
  }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string Contents() const {
    std::ifstream in(file_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_, file_;
};

TEST_F(LockregTest, ExampleSession) {
  EXPECT_EQ(Lockreg({"register", "alpha", "model=llama"}).exit_code, 0);
  EXPECT_EQ(Lockreg({"register", "beta"}).exit_code, 0);
  EXPECT_EQ(Lockreg({"update", "beta", "provider=nv", "gpuEnabled=true"}).exit_code, 0);
  EXPECT_EQ(Lockreg({"set-default", "beta"}).exit_code, 0);
  auto get = Lockreg({"get", "beta"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  auto entry = nlohmann::json::parse(get.out);
  EXPECT_EQ(entry["provider"], "nv");
  EXPECT_EQ(entry["gpuEnabled"], true);
  EXPECT_EQ(Lockreg({"remove", "beta"}).exit_code, 0);
  auto list = nlohmann::json::parse(Lockreg({"list"}).out);
  EXPECT_EQ(list["defaultSandbox"], "alpha");
  EXPECT_EQ(list["sandboxes"].size(), 1u);
  EXPECT_EQ(Names(), std::vector<std::string>{"sandboxes.json"});
}

TEST_F(LockregTest, RefusalsExitOneAndChangeNothing) {
  ASSERT_EQ(Lockreg({"register", "a"}).exit_code, 0);
  const std::string before = Contents();
  auto r = Lockreg({"update", "ghost", "model=x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown sandbox 'ghost'"), std::string::npos) << r.err;
  EXPECT_EQ(Lockreg({"update", "a", "name=b"}).exit_code, 1);
  EXPECT_EQ(Lockreg({"remove", "ghost"}).exit_code, 1);
  EXPECT_EQ(Lockreg({"set-default", "ghost"}).exit_code, 1);
  EXPECT_EQ(Lockreg({"get", "ghost"}).exit_code, 1);
  EXPECT_EQ(Contents(), before);
}

TEST_F(LockregTest, UsageErrorsExitTwoAndWriteNothing) {
  const std::vector<std::vector<std::string>> bad = {{"register", ""},
                                                     {"register", "a/b"},
                                                     {"register", "a\x01"},
                                                     {"register", std::string(129, 'n')},
                                                     {"register", "a", "novalue"},
                                                     {"update", "a"},
                                                     {"frobnicate", "a"},
                                                     {"list", "extra"},
                                                     {"register", "a", "gpuEnabled=maybe"},
                                                     {"--mutant", "nonsense", "list"},
                                                     {"--timeout-ms", "-5", "list"}};
  for (const auto& args : bad) {
    auto r = Lockreg(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": "
                              << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_TRUE(Names().empty()) << "nothing written, not even a lock";
  EXPECT_EQ(RunProgram({LOCKREG_PATH, "list"}).exit_code, 2) << "--file is required";
}

TEST_F(LockregTest, HelpDocumentsExitCodes) {
  auto r = RunProgram({LOCKREG_PATH, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"0 done", "1 refused", "2 usage error", "3 lock not acquired",
                        "4 I/O error", "5 corrupt registry", "6 lock lost"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

TEST_F(LockregTest, CorruptRegistryExitsFiveKeepsBytesAndBacksUp) {
  { std::ofstream(file_) << "{\"sandboxes\": nope"; }
  auto read = Lockreg({"list"});
  EXPECT_EQ(read.exit_code, 5);
  EXPECT_NE(read.err.find("corrupt registry"), std::string::npos) << read.err;
  auto write = Lockreg({"register", "a"});
  EXPECT_EQ(write.exit_code, 5);
  EXPECT_EQ(Contents(), "{\"sandboxes\": nope");
  auto names = Names();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[1].rfind("sandboxes.json.corrupt.", 0), 0u);
}

TEST_F(LockregTest, LockTimeoutExitsThreeNamingTheOwner) {
  pid_t sleeper = StartProgram({"/bin/sleep", "30"});
  fs::create_directory(file_ + ".lock");
  std::ofstream(file_ + ".lock/owner") << sleeper;
  auto r = Lockreg({"--timeout-ms", "200", "register", "a"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("PID " + std::to_string(sleeper)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("alive"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rm -r"), std::string::npos) << r.err;
  ::kill(sleeper, SIGKILL);
  WaitProgram(sleeper);
  EXPECT_EQ(Lockreg({"register", "a"}).exit_code, 0) << "the dead sleeper's lock is broken";
}

TEST_F(LockregTest, BadStaleMsIsAUsageError) {
  for (const char* bad : {"abc", "-1", "1e3", "10 ", "86400001", "99999999999999999999"}) {
    auto r = Lockreg({"register", "a"}, {std::string("LOCKHARNESS_STALE_MS=") + bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("LOCKHARNESS_STALE_MS"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(Names().empty()) << "nothing written, not even a lock";
  EXPECT_EQ(Lockreg({"register", "a"}, {"LOCKHARNESS_STALE_MS="}).exit_code, 0)
      << "empty means unset";
}

// The reference's only age rule, the grace for a lock without an owner
// record, follows LOCKHARNESS_STALE_MS unless --ownerless-grace-ms is given.
TEST_F(LockregTest, OwnerlessGraceFollowsStaleMs) {
  fs::create_directory(file_ + ".lock");  // a holder that crashed before publishing its record
  EXPECT_EQ(Lockreg({"--timeout-ms", "200", "register", "a"}).exit_code, 3) << "default grace: 5 s";
  EXPECT_EQ(Lockreg({"--timeout-ms", "200", "--ownerless-grace-ms", "60000", "register", "a"},
                    {"LOCKHARNESS_STALE_MS=0"})
                .exit_code,
            3)
      << "the flag wins over the environment";
  auto r = Lockreg({"--timeout-ms", "5000", "register", "a"}, {"LOCKHARNESS_STALE_MS=0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Names(), std::vector<std::string>{"sandboxes.json"});
}

// age-reap steals a live holder's lock once its mtime is older than
// LOCKHARNESS_STALE_MS (default 10 s); the reference never does.
TEST_F(LockregTest, AgeReapMutantStealsALiveOwnersOldLock) {
  pid_t sleeper = StartProgram({"/bin/sleep", "30"});
  fs::create_directory(file_ + ".lock");
  std::ofstream(file_ + ".lock/owner") << sleeper;
  struct timespec times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - 60, 0}};  // held for a minute
  ASSERT_EQ(::utimensat(AT_FDCWD, (file_ + ".lock").c_str(), times, 0), 0);
  EXPECT_EQ(Lockreg({"--timeout-ms", "300", "register", "a"}).exit_code, 3);
  EXPECT_EQ(Lockreg({"--timeout-ms", "300", "--mutant", "age-reap", "register", "a"},
                    {"LOCKHARNESS_STALE_MS=120000"})
                .exit_code,
            3)
      << "younger than the stale age given";
  auto r = Lockreg({"--timeout-ms", "5000", "--mutant", "age-reap", "register", "a"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Names(), std::vector<std::string>{"sandboxes.json"}) << "the live owner's lock is gone";
  ::kill(sleeper, SIGKILL);
  WaitProgram(sleeper);
}

TEST_F(LockregTest, BadFaultSpecIsAUsageError) {
  auto r = Lockreg({"list"}, {"LOCKREG_FAULT_POINTS=lockreg/no/such=EIO"});
#ifdef LOCKHARNESS_FAULT_POINTS
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown fault point"), std::string::npos) << r.err;
#else
  EXPECT_EQ(r.exit_code, 2);
#endif
}

#ifdef LOCKHARNESS_FAULT_POINTS
TEST_F(LockregTest, InjectedRenameFailureExitsFourAndKeepsTheOldFile) {
  ASSERT_EQ(Lockreg({"register", "a"}).exit_code, 0);
  const std::string before = Contents();
  auto r = Lockreg({"register", "b"}, {"LOCKREG_FAULT_POINTS=lockreg/write/before_rename=ENOSPC"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("[injected]"), std::string::npos) << r.err;
  EXPECT_EQ(Contents(), before);
  EXPECT_EQ(Names(), std::vector<std::string>{"sandboxes.json"});
}

TEST_F(LockregTest, CrashedWriterIsRecoveredByTheNext) {
  auto r =
      Lockreg({"register", "victim"}, {"LOCKREG_FAULT_POINTS=lockreg/write/after_fsync=crash"});
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_EQ(Names().size(), 2u) << "lock dir and temp file of the dead writer";
  auto next = Lockreg({"register", "next"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(Names(), std::vector<std::string>{"sandboxes.json"});
}
#endif

TEST_F(LockregTest, WorkerModeAnswersEachRequest) {
  std::string input =
      "{\"id\":1,\"op\":\"register\",\"name\":\"a\",\"fields\":{\"model\":\"m\"}}\n"
      "{\"id\":2,\"op\":\"update\",\"name\":\"ghost\",\"fields\":{\"model\":\"x\"}}\n"
      "{\"id\":3,\"op\":\"get\",\"name\":\"a\"}\n"
      "not json\n";
  auto r = RunProgram({LOCKREG_PATH, "--file", file_, "worker"}, {}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> answers;
  while (std::getline(lines, line)) answers.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0]["ok"], true);
  EXPECT_LE(answers[0]["lock_acquired_ns"].get<int64_t>(),
            answers[0]["lock_released_ns"].get<int64_t>());
  EXPECT_EQ(answers[1]["ok"], false);
  EXPECT_FALSE(answers[1].contains("unknown")) << "a refusal is definite";
  EXPECT_EQ(answers[2]["value"]["model"], "m");
  EXPECT_EQ(answers[3]["ok"], false);
}

TEST_F(LockregTest, PrintsLockSpanOnlyUnderTheHarness) {
  auto plain = Lockreg({"register", "a"});
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out, "") << "a mutating operation prints nothing for a person";
  auto harnessed = Lockreg({"register", "b"}, {"LOCKHARNESS_RUN_DIR=" + dir_});
  ASSERT_EQ(harnessed.exit_code, 0);
  auto span = nlohmann::json::parse(harnessed.out);
  EXPECT_LE(span["lock_acquired_ns"].get<int64_t>(), span["lock_released_ns"].get<int64_t>());
  EXPECT_GT(span["lock_acquired_ns"].get<int64_t>(), 0);
  auto refused = Lockreg({"remove", "ghost"}, {"LOCKHARNESS_RUN_DIR=" + dir_});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.out, "") << "no span for an operation that did not take effect";
}

TEST_F(LockregTest, WorkerAnswersLockTimeoutAsDefiniteFailure) {
  pid_t sleeper = StartProgram({"/bin/sleep", "30"});
  fs::create_directory(file_ + ".lock");
  std::ofstream(file_ + ".lock/owner") << sleeper;
  auto r = RunProgram({LOCKREG_PATH, "--file", file_, "--timeout-ms", "100", "worker"}, {},
                      "{\"id\":1,\"op\":\"register\",\"name\":\"a\"}\n");
  ::kill(sleeper, SIGKILL);
  WaitProgram(sleeper);
  auto answer = nlohmann::json::parse(r.out);
  EXPECT_EQ(answer["ok"], false);
  EXPECT_FALSE(answer.contains("unknown")) << "nothing was written: the failure is definite";
  EXPECT_NE(answer["error"].get<std::string>().find("lock timeout"), std::string::npos);
}

// 8 processes x 200 registers through the binary: nothing lost or left.
TEST_F(LockregTest, EightProcessesTwoHundredRegistersEach) {
  constexpr int kProcs = 8, kOps = 200;
  std::vector<pid_t> procs;
  const std::string file = file_;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      for (int i = 0; i < kOps; ++i) {
        auto r = RunProgram({LOCKREG_PATH, "--file", file, "--timeout-ms", "180000", "register",
                             "p" + std::to_string(p) + "-" + std::to_string(i)});
        if (r.exit_code != 0) {
          std::fprintf(stderr, "process %d op %d: exit %d: %s\n", p, i, r.exit_code, r.err.c_str());
          ::_exit(1);
        }
      }
      ::_exit(0);
    }
    procs.push_back(pid);
  }
  for (pid_t pid : procs) EXPECT_EQ(WaitProgram(pid), 0);
  auto list = nlohmann::json::parse(Contents());
  EXPECT_EQ(list["sandboxes"].size(), static_cast<size_t>(kProcs * kOps));
  EXPECT_EQ(Names(), std::vector<std::string>{"sandboxes.json"});
}

}  // namespace
}  // namespace lockharness::testing
