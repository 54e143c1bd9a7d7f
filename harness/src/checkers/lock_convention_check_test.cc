// Tests of the lock-convention checker on hand-made observed spans.

#include "lockharness/harness/checkers/lock_convention_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;

ObservedSpan Span(const std::string& convention, const std::string& how, int64_t start,
                  size_t line) {
  ObservedSpan s;
  s.writer = s.holder = 100 + static_cast<int>(line);
  s.convention = convention;
  s.how_acquired = how;
  s.start_earliest = start;
  s.start_latest = start + 10;
  s.start_line = line;
  return s;
}

TEST(LockConvention, MatchingDeclarationIsValid) {
  const std::vector<ObservedSpan> spans = {Span("mkdir", "mkdir", 100, 3),
                                           Span("mkdir", "mkdir", 200, 9)};
  CheckerReport r = CheckLockConvention("mkdir", spans);
  EXPECT_EQ(r.checker, "lock-convention");
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_THAT(r.summary, HasSubstr("2 acquisitions"));
}

TEST(LockConvention, FlockDeclaredButMkdirObservedIsInvalid) {
  const std::vector<ObservedSpan> spans = {Span("mkdir", "mkdir", 100, 3)};
  CheckerReport r = CheckLockConvention("flock", spans);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("declared lock convention flock contradicts the trace"));
  EXPECT_THAT(r.summary, HasSubstr("mkdir (mkdir, trace line 3)"));
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.details["first_observed"], "mkdir");
}

TEST(LockConvention, MkdirDeclaredButKernelLockObservedIsInvalid) {
  const std::vector<ObservedSpan> spans = {
      Span("posix", "posix lock (fcntl F_SETLKW wait exclusive on the lock file)", 50, 7)};
  CheckerReport r = CheckLockConvention("mkdir", spans);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("posix"));
}

TEST(LockConvention, NoneDeclaredButLocksObservedIsInvalid) {
  CheckerReport r = CheckLockConvention("none", {Span("flock", "flock lock", 1, 2)});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(CheckLockConvention("none", {}).verdict, Verdict::kValid);
}

TEST(LockConvention, SecondaryAcquisitionsOfAnotherKindDoNotContradict) {
  // The reference puts a quarantined lock back by rename, npm lockfile
  // links a breaker's lock into place: the declared kind is still there.
  const std::vector<ObservedSpan> spans = {Span("rename", "moved back", 10, 1),
                                           Span("o-excl", "lock file created", 20, 2),
                                           Span("link", "link", 30, 3)};
  EXPECT_EQ(CheckLockConvention("o-excl", spans).verdict, Verdict::kValid);
}

TEST(LockConvention, LockFileOfTracesWithoutFlagsCountsAsOExcl) {
  const std::vector<ObservedSpan> spans = {
      Span("lock-file", "lock file created (open, then write)", 10, 1)};
  EXPECT_EQ(CheckLockConvention("o-excl", spans).verdict, Verdict::kValid);
  EXPECT_EQ(CheckLockConvention("link", spans).verdict, Verdict::kInvalid);
}

TEST(LockConvention, NoAcquisitionIsUnknownForADeclaredLock) {
  CheckerReport r = CheckLockConvention("flock", {});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
}

TEST(FirstObservedAcquisition, EarliestStartWins) {
  const std::vector<ObservedSpan> spans = {Span("mkdir", "mkdir", 300, 9),
                                           Span("flock", "flock lock", 100, 12)};
  auto first = FirstObservedAcquisition(spans);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->convention, runner::LockConvention::kFlock);
  EXPECT_EQ(first->line, 12u);
  EXPECT_FALSE(FirstObservedAcquisition({}).has_value());
}

}  // namespace
}  // namespace lockharness::harness
