// Tests of ExecuteRun() against small fake implementations: what the
// harness hands an implementation (argv, cwd, environment, requests) and
// what it records (the run directory and the history).

#include "lockharness/harness/runner/run.h"

#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/history.h"

namespace lockharness::harness::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lh-run-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    scratch_ = dir_template;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(scratch_);
  }

  fs::path Script(const std::string& name, const std::string& text) {
    const fs::path path = scratch_ / name;
    std::ofstream(path) << text;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  RunOptions Options(const std::string& impl, Mode mode, int writers, int ops) {
    RunOptions options;
    options.impl = impl;
    options.mode = mode;
    options.writers = writers;
    options.ops_per_writer = ops;
    options.readers = 0;
    options.seed = 11;
    options.out_dir = scratch_ / "run";
    options.op_timeout_ms = 5000;
    return options;
  }

  std::vector<Event> History() {
    std::vector<Event> events;
    std::string error;
    EXPECT_TRUE(ReadHistoryFile(scratch_ / "run" / "history.jsonl", &events, &error)) << error;
    return events;
  }

  // Completion event per operation id; asserts each invoke precedes it.
  std::map<int64_t, Event> Completions(const std::vector<Event>& history) {
    std::map<int64_t, const Event*> invokes;
    std::map<int64_t, Event> done;
    for (const Event& e : history) {
      if (e.type == EventType::kInvoke) {
        EXPECT_EQ(invokes.count(e.id), 0u) << "invoked twice: " << e.id;
        invokes[e.id] = &e;
      } else if (e.type != EventType::kRead && e.type != EventType::kFault) {
        EXPECT_EQ(invokes.count(e.id), 1u) << "completion before invoke: " << e.id;
        EXPECT_EQ(done.count(e.id), 0u) << "completed twice: " << e.id;
        if (invokes.count(e.id)) {
          EXPECT_GE(e.t, invokes[e.id]->t);
        }
        done[e.id] = e;
      }
    }
    EXPECT_EQ(invokes.size(), done.size());
    return done;
  }

  fs::path scratch_;
};

TEST_F(RunTest, PerOpModeRunsOneProcessPerOperationInTheRunDirectory) {
  const fs::path calls = scratch_ / "calls.txt";
  const fs::path fake =
      Script("fake.sh",
             "#!/bin/sh\n"
             "echo \"$PWD|$LOCKHARNESS_WRITER|$LOCKHARNESS_OP_ID|$LOCKHARNESS_MODE|$*\" >> " +
                 calls.string() +
                 "\n"
                 "case \"$4\" in ghost-*) exit 1;; esac\n"
                 "exit 0\n");
  const RunOutcome outcome =
      ExecuteRun(Options(fake.string() + " --file {registry}", Mode::kPerOp, 3, 20));
  ASSERT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  EXPECT_EQ(outcome.completed_ops, 60);

  const fs::path run = scratch_ / "run";
  std::istringstream lines(Slurp(calls));
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_THAT(line, StartsWith(run.string() + "|"));
    EXPECT_THAT(line,
                HasSubstr("|per-op|--file " + (run / "registry/sandboxes.json").string() + " "));
  }
  EXPECT_EQ(count, 60);

  const auto done = Completions(History());
  ASSERT_EQ(done.size(), 60u);
  int fails = 0;
  for (const auto& [id, e] : done) {
    if (e.name.rfind("ghost-", 0) == 0) {
      EXPECT_EQ(e.type, EventType::kFail) << id;
      ++fails;
    } else {
      EXPECT_EQ(e.type, EventType::kOk) << id;
    }
    EXPECT_GT(e.pid, 0);
  }
  EXPECT_GT(fails, 0);

  // The run directory layout of the contract.
  const nlohmann::json config = nlohmann::json::parse(Slurp(run / "run.json"));
  EXPECT_EQ(config["seed"], 11);
  EXPECT_EQ(config["mode"], "per-op");
  EXPECT_EQ(config["writers"], 3);
  EXPECT_EQ(config["ops"], 20);
  EXPECT_EQ(config["registry"], "registry/sandboxes.json");
  EXPECT_TRUE(fs::is_empty(run / "registry"));  // the fake never writes
  EXPECT_TRUE(fs::exists(run / "logs" / "writer-2.stderr"));
}

