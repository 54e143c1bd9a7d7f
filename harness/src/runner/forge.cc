// Forged start state (see forge.h).

#include "src/runner/forge.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/runner/lock_convention.h"
#include "src/runner/holder.h"

namespace lockharness::harness::runner {
namespace {

namespace fs = std::filesystem;

bool WriteBytes(const fs::path& path, const std::string& bytes, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) {
    *error = "cannot write " + path.string();
    return false;
  }
  return true;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string BootId() {
  std::string id = ReadText("/proc/sys/kernel/random/boot_id");
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

// Field 22 of /proc/<pid>/stat: the process's start time in clock ticks.
uint64_t StartTicks(pid_t pid) {
  const std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return 0;
}

std::string Identity(pid_t pid, const std::string& boot_id, uint64_t start_ticks) {
  char token[17];
  std::snprintf(token, sizeof token, "%016" PRIx64,
                static_cast<uint64_t>(std::random_device{}()) * UINT64_C(0x9e3779b97f4a7c15));
  return "pid=" + std::to_string(pid) + "\nboot_id=" + boot_id +
         "\nstart_ticks=" + std::to_string(start_ticks) + "\ntoken=" + token + "\n";
}

void Backdate(const fs::path& path, int64_t age_ms) {
  if (age_ms <= 0) return;
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = now.tv_sec - age_ms / 1000;
  times[0].tv_nsec = times[1].tv_nsec = now.tv_nsec;
  ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

// Starts `argv` in its own process group, for a PID to put in a record.
std::optional<Child> Start(const std::vector<std::string>& argv, const fs::path& cwd,
                           uint64_t run_id, std::string* error) {
  SpawnOptions spawn;
  spawn.argv = argv;
  spawn.cwd = cwd;
  spawn.run_id = run_id;
  spawn.pipe_stdout = false;
  return Child::Spawn(spawn, error);
}

// A PID that named a process a moment ago and names none now.
std::optional<pid_t> DeadPid(const fs::path& cwd, uint64_t run_id, std::string* error) {
  std::optional<Child> child = Start({"/bin/true"}, cwd, run_id, error);
  if (!child) return std::nullopt;
  const pid_t pid = child->pid();
  child->Wait(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  return pid;
}

class Forger {
 public:
  Forger(RunContext* context, ForgedState* forged) : context_(context), forged_(forged) {}

  bool Apply(const SetupSpec& step, std::string* error) {
    switch (step.kind) {
      case SetupKind::kDeadOwnerLock: return DeadOwner(step, error);
      case SetupKind::kRecycledPidLock: return LiveOwner(step, /*other_boot=*/false, error);
      case SetupKind::kOtherBootLock: return LiveOwner(step, /*other_boot=*/true, error);
      case SetupKind::kEmptyOwnerLock: return BadOwner(step, "", "empty owner record", error);
      case SetupKind::kGarbledOwnerLock:
        return BadOwner(step, "pid: twelve\n\x01\xff", "garbled owner record", error);
      case SetupKind::kOversizedOwnerLock:
        return BadOwner(step, std::string(65536, '7'), "owner record of 64 KiB", error);
      case SetupKind::kSymlinkedOwnerLock: return SymlinkedOwner(step, error);
      case SetupKind::kOwnerlessLock: return Ownerless(step, error);
      case SetupKind::kStaleTempFiles: return StaleTemps(step, error);
      case SetupKind::kCorruptRegistry: return CorruptRegistry(step, error);
    }
    return true;
  }

 private:
  // The run's lock path ({registry}.lock unless --lock-path names another).
  fs::path Lock() const {
    return context_->lock_path.empty() ? LockDirOf(context_->registry) : context_->lock_path;
  }

  // The convention the forged lock takes: the implementation's if declared,
  // else the protocol's (a mkdir directory).
  LockConvention Convention() const {
    const std::string& declared = context_->options->lock_convention;
    return ParseLockConvention(declared).value_or(LockConvention::kMkdir);
  }

  // A lock file at the lock path, as an O_EXCL or link() lock leaves it:
  // the holder's PID in decimal and a newline (lockfile(1), liblockfile and
  // filelock write that or nothing).
  bool MakeLockFile(const std::string& bytes, std::string* error) {
    const int fd = ::open(Lock().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      *error = "cannot create forged lock file " + Lock().string() + ": " + std::strerror(errno) +
               (errno == EEXIST ? " (two lock-forging steps?)" : "");
      return false;
    }
    const bool written =
        ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::close(fd);
    if (!written) *error = "cannot write forged lock file " + Lock().string();
    return written;
  }

  bool MakeLock(std::string* error) {
    std::error_code ec;
    if (!fs::create_directory(Lock(), ec)) {
      *error = "cannot create forged lock " + Lock().string() +
               (ec ? ": " + ec.message() : ": it exists (two lock-forging steps?)");
      return false;
    }
    return true;
  }

  void Record(const SetupSpec& step, const std::string& fault, pid_t pid, const std::string& what) {
    const std::string kind(SetupKindName(step.kind));
    context_->recorder->Record(FaultEvent(*context_, pid, -1, fault, kind, kind + ": " + what));
  }

  bool DeadOwner(const SetupSpec& step, std::string* error) {
    const auto pid = DeadPid(context_->run_dir, context_->run_id, error);
    if (!pid) return false;
    if (Convention() != LockConvention::kMkdir) {
      // O_EXCL and link() locks: the lock is a file holding the PID.
      if (!MakeLockFile(std::to_string(*pid) + "\n", error)) return false;
      Backdate(Lock(), step.age_ms);
      Record(step, "forged-lock", *pid,
             "lock file left by a dead holder (holds pid " + std::to_string(*pid) +
                 ", which has exited)");
      return true;
    }
    if (!MakeLock(error)) return false;
    if (!WriteBytes(Lock() / "owner", std::to_string(*pid), error)) return false;
    if (!WriteBytes(Lock() / "owner.identity", Identity(*pid, BootId(), 1), error)) return false;
    BackdateAll(step);
    Record(step, "forged-lock", *pid,
           "lock left by a dead holder (pid " + std::to_string(*pid) + " has exited)");
    return true;
  }

  // A lock whose PID runs but is not the process that took the lock: the
  // identity beside it names another start time, or another boot.
  bool LiveOwner(const SetupSpec& step, bool other_boot, std::string* error) {
    std::optional<Child> imposter =
        Start({"/bin/sleep", "100000"}, context_->run_dir, context_->run_id, error);
    if (!imposter) return false;
    const pid_t pid = imposter->pid();
    forged_->keep_alive.push_back(std::move(*imposter));
    if (!MakeLock(error)) return false;
    const std::string boot = other_boot ? "00000000-0000-4000-8000-000000000000" : BootId();
    const uint64_t ticks = other_boot ? StartTicks(pid) : StartTicks(pid) + 100000;
    if (!WriteBytes(Lock() / "owner", std::to_string(pid), error)) return false;
    if (!WriteBytes(Lock() / "owner.identity", Identity(pid, boot, ticks), error)) return false;
    BackdateAll(step);
    Record(step, "forged-lock", pid,
           std::string("lock of a dead holder whose pid ") + std::to_string(pid) +
               " now names an unrelated live process" +
               (other_boot ? " (record from another boot)" : " (other start time)"));
    return true;
  }

  bool BadOwner(const SetupSpec& step, const std::string& bytes, const std::string& what,
                std::string* error) {
    if (!MakeLock(error) || !WriteBytes(Lock() / "owner", bytes, error)) return false;
    BackdateAll(step);
    Record(step, "forged-lock", 0, "lock with an " + what + " and no live owner");
    return true;
  }

  bool SymlinkedOwner(const SetupSpec& step, std::string* error) {
    const auto pid = DeadPid(context_->run_dir, context_->run_id, error);
    if (!pid || !MakeLock(error)) return false;
    const fs::path target = context_->run_dir / run_files::kSetupDir / "owner-symlink-target";
    if (!WriteBytes(target, std::to_string(*pid), error)) return false;
    std::error_code ec;
    fs::create_symlink(target, Lock() / "owner", ec);
    if (ec) {
      *error = "cannot create symlinked owner record: " + ec.message();
      return false;
    }
    BackdateAll(step);
    Record(step, "forged-lock", 0, "lock whose owner record is a symlink");
    return true;
  }

  bool Ownerless(const SetupSpec& step, std::string* error) {
    if (!MakeLock(error)) return false;
    BackdateAll(step);
    Record(step, "forged-lock", 0, "lock directory without an owner record");
    return true;
  }

  bool StaleTemps(const SetupSpec& step, std::string* error) {
    for (int i = 0; i < step.count; ++i) {
      const auto pid = DeadPid(context_->run_dir, context_->run_id, error);
      if (!pid) return false;
      char suffix[24];
      std::snprintf(suffix, sizeof suffix, ".%016" PRIx64,
                    static_cast<uint64_t>(i + 1) * UINT64_C(0x9e3779b97f4a7c15));
      const fs::path temp = context_->registry.string() + ".tmp." + std::to_string(*pid) + suffix;
      if (!WriteBytes(temp, "{\"sandboxes\": {\"half-writ", error)) return false;
      Backdate(temp, step.age_ms);
      Record(
          step, "stale-temp", *pid,
          "temp file " + temp.filename().string() + " of dead writer pid " + std::to_string(*pid));
    }
    return true;
  }

  bool CorruptRegistry(const SetupSpec& step, std::string* error) {
    const std::string bytes =
        "{\"sandboxes\": {\"precious\": {\"name\": \"precious\", \"model\": \"keep-me\"}, "
        "\"trunc";
    if (!WriteBytes(context_->registry, bytes, error)) return false;
    const fs::path copy =
        context_->run_dir / run_files::kSetupDir / run_files::kForgedCorruptRegistry;
    if (!WriteBytes(copy, bytes, error)) return false;
    forged_->corrupt_registry = bytes;
    Record(step, "corrupt-registry", 0, "registry file replaced by truncated JSON before the run");
    return true;
  }

  void BackdateAll(const SetupSpec& step) {
    Backdate(Lock() / "owner", step.age_ms);
    Backdate(Lock() / "owner.identity", step.age_ms);
    Backdate(Lock(), step.age_ms);
  }

  RunContext* context_;
  ForgedState* forged_;
};

}  // namespace

bool ForgeSetup(const std::vector<SetupSpec>& steps, RunContext* context, ForgedState* forged,
                std::string* error) {
  if (steps.empty()) return true;
  std::error_code ec;
  fs::create_directories(context->run_dir / run_files::kSetupDir, ec);
  if (ec) {
    *error =
        "cannot create " + (context->run_dir / run_files::kSetupDir).string() + ": " + ec.message();
    return false;
  }
  Forger forger(context, forged);
  for (const SetupSpec& step : steps) {
    std::string why;
    if (!forger.Apply(step, &why)) {
      *error = "setup step " + std::string(SetupKindName(step.kind)) + ": " + why;
      return false;
    }
  }
  return true;
}

}  // namespace lockharness::harness::runner
