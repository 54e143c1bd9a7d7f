// trace_timeline.cc: ordering trace lines and bounding when each call ran.

#include "lockharness/harness/checkers/trace_timeline.h"

#include <algorithm>
#include <cstdio>

#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

TraceTimeline BuildTraceTimeline(const Trace& trace, std::optional<int64_t> origin) {
  TraceTimeline timeline;
  timeline.origin = origin;
  // Positions of all lines in stamp order; a stable sort keeps a process's
  // own lines in the order it wrote them even when stamps tie.
  // (32-bit positions: the reader's bound keeps a trace far below 2^32
  // events, and this array is as long as the trace.)
  std::vector<uint32_t> order(trace.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return trace[a].mono_ns() < trace[b].mono_ns(); });
  timeline.calls.reserve(trace.size());
  std::map<int, int64_t> previous;  // pid -> stamp of its previous line
  // A process descends from its parent's writer if the parent was seen
  // before (a traced process that forked or spawned it), else is a writer.
  auto attribute = [&](int pid, int ppid) {
    if (timeline.writer_of.count(pid) != 0 && ppid == 0) return;
    auto parent = ppid != 0 ? timeline.writer_of.find(ppid) : timeline.writer_of.end();
    timeline.writer_of[pid] = parent != timeline.writer_of.end() ? parent->second : pid;
  };
  for (uint32_t i : order) {
    const TraceEventRef event = trace[i];
    auto [it, first] = previous.try_emplace(event.pid(), kUnboundedPast);
    if (first) timeline.first_seen[event.pid()] = event.mono_ns();
    const bool starts =
        event.type() == TraceEvent::Type::kHello || event.type() == TraceEvent::Type::kFork;
    if (starts && event.ppid() != 0) timeline.parent_of[event.pid()] = event.ppid();
    // Kept as calls: every line but hello and fork lines, and the hello
    // lines of processes already seen (an exec: family "exec").
    bool kept = !starts;
    if (event.type() == TraceEvent::Type::kHello) {
      ++timeline.hello_lines;
      attribute(event.pid(), event.ppid());
      kept = !first;
    } else if (event.type() == TraceEvent::Type::kFork) {
      ++timeline.fork_lines;
      attribute(event.pid(), event.ppid());
    } else {
      attribute(event.pid(), 0);
    }
    if (kept) {
      timeline.calls.push_back(
          TracedCall{event, it->second, timeline.writer_of[event.pid()], i + 1});
    }
    it->second = std::max(it->second, event.mono_ns());
    timeline.last_seen[event.pid()] = it->second;
  }
  return timeline;
}

bool Performed(TraceEventRef event) {
  return !(event.injected() && (event.action() == "errno" || event.action() == "kill"));
}

bool Succeeded(TraceEventRef event) {
  return Performed(event) && event.result() >= 0 && event.error().empty();
}

std::string FormatTraceTime(int64_t mono_ns, std::optional<int64_t> origin) {
  if (origin) return FormatMillis(mono_ns - *origin);
  return FormatMillis(mono_ns) + " CLOCK_MONOTONIC";
}

std::string DescribeCall(const TracedCall& call, std::optional<int64_t> origin) {
  const TraceEventRef e = call.event;
  std::string text = "trace line ";
  text.append(std::to_string(call.line)).append(": pid ");
  text.append(std::to_string(e.pid())).append(" ");
  const std::string at = " at " + FormatTraceTime(e.mono_ns(), origin);
  const std::string path = e.path().empty() ? "(path not recorded)" : e.path();
  switch (e.type()) {
    case TraceEvent::Type::kExit: return text.append("exited (exit line)").append(at);
    case TraceEvent::Type::kHello: return text.append("started a new program (exec)").append(at);
    case TraceEvent::Type::kInherited:
      return text.append("started with fd ")
          .append(std::to_string(e.fd()))
          .append(" open on ")
          .append(path)
          .append(" (inherited)")
          .append(at);
    case TraceEvent::Type::kDup:
      text.append("dup fd ").append(std::to_string(e.fd())).append(" -> fd ");
      text.append(std::to_string(e.new_fd())).append(" ");
      return text.append(e.path().empty() ? "(not a protocol file)" : e.path()).append(at);
    default: break;
  }
  text.append(e.call()).append(" ");
  if (!e.from().empty()) text.append(e.from()).append(" -> ");
  if (!e.lock_kind().empty())
    text.append(e.lock_kind()).append(" ").append(e.lock_op()).append(" ");
  if (e.fd() >= 0 && call.family() != "open") {
    text.append("fd ").append(std::to_string(e.fd())).append(" ");
  }
  text.append(e.path().empty() ? "(path not recorded)" : e.path());
  if (e.injected() && e.action() == "kill") {
    text.append(": killed before the call (injected kill)");
  } else if (Succeeded(e)) {
    text.append(": ok");
  } else {
    text.append(": failed ").append(e.error().empty() ? "(no errno)" : e.error());
  }
  if (e.injected() && e.action() != "kill") {
    text.append(" (injected ").append(e.action()).append(")");
  }
  return text.append(" at ").append(FormatTraceTime(e.mono_ns(), origin));
}

}  // namespace lockharness::harness
