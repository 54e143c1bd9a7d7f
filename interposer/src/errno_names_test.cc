#include "lockharness/interposer/errno_names.h"

#include <errno.h>
#include <string.h>

#include "gtest/gtest.h"

namespace lockharness::interposer {
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

}  // namespace
}  // namespace lockharness::interposer
