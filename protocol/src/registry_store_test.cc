#include "lockharness/protocol/registry_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "lockharness/protocol/fault_points.h"
#include "test_util.h"

namespace lockharness::protocol {
namespace {

using namespace std::chrono_literals;
using testing::ReadFileOrDie;
using testing::Spawn;
using testing::TempDir;
using testing::WaitFor;
using testing::WriteFileOrDie;

// Sanitizer builds on two loaded cores make each critical section slow and
// waiters can lose many races in a row; the deadline is not under test here.
StoreOptions Options() {
  StoreOptions o;
  o.lock.timeout = 180000ms;
  return o;
}

Status Register(RegistryStore& store, const std::string& name) {
  return store.Mutate([&](Registry& r) { return r.Register(name, {}, IsoTimeNow()); });
}

TEST(RegistryStoreTest, MutateWritesAndReadSeesIt) {
  TempDir dir;
  RegistryStore store(Env::Default(), dir.Join("sandboxes.json"), Options());
  ASSERT_TRUE(Register(store, "a").ok());
  auto r = store.Read();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Contains("a"));
  EXPECT_EQ(r->document()["defaultSandbox"], "a");
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"});
}

TEST(RegistryStoreTest, RefusedChangeWritesNothing) {
  TempDir dir;
  RegistryStore store(Env::Default(), dir.Join("sandboxes.json"), Options());
  Status s = store.Mutate([](Registry& r) { return r.Update("ghost", {{"model", "x"}}); });
  EXPECT_EQ(s.code(), Code::kRefused);
  EXPECT_TRUE(dir.Names().empty()) << "no file, no lock, no temp";
}

TEST(RegistryStoreTest, CorruptRegistryIsReportedBackedUpAndNeverReplaced) {
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  const std::string garbage = "{\"sandboxes\": {\"a\": ";
  WriteFileOrDie(path, garbage);
  RegistryStore store(Env::Default(), path, Options());

  auto read = store.Read();
  EXPECT_EQ(read.status().code(), Code::kCorrupt);
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"}) << "reads write nothing";

  Status s = Register(store, "b");
  EXPECT_EQ(s.code(), Code::kCorrupt);
  EXPECT_NE(s.message().find("refusing to write"), std::string::npos) << s.message();
  EXPECT_EQ(ReadFileOrDie(path), garbage) << "the original bytes are unchanged";
  auto names = dir.Names();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[1].rfind("sandboxes.json.corrupt.", 0), 0u) << names[1];
  EXPECT_EQ(ReadFileOrDie(dir.Join(names[1])), garbage);
  EXPECT_NE(s.message().find(names[1]), std::string::npos) << "the message names the backup";

  EXPECT_EQ(Register(store, "c").code(), Code::kCorrupt);
  EXPECT_EQ(dir.Names().size(), 2u) << "one backup per distinct content";
}

TEST(RegistryStoreTest, EmptyFileIsCorruptNotEmptyRegistry) {
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  WriteFileOrDie(path, "");
  RegistryStore store(Env::Default(), path, Options());
  EXPECT_EQ(Register(store, "a").code(), Code::kCorrupt);
  EXPECT_EQ(ReadFileOrDie(path), "");
}

TEST(RegistryStoreTest, WriteFaultsKeepTheOldRegistryAndReleaseTheLock) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  RegistryStore store(Env::Default(), path, Options());
  ASSERT_TRUE(Register(store, "a").ok());
  const std::string before = ReadFileOrDie(path);
  for (const char* point : {fault_point::kBeforeTempWrite, fault_point::kBeforeFsync, fault_point::kBeforeRename}) {
    testing::ScopedFault fault(point, kFaultFail, EIO);
    Status s = Register(store, "b");
    EXPECT_EQ(s.err(), EIO) << point;
    EXPECT_EQ(s.step(), point);
    EXPECT_EQ(ReadFileOrDie(path), before) << point;
    EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"}) << point << ": no temp, no lock";
  }
}

TEST(RegistryStoreTest, LockLostBeforeTheWriteWritesNothing) {
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  RegistryStore store(Env::Default(), path, Options());
  ASSERT_TRUE(Register(store, "a").ok());
  const std::string before = ReadFileOrDie(path);
  Status s = store.Mutate([&](Registry& r) {
    // Another process breaks our lock while we compute.
    std::filesystem::rename(path + ".lock", dir.Join("stolen"));
    return r.Register("b", {}, IsoTimeNow());
  });
  EXPECT_EQ(s.code(), Code::kLockLost);
  EXPECT_EQ(ReadFileOrDie(path), before);
}

TEST(RegistryStoreTest, KilledWriterIsTakenOverAndItsTempSwept) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  pid_t victim = Spawn([&] {
    RegistryStore store(Env::Default(), path, Options());
    testing::ScopedFault crash(fault_point::kAfterTempWrite, kFaultCrash, 0);
    return Register(store, "victim").ok() ? 0 : 1;
  });
  ASSERT_EQ(WaitFor(victim), 128 + SIGKILL);
  auto left = dir.Names();
  ASSERT_EQ(left.size(), 2u) << "the killed writer left its lock and temp file";

  RegistryStore store(Env::Default(), path, Options());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(Register(store, "next").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s) << "well within the 10 s default deadline";
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"}) << "lock broken, temp swept";
  auto r = store.Read();
  EXPECT_FALSE(r->Contains("victim"));
  EXPECT_TRUE(r->Contains("next"));
}

