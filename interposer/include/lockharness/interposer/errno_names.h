// errno_names.h: symbolic errno names ("EIO") and back, for fault specs and
// trace lines. Table-driven, allocation-free and async-signal-safe.
//
// Usage:
//   int e;
//   if (lockharness::interposer::ParseErrnoName("ENOSPC", &e)) ...
//   const char* name = lockharness::interposer::ErrnoName(EIO);  // "EIO"

#ifndef LOCKHARNESS_INTERPOSER_ERRNO_NAMES_H_
#define LOCKHARNESS_INTERPOSER_ERRNO_NAMES_H_

#include <string_view>

namespace lockharness::interposer {

// Returns the symbolic name of `value`, or nullptr if it is not one the
// table knows (callers then print the number).
const char* ErrnoName(int value);

// Accepts a symbolic name ("EIO", case-sensitive) or a positive decimal
// number. Returns false and leaves *value alone if neither.
bool ParseErrnoName(std::string_view name, int* value);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_ERRNO_NAMES_H_
