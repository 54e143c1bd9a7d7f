// Path classification for the preload library. No allocation, no locks:
// this runs inside every wrapped call that names a path.

#include "lockharness/interposer/path_class.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace lockharness::interposer {
namespace {

constexpr std::string_view kClassNames[kPathClassCount] = {
    "other", "registry",   "temp", "lock",
    "owner", "quarantine", "dir",  "sibling"};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// `path` names an entry directly in directory `dir` ("/" included).
bool DirectlyIn(std::string_view path, std::string_view dir) {
  const size_t name_at = dir.size() == 1 ? 1 : dir.size() + 1;
  if (path.size() <= name_at || !StartsWith(path, dir)) return false;
  if (dir.size() != 1 && path[dir.size()] != '/') return false;
  return path.substr(name_at).find('/') == std::string_view::npos;
}

// Writes the decimal form of a non-negative int; returns chars written.
size_t FormatUnsigned(unsigned value, char* out) {
  char tmp[16];
  size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return n;
}

// Reads the path a directory descriptor refers to into out.
bool DirectoryOfFd(int dirfd, char* out, size_t out_size) {
  if (dirfd == AT_FDCWD) return getcwd(out, out_size) != nullptr;
  if (dirfd < 0) return false;
  char link[32] = "/proc/self/fd/";
  size_t n = strlen(link);
  n += FormatUnsigned(static_cast<unsigned>(dirfd), link + n);
  link[n] = '\0';
  ssize_t len = readlink(link, out, out_size - 1);
  if (len <= 0 || out[0] != '/') return false;  // e.g. "socket:[...]"
  out[len] = '\0';
  return true;
}

// A path of none of the protocol's classes: a sibling in the registry's
// directory, or other.
PathClass Elsewhere(std::string_view path, std::string_view dir) {
  return DirectlyIn(path, dir) ? PathClass::kSibling : PathClass::kOther;
}

}  // namespace

const char* PathClassName(PathClass c) {
  auto index = static_cast<size_t>(c);
  return index < kPathClassCount ? kClassNames[index].data() : "other";
}

bool ParsePathClass(std::string_view name, PathClass* out) {
  for (int i = 0; i < kPathClassCount; ++i) {
    if (kClassNames[i] == name) {
      *out = static_cast<PathClass>(i);
      return true;
    }
  }
  return false;
}

bool NormalizeAbsolutePath(const char* in, char* out, size_t out_size) {
  if (in == nullptr || in[0] != '/' || out_size < 2) return false;
  // Work component by component; `len` is the length of the output so far,
  // which always starts with '/' and never ends with '/' unless it is "/".
  // Writing never overtakes reading, so in == out is fine.
  size_t len = 1;
  size_t i = 0;
  const size_t in_len = strlen(in);
  out[0] = '/';
  while (i < in_len) {
    while (i < in_len && in[i] == '/') ++i;
    size_t start = i;
    while (i < in_len && in[i] != '/') ++i;
    size_t comp_len = i - start;
    if (comp_len == 0 || (comp_len == 1 && in[start] == '.')) continue;
    if (comp_len == 2 && in[start] == '.' && in[start + 1] == '.') {
      while (len > 1 && out[len - 1] != '/') --len;
      if (len > 1) --len;  // drop the separating slash
      continue;
    }
    size_t needed = (len > 1 ? 1 : 0) + comp_len;
    if (len + needed + 1 > out_size) return false;
    if (len > 1) out[len++] = '/';
    memmove(out + len, in + start, comp_len);
    len += comp_len;
  }
  out[len] = '\0';
  return true;
}

const char* AbsolutePath(int dirfd, const char* path, char* out) {
  if (path == nullptr) return nullptr;
  if (path[0] == '/') {
    return NormalizeAbsolutePath(path, out, kPathBufferSize) ? out : nullptr;
  }
  if (!DirectoryOfFd(dirfd, out, kPathBufferSize)) return nullptr;
  size_t base_len = strlen(out);
  size_t path_len = strlen(path);
  if (base_len + 1 + path_len + 1 > kPathBufferSize) return nullptr;
  out[base_len] = '/';
  memcpy(out + base_len + 1, path, path_len + 1);
  return NormalizeAbsolutePath(out, out, kPathBufferSize) ? out : nullptr;
}

