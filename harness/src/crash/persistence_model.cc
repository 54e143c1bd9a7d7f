// Crash states of the persistence models (persistence_model.h).

#include "src/crash/persistence_model.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <unordered_map>

namespace lockharness::harness::crash {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kSaturated = int64_t{1} << 62;
constexpr int kSectorBytes = 512;
constexpr size_t kMaxDescribedOps = 24;

int64_t SaturatingMul(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  if (a > kSaturated / b) return kSaturated;
  return std::min(a * b, kSaturated);
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// The directory tree while ops are applied: name -> inode id (-1: a
// directory), and each inode's bytes.
struct Work {
  std::map<std::string, int> names;
  std::vector<std::string> data;

  void RemoveTree(const std::string& name) {
    names.erase(name);
    auto it = names.upper_bound(name);
    while (it != names.end()) {
      if (IsUnder(it->first, name)) {
        it = names.erase(it);
      } else if (it->first.compare(0, name.size(), name) == 0) {
        ++it;  // a sibling sharing the prefix, e.g. "x.lock.stale" after "x.lock"
      } else {
        break;
      }
    }
  }

  void MoveTree(const std::string& from, const std::string& to) {
    std::vector<std::pair<std::string, int>> moved;
    for (auto it = names.lower_bound(from); it != names.end(); ++it) {
      if (it->first == from) {
        moved.emplace_back(to, it->second);
      } else if (IsUnder(it->first, from)) {
        moved.emplace_back(to + it->first.substr(from.size()), it->second);
      } else if (it->first.compare(0, from.size(), from) != 0) {
        break;
      }
    }
    RemoveTree(from);
    RemoveTree(to);
    for (auto& [name, inode] : moved) names[name] = inode;
  }
};

void Write(std::string* file, int64_t offset, std::string_view bytes) {
  const size_t end = static_cast<size_t>(offset) + bytes.size();
  if (file->size() < end) file->resize(end, '\0');
  std::copy(bytes.begin(), bytes.end(), file->begin() + offset);
}

// The size grows to cover [offset, offset+len) but the bytes never reached
// the disk: what was there stays, what is new reads as zeros.
void ZeroExtend(std::string* file, int64_t offset, int64_t len) {
  const size_t end = static_cast<size_t>(offset + len);
  if (file->size() < end) file->resize(end, '\0');
}

}  // namespace

std::string_view ModelName(PersistenceModel model) {
  switch (model) {
    case PersistenceModel::kPosix: return "posix";
    case PersistenceModel::kExt4Ordered: return "ext4-ordered";
    case PersistenceModel::kPrefix: return "prefix";
  }
  return "?";
}

std::optional<PersistenceModel> ParseModel(std::string_view name) {
  for (PersistenceModel m : kModels) {
    if (ModelName(m) == name) return m;
  }
  return std::nullopt;
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (PersistenceModel m : kModels) names.emplace_back(ModelName(m));
  return names;
}

std::optional<StartState> SnapshotDirectory(const fs::path& dir, std::string* error) {
  StartState out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) {
    *error = dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      *error = dir.string() + ": " + ec.message();
      return std::nullopt;
    }
    StartEntry entry;
    entry.path = fs::relative(it->path(), dir).string();
    struct stat st;
    if (lstat(it->path().c_str(), &st) != 0) {
      *error = it->path().string() + ": cannot stat";
      return std::nullopt;
    }
    entry.is_dir = S_ISDIR(st.st_mode);
    entry.ino = st.st_ino;
    if (!entry.is_dir) {
      std::ifstream in(it->path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      entry.data = bytes.str();
    }
    out.push_back(std::move(entry));
  }
  return out;
}

uint64_t CrashImage::Hash() const {
  // std::hash (murmur-style, a word at a time) of each name and content,
  // combined in order: the byte-at-a-time FNV it replaces was the largest
  // single cost of generating states (registry contents are kilobytes).
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    h ^= std::hash<std::string_view>{}(s) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  };
  for (const auto& [name, data] : entries) {
    mix(name);
    mix(data ? "f" : "d");
    if (data) mix(*data);
  }
  return h;
}

