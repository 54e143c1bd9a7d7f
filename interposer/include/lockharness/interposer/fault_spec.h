// fault_spec.h: the fault language of the preload library.
//
// Failure points are named `lh/<call>/<class>`, e.g. `lh/rename/registry`,
// where <call> is a CallFamily name (every libc entry point of a family
// shares its points: rename, renameat and renameat2 all use lh/rename/...)
// and <class> a PathClass name (path_class.h). For two-path calls (rename,
// link) the class is that of the destination.
//
// LOCKHARNESS_FAULTS holds specs separated by ';':
//   <point>=<action>[,<modifier>]...
//   action:   errno:<NAME|number>  fail the call with that errno
//             short[:<bytes>]      write at most <bytes> (default: half)
//             delay:<ms>           sleep, then perform the call
//             kill                 raise SIGKILL before the call
//             stop                 raise SIGSTOP before the call
//   modifier: once                 fire once, then disarm (or move on to
//                                  the next spec for the same point)
//             every:<N>            fire on every Nth call only
//             prob:<P>             fire with probability 0 < P <= 1
// A point may appear several times only if every spec but the last is
// `once`: the specs then fire in order ("EIO once, then kill").
//
// libfiu carries the action: failnum (EncodeFailnum) selects the kind and
// the modifiers the wrapper implements itself; failinfo is the integer
// parameter (errno, byte count, milliseconds). The same encoding is what a
// remote `fiu-ctrl -c "enable name=...,failnum=...,failinfo=..."` sends.
//
// Usage:
//   FaultList list;
//   ParseError err;
//   if (!ParseFaultList(getenv("LOCKHARNESS_FAULTS"), &list, &err)) {
//     fprintf(stderr, "%s\n", err.message); _exit(125);
//   }

#ifndef LOCKHARNESS_INTERPOSER_FAULT_SPEC_H_
#define LOCKHARNESS_INTERPOSER_FAULT_SPEC_H_

#include <cstdint>
#include <string_view>

#include "lockharness/interposer/path_class.h"

namespace lockharness::interposer {

enum class CallFamily : uint8_t {
  kOpen = 0,   // open, open64, openat, openat64, creat, creat64, __open*_2
  kWrite,      // write, pwrite, pwrite64, writev, pwritev, pwritev64
  kFsync,      // fsync
  kFdatasync,  // fdatasync
  kRename,     // rename, renameat, renameat2
  kMkdir,      // mkdir, mkdirat
  kRmdir,      // rmdir, unlinkat(..., AT_REMOVEDIR)
  kUnlink,     // unlink, unlinkat
  kLink,       // link, linkat
  kClose,      // close
  kLock,       // flock, fcntl(F_SETLK/F_SETLKW/F_OFD_SETLK/F_OFD_SETLKW), lockf
};
inline constexpr int kCallFamilyCount = 11;

const char* CallFamilyName(CallFamily f);
bool ParseCallFamily(std::string_view name, CallFamily* out);

// Writes "lh/<family>/<class>" into out (>= kPointNameSize bytes).
inline constexpr size_t kPointNameSize = 48;
void FormatPointName(CallFamily f, PathClass c, char* out);

enum class ActionKind : uint8_t {
  kNone = 0,
  kErrno = 1,
  kShortWrite = 2,
  kDelay = 3,
  kKill = 4,
  kStop = 5,
};
const char* ActionKindName(ActionKind k);  // "errno", "short", ...

// failnum layout (always > 0):
//   bits  0..7   ActionKind
//   bits  8..19  every N (0 or 1: every call)
//   bit   20     advance: after firing, disarm the point, or arm the spec
//                whose index (+1) is in bits 21..27
//   bits 21..27  next spec index + 1 (0: none)
struct DecodedFailnum {
  ActionKind kind = ActionKind::kNone;
  uint32_t every = 0;
  bool advance = false;
  int next_spec = -1;  // index into the FaultList, -1 if none
};
inline constexpr uint32_t kMaxEvery = 4095;
int EncodeFailnum(ActionKind kind, uint32_t every, bool advance, int next_spec);
DecodedFailnum DecodeFailnum(int failnum);

struct FaultSpec {
  char point[kPointNameSize] = {};
  ActionKind kind = ActionKind::kNone;
  int param = 0;  // errno, max bytes (0 = half) or milliseconds
  bool once = false;
  uint32_t every = 0;      // 0: every call
  float probability = -1;  // < 0: always
  int next_spec = -1;      // set by ParseFaultList for `once` chains
  bool chained = false;    // armed only when its predecessor fires
};

inline constexpr int kMaxFaultSpecs = 64;
struct FaultList {
  FaultSpec specs[kMaxFaultSpecs];
  int count = 0;
};

struct ParseError {
  char message[512] = {};
};

// Parses a whole LOCKHARNESS_FAULTS value (nullptr or empty: no faults).
// On success fills *out, links `once` chains and returns true. On failure
// returns false with a message naming the offending spec in *error.
bool ParseFaultList(const char* text, FaultList* out, ParseError* error);

// True if `point` is a name the wrappers consult: lh/<family>/<class> with
// class != other, or a libfiu wildcard lh/*, lh/<family>/*.
bool IsValidPointPattern(std::string_view point);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_FAULT_SPEC_H_
