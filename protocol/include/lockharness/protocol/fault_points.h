// fault_points.h: the named libfiu fault points at every protocol step.
//
// When the library is built with LOCKHARNESS_FAULT_POINTS (a CMake option, ON
// in tests), each step below calls libfiu's fiu_fail(name). Enable a point
// with fiu_enable(name, failnum, failinfo, flags):
//   failnum = kFaultFail  -> the step fails with errno = (intptr_t)failinfo,
//                            and the Status is marked injected();
//   failnum = kFaultCrash -> the process sends itself SIGKILL at that step
//                            (a "crash point": no destructor, no cleanup).
// lockreg also enables points from the environment (see ApplyFaultSpec).
// Without the option the points compile to nothing.

#ifndef LOCKHARNESS_PROTOCOL_FAULT_POINTS_H_
#define LOCKHARNESS_PROTOCOL_FAULT_POINTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "lockharness/protocol/status.h"

namespace lockharness::protocol {

inline constexpr int kFaultFail = 1;
inline constexpr int kFaultCrash = 2;

namespace fault_point {
inline constexpr const char kAfterMkdir[] = "lockreg/lock/after_mkdir";
inline constexpr const char kAfterOwnerPublish[] = "lockreg/lock/after_owner_publish";
inline constexpr const char kBeforeBreak[] = "lockreg/lock/before_break";
inline constexpr const char kBeforeTempWrite[] = "lockreg/write/before_temp_write";
inline constexpr const char kAfterTempWrite[] = "lockreg/write/after_temp_write";
inline constexpr const char kBeforeFsync[] = "lockreg/write/before_fsync";
inline constexpr const char kAfterFsync[] = "lockreg/write/after_fsync";
inline constexpr const char kBeforeRename[] = "lockreg/write/before_rename";
inline constexpr const char kAfterRename[] = "lockreg/write/after_rename";
inline constexpr const char kBeforeDirFsync[] = "lockreg/write/before_dir_fsync";
inline constexpr const char kBeforeRelease[] = "lockreg/lock/before_release";
}  // namespace fault_point

// Every point above, in protocol order.
const std::vector<std::string>& AllFaultPoints();

// True when the library was compiled with fault points.
bool FaultPointsCompiledIn();

// Evaluates fault point `name` for the step acting on `path`. Returns OK
// when the point is not enabled; an injected IoError when it fails; never
// returns when it is a crash point.
Status FaultPoint(const char* name, const std::string& path);

// Enables points from a spec such as
//   "lockreg/write/before_rename=EIO,lockreg/lock/after_mkdir=crash"
// Each item is NAME=ERRNO_NAME|ERRNO_NUMBER|crash, optionally followed by
// ":once" (fail only the first time). Errno names are those of
// lockharness/errno_names.h, the interposer's too. Unknown point names, errno names or
// syntax are an InvalidArgument naming the item; nothing is enabled then.
Status ApplyFaultSpec(std::string_view spec);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_FAULT_POINTS_H_