bool CrashImage::Materialize(const fs::path& dir, std::string* error) const {
  for (const auto& [name, data] : entries) {
    const fs::path path = dir / name;
    if (!data) {
      std::error_code ec;
      fs::create_directory(path, ec);
      if (ec) {
        *error = path.string() + ": " + ec.message();
        return false;
      }
      continue;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data->data(), static_cast<std::streamsize>(data->size()));
    if (!out) {
      *error = path.string() + ": cannot write";
      return false;
    }
  }
  return true;
}

std::optional<CrashProgram> CrashProgram::Lower(const StartState& start,
                                                const std::vector<CrashCall>& calls,
                                                const std::string& registry_name,
                                                std::string* error) {
  CrashProgram p;
  p.calls_ = calls;
  p.registry_name_ = registry_name;
  Work work;
  std::unordered_map<uint64_t, int> by_ino;
  for (const StartEntry& e : start) {
    if (e.is_dir) {
      work.names[e.path] = -1;
      continue;
    }
    const int id = p.inode_count_++;
    work.data.push_back(e.data);
    work.names[e.path] = id;
    by_ino[e.ino] = id;
  }
  p.start_names_ = work.names;
  p.start_data_ = work.data;
  auto note_registry = [&] {
    auto it = work.names.find(registry_name);
    if (it != work.names.end() && it->second >= 0) {
      p.registry_contents_.insert(work.data[it->second]);
    }
  };
  note_registry();

  for (int i = 0; i < static_cast<int>(calls.size()); ++i) {
    const CrashCall& c = calls[i];
    auto fail = [&](const std::string& what) {
      *error = "record line " + std::to_string(c.line) + ": " + c.Describe(i) + ": " + what;
      return std::nullopt;
    };
    auto inode_of = [&](uint64_t ino) -> int {
      auto it = by_ino.find(ino);
      return it == by_ino.end() ? -1 : it->second;
    };
    Op op;
    op.call = i;
    switch (c.kind) {
      case CallKind::kOpen: {
        int id;
        if (c.created) {
          id = p.inode_count_++;
          work.data.emplace_back();
          by_ino[c.ino] = id;
          work.names[c.path] = id;
          op.type = Op::Type::kEntry;
          op.entry = Op::Entry::kSetName;
          op.dir = Parent(c.path);
          op.name = c.path;
          op.inode = id;
          p.ops_.push_back(op);
        } else {
          auto it = work.names.find(c.path);
          if (it == work.names.end() || it->second < 0) {
            return fail("opens a file the record never saw created");
          }
          id = it->second;
          by_ino[c.ino] = id;
        }
        if ((c.flags & O_TRUNC) != 0 && (c.flags & O_ACCMODE) != O_RDONLY && !c.created) {
          Op t;
          t.call = i;
          t.type = Op::Type::kData;
          t.inode = id;
          t.truncate = true;
          t.length = 0;
          p.ops_.push_back(t);
          work.data[id].clear();
        }
        break;
      }
      case CallKind::kWrite: {
        const int id = inode_of(c.ino);
        if (id < 0) return fail("writes to a file the record never saw opened or created");
        op.type = Op::Type::kData;
        op.inode = id;
        op.offset = c.offset;
        op.data = c.data;
        const int64_t end = c.offset + static_cast<int64_t>(c.data.size());
        op.extends = end > static_cast<int64_t>(work.data[id].size());
        op.sectors = c.data.empty()
                         ? 1
                         : static_cast<int>((end - 1) / kSectorBytes - c.offset / kSectorBytes + 1);
        Write(&work.data[id], c.offset, c.data);
        p.ops_.push_back(op);
        break;
      }
      case CallKind::kTruncate: {
        const int id = inode_of(c.ino);
        if (id < 0) return fail("truncates a file the record never saw");
        op.type = Op::Type::kData;
        op.inode = id;
        op.truncate = true;
        op.length = c.length;
        work.data[id].resize(static_cast<size_t>(c.length), '\0');
        p.ops_.push_back(op);
        break;
      }
      case CallKind::kFsync:
      case CallKind::kFdatasync: {
        op.type = Op::Type::kSync;
        if (c.is_dir) {
          op.sync_dir = true;
          op.dir = c.path;
        } else {
          op.inode = inode_of(c.ino);
          if (op.inode < 0) return fail("syncs a file the record never saw");
        }
        p.ops_.push_back(op);
        break;
      }
      case CallKind::kRename: {
        if (Parent(c.from) != Parent(c.path)) {
          return fail("renames between two directories, which the models do not place");
        }
        auto it = work.names.find(c.from);
        if (it == work.names.end()) return fail("renames a name the record never saw");
        op.type = Op::Type::kEntry;
        op.entry = Op::Entry::kMove;
        op.dir = Parent(c.path);
        op.name = c.path;
        op.from = c.from;
        op.inode = it->second;
        auto target = work.names.find(c.path);
        op.replaces_existing = target != work.names.end() && target->second >= 0;
        if (c.from != c.path) work.MoveTree(c.from, c.path);
        p.ops_.push_back(op);
        break;
      }
      case CallKind::kLink: {
        auto it = work.names.find(c.from);
        if (it == work.names.end() || it->second < 0)
          return fail("links a name the record never saw");
        op.type = Op::Type::kEntry;
        op.entry = Op::Entry::kSetName;
        op.dir = Parent(c.path);
        op.name = c.path;
        op.inode = it->second;
        work.names[c.path] = it->second;
        p.ops_.push_back(op);
        break;
      }
      case CallKind::kUnlink:
        op.type = Op::Type::kEntry;
        op.entry = Op::Entry::kRemoveName;
        op.dir = Parent(c.path);
        op.name = c.path;
        work.names.erase(c.path);
        p.ops_.push_back(op);
        break;
      case CallKind::kMkdir:
        op.type = Op::Type::kEntry;
        op.entry = Op::Entry::kMakeDir;
        op.dir = Parent(c.path);
        op.name = c.path;
        work.names[c.path] = -1;
        p.ops_.push_back(op);
        break;
      case CallKind::kRmdir:
        op.type = Op::Type::kEntry;
        op.entry = Op::Entry::kRemoveDir;
        op.dir = Parent(c.path);
        op.name = c.path;
        work.RemoveTree(c.path);
        p.ops_.push_back(op);
        break;
    }
    note_registry();
  }
  return p;
}

