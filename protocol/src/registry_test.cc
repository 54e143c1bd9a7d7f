#include "lockharness/protocol/registry.h"

#include <gtest/gtest.h>

namespace lockharness::protocol {
namespace {

constexpr char kTime[] = "2026-01-01T00:00:00.000Z";

TEST(RegistryTest, FirstRegisteredBecomesDefault) {
  Registry r;
  ASSERT_TRUE(r.Register("a", {}, kTime).ok());
  ASSERT_TRUE(r.Register("b", {}, kTime).ok());
  EXPECT_EQ(r.document()["defaultSandbox"], "a");
  const Json& a = r.document()["sandboxes"]["a"];
  EXPECT_EQ(a["name"], "a");
  EXPECT_EQ(a["createdAt"], kTime);
  EXPECT_TRUE(a["model"].is_null());
  EXPECT_EQ(a["gpuEnabled"], false);
  EXPECT_TRUE(a["policies"].is_array());
}

TEST(RegistryTest, RegisterReplacesEntryAndParsesFieldTypes) {
  Registry r;
  ASSERT_TRUE(r.Register("a", {{"model", "m1"}, {"provider", "p"}}, kTime).ok());
  ASSERT_TRUE(r.Register("a", {{"gpuEnabled", "true"}, {"policies", "x,y"}}, kTime).ok());
  const Json& a = r.document()["sandboxes"]["a"];
  EXPECT_TRUE(a["model"].is_null()) << "a replaced entry keeps no old field";
  EXPECT_EQ(a["gpuEnabled"], true);
  EXPECT_EQ(a["policies"], Json::array({"x", "y"}));
  EXPECT_EQ(r.Register("b", {{"gpuEnabled", "yes"}}, kTime).code(), Code::kInvalidArgument);
  EXPECT_FALSE(r.Contains("b")) << "a rejected register changes nothing";
}

TEST(RegistryTest, UpdateMergesAndRefusesUnknownAndRename) {
  Registry r;
  ASSERT_TRUE(r.Register("a", {{"model", "m1"}}, kTime).ok());
  ASSERT_TRUE(r.Update("a", {{"provider", "nv"}}).ok());
  EXPECT_EQ(r.document()["sandboxes"]["a"]["model"], "m1");
  EXPECT_EQ(r.document()["sandboxes"]["a"]["provider"], "nv");
  EXPECT_EQ(r.Update("zz", {{"model", "x"}}).code(), Code::kRefused);
  Status rename = r.Update("a", {{"model", "changed"}, {"name", "b"}});
  EXPECT_EQ(rename.code(), Code::kRefused);
  EXPECT_EQ(r.document()["sandboxes"]["a"]["model"], "m1") << "a refused update changes nothing";
  EXPECT_TRUE(r.Update("a", {{"name", "a"}}).ok()) << "naming itself is no rename";
}

TEST(RegistryTest, RemovingTheDefaultMovesItToTheFirstRemaining) {
  Registry r;
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(r.Register(n, {}, kTime).ok());
  ASSERT_TRUE(r.SetDefault("b").ok());
  ASSERT_TRUE(r.Remove("b").ok());
  EXPECT_EQ(r.document()["defaultSandbox"], "a");
  ASSERT_TRUE(r.Remove("c").ok());
  EXPECT_EQ(r.document()["defaultSandbox"], "a") << "removing a non-default keeps the default";
  ASSERT_TRUE(r.Remove("a").ok());
  EXPECT_TRUE(r.document()["defaultSandbox"].is_null());
  EXPECT_EQ(r.Remove("a").code(), Code::kRefused);
  ASSERT_TRUE(r.Register("d", {}, kTime).ok());
  EXPECT_EQ(r.document()["defaultSandbox"], "d") << "registering into an empty registry sets the default";
}

TEST(RegistryTest, SetDefaultAndGetRefuseUnknown) {
  Registry r;
  EXPECT_EQ(r.SetDefault("x").code(), Code::kRefused);
  EXPECT_EQ(r.Get("x").status().code(), Code::kRefused);
  ASSERT_TRUE(r.Register("x", {}, kTime).ok());
  EXPECT_EQ((*r.Get("x"))["name"], "x");
}

TEST(RegistryTest, ValidatesNames) {
  EXPECT_TRUE(ValidateName("w3-17").ok());
  EXPECT_EQ(ValidateName("").code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateName("a/b").code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateName("a\nb").code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateName(std::string(129, 'x')).code(), Code::kInvalidArgument);
  EXPECT_TRUE(ValidateName(std::string(128, 'x')).ok());
  Registry r;
  EXPECT_EQ(r.Register("a/b", {}, kTime).code(), Code::kInvalidArgument);
}

TEST(RegistryTest, ParsesFields) {
  auto f = ParseField("model=a=b");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->first, "model");
  EXPECT_EQ(f->second, "a=b");
  EXPECT_EQ(ParseField("noequals").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseField("=x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseField("9key=x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseField("a-b=x").status().code(), Code::kInvalidArgument);
}

TEST(RegistryTest, SerializeParsesBackIdentically) {
  Registry r;
  ASSERT_TRUE(r.Register("zeta", {{"model", "m"}}, kTime).ok());
  ASSERT_TRUE(r.Register("alpha", {}, kTime).ok());
  auto back = Registry::Parse(r.Serialize(), "f");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Serialize(), r.Serialize());
  EXPECT_EQ(back->document()["sandboxes"].begin().key(), "zeta") << "insertion order is kept";
}

TEST(RegistryTest, MissingKeysDefaultLikeTheSeed) {
  auto r = Registry::Parse("{}", "f");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->document()["defaultSandbox"].is_null());
  EXPECT_TRUE(r->document()["sandboxes"].empty());
}