TEST_F(RunTest, PerOpModeClassifiesExitStatusesAndRecordsReadsAndSpans) {
  const fs::path fake =
      Script("fake.py",
             "#!/usr/bin/python3\n"
             "import json, sys, time\n"
             "op = sys.argv[1]\n"
             "if op == 'get': print(json.dumps({'name': sys.argv[2]})); sys.exit(0)\n"
             "if op == 'remove': sys.exit(4)\n"
             "if op == 'set-default': print('not json'); sys.exit(0)\n"
             "t = time.monotonic_ns()\n"
             "print(json.dumps({'lock_acquired_ns': t, 'lock_released_ns': t + 500}))\n");
  RunOptions options = Options(fake.string(), Mode::kPerOp, 2, 30);
  options.mix = OpMix{1, 1, 1, 1, 1};
  ASSERT_EQ(ExecuteRun(options).status, RunOutcome::Status::kCompleted);
  int gets = 0, removes = 0, spans = 0;
  for (const auto& [id, e] : Completions(History())) {
    switch (*e.op) {
      case OpKind::kGet:
        EXPECT_EQ(e.type, EventType::kOk);
        EXPECT_EQ(e.value, "{\"name\": \"" + e.name + "\"}");
        ++gets;
        break;
      case OpKind::kRemove:
        EXPECT_EQ(e.type, EventType::kInfo);
        EXPECT_EQ(e.error, "exit status 4");
        ++removes;
        break;
      case OpKind::kSetDefault:
        EXPECT_EQ(e.type, EventType::kOk);  // stdout of a write is ignored
        EXPECT_FALSE(e.lock_acquired);
        break;
      default:
        EXPECT_EQ(e.type, EventType::kOk);
        ASSERT_TRUE(e.lock_acquired && e.lock_released);
        EXPECT_EQ(*e.lock_released - *e.lock_acquired, 500);
        EXPECT_GT(*e.lock_acquired, 0);
        EXPECT_LT(*e.lock_acquired, e.t);
        ++spans;
    }
  }
  EXPECT_GT(gets, 0);
  EXPECT_GT(removes, 0);
  EXPECT_GT(spans, 0);
}

constexpr char kFakeWorker[] =
    "#!/usr/bin/python3\n"
    "import json, sys, time\n"
    "answered = 0\n"
    "for line in sys.stdin:\n"
    "    r = json.loads(line)\n"
    "    a = {'id': r['id']}\n"
    "    if r['name'].startswith('ghost-'): a.update(ok=False, error='unknown sandbox')\n"
    "    elif r['op'] == 'remove': a.update(ok=False, unknown=True, error='disk on fire')\n"
    "    elif r['op'] == 'get': a.update(ok=True, value={'name': r['name']})\n"
    "    else:\n"
    "        t = time.monotonic_ns()\n"
    "        a.update(ok=True, lock_acquired_ns=t, lock_released_ns=t + 1000)\n"
    "    print(json.dumps(a), flush=True)\n"
    "    answered += 1\n"
    "    if answered == LIMIT: sys.exit(0)\n";

std::string FakeWorker(int answers_before_exit) {
  std::string text = kFakeWorker;
  text.replace(text.find("LIMIT"), 5, std::to_string(answers_before_exit));
  return text;
}

