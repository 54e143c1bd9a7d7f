#include "lockharness/interposer/trace_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockharness/interposer/trace_line.h"

namespace lockharness::interposer {
namespace {

using ::testing::HasSubstr;

std::string Format(const TraceRecord& r) {
  char buf[kTraceLineSize];
  return std::string(buf, FormatTraceLine(r, buf, sizeof(buf)));
}

// What the writer formats, the reader reads back field for field.
TEST(TraceReaderTest, RoundTripsAFormattedLine) {
  TraceRecord r;
  r.pid = 9;
  r.call = "rename";
  r.family = CallFamily::kRename;
  r.path_class = PathClass::kRegistry;
  r.path = "/d/sandboxes.json";
  r.from = "/d/sandboxes.json.tmp.9";
  r.from_class = PathClass::kTemp;
  r.result = -1;
  r.error = ENOSPC;
  r.injected = true;
  r.action = ActionKind::kErrno;
  r.mono_ns = 77;
  std::string error;
  std::optional<TraceEvent> e = ParseTraceLine(Format(r), &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->type, TraceEvent::Type::kCall);
  EXPECT_EQ(e->pid, 9);
  EXPECT_EQ(e->call, "rename");
  EXPECT_EQ(e->point, "lh/rename/registry");
  EXPECT_EQ(e->path_class, "registry");
  EXPECT_EQ(e->path, "/d/sandboxes.json");
  EXPECT_EQ(e->from, "/d/sandboxes.json.tmp.9");
  EXPECT_EQ(e->from_class, "temp");
  EXPECT_EQ(e->result, -1);
  EXPECT_EQ(e->error, "ENOSPC");
  EXPECT_TRUE(e->injected);
  EXPECT_EQ(e->action, "errno");
  EXPECT_EQ(e->mono_ns, 77);

  char buf[256];
  size_t n = FormatHelloLine(3, "/d/r.json", 2, 5, buf, sizeof(buf));
  e = ParseTraceLine(std::string_view(buf, n), &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->type, TraceEvent::Type::kHello);
  EXPECT_EQ(e->registry, "/d/r.json");
  EXPECT_EQ(e->faults, 2);
}

TEST(TraceReaderTest, RejectsMalformedLinesNamingTheProblem) {
  struct Case {
    const char* line;
    const char* why;
  } cases[] = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {R"({"pid":1,"mono_ns":1})", "missing field 'type'"},
      {R"({"type":"bye","pid":1,"mono_ns":1})", "unknown type 'bye'"},
      {R"({"type":"call","pid":"1","mono_ns":1})",
       "field 'pid' is not an integer"},
      {R"({"type":"call","pid":1,"mono_ns":1,"point":"p","class":"c",)"
       R"("fd":-1,"result":0,"injected":false})",
       "missing field 'call'"},
      {R"({"type":"call","pid":1,"mono_ns":1,"call":"open","point":"p",)"
       R"("class":"c","fd":-1,"result":0,"injected":true})",
       "missing field 'action'"},
      {R"({"type":"call","pid":1,"mono_ns":1,"call":"open","point":"p",)"
       R"("class":"c","fd":-1,"result":-1,"injected":false})",
       "failed call without 'errno'"},
      {R"({"type":"call","pid":1,"mono_ns":1,"call":"open","point":"p",)"
       R"("class":"c","fd":-1,"result":0,"injected":"yes"})",
       "field 'injected' is not a boolean"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseTraceLine(c.line, &error)) << c.line;
    EXPECT_THAT(error, HasSubstr(c.why)) << c.line;
  }
}

TEST(TraceReaderTest, OverlongLineIsRejectedUnparsed) {
  std::string error;
  const std::string line =
      "{\"type\":\"" + std::string(kTraceLineSize, 'x') + "\"}";
  EXPECT_FALSE(ParseTraceLine(line, &error));
  EXPECT_THAT(error, HasSubstr("longer than any the interposer writes"));
}

TEST(TraceReaderTest, ReadsFilesAndReportsTheBadLine) {
  char tmpl[] = "/tmp/lh-trace-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  TraceRecord ok;
  ok.call = "mkdir";
  ok.family = CallFamily::kMkdir;
  ok.path_class = PathClass::kLock;
  {
    std::ofstream out(tmpl);
    out << Format(ok) << "\n" << Format(ok) << R"({"type":"call","pid)";
  }
  std::string error;
  auto events = ReadTraceFile(tmpl, &error);
  ASSERT_TRUE(events) << error;  // the unfinished last line is ignored
  EXPECT_EQ(events->size(), 2u);

  {
    std::ofstream out(tmpl);
    out << Format(ok) << "garbage\n" << Format(ok);
  }
  EXPECT_FALSE(ReadTraceFile(tmpl, &error));
  EXPECT_THAT(error, HasSubstr(std::string(tmpl) + ":2: not a JSON object"));
  unlink(tmpl);
  EXPECT_FALSE(ReadTraceFile(tmpl, &error));
  EXPECT_THAT(error, HasSubstr("cannot open"));
}

}  // namespace
}  // namespace lockharness::interposer
