#include "lockharness/bench/write_methods.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "lockharness/protocol/atomic_write.h"
#include "lockharness/protocol/env.h"

namespace lockharness::bench {
namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Unique among live processes: the pid, plus a per-process sequence number.
std::string TempNameFor(const std::string& path) {
  static uint64_t sequence = 0;
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++sequence);
}

Status WriteAllTo(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("write", path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status WriteInPlace(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open", path, errno);
  Status s = WriteAllTo(fd, data, path);
  if (::close(fd) != 0 && s.ok()) s = Status::IoError("close", path, errno);
  return s;
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("open-dir", dir, errno);
  Status s;
  if (::fsync(fd) != 0) s = Status::IoError("fsync-dir", dir, errno);
  ::close(fd);
  return s;
}

Status WriteViaTemp(const std::string& path, std::string_view data, bool sync_file, bool sync_dir) {
  const std::string tmp = TempNameFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("create-temp", tmp, errno);
  Status s = WriteAllTo(fd, data, tmp);
  if (s.ok() && sync_file && ::fsync(fd) != 0) s = Status::IoError("fsync", tmp, errno);
  if (::close(fd) != 0 && s.ok()) s = Status::IoError("close", tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = Status::IoError("rename", tmp, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return sync_dir ? SyncDirectory(DirOf(path)) : Status::Ok();
}

}  // namespace

const std::vector<WriteMethod>& AllWriteMethods() {
  static const std::vector<WriteMethod> methods = {
      WriteMethod::kInPlace, WriteMethod::kTempRename, WriteMethod::kTempFsyncRename,
      WriteMethod::kTempFsyncRenameDirSync, WriteMethod::kProtocol};
  return methods;
}

const char* WriteMethodName(WriteMethod method) {
  switch (method) {
    case WriteMethod::kInPlace: return "in_place";
    case WriteMethod::kTempRename: return "temp_rename";
    case WriteMethod::kTempFsyncRename: return "temp_fsync_rename";
    case WriteMethod::kTempFsyncRenameDirSync: return "temp_fsync_rename_dirsync";
    case WriteMethod::kProtocol: return "protocol";
  }
  return "?";
}

Status WriteWithMethod(WriteMethod method, const std::string& path, std::string_view data) {
  switch (method) {
    case WriteMethod::kInPlace: return WriteInPlace(path, data);
    case WriteMethod::kTempRename:
      return WriteViaTemp(path, data, /*sync_file=*/false, /*sync_dir=*/false);
    case WriteMethod::kTempFsyncRename:
      return WriteViaTemp(path, data, /*sync_file=*/true, /*sync_dir=*/false);
    case WriteMethod::kTempFsyncRenameDirSync: return WriteViaTemp(path, data, true, true);
    case WriteMethod::kProtocol:
      return protocol::WriteFileAtomically(protocol::Env::Default(), path, data);
  }
  return Status::InvalidArgument("unknown write method");
}

}  // namespace lockharness::bench
