// Writing into and handing over a run directory (see safe_files.h).

#include "lockharness/harness/runner/safe_files.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lockharness::harness::runner {
namespace {

std::string CannotWrite(const std::filesystem::path& path, int err) {
  return "cannot write " + path.string() + ": " + std::strerror(err);
}

// nftw's callback has no context argument.
thread_local uid_t g_uid;
thread_local gid_t g_gid;
thread_local std::string* g_error;

int Give(const char* path, const struct stat* st, int, struct FTW*) {
  if (st->st_uid == g_uid && st->st_gid == g_gid) return 0;
  if (::lchown(path, g_uid, g_gid) != 0) {
    *g_error = std::string("cannot hand ") + path + " over: " + std::strerror(errno);
    return 1;
  }
  return 0;
}

}  // namespace

bool WriteFileNoFollow(const std::filesystem::path& path, std::string_view contents,
                       std::string* error) {
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0 && errno == ELOOP) {
    // A symlink where our file belongs: remove the link, never its target.
    if (::unlink(path.c_str()) != 0) {
      *error = CannotWrite(path, errno);
      return false;
    }
    fd = ::open(path.c_str(), flags | O_EXCL, 0644);
  }
  if (fd < 0) {
    *error = CannotWrite(path, errno);
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *error = CannotWrite(path, errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    *error = "cannot write " + path.string() + ": not a regular file";
    return false;
  }
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      *error = CannotWrite(path, err);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  // close() is where some file systems report a full disk.
  if (::close(fd) != 0) {
    *error = CannotWrite(path, errno);
    return false;
  }
  return true;
}

bool HandOverToDirectoryOwner(const std::filesystem::path& dir, std::string* error) {
  if (::geteuid() != 0) return true;
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return true;
  // A directory the harness created (owned by root) goes to the owner of the
  // nearest ancestor that is not root's: whoever asked for it in their tree.
  std::filesystem::path at = std::filesystem::absolute(dir);
  while (st.st_uid == 0 && at.has_relative_path()) {
    at = at.parent_path();
    if (::stat(at.c_str(), &st) != 0) return true;
  }
  if (st.st_uid == 0) return true;
  g_uid = st.st_uid;
  g_gid = st.st_gid;
  g_error = error;
  return ::nftw(dir.c_str(), Give, 32, FTW_PHYS | FTW_MOUNT) == 0;
}

}  // namespace lockharness::harness::runner
