// errno_names.h: symbolic errno names ("EIO") and back: the one table behind
// lockreg's fault points (LOCKREG_FAULT_POINTS) and the interposer's fault
// specs and trace lines, so both accept the same names. Table-driven,
// allocation-free and async-signal-safe; depends on nothing but libc.
//
// Usage:
//   int e;
//   if (lockharness::ParseErrnoName("ENOSPC", &e)) ...
//   const char* name = lockharness::ErrnoName(EIO);  // "EIO"

#ifndef LOCKHARNESS_ERRNO_NAMES_H_
#define LOCKHARNESS_ERRNO_NAMES_H_

#include <span>
#include <string_view>

namespace lockharness {

struct ErrnoEntry {
  const char* name;  // "EIO"
  int value;         // EIO
};

// Every name the table knows, each once.
std::span<const ErrnoEntry> KnownErrnos();

// Returns the symbolic name of `value`, or nullptr if it is not one the
// table knows (callers then print the number).
const char* ErrnoName(int value);

// Accepts a symbolic name ("EIO", case-sensitive) or a positive decimal
// number of at most four digits. Returns false and leaves *value alone if
// neither.
bool ParseErrnoName(std::string_view name, int* value);

}  // namespace lockharness

#endif  // LOCKHARNESS_ERRNO_NAMES_H_
