#include "lockharness/interposer/trace_reader.h"

#include <fstream>
#include <sstream>

#include "lockharness/interposer/trace_line.h"
#include "nlohmann/json.hpp"

namespace lockharness::interposer {
namespace {

using Json = nlohmann::json;

void SetError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

// Field readers: false if the field is present with the wrong type, or
// absent while required.
bool ReadString(const Json& j, const char* key, bool required, std::string* out,
                std::string* error) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) SetError(error, std::string("missing field '") + key + "'");
    return !required;
  }
  if (!it->is_string()) {
    SetError(error, std::string("field '") + key + "' is not a string");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

template <typename Int>
bool ReadInt(const Json& j, const char* key, bool required, Int* out,
             std::string* error) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) SetError(error, std::string("missing field '") + key + "'");
    return !required;
  }
  if (!it->is_number_integer()) {
    SetError(error, std::string("field '") + key + "' is not an integer");
    return false;
  }
  *out = it->get<Int>();
  return true;
}

bool ReadBool(const Json& j, const char* key, bool required, bool* out,
              std::string* error) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) SetError(error, std::string("missing field '") + key + "'");
    return !required;
  }
  if (!it->is_boolean()) {
    SetError(error, std::string("field '") + key + "' is not a boolean");
    return false;
  }
  *out = it->get<bool>();
  return true;
}

bool ReadCall(const Json& j, TraceEvent* e, std::string* error) {
  if (!ReadString(j, "call", true, &e->call, error) ||
      !ReadString(j, "point", true, &e->point, error) ||
      !ReadString(j, "class", true, &e->path_class, error) ||
      !ReadInt(j, "fd", true, &e->fd, error) ||
      !ReadInt(j, "result", true, &e->result, error) ||
      !ReadBool(j, "injected", true, &e->injected, error) ||
      !ReadString(j, "action", e->injected, &e->action, error) ||
      !ReadString(j, "path", false, &e->path, error) ||
      !ReadString(j, "from", false, &e->from, error) ||
      !ReadString(j, "from_class", false, &e->from_class, error) ||
      !ReadBool(j, "truncated", false, &e->truncated, error) ||
      !ReadString(j, "flags", false, &e->open_flags, error) ||
      !ReadString(j, "lock_kind", false, &e->lock_kind, error) ||
      !ReadString(j, "lock_op", !e->lock_kind.empty(), &e->lock_op, error) ||
      !ReadBool(j, "lock_wait", false, &e->lock_wait, error) ||
      !ReadInt(j, "lock_start", false, &e->lock_start, error) ||
      !ReadInt(j, "lock_len", false, &e->lock_len, error) ||
      !ReadInt(j, "lock_whence", false, &e->lock_whence, error)) {
    return false;
  }
  auto err = j.find("errno");
  if (err != j.end()) {
    if (err->is_string()) {
      e->error = err->get<std::string>();
    } else if (err->is_number_integer()) {
      e->error = std::to_string(err->get<int>());
    } else {
      SetError(error, "field 'errno' is neither a name nor a number");
      return false;
    }
  }
  if (e->result < 0 && e->error.empty() && e->action != "kill") {
    SetError(error, "failed call without 'errno'");
    return false;
  }
  return true;
}

}  // namespace

std::optional<TraceEvent> ParseTraceLine(std::string_view line,
                                         std::string* error) {
  // Input bound: the interposer never writes a line as long as its buffer.
  if (line.size() >= kTraceLineSize) {
    SetError(error, "line of " + std::to_string(line.size()) +
                        " bytes, longer than any the interposer writes (" +
                        std::to_string(kTraceLineSize - 1) + ")");
    return std::nullopt;
  }
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    SetError(error, "not a JSON object");
    return std::nullopt;
  }
  TraceEvent e;
  std::string type;
  if (!ReadString(j, "type", true, &type, error) ||
      !ReadInt(j, "pid", true, &e.pid, error) ||
      !ReadInt(j, "mono_ns", true, &e.mono_ns, error)) {
    return std::nullopt;
  }
  if (type == "hello") {
    e.type = TraceEvent::Type::kHello;
    if (!ReadString(j, "registry", true, &e.registry, error) ||
        !ReadInt(j, "faults", true, &e.faults, error) ||
        !ReadInt(j, "ppid", false, &e.ppid, error)) {
      return std::nullopt;
    }
    return e;
  }
  if (type == "exit") {
    e.type = TraceEvent::Type::kExit;
    e.call = "exit";
    return e;
  }
  if (type == "fork") {
    e.type = TraceEvent::Type::kFork;
    if (!ReadInt(j, "ppid", true, &e.ppid, error)) return std::nullopt;
    return e;
  }
  if (type != "call") {
    SetError(error, "unknown type '" + type + "'");
    return std::nullopt;
  }
  if (!ReadCall(j, &e, error)) return std::nullopt;
  return e;
}

std::optional<std::vector<TraceEvent>> ReadTraceFile(const std::string& path,
                                                     std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    SetError(error, path + ": cannot open");
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<TraceEvent> events;
  size_t start = 0;
  for (int line_number = 1; start < text.size(); ++line_number) {
    size_t end = text.find('\n', start);
    bool complete = end != std::string::npos;
    std::string_view line(text.data() + start,
                          (complete ? end : text.size()) - start);
    start = complete ? end + 1 : text.size();
    if (line.empty()) continue;
    std::string why;
    std::optional<TraceEvent> e = ParseTraceLine(line, &why);
    if (!e) {
      if (!complete) break;  // a writer's line in progress
      SetError(error, path + ":" + std::to_string(line_number) + ": " + why);
      return std::nullopt;
    }
    events.push_back(std::move(*e));
  }
  return events;
}

}  // namespace lockharness::interposer
