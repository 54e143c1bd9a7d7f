#include "lockharness/harness/install/interposer_library.h"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::install {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(InterposerLibraryTest, TheBuiltLibraryLoads) {
  EXPECT_EQ(CheckInterposeLibrary(LH_BUILD_INTERPOSER), "");
}

TEST(InterposerLibraryTest, AMissingLibraryIsNamed) {
  EXPECT_EQ(CheckInterposeLibrary("/no/such/dir/liblockharness_interpose.so"),
            "interposer library /no/such/dir/liblockharness_interpose.so not found");
}

TEST(InterposerLibraryTest, AFileTheLoaderRejectsIsNamedWithTheLoadersMessage) {
  char pattern[] = "/tmp/lh-interposer-check-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const fs::path dir = pattern;
  const fs::path bogus = dir / "liblockharness_interpose.so";
  std::ofstream(bogus) << "not an ELF object\n";
  const std::string problem = CheckInterposeLibrary(bogus);
  EXPECT_THAT(problem, StartsWith("interposer library " + bogus.string() + " cannot be loaded"));
  // ld.so's own words ("... cannot be preloaded ...").
  EXPECT_THAT(problem, HasSubstr("preload"));
  // A library that loads but is not the interposer never says hello.
  const fs::path other = dir / "other.so";
  fs::copy_file("/lib/x86_64-linux-gnu/libm.so.6", other);
  EXPECT_THAT(CheckInterposeLibrary(other), HasSubstr("cannot be loaded"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lockharness::harness::install
