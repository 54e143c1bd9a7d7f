// checkers_bench.cc: how long parsing a large history and running every
// checker takes.
//
// Generates a synthetic valid history of 1,000,000 operations by 64
// concurrent writers (registers, updates of their own and of one shared
// entry, set-defaults, removes, gets, plus reader samples and lock spans),
// writes it to a temporary file once, then measures ReadHistoryFile() +
// CheckAll() on it. The target is well under 2 s. The benchmark fails if
// any checker does not return "valid", so a speed-up that breaks a checker
// does not go unnoticed.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/check.h"
#include "lockharness/harness/history.h"

namespace lockharness::harness {
namespace {

constexpr int kWriters = 64;
constexpr int64_t kSlotNs = 1000;  // one writer-step slot per writer

struct SyntheticRun {
  std::filesystem::path history_path;
  std::string final_registry;
  int64_t operations = 0;
};

// Mirrors the registry semantics to compute the final file.
class Model {
 public:
  void Register(const std::string& name, const Fields& fields) {
    Entry& entry = entries_[name];
    entry.sequence = next_sequence_++;
    entry.fields = fields;
    order_.insert({entry.sequence, name});
    if (default_.empty()) default_ = name;
  }
  void Update(const std::string& name, const Fields& fields) {
    Fields& stored = entries_.at(name).fields;
    for (const auto& field : fields) {
      auto it = std::find_if(stored.begin(), stored.end(),
                             [&](const auto& f) { return f.first == field.first; });
      if (it == stored.end()) {
        stored.push_back(field);
      } else {
        it->second = field.second;
      }
    }
  }
  void Remove(const std::string& name) {
    auto it = entries_.find(name);
    order_.erase({it->second.sequence, name});
    entries_.erase(it);
    // The default moves to the first remaining entry in insertion order.
    if (default_ == name) default_ = order_.empty() ? "" : order_.begin()->second;
  }
  void SetDefault(const std::string& name) { default_ = name; }
  std::string Dump() const {
    nlohmann::json sandboxes = nlohmann::json::object();
    for (const auto& [name, entry] : entries_) {
      nlohmann::json json = {{"name", name},
                             {"createdAt", "2026-01-01T00:00:00Z"},
                             {"model", nullptr},
                             {"provider", nullptr},
                             {"nimContainer", nullptr},
                             {"gpuEnabled", false},
                             {"policies", nlohmann::json::array()}};
      for (const auto& [key, value] : entry.fields) json[key] = value;
      sandboxes[name] = std::move(json);
    }
    nlohmann::json doc = {{"sandboxes", std::move(sandboxes)}, {"defaultSandbox", nullptr}};
    if (!default_.empty()) doc["defaultSandbox"] = default_;
    return doc.dump();
  }