struct CorruptCase {
  const char* bytes;
  const char* reason;
};

class CorruptRegistryTest : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(CorruptRegistryTest, IsReportedWithItsReason) {
  auto r = Registry::Parse(GetParam().bytes, "/x/sandboxes.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorrupt);
  EXPECT_NE(r.status().message().find(GetParam().reason), std::string::npos) << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CorruptRegistryTest,
    ::testing::Values(CorruptCase{"", "not valid JSON"}, CorruptCase{"{\"sandboxes\": {", "not valid JSON"},
                      CorruptCase{"[]", "top level is not an object"},
                      CorruptCase{"{\"sandboxes\": []}", "\"sandboxes\" is not an object"},
                      CorruptCase{"{\"sandboxes\": {\"a\": {\"name\": \"b\"}}}", "no \"name\" equal to its key"},
                      CorruptCase{"{\"sandboxes\": {\"a\": {\"name\": \"a\", \"gpuEnabled\": 1}}}", "gpuEnabled"},
                      CorruptCase{"{\"sandboxes\": {\"a\": {\"name\": \"a\", \"policies\": [1]}}}", "policies"},
                      CorruptCase{"{\"sandboxes\": {\"a\": {\"name\": \"a\", \"model\": 3}}}", "model"},
                      CorruptCase{"{\"sandboxes\": {}, \"defaultSandbox\": \"ghost\"}", "not registered"},
                      CorruptCase{"{\"sandboxes\": {}, \"defaultSandbox\": 5}", "neither null nor a string"},
                      // Found by fuzz_registry: nlohmann throws out_of_range, not parse_error.
                      CorruptCase{"77077777777e27000", "number overflow"},
                      CorruptCase{"{\"sandboxes\": {}, \"x\": 1e400}", "number overflow"}));

TEST(RegistryTest, NestingBeyondTheBoundIsCorruptBeforeParsing) {
  const std::string deep = "{\"sandboxes\": {}, \"x\": " + std::string(100, '[') + std::string(100, ']') + "}";
  auto r = Registry::Parse(deep, "/x/sandboxes.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorrupt);
  EXPECT_NE(r.status().message().find("nesting deeper than 64 levels at byte 86"), std::string::npos)
      << r.status().message();
  // Brackets inside strings do not count.
  EXPECT_TRUE(
      Registry::Parse("{\"sandboxes\": {}, \"x\": \"" + std::string(100, '[') + "\"}", "/x/sandboxes.json").ok());
}

}  // namespace
}  // namespace lockharness::protocol
