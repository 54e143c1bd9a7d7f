#include "src/crash/crash_record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::crash {
namespace {

using ::testing::HasSubstr;

TEST(CrashRecord, ParsesCallsRelativeToTheRegistryDirectory) {
  const std::string text =
      R"({"op":"hello","pid":7,"ns":1})"
      "\n"
      R"({"op":"open","pid":7,"ns":2,"path":"/d/r.json.tmp.7","ino":11,"flags":193,"created":true})"
      "\n"
      R"({"op":"write","pid":7,"ns":3,"path":"/d/r.json.tmp.7","ino":11,"off":0,"data":"7b7d"})"
      "\n"
      R"({"op":"fsync","pid":7,"ns":4,"path":"/d","ino":5,"dir":true})"
      "\n"
      R"({"op":"rename","pid":7,"ns":5,"path":"/d/r.json","from":"/d/r.json.tmp.7"})"
      "\n";
  std::string error;
  auto record = ParseCrashRecord(text, "/d", &error);
  ASSERT_TRUE(record) << error;
  EXPECT_EQ(record->processes, 1);
  ASSERT_EQ(record->calls.size(), 4u);
  EXPECT_EQ(record->calls[0].kind, CallKind::kOpen);
  EXPECT_TRUE(record->calls[0].created);
  EXPECT_EQ(record->calls[1].data, "{}");
  EXPECT_EQ(record->calls[2].path, "");
  EXPECT_TRUE(record->calls[2].is_dir);
  EXPECT_EQ(record->calls[3].from, "r.json.tmp.7");
  EXPECT_EQ(record->calls[3].path, "r.json");
  EXPECT_EQ(record->calls[3].Describe(3), "#3 rename(r.json.tmp.7 -> r.json) by pid 7");
}

TEST(CrashRecord, AnUnknownCallIsAnErrorNamingIt) {
  std::string error;
  auto record = ParseCrashRecord(R"({"op":"hello","pid":7,"ns":1})"
                                 "\n"
                                 R"({"op":"fallocate","pid":7,"ns":2,"path":"/d/r.json"})"
                                 "\n",
                                 "/d", &error);
  EXPECT_FALSE(record);
  EXPECT_EQ(error, "line 2: call 'fallocate' is not known to the persistence models");
}

TEST(CrashRecord, RejectsPathsOutsideTheDirectoryAndBadData) {
  std::string error;
  EXPECT_FALSE(
      ParseCrashRecord(R"({"op":"unlink","pid":7,"ns":2,"path":"/e/r.json"})", "/d", &error));
  EXPECT_THAT(error, HasSubstr("outside the registry directory: /e/r.json"));
  EXPECT_FALSE(
      ParseCrashRecord(R"({"op":"unlink","pid":7,"ns":2,"path":"/dd/r.json"})", "/d", &error));
  EXPECT_FALSE(ParseCrashRecord(
      R"({"op":"write","pid":7,"ns":2,"path":"/d/r","ino":3,"off":0,"data":"7g"})", "/d", &error));
  EXPECT_THAT(error, HasSubstr("bad hex"));
  EXPECT_FALSE(ParseCrashRecord("not json\n", "/d", &error));
  EXPECT_EQ(error, "line 1: not a JSON object");
}

TEST(CrashRecord, KeepsTheOverflowReason) {
  std::string error;
  auto record = ParseCrashRecord(R"({"op":"hello","pid":7,"ns":1})"
                                 "\n"
                                 R"({"op":"overflow","pid":7,"ns":2,"reason":"bound"})"
                                 "\n",
                                 "/d", &error);
  ASSERT_TRUE(record) << error;
  ASSERT_TRUE(record->overflow);
  EXPECT_EQ(*record->overflow, "bound");
}

}  // namespace
}  // namespace lockharness::harness::crash
