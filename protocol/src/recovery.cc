#include "lockharness/protocol/recovery.h"

#include "lockharness/protocol/atomic_write.h"
#include "lockharness/protocol/dir_lock.h"
#include "path_util.h"

namespace lockharness::protocol {
namespace {

// "<base>.lock.quarantine.<pid>.<hex>" -> pid
bool ParseQuarantineName(const std::string& base, const std::string& name, pid_t* pid) {
  return ParsePidAfterPrefix(name, base + ".lock.quarantine.", pid);
}

}  // namespace

StatusOr<SweepResult> SweepLeftovers(Env* env, const std::string& registry_path) {
  const std::string dir = DirName(registry_path);
  const std::string base = BaseName(registry_path);
  auto names = env->ListDir(dir);
  if (!names.ok()) return names.status();
  SweepResult result;
  for (const auto& name : *names) {
    pid_t pid = 0;
    const std::string path = dir + "/" + name;
    Status s;
    if (ParseTempName(base, name, &pid)) {
      if (pid == env->SelfPid() || env->ProbeProcess(pid) != Liveness::kDead) continue;
      s = env->Unlink(path);
    } else if (ParseQuarantineName(base, name, &pid)) {
      if (pid == env->SelfPid() || env->ProbeProcess(pid) != Liveness::kDead) continue;
      s = RemoveLockDirectory(env, path);
    } else {
      continue;
    }
    if (s.ok() || s.IsNotFound()) {
      result.removed.push_back(name);
    } else {
      result.failed.push_back(name);
    }
  }
  return result;
}

}  // namespace lockharness::protocol