TEST_F(RunTest, WorkerModeTranslatesAnswers) {
  const fs::path fake = Script("worker.py", FakeWorker(-1));
  RunOptions options = Options(fake.string(), Mode::kWorker, 3, 30);
  options.mix = OpMix{1, 1, 1, 1, 1};
  const RunOutcome outcome = ExecuteRun(options);
  ASSERT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  std::map<EventType, int> types;
  std::map<int, std::set<int>> pids_per_writer;
  for (const auto& [id, e] : Completions(History())) {
    ++types[e.type];
    pids_per_writer[e.writer].insert(e.pid);
    if (e.name.rfind("ghost-", 0) == 0) {
      EXPECT_EQ(e.type, EventType::kFail);
      EXPECT_EQ(e.error, "unknown sandbox");
    } else if (*e.op == OpKind::kRemove) {
      EXPECT_EQ(e.type, EventType::kInfo);
      EXPECT_THAT(e.error, HasSubstr("disk on fire"));
    } else if (*e.op == OpKind::kGet) {
      EXPECT_EQ(e.type, EventType::kOk);
      EXPECT_EQ(nlohmann::json::parse(e.value)["name"], e.name);
    } else {
      EXPECT_EQ(e.type, EventType::kOk);
      ASSERT_TRUE(e.lock_acquired && e.lock_released);
      EXPECT_EQ(*e.lock_released - *e.lock_acquired, 1000);
    }
  }
  EXPECT_GT(types[EventType::kOk], 0);
  EXPECT_GT(types[EventType::kFail], 0);
  EXPECT_GT(types[EventType::kInfo], 0);
  // One long-lived process per writer.
  ASSERT_EQ(pids_per_writer.size(), 3u);
  for (const auto& [writer, pids] : pids_per_writer) EXPECT_EQ(pids.size(), 1u) << writer;
}

TEST_F(RunTest, WorkerThatDiesIsRestartedForTheRemainingOperations) {
  // Answers two requests, then exits: every third operation is lost.
  const fs::path fake = Script("worker.py", FakeWorker(2));
  RunOptions options = Options(fake.string(), Mode::kWorker, 1, 10);
  options.mix = OpMix{1, 0, 0, 0, 0};  // registers only: every answer is ok
  const RunOutcome outcome = ExecuteRun(options);
  ASSERT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  const auto done = Completions(History());
  ASSERT_EQ(done.size(), 10u);
  std::string pattern;
  for (const auto& [id, e] : done) {
    pattern += e.type == EventType::kOk ? 'o' : e.type == EventType::kInfo ? 'i' : '?';
    if (e.type == EventType::kInfo) {
      EXPECT_THAT(e.error, HasSubstr("worker exited"));
    }
  }
  EXPECT_EQ(pattern, "ooiooiooio");
}

TEST_F(RunTest, OddlyTypedAnswerFieldsDoNotCrashTheHarness) {
  const fs::path fake = Script(
      "worker.py",
      "#!/usr/bin/python3\n"
      "import json, sys\n"
      "for line in sys.stdin:\n"
      "    r = json.loads(line)\n"
      "    print(json.dumps({'id': r['id'], 'ok': r['id'] % 2 == 0,\n"
      "                      'error': {'code': 7}, 'lock_acquired_ns': 'soon'}), flush=True)\n");
  // (A non-boolean "unknown" makes the whole answer malformed: answers_test.cc.)
  RunOptions options = Options(fake.string(), Mode::kWorker, 1, 4);
  const RunOutcome outcome = ExecuteRun(options);
  ASSERT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  const auto done = Completions(History());
  ASSERT_EQ(done.size(), 4u);
  EXPECT_EQ(done.at(0).type, EventType::kOk);
  EXPECT_FALSE(done.at(0).lock_acquired);
  EXPECT_EQ(done.at(1).type, EventType::kFail);
  // The span that is not a span is the implementation's error to report
  // (completion_errors.h); the mutual-exclusion checker finds it there.
  EXPECT_THAT(done.at(1).error, HasSubstr("malformed lock span: lock_released_ns missing"));
}

TEST_F(RunTest, MalformedSpanKeepsTheWorkersOwnError) {
  const fs::path fake =
      Script("worker.py",
             "#!/usr/bin/python3\n"
             "import json, sys\n"
             "for line in sys.stdin:\n"
             "    r = json.loads(line)\n"
             "    print(json.dumps({'id': r['id'], 'ok': False, 'error': 'disk quota exceeded',\n"
             "                      'lock_acquired_ns': 5}), flush=True)\n");
  RunOptions options = Options(fake.string(), Mode::kWorker, 1, 2);
  const RunOutcome outcome = ExecuteRun(options);
  ASSERT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  const auto done = Completions(History());
  ASSERT_EQ(done.size(), 2u);
  for (const auto& [id, e] : done) {
    EXPECT_EQ(e.type, EventType::kFail);
    EXPECT_EQ(e.error,
              "implementation error: malformed lock span: lock_released_ns missing (both or "
              "neither must be given); "
              "implementation said: disk quota exceeded");
  }
}

