// path_util.h (private): splitting paths and making unique sibling names.
#ifndef LOCKHARNESS_PROTOCOL_SRC_PATH_UTIL_H_
#define LOCKHARNESS_PROTOCOL_SRC_PATH_UTIL_H_

#include <charconv>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

#include "lockharness/protocol/env.h"

namespace lockharness::protocol {

inline std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

inline std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

inline std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// "<prefix>.<pid>.<random hex>": unique per process and per call.
inline std::string UniqueName(Env* env, const std::string& prefix) {
  return prefix + "." + std::to_string(env->SelfPid()) + "." + Hex64(env->Random64());
}

// True if `name` is "<prefix><pid>" or "<prefix><pid>.<anything>" with a
// positive pid; sets *pid. The shape of our temp and quarantine names.
inline bool ParsePidAfterPrefix(const std::string& name, const std::string& prefix, pid_t* pid) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
  const char* begin = name.data() + prefix.size();
  const char* end = name.data() + name.size();
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || (ptr != end && *ptr != '.')) return false;
  if (value <= 0 || value > INT32_MAX) return false;
  *pid = static_cast<pid_t>(value);
  return true;
}

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_SRC_PATH_UTIL_H_
