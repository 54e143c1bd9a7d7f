// contention_bench.cc: throughput, acquire latency and fairness of each lock
// when 1 to 32 processes hammer one registry file (contention_run.h).
//
//   contention_bench [--duration_ms=1000] [--dir=/dev/shm] [--processes=1,2,4,8,16,32]
//                    [--locks=ours,seed,flock,ofd,excl]
//                    [--write=temp_fsync_rename_dirsync] [Google Benchmark flags]
//
// --locks also takes ours-queue (the reference lock with its experimental
// wait queue) and none (no lock: the lost-update check's negative control).
// One benchmark per lock and process count, "Contention/<lock>/<processes>",
// run once (Iterations(1)): its manual time is the measurement window.
// Counters: ops_per_s, p50_us/p99_us/max_us (acquire latency), min_share/
// max_share (each process's cycles over the mean), hold_us (mean time the
// lock was held per cycle), busy (share of the window it was held),
// release_us (mean time in Release()), ops,
// late_ops, failures, lost_updates (must be 0), processes. Ratios between runs are the report
// renderer's job, from the JSON output.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "lockharness/bench/bench_flags.h"
#include "lockharness/bench/contention_run.h"

namespace lockharness::bench {
namespace {

void Contention(benchmark::State& state, ContentionConfig config) {
  for (auto _ : state) {
    auto r = RunContention(config);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    state.SetIterationTime(r->window_s);
    state.counters["processes"] = config.processes;
    state.counters["ops"] = static_cast<double>(r->ops);
    state.counters["late_ops"] = static_cast<double>(r->late_ops);
    state.counters["failures"] = static_cast<double>(r->failures);
    state.counters["lost_updates"] = static_cast<double>(r->lost_updates);
    state.counters["ops_per_s"] = r->ops_per_s;
    state.counters["p50_us"] = static_cast<double>(r->latency.p50_ns) / 1e3;
    state.counters["p99_us"] = static_cast<double>(r->latency.p99_ns) / 1e3;
    state.counters["max_us"] = static_cast<double>(r->latency.max_ns) / 1e3;
    state.counters["acquisitions"] = static_cast<double>(r->latency.count);
    state.counters["hold_us"] = static_cast<double>(r->mean_hold_ns) / 1e3;
    state.counters["busy"] = r->busy_fraction;
    state.counters["release_us"] = static_cast<double>(r->mean_release_ns) / 1e3;
    state.counters["min_share"] = r->shares.min_share;
    state.counters["max_share"] = r->shares.max_share;
    if (!r->first_error.empty()) state.SetLabel("first failure: " + r->first_error);
  }
}

int Usage(const char* problem) {
  std::fprintf(stderr, "contention_bench: %s\n", problem);
  return 2;
}

}  // namespace
}  // namespace lockharness::bench

int main(int argc, char** argv) {
  using namespace lockharness::bench;
  ContentionConfig base;
  base.dir = TakeFlag(&argc, argv, "dir", "/dev/shm");
  const std::string duration = TakeFlag(&argc, argv, "duration_ms", "1000");
  const std::string processes = TakeFlag(&argc, argv, "processes", "1,2,4,8,16,32");
  const std::string locks = TakeFlag(&argc, argv, "locks", "ours,seed,flock,ofd,excl");
  const std::string write = TakeFlag(&argc, argv, "write", "temp_fsync_rename_dirsync");

  std::vector<int> duration_ms, counts;
  if (!ParsePositiveIntList(duration, &duration_ms) || duration_ms.size() != 1) {
    return Usage("--duration_ms must be one positive integer");
  }
  base.duration = std::chrono::milliseconds(duration_ms[0]);
  if (!ParsePositiveIntList(processes, &counts) || counts.empty()) {
    return Usage("--processes must be a list of positive integers");
  }
  bool write_known = false;
  for (WriteMethod method : AllWriteMethods()) {
    if (write == WriteMethodName(method)) {
      base.write = method;
      write_known = true;
    }
  }
  if (!write_known) return Usage("unknown --write method");

  for (const std::string& lock_name : SplitCommaList(locks)) {
    auto kind = ParseLockKind(lock_name);
    if (!kind) return Usage(("unknown lock " + lock_name).c_str());
    for (int n : counts) {
      ContentionConfig config = base;
      config.kind = *kind;
      config.processes = n;
      std::string name = "Contention/" + lock_name + "/" + std::to_string(n);
      benchmark::RegisterBenchmark(name.c_str(), Contention, config)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::AddCustomContext("contention_dir", base.dir);
  benchmark::AddCustomContext("contention_duration_ms", std::to_string(duration_ms[0]));
  benchmark::AddCustomContext("contention_write", WriteMethodName(base.write));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