TEST_F(RunTest, HungWorkerIsKilledAtTheOpTimeout) {
  const fs::path fake = Script("worker.py",
                               "#!/usr/bin/python3\n"
                               "import json, sys, time\n"
                               "for line in sys.stdin:\n"
                               "    r = json.loads(line)\n"
                               "    if r['id'] == 2: time.sleep(60)\n"
                               "    print(json.dumps({'id': r['id'], 'ok': True}), flush=True)\n");
  RunOptions options = Options(fake.string(), Mode::kWorker, 1, 4);
  options.mix = OpMix{1, 0, 0, 0, 0};
  options.op_timeout_ms = 3000;  // generous: a loaded machine starts python slowly
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(ExecuteRun(options).status, RunOutcome::Status::kCompleted);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  const auto done = Completions(History());
  ASSERT_EQ(done.size(), 4u);
  EXPECT_EQ(done.at(0).type, EventType::kOk);
  EXPECT_EQ(done.at(1).type, EventType::kOk);
  EXPECT_EQ(done.at(2).type, EventType::kInfo);
  EXPECT_THAT(done.at(2).error, HasSubstr("timed out after 3000 ms; no answer; worker killed"));
  EXPECT_EQ(done.at(3).type, EventType::kOk);  // in a restarted worker
  EXPECT_NE(done.at(3).pid, done.at(1).pid);
}

TEST_F(RunTest, RefusesNonEmptyDirectoryAndBadTemplates) {
  fs::create_directories(scratch_ / "run");
  std::ofstream(scratch_ / "run" / "x") << "x";
  RunOutcome outcome = ExecuteRun(Options("/bin/true", Mode::kPerOp, 1, 1));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kHarnessError);
  EXPECT_THAT(outcome.reason, HasSubstr("not empty"));
  fs::remove_all(scratch_ / "run");
  outcome = ExecuteRun(Options("/bin/true 'unterminated", Mode::kPerOp, 1, 1));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kHarnessError);
  EXPECT_THAT(outcome.reason, HasSubstr("bad --impl: unterminated"));
}

TEST_F(RunTest, ProgramTheInterposerCannotSeeIsNotRunnableUnderFaults) {
  // ldconfig is statically linked on Debian: LD_PRELOAD cannot reach it, so
  // a run with interposer faults would pass without any fault firing.
  if (!fs::exists("/sbin/ldconfig")) GTEST_SKIP() << "no /sbin/ldconfig";
  RunOptions options = Options("/sbin/ldconfig", Mode::kPerOp, 1, 1);
  options.interposer_faults = "lh/rename/registry=errno:EIO";
  RunOutcome outcome = ExecuteRun(options);
  EXPECT_EQ(outcome.status, RunOutcome::Status::kNotRunnable);
  EXPECT_THAT(outcome.reason, HasSubstr("cannot interpose"));
  EXPECT_THAT(outcome.reason, HasSubstr("dynamically linked"));
}

TEST_F(RunTest, InvalidInterposerFaultIsAHarnessError) {
  RunOptions options = Options("/bin/true", Mode::kPerOp, 1, 1);
  options.interposer_faults = "lh/rename/registry=errno:EIOO";
  RunOutcome outcome = ExecuteRun(options);
  EXPECT_EQ(outcome.status, RunOutcome::Status::kHarnessError);
  EXPECT_THAT(outcome.reason, HasSubstr("interposer: "));
}