// 8 processes x 200 registers through the library, with a reader process
// that parses the file in a tight loop throughout.
TEST(RegistryStoreTest, ConcurrentWritersLoseNothingAndReadersNeverSeeTornJson) {
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  constexpr int kWriters = 8, kOps = 200;
  int stop[2];
  ASSERT_EQ(::pipe(stop), 0);
  pid_t reader = Spawn([&] {
    ::close(stop[1]);
    long samples = 0;
    for (;;) {
      std::string bytes;
      if (std::filesystem::exists(path)) {
        try {
          bytes = ReadFileOrDie(path);
        } catch (...) {
          continue;  // renamed away between exists and open
        }
        if (!Registry::Parse(bytes, path).ok()) return 10;  // torn or invalid
        ++samples;
      }
      char c;
      ::fcntl(stop[0], F_SETFL, O_NONBLOCK);
      if (::read(stop[0], &c, 1) == 0) return samples > 0 ? 0 : 11;
    }
  });
  ::close(stop[0]);
  std::vector<pid_t> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(Spawn([&, w] {
      RegistryStore store(Env::Default(), path, Options());
      for (int i = 0; i < kOps; ++i) {
        Status s = Register(store, "w" + std::to_string(w) + "-" + std::to_string(i));
        if (!s.ok()) {
          std::fprintf(stderr, "writer %d op %d: %s\n", w, i, s.ToString().c_str());
          return 1;
        }
      }
      return 0;
    }));
  }
  for (pid_t w : writers) EXPECT_EQ(WaitFor(w), 0);
  ::close(stop[1]);
  EXPECT_EQ(WaitFor(reader), 0) << "10: a reader saw invalid JSON; 11: it saw nothing";

  RegistryStore store(Env::Default(), path, Options());
  auto r = store.Read();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->document()["sandboxes"].size(), static_cast<size_t>(kWriters * kOps));
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"}) << "no temp file, no lock dir";
}

// --- Mutants (mutant.h) ---

StoreOptions ForMutant(Mutant m) {
  StoreOptions o = Options();
  o.mutant = m;
  return o;
}

// A holder whose lock is moved aside mid-operation while another process
// takes the path: what happens to its write and to the other's lock.
struct StolenLockCase {
  Mutant mutant;
  Code result;
  bool written;          // our write landed although the lock was not ours
  bool other_lock_kept;  // the other process's lock survived our release
};

class StolenLockTest : public ::testing::TestWithParam<StolenLockCase> {};

TEST_P(StolenLockTest, HolderRechecksAndReleaseAsTheMutantDictates) {
  const StolenLockCase& c = GetParam();
  TempDir dir;
  const std::string path = dir.Join("sandboxes.json");
  RegistryStore store(Env::Default(), path, ForMutant(c.mutant));
  ASSERT_TRUE(Register(store, "a").ok());
  Status s = store.Mutate([&](Registry& r) {
    std::filesystem::rename(path + ".lock", dir.Join("stolen"));
    EXPECT_EQ(::mkdir((path + ".lock").c_str(), 0700), 0);
    WriteFileOrDie(path + ".lock/owner", std::to_string(::getppid()));  // a live other holder
    return r.Register("b", {}, IsoTimeNow());
  });
  EXPECT_EQ(s.code(), c.result) << s.ToString();
  auto r = store.Read();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Contains("b"), c.written);
  EXPECT_EQ(std::filesystem::exists(path + ".lock/owner"), c.other_lock_kept);
}

INSTANTIATE_TEST_SUITE_P(Mutants, StolenLockTest,
                         ::testing::Values(
                             // The reference: P1 refuses the write, P4 leaves the other's lock.
                             StolenLockCase{Mutant::kNone, Code::kLockLost, false, true},
                             // Like the seed: writes without looking, releases by path.
                             StolenLockCase{Mutant::kReleaseAny, Code::kOk, true, false},
                             // Seed-style holders: write without looking, release by path.
                             StolenLockCase{Mutant::kAgeReap, Code::kOk, true, false},
                             StolenLockCase{Mutant::kNoOwnerRecheck, Code::kOk, true, false},
                             StolenLockCase{Mutant::kOwnerNonatomic, Code::kOk, true, false}),
                         [](const auto& info) {
                           std::string name(MutantName(info.param.mutant));
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

TEST(RegistryStoreMutantTest, ResetOnCorruptErasesEveryEntry) {
  for (Mutant m : {Mutant::kNone, Mutant::kResetOnCorrupt}) {
    SCOPED_TRACE(MutantName(m));
    TempDir dir;
    const std::string path = dir.Join("sandboxes.json");
    const std::string garbage = "{\"sandboxes\": {\"a\": {\"name\": \"a\"}, ";
    WriteFileOrDie(path, garbage);
    RegistryStore store(Env::Default(), path, ForMutant(m));
    Status s = Register(store, "b");
    if (m == Mutant::kNone) {
      EXPECT_EQ(s.code(), Code::kCorrupt);
      EXPECT_EQ(ReadFileOrDie(path), garbage);
      EXPECT_EQ(dir.Names().size(), 2u) << "the registry and its backup";
    } else {
      ASSERT_TRUE(s.ok()) << s.ToString();
      auto r = store.Read();
      ASSERT_TRUE(r.ok());
      EXPECT_TRUE(r->Contains("b"));
      EXPECT_EQ(r->document()["sandboxes"].size(), 1u) << "everything else is gone";
      EXPECT_EQ(dir.Names(), std::vector<std::string>{"sandboxes.json"}) << "and no backup was made";
    }
  }
}

}  // namespace
}  // namespace lockharness::protocol
