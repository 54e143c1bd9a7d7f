#include "lockharness/interposer/fault_spec.h"

#include <errno.h>

#include <string>

#include "gtest/gtest.h"
#include "lockharness/errno_names.h"

namespace lockharness::interposer {
namespace {

struct Parsed {
  bool ok;
  FaultList list;
  std::string error;
};

Parsed Parse(const char* text) {
  Parsed p;
  ParseError error;
  p.ok = ParseFaultList(text, &p.list, &error);
  p.error = error.message;
  return p;
}

TEST(ParseFaultListTest, ParsesTheDocumentedExample) {
  Parsed p = Parse(
      "lh/rename/registry=errno:EIO,once;lh/write/temp=short;"
      "lh/mkdir/lock=errno:ENOSPC,every:3;lh/fsync/temp=errno:EIO,prob:0.1;"
      "lh/rename/registry=kill");
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.list.count, 5);
  const FaultSpec* s = p.list.specs;
  EXPECT_STREQ(s[0].point, "lh/rename/registry");
  EXPECT_EQ(s[0].kind, ActionKind::kErrno);
  EXPECT_EQ(s[0].param, EIO);
  EXPECT_TRUE(s[0].once);
  EXPECT_EQ(s[0].next_spec, 4);  // the kill follows the one-time EIO
  EXPECT_FALSE(s[0].chained);
  EXPECT_EQ(s[1].kind, ActionKind::kShortWrite);
  EXPECT_EQ(s[1].param, 0);  // half
  EXPECT_EQ(s[2].param, ENOSPC);
  EXPECT_EQ(s[2].every, 3u);
  EXPECT_FLOAT_EQ(s[3].probability, 0.1f);
  EXPECT_EQ(s[4].kind, ActionKind::kKill);
  EXPECT_TRUE(s[4].chained);
  EXPECT_EQ(s[4].next_spec, -1);
}

TEST(ParseFaultListTest, ParsesActionArguments) {
  Parsed p = Parse(
      " lh/write/temp = short:3 ; lh/open/dir=delay:250;"
      "lh/unlink/owner=stop;lh/link/*=errno:13;lh/*=errno:EINTR");
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.list.count, 5);
  EXPECT_EQ(p.list.specs[0].param, 3);
  EXPECT_EQ(p.list.specs[1].kind, ActionKind::kDelay);
  EXPECT_EQ(p.list.specs[1].param, 250);
  EXPECT_EQ(p.list.specs[2].kind, ActionKind::kStop);
  EXPECT_STREQ(p.list.specs[3].point, "lh/link/*");
  EXPECT_EQ(p.list.specs[3].param, EACCES);
  EXPECT_EQ(p.list.specs[4].param, EINTR);
}

// The errno names are the shared table's, lockreg's fault points' too:
// every one is accepted as its value.
TEST(ParseFaultListTest, AcceptsEveryNameOfTheErrnoTable) {
  ASSERT_FALSE(KnownErrnos().empty());
  for (const ErrnoEntry& entry : KnownErrnos()) {
    const std::string text =
        std::string("lh/rename/registry=errno:") + entry.name;
    Parsed p = Parse(text.c_str());
    ASSERT_TRUE(p.ok) << text << ": " << p.error;
    ASSERT_EQ(p.list.count, 1);
    EXPECT_EQ(p.list.specs[0].kind, ActionKind::kErrno);
    EXPECT_EQ(p.list.specs[0].param, entry.value) << text;
  }
}

TEST(ParseFaultListTest, EmptyMeansNoFaults) {
  EXPECT_TRUE(Parse(nullptr).ok);
  Parsed p = Parse(" ; ");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.list.count, 0);
}

// Each bad spec is rejected with a message that quotes it and says why.
TEST(ParseFaultListTest, RejectsBadSpecsNamingThem) {
  struct Case {
    const char* text;
    const char* quoted;
    const char* reason;
  } cases[] = {
      {"lh/rename/regsitry=kill", "'lh/rename/regsitry=kill'", "unknown point"},
      {"lh/rename/other=kill", "'lh/rename/other=kill'", "unknown point"},
      {"lh/chmod/registry=kill", "'lh/chmod/registry=kill'", "unknown point"},
      {"lh/rename/registry", "'lh/rename/registry'", "expected <point>="},
      {"lh/rename/registry=errno:EIOO", "errno:EIOO", "unknown errno"},
      {"lh/rename/registry=explode", "explode", "unknown action"},
      {"lh/rename/registry=delay", "delay", "milliseconds"},
      {"lh/rename/registry=kill:3", "kill:3", "no argument"},
      {"lh/rename/registry=kill,twice", "twice", "unknown modifier"},
      {"lh/rename/registry=kill,every:0", "every:0", "every needs"},
      {"lh/rename/registry=kill,prob:1.5", "prob:1.5", "prob needs"},
      {"lh/rename/registry=kill,prob:0", "prob:0", "prob needs"},
      {"lh/rename/registry=kill,every:2,prob:0.5", "every:2",
       "cannot be combined"},
      {"lh/rename/registry=short", "short", "lh/write/"},
  };
  for (const Case& c : cases) {
    Parsed p = Parse(c.text);
    EXPECT_FALSE(p.ok) << c.text;
    EXPECT_NE(p.error.find(c.quoted), std::string::npos)
        << c.text << " -> " << p.error;
    EXPECT_NE(p.error.find(c.reason), std::string::npos)
        << c.text << " -> " << p.error;
  }
}

TEST(ParseFaultListTest, RejectsUnreachableRepeatOfAPoint) {
  Parsed p = Parse("lh/rename/registry=errno:EIO;lh/rename/registry=kill");
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("'lh/rename/registry'"), std::string::npos);
  EXPECT_NE(p.error.find("could never fire"), std::string::npos);
}

TEST(FailnumTest, RoundTrips) {
  int n = EncodeFailnum(ActionKind::kDelay, 7, true, 12);
  EXPECT_GT(n, 0);
  DecodedFailnum d = DecodeFailnum(n);
  EXPECT_EQ(d.kind, ActionKind::kDelay);
  EXPECT_EQ(d.every, 7u);
  EXPECT_TRUE(d.advance);
  EXPECT_EQ(d.next_spec, 12);

  // What a plain `fiu-ctrl -c "enable name=...,failnum=1,failinfo=5"`
  // sends: errno action, every call, nothing chained.
  d = DecodeFailnum(1);
  EXPECT_EQ(d.kind, ActionKind::kErrno);
  EXPECT_EQ(d.every, 0u);
  EXPECT_FALSE(d.advance);
  EXPECT_EQ(d.next_spec, -1);
  EXPECT_EQ(DecodeFailnum(99).kind, ActionKind::kNone);
}

TEST(PointNameTest, FormatsAndValidates) {
  char name[kPointNameSize];
  FormatPointName(CallFamily::kFdatasync, PathClass::kQuarantine, name);
  EXPECT_STREQ(name, "lh/fdatasync/quarantine");
  EXPECT_TRUE(IsValidPointPattern(name));
  EXPECT_TRUE(IsValidPointPattern("lh/*"));
  EXPECT_TRUE(IsValidPointPattern("lh/close/*"));
  EXPECT_FALSE(IsValidPointPattern("lh/close/other"));
  EXPECT_FALSE(IsValidPointPattern("lh/close"));
  EXPECT_FALSE(IsValidPointPattern("posix/io/rw/write"));
}

}  // namespace
}  // namespace lockharness::interposer
