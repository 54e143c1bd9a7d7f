// crash_record.h: reading the interposer's crash record
// (LOCKHARNESS_CRASH_RECORD, docs/crash-consistency.md) back as calls.
//
// The record is JSON lines, one per successful mutating call on a protocol
// path, in the order the calls took effect across all processes, plus one
// `hello` line per process that loaded the library and, if the byte bound
// was reached, an `overflow` line. Paths are made relative to the registry
// directory ("" is the directory itself).
//
//   std::string error;
//   auto record = ParseCrashRecord(text, "/abs/run/registry", &error);
//   if (!record) { ...unknown: error names the line and the problem... }

#ifndef LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RECORD_H_
#define LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::harness::crash {

enum class CallKind {
  kOpen,      // O_CREAT / O_TRUNC / O_APPEND opens
  kWrite,     // write, pwrite, writev...: `data` at `offset`
  kTruncate,  // ftruncate/truncate to `length`
  kFsync,
  kFdatasync,
  kRename,  // `from` -> `path`
  kLink,    // `from` -> `path`
  kUnlink,
  kMkdir,
  kRmdir,
};

std::string_view CallKindName(CallKind kind);

struct CrashCall {
  CallKind kind = CallKind::kWrite;
  int pid = 0;
  int64_t ns = 0;        // CLOCK_MONOTONIC, taken after the call returned
  std::string path;      // relative to the registry directory
  std::string from;      // rename/link source
  uint64_t ino = 0;      // the file's inode number, when recorded
  bool is_dir = false;   // fsync of a directory
  int64_t offset = 0;    // write
  std::string data;      // write: the bytes written
  int flags = 0;         // open
  bool created = false;  // open: the file did not exist before
  int64_t length = 0;    // truncate
  int line = 0;          // 1-based line in the record file

  // "#12 rename(sandboxes.json.tmp.1.a -> sandboxes.json)", for reports.
  std::string Describe(int index) const;
};

struct CrashRecord {
  std::vector<CrashCall> calls;
  int processes = 0;                    // hello lines
  std::optional<std::string> overflow;  // the reason, if the bound was hit
};

// Parses the whole record. On failure (malformed line, an op it does not
// know, a path outside `registry_dir`) returns nullopt and sets *error to
// "line N: ...", naming the call for an unknown op.
// REQUIRES: registry_dir is absolute and normalised; error != nullptr.
std::optional<CrashRecord> ParseCrashRecord(std::string_view text, const std::string& registry_dir,
                                            std::string* error);

}  // namespace lockharness::harness::crash

#endif  // LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RECORD_H_