TEST_F(RunTest, NotRunnableImplementations) {
  RunOutcome outcome = ExecuteRun(Options("/no/such/binary", Mode::kPerOp, 2, 2));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kNotRunnable);
  EXPECT_EQ(outcome.reason, "implementation not runnable: no such file: /no/such/binary");
  fs::remove_all(scratch_ / "run");
  const fs::path dead = Script("dead.sh", "#!/bin/sh\nexit 126\n");
  outcome = ExecuteRun(Options(dead.string(), Mode::kWorker, 2, 50));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kNotRunnable);
  EXPECT_THAT(outcome.reason, HasSubstr("exit status 126"));
  EXPECT_LT(outcome.completed_ops, 100);  // stopped early
  fs::remove_all(scratch_ / "run");
  const fs::path usage = Script("usage.sh", "#!/bin/sh\necho 'usage: ...' >&2\nexit 2\n");
  outcome = ExecuteRun(Options(usage.string(), Mode::kPerOp, 2, 50));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kNotRunnable);
  EXPECT_THAT(outcome.reason, HasSubstr("usage.sh exit status 2 (see "));
  EXPECT_THAT(Slurp(scratch_ / "run" / "logs" / "writer-0.stderr"), HasSubstr("usage: ..."));
}

// The suite runner's per-op substitution keys on no_worker_mode, not on the
// reason's wording.
TEST_F(RunTest, PerOpOnlyProgramInWorkerModeHasNoWorkerMode) {
  // Refuses its last argument "worker" with a usage error, as such programs do.
  const fs::path per_op_only =
      Script("per-op-only.sh",
             "#!/bin/sh\nfor a; do last=$a; done\n[ \"$last\" = worker ] && exit 2\nexit 0\n");
  RunOutcome outcome = ExecuteRun(Options(per_op_only.string(), Mode::kWorker, 2, 4));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kNotRunnable);
  EXPECT_TRUE(outcome.no_worker_mode) << outcome.reason;
  // Other ways of not running are not a missing worker mode.
  fs::remove_all(scratch_ / "run");
  const fs::path usage = Script("usage.sh", "#!/bin/sh\nexit 2\n");
  outcome = ExecuteRun(Options(usage.string(), Mode::kPerOp, 2, 4));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kNotRunnable);
  EXPECT_FALSE(outcome.no_worker_mode) << outcome.reason;
  fs::remove_all(scratch_ / "run");
  outcome = ExecuteRun(Options("/no/such/binary", Mode::kWorker, 2, 4));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kNotRunnable);
  EXPECT_FALSE(outcome.no_worker_mode) << outcome.reason;
  // A worker that answered and then died is a buggy worker, not a missing one.
  fs::remove_all(scratch_ / "run");
  RunOptions options = Options(Script("worker.py", FakeWorker(2)).string(), Mode::kWorker, 1, 6);
  options.mix = OpMix{1, 0, 0, 0, 0};
  outcome = ExecuteRun(options);
  EXPECT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  EXPECT_FALSE(outcome.no_worker_mode);
}

TEST_F(RunTest, FailuresAfterADefiniteAnswerAreNotNotRunnable) {
  // The first operation of each writer works, the rest exit 4 (I/O error):
  // a buggy implementation, judged by the checkers, not "not runnable".
  const fs::path flaky =
      Script("flaky.sh", "#!/bin/sh\ncase \"$2\" in *-0) exit 0;; esac\nexit 4\n");
  const RunOutcome outcome = ExecuteRun(Options(flaky.string(), Mode::kPerOp, 2, 10));
  EXPECT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  EXPECT_EQ(outcome.completed_ops, 20);
}

