#include "lockharness/harness/history.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

namespace lockharness::harness {
namespace {

Event FullInvoke() {
  Event e;
  e.type = EventType::kInvoke;
  e.id = 7;
  e.process = 3;
  e.writer = 3;
  e.pid = 4242;
  e.t = 1234567;
  e.op = OpKind::kUpdate;
  e.name = "w3-17";
  e.fields = {{"model", "w3-op7"}, {"provider", "p"}};
  return e;
}

void ExpectSameEvent(const Event& a, const Event& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.process, b.process);
  EXPECT_EQ(a.writer, b.writer);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.t, b.t);
  EXPECT_EQ(a.op, b.op);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.fields, b.fields);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.lock_acquired, b.lock_acquired);
  EXPECT_EQ(a.lock_released, b.lock_released);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.valid, b.valid);
  EXPECT_EQ(a.fault, b.fault);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.target, b.target);
}

Event RoundTrip(const Event& e) {
  std::string line = FormatEvent(e);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  std::string error;
  std::optional<Event> parsed = ParseEvent(line, &error);
  EXPECT_TRUE(parsed.has_value()) << error << " in " << line;
  return parsed.value_or(Event{});
}

TEST(HistoryNames, RoundTripEveryName) {
  for (EventType t : {EventType::kInvoke, EventType::kOk, EventType::kFail, EventType::kInfo,
                      EventType::kRead, EventType::kFault}) {
    EXPECT_EQ(ParseEventType(EventTypeName(t)), t);
  }
  for (OpKind k : {OpKind::kRegister, OpKind::kUpdate, OpKind::kRemove, OpKind::kSetDefault,
                   OpKind::kGet, OpKind::kList}) {
    EXPECT_EQ(ParseOpKind(OpKindName(k)), k);
  }
  EXPECT_EQ(OpKindName(OpKind::kSetDefault), "set-default");
  EXPECT_FALSE(ParseOpKind("rename").has_value());
  EXPECT_TRUE(IsMutating(OpKind::kSetDefault));
  EXPECT_FALSE(IsMutating(OpKind::kGet));
}

TEST(FormatEvent, WritesTheDocumentedLine) {
  EXPECT_EQ(FormatEvent(FullInvoke()),
            "{\"type\":\"invoke\",\"id\":7,\"process\":3,\"writer\":3,"
            "\"pid\":4242,\"t\":1234567,\"op\":\"update\",\"name\":\"w3-17\","
            "\"fields\":{\"model\":\"w3-op7\",\"provider\":\"p\"}}");
}

TEST(FormatEvent, RoundTripsEveryField) {
  ExpectSameEvent(RoundTrip(FullInvoke()), FullInvoke());

  Event ok;
  ok.type = EventType::kOk;
  ok.id = 9;
  ok.t = -5;  // negative numbers survive
  ok.lock_acquired = 100;
  ok.lock_released = 200;
  ok.value = "{\"name\":\"a\",\"policies\":[\"x\"]}";
  ExpectSameEvent(RoundTrip(ok), ok);

  Event read;
  read.type = EventType::kRead;
  read.valid = false;
  read.error = "parse error at byte 17";
  ExpectSameEvent(RoundTrip(read), read);

  Event fault;
  fault.type = EventType::kFault;
  fault.pid = 77;
  fault.fault = "sigkill";
  fault.kind = "kill-holder";
  fault.target = "lock holder";
  ExpectSameEvent(RoundTrip(fault), fault);
}

TEST(FormatEvent, EscapesStrings) {
  Event e;
  e.type = EventType::kInfo;
  std::string nasty = "q\"b\\s/n\nr\rt\tb\bf\fnul";
  nasty.push_back('\0');
  nasty += "\x01\x1f\x7f caf\xc3\xa9 \xf0\x9f\x94\x92";
  e.error = nasty;
  e.name = "name with \"quotes\"";
  e.fields = {{"k\n", "v\\"}};
  std::string line = FormatEvent(e);
  EXPECT_NE(line.find("\\u0000"), std::string::npos) << line;
  EXPECT_NE(line.find("\\u001f"), std::string::npos) << line;
  EXPECT_NE(line.find("caf\xc3\xa9"), std::string::npos) << "UTF-8 passes";
  for (char c : line) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control char";
  }
  ExpectSameEvent(RoundTrip(e), e);
}

TEST(ParseEvent, DecodesUnicodeEscapesAndIgnoresUnknownFields) {
  std::string error;
  auto e = ParseEvent(R"( { "type" : "fail", "id": 3, "error": "\u00e9\ud83d\udd12\/",)"
                      R"( "future": {"a": [1, 2.5e3, true, null, "x"]}, "name": null } )",
                      &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->type, EventType::kFail);
  EXPECT_EQ(e->error, "\xc3\xa9\xf0\x9f\x94\x92/");
  EXPECT_EQ(e->name, "");
}

