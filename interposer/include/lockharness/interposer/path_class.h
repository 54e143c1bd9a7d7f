// path_class.h: sorts file system paths into the classes the lock-and-rename
// protocol touches, so that a fault can be aimed at the protocol's files and
// never at the runtime's own files.
//
// Given the registry file R = /dir/sandboxes.json:
//   registry    R itself
//   temp        R.tmp*            (the per-writer temp files, same directory)
//   lock        R.lock            (the lock directory or lock file itself)
//   owner       R.lock/<anything> (owner record, owner.tmp.*, ...)
//   quarantine  R.lock.*          (siblings such as R.lock.stale.<pid>)
// (R.lock is the default lock path; SetLockPath() names another one in the
// same directory, and the three lock classes then follow it.)
//   dir         /dir              (e.g. opened for the directory fsync)
//   sibling     any other file directly in /dir (e.g. a library's own temp
//               name R.<hash>, a backup): not part of the protocol's
//               layout, but on the registry's directory, so traced and
//               crash-recorded
//   other       everything else
//
// Usage:
//   lockharness::interposer::RegistryPaths reg;
//   if (!reg.Init("/abs/dir/sandboxes.json")) { ...not absolute... }
//   char buf[lockharness::interposer::kPathBufferSize];
//   const char* abs = lockharness::interposer::AbsolutePath(AT_FDCWD, p, buf);
//   PathClass c = reg.Classify(abs);
//
// Everything here is allocation-free and async-signal-safe apart from
// RegistryPaths::Init (which may call realpath), so the preload wrappers can
// use it on every call.

#ifndef LOCKHARNESS_INTERPOSER_PATH_CLASS_H_
#define LOCKHARNESS_INTERPOSER_PATH_CLASS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lockharness::interposer {

enum class PathClass : uint8_t {
  kOther = 0,
  kRegistry,
  kTemp,
  kLock,
  kOwner,
  kQuarantine,
  kDir,
  kSibling,
};
inline constexpr int kPathClassCount = 8;

// "registry", "temp", ..., "other".
const char* PathClassName(PathClass c);

// Parses a class name. Returns false (and leaves *out alone) if unknown.
bool ParsePathClass(std::string_view name, PathClass* out);

// Size of the buffers the functions below write into (PATH_MAX).
inline constexpr size_t kPathBufferSize = 4096;

// Rewrites the absolute path `in` into `out` lexically: collapses "//",
// drops "." components, resolves ".." against the preceding component and
// strips a trailing slash (except for "/"). Symlinks are not followed.
// Returns false if `in` is not absolute or the result does not fit.
// REQUIRES: out has room for out_size bytes; out may equal in.
bool NormalizeAbsolutePath(const char* in, char* out, size_t out_size);

// Makes `path` absolute and normalised in `out` (kPathBufferSize bytes):
// absolute paths are only normalised; relative ones are resolved against
// the current directory (dirfd == AT_FDCWD) or against the directory that
// dirfd refers to (read from /proc/self/fd/<dirfd>, never cached).
// Returns `out` on success, nullptr if the base cannot be determined or the
// result does not fit. Async-signal-safe.
const char* AbsolutePath(int dirfd, const char* path, char* out);

// The registry file and the names derived from it.
class RegistryPaths {
 public:
  // Remembers `registry_path` (normalised) and, if its directory's real path
  // differs (symlinks), that spelling too, so both match. Returns false if
  // the path is not absolute, has no file name or is too long.
  bool Init(const char* registry_path);

  bool configured() const { return configured_; }

  // Makes `lock_path` (normalised) the lock path instead of R.lock: the
  // classes lock, owner and quarantine are then taken from it. Returns
  // false (and changes nothing) unless it is an absolute path directly in
  // the registry's directory, other than the registry itself.
  // REQUIRES: configured().
  bool SetLockPath(const char* lock_path);

  // Classifies a normalised absolute path. kOther if not configured.
  PathClass Classify(const char* abs_path) const;

 private:
  PathClass ClassifyAgainst(std::string_view path, std::string_view registry,
                            std::string_view dir) const;

  bool configured_ = false;
  char registry_[kPathBufferSize] = {};
  size_t registry_len_ = 0;
  size_t dir_len_ = 0;  // registry_[0, dir_len_) is the directory
  char real_registry_[kPathBufferSize] = {};
  size_t real_registry_len_ = 0;  // 0 if same as registry_
  size_t real_dir_len_ = 0;
  // File name of the lock path inside the registry's directory; empty:
  // the registry's name + ".lock".
  char lock_name_[kPathBufferSize] = {};
  size_t lock_name_len_ = 0;
};

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_PATH_CLASS_H_
