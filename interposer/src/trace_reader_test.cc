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

  n = FormatInheritedLine(4, 9, PathClass::kLock, "/d/r.json.lock", 6, buf,
                          sizeof(buf));
  e = ParseTraceLine(std::string_view(buf, n), &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->type, TraceEvent::Type::kInherited);
  EXPECT_EQ(e->pid, 4);
  EXPECT_EQ(e->fd, 9);
  EXPECT_EQ(e->path_class, "lock");
  EXPECT_EQ(e->path, "/d/r.json.lock");
  EXPECT_EQ(e->mono_ns, 6);

  n = FormatDupLine(4, 3, 9, PathClass::kLock, "/d/r.json.lock", 7, buf,
                    sizeof(buf));
  e = ParseTraceLine(std::string_view(buf, n), &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->type, TraceEvent::Type::kDup);
  EXPECT_EQ(e->fd, 3);
  EXPECT_EQ(e->new_fd, 9);
  EXPECT_EQ(e->path, "/d/r.json.lock");

  EXPECT_FALSE(ParseTraceLine(
      R"({"type":"dup","pid":1,"mono_ns":2,"fd":3,"class":"lock"})", &error));
  EXPECT_THAT(error, HasSubstr("new_fd"));
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

// A temporary trace file holding `text`, removed with the object.
class TraceFile {
 public:
  explicit TraceFile(const std::string& text) {
    char tmpl[] = "/tmp/lh-trace-XXXXXX";
    const int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TraceFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string MkdirLine(int pid, int64_t mono_ns,
                      const std::string& path = "/d/r.json.lock") {
  TraceRecord r;
  r.pid = pid;
  r.mono_ns = mono_ns;
  r.call = "mkdir";
  r.family = CallFamily::kMkdir;
  r.path_class = PathClass::kLock;
  r.path = path.c_str();
  std::string line = Format(r);
  line.pop_back();  // the newline: the tests place their own
  return line;
}

TEST(TraceReaderTest, ReadsFilesAndReportsTheBadLine) {
  {
    TraceFile file(MkdirLine(1, 1) + "\n" + MkdirLine(1, 2) + "\n" +
                   R"({"type":"call","pid)");
    std::string error;
    std::optional<Trace> trace = ReadTraceFile(file.path(), &error);
    ASSERT_TRUE(trace) << error;  // the unfinished last line is ignored
    EXPECT_EQ(trace->size(), 2u);
  }
  {
    TraceFile file(MkdirLine(1, 1) + "\ngarbage\n" + MkdirLine(1, 2));
    std::string error;
    EXPECT_FALSE(ReadTraceFile(file.path(), &error));
    EXPECT_EQ(error, file.path() + ":2: not a JSON object");
  }
  std::string error;
  EXPECT_FALSE(ReadTraceFile("/nonexistent/trace.jsonl", &error));
  EXPECT_EQ(error, "/nonexistent/trace.jsonl: cannot open");
}

TEST(TraceReaderTest, ATornLineIsListedAndTheWholeLineAfterItRead) {
  // pid 74 was SIGKILLed inside its write(2): its line stops short and
  // pid 295's line follows at once (seen in a kill-holder run).
  TraceFile file(MkdirLine(1, 1) + "\n" + R"({"type":"call","pid":74,"cal)" +
                 MkdirLine(295, 2) + "\n" + R"({"type":"call","pi)" +
                 MkdirLine(3, 3) + "\n" + MkdirLine(4, 4) + "\n");
  std::string error;
  std::optional<Trace> trace = ReadTraceFile(file.path(), &error);
  ASSERT_TRUE(trace) << error;
  ASSERT_EQ(trace->size(), 4u);
  EXPECT_EQ((*trace)[1].pid(), 295);
  EXPECT_EQ((*trace)[2].pid(), 3);
  ASSERT_EQ(trace->torn_lines().size(), 2u);
  EXPECT_EQ(trace->torn_lines()[0].line, 2u);
  EXPECT_EQ(trace->torn_lines()[0].pid, 74);
  EXPECT_EQ(trace->torn_lines()[1].line, 3u);
  EXPECT_EQ(trace->torn_lines()[1].pid, 0);  // cut before its pid

  // Digits the tear cut are no pid; text with no whole line after it is
  // still an error.
  int pid = -1;
  EXPECT_TRUE(ParseAfterTornFragment(
      R"({"type":"call","pid":7)" + MkdirLine(5, 5), &pid));
  EXPECT_EQ(pid, 0);
  TraceFile bad(MkdirLine(1, 1) + "\n" +
                R"({"type":"call","pid":74,"cal{"type":"call"})" + "\n");
  EXPECT_FALSE(ReadTraceFile(bad.path(), &error));
  EXPECT_EQ(error, bad.path() + ":2: not a JSON object");
}