int CrashProgram::OpCount(int crash_after) const {
  auto it = std::upper_bound(ops_.begin(), ops_.end(), crash_after,
                             [](int k, const Op& op) { return k < op.call; });
  return static_cast<int>(it - ops_.begin());
}

CrashState CrashProgram::Build(int crash_after, const std::vector<Choice>& fates) const {
  // Two passes: the directory entries first, then the data of only the
  // inodes that end up named. An inode's bytes depend on its own data ops
  // alone, and most inodes of a run (every replaced registry, every temp
  // file renamed away) are unnamed at the crash: replaying their writes
  // was most of the cost of a state.
  Work work;
  work.names = start_names_;
  std::vector<std::string> notes;
  size_t noted = 0;
  const int n = OpCount(crash_after);
  auto fate_of = [&](int j) { return j < static_cast<int>(fates.size()) ? fates[j] : Choice{}; };
  for (int j = 0; j < n; ++j) {
    const Op& op = ops_[j];
    const Choice choice = fate_of(j);
    if (choice.fate != Fate::kWhole && op.type != Op::Type::kSync) {
      if (noted++ < kMaxDescribedOps) {
        std::string what;
        switch (choice.fate) {
          case Fate::kDrop: what = "dropped "; break;
          case Fate::kZeros: what = "size persisted, bytes read as zeros: "; break;
          case Fate::kTorn:
            what = "torn (first " + std::to_string(choice.torn_sectors) + " of " +
                   std::to_string(op.sectors) + " sectors persisted): ";
            break;
          case Fate::kWhole: break;
        }
        notes.push_back(what + calls_[op.call].Describe(op.call));
      }
    }
    if (choice.fate == Fate::kDrop || op.type != Op::Type::kEntry) continue;
    switch (op.entry) {
      case Op::Entry::kSetName:
        work.RemoveTree(op.name);
        work.names[op.name] = op.inode;
        break;
      case Op::Entry::kMove:
        if (op.inode < 0) {
          work.MoveTree(op.from, op.name);
        } else {
          // The source's own entry may not have persisted; the rename
          // still names the inode it moved in the real run.
          work.names.erase(op.from);
          work.RemoveTree(op.name);
          work.names[op.name] = op.inode;
        }
        break;
      case Op::Entry::kRemoveName: work.names.erase(op.name); break;
      case Op::Entry::kMakeDir:
        if (!work.names.count(op.name)) work.names[op.name] = -1;
        break;
      case Op::Entry::kRemoveDir: work.RemoveTree(op.name); break;
    }
  }
  // How many names each inode has (hard links share one).
  std::vector<int> named(static_cast<size_t>(inode_count_), 0);
  work.data.resize(static_cast<size_t>(inode_count_));
  for (const auto& [name, inode] : work.names) {
    if (inode < 0 || named[inode]++ > 0) continue;
    if (static_cast<size_t>(inode) < start_data_.size()) work.data[inode] = start_data_[inode];
  }
  for (int j = 0; j < n; ++j) {
    const Op& op = ops_[j];
    if (op.type != Op::Type::kData || !named[op.inode]) continue;
    const Choice choice = fate_of(j);
    if (choice.fate == Fate::kDrop) continue;
    std::string* file = &work.data[op.inode];
    if (op.truncate) {
      file->resize(static_cast<size_t>(op.length), '\0');
    } else if (choice.fate == Fate::kWhole) {
      Write(file, op.offset, op.data);
    } else if (choice.fate == Fate::kZeros) {
      ZeroExtend(file, op.offset, static_cast<int64_t>(op.data.size()));
    } else {  // torn: the first sectors arrived, the rest did not
      const int64_t end = op.offset + static_cast<int64_t>(op.data.size());
      const int64_t split =
          std::min<int64_t>(end, (op.offset / kSectorBytes + choice.torn_sectors) * kSectorBytes);
      Write(file, op.offset, std::string_view(op.data).substr(0, split - op.offset));
      ZeroExtend(file, split, end - split);
    }
  }
  CrashState state;
  state.crash_after = crash_after;
  std::unordered_set<std::string> dirs;
  for (const auto& [name, inode] : work.names) {
    const std::string parent = Parent(name);
    if (!parent.empty() && !dirs.count(parent)) continue;  // parent did not persist
    if (inode < 0) {
      dirs.insert(name);
      state.image.entries[name] = std::nullopt;
    } else if (named[inode] == 1) {
      state.image.entries[name] = std::move(work.data[inode]);  // its only name
    } else {
      state.image.entries[name] = work.data[inode];
    }
  }
  std::string d = "crash after " + calls_[crash_after].Describe(crash_after) + "; ";
  if (notes.empty()) {
    d += "every call before it persisted whole";
  } else {
    d += "every call before it persisted whole except: ";
    for (size_t i = 0; i < notes.size(); ++i) d += (i ? "; " : "") + notes[i];
    if (noted > notes.size()) d += "; and " + std::to_string(noted - notes.size()) + " more";
  }
  state.description = d;
  return state;
}

