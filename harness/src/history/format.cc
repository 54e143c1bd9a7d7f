// history/format.cc: the JSON line writer of the history (history.h).

#include "lockharness/harness/history.h"

#include <charconv>

namespace lockharness::harness {
namespace {

void AppendInt(int64_t value, std::string* out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  (void)ec;  // 24 bytes always suffice for an int64_t.
  out->append(buffer, end);
}

void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
  }
  out->append(text.data() + run_start, text.size() - run_start);
  out->push_back('"');
}

std::string FormatEvent(const Event& event) {
  std::string out;
  out.reserve(160);
  out.append("{\"type\":\"");
  out.append(EventTypeName(event.type));
  out.push_back('"');
  AppendKey("id", &out);
  AppendInt(event.id, &out);
  AppendKey("process", &out);
  AppendInt(event.process, &out);
  AppendKey("writer", &out);
  AppendInt(event.writer, &out);
  AppendKey("pid", &out);
  AppendInt(event.pid, &out);
  AppendKey("t", &out);
  AppendInt(event.t, &out);
  if (event.op) {
    AppendKey("op", &out);
    AppendJsonString(OpKindName(*event.op), &out);
  }
  if (!event.name.empty()) {
    AppendKey("name", &out);
    AppendJsonString(event.name, &out);
  }
  if (!event.fields.empty()) {
    AppendKey("fields", &out);
    out.push_back('{');
    for (size_t i = 0; i < event.fields.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendJsonString(event.fields[i].first, &out);
      out.push_back(':');
      AppendJsonString(event.fields[i].second, &out);
    }
    out.push_back('}');
  }
  if (!event.error.empty()) {
    AppendKey("error", &out);
    AppendJsonString(event.error, &out);
  }
  if (event.lock_acquired) {
    AppendKey("lock_acquired", &out);
    AppendInt(*event.lock_acquired, &out);
  }
  if (event.lock_released) {
    AppendKey("lock_released", &out);
    AppendInt(*event.lock_released, &out);
  }
  if (!event.value.empty()) {
    AppendKey("value", &out);
    AppendJsonString(event.value, &out);
  }
  if (event.valid) {
    AppendKey("valid", &out);
    out.append(*event.valid ? "true" : "false");
  }
  if (!event.fault.empty()) {
    AppendKey("fault", &out);
    AppendJsonString(event.fault, &out);
  }
  if (!event.kind.empty()) {
    AppendKey("kind", &out);
    AppendJsonString(event.kind, &out);
  }
  if (!event.target.empty()) {
    AppendKey("target", &out);
    AppendJsonString(event.target, &out);
  }
  out.push_back('}');
  return out;
}

}  // namespace lockharness::harness
