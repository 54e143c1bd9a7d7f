#include "lockharness/bench/lock_strategy.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "lockharness/protocol/dir_lock.h"
#include "lockharness/protocol/env.h"

namespace lockharness::bench {
namespace {

int64_t RealtimeMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

// Writes all of `data` to a new or truncated file, as Node's writeFileSync.
Status WriteWholeFile(const std::string& path, const std::string& data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError("open", path, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::IoError("write", path, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::IoError("close", path, errno);
  return Status::Ok();
}

class OurLock final : public LockStrategy {
 public:
  OurLock(const std::string& file, bool wait_queue) : lock_path_(file + ".lock") {
    options_.wait_queue = wait_queue;
  }

  Status Acquire() override {
    auto lock = protocol::DirLock::Acquire(protocol::Env::Default(), lock_path_, options_);
    if (!lock.ok()) return lock.status();
    held_ = std::move(lock).value();
    return Status::Ok();
  }

  Status Release() override {
    Status s = held_->Release();
    held_.reset();
    return s;
  }

 private:
  std::string lock_path_;
  protocol::LockOptions options_;
  std::unique_ptr<protocol::DirLock> held_;
};

// The seed's acquireLock()/releaseLock(), constants included.
class SeedLock final : public LockStrategy {
 public:
  static constexpr int64_t kStaleMs = 10000;
  static constexpr int kRetryMs = 100;
  static constexpr int kMaxRetries = 50;

  explicit SeedLock(const std::string& file)
      : lock_dir_(file + ".lock"), owner_(lock_dir_ + "/owner"), pid_(std::to_string(::getpid())) {}

  Status Acquire() override {
    for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
      if (::mkdir(lock_dir_.c_str(), 0777) == 0) return WriteWholeFile(owner_, pid_, 0600);
      if (errno != EEXIST) return Status::IoError("mkdir", lock_dir_, errno);
      struct stat st;
      if (::stat(lock_dir_.c_str(), &st) != 0) continue;  // released meanwhile: retry now
      int64_t mtime_ms = int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
      if (RealtimeMs() - mtime_ms > kStaleMs) {
        ::unlink(owner_.c_str());
        ::rmdir(lock_dir_.c_str());
        continue;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kRetryMs));
    }
    return Status::LockTimeout(lock_dir_, "seed recipe: 50 attempts x 100 ms exhausted");
  }

  Status Release() override {
    ::unlink(owner_.c_str());
    if (::rmdir(lock_dir_.c_str()) != 0 && errno != ENOENT)
      return Status::IoError("rmdir", lock_dir_, errno);
    return Status::Ok();
  }

 private:
  std::string lock_dir_;
  std::string owner_;
  std::string pid_;
};

// flock(2) or an OFD lock on a lock file opened for each acquisition, as a
// one-shot command-line tool would.
class FileDescriptorLock final : public LockStrategy {
 public:
  FileDescriptorLock(const std::string& path, bool ofd) : path_(path), ofd_(ofd) {}

  Status Acquire() override {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return Status::IoError("open", path_, errno);
    int r;
    do {
      r = ofd_ ? LockOfd() : ::flock(fd_, LOCK_EX);
    } while (r != 0 && errno == EINTR);
    if (r != 0) {
      int err = errno;
      ::close(fd_);
      fd_ = -1;
      return Status::IoError(ofd_ ? "fcntl(F_OFD_SETLKW)" : "flock", path_, err);
    }
    return Status::Ok();
  }

  Status Release() override {
    // Closing the only descriptor of the open file description drops both
    // kinds of lock.
    int r = ::close(fd_);
    fd_ = -1;
    if (r != 0) return Status::IoError("close", path_, errno);
    return Status::Ok();
  }

 private:
  int LockOfd() {
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    return ::fcntl(fd_, F_OFD_SETLKW, &fl);
  }

  std::string path_;
  bool ofd_;
  int fd_ = -1;
};

class ExclusiveFileLock final : public LockStrategy {
 public:
  static constexpr auto kRetrySleep = std::chrono::milliseconds(1);

  explicit ExclusiveFileLock(const std::string& file)
      : path_(file + ".excl"), pid_(std::to_string(::getpid())) {}

  Status Acquire() override {
    for (;;) {
      int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0) {
        ssize_t n = ::write(fd, pid_.data(), pid_.size());
        int err = errno;
        ::close(fd);
        if (n != static_cast<ssize_t>(pid_.size())) {
          ::unlink(path_.c_str());
          return Status::IoError("write", path_, n < 0 ? err : EIO);
        }
        return Status::Ok();
      }
      if (errno != EEXIST) return Status::IoError("open(O_EXCL)", path_, errno);
      std::this_thread::sleep_for(kRetrySleep);
    }
  }

  Status Release() override {
    if (::unlink(path_.c_str()) != 0) return Status::IoError("unlink", path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  std::string pid_;
};

class NoLock final : public LockStrategy {
 public:
  Status Acquire() override { return Status::Ok(); }
  Status Release() override { return Status::Ok(); }
};

}  // namespace

const std::vector<LockKind>& AllLockKinds() {
  static const std::vector<LockKind> kinds = {LockKind::kOurs, LockKind::kSeed, LockKind::kFlock,
                                              LockKind::kOfd, LockKind::kExcl};
  return kinds;
}

const char* LockKindName(LockKind kind) {
  switch (kind) {
    case LockKind::kOurs: return "ours";
    case LockKind::kOursQueue: return "ours-queue";
    case LockKind::kSeed: return "seed";
    case LockKind::kFlock: return "flock";
    case LockKind::kOfd: return "ofd";
    case LockKind::kExcl: return "excl";
    case LockKind::kNone: return "none";
  }
  return "?";
}

std::optional<LockKind> ParseLockKind(std::string_view name) {
  for (LockKind kind : AllLockKinds()) {
    if (name == LockKindName(kind)) return kind;
  }
  for (LockKind kind : {LockKind::kOursQueue, LockKind::kNone}) {
    if (name == LockKindName(kind)) return kind;
  }
  return std::nullopt;
}

std::unique_ptr<LockStrategy> MakeLockStrategy(LockKind kind, const std::string& file) {
  switch (kind) {
    case LockKind::kOurs: return std::make_unique<OurLock>(file, /*wait_queue=*/false);
    case LockKind::kOursQueue: return std::make_unique<OurLock>(file, /*wait_queue=*/true);
    case LockKind::kSeed: return std::make_unique<SeedLock>(file);
    case LockKind::kFlock:
      return std::make_unique<FileDescriptorLock>(file + ".flock", /*ofd=*/false);
    case LockKind::kOfd: return std::make_unique<FileDescriptorLock>(file + ".ofd", /*ofd=*/true);
    case LockKind::kExcl: return std::make_unique<ExclusiveFileLock>(file);
    case LockKind::kNone: return std::make_unique<NoLock>();
  }
  return nullptr;
}

}  // namespace lockharness::bench
