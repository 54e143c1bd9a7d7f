// The POSIX implementation of Env. Thin: each method is one system call (or a
// retry loop around one), translated to a Status that names the step.

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>

#include "lockharness/protocol/env.h"

namespace lockharness::protocol {

bool FileStat::IsDir() const { return S_ISDIR(mode); }
bool FileStat::IsRegular() const { return S_ISREG(mode); }
bool FileStat::IsSymlink() const { return S_ISLNK(mode); }

namespace {

int64_t ToNs(const struct timespec& ts) { return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec; }

FileStat FromStat(const struct stat& st) {
  FileStat out;
  out.dev = st.st_dev;
  out.ino = st.st_ino;
  out.mode = st.st_mode;
  out.size = st.st_size;
  out.ctime_ns = ToNs(st.st_ctim);
  out.mtime_ns = ToNs(st.st_mtim);
  return out;
}

std::string Join(const std::string& dir, const std::string& name) { return dir + "/" + name; }

// `regular`: the descriptor is a regular file, for which a read shorter than
// asked for means end of file, so the usual read that returns 0 is skipped
// (one system call less for each lock record read).
StatusOr<std::string> ReadAllFromFd(int fd, size_t max_bytes, const std::string& path, bool regular = false) {
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("read", path, errno);
    }
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > max_bytes) return Status::IoError("read", path, EFBIG);
    out.append(buf, static_cast<size_t>(n));
    if (regular && static_cast<size_t>(n) < sizeof buf) return out;
  }
}

StatusOr<std::vector<std::string>> ListOpenDir(DIR* d, const std::string& path) {
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
    errno = 0;
  }
  int err = errno;
  if (err != 0) return Status::IoError("readdir", path, err);
  return names;
}

// Inotify instances kept for reuse. Closing an inotify descriptor that has a
// watch waits for an SRCU grace period in the kernel (fsnotify group
// teardown): 10-30 ms on a loaded machine. A waiter that closed its watcher
// when it got the lock paid that inside the lock, on every contended
// acquisition (docs/performance.md, "The ext4 collapse"). So a watcher's
// descriptor goes back here instead, and the next wait on the same directory
// (in the same process) takes it. Entries are per process: after fork the
// child shares the parent's open file description and must not read its
// events. Inherited entries and entries beyond kMaxPooled are closed only when
// a new watch is made, which happens while waiting, never while holding.
class WatchPool {
 public:
  struct Entry {
    pid_t pid;
    std::string dir;
    dev_t dev;  // the directory the watch was added to: a path removed and
    ino_t ino;  // made again, or renamed over, is another directory
    int fd;
  };

  // A pooled descriptor watching `dir` for this process, drained of old
  // events, or -1.
  // `st` is what `dir` names now (filled even when nothing is pooled).
  int Take(const std::string& dir, struct stat* st, bool* exists) {
    const pid_t self = ::getpid();
    *exists = ::stat(dir.c_str(), st) == 0;
    std::vector<int> to_close;
    int found = -1;
    {
      std::lock_guard<std::mutex> guard(mu_);
      for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->pid != self) {
          to_close.push_back(it->fd);  // inherited across fork: not ours to read
          it = entries_.erase(it);
        } else if (it->dir == dir) {
          if (found < 0 && *exists && it->dev == st->st_dev && it->ino == st->st_ino) {
            found = it->fd;
          } else {
            to_close.push_back(it->fd);  // watches a directory no longer at that path
          }
          it = entries_.erase(it);
        } else {
          ++it;
        }
      }
      while (entries_.size() > kMaxPooled) {
        to_close.push_back(entries_.front().fd);
        entries_.erase(entries_.begin());
      }
    }
    if (found >= 0 && !DrainIsStillWatching(found)) {
      to_close.push_back(found);
      found = -1;
    }
    for (int fd : to_close) ::close(fd);
    return found;
  }

  void Put(const std::string& dir, dev_t dev, ino_t ino, int fd) {
    std::lock_guard<std::mutex> guard(mu_);
    entries_.push_back(Entry{::getpid(), dir, dev, ino, fd});
  }

  // Reads and discards every queued event (events of earlier waits or of our
  // own releases). The caller re-checks the lock after this, so a release
  // that happened before it is seen by that check, one after it by the watch.
  // False if the watch is gone (IN_IGNORED: the directory was removed; a
  // new one at the path may even have its inode number).
  static bool DrainIsStillWatching(int fd) {
    alignas(struct inotify_event) char buf[4096];
    bool watching = true;
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return watching;
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<struct inotify_event*>(p);
        if (ev->mask & IN_IGNORED) watching = false;
        p += sizeof(struct inotify_event) + ev->len;
      }
    }
  }

 private:
  static constexpr size_t kMaxPooled = 4;
  std::mutex mu_;
  std::vector<Entry> entries_;
};

