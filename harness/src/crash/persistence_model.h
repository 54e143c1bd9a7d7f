// persistence_model.h: the crash states a persistence model permits after a
// recorded call sequence (docs/crash-consistency.md has each model's rules
// and their sources).
//
//   posix         nothing is durable until fsynced; a directory entry only
//                 after an fsync of its directory; unsynced writes may be
//                 lost, reordered or torn at 512-byte sectors, and appended
//                 bytes may read back as zeros.
//   ext4-ordered  metadata operations persist as a prefix in program order
//                 (any fsync commits the journal: everything before it);
//                 a file's data persists as a prefix of its writes; the data
//                 of a file renamed over an existing name is flushed before
//                 that rename commits (auto_da_alloc).
//   prefix        a prefix of the call sequence, each call whole.
//
// Usage:
//   std::string error;
//   auto program = CrashProgram::Lower(start, record.calls, "sandboxes.json", &error);
//   if (!program) { ...unknown: error names the call... }
//   std::mt19937_64 rng(seed);
//   for (int k = 0; k < program->call_count(); ++k)
//     for (CrashState& s : program->StatesAt(k, PersistenceModel::kPosix, 64, rng)) ...

#ifndef LOCKHARNESS_HARNESS_SRC_CRASH_PERSISTENCE_MODEL_H_
#define LOCKHARNESS_HARNESS_SRC_CRASH_PERSISTENCE_MODEL_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "src/crash/crash_record.h"

namespace lockharness::harness::crash {

enum class PersistenceModel { kPosix, kExt4Ordered, kPrefix };

inline constexpr PersistenceModel kModels[] = {
    PersistenceModel::kPosix, PersistenceModel::kExt4Ordered, PersistenceModel::kPrefix};
std::string_view ModelName(PersistenceModel model);  // "posix", ...
std::optional<PersistenceModel> ParseModel(std::string_view name);
std::vector<std::string> ModelNames();  // of kModels, in order

// The registry directory before the run (all of it durable).
struct StartEntry {
  std::string path;  // relative to the directory
  bool is_dir = false;
  std::string data;  // files
  uint64_t ino = 0;  // files: the inode number, to match writes
};
using StartState = std::vector<StartEntry>;

// Reads `dir` recursively. nullopt with *error if unreadable.
std::optional<StartState> SnapshotDirectory(const std::filesystem::path& dir, std::string* error);

// A directory's contents after a crash: relative path -> bytes, or nullopt
// for a directory. Entries whose parent directory did not persist are not
// in it.
struct CrashImage {
  std::map<std::string, std::optional<std::string>> entries;
  uint64_t Hash() const;
  bool operator==(const CrashImage& other) const { return entries == other.entries; }
  // Creates the entries under `dir` (which must exist and be empty).
  bool Materialize(const std::filesystem::path& dir, std::string* error) const;
};

struct CrashState {
  int crash_after = -1;  // index of the last call that happened
  CrashImage image;
  std::string description;  // which calls persisted, were dropped or torn
};

class CrashProgram {
 public:
  // Lowers the calls to the models' data, directory-entry and sync
  // operations by replaying them on `start`. Fails (nullopt, *error naming
  // the call) on a call the models cannot place: a write to a file the
  // record never saw, a rename between two directories.
  static std::optional<CrashProgram> Lower(const StartState& start,
                                           const std::vector<CrashCall>& calls,
                                           const std::string& registry_name, std::string* error);

  int call_count() const { return static_cast<int>(calls_.size()); }
  const std::vector<CrashCall>& calls() const { return calls_; }

  // Every content the registry name held between two calls (and at the
  // start) in the real run: the documents that were written whole.
  const std::unordered_set<std::string>& registry_contents() const { return registry_contents_; }

  // The state with every call 0..crash_after whole (what the running kernel
  // showed).
  CrashState Complete(int crash_after) const;

  // The states `model` permits after call `crash_after`, deduplicated by
  // content: all of them if there are at most `budget` ways to choose,
  // else `budget` seeded random choices plus the two extremes (everything
  // unsynced persisted, nothing unsynced persisted).
  // REQUIRES: 0 <= crash_after < call_count(), budget >= 1.
  std::vector<CrashState> StatesAt(int crash_after, PersistenceModel model, int64_t budget,
                                   std::mt19937_64& rng) const;

  // One lowered operation. `call` is the index of the call it came from.
  struct Op {
    enum class Type : uint8_t { kData, kEntry, kSync };
    enum class Entry : uint8_t { kSetName, kMove, kRemoveName, kMakeDir, kRemoveDir };
    Type type = Type::kData;
    int call = -1;
    // kData: a write of `data` at `offset`, or a truncate to `length`.
    int inode = -1;
    bool truncate = false;
    int64_t offset = 0;
    std::string data;
    int64_t length = 0;
    bool extends = false;  // the write grew the file (in the real run)
    int sectors = 1;       // 512-byte sectors the write touches
    // kEntry: in directory `dir`, `name` gets `inode` (-1 for a directory
    // moved by kMove), or `from` moves to `name`, or `name` goes away.
    Entry entry = Entry::kSetName;
    std::string dir;
    std::string name;
    std::string from;
    bool replaces_existing = false;  // kMove onto a name that existed
    // kSync: of directory `dir` (sync_dir) or of file `inode`.
    bool sync_dir = false;
  };
  enum class Fate : uint8_t { kWhole, kDrop, kZeros, kTorn };
  struct Choice {
    Fate fate = Fate::kWhole;
    int torn_sectors = 0;  // kTorn: the first N sectors persisted
  };

 private:
  CrashState Build(int crash_after, const std::vector<Choice>& fates) const;
  // The choices each op has under posix (empty: forced whole).
  std::vector<std::vector<Choice>> PosixChoices(int crash_after) const;
  std::vector<CrashState> Ext4States(int crash_after, int64_t budget, std::mt19937_64& rng) const;
  int OpCount(int crash_after) const;  // ops of calls 0..crash_after

  std::vector<CrashCall> calls_;
  std::vector<Op> ops_;
  std::string registry_name_;
  std::map<std::string, int> start_names_;  // -1: directory
  std::vector<std::string> start_data_;     // by inode id
  int inode_count_ = 0;
  std::unordered_set<std::string> registry_contents_;
};

}  // namespace lockharness::harness::crash

#endif  // LOCKHARNESS_HARNESS_SRC_CRASH_PERSISTENCE_MODEL_H_