CrashState CrashProgram::Complete(int crash_after) const { return Build(crash_after, {}); }

std::vector<std::vector<CrashProgram::Choice>> CrashProgram::PosixChoices(int crash_after) const {
  const int n = OpCount(crash_after);
  std::unordered_map<int, int> last_file_sync;
  std::unordered_map<std::string, int> last_dir_sync;
  for (int j = 0; j < n; ++j) {
    const Op& op = ops_[j];
    if (op.type != Op::Type::kSync) continue;
    if (op.sync_dir) {
      last_dir_sync[op.dir] = j;
    } else {
      last_file_sync[op.inode] = j;
    }
  }
  std::vector<std::vector<Choice>> out(n);
  for (int j = 0; j < n; ++j) {
    const Op& op = ops_[j];
    auto& choices = out[j];
    choices.push_back({Fate::kWhole, 0});
    if (op.type == Op::Type::kSync) continue;
    if (op.type == Op::Type::kData) {
      auto it = last_file_sync.find(op.inode);
      if (it != last_file_sync.end() && it->second > j) continue;
      choices.push_back({Fate::kDrop, 0});
      if (op.truncate) continue;
      if (op.extends) choices.push_back({Fate::kZeros, 0});
      for (int m = 1; m < op.sectors; ++m) choices.push_back({Fate::kTorn, m});
    } else {
      auto it = last_dir_sync.find(op.dir);
      if (it != last_dir_sync.end() && it->second > j) continue;
      choices.push_back({Fate::kDrop, 0});
    }
  }
  return out;
}