bool RegistryPaths::Init(const char* registry_path) {
  configured_ = false;
  lock_name_len_ = 0;
  if (!NormalizeAbsolutePath(registry_path, registry_, sizeof(registry_))) {
    return false;
  }
  registry_len_ = strlen(registry_);
  const char* slash = strrchr(registry_, '/');
  if (slash == nullptr || slash[1] == '\0') return false;
  dir_len_ = slash == registry_ ? 1 : static_cast<size_t>(slash - registry_);

  // The directory may be reached through a symlink (e.g. a temp dir); the
  // wrappers see cwd-relative paths in their physical spelling, so accept
  // that spelling too. realpath allocates nothing when given a buffer.
  real_registry_len_ = 0;
  char dir[kPathBufferSize];
  memcpy(dir, registry_, dir_len_);
  dir[dir_len_] = '\0';
  char real_dir[PATH_MAX];
  if (realpath(dir, real_dir) != nullptr && strcmp(real_dir, dir) != 0) {
    size_t rd = strlen(real_dir);
    size_t base = registry_len_ - (static_cast<size_t>(slash - registry_) + 1);
    if (rd + 1 + base + 1 <= sizeof(real_registry_)) {
      memcpy(real_registry_, real_dir, rd);
      size_t pos = rd;
      if (rd > 1) real_registry_[pos++] = '/';
      memcpy(real_registry_ + pos, slash + 1, base + 1);
      real_registry_len_ = pos + base;
      real_dir_len_ = rd;
    }
  }
  configured_ = true;
  return true;
}

bool RegistryPaths::SetLockPath(const char* lock_path) {
  char normal[kPathBufferSize];
  if (!configured_ ||
      !NormalizeAbsolutePath(lock_path, normal, sizeof(normal))) {
    return false;
  }
  const std::string_view path(normal);
  const std::string_view dir(registry_, dir_len_);
  const size_t name_at = dir_len_ == 1 ? 1 : dir_len_ + 1;
  if (path.size() <= name_at || !StartsWith(path, dir) ||
      (dir_len_ > 1 && path[dir_len_] != '/') ||
      path.find('/', name_at) != std::string_view::npos ||
      path == std::string_view(registry_, registry_len_)) {
    return false;
  }
  lock_name_len_ = path.size() - name_at;
  memcpy(lock_name_, normal + name_at, lock_name_len_ + 1);
  return true;
}

PathClass RegistryPaths::ClassifyAgainst(std::string_view path,
                                         std::string_view registry,
                                         std::string_view dir) const {
  if (path == registry) return PathClass::kRegistry;
  if (path == dir) return PathClass::kDir;
  if (lock_name_len_ != 0) {
    // A lock path of its own: the lock classes follow it, the registry's
    // temp files stay where they were.
    const size_t name_at = dir.size() == 1 ? 1 : dir.size() + 1;
    if (path.size() > name_at && StartsWith(path, dir) &&
        (dir.size() == 1 || path[dir.size()] == '/')) {
      std::string_view name = path.substr(name_at);
      std::string_view lock(lock_name_, lock_name_len_);
      if (name == lock) return PathClass::kLock;
      if (StartsWith(name, lock)) {
        std::string_view rest = name.substr(lock.size());
        if (rest[0] == '/') return PathClass::kOwner;
        if (rest[0] == '.') return PathClass::kQuarantine;
      }
    }
    if (!StartsWith(path, registry)) return Elsewhere(path, dir);
    std::string_view rest = path.substr(registry.size());
    if (StartsWith(rest, ".tmp") && rest.find('/') == std::string_view::npos) {
      return PathClass::kTemp;
    }
    return Elsewhere(path, dir);
  }
  if (!StartsWith(path, registry)) return Elsewhere(path, dir);
  std::string_view rest = path.substr(registry.size());
  if (rest == ".lock") return PathClass::kLock;
  if (StartsWith(rest, ".lock/")) return PathClass::kOwner;
  // A quarantined lock directory keeps its contents (the old owner record),
  // so everything under R.lock.* is quarantine too.
  if (StartsWith(rest, ".lock.")) return PathClass::kQuarantine;
  if (StartsWith(rest, ".tmp") && rest.find('/') == std::string_view::npos) {
    return PathClass::kTemp;
  }
  return Elsewhere(path, dir);
}

PathClass RegistryPaths::Classify(const char* abs_path) const {
  if (!configured_ || abs_path == nullptr) return PathClass::kOther;
  std::string_view path(abs_path);
  PathClass c =
      ClassifyAgainst(path, {registry_, registry_len_}, {registry_, dir_len_});
  if (c == PathClass::kOther && real_registry_len_ != 0) {
    c = ClassifyAgainst(path, {real_registry_, real_registry_len_},
                        {real_registry_, real_dir_len_});
  }
  return c;
}

}  // namespace lockharness::interposer
