#include "lockharness/protocol/mutant.h"

#include <gtest/gtest.h>

namespace lockharness::protocol {
namespace {

TEST(MutantTest, EveryNameParsesBackToItsMutant) {
  auto names = AllMutantNames();
  EXPECT_EQ(names.size(), 13u);
  for (const auto& name : names) {
    auto m = ParseMutant(name);
    ASSERT_TRUE(m.has_value()) << name;
    EXPECT_NE(*m, Mutant::kNone);
    EXPECT_EQ(MutantName(*m), name);
  }
  EXPECT_EQ(ParseMutant("none"), Mutant::kNone);
  EXPECT_EQ(ParseMutant("age_reap"), std::nullopt);
  EXPECT_EQ(ParseMutant(""), std::nullopt);
}

TEST(MutantTest, NoneIsTheReferenceInEveryRespect) {
  const Mutant m = Mutant::kNone;
  EXPECT_TRUE(TakesLock(m));
  EXPECT_TRUE(WritesThroughTemp(m));
  EXPECT_TRUE(CreatesUniqueTemp(m));
  EXPECT_TRUE(HolderRechecksLock(m));
  EXPECT_TRUE(ReleaseChecksOwnership(m));
  EXPECT_TRUE(BreaksThroughQuarantine(m));
  EXPECT_TRUE(PublishesOwnerAtomically(m));
  EXPECT_TRUE(WaitsGraceForOwnerlessLock(m));
  EXPECT_FALSE(BreaksByAge(m));
  EXPECT_TRUE(ChecksOwnerIdentity(m));
  EXPECT_TRUE(ChecksOwnerNamespace(m));
  EXPECT_TRUE(RenewsLease(m));
  EXPECT_TRUE(CleansUpTemp(m));
  EXPECT_TRUE(Fsyncs(m));
  EXPECT_TRUE(RefusesCorrupt(m));
}

// The mutants that do not break live locks keep every holder check (their
// own bug is then the only thing the harness can see), except release-any:
// with every other holder's pre-rename check intact, a foreign release only
// causes "lock lost" errors, so like the seed it has neither check.
TEST(MutantTest, OnlyLiveLockBreakersAndReleaseAnySkipTheHolderChecks) {
  for (const auto& name : AllMutantNames()) {
    Mutant m = *ParseMutant(name);
    const bool breaks_live = m == Mutant::kAgeReap || m == Mutant::kNoOwnerRecheck || m == Mutant::kOwnerNonatomic ||
                             m == Mutant::kHostBlind;
    EXPECT_EQ(RenewsLease(m), !breaks_live) << name;
    EXPECT_EQ(ChecksOwnerNamespace(m), m != Mutant::kHostBlind) << name;
    EXPECT_EQ(HolderRechecksLock(m), !breaks_live && m != Mutant::kReleaseAny) << name;
    EXPECT_EQ(ReleaseChecksOwnership(m), !breaks_live && m != Mutant::kReleaseAny) << name;
  }
}

// The write-path predicates each belong to exactly one mutant.
TEST(MutantTest, EachWritePathDeviationBelongsToOneMutant) {
  for (const auto& name : AllMutantNames()) {
    Mutant m = *ParseMutant(name);
    EXPECT_EQ(TakesLock(m), m != Mutant::kNoLock) << name;
    EXPECT_EQ(WritesThroughTemp(m), m != Mutant::kDirectWrite) << name;
    EXPECT_EQ(CreatesUniqueTemp(m), m != Mutant::kSharedTmp) << name;
  }
}

}  // namespace
}  // namespace lockharness::protocol
