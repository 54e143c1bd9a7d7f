#include "lockharness/harness/checkers/name_groups.h"

#include <gtest/gtest.h>

#include "test_history.h"

namespace lockharness::harness {
namespace {

using testing_util::TestHistory;

TEST(GroupByNameTest, GroupsInFirstSeenOrderKeepingInvokeOrder) {
  TestHistory h;
  h.Register("b", {}, 10, 20);
  h.Register("a", {}, 11, 21);
  h.Update("b", {{"model", "x"}}, 30, 40);
  h.Op(OpKind::kList, "", {}, 31, 41);
  h.Update("a", {{"model", "y"}}, 32, 42);
  h.Update("b", {{"model", "z"}}, 33, 43);
  const RunArtifacts run = h.Run("{}");
  const OperationIndex index = IndexOperations(run.history);
  const NameGroups groups =
      GroupByName(index, [](const Operation& op) { return op.kind != OpKind::kList; });
  ASSERT_EQ(groups.names, (std::vector<std::string_view>{"b", "a"}));
  ASSERT_EQ(groups.begin, (std::vector<uint32_t>{0, 3, 5}));
  EXPECT_EQ(groups.ops[0]->invoked_at, 10);
  EXPECT_EQ(groups.ops[1]->invoked_at, 30);
  EXPECT_EQ(groups.ops[2]->invoked_at, 33);
  EXPECT_EQ(groups.ops[3]->invoked_at, 11);
  EXPECT_EQ(groups.ops[4]->invoked_at, 32);
  EXPECT_EQ(groups.Find("a"), 1u);
  EXPECT_EQ(groups.Find("b"), 0u);
  EXPECT_FALSE(groups.Find("c").has_value());
  EXPECT_FALSE(groups.Find("").has_value());  // the list was not grouped
}

TEST(GroupByNameTest, ManyNamesGrowTheTable) {
  TestHistory h;
  constexpr int kNames = 5000;
  for (int i = 0; i < kNames; ++i) h.Register("n" + std::to_string(i), {}, i, i + 1);
  for (int i = 0; i < kNames; i += 2) h.Remove("n" + std::to_string(i), 10000 + i, 10001 + i);
  const RunArtifacts run = h.Run("{}");
  const OperationIndex index = IndexOperations(run.history);
  const NameGroups groups = GroupByName(index, [](const Operation&) { return true; });
  ASSERT_EQ(groups.names.size(), static_cast<size_t>(kNames));
  for (int i = 0; i < kNames; ++i) {
    const std::optional<uint32_t> g = groups.Find("n" + std::to_string(i));
    ASSERT_EQ(g, static_cast<uint32_t>(i));
    EXPECT_EQ(groups.begin[*g + 1] - groups.begin[*g], i % 2 == 0 ? 2u : 1u);
  }
}

TEST(GroupByNameTest, LongNamesAreComparedWhole) {
  // Same length and first 16 bytes, different after.
  const std::string a = "sandbox-with-a-long-name-1";
  const std::string b = "sandbox-with-a-long-name-2";
  TestHistory h;
  h.Register(a, {}, 1, 2);
  h.Register(b, {}, 3, 4);
  h.Update(a, {{"model", "x"}}, 5, 6);
  h.Register("sandbox-with-a-l", {}, 7, 8);  // exactly the 16-byte head
  const RunArtifacts run = h.Run("{}");
  const OperationIndex index = IndexOperations(run.history);
  const NameGroups groups = GroupByName(index, [](const Operation&) { return true; });
  ASSERT_EQ(groups.names.size(), 3u);
  EXPECT_EQ(groups.Find(a), 0u);
  EXPECT_EQ(groups.Find(b), 1u);
  EXPECT_EQ(groups.Find("sandbox-with-a-l"), 2u);
  EXPECT_FALSE(groups.Find("sandbox-with-a-long-name-3").has_value());
  EXPECT_FALSE(groups.Find("sandbox-with-a-long-name-").has_value());
  EXPECT_EQ(groups.begin[1] - groups.begin[0], 2u);
}

TEST(GroupByNameTest, EmptyIndexHasNoGroups) {
  const NameGroups groups = GroupByName(OperationIndex{}, [](const Operation&) { return true; });
  EXPECT_TRUE(groups.names.empty());
  EXPECT_EQ(groups.begin, std::vector<uint32_t>{0});
  EXPECT_FALSE(groups.Find("x").has_value());
}

}  // namespace
}  // namespace lockharness::harness
