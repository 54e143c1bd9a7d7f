#include "lockharness/interposer/trace.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace lockharness::interposer {
namespace {

std::vector<TraceEvent> VariedEvents() {
  std::vector<TraceEvent> events;
  TraceEvent hello;
  hello.type = TraceEvent::Type::kHello;
  hello.pid = 10;
  hello.ppid = 2;
  hello.mono_ns = 100;
  hello.registry = "/d/sandboxes.json";
  hello.faults = 3;
  events.push_back(hello);

  TraceEvent rename;
  rename.pid = 10;
  rename.mono_ns = 110;
  rename.call = "renameat2";
  rename.point = "lh/rename/registry";
  rename.path_class = "registry";
  rename.path = "/d/sandboxes.json";
  rename.from = "/d/sandboxes.json.tmp.10.a1";
  rename.from_class = "temp";
  rename.result = -1;
  rename.error = "EIO";
  rename.injected = true;
  rename.action = "errno";
  rename.truncated = true;
  events.push_back(rename);

  TraceEvent open;
  open.pid = 11;
  open.mono_ns = 120;
  open.call = "openat";
  open.point = "lh/open/lock";
  open.path_class = "lock";
  open.path = "/d/sandboxes.json.lock";
  open.fd = 7;
  open.result = 7;
  open.open_flags = "O_WRONLY|O_CREAT|O_EXCL";
  events.push_back(open);

  TraceEvent lock;
  lock.pid = 11;
  lock.mono_ns = 130;
  lock.call = "fcntl";
  lock.point = "lh/lock/lock";
  lock.path_class = "lock";
  lock.path = "/d/sandboxes.json.lock";
  lock.fd = 7;
  lock.lock_kind = "posix";
  lock.lock_op = "exclusive";
  lock.lock_wait = true;
  lock.lock_start = 5;
  lock.lock_len = 9;
  lock.lock_whence = 1;
  events.push_back(lock);

  TraceEvent fork;
  fork.type = TraceEvent::Type::kFork;
  fork.pid = 12;
  fork.ppid = 11;
  fork.mono_ns = 140;
  events.push_back(fork);

  TraceEvent exit;
  exit.type = TraceEvent::Type::kExit;
  exit.pid = 11;
  exit.mono_ns = 150;
  exit.call = "exit";
  events.push_back(exit);
  return events;
}

TEST(TraceTest, EveryFieldReadsBackAsAppended) {
  const std::vector<TraceEvent> events = VariedEvents();
  const Trace trace(events);
  ASSERT_EQ(trace.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(trace[i].ToEvent(), events[i]) << i;
  const TraceEventRef lock = trace[3];
  EXPECT_EQ(lock.lock_kind(), "posix");
  EXPECT_EQ(lock.lock_start(), 5);
  EXPECT_TRUE(trace[2].ExclusiveCreate());
  EXPECT_FALSE(lock.ExclusiveCreate());
}

TEST(TraceTest, FamilyComesFromThePoint) {
  std::vector<TraceEvent> events = VariedEvents();
  TraceEvent malformed = events[1];
  malformed.point = "bogus";
  events.push_back(malformed);
  const Trace trace(events);
  EXPECT_EQ(trace[0].family(), "");  // hello
  EXPECT_EQ(trace[1].family(), "rename");
  EXPECT_EQ(trace[3].family(), "lock");
  EXPECT_EQ(trace[5].family(), "exit");
  EXPECT_EQ(trace[6].family(), "renameat2");  // the libc name
}

TEST(TraceTest, InheritedAndDupLinesKeepTheirDescriptors) {
  TraceEvent inherited;
  inherited.type = TraceEvent::Type::kInherited;
  inherited.pid = 21;
  inherited.mono_ns = 200;
  inherited.call = "inherited";
  inherited.fd = 9;
  inherited.path_class = "lock";
  inherited.path = "/d/sandboxes.json.lock";
  TraceEvent dup = inherited;
  dup.type = TraceEvent::Type::kDup;
  dup.call = "dup";
  dup.fd = 3;
  dup.new_fd = 9;
  // The same line but for the copy: new_fd is part of the shape, so the two
  // must not share one.
  TraceEvent dup_to_10 = dup;
  dup_to_10.new_fd = 10;
  const std::vector<TraceEvent> events = {inherited, dup, dup_to_10};
  const Trace trace(events);
  for (size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(trace[i].ToEvent(), events[i]) << i;
  EXPECT_EQ(trace[0].new_fd(), -1);
  EXPECT_EQ(trace[1].fd(), 3);
  EXPECT_EQ(trace[1].new_fd(), 9);
  EXPECT_EQ(trace[2].new_fd(), 10);
  EXPECT_EQ(trace[1].family(), "dup");
}

TEST(TraceTest, RepeatedStringsAreKeptOnce) {
  std::vector<TraceEvent> events = VariedEvents();
  const Trace few(events);
  for (int i = 0; i < 1000; ++i) events.push_back(events[1 + i % 3]);
  const Trace many(events);
  EXPECT_EQ(many.string_bytes(), few.string_bytes());
  // The same text is the same string, wherever it appears.
  EXPECT_EQ(&many[2].path(), &many[3].path());
  EXPECT_EQ(&many[1].path(), &many[0].registry());
  EXPECT_EQ(&many[1].call(), &many[6].call());  // the first copy of events[1]
}

TEST(TraceTest, RefsSurviveGrowthAndMoves) {
  const std::vector<TraceEvent> varied = VariedEvents();
  Trace trace;
  trace.Append(varied[1]);
  const TraceEventRef first = trace[0];
  const std::string* path = &first.path();
  // Many blocks' worth, with new strings and shapes along the way.
  for (int i = 0; i < 20000; ++i) {
    TraceEvent e = varied[1 + i % 3];
    e.pid = i;
    e.path = "/d/p" + std::to_string(i % 500);
    e.lock_start = i % 7;
    trace.Append(e);
  }
  const Trace moved = std::move(trace);
  EXPECT_EQ(moved.size(), 20001u);
  EXPECT_EQ(first.ToEvent(), varied[1]);
  EXPECT_EQ(&moved[0].path(), path);
  size_t n = 0;
  for (TraceEventRef e : moved) {
    if (n > 0) {
      ASSERT_EQ(e.pid(), static_cast<int>(n - 1));
      ASSERT_EQ(e.path(), "/d/p" + std::to_string((n - 1) % 500));
    }
    ++n;
  }
  EXPECT_EQ(n, moved.size());
}

}  // namespace
}  // namespace lockharness::interposer
