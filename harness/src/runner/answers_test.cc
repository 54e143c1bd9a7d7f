#include "lockharness/harness/runner/answers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lockharness::harness::runner {
namespace {

using ::testing::HasSubstr;

TEST(WorkerAnswer, OkWithSpanAndValue) {
  std::string error;
  auto a = ParseWorkerAnswer(
      R"({"id":7,"ok":true,"value":{"x":1},"lock_acquired_ns":10,"lock_released_ns":20})", 7,
      &error);
  ASSERT_TRUE(a) << error;
  EXPECT_TRUE(a->ok);
  EXPECT_FALSE(a->unknown);
  EXPECT_EQ(a->value, R"({"x":1})");
  ASSERT_TRUE(a->span.span);
  EXPECT_EQ(a->span.span->acquired_ns, 10);
  EXPECT_EQ(a->span.span->released_ns, 20);
  EXPECT_EQ(a->span.error, "");
}

TEST(WorkerAnswer, RefusalKeepsANonStringErrorAsJson) {
  auto a = ParseWorkerAnswer(R"({"id":1,"ok":false,"error":{"code":3}})", 1, nullptr);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->ok);
  EXPECT_EQ(a->error, R"({"code":3})");
  EXPECT_FALSE(a->span.span);
}

TEST(WorkerAnswer, MalformedAnswersAreRejectedWithAReason) {
  std::string error;
  EXPECT_FALSE(ParseWorkerAnswer("hello", 1, &error));
  EXPECT_THAT(error, HasSubstr("worker printed a non-JSON line: hello"));
  EXPECT_FALSE(ParseWorkerAnswer("[1,2]", 1, &error));
  EXPECT_THAT(error, HasSubstr("non-JSON line"));
  EXPECT_FALSE(ParseWorkerAnswer(R"({"id":2,"ok":true})", 1, &error));
  EXPECT_THAT(error, HasSubstr("lacks \"id\":1"));
  EXPECT_FALSE(ParseWorkerAnswer(R"({"id":"1","ok":true})", 1, &error));
  EXPECT_THAT(error, HasSubstr("lacks \"id\":1"));
  EXPECT_FALSE(ParseWorkerAnswer(R"({"id":1,"ok":"yes"})", 1, &error));
  EXPECT_THAT(error, HasSubstr("boolean \"ok\""));
  EXPECT_FALSE(ParseWorkerAnswer(R"({"id":1,"ok":true,"unknown":"maybe"})", 1, &error));
  EXPECT_THAT(error, HasSubstr("non-boolean \"unknown\""));
}

TEST(WorkerAnswer, OverlongLineIsRejectedUnparsed) {
  std::string line(kMaxAnswerBytes + 1, ' ');
  std::string error;
  EXPECT_FALSE(ParseWorkerAnswer(line, 1, &error));
  EXPECT_THAT(error, HasSubstr("rejected unparsed: 16777217 bytes exceed the limit of 16777216"));
}

TEST(WorkerAnswer, DeeplyNestedLineIsRejectedUnparsed) {
  std::string error;
  const std::string deep =
      R"({"id":1,"ok":true,"value":)" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(ParseWorkerAnswer(deep, 1, &error));
  EXPECT_THAT(error, HasSubstr("nesting deeper than 64 levels"));
  // Brackets inside strings do not nest.
  EXPECT_TRUE(ParseWorkerAnswer(R"({"id":1,"ok":true,"error":")" + std::string(100, '[') + "\"}", 1,
                                &error))
      << error;
}

TEST(WorkerAnswer, MalformedSpanKeepsTheAnswerAndSaysWhy) {
  auto a = ParseWorkerAnswer(R"({"id":1,"ok":true,"lock_acquired_ns":"abc","lock_released_ns":5})",
                             1, nullptr);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->ok);
  EXPECT_FALSE(a->span.span);
  EXPECT_EQ(a->span.error, "lock_acquired_ns is not an integer: \"abc\"");
  a = ParseWorkerAnswer(R"({"id":1,"ok":true,"lock_released_ns":5})", 1, nullptr);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->span.error, "lock_acquired_ns missing (both or neither must be given)");
  a = ParseWorkerAnswer(R"({"id":1,"ok":true,"lock_acquired_ns":1,"lock_released_ns":2.5})", 1,
                        nullptr);
  ASSERT_TRUE(a);
  EXPECT_THAT(a->span.error, HasSubstr("lock_released_ns is not an integer: 2.5"));
}

TEST(PerOpSpan, LastLineIsTheSpan) {
  SpanReading r =
      ParsePerOpSpan("some chatter\n{\"lock_acquired_ns\":1,\"lock_released_ns\":2}\n\n");
  ASSERT_TRUE(r.span);
  EXPECT_EQ(r.span->acquired_ns, 1);
  EXPECT_EQ(r.span->released_ns, 2);
  EXPECT_EQ(r.error, "");
}

TEST(PerOpSpan, OutputWithoutASpanIsNothing) {
  for (const char* out : {"", "done\n", "{not json", "{\"result\":3}\n", "[1]"}) {
    SpanReading r = ParsePerOpSpan(out);
    EXPECT_FALSE(r.span) << out;
    EXPECT_EQ(r.error, "") << out;
  }
}

TEST(PerOpSpan, MalformedSpanLineIsAnError) {
  EXPECT_EQ(ParsePerOpSpan("{\"lock_acquired_ns\": \"abc\"}").error,
            "lock_released_ns missing (both or neither must be given)");
  EXPECT_EQ(ParsePerOpSpan("{\"lock_acquired_ns\": \"abc\", \"lock_released_ns\": 3}").error,
            "lock_acquired_ns is not an integer: \"abc\"");
  EXPECT_THAT(ParsePerOpSpan("{\"lock_acquired_ns\": 12").error,
              HasSubstr("not a JSON object: {\"lock_acquired_ns\": 12"));
  EXPECT_THAT(ParsePerOpSpan("lock_acquired_ns=12").error, HasSubstr("not a JSON object"));
}

}  // namespace
}  // namespace lockharness::harness::runner
