#include "lockharness/harness/checkers/operations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::kPending;
using testing_util::TestHistory;

TEST(IndexOperations, PairsInvokesWithCompletions) {
  TestHistory h;
  h.Register("a", {{"model", "m"}}, 0, 10);
  h.Update("a", {{"model", "x"}}, 5, 20, EventType::kFail);
  h.Remove("a", 30, kPending);
  h.Read(7, true);
  std::vector<Event> events = h.Events();
  OperationIndex index = IndexOperations(events);
  EXPECT_TRUE(index.problems.empty());
  ASSERT_EQ(index.operations.size(), 3u);
  const Operation& reg = index.operations[0];
  EXPECT_EQ(reg.kind, OpKind::kRegister);
  EXPECT_EQ(reg.outcome, Outcome::kOk);
  EXPECT_EQ(reg.invoked_at, 0);
  EXPECT_EQ(reg.completed_at, 10);
  EXPECT_EQ(index.operations[1].outcome, Outcome::kFail);
  EXPECT_FALSE(index.operations[1].MayHaveEffect());
  EXPECT_EQ(index.operations[2].outcome, Outcome::kPending);
  EXPECT_EQ(index.operations[2].completed_at, kNever);
  EXPECT_FALSE(reg.Precedes(index.operations[1]));  // 10 < 5 is false
  EXPECT_TRUE(reg.Precedes(index.operations[2]));
  EXPECT_THAT(DescribeOperation(index.operations[1]), HasSubstr("update a {model=x} by writer"));
}

TEST(IndexOperations, ReportsPairingProblems) {
  std::vector<Event> events(5);
  events[0].type = EventType::kInvoke;
  events[0].id = 1;
  events[0].op = OpKind::kList;
  events[0].t = 10;
  events[1] = events[0];  // invoked twice
  events[2].type = EventType::kOk;
  events[2].id = 1;
  events[2].t = 5;  // before its invoke
  events[3] = events[2];
  events[3].t = 20;  // completes twice
  events[4].type = EventType::kInfo;
  events[4].id = 1234567890123;  // no invoke, sparse id
  OperationIndex index = IndexOperations(events);
  ASSERT_EQ(index.problems.size(), 4u);
  EXPECT_THAT(index.problems[0], HasSubstr("invoked twice"));
  EXPECT_THAT(index.problems[1], HasSubstr("completes before it was invoked"));
  EXPECT_THAT(index.problems[2], HasSubstr("completes twice"));
  EXPECT_THAT(index.problems[3], HasSubstr("1234567890123 has no invoke"));
}

TEST(FormatMillis, ShowsThreeDecimals) { EXPECT_EQ(FormatMillis(12345678), "12.346 ms"); }

}  // namespace
}  // namespace lockharness::harness
