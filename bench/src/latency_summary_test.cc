#include "lockharness/bench/latency_summary.h"

#include <gtest/gtest.h>

namespace lockharness::bench {
namespace {

TEST(SummarizeLatencies, EmptyInputIsAllZero) {
  LatencySummary s = SummarizeLatencies({});
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.p50_ns, 0);
  EXPECT_EQ(s.p99_ns, 0);
  EXPECT_EQ(s.max_ns, 0);
}

TEST(SummarizeLatencies, NearestRankOnOneToHundred) {
  std::vector<int64_t> samples;
  for (int64_t i = 100; i >= 1; --i) samples.push_back(i);  // unsorted on purpose
  LatencySummary s = SummarizeLatencies(samples);
  EXPECT_EQ(s.count, 100);
  EXPECT_EQ(s.p50_ns, 50);
  EXPECT_EQ(s.p99_ns, 99);
  EXPECT_EQ(s.max_ns, 100);
}

TEST(SummarizeLatencies, OneSlowOutlierShowsInP99OnlyWhenAboveOnePercent) {
  // 1 slow acquisition in 200 (0.5%) must not move p99; 3 in 200 (1.5%) must.
  std::vector<int64_t> few(199, 10);
  few.push_back(5000);
  EXPECT_EQ(SummarizeLatencies(few).p99_ns, 10);
  EXPECT_EQ(SummarizeLatencies(few).max_ns, 5000);
  std::vector<int64_t> many(197, 10);
  many.insert(many.end(), {5000, 5000, 5000});
  EXPECT_EQ(SummarizeLatencies(many).p99_ns, 5000);
}

TEST(SummarizeLatencies, SingleSample) {
  LatencySummary s = SummarizeLatencies({42});
  EXPECT_EQ(s.p50_ns, 42);
  EXPECT_EQ(s.p99_ns, 42);
  EXPECT_EQ(s.max_ns, 42);
}

TEST(SummarizeShares, EqualProcessesShareOne) {
  ShareSummary f = SummarizeShares({10, 10, 10, 10});
  EXPECT_DOUBLE_EQ(f.min_share, 1.0);
  EXPECT_DOUBLE_EQ(f.max_share, 1.0);
}

TEST(SummarizeShares, StarvedProcessHasZeroShare) {
  // Mean 10: the hog has 3.0, the starved process 0.
  ShareSummary f = SummarizeShares({0, 30, 5, 5});
  EXPECT_DOUBLE_EQ(f.min_share, 0.0);
  EXPECT_DOUBLE_EQ(f.max_share, 3.0);
}

TEST(SummarizeShares, NoOperationsIsAllZero) {
  ShareSummary f = SummarizeShares({0, 0});
  EXPECT_EQ(f.min_share, 0.0);
  EXPECT_EQ(f.max_share, 0.0);
  EXPECT_EQ(SummarizeShares({}).max_share, 0.0);
}

}  // namespace
}  // namespace lockharness::bench
