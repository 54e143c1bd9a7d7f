#include "src/scenario/toml_reader.h"

#include <gtest/gtest.h>

namespace lockharness::harness::scenario {
namespace {

TEST(TomlReader, QuoteListJoinsWithCommasAndOr) {
  EXPECT_EQ(TomlReader::QuoteList({"a"}), "'a'");
  EXPECT_EQ(TomlReader::QuoteList({"a", "b"}), "'a' or 'b'");
  EXPECT_EQ(TomlReader::QuoteList({"a", "b", "c"}), "'a', 'b' or 'c'");
}

TEST(TomlReader, LabelPrefixesTheTable) {
  EXPECT_EQ(TomlReader::Label("", "name"), "name");
  EXPECT_EQ(TomlReader::Label("[limits]", "stale_ms"), "[limits] stale_ms");
}

TEST(TomlReader, OversizedFileIsRejectedUnparsed) {
  std::string error;
  TomlReader r("big.toml", &error);
  const std::string text = "# " + std::string(TomlReader::kMaxScenarioBytes, 'x') + "\n";
  EXPECT_FALSE(r.Parse(text).has_value());
  EXPECT_EQ(error, "big.toml: 1048579 bytes exceed the limit of 1048576 bytes for a scenario file");
}

TEST(TomlReader, AbsentKeysLeaveDefaults) {
  std::string error;
  TomlReader r("f.toml", &error);
  std::optional<toml::table> t = r.Parse("");
  ASSERT_TRUE(t.has_value());
  int64_t i = 7;
  std::string s = "keep";
  bool b = true;
  EXPECT_TRUE(r.Int(*t, "", "i", 0, 10, &i));
  EXPECT_TRUE(r.String(*t, "", "s", &s));
  EXPECT_TRUE(r.Bool(*t, "", "b", &b));
  EXPECT_EQ(i, 7);
  EXPECT_EQ(s, "keep");
  EXPECT_TRUE(b);
}

TEST(TomlReader, IntNarrowingRespectsIntRange) {
  std::string error;
  TomlReader r("f.toml", &error);
  std::optional<toml::table> t = r.Parse("n = 3000000000\n");
  ASSERT_TRUE(t.has_value());
  int n = 1;
  EXPECT_FALSE(r.Int(*t, "", "n", 0, INT64_MAX, &n));
  EXPECT_EQ(error, "f.toml:1:5: n must be an integer from 0 to 2147483647, got 3000000000");
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace lockharness::harness::scenario
