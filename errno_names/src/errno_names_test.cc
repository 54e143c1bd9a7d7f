#include "lockharness/errno_names.h"

#include <errno.h>
#include <string.h>

#include <string_view>

#include "gtest/gtest.h"

namespace lockharness {
namespace {

TEST(ErrnoNamesTest, ParsesNamesAndNumbers) {
  int e = 0;
  ASSERT_TRUE(ParseErrnoName("ENOSPC", &e));
  EXPECT_EQ(e, ENOSPC);
  ASSERT_TRUE(ParseErrnoName("EDQUOT", &e));
  EXPECT_EQ(e, EDQUOT);
  ASSERT_TRUE(ParseErrnoName("5", &e));
  EXPECT_EQ(e, EIO);
}

TEST(ErrnoNamesTest, RejectsUnknownNames) {
  int e = 77;
  EXPECT_FALSE(ParseErrnoName("EIOX", &e));
  EXPECT_FALSE(ParseErrnoName("eio", &e));
  EXPECT_FALSE(ParseErrnoName("", &e));
  EXPECT_FALSE(ParseErrnoName("0", &e));
  EXPECT_FALSE(ParseErrnoName("-5", &e));
  EXPECT_EQ(e, 77);
}

TEST(ErrnoNamesTest, NamesAgreeWithTheCLibrary) {
  for (int e : {EIO, ENOSPC, EACCES, EDQUOT, EINTR, EEXIST, ENOTEMPTY}) {
    ASSERT_NE(ErrnoName(e), nullptr);
    EXPECT_STREQ(ErrnoName(e), strerrorname_np(e));
  }
  EXPECT_EQ(ErrnoName(100000), nullptr);
}

TEST(ErrnoNamesTest, EveryEntryIsTheCLibrarysNameAndParsesBack) {
  ASSERT_FALSE(KnownErrnos().empty());
  for (const ErrnoEntry& entry : KnownErrnos()) {
    // ENOTSUP is EOPNOTSUPP's other name, the one glibc prints.
    const char* c_name = strerrorname_np(entry.value);
    ASSERT_NE(c_name, nullptr) << entry.name;
    if (std::string_view(entry.name) != "ENOTSUP") {
      EXPECT_STREQ(entry.name, c_name);
    }
    int e = 0;
    ASSERT_TRUE(ParseErrnoName(entry.name, &e)) << entry.name;
    EXPECT_EQ(e, entry.value) << entry.name;
    EXPECT_STREQ(ErrnoName(entry.value), entry.name);
  }
}

TEST(ErrnoNamesTest, EachNameAndValueOnce) {
  const auto known = KnownErrnos();
  for (size_t i = 0; i < known.size(); ++i) {
    for (size_t j = i + 1; j < known.size(); ++j) {
      EXPECT_STRNE(known[i].name, known[j].name);
      EXPECT_NE(known[i].value, known[j].value)
          << known[i].name << " " << known[j].name;
    }
  }
}

// Every name lockreg's fault points and the interposer's fault specs
// accepted before they shared this table, EXDEV (once the interposer's
// alone) among them.
TEST(ErrnoNamesTest, KnowsTheNamesBothFaultLanguagesAccepted) {
  for (const char* name :
       {"EIO", "ENOSPC", "EACCES", "EPERM", "EDQUOT", "EINTR", "EROFS",
        "ENOENT", "EEXIST", "EBUSY", "EMFILE", "EAGAIN", "EXDEV", "ENOTEMPTY",
        "ENOTDIR", "ESTALE"}) {
    int e = 0;
    EXPECT_TRUE(ParseErrnoName(name, &e)) << name;
  }
}

TEST(ErrnoNamesTest, NumbersHaveAtMostFourDigits) {
  int e = 0;
  ASSERT_TRUE(ParseErrnoName("0018", &e));
  EXPECT_EQ(e, EXDEV);
  ASSERT_TRUE(ParseErrnoName("9999", &e));
  EXPECT_EQ(e, 9999);
  e = 77;
  EXPECT_FALSE(ParseErrnoName("10000", &e));
  EXPECT_FALSE(ParseErrnoName("+5", &e));
  EXPECT_FALSE(ParseErrnoName("5 ", &e));
  EXPECT_EQ(e, 77);
}

}  // namespace
}  // namespace lockharness
