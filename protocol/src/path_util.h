// path_util.h (private): splitting paths and making unique sibling names.
#ifndef LOCKHARNESS_PROTOCOL_SRC_PATH_UTIL_H_
#define LOCKHARNESS_PROTOCOL_SRC_PATH_UTIL_H_

#include <cinttypes>
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

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_SRC_PATH_UTIL_H_