TEST(TraceReaderTest, GoodLinesReadBackInOrderAndEmptyLinesCount) {
  // Line 3 is empty: it is skipped but counted, so the bad line is line 5.
  TraceFile file(MkdirLine(1, 10) + "\n" + MkdirLine(2, 20) + "\n\n" +
                 MkdirLine(3, 30) + "\n{\"type\":\"call\"}\n" +
                 MkdirLine(4, 40) + "\n");
  std::string error;
  EXPECT_FALSE(ReadTraceFile(file.path(), &error));
  EXPECT_EQ(error, file.path() + ":5: missing field 'pid'");

  TraceFile good(
      MkdirLine(1, 10) + "\n" + MkdirLine(2, 20) + "\n\n" + MkdirLine(3, 30) +
      "\n" + MkdirLine(4, 40));  // last line complete but unterminated: kept
  std::optional<Trace> trace = ReadTraceFile(good.path(), &error);
  ASSERT_TRUE(trace) << error;
  ASSERT_EQ(trace->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*trace)[i].pid(), static_cast<int>(i + 1));
    EXPECT_EQ((*trace)[i].mono_ns(), static_cast<int64_t>(10 * (i + 1)));
    EXPECT_EQ((*trace)[i].call(), "mkdir");
    EXPECT_EQ((*trace)[i].path(), "/d/r.json.lock");
  }
}

TEST(TraceReaderTest, OverlongLineIsReportedWithItsLineNumberAndSize) {
  // Longer than the reader's buffer too: its size is counted, not kept.
  for (size_t size : {kTraceLineSize, size_t{3} << 20}) {
    TraceFile file(MkdirLine(1, 1) + "\n" + std::string(size, 'x') + "\n" +
                   MkdirLine(1, 2) + "\n");
    std::string error;
    EXPECT_FALSE(ReadTraceFile(file.path(), &error));
    EXPECT_EQ(error, file.path() + ":2: line of " + std::to_string(size) +
                         " bytes, longer than any the interposer writes (" +
                         std::to_string(kTraceLineSize - 1) + ")");
  }
}

TEST(TraceReaderTest, FinalPartialLineIsIgnoredEvenIfOverlong) {
  for (size_t size : {size_t{5}, kTraceLineSize, size_t{3} << 20}) {
    TraceFile file(MkdirLine(1, 1) + "\n" + MkdirLine(1, 2) + "\n" +
                   std::string("{\"type\":\"call\",") + std::string(size, 'x'));
    std::string error;
    std::optional<Trace> trace = ReadTraceFile(file.path(), &error);
    ASSERT_TRUE(trace) << error;
    EXPECT_EQ(trace->size(), 2u);
  }
}

TEST(TraceReaderTest, LinesAcrossBufferBoundariesAreWhole) {
  // About 5 MB of lines of varying length: many straddle the reader's
  // 1 MiB buffer.
  std::string text;
  size_t lines = 0;
  while (text.size() < (size_t{5} << 20)) {
    ++lines;
    text += MkdirLine(static_cast<int>(lines), static_cast<int64_t>(lines),
                      "/d/" + std::string(lines % 97, 'p') + ".lock") +
            "\n";
  }
  TraceFile file(text);
  std::string error;
  std::optional<Trace> trace = ReadTraceFile(file.path(), &error);
  ASSERT_TRUE(trace) << error;
  ASSERT_EQ(trace->size(), lines);
  for (size_t i = 0; i < lines; ++i) {
    const TraceEventRef e = (*trace)[i];
    ASSERT_EQ(e.pid(), static_cast<int>(i + 1));
    ASSERT_EQ(e.path(), "/d/" + std::string((i + 1) % 97, 'p') + ".lock");
  }
  EXPECT_EQ(trace->string_bytes(), [] {
    size_t bytes = 0;  // the distinct strings, each once
    for (size_t n = 0; n < 97; ++n) bytes += std::string("/d/.lock").size() + n;
    return bytes + std::string("mkdir").size() +
           std::string("lh/mkdir/lock").size() + std::string("lock").size();
  }());
}

TEST(TraceReaderTest, EventCountBoundRefusesTheTrace) {
  const std::string four = MkdirLine(1, 1) + "\n" + MkdirLine(1, 2) + "\n" +
                           MkdirLine(1, 3) + "\n" + MkdirLine(1, 4);
  TraceFile file(four + "\n");
  TraceBounds bounds;
  bounds.max_events = 4;
  std::string error;
  std::optional<Trace> trace = ReadTraceFile(file.path(), &error, bounds);
  ASSERT_TRUE(trace) << error;  // exactly at the bound
  EXPECT_EQ(trace->size(), 4u);

  bounds.max_events = 3;
  EXPECT_FALSE(ReadTraceFile(file.path(), &error, bounds));
  EXPECT_EQ(
      error,
      file.path() +
          ":4: more than 3 events, the bound on a trace's events (each costs "
          "memory while the trace is judged)");
  // The default bound is far above the unit tests' traces.
  EXPECT_TRUE(ReadTraceFile(file.path(), &error)) << error;
}

TEST(TraceReaderTest, DistinctStringBoundRefusesTheTrace) {
  // Every line names a new path: the strings, not the events, grow.
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += MkdirLine(1, i, "/d/" + std::to_string(i)) + "\n";
  TraceFile file(text);
  TraceBounds bounds;
  bounds.max_string_bytes = 200;
  std::string error;
  EXPECT_FALSE(ReadTraceFile(file.path(), &error, bounds));
  EXPECT_THAT(error, HasSubstr(file.path() + ":"));
  EXPECT_THAT(
      error,
      HasSubstr(
          ": its distinct paths and names exceed 200 bytes, the bound on a "
          "trace's strings"));
}

}  // namespace
}  // namespace lockharness::interposer