 private:
  struct Entry {
    int64_t sequence = 0;
    Fields fields;
  };
  std::unordered_map<std::string, Entry> entries_;
  std::set<std::pair<int64_t, std::string>> order_;
  std::string default_;
  int64_t next_sequence_ = 0;
};

// "w3-op17" style names and values, built with append() (GCC 12 at -O3
// misreports chains of operator+ on temporaries as overlapping copies).
std::string Label(int writer, std::string_view middle, int64_t number) {
  std::string label = "w";
  label.append(std::to_string(writer)).append(middle).append(std::to_string(number));
  return label;
}

SyntheticRun Generate(int64_t total_ops) {
  std::mt19937_64 rng(42);
  std::vector<Event> events;
  events.reserve(static_cast<size_t>(total_ops) * 2 + total_ops / 50);
  Model model;
  int64_t next_id = 0;
  // Per writer: its live names (only it touches them), and a name counter.
  std::vector<std::vector<std::string>> live(kWriters);
  std::vector<int> counters(kWriters, 0);

  auto emit = [&](int writer, int64_t step, OpKind kind, const std::string& name, Fields fields) {
    int64_t id = next_id++;
    // Writers take turns by slot; each op spans ~100 slots so many overlap,
    // but its lock span (and linearisation point) is its own slot.
    int64_t start = (step * kWriters + writer) * kSlotNs;
    Event invoke;
    invoke.type = EventType::kInvoke;
    invoke.id = id;
    invoke.process = writer;
    invoke.writer = writer;
    invoke.pid = 10000 + writer;
    invoke.t = start;
    invoke.op = kind;
    invoke.name = name;
    invoke.fields = fields;
    Event done = invoke;
    done.type = EventType::kOk;
    done.t = start + 100 * kSlotNs + writer;
    done.fields.clear();
    done.op.reset();
    done.name.clear();
    done.lock_acquired = start + 100;
    done.lock_released = start + 900;
    events.push_back(std::move(invoke));
    events.push_back(std::move(done));
    return id;
  };

  // The shared entry, registered before anything else.
  model.Register("shared", {});
  emit(0, 0, OpKind::kRegister, "shared", {});
  int64_t step = 1;
  while (next_id < total_ops) {
    for (int w = 0; w < kWriters && next_id < total_ops; ++w) {
      std::vector<std::string>& mine = live[w];
      uint64_t dice = rng() % 100;
      std::string value = Label(w, "-op", next_id);
      if (mine.empty() || dice < 10) {
        std::string name = Label(w, "-", counters[w]++);
        Fields fields = {{"model", Label(w, "-m", next_id)}};
        model.Register(name, fields);
        emit(w, step, OpKind::kRegister, name, fields);
        mine.push_back(name);
      } else if (dice < 50) {
        const std::string& name = mine[rng() % mine.size()];
        Fields fields = {{dice < 40 ? "model" : "provider", value}};
        model.Update(name, fields);
        emit(w, step, OpKind::kUpdate, name, fields);
      } else if (dice < 75) {
        Fields fields = {{"model", value}};
        model.Update("shared", fields);
        emit(w, step, OpKind::kUpdate, "shared", fields);
      } else if (dice < 80 && mine.size() > 1) {
        size_t at = rng() % mine.size();
        model.Remove(mine[at]);
        emit(w, step, OpKind::kRemove, mine[at], {});
        mine.erase(mine.begin() + static_cast<long>(at));
      } else if (dice < 83) {
        const std::string& name = mine[rng() % mine.size()];
        model.SetDefault(name);
        emit(w, step, OpKind::kSetDefault, name, {});
      } else {
        emit(w, step, OpKind::kGet, mine[rng() % mine.size()], {});
      }
    }
    if (step % 2 == 0) {
      Event read;
      read.type = EventType::kRead;
      read.process = kWriters;
      read.pid = 20000;
      read.t = step * kWriters * kSlotNs + 1;
      read.valid = true;
      events.push_back(std::move(read));
    }
    ++step;
  }
  // Sort positions, not the (large) events themselves.
  std::vector<uint32_t> order(events.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&events](uint32_t a, uint32_t b) { return events[a].t < events[b].t; });

  SyntheticRun run;
  run.operations = next_id;
  run.final_registry = model.Dump();
  run.history_path = std::filesystem::temp_directory_path() /
                     ("checkers_bench_" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream out(run.history_path, std::ios::binary);
  std::string buffer;
  for (uint32_t i : order) {
    buffer += FormatEvent(events[i]);
    buffer += '\n';
    if (buffer.size() > (1 << 20)) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
  return run;
}

void BM_ParseAndCheckAll(benchmark::State& state) {
  SyntheticRun synthetic = Generate(state.range(0));
  int64_t bytes = static_cast<int64_t>(std::filesystem::file_size(synthetic.history_path));
  for (auto _ : state) {
    RunArtifacts run;
    std::string error;
    if (!ReadHistoryFile(synthetic.history_path, &run.history, &error)) {
      state.SkipWithError(error.c_str());
      break;
    }
    run.final_registry = synthetic.final_registry;
    run.limits.op_timeout_ns = 10'000'000'000;
    run.limits.takeover_bound_ns = 1'000'000'000;
    std::vector<CheckerReport> reports = CheckAll(run);
    for (const CheckerReport& report : reports) {
      if (report.verdict != Verdict::kValid) {
        std::string message = report.checker + " is " + std::string(VerdictName(report.verdict)) +
                              ": " + report.summary;
        state.SkipWithError(message.c_str());
        break;
      }
    }
    benchmark::DoNotOptimize(reports);
  }
  std::filesystem::remove(synthetic.history_path);
  state.counters["operations"] = static_cast<double>(synthetic.operations);
  state.counters["history_MB"] = static_cast<double>(bytes) / 1e6;
  state.SetBytesProcessed(state.iterations() * bytes);
}

BENCHMARK(BM_ParseAndCheckAll)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace
}  // namespace lockharness::harness

BENCHMARK_MAIN();
