// timeline.cc: the data drawn by timeline.html (see timeline.h).

#include "lockharness/harness/report/timeline.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness::report {
namespace {

using nlohmann::json;

double Micros(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

json MicrosOrNull(const std::optional<int64_t>& ns) {
  return ns ? json(Micros(*ns)) : json(nullptr);
}

int OutcomeIndex(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return 0;
    case Outcome::kFail: return 1;
    case Outcome::kInfo: return 2;
    case Outcome::kPending: return 3;
  }
  return 3;
}

// Lanes: one per writer index seen, then "readers", then "harness".
class Lanes {
 public:
  explicit Lanes(const std::vector<Event>& history) {
    std::set<int> writers;
    for (const Event& e : history) {
      if (e.writer >= 0 && e.type != EventType::kRead) writers.insert(e.writer);
      if (e.writer >= 0 && e.pid != 0 && e.type != EventType::kFault) {
        writer_of_pid_.emplace(e.pid, e.writer);
      }
    }
    for (int w : writers) {
      lane_of_writer_[w] = static_cast<int>(names_.size());
      names_.push_back("writer " + std::to_string(w));
    }
    readers_ = static_cast<int>(names_.size());
    names_.push_back("readers");
    harness_ = static_cast<int>(names_.size());
    names_.push_back("harness");
  }

  int ForWriter(int writer) const {
    auto it = lane_of_writer_.find(writer);
    return it == lane_of_writer_.end() ? harness_ : it->second;
  }
  // A fault belongs to the writer it names, else to the writer whose
  // process has its pid, else to the harness.
  int ForFault(const Event& e) const {
    if (e.writer >= 0) return ForWriter(e.writer);
    auto it = writer_of_pid_.find(e.pid);
    return it == writer_of_pid_.end() ? harness_ : ForWriter(it->second);
  }
  int readers() const { return readers_; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::map<int, int> lane_of_writer_;
  std::unordered_map<int, int> writer_of_pid_;  // the first writer seen
  int readers_ = 0;
  int harness_ = 0;
};

json OperationRow(const Operation& op, const Lanes& lanes) {
  const Event* done = op.completion;
  return json::array({lanes.ForWriter(op.invoke->writer), Micros(op.invoked_at),
                      done != nullptr ? json(Micros(op.completed_at)) : json(nullptr),
                      OutcomeIndex(op.outcome), OpKindName(op.kind), op.name(), op.pid(),
                      done != nullptr ? done->error : std::string(),
                      done != nullptr ? MicrosOrNull(done->lock_acquired) : json(nullptr),
                      done != nullptr ? MicrosOrNull(done->lock_released) : json(nullptr), op.id});
}

}  // namespace

json TimelineData(const std::vector<Event>& history, const TimelineOptions& options) {
  const Lanes lanes(history);
  const OperationIndex index = IndexOperations(history);
  json data = json::object();
  data["title"] = options.title;
  data["note"] = options.note;
  data["lanes"] = lanes.names();
  data["outcomes"] = {"ok", "fail", "info", "pending"};

  int64_t end = 0;
  json ops = json::array();
  for (const Operation& op : index.operations) {
    if (ops.size() >= options.max_operations) break;
    ops.push_back(OperationRow(op, lanes));
    end = std::max(end, op.outcome == Outcome::kPending ? op.invoked_at : op.completed_at);
  }
  json faults = json::array();
  json invalid_reads = json::array();
  int64_t total_faults = 0, total_invalid = 0, valid_reads = 0;
  for (const Event& e : history) {
    if (e.type == EventType::kFault) {
      ++total_faults;
      if (faults.size() < options.max_markers) {
        faults.push_back({lanes.ForFault(e), Micros(e.t), e.fault, e.target, e.pid});
      }
    } else if (e.type == EventType::kRead) {
      if (e.valid.value_or(true)) {
        ++valid_reads;
        continue;
      }
      ++total_invalid;
      if (invalid_reads.size() < options.max_markers) {
        invalid_reads.push_back({lanes.readers(), Micros(e.t), e.error, e.pid});
      }
    } else {
      continue;
    }
    // Markers past the drawn operations widen the time axis only when
    // nothing was cut.
    if (index.operations.size() <= options.max_operations) end = std::max(end, e.t);
  }
  json crash_points = json::array();
  for (const TimelineCrashPoint& point : options.crash_points) {
    if (crash_points.size() >= options.max_markers) break;
    crash_points.push_back({Micros(point.t), point.label, point.detail});
    if (index.operations.size() <= options.max_operations) end = std::max(end, point.t);
  }
  data["ops"] = std::move(ops);
  data["faults"] = std::move(faults);
  data["invalid_reads"] = std::move(invalid_reads);
  data["total_ops"] = index.operations.size();
  data["total_faults"] = total_faults;
  data["total_invalid_reads"] = total_invalid;
  data["crash_points"] = std::move(crash_points);
  data["total_crash_points"] = options.crash_points.size();
  data["valid_reads"] = valid_reads;
  data["end"] = Micros(end);
  return data;
}

std::string TimelineHtml(const std::vector<Event>& history, const TimelineOptions& options) {
  return TimelinePage(TimelineData(history, options));
}

}  // namespace lockharness::harness::report
