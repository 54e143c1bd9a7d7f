#include "lockharness/interposer/trace_line.h"

#include <fcntl.h>
#include <unistd.h>

#include <errno.h>

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace lockharness::interposer {
namespace {

nlohmann::json Format(const TraceRecord& r, size_t size = kTraceLineSize) {
  std::string buf(size, '\0');
  size_t n = FormatTraceLine(r, buf.data(), buf.size());
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, size);
  buf.resize(n);
  EXPECT_EQ(buf.back(), '\n');
  EXPECT_EQ(buf.find('\n'), n - 1) << "exactly one line";
  return nlohmann::json::parse(buf);
}

TEST(TraceLineTest, InjectedRenameHasEveryField) {
  TraceRecord r;
  r.pid = 4242;
  r.call = "renameat2";
  r.family = CallFamily::kRename;
  r.path_class = PathClass::kRegistry;
  r.path = "/d/sandboxes.json";
  r.from = "/d/sandboxes.json.tmp.1";
  r.from_class = PathClass::kTemp;
  r.result = -1;
  r.error = EIO;
  r.injected = true;
  r.action = ActionKind::kErrno;
  r.mono_ns = 123456789012LL;
  nlohmann::json j = Format(r);
  EXPECT_EQ(j["type"], "call");
  EXPECT_EQ(j["pid"], 4242);
  EXPECT_EQ(j["call"], "renameat2");
  EXPECT_EQ(j["point"], "lh/rename/registry");
  EXPECT_EQ(j["class"], "registry");
  EXPECT_EQ(j["path"], "/d/sandboxes.json");
  EXPECT_EQ(j["from"], "/d/sandboxes.json.tmp.1");
  EXPECT_EQ(j["from_class"], "temp");
  EXPECT_EQ(j["result"], -1);
  EXPECT_EQ(j["errno"], "EIO");
  EXPECT_EQ(j["injected"], true);
  EXPECT_EQ(j["action"], "errno");
  EXPECT_EQ(j["mono_ns"], 123456789012LL);
}

TEST(TraceLineTest, SuccessfulWriteOmitsErrnoAndAction) {
  TraceRecord r;
  r.call = "write";
  r.family = CallFamily::kWrite;
  r.path_class = PathClass::kTemp;
  r.fd = 7;
  r.result = 16;
  r.error = EAGAIN;  // stale errno must not leak into a success line
  nlohmann::json j = Format(r);
  EXPECT_EQ(j["fd"], 7);
  EXPECT_EQ(j["result"], 16);
  EXPECT_FALSE(j.contains("errno"));
  EXPECT_FALSE(j.contains("action"));
  EXPECT_FALSE(j.contains("from"));
  EXPECT_FALSE(j.contains("path"));
  EXPECT_EQ(j["injected"], false);
}

TEST(TraceLineTest, EscapesPathsAndSurvivesTruncation) {
  TraceRecord r;
  r.call = "open";
  r.path_class = PathClass::kTemp;
  r.path = "/d/quote\"back\\slash\nnewline";
  nlohmann::json j = Format(r);
  EXPECT_EQ(j["path"], "/d/quote\"back\\slash\nnewline");

  std::string long_path = "/d/" + std::string(1000, 'x');
  r.path = long_path.c_str();
  j = Format(r, 300);
  EXPECT_EQ(j["truncated"], true);
  EXPECT_FALSE(j.contains("path"));
  EXPECT_EQ(j["point"], "lh/open/temp");
}

TEST(TraceLineTest, UnknownErrnoIsANumber) {
  TraceRecord r;
  r.result = -1;
  r.error = 4000;
  EXPECT_EQ(Format(r)["errno"], 4000);
}

TEST(TraceLineTest, HelloLine) {
  char buf[512];
  size_t n = FormatHelloLine(77, "/d/sandboxes.json", 3, 5, buf, sizeof(buf));
  nlohmann::json j = nlohmann::json::parse(std::string(buf, n));
  EXPECT_EQ(j["type"], "hello");
  EXPECT_EQ(j["pid"], 77);
  EXPECT_EQ(j["faults"], 3);
  EXPECT_EQ(j["registry"], "/d/sandboxes.json");
}

TEST(TraceLineTest, OpenFlagsAndLockRequests) {
  TraceRecord r;
  r.call = "openat";
  r.open_flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  EXPECT_EQ(Format(r)["flags"], "O_WRONLY|O_CREAT|O_EXCL");
  EXPECT_FALSE(Format(r).contains("lock_kind"));
  TraceRecord lock;
  lock.call = "fcntl";
  lock.family = CallFamily::kLock;
  LockDetail detail;
  detail.kind = LockKind::kOfd;
  detail.op = LockOp::kShared;
  detail.wait = true;
  detail.start = 10;
  detail.len = 5;
  detail.whence = SEEK_CUR;
  lock.lock = &detail;
  nlohmann::json j = Format(lock);
  EXPECT_EQ(j["point"], "lh/lock/other");
  EXPECT_EQ(j["lock_kind"], "ofd");
  EXPECT_EQ(j["lock_op"], "shared");
  EXPECT_EQ(j["lock_wait"], true);
  EXPECT_EQ(j["lock_start"], 10);
  EXPECT_EQ(j["lock_len"], 5);
  EXPECT_EQ(j["lock_whence"], SEEK_CUR);
  EXPECT_FALSE(j.contains("flags"));
  detail.kind = LockKind::kFlock;
  j = Format(lock);
  EXPECT_EQ(j["lock_kind"], "flock");
  EXPECT_FALSE(j.contains("lock_start"));
}

TEST(TraceLineTest, HelloForkAndExitLinesNameTheParent) {
  char buf[512];
  nlohmann::json hello = nlohmann::json::parse(std::string(
      buf, FormatHelloLine(77, "/d/r.json", 0, 5, buf, sizeof(buf), 70)));
  EXPECT_EQ(hello["ppid"], 70);
  nlohmann::json fork = nlohmann::json::parse(
      std::string(buf, FormatForkLine(78, 77, 6, buf, sizeof(buf))));
  EXPECT_EQ(fork["type"], "fork");
  EXPECT_EQ(fork["pid"], 78);
  EXPECT_EQ(fork["ppid"], 77);
  nlohmann::json exit = nlohmann::json::parse(
      std::string(buf, FormatExitLine(78, 7, buf, sizeof(buf))));
  EXPECT_EQ(exit["type"], "exit");
  EXPECT_EQ(exit["mono_ns"], 7);
}

TEST(TraceLineTest, InheritedAndDupLinesNameTheDescriptors) {
  char buf[512];
  nlohmann::json inherited = nlohmann::json::parse(std::string(
      buf, FormatInheritedLine(78, 9, PathClass::kLock, "/d/r.json.lock", 8,
                               buf, sizeof(buf))));
  EXPECT_EQ(inherited,
            nlohmann::json::parse(R"({"type":"inherited","pid":78,"fd":9,)"
                                  R"("class":"lock","mono_ns":8,)"
                                  R"("path":"/d/r.json.lock"})"));
  nlohmann::json dup = nlohmann::json::parse(
      std::string(buf, FormatDupLine(77, 3, 9, PathClass::kLock,
                                     "/d/r.json.lock", 9, buf, sizeof(buf))));
  EXPECT_EQ(dup["type"], "dup");
  EXPECT_EQ(dup["fd"], 3);
  EXPECT_EQ(dup["new_fd"], 9);
  EXPECT_EQ(dup["class"], "lock");
  // Only the replaced descriptor was ours: no path.
  nlohmann::json replaced = nlohmann::json::parse(
      std::string(buf, FormatDupLine(77, 4, 9, PathClass::kOther, nullptr, 10,
                                     buf, sizeof(buf))));
  EXPECT_EQ(replaced["class"], "other");
  EXPECT_FALSE(replaced.contains("path"));
}

}  // namespace
}  // namespace lockharness::interposer
