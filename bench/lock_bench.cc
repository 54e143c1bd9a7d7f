// lock_bench.cc: the uncontended cost of taking and giving back each lock.
//
//   lock_bench [--tmpfs_dir=/dev/shm] [--disk_dir=.] [Google Benchmark flags]
//
// One benchmark per strategy (lock_strategy.h) and file system, named
// "AcquireRelease/<lock>/<tmpfs|disk>": a single process acquires and
// releases in a loop, nobody else competing. For scale, "FullMutate/<fs>"
// times one complete operation of the reference library
// (RegistryStore::Mutate: lock, sweep, load, change, verify, durable write,
// release) on a 20-entry registry. Each runs in a fresh directory under the
// chosen base, removed afterwards. Times are wall-clock (UseRealTime): the
// work is file-system calls, and on a disk much of it is spent waiting.

#include <benchmark/benchmark.h>

#include <string>

#include "lockharness/bench/bench_flags.h"
#include "lockharness/bench/lock_strategy.h"
#include "lockharness/bench/scratch_dir.h"
#include "lockharness/protocol/registry_store.h"

namespace lockharness::bench {
namespace {

void AcquireRelease(benchmark::State& state, LockKind kind, const std::string& base) {
  ScratchDir dir(base);
  if (dir.path().empty()) {
    state.SkipWithError(("cannot create a directory under " + base).c_str());
    return;
  }
  auto lock = MakeLockStrategy(kind, dir.path() + "/registry.json");
  for (auto _ : state) {
    Status s = lock->Acquire();
    if (s.ok()) s = lock->Release();
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
}

void FullMutate(benchmark::State& state, const std::string& base) {
  ScratchDir dir(base);
  if (dir.path().empty()) {
    state.SkipWithError(("cannot create a directory under " + base).c_str());
    return;
  }
  protocol::RegistryStore store(protocol::Env::Default(), dir.path() + "/sandboxes.json",
                                protocol::StoreOptions{});
  for (int i = 0; i < 20; ++i) {
    Status s = store.Mutate([&](protocol::Registry& r) {
      return r.Register("sandbox-" + std::to_string(i), {{"model", "nvidia/nemotron"}},
                        protocol::IsoTimeNow());
    });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  int64_t n = 0;
  for (auto _ : state) {
    Status s = store.Mutate([&](protocol::Registry& r) {
      return r.Update("sandbox-7", {{"model", "m" + std::to_string(++n)}});
    });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
}

}  // namespace
}  // namespace lockharness::bench

int main(int argc, char** argv) {
  using namespace lockharness::bench;
  const std::string tmpfs_dir = TakeFlag(&argc, argv, "tmpfs_dir", "/dev/shm");
  const std::string disk_dir = TakeFlag(&argc, argv, "disk_dir", ".");
  for (LockKind kind : AllLockKinds()) {
    for (const auto& [fs_name, base] :
         {std::pair{"tmpfs", tmpfs_dir}, std::pair{"disk", disk_dir}}) {
      std::string name = std::string("AcquireRelease/") + LockKindName(kind) + "/" + fs_name;
      benchmark::RegisterBenchmark(name.c_str(), AcquireRelease, kind, base)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }
  for (const auto& [fs_name, base] : {std::pair{"tmpfs", tmpfs_dir}, std::pair{"disk", disk_dir}}) {
    std::string name = std::string("FullMutate/") + fs_name;
    benchmark::RegisterBenchmark(name.c_str(), FullMutate, base)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
