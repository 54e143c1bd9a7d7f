#include "lockharness/harness/checkers/trace_timeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestTrace;

TEST(TraceTimeline, WindowsStartAtTheProcesssPreviousLine) {
  TestTrace t;
  t.Hello(1, 10).Hello(2, 12);
  t.Mkdir(1, 30);
  t.Mkdir(2, 20, "EEXIST");
  t.Rmdir(1, 40);
  const TraceTimeline timeline = t.Timeline();
  ASSERT_EQ(timeline.calls.size(), 3u);
  // Ordered by stamp, not by file position.
  EXPECT_EQ(timeline.calls[0].pid(), 2);
  EXPECT_EQ(timeline.calls[0].earliest, 12);  // its hello
  EXPECT_EQ(timeline.calls[0].latest(), 20);
  EXPECT_EQ(timeline.calls[0].line, 4u);
  EXPECT_EQ(timeline.calls[1].earliest, 10);
  EXPECT_EQ(timeline.calls[2].earliest, 30);  // pid 1's mkdir
  EXPECT_EQ(timeline.hello_lines, 2u);
  EXPECT_EQ(timeline.last_seen.at(1), 40);
  EXPECT_EQ(timeline.last_seen.at(2), 20);
  EXPECT_TRUE(timeline.calls[0].CertainlyBefore(timeline.calls[2]));
  EXPECT_FALSE(timeline.calls[0].CertainlyBefore(timeline.calls[1]));
}

TEST(TraceTimeline, FirstLineWithoutHelloHasNoLowerBound) {
  TestTrace t;
  t.Mkdir(7, 30);
  const TraceTimeline timeline = t.Timeline();
  ASSERT_EQ(timeline.calls.size(), 1u);
  EXPECT_EQ(timeline.calls[0].earliest, kUnboundedPast);
}

TEST(TraceTimeline, FamilyComesFromThePoint) {
  TestTrace t;
  TraceEvent& e = t.Call(1, 5, "unlinkat", "rmdir", "lock", TestTrace::kLock);
  EXPECT_EQ(Trace({e})[0].family(), "rmdir");
  e.point = "bogus";
  EXPECT_EQ(Trace({e})[0].family(), "unlinkat");
  t.Exit(1, 6);
  EXPECT_EQ(t.Timeline().calls.back().family(), "exit");
}

TEST(TraceTimeline, DescriptorLinesAndExecsAreCallsWithTheirParents) {
  TestTrace t;
  t.Hello(1, 10);
  t.Dup(1, 20, 3, 9);
  t.Child(2, 1, 30);  // a child of pid 1 (its hello)
  t.Inherited(2, 31, 9);
  t.Hello(2, 40);  // the same process, a new program
  const TraceTimeline timeline = t.Timeline();
  ASSERT_EQ(timeline.calls.size(), 3u);  // not the first hellos
  EXPECT_EQ(timeline.calls[0].family(), "dup");
  EXPECT_EQ(timeline.calls[1].family(), "inherited");
  EXPECT_EQ(timeline.calls[1].writer, 1);
  EXPECT_EQ(timeline.calls[2].family(), "exec");
  EXPECT_EQ(timeline.calls[2].earliest, 31);
  EXPECT_EQ(timeline.hello_lines, 3u);
  EXPECT_EQ(timeline.parent_of.at(2), 1);
  EXPECT_EQ(timeline.parent_of.count(1), 0u);
  EXPECT_EQ(timeline.first_seen.at(2), 30);
  EXPECT_THAT(DescribeCall(timeline.calls[0], std::nullopt),
              HasSubstr("pid 1 dup fd 3 -> fd 9 /d/sandboxes.json.lock at"));
  EXPECT_THAT(DescribeCall(timeline.calls[1], std::nullopt),
              HasSubstr("pid 2 started with fd 9 open on /d/sandboxes.json.lock (inherited)"));
  EXPECT_THAT(DescribeCall(timeline.calls[2], std::nullopt),
              HasSubstr("pid 2 started a new program (exec)"));
}

bool PerformedEvent(const TraceEvent& e) { return Performed(Trace({e})[0]); }
bool SucceededEvent(const TraceEvent& e) { return Succeeded(Trace({e})[0]); }

TEST(TraceTimeline, InjectedErrnoAndKillAreNotPerformed) {
  TestTrace t;
  TraceEvent& failed = t.Rename(1, 5, TestTrace::Temp(1), -1, "EIO");
  failed.injected = true;
  failed.action = "errno";
  EXPECT_FALSE(PerformedEvent(failed));
  failed.action = "kill";
  failed.result = 0;
  failed.error.clear();
  EXPECT_FALSE(PerformedEvent(failed));
  EXPECT_FALSE(SucceededEvent(failed));
  failed.action = "delay";
  EXPECT_TRUE(SucceededEvent(failed));
  const TraceEvent real = t.Rename(1, 6, TestTrace::Temp(1), -1, "EXDEV");
  EXPECT_TRUE(PerformedEvent(real));
  EXPECT_FALSE(SucceededEvent(real));
}

TEST(TraceTimeline, DescribesCallsWithTimesOnTheRunsScale) {
  TestTrace t;
  t.Hello(1, 1'000'000);
  t.Rename(1, 13'345'000, TestTrace::Temp(1), -1, "EIO");
  t.Injected("errno");
  const TraceTimeline timeline = t.Timeline(1'000'000);
  EXPECT_EQ(DescribeCall(timeline.calls[0], timeline.origin),
            "trace line 2: pid 1 rename /d/sandboxes.json.tmp.1.a1 -> "
            "/d/sandboxes.json: failed EIO (injected errno) at 12.345 ms");
  EXPECT_THAT(DescribeCall(timeline.calls[0], std::nullopt),
              HasSubstr("at 13.345 ms CLOCK_MONOTONIC"));
}

}  // namespace
}  // namespace lockharness::harness
