// name_groups.cc: grouping operations by sandbox name (see name_groups.h).

#include "lockharness/harness/checkers/name_groups.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace lockharness::harness {
namespace {

size_t HashName(std::string_view name) { return std::hash<std::string_view>{}(name); }

// A name's length and first 16 bytes, compared without touching the
// operation the group's name lives in (a cache miss per comparison in a
// history of hundreds of megabytes). Longer names compare the rest too.
NameGroups::Key KeyOf(std::string_view name) {
  NameGroups::Key key;
  char head[16] = {};
  if (!name.empty()) std::memcpy(head, name.data(), std::min(name.size(), sizeof head));
  std::memcpy(&key.head, head, sizeof head);
  key.size = name.size();
  return key;
}

bool SameName(const NameGroups& groups, uint32_t g, size_t hash, const NameGroups::Key& key,
              std::string_view name) {
  const NameGroups::Key& other = groups.keys[g];
  if (groups.hashes[g] != hash || other.size != key.size || other.head != key.head) {
    return false;
  }
  return key.size <= 16 || groups.names[g].substr(16) == name.substr(16);
}

// Rebuilds `slots` with room for twice `at_least` names (a power of two).
void Grow(NameGroups* groups, size_t at_least) {
  const size_t size = std::bit_ceil(std::max<size_t>(16, at_least * 2));
  groups->slots.assign(size, 0);
  const size_t mask = size - 1;
  for (uint32_t g = 0; g < groups->hashes.size(); ++g) {
    size_t slot = groups->hashes[g] & mask;
    while (groups->slots[slot] != 0) slot = (slot + 1) & mask;
    groups->slots[slot] = g + 1;
  }
}

// The group of `name`, adding a new one (with count 0) if absent.
uint32_t FindOrAdd(std::string_view name, NameGroups* groups, std::vector<uint32_t>* count) {
  const size_t hash = HashName(name);
  const NameGroups::Key key = KeyOf(name);
  const size_t mask = groups->slots.size() - 1;
  size_t slot = hash & mask;
  for (uint32_t entry; (entry = groups->slots[slot]) != 0; slot = (slot + 1) & mask) {
    if (SameName(*groups, entry - 1, hash, key, name)) return entry - 1;
  }
  const auto group = static_cast<uint32_t>(groups->names.size());
  groups->names.push_back(name);
  groups->hashes.push_back(hash);
  groups->keys.push_back(key);
  count->push_back(0);
  groups->slots[slot] = group + 1;
  if (groups->names.size() * 2 > groups->slots.size()) Grow(groups, groups->names.size() * 2);
  return group;
}

}  // namespace

std::optional<uint32_t> NameGroups::Find(std::string_view name) const {
  if (slots.empty()) return std::nullopt;
  const size_t hash = HashName(name);
  const Key key = KeyOf(name);
  const size_t mask = slots.size() - 1;
  for (size_t slot = hash & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
    if (SameName(*this, slots[slot] - 1, hash, key, name)) return slots[slot] - 1;
  }
  return std::nullopt;
}

NameGroups GroupByName(const OperationIndex& index,
                       const std::function<bool(const Operation&)>& include) {
  constexpr uint32_t kSkip = UINT32_MAX;
  NameGroups groups;
  Grow(&groups, index.operations.size() / 4);
  std::vector<uint32_t> group_of(index.operations.size(), kSkip);
  std::vector<uint32_t> count;
  for (size_t i = 0; i < index.operations.size(); ++i) {
    const Operation& op = index.operations[i];
    if (!include(op)) continue;
    const uint32_t g = FindOrAdd(op.name(), &groups, &count);
    group_of[i] = g;
    ++count[g];
  }
  groups.begin.resize(groups.names.size() + 1, 0);
  for (size_t g = 0; g < count.size(); ++g) {
    groups.begin[g + 1] = groups.begin[g] + count[g];
  }
  groups.ops.resize(groups.begin.back());
  std::vector<uint32_t> fill(groups.begin.begin(), groups.begin.end() - 1);
  for (size_t i = 0; i < index.operations.size(); ++i) {
    if (group_of[i] != kSkip) groups.ops[fill[group_of[i]]++] = &index.operations[i];
  }
  return groups;
}

}  // namespace lockharness::harness
