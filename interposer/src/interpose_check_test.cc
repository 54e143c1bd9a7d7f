#include "lockharness/interposer/interpose_check.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_process.h"

namespace lockharness::interposer {
namespace {

using ::testing::HasSubstr;

class InterposeCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lh-check-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { testing::RunProcess({"rm", "-rf", dir_}, {}); }

  std::string WriteFile(const std::string& name, const std::string& data) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    chmod(path.c_str(), 0755);
    return path;
  }

  std::string Prefix(const char* source, size_t n) {
    std::ifstream in(source, std::ios::binary);
    std::string data(n, '\0');
    in.read(data.data(), static_cast<std::streamsize>(n));
    return data;
  }

  std::string dir_;
};

TEST_F(InterposeCheckTest, DynamicProgramIsInterposable) {
  InterposeCheck c = CheckInterposable(LH_DRIVER);
  EXPECT_TRUE(c.interposable) << c.reason;
  EXPECT_THAT(c.reason, HasSubstr("libc.so.6"));
}

TEST_F(InterposeCheckTest, StaticProgramIsNot) {
  if (std::string(LH_STATIC_PROGRAM).empty()) {
    GTEST_SKIP() << "no static C library to build a static program";
  }
  InterposeCheck c = CheckInterposable(LH_STATIC_PROGRAM);
  EXPECT_FALSE(c.interposable);
  EXPECT_THAT(c.reason, HasSubstr("statically linked"));

  // And it really is out of reach: the constructor's hello never appears.
  std::string trace = dir_ + "/trace.jsonl";
  testing::ProcessResult r = testing::RunProcess(
      {LH_STATIC_PROGRAM}, {std::string("LD_PRELOAD=") + LH_PRELOAD_LIB,
                            "LOCKHARNESS_TRACE=" + trace});
  EXPECT_EQ(r.out, "hello\n");
  EXPECT_NE(access(trace.c_str(), F_OK), 0);
}

// A Go binary is recognised by its .go.buildinfo section; a copy of a C
// program with that section added stands in for one.
TEST_F(InterposeCheckTest, GoProgramIsNot) {
  if (std::string(LH_OBJCOPY).empty()) GTEST_SKIP() << "no objcopy";
  std::string go = dir_ + "/fake_go";
  testing::ProcessResult r = testing::RunProcess(
      {LH_OBJCOPY, "--add-section", ".go.buildinfo=/dev/null", LH_DRIVER, go},
      {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  InterposeCheck c = CheckInterposable(go);
  EXPECT_FALSE(c.interposable);
  EXPECT_THAT(c.reason, HasSubstr("Go program"));
}

TEST_F(InterposeCheckTest, ProgramNotLinkedAgainstLibcIsNot) {
  if (std::string(LH_NO_LIBC_PROGRAM).empty()) {
    GTEST_SKIP() << "no libc-free test program on this architecture";
  }
  InterposeCheck c = CheckInterposable(LH_NO_LIBC_PROGRAM);
  EXPECT_FALSE(c.interposable);
  EXPECT_THAT(c.reason, HasSubstr("not against libc"));
}

TEST_F(InterposeCheckTest, ScriptsAreJudgedByTheirInterpreter) {
  InterposeCheck c =
      CheckInterposable(WriteFile("s.js", "#!/usr/bin/env node\n1;\n"));
  EXPECT_TRUE(c.interposable) << c.reason;
  EXPECT_THAT(c.program, HasSubstr("node"));

  c = CheckInterposable(
      WriteFile("s2", std::string("#!") + LH_DRIVER + " arg\n"));
  EXPECT_TRUE(c.interposable) << c.reason;
  EXPECT_EQ(c.program, LH_DRIVER);
}

TEST_F(InterposeCheckTest, RejectsWhatItCannotRead) {
  EXPECT_THAT(CheckInterposable("no-such-program-lh").reason,
              HasSubstr("not found"));
  InterposeCheck c = CheckInterposable(WriteFile("text", "just text\n"));
  EXPECT_FALSE(c.interposable);
  EXPECT_THAT(c.reason, HasSubstr("not an ELF"));
  c = CheckInterposable(WriteFile("trunc", Prefix(LH_DRIVER, 100)));
  EXPECT_FALSE(c.interposable);
  EXPECT_THAT(c.reason, HasSubstr("malformed ELF"));
}

TEST_F(InterposeCheckTest, CommandLineTool) {
  testing::ProcessResult r =
      testing::RunProcess({LH_CHECK_TOOL, LH_DRIVER}, {});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("interposable: "));
  if (!std::string(LH_STATIC_PROGRAM).empty()) {
    r = testing::RunProcess({LH_CHECK_TOOL, LH_STATIC_PROGRAM}, {});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.out, HasSubstr("cannot interpose: "));
    EXPECT_THAT(r.out, HasSubstr("statically linked"));
  }
  r = testing::RunProcess({LH_CHECK_TOOL}, {});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace lockharness::interposer
