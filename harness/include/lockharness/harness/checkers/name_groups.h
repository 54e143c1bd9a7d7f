// name_groups.h: a run's operations grouped by sandbox name, for checkers
// that decide each name on its own (lost-update).
//
// A large run has hundreds of thousands of names and a million operations,
// so the groups are flat arrays (no allocation per name) and names are found
// through an open-addressing table rather than a node-based map.
//
//   NameGroups groups = GroupByName(index, [](const Operation& op) { return true; });
//   for (size_t g = 0; g < groups.names.size(); ++g)
//     for (uint32_t i = groups.begin[g]; i < groups.begin[g + 1]; ++i)
//       use(*groups.ops[i]);  // in invoke order within the group
//   std::optional<uint32_t> g = groups.Find("w3-17");

#ifndef LOCKHARNESS_HARNESS_CHECKERS_NAME_GROUPS_H_
#define LOCKHARNESS_HARNESS_CHECKERS_NAME_GROUPS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

struct NameGroups {
  // Group g is the name names[g] (views of the operations' names, valid
  // while the history is) and its operations ops[begin[g] .. begin[g + 1]).
  // Groups are numbered in order of each name's first operation.
  std::vector<std::string_view> names;
  std::vector<uint32_t> begin;
  std::vector<const Operation*> ops;

  // The group of `name`, or nullopt if no grouped operation has that name.
  std::optional<uint32_t> Find(std::string_view name) const;

  // Internal: open addressing over group numbers + 1 (0 = empty); each
  // group's hash, to grow the table without hashing names again; and each
  // group's length and first 16 bytes, to compare names in these arrays.
  struct Key {
    std::array<uint64_t, 2> head{};
    size_t size = 0;
  };
  std::vector<uint32_t> slots;
  std::vector<size_t> hashes;
  std::vector<Key> keys;
};

// Groups the operations for which `include` returns true by name.
NameGroups GroupByName(const OperationIndex& index,
                       const std::function<bool(const Operation&)>& include);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_NAME_GROUPS_H_