// Two runs side by side in one process, as `conformance --jobs 2` runs its
// cells: the one that reaches its run timeout kills its own processes and
// none of the other's (it once killed every child of the process, and the
// other cell's operations died of a SIGKILL nobody had asked for).
TEST_F(RunTest, ARunTimeoutKillsOnlyItsOwnRunsProcesses) {
  const fs::path hang = Script("hang.sh", "#!/bin/sh\nexec sleep 30\n");
  const fs::path slow = Script("slow.sh", "#!/bin/sh\nsleep 0.3\nexit 0\n");
  RunOptions timed_out = Options(hang.string(), Mode::kPerOp, 1, 1);
  timed_out.out_dir = scratch_ / "timed-out";
  timed_out.run_timeout_ms = 1000;
  RunOptions beside = Options(slow.string(), Mode::kPerOp, 2, 8);  // about 2.4 s
  RunOutcome beside_outcome;
  std::thread other([&] { beside_outcome = ExecuteRun(beside); });
  const RunOutcome outcome = ExecuteRun(timed_out);
  other.join();
  EXPECT_EQ(outcome.status, RunOutcome::Status::kInterrupted) << outcome.reason;
  ASSERT_EQ(beside_outcome.status, RunOutcome::Status::kCompleted) << beside_outcome.reason;
  for (const auto& [id, completion] : Completions(History())) {
    EXPECT_EQ(completion.type, EventType::kOk) << "op " << id << ": " << completion.error;
  }
}

TEST_F(RunTest, FailuresAfterANemesisActedAreNotNotRunnable) {
  // The first operation holds a flock on the lock file until kill-holder
  // kills it (it marks the registry's directory once it holds the lock);
  // every other one waits for that mark, then for the lock, then gives up
  // (exit 3), as a writer does that waits out a dead holder's lock. No
  // operation ever gets a definite answer, yet the command works: the
  // failures answer the fault the harness caused, and the run is judged.
  const fs::path holder =
      Script("holder.sh",
             "#!/bin/sh\nr=\"$LOCKHARNESS_REGISTRY\"\n"
             "if mkdir \"$r.first\" 2>/dev/null; then\n"
             "  exec flock \"$r.lock\" sh -c 'touch \"$1.held\"; exec sleep 30' sh \"$r\"\nfi\n"
             "while [ ! -e \"$r.held\" ]; do sleep 0.01; done\n"
             "flock -w 4 \"$r.lock\" true\nexit 3\n");
  RunOptions options = Options(holder.string(), Mode::kPerOp, 2, 3);
  NemesisSpec kill;
  kill.kind = NemesisKind::kKillHolder;
  kill.start_ms = 300;
  kill.count = 1;
  options.nemeses.push_back(kill);
  const RunOutcome outcome = ExecuteRun(options);
  EXPECT_EQ(outcome.status, RunOutcome::Status::kCompleted) << outcome.reason;
  EXPECT_EQ(outcome.completed_ops, 6);
  int killed = 0;
  for (const Event& e : History()) killed += e.type == EventType::kFault;
  EXPECT_EQ(killed, 1);
}

TEST_F(RunTest, ReadersRecordSamples) {
  // A "write" that atomically installs invalid JSON: every reader sample
  // after it fails, always with the same bytes.
  const fs::path fake =
      Script("bad.sh",
             "#!/bin/sh\nprintf '{\"sandboxes\": [' > \"$LOCKHARNESS_REGISTRY.t.$$\"\n"
             "mv \"$LOCKHARNESS_REGISTRY.t.$$\" \"$LOCKHARNESS_REGISTRY\"\nsleep 0.05\n");
  RunOptions options = Options(fake.string(), Mode::kPerOp, 1, 5);
  options.readers = 2;
  const RunOutcome outcome = ExecuteRun(options);
  ASSERT_EQ(outcome.status, RunOutcome::Status::kCompleted);
  EXPECT_GT(outcome.readers.samples, 0);
  EXPECT_GT(outcome.readers.invalid, 0);
  int invalid_events = 0;
  for (const Event& e : History()) {
    if (e.type != EventType::kRead) continue;
    EXPECT_GE(e.process, 1);  // after the writers' slots
    EXPECT_EQ(e.writer, -1);
    if (e.valid == false) {
      ++invalid_events;
      EXPECT_THAT(e.error, HasSubstr("(15 bytes read)"));
    }
  }
  // Identical invalid samples are recorded once per reader.
  EXPECT_GE(invalid_events, 1);
  EXPECT_LE(invalid_events, 2);
}

}  // namespace
}  // namespace lockharness::harness::runner
