#include "lockharness/harness/report/timeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Event At(EventType type, int64_t id, int writer, int pid, int64_t t_us) {
  Event e;
  e.type = type;
  e.id = id;
  e.process = writer;
  e.writer = writer;
  e.pid = pid;
  e.t = t_us * 1000;
  return e;
}

Event Invoke(int64_t id, int writer, int pid, int64_t t_us, std::string name) {
  Event e = At(EventType::kInvoke, id, writer, pid, t_us);
  e.op = OpKind::kUpdate;
  e.name = std::move(name);
  return e;
}

Event Fault(int writer, int pid, int64_t t_us) {
  Event e = At(EventType::kFault, -1, writer, pid, t_us);
  e.process = -1;
  e.fault = "sigkill";
  e.target = "lock holder";
  return e;
}

std::vector<Event> SmallHistory() {
  Event ok = At(EventType::kOk, 1, 0, 100, 50);
  ok.lock_acquired = 20'000;
  ok.lock_released = 40'000;
  Event fail = At(EventType::kFail, 2, 1, 200, 30);
  fail.error = "unknown sandbox";
  Event bad_read = At(EventType::kRead, -1, -1, 300, 25);
  bad_read.valid = false;
  bad_read.error = "parse error at byte 17";
  Event good_read = At(EventType::kRead, -1, -1, 300, 26);
  good_read.valid = true;
  return {Invoke(1, 0, 100, 10, "w0-1"),
          Invoke(2, 1, 200, 12, "w1-1"),
          fail,
          bad_read,
          good_read,
          Fault(-1, 100, 35),
          Fault(-1, 999, 36),
          Fault(1, 0, 37),
          ok,
          Invoke(3, 1, 201, 60, "w1-2")};
}

TEST(TimelineDataTest, OneLanePerWriterThenReadersAndHarness) {
  const nlohmann::json data = TimelineData(SmallHistory(), {});
  EXPECT_EQ(data["lanes"], nlohmann::json({"writer 0", "writer 1", "readers", "harness"}));
}

TEST(TimelineDataTest, OperationsCarryTimesOutcomeLockSpanAndError) {
  const nlohmann::json data = TimelineData(SmallHistory(), {});
  ASSERT_EQ(data["ops"].size(), 3u);
  EXPECT_EQ(data["ops"][0],
            nlohmann::json::parse(R"([0,10.0,50.0,0,"update","w0-1",100,"",20.0,40.0,1])"));
  EXPECT_EQ(data["ops"][1],
            nlohmann::json::parse(
                R"([1,12.0,30.0,1,"update","w1-1",200,"unknown sandbox",null,null,2])"));
  // Never completed: pending, no end.
  EXPECT_EQ(data["ops"][2][2], nullptr);
  EXPECT_EQ(data["ops"][2][3], 3);
  EXPECT_EQ(data["end"], 60.0);
}

TEST(TimelineDataTest, FaultsGoToTheLaneOfTheirWriterOrPidElseTheHarness) {
  const nlohmann::json data = TimelineData(SmallHistory(), {});
  ASSERT_EQ(data["faults"].size(), 3u);
  EXPECT_EQ(data["faults"][0], nlohmann::json::parse(R"([0,35.0,"sigkill","lock holder",100])"));
  EXPECT_EQ(data["faults"][1][0], 3);  // pid 999 ran no operation
  EXPECT_EQ(data["faults"][2][0], 1);  // names writer 1
}

TEST(TimelineDataTest, InvalidReaderSamplesAreMarkersValidOnesCounted) {
  const nlohmann::json data = TimelineData(SmallHistory(), {});
  EXPECT_EQ(data["invalid_reads"],
            nlohmann::json::parse(R"([[2,25.0,"parse error at byte 17",300]])"));
  EXPECT_EQ(data["valid_reads"], 1);
}

TEST(TimelineDataTest, TruncatesOperationsAndMarkers) {
  TimelineOptions options;
  options.max_operations = 2;
  options.max_markers = 1;
  const nlohmann::json data = TimelineData(SmallHistory(), options);
  EXPECT_EQ(data["ops"].size(), 2u);
  EXPECT_EQ(data["total_ops"], 3);
  EXPECT_EQ(data["faults"].size(), 1u);
  EXPECT_EQ(data["total_faults"], 3);
  EXPECT_EQ(TruncationNotice(data),
            "Truncated to keep this file bounded: showing the first 2 of 3 operations, "
            "the first 1 of 3 faults; history.jsonl has everything.");
  EXPECT_THAT(TimelinePage(data), HasSubstr("showing the first 2 of 3 operations"));
}

