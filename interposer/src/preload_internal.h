// preload_internal.h (private): what preload.cc offers the other wrapper
// files of the preload library (lock_calls.cc), so that they share its
// fault decisions, trace and re-entrancy guard without reaching into its
// internals.

#ifndef LOCKHARNESS_INTERPOSER_SRC_PRELOAD_INTERNAL_H_
#define LOCKHARNESS_INTERPOSER_SRC_PRELOAD_INTERNAL_H_

#include "lockharness/interposer/fault_spec.h"
#include "lockharness/interposer/trace_line.h"

namespace lockharness::interposer::internal {

// dlsym(RTLD_NEXT, name) with the wrappers switched off meanwhile.
void* ResolveNextSymbol(const char* name);

// Runs one call on descriptor `fd` through the library: if the library is
// active and fd names a protocol path, consults lh/<family>/<class>,
// performs the call with perform(context) unless a fault replaces it,
// traces it (with `lock`, if not null) and returns its result with errno
// as the caller must see it. Otherwise just returns perform(context).
long long InterceptFdCall(const char* call, CallFamily family, int fd,
                          const LockDetail* lock,
                          long long (*perform)(void* context), void* context);

}  // namespace lockharness::interposer::internal

#endif  // LOCKHARNESS_INTERPOSER_SRC_PRELOAD_INTERNAL_H_
