#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/check.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;

TEST(ValidateRegistryDocument, AcceptsRegistries) {
  for (const char* doc : {
           R"({})",
           R"({"sandboxes":{},"defaultSandbox":null})",
           R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})",
           R"({"sandboxes":{"a":{"name":"a","createdAt":"2026-01-01T00:00:00Z",
               "model":null,"nimContainer":"n","provider":"p","gpuEnabled":false,
               "policies":["x","y"],"extra":{"any":[1,2]}}}})",
           " {\"sandboxes\":{}}\n",
       }) {
    EXPECT_EQ(ValidateRegistryDocument(doc), std::nullopt) << doc;
  }
}

// Found by fuzz_registry: a number beyond a double's range made nlohmann
// throw out_of_range, which ended the harness (a reader thread validates
// every sample). It is "not JSON", for the sample and for the final file.
TEST(ValidateRegistryDocument, NumberOutOfRangeIsRefusedNotThrown) {
  EXPECT_EQ(ValidateRegistryDocument("77077777777e27000"), "not JSON: a number out of range");
  EXPECT_EQ(ValidateRegistryDocument(R"({"sandboxes":{"a":{"name":"a","n":1e400}}})"),
            "not JSON: a number out of range");
  RunArtifacts run;
  run.final_registry = R"({"sandboxes":{},"x":-1e999})";
  EXPECT_EQ(ParseFinalRegistry(run).parse_error, "not JSON: a number out of range");
}

struct Bad {
  const char* doc;
  const char* error_part;
};

class ValidateRegistryRejects : public testing::TestWithParam<Bad> {};

TEST_P(ValidateRegistryRejects, NamesThePath) {
  std::optional<std::string> error = ValidateRegistryDocument(GetParam().doc);
  ASSERT_TRUE(error.has_value()) << GetParam().doc;
  EXPECT_THAT(*error, HasSubstr(GetParam().error_part));
}

INSTANTIATE_TEST_SUITE_P(
    Documents, ValidateRegistryRejects,
    testing::Values(Bad{"", "empty file"},
                    Bad{R"({"sandboxes":{"a":{"name":"a"})", "not JSON: parse error at byte"},
                    Bad{R"({"sandboxes":{}}{"sandboxes":{}})", "not JSON"},
                    Bad{"[]", "top level: expected an object"},
                    Bad{R"({"sandboxes":[]})", "sandboxes: expected an object"},
                    Bad{R"({"sandboxes":{"a":1}})", "sandboxes.a: expected an object"},
                    Bad{R"({"sandboxes":{"a":{}}})", "sandboxes.a.name: expected a string"},
                    Bad{R"({"sandboxes":{"a":{"name":"b"}}})", "is 'b', expected the key 'a'"},
                    Bad{R"({"sandboxes":{"a":{"name":"a","createdAt":5}}})",
                        "sandboxes.a.createdAt: expected a string"},
                    Bad{R"({"sandboxes":{"a":{"name":"a","model":5}}})",
                        "sandboxes.a.model: expected a string or null"},
                    Bad{R"({"sandboxes":{"a":{"name":"a","gpuEnabled":"true"}}})",
                        "sandboxes.a.gpuEnabled: expected a boolean"},
                    Bad{R"({"sandboxes":{"a":{"name":"a","policies":"x"}}})",
                        "sandboxes.a.policies: expected an array"},
                    Bad{R"({"sandboxes":{"a":{"name":"a","policies":["x",2]}}})",
                        "sandboxes.a.policies[1]: expected a string"},
                    Bad{R"({"sandboxes":{},"defaultSandbox":3})",
                        "defaultSandbox: expected a string or null"},
                    Bad{R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"b"})",
                        "defaultSandbox: names 'b', which is not an entry"}));

}  // namespace
}  // namespace lockharness::harness
