#include "lockharness/protocol/fault_points.h"

#include <gtest/gtest.h>

#include <string>

#include "lockharness/errno_names.h"
#include "test_util.h"

namespace lockharness::protocol {
namespace {

TEST(FaultPointsTest, EveryPointIsNamedOnce) {
  const auto& points = AllFaultPoints();
  EXPECT_EQ(points.size(), 11u);
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t j = i + 1; j < points.size(); ++j) EXPECT_NE(points[i], points[j]);
  }
}

TEST(FaultPointsTest, SpecErrorsNameTheItem) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  Status s = ApplyFaultSpec("lockreg/write/before_rename");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("lockreg/write/before_rename"), std::string::npos);
  s = ApplyFaultSpec("no/such/point=EIO");
  EXPECT_NE(s.message().find("unknown fault point"), std::string::npos);
  s = ApplyFaultSpec("lockreg/write/before_rename=EWHATEVER");
  EXPECT_NE(s.message().find("unknown errno 'EWHATEVER'"), std::string::npos);
}

TEST(FaultPointsTest, SpecEnablesFailAndOnce) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  // In a child, so the enabled points do not leak into other tests.
  pid_t pid = testing::Spawn([] {
    if (!ApplyFaultSpec("lockreg/write/before_rename=ENOSPC:once,lockreg/lock/after_mkdir=13").ok()) return 1;
    Status first = FaultPoint(fault_point::kBeforeRename, "p");
    Status second = FaultPoint(fault_point::kBeforeRename, "p");
    Status other = FaultPoint(fault_point::kAfterMkdir, "p");
    if (first.err() != ENOSPC || !first.injected()) return 2;
    if (!second.ok()) return 3;
    if (other.err() != EACCES) return 4;
    return 0;
  });
  EXPECT_EQ(testing::WaitFor(pid), 0);
}

// The errno names are the shared table's, the interposer's too: every one
// is accepted and injected as its value.
TEST(FaultPointsTest, SpecAcceptsEveryNameOfTheErrnoTable) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  pid_t pid = testing::Spawn([] {
    int index = 1;
    for (const ErrnoEntry& entry : KnownErrnos()) {
      ++index;
      if (!ApplyFaultSpec(std::string("lockreg/write/before_rename=") + entry.name).ok()) return index;
      if (FaultPoint(fault_point::kBeforeRename, "p").err() != entry.value) return index;
    }
    return KnownErrnos().empty() ? 1 : 0;
  });
  EXPECT_EQ(testing::WaitFor(pid), 0);  // else 1 + the index of the refused name
}

TEST(FaultPointsTest, CrashPointKillsTheProcess) {
  if (!FaultPointsCompiledIn()) GTEST_SKIP();
  pid_t pid = testing::Spawn([] {
    (void)ApplyFaultSpec("lockreg/write/after_fsync=crash");
    (void)FaultPoint(fault_point::kAfterFsync, "p");
    return 0;
  });
  EXPECT_EQ(testing::WaitFor(pid), 128 + SIGKILL);
}

}  // namespace
}  // namespace lockharness::protocol
