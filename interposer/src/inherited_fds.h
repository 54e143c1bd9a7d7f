// inherited_fds.h (private): the descriptors a program image starts with.
//
// A descriptor inherited across exec was opened by an earlier image (a
// shell's `exec 9>>LOCK` before it runs `flock 9`), so no open wrapper of
// this image saw it and calls on it would go unclassified: flock(1)'s lock
// on the shell's descriptor was not traced at all. At start-up the library
// lists /proc/self/fd, records every descriptor that names a protocol path
// in the descriptor table, as an open would have, and traces one
// "inherited" line for each (trace_line.h), so trace readers know the
// process holds a copy of that open file description.
//
// Follows the library's rules: no heap, no stdio, no exceptions, raw
// system calls only, errno preserved.

#ifndef LOCKHARNESS_INTERPOSER_SRC_INHERITED_FDS_H_
#define LOCKHARNESS_INTERPOSER_SRC_INHERITED_FDS_H_

#include <cstddef>

#include "fd_table.h"
#include "lockharness/interposer/path_class.h"

namespace lockharness::interposer {

// Receives one complete trace line.
using TraceLineSink = void (*)(const char* line, size_t len);

// Records in `table` every open descriptor of this process (except
// `skip_fd`, e.g. the trace's own) that names a protocol path of
// `registry`, and hands one "inherited" line per such descriptor to `sink`
// (if not null), naming process `pid` (the trace's PID, trace_pid.h).
// Returns how many it found, or -1 if /proc/self/fd could not be read
// (nothing is recorded then).
// REQUIRES: registry.configured(); no other thread uses `table` yet (it
// runs in the library's constructor).
int RecordInheritedFds(const RegistryPaths& registry, FdTable* table,
                       int skip_fd, TraceLineSink sink, int pid);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_SRC_INHERITED_FDS_H_