namespace {

// Adds `state` unless an equal image is already there.
void AddUnique(CrashState state, std::vector<CrashState>* out,
               std::unordered_map<uint64_t, std::vector<size_t>>* seen) {
  auto& bucket = (*seen)[state.image.Hash()];
  for (size_t i : bucket) {
    if ((*out)[i].image == state.image) return;
  }
  bucket.push_back(out->size());
  out->push_back(std::move(state));
}

}  // namespace

// ext4-ordered as a choice of (metadata cut, per-inode data prefix).
struct Ext4Shape {
  std::vector<int> entries;  // op indices of entry ops
  int min_cut = 0;
  std::map<int, std::vector<int>> data;  // inode -> its data op indices
  std::map<int, int> min_by_sync;        // inode -> data ops forced by its fsync
};

std::vector<CrashState> CrashProgram::Ext4States(int crash_after, int64_t budget,
                                                 std::mt19937_64& rng) const {
  const int n = OpCount(crash_after);
  Ext4Shape shape;
  int last_sync = -1;
  std::map<int, int> last_file_sync;
  for (int j = 0; j < n; ++j) {
    const Op& op = ops_[j];
    if (op.type == Op::Type::kEntry) shape.entries.push_back(j);
    if (op.type == Op::Type::kData) shape.data[op.inode].push_back(j);
    if (op.type == Op::Type::kSync) {
      last_sync = j;
      if (!op.sync_dir) last_file_sync[op.inode] = j;
    }
  }
  // Any fsync commits the running journal transaction: every metadata
  // operation before it.
  for (int e : shape.entries) shape.min_cut += e < last_sync ? 1 : 0;
  for (auto& [inode, list] : shape.data) {
    int forced = 0;
    auto it = last_file_sync.find(inode);
    if (it != last_file_sync.end()) {
      for (int j : list) forced += j < it->second ? 1 : 0;
    }
    shape.min_by_sync[inode] = forced;
  }
  // Lower bounds of each inode's data prefix for a cut.
  auto minimums = [&](int cut) {
    std::map<int, int> mins = shape.min_by_sync;
    for (int i = 0; i < cut; ++i) {
      const Op& e = ops_[shape.entries[i]];
      if (e.entry != Op::Entry::kMove || !e.replaces_existing || e.inode < 0) continue;
      auto d = shape.data.find(e.inode);
      if (d == shape.data.end()) continue;
      int before = 0;
      for (int j : d->second) before += j < shape.entries[i] ? 1 : 0;
      mins[e.inode] = std::max(mins[e.inode], before);
    }
    return mins;
  };
  auto build = [&](int cut, const std::map<int, int>& prefix) {
    std::vector<Choice> fates(n);
    for (size_t i = cut; i < shape.entries.size(); ++i) fates[shape.entries[i]].fate = Fate::kDrop;
    for (const auto& [inode, list] : shape.data) {
      for (size_t i = prefix.at(inode); i < list.size(); ++i) fates[list[i]].fate = Fate::kDrop;
    }
    return Build(crash_after, fates);
  };
  const int max_cut = static_cast<int>(shape.entries.size());
  int64_t total = 0;
  for (int cut = shape.min_cut; cut <= max_cut && total < kSaturated; ++cut) {
    int64_t ways = 1;
    for (const auto& [inode, low] : minimums(cut)) {
      ways = SaturatingMul(ways, static_cast<int64_t>(shape.data[inode].size()) - low + 1);
    }
    total = std::min(kSaturated, total + ways);
  }
  std::vector<CrashState> out;
  std::unordered_map<uint64_t, std::vector<size_t>> seen;
  if (total <= budget) {
    for (int cut = shape.min_cut; cut <= max_cut; ++cut) {
      const std::map<int, int> mins = minimums(cut);
      std::map<int, int> prefix = mins;
      while (true) {
        AddUnique(build(cut, prefix), &out, &seen);
        bool carried = true;
        for (auto& [inode, p] : prefix) {
          if (p < static_cast<int>(shape.data[inode].size())) {
            ++p;
            carried = false;
            break;
          }
          p = mins.at(inode);
        }
        if (carried) break;
      }
    }
    return out;
  }
  auto full = [&](int cut) {
    std::map<int, int> prefix;
    for (const auto& [inode, list] : shape.data) prefix[inode] = static_cast<int>(list.size());
    (void)cut;
    return prefix;
  };
  AddUnique(build(max_cut, full(max_cut)), &out, &seen);
  AddUnique(build(shape.min_cut, minimums(shape.min_cut)), &out, &seen);
  for (int64_t s = 0; s < budget; ++s) {
    const int cut = std::uniform_int_distribution<int>(shape.min_cut, max_cut)(rng);
    std::map<int, int> prefix = minimums(cut);
    for (auto& [inode, p] : prefix) {
      p = std::uniform_int_distribution<int>(p, static_cast<int>(shape.data[inode].size()))(rng);
    }
    AddUnique(build(cut, prefix), &out, &seen);
  }
  return out;
}

