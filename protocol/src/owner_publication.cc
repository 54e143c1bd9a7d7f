// Owner publication (docs/protocol.md P2.2): the identity file, then the
// bare-PID owner file by rename; and the seed's in-place write that the
// owner-nonatomic mutant keeps.

#include "dir_lock_internal.h"
#include "lockharness/protocol/owner_record.h"
#include "path_util.h"

namespace lockharness::protocol::internal {
namespace {

// Writes `data` into a new file `name` inside `dirfd`, exclusively.
Status WriteNewFileAt(Env* env, int dirfd, const std::string& name, const std::string& data, const std::string& dir) {
  auto fd = env->CreateExclusiveAt(dirfd, name, 0644, dir);
  if (!fd.ok()) return fd.status();
  Status s = env->WriteAll(*fd, data, dir + "/" + name);
  Status c = env->CloseFile(*fd, dir + "/" + name);
  return s.ok() ? c : s;
}

// Our identity record, with a fresh token.
OwnerIdentity MakeIdentity(Env* env) {
  pid_t pid = env->SelfPid();
  OwnerIdentity id;
  id.token = env->Random64();
  if (auto self = env->IdentityOf(pid)) {
    id.process = *self;
  } else {
    id.process.pid = pid;
  }
  return id;
}

// Publishes identity then owner (P2). Returns the token.
StatusOr<uint64_t> PublishOwner(Env* env, int dirfd, const std::string& dir) {
  pid_t pid = env->SelfPid();
  OwnerIdentity id = MakeIdentity(env);
  if (!id.process.boot_id.empty()) {
    Status s = WriteNewFileAt(env, dirfd, kIdentityFile, FormatIdentity(id), dir);
    if (!s.ok()) return s;
  }
  std::string tmp = UniqueName(env, std::string(kOwnerFile) + ".tmp");
  Status s = WriteNewFileAt(env, dirfd, tmp, FormatOwnerPid(pid), dir);
  if (s.ok()) s = env->RenameAt(dirfd, tmp, kOwnerFile, dir);
  if (!s.ok()) {
    (void)env->UnlinkAt(dirfd, tmp, dir);
    return s;
  }
  return id.token;
}

// The owner-nonatomic mutant's publication, the seed's: open `owner` by path
// with O_TRUNC and write the PID into it, so between the open and the write
// a waiter reads an empty record. The identity follows, best effort (a
// writer that bolted it on later would not fail its lock over it).
StatusOr<uint64_t> PublishOwnerInPlace(Env* env, int dirfd, const std::string& dir) {
  const std::string owner = dir + "/" + kOwnerFile;
  auto fd = env->OpenForOverwrite(owner, 0644);
  if (!fd.ok()) return fd.status();
  Status s = env->WriteAll(*fd, FormatOwnerPid(env->SelfPid()), owner);
  Status c = env->CloseFile(*fd, owner);
  if (!s.ok()) return s;
  if (!c.ok()) return c;
  OwnerIdentity id = MakeIdentity(env);
  if (!id.process.boot_id.empty()) (void)WriteNewFileAt(env, dirfd, kIdentityFile, FormatIdentity(id), dir);
  return id.token;
}

}  // namespace

StatusOr<uint64_t> Publish(Env* env, int dirfd, const std::string& dir, Mutant mutant) {
  return PublishesOwnerAtomically(mutant) ? PublishOwner(env, dirfd, dir) : PublishOwnerInPlace(env, dirfd, dir);
}

}  // namespace lockharness::protocol::internal
