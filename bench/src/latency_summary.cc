#include "lockharness/bench/latency_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lockharness::bench {

int64_t NearestRankPercentile(const std::vector<int64_t>& sorted, double percent) {
  const double n = static_cast<double>(sorted.size());
  // Rank in 1..n; the epsilon keeps exact products (99% of 100 = 99) from
  // rounding up to the next rank through floating-point error.
  auto rank = static_cast<size_t>(std::ceil(percent / 100.0 * n - 1e-9));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

LatencySummary SummarizeLatencies(std::vector<int64_t> samples_ns) {
  LatencySummary out;
  if (samples_ns.empty()) return out;
  std::sort(samples_ns.begin(), samples_ns.end());
  out.count = static_cast<int64_t>(samples_ns.size());
  out.p50_ns = NearestRankPercentile(samples_ns, 50);
  out.p99_ns = NearestRankPercentile(samples_ns, 99);
  out.max_ns = samples_ns.back();
  return out;
}

ShareSummary SummarizeShares(const std::vector<int64_t>& ops_per_process) {
  ShareSummary out;
  if (ops_per_process.empty()) return out;
  const double total = static_cast<double>(
      std::accumulate(ops_per_process.begin(), ops_per_process.end(), int64_t{0}));
  if (total <= 0) return out;
  const double mean = total / static_cast<double>(ops_per_process.size());
  auto [lo, hi] = std::minmax_element(ops_per_process.begin(), ops_per_process.end());
  out.min_share = static_cast<double>(*lo) / mean;
  out.max_share = static_cast<double>(*hi) / mean;
  return out;
}

}  // namespace lockharness::bench