TEST(TimelineDataTest, NoNoticeWhenNothingIsLeftOut) {
  const nlohmann::json data = TimelineData(SmallHistory(), {});
  EXPECT_EQ(TruncationNotice(data), "");
  EXPECT_THAT(TimelinePage(data), Not(HasSubstr("Truncated")));
}

TEST(TimelineDataTest, CrashPointsAreListedInMicrosecondsAndWidenTheAxis) {
  TimelineOptions options;
  options.crash_points = {{44'000, "state-3", "after #7 rename(a -> sandboxes.json)"},
                          {90'000, "state-9", "after #12 fsync(.)"}};
  const nlohmann::json data = TimelineData(SmallHistory(), options);
  const nlohmann::json expected = {
      {44, "state-3", "after #7 rename(a -> sandboxes.json)"},
      {90, "state-9", "after #12 fsync(.)"},
  };
  EXPECT_EQ(data["crash_points"], expected);
  EXPECT_EQ(data["total_crash_points"], 2);
  // The last operation ends at 60 us; the crash point at 90 us is drawn.
  EXPECT_EQ(data["end"], 90);
  const std::string page = TimelinePage(data);
  EXPECT_THAT(page, HasSubstr("crash point of a violating state"));
  EXPECT_THAT(page, HasSubstr("drawCrashPoints"));
  EXPECT_EQ(TruncationNotice(data), "");
}

TEST(TimelineDataTest, CrashPointsAreBoundedLikeMarkers) {
  TimelineOptions options;
  options.max_markers = 1;
  options.crash_points = {{1'000, "state-1", ""}, {2'000, "state-2", ""}};
  const nlohmann::json data = TimelineData({}, options);
  EXPECT_EQ(data["crash_points"].size(), 1u);
  EXPECT_THAT(TruncationNotice(data), HasSubstr("the first 1 of 2 crash points"));
}

TEST(TimelineDataTest, NoCrashPointsOutsideCrashRuns) {
  const nlohmann::json data = TimelineData(SmallHistory(), {});
  EXPECT_TRUE(data["crash_points"].empty());
  EXPECT_EQ(data["total_crash_points"], 0);
  EXPECT_EQ(data["end"], 60);
}

TEST(JsonForScriptTest, CannotCloseTheScriptElement) {
  const nlohmann::json json = {{"error", "</script><script>alert(1)</script><!--"}};
  const std::string text = JsonForScript(json);
  EXPECT_THAT(text, Not(HasSubstr("<")));
  EXPECT_EQ(nlohmann::json::parse(text), json);
}

TEST(JsonForScriptTest, ReplacesInvalidUtf8InsteadOfThrowing) {
  const nlohmann::json json = {{"name", std::string("w\xFF")}};
  EXPECT_EQ(JsonForScript(json), "{\"name\":\"w\xEF\xBF\xBD\"}");
}

TEST(TimelineHtmlTest, IsOneSelfContainedPageWithItsDataInline) {
  TimelineOptions options;
  options.title = "impl <b> & 'x' seed 7";
  Event evil = Invoke(1, 0, 100, 10, "</script><img src=x>");
  const std::string page = TimelineHtml({evil}, options);
  EXPECT_THAT(page, HasSubstr("<title>lockharness timeline: impl &lt;b&gt; &amp; 'x' seed 7"));
  EXPECT_THAT(page, HasSubstr("\\u003c/script>\\u003cimg src=x>"));
  EXPECT_THAT(page, Not(HasSubstr("</script><img")));
  // Only the page's own two script elements close.
  size_t closes = 0;
  for (size_t at = page.find("</script>"); at != std::string::npos;
       at = page.find("</script>", at + 1)) {
    ++closes;
  }
  EXPECT_EQ(closes, 2u);
  // Nothing fetched from elsewhere.
  EXPECT_THAT(page, Not(HasSubstr("http://")));
  EXPECT_THAT(page, Not(HasSubstr("https://")));
  EXPECT_THAT(page, Not(HasSubstr(" src=\"")));
}

TEST(TimelineHtmlTest, EmptyHistoryGivesAnEmptyTimeline) {
  const nlohmann::json data = TimelineData({}, {});
  EXPECT_EQ(data["lanes"], nlohmann::json({"readers", "harness"}));
  EXPECT_TRUE(data["ops"].empty());
  EXPECT_THAT(TimelinePage(data), HasSubstr("<canvas"));
}

}  // namespace
}  // namespace lockharness::harness::report