std::vector<CrashState> CrashProgram::StatesAt(int crash_after, PersistenceModel model,
                                               int64_t budget, std::mt19937_64& rng) const {
  if (model == PersistenceModel::kPrefix) return {Complete(crash_after)};
  if (model == PersistenceModel::kExt4Ordered) return Ext4States(crash_after, budget, rng);
  const std::vector<std::vector<Choice>> choices = PosixChoices(crash_after);
  int64_t ways = 1;
  for (const auto& c : choices) ways = SaturatingMul(ways, static_cast<int64_t>(c.size()));
  std::vector<CrashState> out;
  std::unordered_map<uint64_t, std::vector<size_t>> seen;
  std::vector<Choice> fates(choices.size());
  if (ways <= budget) {
    std::vector<size_t> digit(choices.size(), 0);
    while (true) {
      for (size_t j = 0; j < choices.size(); ++j) fates[j] = choices[j][digit[j]];
      AddUnique(Build(crash_after, fates), &out, &seen);
      size_t j = 0;
      for (; j < choices.size(); ++j) {
        if (++digit[j] < choices[j].size()) break;
        digit[j] = 0;
      }
      if (j == choices.size()) break;
    }
    return out;
  }
  AddUnique(Build(crash_after, {}), &out, &seen);
  for (size_t j = 0; j < choices.size(); ++j) {
    fates[j] = choices[j].size() > 1 ? choices[j][1] : choices[j][0];
  }
  AddUnique(Build(crash_after, fates), &out, &seen);
  for (int64_t s = 0; s < budget; ++s) {
    for (size_t j = 0; j < choices.size(); ++j) {
      const auto& c = choices[j];
      fates[j] = c[std::uniform_int_distribution<size_t>(0, c.size() - 1)(rng)];
    }
    AddUnique(Build(crash_after, fates), &out, &seen);
  }
  return out;
}

}  // namespace lockharness::harness::crash
