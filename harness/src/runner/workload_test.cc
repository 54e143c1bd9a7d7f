#include "lockharness/harness/runner/workload.h"

#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lockharness::harness::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

WorkloadOptions Options(uint64_t seed) {
  WorkloadOptions options;
  options.seed = seed;
  options.writers = 8;
  options.ops_per_writer = 50;
  return options;
}

// A printable form of the whole schedule, for comparisons.
std::string Describe(const std::vector<std::vector<PlannedOp>>& plan) {
  std::string text;
  for (const auto& ops : plan) {
    for (const PlannedOp& op : ops) text += WorkerRequestLine(op) + "\n";
  }
  return text;
}

TEST(GenerateWorkloadTest, SameSeedSameScheduleOtherSeedOtherSchedule) {
  const std::string a = Describe(GenerateWorkload(Options(42)));
  EXPECT_EQ(a, Describe(GenerateWorkload(Options(42))));
  EXPECT_NE(a, Describe(GenerateWorkload(Options(43))));
}

TEST(GenerateWorkloadTest, ShapeIdsAndRegisterNamesAreUnique) {
  const auto plan = GenerateWorkload(Options(7));
  ASSERT_EQ(plan.size(), 8u);
  std::set<int64_t> ids;
  std::set<std::string> registered;
  for (int w = 0; w < 8; ++w) {
    ASSERT_EQ(plan[w].size(), 50u);
    EXPECT_EQ(plan[w][0].kind, OpKind::kRegister);  // something to target
    for (const PlannedOp& op : plan[w]) {
      EXPECT_EQ(op.writer, w);
      EXPECT_TRUE(ids.insert(op.id).second) << op.id;
      if (op.kind == OpKind::kRegister) {
        EXPECT_EQ(op.name, "w" + std::to_string(w) + "-" + std::to_string(op.index));
        EXPECT_TRUE(registered.insert(op.name).second);
      }
    }
  }
}

TEST(GenerateWorkloadTest, ValuesAreUniquePerOperationAndTargetsWereRegisteredEarlier) {
  const auto plan = GenerateWorkload(Options(9));
  std::map<std::string, int> register_index;
  for (const auto& ops : plan) {
    for (const PlannedOp& op : ops) {
      if (op.kind == OpKind::kRegister) register_index[op.name] = op.index;
    }
  }
  std::set<std::string> values;
  std::map<OpKind, int> kinds;
  int ghosts = 0;
  for (const auto& ops : plan) {
    for (const PlannedOp& op : ops) {
      ++kinds[op.kind];
      for (const auto& [key, value] : op.fields) {
        EXPECT_TRUE(values.insert(value).second) << "value reused: " << value;
      }
      if (op.kind == OpKind::kUpdate) {
        ASSERT_EQ(op.fields.size(), 1u);
        EXPECT_THAT(op.fields[0].second,
                    HasSubstr("w" + std::to_string(op.writer) + "-op" + std::to_string(op.index)));
      }
      if (op.kind == OpKind::kRegister) continue;
      if (op.name.rfind("ghost-", 0) == 0) {
        ++ghosts;
        EXPECT_EQ(register_index.count(op.name), 0u);
        continue;
      }
      ASSERT_EQ(register_index.count(op.name), 1u) << op.name;
      EXPECT_LT(register_index[op.name], op.index) << op.name;
    }
  }
  // The default mix produces every mutating kind, and some refusals.
  EXPECT_GT(kinds[OpKind::kRegister], 0);
  EXPECT_GT(kinds[OpKind::kUpdate], 0);
  EXPECT_GT(kinds[OpKind::kRemove], 0);
  EXPECT_GT(kinds[OpKind::kSetDefault], 0);
  EXPECT_EQ(kinds[OpKind::kGet], 0);
  EXPECT_GT(ghosts, 0);
}

TEST(GenerateWorkloadTest, MixControlsKindsAndValueBytesPads) {
  WorkloadOptions options = Options(3);
  options.mix = OpMix{0, 1, 0, 0, 0};
  options.value_bytes = 300;
  const auto plan = GenerateWorkload(options);
  for (const auto& ops : plan) {
    for (const PlannedOp& op : ops) {
      // The first operation is always a register, whatever the mix.
      EXPECT_EQ(op.kind, op.index == 0 ? OpKind::kRegister : OpKind::kUpdate);
      for (const auto& [key, value] : op.fields) EXPECT_EQ(value.size(), 300u);
    }
  }
}

TEST(OperationFormatsTest, PerOpArgumentsAndWorkerRequest) {
  PlannedOp op;
  op.id = 9;
  op.kind = OpKind::kUpdate;
  op.name = "w3-17";
  op.fields = {{"model", "w3-op9"}};
  EXPECT_THAT(OperationArguments(op), ElementsAre("update", "w3-17", "model=w3-op9"));
  EXPECT_EQ(nlohmann::json::parse(WorkerRequestLine(op)),
            nlohmann::json::parse(
                R"({"id":9,"op":"update","name":"w3-17","fields":{"model":"w3-op9"}})"));
  op.kind = OpKind::kSetDefault;
  op.fields.clear();
  EXPECT_THAT(OperationArguments(op), ElementsAre("set-default", "w3-17"));
  EXPECT_EQ(WorkerRequestLine(op), R"({"id":9,"op":"set-default","name":"w3-17"})");
}

TEST(ParseOpMixTest, AcceptsFourOrFiveWeightsAndRejectsGarbage) {
  std::string error;
  auto mix = ParseOpMix("40,35,10,15", &error);
  ASSERT_TRUE(mix) << error;
  EXPECT_EQ(mix->register_weight, 40);
  EXPECT_EQ(mix->set_default_weight, 15);
  EXPECT_EQ(mix->get_weight, 0);
  ASSERT_TRUE(ParseOpMix("1,2,3,4,5", &error));
  EXPECT_EQ(FormatOpMix(*ParseOpMix("1,2,3,4,5", &error)), "1,2,3,4,5");
  EXPECT_FALSE(ParseOpMix("1,2,3", &error));
  EXPECT_THAT(error, HasSubstr("4 or 5"));
  EXPECT_FALSE(ParseOpMix("1,x,3,4", &error));
  EXPECT_THAT(error, HasSubstr("bad weight 'x'"));
  EXPECT_FALSE(ParseOpMix("1,-2,3,4", &error));
  EXPECT_FALSE(ParseOpMix("0,0,0,0", &error));
  EXPECT_THAT(error, HasSubstr("all zero"));
}

}  // namespace
}  // namespace lockharness::harness::runner
