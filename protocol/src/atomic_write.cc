#include "lockharness/protocol/atomic_write.h"

#include "lockharness/protocol/fault_points.h"
#include "path_util.h"

namespace lockharness::protocol {
namespace {

// The deliberately broken write of the direct-write mutant: truncate and write
// in place, in small pieces, so a concurrent reader sees partial JSON.
Status WriteInPlace(Env* env, const std::string& path, std::string_view data) {
  auto fd = env->OpenForOverwrite(path, 0600);
  if (!fd.ok()) return fd.status();
  Status s;
  constexpr size_t kPiece = 64;
  for (size_t off = 0; s.ok() && off < data.size(); off += kPiece) {
    s = env->WriteAll(*fd, data.substr(off, kPiece), path);
  }
  Status c = env->CloseFile(*fd, path);
  return s.ok() ? c : s;
}

// Creates the temp file. The shared-tmp mutant uses one name for everyone
// and opens it without O_EXCL, as a naive implementation would.
StatusOr<int> CreateTemp(Env* env, const std::string& tmp, Mutant mutant) {
  if (!CreatesUniqueTemp(mutant)) return env->OpenForOverwrite(tmp, 0600);
  return env->CreateExclusive(tmp, 0600);
}

Status WriteSyncClose(Env* env, int fd, const std::string& tmp, std::string_view data, Mutant mutant) {
  Status s = FaultPoint(fault_point::kBeforeTempWrite, tmp);
  if (s.ok()) s = env->WriteAll(fd, data, tmp);
  if (s.ok()) s = FaultPoint(fault_point::kAfterTempWrite, tmp);
  if (s.ok()) s = FaultPoint(fault_point::kBeforeFsync, tmp);
  if (s.ok() && Fsyncs(mutant)) s = env->SyncFile(fd, tmp);
  if (s.ok()) s = FaultPoint(fault_point::kAfterFsync, tmp);
  Status c = env->CloseFile(fd, tmp);
  return s.ok() ? c : s;
}

}  // namespace

Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data, Mutant mutant,
                           const std::function<Status()>& before_rename) {
  if (!WritesThroughTemp(mutant)) return WriteInPlace(env, path, data);

  const std::string tmp = CreatesUniqueTemp(mutant) ? UniqueName(env, path + ".tmp") : path + ".tmp";
  auto fd = CreateTemp(env, tmp, mutant);
  if (!fd.ok()) return fd.status();

  Status s = WriteSyncClose(env, *fd, tmp, data, mutant);
  if (s.ok()) s = FaultPoint(fault_point::kBeforeRename, path);
  if (s.ok() && before_rename) s = before_rename();
  if (s.ok()) s = env->Rename(tmp, path);
  if (!s.ok()) {
    // P5: a failed write leaves nothing behind (the no-tmp-cleanup mutant
    // forgets, as a writer that only cleans up on success would).
    if (CleansUpTemp(mutant)) (void)env->Unlink(tmp);
    return s;
  }
  s = FaultPoint(fault_point::kAfterRename, path);
  if (s.ok()) s = FaultPoint(fault_point::kBeforeDirFsync, path);
  if (s.ok() && FsyncsDir(mutant)) s = env->SyncDir(DirName(path));
  return s;
}

bool ParseTempName(const std::string& file_base, const std::string& name, pid_t* pid) {
  return ParsePidAfterPrefix(name, file_base + ".tmp.", pid);
}

}  // namespace lockharness::protocol
