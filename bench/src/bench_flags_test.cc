#include "lockharness/bench/bench_flags.h"

#include <gtest/gtest.h>

namespace lockharness::bench {
namespace {

TEST(TakeFlag, RemovesTheFlagAndKeepsTheRest) {
  char a0[] = "bench", a1[] = "--duration_ms=250", a2[] = "--benchmark_filter=x",
       a3[] = "--duration_ms=300";
  char* argv[] = {a0, a1, a2, a3, nullptr};
  int argc = 4;
  EXPECT_EQ(TakeFlag(&argc, argv, "duration_ms", "1000"), "300");  // last wins
  ASSERT_EQ(argc, 2);
  EXPECT_STREQ(argv[1], "--benchmark_filter=x");
  EXPECT_EQ(argv[2], nullptr);
}

TEST(TakeFlag, DefaultWhenAbsentAndNoPrefixConfusion) {
  char a0[] = "bench", a1[] = "--duration_ms_extra=5";
  char* argv[] = {a0, a1, nullptr};
  int argc = 2;
  EXPECT_EQ(TakeFlag(&argc, argv, "duration_ms", "1000"), "1000");
  EXPECT_EQ(argc, 2);
}

TEST(ParsePositiveIntList, AcceptsListsAndRejectsGarbage) {
  std::vector<int> v;
  ASSERT_TRUE(ParsePositiveIntList("1,2,,32", &v));
  EXPECT_EQ(v, (std::vector<int>{1, 2, 32}));
  EXPECT_FALSE(ParsePositiveIntList("1,x", &v));
  EXPECT_FALSE(ParsePositiveIntList("0", &v));
  EXPECT_FALSE(ParsePositiveIntList("4k", &v));
}

TEST(SplitCommaList, SkipsEmptyItems) {
  EXPECT_EQ(SplitCommaList(",ours,,flock,"), (std::vector<std::string>{"ours", "flock"}));
  EXPECT_TRUE(SplitCommaList("").empty());
}

}  // namespace
}  // namespace lockharness::bench