WatchPool& Pool() {
  static WatchPool* pool = new WatchPool();  // never destroyed: used until exit
  return *pool;
}

// Wakes when an entry with a given name is deleted or moved out of a
// directory. Events for other names (temp files) are drained and ignored.
class InotifyWatcher : public DirWatcher {
 public:
  InotifyWatcher(int fd, std::string dir, dev_t dev, ino_t ino, std::string name)
      : fd_(fd), dir_(std::move(dir)), dev_(dev), ino_(ino), name_(std::move(name)) {}
  // Back to the pool, not closed (see WatchPool), unless the watch is gone.
  ~InotifyWatcher() override {
    if (watching_) {
      Pool().Put(dir_, dev_, ino_, fd_);
    } else {
      ::close(fd_);
    }
  }

  void Wait(std::chrono::nanoseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      // Round up so a sub-millisecond timeout still sleeps a little.
      int ms = left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count() + 1, INT_MAX));
      struct pollfd p = {fd_, POLLIN, 0};
      int r = ::poll(&p, 1, ms);
      if (r <= 0) return;  // timeout or error: the caller re-checks anyway
      if (DrainAndMatch()) return;
      if (ms == 0) return;
    }
  }

 private:
  bool DrainAndMatch() {
    alignas(struct inotify_event) char buf[4096];
    bool matched = false;
    for (;;) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      // EAGAIN: drained. Any other end: wake the caller to be safe.
      if (n <= 0) return matched || !(n < 0 && errno == EAGAIN);
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<struct inotify_event*>(p);
        if ((ev->mask & IN_Q_OVERFLOW) || (ev->len > 0 && name_ == ev->name)) matched = true;
        if (ev->mask & IN_IGNORED) watching_ = false;
        p += sizeof(struct inotify_event) + ev->len;
      }
    }
  }

  int fd_;
  std::string dir_;
  dev_t dev_;
  ino_t ino_;
  std::string name_;
  bool watching_ = true;
};

// The flock queue (env.h WaitQueue). The blocking flock runs on a detached
// thread of its own, started only when the non-blocking attempt finds the file
// locked; the waiter waits on a condition variable with its own timeout.
// The state is shared because a withdrawn request's thread outlives the
// queue object: when its flock is granted after all, it closes the
// descriptor, which drops the lock.
class FlockWaitQueue final : public WaitQueue {
 public:
  explicit FlockWaitQueue(int fd) : state_(std::make_shared<State>()) { state_->fd = fd; }

  ~FlockWaitQueue() override {
    std::unique_lock<std::mutex> guard(state_->mu);
    if (state_->requested && !state_->answered) {
      state_->withdrawn = true;  // the flock thread closes the descriptor
      return;
    }
    ::close(state_->fd);
  }

  bool WaitForTurn(std::chrono::nanoseconds timeout) override {
    std::unique_lock<std::mutex> guard(state_->mu);
    if (state_->answered) return true;
    if (!state_->requested) {
      int r;
      do {
        r = ::flock(state_->fd, LOCK_EX | LOCK_NB);
      } while (r != 0 && errno == EINTR);
      if (r == 0 || errno != EWOULDBLOCK) {
        state_->answered = true;  // our turn, or a failed queue: go on without it
        return true;
      }
      try {
        std::thread(BlockInFlock, state_).detach();
      } catch (const std::system_error&) {
        state_->answered = true;  // no thread: wait without the queue
        return true;
      }
      state_->requested = true;
    }
    return state_->cv.wait_for(guard, timeout, [this] { return state_->answered; });
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int fd = -1;
    bool requested = false;  // the flock thread runs
    bool answered = false;   // granted, or flock failed
    bool withdrawn = false;  // the queue object is gone
  };