TEST(ParseEvent, AcceptsAnEmbeddedValueObject) {
  std::string error;
  auto e = ParseEvent(R"({"type":"ok","id":1,"value":{"a":[1,{"b":"}"}]}})", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->value, R"({"a":[1,{"b":"}"}]})");
}

struct BadLine {
  const char* line;
  const char* expected_error_part;
};

class ParseEventRejects : public testing::TestWithParam<BadLine> {};

TEST_P(ParseEventRejects, NamesTheProblem) {
  std::string error;
  EXPECT_FALSE(ParseEvent(GetParam().line, &error).has_value());
  EXPECT_NE(error.find(GetParam().expected_error_part), std::string::npos)
      << "error was: " << error;
}

INSTANTIATE_TEST_SUITE_P(
    MalformedLines, ParseEventRejects,
    testing::Values(
        BadLine{"", "expected a JSON object"}, BadLine{"[1]", "expected a JSON object"},
        BadLine{R"({"id":1})", "field 'type': missing"},
        BadLine{R"({"type":"explode"})", "unknown event type 'explode'"},
        BadLine{R"({"type":"ok","id":"7"})", "field 'id': expected an integer"},
        BadLine{R"({"type":"ok","id":1.5})", "field 'id': expected an integer"},
        BadLine{R"({"type":"ok","t":99999999999999999999})", "field 't': integer out of range"},
        BadLine{R"({"type":"ok","pid":9999999999})", "field 'pid': integer out of range"},
        BadLine{R"({"type":"invoke","id":1})", "field 'op': missing"},
        BadLine{R"({"type":"invoke","op":"rename"})", "unknown operation 'rename'"},
        BadLine{R"({"type":"invoke","op":"update","fields":{"model":3}})",
                "field 'fields.model': expected a string"},
        BadLine{R"({"type":"invoke","op":"update","fields":[]})",
                "field 'fields': expected an object"},
        BadLine{R"({"type":"read","valid":"yes"})", "field 'valid': expected true or false"},
        BadLine{R"({"type":"ok","error":"abc)", "unterminated string"},
        BadLine{R"({"type":"ok","error":"\x"})", "invalid escape"},
        BadLine{R"({"type":"ok","error":"\ud800"})", "unpaired surrogate"},
        BadLine{"{\"type\":\"ok\",\"error\":\"a\tb\"}", "unescaped control character"},
        BadLine{R"({"type":"ok"} x)", "trailing characters"},
        BadLine{R"({"type":"ok" "id":1})", "expected ',' or '}'"},
        BadLine{R"({"type":"ok","id":1)", "expected ',' or '}'"}));

// Lines in FormatEvent()'s layout take a shortcut through the leading
// fields; lines that start like it and then differ must parse, or fail with
// the message of the general parser, exactly as before.
TEST(ParseEvent, UsualLayoutAndItsNearMissesParseTheSame) {
  const std::string usual = R"({"type":"ok","id":7,"process":3,"writer":3,"pid":42,"t":9})";
  std::string error;
  std::optional<Event> e = ParseEvent(usual, &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->type, EventType::kOk);
  EXPECT_EQ(e->pid, 42);
  EXPECT_EQ(e->t, 9);
  for (const char* variant :
       {R"({"type": "ok","id":7,"process":3,"writer":3,"pid":42,"t":9})",
        R"({"type":"ok","id":7,"writer":3,"process":3,"pid":42,"t":9})",
        R"({"type":"ok","id":7,"process":3,"writer":3,"pid":42,"t":9 })",
        R"({"type":"ok","id":7,"process":3,"writer":3,"pid":42,"t":9,"pid":42})",
        R"({"id":7,"process":3,"writer":3,"pid":42,"t":9,"type":"ok"})"}) {
    std::optional<Event> v = ParseEvent(variant, &error);
    ASSERT_TRUE(v) << error << " in " << variant;
    ExpectSameEvent(*v, *e);
  }
  // Shortcut taken, then an error: the general parser's words.
  EXPECT_FALSE(
      ParseEvent(R"({"type":"ok","id":7,"process":3,"writer":3,"pid":99999999999,"t":9})", &error));
  EXPECT_EQ(error, "field 'pid': integer out of range");
  EXPECT_FALSE(ParseEvent(R"({"type":"ok","id":-,"process":3})", &error));
  EXPECT_EQ(error, "field 'id': expected an integer");
  EXPECT_FALSE(ParseEvent(R"({"type":"ok","id":7,"process":3,"writer":3,"pid":4,"t":9,})", &error));
  EXPECT_EQ(error, "field '<key>': expected a string");
  EXPECT_FALSE(ParseEvent(R"({"type":"ok","id":7,"process":3,"writer":3,"pid":4,"t":9)", &error));
  EXPECT_EQ(error, "expected ',' or '}' after a field");
  EXPECT_FALSE(
      ParseEvent(R"({"type":"invoke","id":7,"process":3,"writer":3,"pid":4,"t":9})", &error));
  EXPECT_EQ(error, "field 'op': missing on an invoke event");
  EXPECT_FALSE(ParseEvent(R"({"type":"oops","id":7})", &error));
  EXPECT_EQ(error, "field 'type': unknown event type 'oops'");
}

