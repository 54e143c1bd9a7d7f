// Seeded workload generation (see workload.h).

#include "lockharness/harness/runner/workload.h"

#include <algorithm>
#include <charconv>
#include <random>

#include <nlohmann/json.hpp>

namespace lockharness::harness::runner {
namespace {

// splitmix64: decorrelates the per-writer seeds derived from one run seed,
// so writer streams do not overlap even for adjacent seeds.
uint64_t MixSeed(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string OpTag(int writer, int index) {
  return "w" + std::to_string(writer) + "-op" + std::to_string(index);
}

std::string PaddedValue(std::string tag, int value_bytes) {
  if (static_cast<int>(tag.size()) < value_bytes) {
    tag.push_back('-');
    while (static_cast<int>(tag.size()) < value_bytes) {
      tag.push_back(static_cast<char>('a' + tag.size() % 26));
    }
  }
  return tag;
}

OpKind ChooseKind(const OpMix& mix, std::mt19937_64& rng) {
  const int weights[] = {mix.register_weight, mix.update_weight, mix.remove_weight,
                         mix.set_default_weight, mix.get_weight};
  const OpKind kinds[] = {OpKind::kRegister, OpKind::kUpdate, OpKind::kRemove, OpKind::kSetDefault,
                          OpKind::kGet};
  int total = 0;
  for (int w : weights) total += w;
  int pick = static_cast<int>(rng() % static_cast<uint64_t>(total));
  for (int i = 0; i < 5; ++i) {
    if (pick < weights[i]) return kinds[i];
    pick -= weights[i];
  }
  return OpKind::kRegister;
}

// Names registered before `index` by any writer: (writer, index) pairs of
// register ops, filtered to earlier indices when choosing.
struct RegisteredName {
  int index;
  std::string name;
};

}  // namespace

std::optional<OpMix> ParseOpMix(std::string_view text, std::string* error) {
  std::vector<int> weights;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(start, end - start);
    int value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || ptr != part.data() + part.size() || value < 0) {
      *error = "bad weight '" + std::string(part) +
               "' in mix (want register,update,remove,set-default[,get])";
      return std::nullopt;
    }
    weights.push_back(value);
    start = end + 1;
  }
  if (weights.size() != 4 && weights.size() != 5) {
    *error = "mix needs 4 or 5 comma-separated weights: register,update,remove,set-default[,get]";
    return std::nullopt;
  }
  OpMix mix{weights[0], weights[1], weights[2], weights[3], weights.size() == 5 ? weights[4] : 0};
  if (mix.register_weight + mix.update_weight + mix.remove_weight + mix.set_default_weight +
          mix.get_weight ==
      0) {
    *error = "mix weights are all zero";
    return std::nullopt;
  }
  return mix;
}

std::string FormatOpMix(const OpMix& mix) {
  return std::to_string(mix.register_weight) + "," + std::to_string(mix.update_weight) + "," +
         std::to_string(mix.remove_weight) + "," + std::to_string(mix.set_default_weight) + "," +
         std::to_string(mix.get_weight);
}

std::vector<std::vector<PlannedOp>> GenerateWorkload(const WorkloadOptions& options) {
  const int writers = std::max(1, options.writers);
  const int ops = std::max(1, options.ops_per_writer);

  // Pass 1: decide every operation's kind, so that pass 2 knows which names
  // exist "earlier" across all writers regardless of generation order.
  std::vector<std::mt19937_64> rngs;
  rngs.reserve(writers);
  for (int w = 0; w < writers; ++w) {
    rngs.emplace_back(MixSeed(options.seed ^ MixSeed(static_cast<uint64_t>(w) + 1)));
  }
  std::vector<std::vector<PlannedOp>> plan(writers);
  std::vector<RegisteredName> registered;  // in index order across writers
  for (int index = 0; index < ops; ++index) {
    for (int w = 0; w < writers; ++w) {
      PlannedOp op;
      op.writer = w;
      op.index = index;
      op.id = static_cast<int64_t>(w) * ops + index;
      op.kind = index == 0 ? OpKind::kRegister : ChooseKind(options.mix, rngs[w]);
      if (op.kind == OpKind::kRegister) {
        op.name = "w" + std::to_string(w) + "-" + std::to_string(index);
        registered.push_back({index, op.name});
      }
      plan[w].push_back(std::move(op));
    }
  }

  // Pass 2: targets and values. `registered` is sorted by index, so the
  // names registered strictly before `index` form a prefix of it.
  for (int w = 0; w < writers; ++w) {
    std::mt19937_64& rng = rngs[w];
    for (PlannedOp& op : plan[w]) {
      const std::string tag = OpTag(w, op.index);
      if (op.kind == OpKind::kRegister) {
        op.fields = {{"model", PaddedValue("m-" + tag, options.value_bytes)},
                     {"provider", PaddedValue("p-" + tag, options.value_bytes)}};
        continue;
      }
      const auto earlier_end =
          std::lower_bound(registered.begin(), registered.end(), op.index,
                           [](const RegisteredName& r, int index) { return r.index < index; });
      const size_t candidates = static_cast<size_t>(earlier_end - registered.begin());
      // Prefer this writer's own recent names half of the time: they are
      // the most likely to still exist, so updates mostly succeed.
      const bool ghost = candidates == 0 || static_cast<int>(rng() % 100) < options.ghost_percent;
      if (ghost) {
        op.name = "ghost-" + tag;
      } else if (rng() % 2 == 0 && op.index > 0) {
        const int back = static_cast<int>(rng() % static_cast<uint64_t>(op.index));
        int target = op.index - 1 - back;
        while (target >= 0 && plan[w][target].kind != OpKind::kRegister) --target;
        op.name = target >= 0 ? plan[w][target].name : registered[rng() % candidates].name;
      } else {
        op.name = registered[rng() % candidates].name;
      }
      if (op.kind == OpKind::kUpdate) {
        static const char* const kFields[] = {"model", "provider", "nimContainer"};
        op.fields = {{kFields[rng() % 3], PaddedValue(tag, options.value_bytes)}};
      }
    }
  }
  return plan;
}

std::vector<std::string> OperationArguments(const PlannedOp& op) {
  std::vector<std::string> args{std::string(OpKindName(op.kind))};
  if (op.kind != OpKind::kList) args.push_back(op.name);
  for (const auto& [key, value] : op.fields) args.push_back(key + "=" + value);
  return args;
}

std::string WorkerRequestLine(const PlannedOp& op) {
  nlohmann::ordered_json request;
  request["id"] = op.id;
  request["op"] = OpKindName(op.kind);
  if (op.kind != OpKind::kList) request["name"] = op.name;
  if (!op.fields.empty()) {
    nlohmann::ordered_json fields = nlohmann::ordered_json::object();
    for (const auto& [key, value] : op.fields) fields[key] = value;
    request["fields"] = fields;
  }
  return request.dump();
}

}  // namespace lockharness::harness::runner
