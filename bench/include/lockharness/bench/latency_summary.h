// latency_summary.h: the statistics a contention run reports: acquire
// latency percentiles and how evenly the processes shared the lock.
//
//   LatencySummary l = SummarizeLatencies(samples_ns);   // p50, p99, max
//   ShareSummary f = SummarizeShares(ops_per_process);    // min/max share
//
// Pure functions of their inputs; no I/O.

#ifndef LOCKHARNESS_BENCH_LATENCY_SUMMARY_H_
#define LOCKHARNESS_BENCH_LATENCY_SUMMARY_H_

#include <cstdint>
#include <vector>

namespace lockharness::bench {

struct LatencySummary {
  int64_t count = 0;
  int64_t p50_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;
};

// Percentiles by the nearest-rank method: the p-th percentile is the
// smallest sample with at least p% of the samples at or below it, so a
// reported p99 is always a latency some acquisition actually had.
// An empty input gives all zeros. Takes the samples by value: it sorts them.
LatencySummary SummarizeLatencies(std::vector<int64_t> samples_ns);

// The nearest-rank `percent` (0 < percent <= 100) of sorted samples.
// REQUIRES: `sorted` is non-empty and ascending.
int64_t NearestRankPercentile(const std::vector<int64_t>& sorted, double percent);

// Each process's operations divided by the mean over all processes: 1.0 is a
// perfectly fair share; 0.0 means a process never got the lock.
struct ShareSummary {
  double min_share = 0;
  double max_share = 0;
};

// All zeros if there are no processes or no operations at all.
ShareSummary SummarizeShares(const std::vector<int64_t>& ops_per_process);

}  // namespace lockharness::bench

#endif  // LOCKHARNESS_BENCH_LATENCY_SUMMARY_H_
