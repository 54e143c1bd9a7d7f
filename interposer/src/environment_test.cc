#include "lockharness/interposer/environment.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockharness::interposer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

InterposerSettings Valid() {
  InterposerSettings s;
  s.library = "/lib/x.so";
  s.registry = "/d/sandboxes.json";
  return s;
}

TEST(InterposerEnvironmentTest, BuildsOnlyTheGivenVariables) {
  std::string error;
  auto env = InterposerEnvironment(Valid(), &error);
  ASSERT_TRUE(env) << error;
  EXPECT_THAT(*env, ElementsAre("LD_PRELOAD=/lib/x.so",
                                "LOCKHARNESS_REGISTRY=/d/sandboxes.json"));

  InterposerSettings s = Valid();
  s.faults = "lh/rename/registry=kill";
  s.trace = "/t/trace.jsonl";
  s.fifo_base = "/t/fiu";
  env = InterposerEnvironment(s, &error);
  ASSERT_TRUE(env) << error;
  EXPECT_THAT(*env, ElementsAre("LD_PRELOAD=/lib/x.so",
                                "LOCKHARNESS_REGISTRY=/d/sandboxes.json",
                                "LOCKHARNESS_FAULTS=lh/rename/registry=kill",
                                "LOCKHARNESS_TRACE=/t/trace.jsonl",
                                "LOCKHARNESS_FIU_FIFO=/t/fiu"));
}

TEST(InterposerEnvironmentTest, RejectsWhatTheLibraryWouldReject) {
  std::string error;
  InterposerSettings s = Valid();
  s.faults = "lh/rename/registry=errno:EIOO";
  EXPECT_FALSE(InterposerEnvironment(s, &error));
  EXPECT_THAT(error, HasSubstr("'lh/rename/registry=errno:EIOO'"));

  s = Valid();
  s.registry = "relative.json";
  EXPECT_FALSE(InterposerEnvironment(s, &error));
  EXPECT_THAT(error, HasSubstr("absolute"));

  s = Valid();
  s.registry.clear();
  s.faults = "lh/mkdir/lock=kill";
  EXPECT_FALSE(InterposerEnvironment(s, &error));
  EXPECT_THAT(error, HasSubstr("needs LOCKHARNESS_REGISTRY"));

  s = Valid();
  s.library.clear();
  EXPECT_FALSE(InterposerEnvironment(s, &error));
  EXPECT_THAT(error, HasSubstr("no interposer library"));
}

TEST(InterposerEnvironmentTest, KnowsTheBuiltLibrary) {
  EXPECT_THAT(InterposeLibraryPath(), HasSubstr("liblockharness_interpose.so"));
}

}  // namespace
}  // namespace lockharness::interposer
