// Crash-recording mode of the preload library (crash_record.h).

#include "crash_record.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

#include "json_text.h"
#include "lockharness/interposer/path_class.h"
#include "preload_internal.h"

namespace lockharness::interposer {
namespace {

// One record line is formatted here while the locks are held; a write
// whose line would not fit ends the recording with an overflow line.
constexpr size_t kRecordBufferSize = 1 << 20;
constexpr long long kDefaultMaxBytes = 64ll << 20;

char g_path[kPathBufferSize];
long long g_max_bytes = kDefaultMaxBytes;
std::atomic<bool> g_on{false};
std::atomic<int> g_fd{-1};
std::atomic<int> g_fd_pid{0};
std::atomic_flag g_spin = ATOMIC_FLAG_INIT;
// Set (per process) once an overflow line was written: nothing more is
// recorded, the harness calls the run unknown.
std::atomic<bool> g_overflowed{false};
char g_buffer[kRecordBufferSize];

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The record descriptor of this process; reopened after fork (POSIX record
// locks belong to a process, the descriptor is shared) and if the program
// closed it behind our back.
int RecordFd() {
  int fd = g_fd.load(std::memory_order_acquire);
  if (fd >= 0 && g_fd_pid.load(std::memory_order_relaxed) == getpid()) {
    struct stat st;
    if (fcntl(fd, F_GETFD) >= 0 && fstat(fd, &st) == 0) return fd;
  }
  int raw = open(g_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (raw < 0) return -1;
  int high = fcntl(raw, F_DUPFD_CLOEXEC, 920);
  if (high >= 0) {
    close(raw);
    raw = high;
  }
  g_fd.store(raw, std::memory_order_release);
  g_fd_pid.store(getpid(), std::memory_order_relaxed);
  return raw;
}

bool LockRecord(int fd, short type) {
  struct flock lk = {};
  lk.l_type = type;
  lk.l_whence = SEEK_SET;
  while (fcntl(fd, F_SETLKW, &lk) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

void Acquire() {
  while (g_spin.test_and_set(std::memory_order_acquire)) sched_yield();
  int fd = RecordFd();
  if (fd >= 0) LockRecord(fd, F_WRLCK);
}

void Release() {
  int fd = g_fd.load(std::memory_order_relaxed);
  if (fd >= 0) LockRecord(fd, F_UNLCK);
  g_spin.clear(std::memory_order_release);
}

class Line : public JsonText<Line> {
 public:
  Line() = default;
  bool overflow() const { return overflow_; }
  size_t size() const { return len_; }
  const char* data() const { return g_buffer; }
  void Hex(const void* data, size_t n) {
    static const char kHex[] = "0123456789abcdef";
    auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      Put(kHex[p[i] >> 4]);
      Put(kHex[p[i] & 15]);
    }
  }
  void Field(const char* name) {
    Put(',');
    Put('"');
    Raw(name);
    Raw("\":");
  }

 private:
  friend class JsonText<Line>;
  void Put(char c) {
    if (len_ + 2 >= kRecordBufferSize) {
      overflow_ = true;
      return;
    }
    g_buffer[len_++] = c;
  }
  size_t len_ = 0;
  bool overflow_ = false;
};

void Header(Line* line, const char* op) {
  line->Raw("{\"op\":");
  line->String(op);
  line->Field("pid");
  line->Int(getpid());
  line->Field("ns");
  line->Int(NowNs());
}

void WriteRaw(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    len -= static_cast<size_t>(n);
  }
}

// REQUIRES: the locks are held.
void Emit(Line* line, const char* overflow_reason) {
  int fd = g_fd.load(std::memory_order_relaxed);
  if (fd < 0 || g_overflowed.load(std::memory_order_relaxed)) return;
  struct stat st;
  bool too_big =
      line->overflow() ||
      (fstat(fd, &st) == 0 &&
       st.st_size + static_cast<long long>(line->size()) + 1 > g_max_bytes);
  if (too_big) {
    g_overflowed.store(true, std::memory_order_relaxed);
    Line over;
    Header(&over, "overflow");
    over.Field("reason");
    over.String(line->overflow()
                    ? overflow_reason
                    : "LOCKHARNESS_CRASH_RECORD_MAX_BYTES reached");
    over.Raw("}\n");
    WriteRaw(fd, over.data(), over.size());
    return;
  }
  line->Raw("\n");
  WriteRaw(fd, line->data(), line->size());
}

bool Recorded(CallFamily family, const char* kind, const CrashPayload* p) {
  if (kind != nullptr) return true;
  switch (family) {
    case CallFamily::kOpen:
      return p != nullptr && p->open_flags >= 0 &&
             (p->open_flags & (O_CREAT | O_TRUNC | O_APPEND)) != 0;
    case CallFamily::kWrite:
    case CallFamily::kFsync:
    case CallFamily::kFdatasync:
    case CallFamily::kRename:
    case CallFamily::kMkdir:
    case CallFamily::kRmdir:
    case CallFamily::kUnlink:
    case CallFamily::kLink: return true;
    case CallFamily::kClose:
    case CallFamily::kLock:  // flock/fcntl locks change no file's content
      return false;
  }
  return false;
}

const char* OpName(CallFamily family) {
  switch (family) {
    case CallFamily::kOpen: return "open";
    case CallFamily::kWrite: return "write";
    case CallFamily::kFsync: return "fsync";
    case CallFamily::kFdatasync: return "fdatasync";
    case CallFamily::kRename: return "rename";
    case CallFamily::kMkdir: return "mkdir";
    case CallFamily::kRmdir: return "rmdir";
    case CallFamily::kUnlink: return "unlink";
    case CallFamily::kLink: return "link";
    case CallFamily::kClose: return "close";
    case CallFamily::kLock: return "lock";
  }
  return "?";
}

void InodeFields(Line* line, int fd, const char* path) {
  struct stat st;
  int rc = fd >= 0 ? fstat(fd, &st) : lstat(path, &st);
  if (rc != 0) return;
  line->Field("ino");
  line->Int(static_cast<long long>(st.st_ino));
  if (S_ISDIR(st.st_mode)) {
    line->Field("dir");
    line->Raw("true");
  }
}

}  // namespace

const char* ConfigureCrashRecord() {
  const char* path = getenv("LOCKHARNESS_CRASH_RECORD");
  if (path == nullptr || path[0] == '\0') return nullptr;
  if (strlen(path) >= sizeof(g_path))
    return "LOCKHARNESS_CRASH_RECORD path too long";
  strcpy(g_path, path);
  const char* max = getenv("LOCKHARNESS_CRASH_RECORD_MAX_BYTES");
  if (max != nullptr && max[0] != '\0') {
    char* end = nullptr;
    long long v = strtoll(max, &end, 10);
    if (end == max || *end != '\0' || v <= 0) {
      return "LOCKHARNESS_CRASH_RECORD_MAX_BYTES must be a positive integer";
    }
    g_max_bytes = v;
  }
  if (RecordFd() < 0) return "cannot open LOCKHARNESS_CRASH_RECORD file";
  g_on.store(true, std::memory_order_release);
  Acquire();
  Line line;
  Header(&line, "hello");
  line.Raw("}");
  Emit(&line, "hello line too long");
  Release();
  return nullptr;
}

bool CrashRecording() { return g_on.load(std::memory_order_acquire); }

CrashRecordScope::CrashRecordScope(CallFamily family, const char* kind,
                                   const char* path, const char* from, int fd,
                                   const CrashPayload* payload)
    : family_(family), kind_(kind), path_(path), from_(from), fd_(fd),
      payload_(payload) {
  if (!CrashRecording() || !Recorded(family, kind, payload)) return;
  int saved = errno;
  Acquire();
  active_ = true;
  if (family == CallFamily::kOpen && kind == nullptr && path != nullptr) {
    struct stat st;
    existed_ = lstat(path, &st) == 0;
  }
  errno = saved;
}

CrashRecordScope::~CrashRecordScope() {
  if (active_) Release();
}

void CrashRecordScope::Finish(long long result) {
  if (!active_) return;
  int saved = errno;
  if (result >= 0 && !(family_ == CallFamily::kWrite && result == 0)) {
    Line line;
    char fd_path[kPathBufferSize];
    Header(&line, kind_ != nullptr ? kind_ : OpName(family_));
    const char* path = path_;
    int fd = fd_;
    if (family_ == CallFamily::kOpen && kind_ == nullptr) {
      fd = static_cast<int>(result);
    }
    if (path == nullptr && fd >= 0) path = FdPath(fd, fd_path);
    line.Field("path");
    line.String(path);
    if (from_ != nullptr) {
      line.Field("from");
      line.String(from_);
    }
    bool inode = fd >= 0 || family_ == CallFamily::kMkdir ||
                 family_ == CallFamily::kLink || kind_ != nullptr;
    if (inode && path != nullptr) InodeFields(&line, fd, path);
    if (kind_ != nullptr) {
      line.Field("len");
      line.Int(payload_ != nullptr ? payload_->truncate_length : 0);
    } else if (family_ == CallFamily::kOpen) {
      line.Field("flags");
      line.Int(payload_->open_flags);
      line.Field("created");
      line.Raw(existed_ ? "false" : "true");
    } else if (family_ == CallFamily::kWrite && payload_ != nullptr) {
      long long off = payload_->offset;
      if (off < 0)
        off = static_cast<long long>(lseek(fd, 0, SEEK_CUR)) - result;
      line.Field("off");
      line.Int(off);
      line.Field("data");
      line.Raw("\"");
      size_t left = static_cast<size_t>(result);
      if (payload_->data != nullptr) {
        line.Hex(payload_->data, left);
      } else {
        for (int i = 0; i < payload_->iovcnt && left > 0; ++i) {
          size_t n =
              payload_->iov[i].iov_len < left ? payload_->iov[i].iov_len : left;
          line.Hex(payload_->iov[i].iov_base, n);
          left -= n;
        }
      }
      line.Raw("\"");
    }
    line.Raw("}");
    Emit(&line, "a single write too large to record");
  }
  active_ = false;
  Release();
  errno = saved;
}

}  // namespace lockharness::interposer