// Integers are read eight digits at a time where possible: every length,
// sign and the limits must come back exactly.
TEST(ParseEvent, IntegersOfEveryLengthRoundTrip) {
  std::vector<int64_t> values = {0, INT64_MAX, INT64_MIN, INT64_MIN + 1};
  int64_t power = 1;
  for (int digits = 1; digits <= 18; ++digits, power *= 10) {
    for (int64_t v : {power, power - 1, power + 1, power * 9 + power / 3}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  for (int64_t v : values) {
    Event e;
    e.type = EventType::kOk;
    e.t = v;
    e.id = v;
    e.lock_acquired = v;
    std::string error;
    std::optional<Event> parsed = ParseEvent(FormatEvent(e), &error);
    ASSERT_TRUE(parsed) << error << " for " << v;
    EXPECT_EQ(parsed->t, v);
    EXPECT_EQ(parsed->id, v);
    EXPECT_EQ(parsed->lock_acquired, v);
  }
  std::string error;
  EXPECT_FALSE(ParseEvent(R"({"type":"ok","t":9223372036854775808})", &error));
  EXPECT_EQ(error, "field 't': integer out of range");
  EXPECT_FALSE(ParseEvent(R"({"type":"ok","t":12345678.5})", &error));
  EXPECT_EQ(error, "field 't': expected an integer, got a fraction");
  std::optional<Event> e = ParseEvent(R"({"type":"ok","t":0000000000000000012})", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->t, 12);
}

TEST(ParseHistory, SkipsBlankLinesAndNamesTheBadLine) {
  std::vector<Event> events;
  std::string error;
  std::string text = FormatEvent(FullInvoke()) + "\n\n" + R"({"type":"ok","id":7,"t":5})" + "\r\n";
  ASSERT_TRUE(ParseHistory(text, &events, &error)) << error;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, EventType::kOk);

  events.clear();
  text += R"({"type":"ok","id":"x"})";
  EXPECT_FALSE(ParseHistory(text, &events, &error));
  EXPECT_EQ(error, "line 4: field 'id': expected an integer");
  EXPECT_EQ(events.size(), 2u);
}

// Large histories are parsed in two halves; line numbers, blank lines and
// order must come out as if parsed in one go.
TEST(ParseHistory, LargeHistoryKeepsOrderBlankLinesAndLineNumbers) {
  std::string text;
  size_t lines = 0;
  while (text.size() < (20u << 20)) {
    Event e = FullInvoke();
    e.id = static_cast<int64_t>(lines);
    text += FormatEvent(e) + "\n";
    ++lines;
    if (lines == 1000) {
      text += "\n";  // a blank line in the first half
      ++lines;
    }
  }
  std::vector<Event> events;
  std::string error;
  ASSERT_TRUE(ParseHistory(text, &events, &error)) << error;
  ASSERT_EQ(events.size(), lines - 1);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].id, static_cast<int64_t>(i < 1000 ? i : i + 1));
  }

  // Appended after events already there.
  std::vector<Event> appended = {FullInvoke()};
  ASSERT_TRUE(ParseHistory(text, &appended, &error)) << error;
  ASSERT_EQ(appended.size(), lines);
  EXPECT_EQ(appended[0].id, 7);
  EXPECT_EQ(appended[1].id, 0);
  EXPECT_EQ(appended.back().id, static_cast<int64_t>(lines - 1));

  // A bad line in the second half: its number counts every earlier line.
  text += "{\"type\":\"ok\",\"id\":\"x\"}\n";
  events.clear();
  EXPECT_FALSE(ParseHistory(text, &events, &error));
  EXPECT_EQ(error, "line " + std::to_string(lines + 1) + ": field 'id': expected an integer");
  EXPECT_EQ(events.size(), lines - 1);
  EXPECT_EQ(events.back().id, static_cast<int64_t>(lines - 1));

  // And one in the first half.
  text.insert(0, "nonsense\n");
  events.clear();
  EXPECT_FALSE(ParseHistory(text, &events, &error));
  EXPECT_EQ(error, "line 1: expected a JSON object");
  EXPECT_TRUE(events.empty());
}

TEST(ReadHistoryFile, ReadsAFileAndReportsMissingOnes) {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("history_test_" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(path);
    for (int i = 0; i < 1000; ++i) {
      Event e = FullInvoke();
      e.id = i;
      out << FormatEvent(e) << "\n";
    }
  }
  std::vector<Event> events;
  std::string error;
  ASSERT_TRUE(ReadHistoryFile(path, &events, &error)) << error;
  ASSERT_EQ(events.size(), 1000u);
  EXPECT_EQ(events[999].id, 999);
  std::filesystem::remove(path);

  EXPECT_FALSE(ReadHistoryFile(path, &events, &error));
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
}

}  // namespace
}  // namespace lockharness::harness