  static void BlockInFlock(std::shared_ptr<State> state) {
    int r;
    do {
      r = ::flock(state->fd, LOCK_EX);
    } while (r != 0 && errno == EINTR);
    std::lock_guard<std::mutex> guard(state->mu);
    if (state->withdrawn) {
      ::close(state->fd);
      return;
    }
    state->answered = true;
    state->cv.notify_all();
  }

  std::shared_ptr<State> state_;
};

class PosixEnv final : public Env {
 public:
  StatusOr<int> CreateExclusive(const std::string& path, mode_t mode) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return Status::IoError("create", path, errno);
    return fd;
  }

  StatusOr<int> OpenForOverwrite(const std::string& path, mode_t mode) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return Status::IoError("open", path, errno);
    return fd;
  }

  Status WriteAll(int fd, std::string_view data, const std::string& path) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError("write", path, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  Status SyncFile(int fd, const std::string& path) override {
    if (::fsync(fd) != 0) return Status::IoError("fsync", path, errno);
    return Status::Ok();
  }

  Status CloseFile(int fd, const std::string& path) override {
    // Linux always releases the descriptor, even when close reports an error.
    if (::close(fd) != 0 && errno != EINTR) return Status::IoError("close", path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::IoError("open-dir", dir, errno);
    int r = ::fsync(fd);
    int err = errno;
    ::close(fd);
    // Some file systems cannot fsync a directory; that is not a failure of ours.
    if (r != 0 && err != EINVAL && err != ENOTSUP) return Status::IoError("fsync-dir", dir, err);
    return Status::Ok();
  }

  StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Status::IoError("open", path, errno);
    auto out = ReadAllFromFd(fd, max_bytes, path);
    ::close(fd);
    return out;
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::IoError("rename", from + " -> " + to, errno);
    return Status::Ok();
  }

  Status RenameNoReplace(const std::string& from, const std::string& to) override {
    if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
      return Status::IoError("rename-noreplace", from + " -> " + to, errno);
    }
    return Status::Ok();
  }

  Status Unlink(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::IoError("unlink", path, errno);
    return Status::Ok();
  }

  Status MakeDir(const std::string& path, mode_t mode) override {
    if (::mkdir(path.c_str(), mode) != 0) return Status::IoError("mkdir", path, errno);
    return Status::Ok();
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return Status::IoError("rmdir", path, errno);
    return Status::Ok();
  }

  StatusOr<FileStat> StatNoFollow(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return Status::IoError("lstat", path, errno);
    return FromStat(st);
  }

  StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return Status::IoError("opendir", dir, errno);
    auto names = ListOpenDir(d, dir);
    ::closedir(d);
    return names;
  }

  StatusOr<int> OpenDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Status::IoError("open-dir", path, errno);
    return fd;
  }

  StatusOr<FileStat> StatFd(int fd, const std::string& path) override {
    struct stat st;
    if (::fstat(fd, &st) != 0) return Status::IoError("fstat", path, errno);
    return FromStat(st);
  }

  StatusOr<int> CreateExclusiveAt(int dirfd, const std::string& name, mode_t mode,
                                  const std::string& display_path) override {
    int fd = ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return Status::IoError("create", Join(display_path, name), errno);
    return fd;
  }

  StatusOr<std::string> ReadFileAt(int dirfd, const std::string& name, size_t max_bytes,
                                   const std::string& display_path) override {
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return Status::IoError("open", Join(display_path, name), errno);
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::IoError("open", Join(display_path, name), EINVAL);  // a fifo or device is no record
    }
    auto out = ReadAllFromFd(fd, max_bytes, Join(display_path, name), /*regular=*/true);
    ::close(fd);
    return out;
  }

  Status RenameAt(int dirfd, const std::string& from, const std::string& to, const std::string& display_path) override {
    if (::renameat(dirfd, from.c_str(), dirfd, to.c_str()) != 0) {
      return Status::IoError("rename", Join(display_path, from) + " -> " + to, errno);
    }
    return Status::Ok();
  }

  Status UnlinkAt(int dirfd, const std::string& name, const std::string& display_path) override {
    if (::unlinkat(dirfd, name.c_str(), 0) == 0) return Status::Ok();
    if (errno == EISDIR && ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) == 0) return Status::Ok();
    return Status::IoError("unlink", Join(display_path, name), errno);
  }

  StatusOr<std::vector<std::string>> ListDirFd(int dirfd, const std::string& display_path) override {
    int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return Status::IoError("dup", display_path, errno);
    DIR* d = ::fdopendir(dup);
    if (!d) {
      int err = errno;
      ::close(dup);
      return Status::IoError("fdopendir", display_path, err);
    }
    ::rewinddir(d);
    auto names = ListOpenDir(d, display_path);
    ::closedir(d);
    return names;
  }

  Status CloseDir(int dirfd) override {
    ::close(dirfd);
    return Status::Ok();
  }

  std::unique_ptr<DirWatcher> WatchDir(const std::string& dir, const std::string& name) override {
    struct stat st;
    bool exists = false;
    if (int fd = Pool().Take(dir, &st, &exists); fd >= 0) {
      return std::make_unique<InotifyWatcher>(fd, dir, st.st_dev, st.st_ino, name);
    }
    if (!exists) return nullptr;
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return nullptr;
    // Only IN_DELETE: a release removes the lock with rmdir. Watching
    // IN_MOVED_FROM too would wake every waiter at every write (the temp
    // file's rename); a lock moved to quarantine is seen by the poll.
    if (::inotify_add_watch(fd, dir.c_str(), IN_DELETE) < 0) {
      ::close(fd);
      return nullptr;
    }
    return std::make_unique<InotifyWatcher>(fd, dir, st.st_dev, st.st_ino, name);
  }

  StatusOr<std::unique_ptr<WaitQueue>> JoinWaitQueue(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IoError("open wait queue", path, errno);
    return std::unique_ptr<WaitQueue>(new FlockWaitQueue(fd));
  }

  Liveness ProbeProcess(pid_t pid) override {
    if (pid <= 0) return Liveness::kDead;
    if (::kill(pid, 0) == 0 || errno == EPERM) return Liveness::kAlive;
    return Liveness::kDead;
  }

  std::optional<ProcessIdentity> IdentityOf(pid_t pid) override {
    // Our own identity is read at every acquisition; it changes only with
    // the pid (after fork), so keep it.
    thread_local std::optional<ProcessIdentity> self;
    thread_local pid_t proc_checked_for = 0;
    thread_local bool proc_is_ours = false;
    if (pid != ::getpid()) {
      // With a /proc of another PID namespace, /proc/<pid> is some other
      // process than the one our PID names: say nothing rather than lie.
      if (proc_checked_for != ::getpid()) {
        proc_is_ours = ProcMatchesOwnPidNamespace();
        proc_checked_for = ::getpid();
      }
      return proc_is_ours ? ReadProcessIdentity(pid) : std::nullopt;
    }
    if (!self || self->pid != pid) self = ReadSelfIdentity();
    return self;
  }

  Status TouchFd(int fd, const std::string& path) override {
    if (::futimens(fd, nullptr) != 0) return Status::IoError("touch", path, errno);
    return Status::Ok();
  }

  pid_t SelfPid() override { return ::getpid(); }

  int64_t NowRealtimeNs() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return ToNs(ts);
  }

  int64_t NowMonotonicNs() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ToNs(ts);
  }

  void SleepFor(std::chrono::nanoseconds d) override { std::this_thread::sleep_for(d); }

  uint64_t Random64() override {
    // Seeded per process (and re-seeded after fork, since the pid changes) so
    // temp and quarantine names differ across processes.
    thread_local pid_t seeded_for = 0;
    thread_local std::mt19937_64 rng;
    pid_t pid = ::getpid();
    if (seeded_for != pid) {
      std::random_device rd;
      rng.seed((uint64_t{rd()} << 32) ^ rd() ^ static_cast<uint64_t>(pid) ^ static_cast<uint64_t>(NowMonotonicNs()));
      seeded_for = pid;
    }
    return rng();
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

}  // namespace lockharness::protocol
