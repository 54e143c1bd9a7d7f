#include "lockharness/harness/runner/command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Split(std::string_view text) {
  std::string error;
  auto words = SplitCommandTemplate(text, &error);
  EXPECT_TRUE(words.has_value()) << error;
  return words.value_or(std::vector<std::string>{});
}

TEST(SplitCommandTemplateTest, SplitsOnWhitespace) {
  EXPECT_THAT(Split("lockreg  --file {registry}\t--timeout-ms 50"),
              ElementsAre("lockreg", "--file", "{registry}", "--timeout-ms", "50"));
}

TEST(SplitCommandTemplateTest, QuotesKeepSpacesAndDoNotExpand) {
  EXPECT_THAT(Split("node 'my cli.js' \"$HOME/x\" a\\ b 'it''s'"),
              ElementsAre("node", "my cli.js", "$HOME/x", "a b", "its"));
  EXPECT_THAT(Split(R"(echo "say \"hi\" \\ \n")"), ElementsAre("echo", R"(say "hi" \ \n)"));
  EXPECT_THAT(Split("x ''"), ElementsAre("x", ""));
}

TEST(SplitCommandTemplateTest, RejectsMalformedTemplates) {
  std::string error;
  EXPECT_FALSE(SplitCommandTemplate("echo 'open", &error));
  EXPECT_THAT(error, HasSubstr("unterminated '"));
  EXPECT_FALSE(SplitCommandTemplate("echo \"open", &error));
  EXPECT_THAT(error, HasSubstr("unterminated \""));
  EXPECT_FALSE(SplitCommandTemplate("echo \\", &error));
  EXPECT_THAT(error, HasSubstr("trailing backslash"));
  EXPECT_FALSE(SplitCommandTemplate("   ", &error));
  EXPECT_THAT(error, HasSubstr("empty"));
}

TEST(InstantiateCommandTest, SubstitutesRegistryAndAbsolutizesExistingPaths) {
  char dir_template[] = "/tmp/lh-command-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir = dir_template;
  std::ofstream(dir / "adapter.py") << "print()";
  const auto argv =
      InstantiateCommand({"python3", "adapter.py", "--file={registry}", "missing.py", "-x"},
                         "/run/registry/sandboxes.json", dir);
  EXPECT_THAT(argv, ElementsAre("python3", (dir / "adapter.py").string(),
                                "--file=/run/registry/sandboxes.json", "missing.py", "-x"));
  std::filesystem::remove_all(dir);
}

TEST(CheckRunnableTest, AcceptsProgramsOnPathAndRejectsMissingOnes) {
  EXPECT_EQ(CheckRunnable({"sh", "-c", "true"}), std::nullopt);
  EXPECT_EQ(CheckRunnable({"/bin/sh"}), std::nullopt);
  EXPECT_THAT(CheckRunnable({"no-such-program-lh"}).value_or(""),
              HasSubstr("no such program on PATH: no-such-program-lh"));
  EXPECT_THAT(CheckRunnable({"/nonexistent/prog"}).value_or(""), HasSubstr("no such file"));
  char path[] = "/tmp/lh-not-executable-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ::chmod(path, 0644);
  EXPECT_THAT(CheckRunnable({path}).value_or(""), HasSubstr("not executable"));
  ::unlink(path);
  EXPECT_THAT(CheckRunnable({"/tmp"}).value_or(""), HasSubstr("not a regular file"));
}

TEST(QuoteWordTest, RoundTripsThroughSplit) {
  for (std::string word : {"plain", "with space", "it's", "", "{registry}", "a\"b"}) {
    EXPECT_THAT(Split("x " + QuoteWord(word)), ElementsAre("x", word)) << word;
  }
}

}  // namespace
}  // namespace lockharness::harness::runner
