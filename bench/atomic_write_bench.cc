// atomic_write_bench.cc: what each way of replacing a file costs, by
// document size and file system.
//
//   atomic_write_bench [--tmpfs_dir=/dev/shm] [--disk_dir=.] [Google Benchmark flags]
//
// Benchmarks "AtomicWrite/<method>/<bytes>/<tmpfs|disk>" for every method of
// write_methods.h and documents of 1 KiB, 64 KiB and 1 MiB: one process
// rewrites the same file in a loop (no lock). bytes_per_second is the
// document size times the rate. Times are wall-clock (UseRealTime): an
// fsync mostly waits, so CPU time would both understate the cost and make
// Google Benchmark run the fsync cases for minutes to accumulate it.

#include <benchmark/benchmark.h>

#include <string>

#include "lockharness/bench/bench_flags.h"
#include "lockharness/bench/scratch_dir.h"
#include "lockharness/bench/write_methods.h"

namespace lockharness::bench {
namespace {

// JSON-ish bytes of exactly `size` (the content does not matter to the
// kernel, but it keeps a looked-at file recognisable).
std::string DocumentOfSize(size_t size) {
  std::string doc = "{\"pad\":\"";
  while (doc.size() + 3 < size) doc.push_back('x');
  doc += "\"}\n";
  doc.resize(size, '\n');
  return doc;
}

void AtomicWrite(benchmark::State& state, WriteMethod method, size_t size,
                 const std::string& base) {
  ScratchDir dir(base);
  if (dir.path().empty()) {
    state.SkipWithError(("cannot create a directory under " + base).c_str());
    return;
  }
  const std::string file = dir.path() + "/registry.json";
  const std::string doc = DocumentOfSize(size);
  for (auto _ : state) {
    Status s = WriteWithMethod(method, file, doc);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(size));
}

}  // namespace
}  // namespace lockharness::bench

int main(int argc, char** argv) {
  using namespace lockharness::bench;
  const std::string tmpfs_dir = TakeFlag(&argc, argv, "tmpfs_dir", "/dev/shm");
  const std::string disk_dir = TakeFlag(&argc, argv, "disk_dir", ".");
  for (const auto& [fs_name, base] : {std::pair{"tmpfs", tmpfs_dir}, std::pair{"disk", disk_dir}}) {
    for (WriteMethod method : AllWriteMethods()) {
      for (size_t size : {size_t{1} << 10, size_t{64} << 10, size_t{1} << 20}) {
        std::string name = std::string("AtomicWrite/") + WriteMethodName(method) + "/" +
                           std::to_string(size) + "/" + fs_name;
        benchmark::RegisterBenchmark(name.c_str(), AtomicWrite, method, size, base)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
