#include "lockharness/errno_names.h"

#include <errno.h>

namespace lockharness {
namespace {

#define LH_ERRNO(e) \
  { #e, e }
// The errors a file system call can plausibly return, plus a few that
// callers treat specially (EINTR, EAGAIN). Order does not matter.
constexpr ErrnoEntry kErrnos[] = {
    LH_ERRNO(EPERM),     LH_ERRNO(ENOENT),       LH_ERRNO(ESRCH),
    LH_ERRNO(EINTR),     LH_ERRNO(EIO),          LH_ERRNO(ENXIO),
    LH_ERRNO(E2BIG),     LH_ERRNO(EBADF),        LH_ERRNO(EAGAIN),
    LH_ERRNO(ENOMEM),    LH_ERRNO(EACCES),       LH_ERRNO(EFAULT),
    LH_ERRNO(EBUSY),     LH_ERRNO(EEXIST),       LH_ERRNO(EXDEV),
    LH_ERRNO(ENODEV),    LH_ERRNO(ENOTDIR),      LH_ERRNO(EISDIR),
    LH_ERRNO(EINVAL),    LH_ERRNO(ENFILE),       LH_ERRNO(EMFILE),
    LH_ERRNO(ETXTBSY),   LH_ERRNO(EFBIG),        LH_ERRNO(ENOSPC),
    LH_ERRNO(ESPIPE),    LH_ERRNO(EROFS),        LH_ERRNO(EMLINK),
    LH_ERRNO(EPIPE),     LH_ERRNO(ENAMETOOLONG), LH_ERRNO(ENOSYS),
    LH_ERRNO(ENOTEMPTY), LH_ERRNO(ELOOP),        LH_ERRNO(ENOTSUP),
    LH_ERRNO(EOVERFLOW), LH_ERRNO(ESTALE),       LH_ERRNO(EDQUOT),
    LH_ERRNO(ETIMEDOUT), LH_ERRNO(ECANCELED),    LH_ERRNO(EOWNERDEAD),
};
#undef LH_ERRNO

}  // namespace

std::span<const ErrnoEntry> KnownErrnos() { return kErrnos; }

const char* ErrnoName(int value) {
  for (const ErrnoEntry& entry : kErrnos) {
    if (entry.value == value) return entry.name;
  }
  return nullptr;
}

bool ParseErrnoName(std::string_view name, int* value) {
  for (const ErrnoEntry& entry : kErrnos) {
    if (name == entry.name) {
      *value = entry.value;
      return true;
    }
  }
  if (name.empty() || name.size() > 4) return false;
  int number = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  if (number <= 0) return false;
  *value = number;
  return true;
}

}  // namespace lockharness
