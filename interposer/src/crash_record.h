// crash_record.h: the interposer's crash-recording mode
// (LOCKHARNESS_CRASH_RECORD=path), the input of power-loss testing
// (docs/crash-consistency.md).
//
// Every successful mutating call on a protocol path (open with O_CREAT,
// O_TRUNC or O_APPEND, the write family with its bytes and offset,
// ftruncate/truncate, fsync/fdatasync of files and directories, rename,
// link, unlink, mkdir, rmdir) is appended to the record file as one JSON
// line. The call and its line form one critical section under a
// process-wide spin lock and a POSIX record lock on the record file, so the
// order of the lines is the order in which the calls took effect, across
// every process (a total order consistent with real time); `ns` is
// CLOCK_MONOTONIC taken inside the section, after the call returned.
//
// Internal to the preload library: no heap, no exceptions, no stdio. Each
// function REQUIRES the caller's thread to be inside the library (the
// preload's DepthGuard), so the libc calls made here are not intercepted.

#ifndef LOCKHARNESS_INTERPOSER_SRC_CRASH_RECORD_H_
#define LOCKHARNESS_INTERPOSER_SRC_CRASH_RECORD_H_

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "lockharness/interposer/fault_spec.h"

namespace lockharness::interposer {

// What a wrapper knows about a call beyond its class and path.
struct CrashPayload {
  const void* data = nullptr;         // write/pwrite
  const struct iovec* iov = nullptr;  // writev family
  int iovcnt = 0;
  long long offset = -1;           // explicit offset (pwrite...), else -1
  int open_flags = -1;             // open family: the flags
  long long truncate_length = -1;  // ftruncate/truncate
};

// Reads LOCKHARNESS_CRASH_RECORD and LOCKHARNESS_CRASH_RECORD_MAX_BYTES.
// Returns nullptr when recording is off or set up (and writes the process's
// `hello` line), else a message naming the problem (the caller exits 125).
const char* ConfigureCrashRecord();

bool CrashRecording();

// Brackets one real call. The constructor takes the locks (and notes what
// the record needs from before the call) if the call is recorded; Finish()
// writes the line and releases them; the destructor releases them if
// Finish() was not called.
//   `kind` is "truncate" for ftruncate/truncate (no CallFamily of its own),
//   else nullptr and `family` says what the call is.
class CrashRecordScope {
 public:
  CrashRecordScope(CallFamily family, const char* kind, const char* path,
                   const char* from, int fd, const CrashPayload* payload);
  ~CrashRecordScope();
  CrashRecordScope(const CrashRecordScope&) = delete;
  CrashRecordScope& operator=(const CrashRecordScope&) = delete;

  // `result` is the real call's return value (an fd for open).
  void Finish(long long result);

 private:
  bool active_ = false;
  CallFamily family_;
  const char* kind_;
  const char* path_;
  const char* from_;
  int fd_;
  const CrashPayload* payload_;
  bool existed_ = false;  // open: the path existed before the call
};

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_SRC_CRASH_RECORD_H_
