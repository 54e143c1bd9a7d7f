#include "lockharness/harness/runner/recorder.h"

#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

namespace lockharness::harness::runner {
namespace {

TEST(RunClockTest, IsMonotonicAndRelativeToStart) {
  RunClock clock;
  const int64_t a = clock.Now();
  const int64_t b = clock.Now();
  EXPECT_GE(a, 0);
  EXPECT_GE(b, a);
  EXPECT_EQ(clock.FromAbsolute(clock.start_ns() + 1234), 1234);
}

TEST(RecorderTest, ConcurrentRecordsAreWholeLines) {
  char dir_template[] = "/tmp/lh-recorder-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::filesystem::path path = std::filesystem::path(dir_template) / "history.jsonl";
  std::string error;
  auto recorder = Recorder::Open(path, &error);
  ASSERT_TRUE(recorder) << error;
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 200; ++i) {
        Event e;
        e.type = EventType::kInvoke;
        e.id = w * 1000 + i;
        e.writer = w;
        e.process = w;
        e.op = OpKind::kUpdate;
        e.name = "w" + std::to_string(w) + "-0";
        e.fields = {{"model", std::string(100, 'x')}};
        recorder->Record(e);
      }
    });
  }
  for (auto& t : threads) t.join();
  recorder->Flush();
  EXPECT_EQ(recorder->events_recorded(), 1600);
  EXPECT_EQ(recorder->error(), "");
  std::vector<Event> events;
  ASSERT_TRUE(ReadHistoryFile(path, &events, &error)) << error;
  EXPECT_EQ(events.size(), 1600u);
  std::filesystem::remove_all(dir_template);
}

TEST(RecorderTest, OpenFailsWithReason) {
  std::string error;
  EXPECT_EQ(Recorder::Open("/nonexistent-dir/history.jsonl", &error), nullptr);
  EXPECT_NE(error.find("/nonexistent-dir/history.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace lockharness::harness::runner
