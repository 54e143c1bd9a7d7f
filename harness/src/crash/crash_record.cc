// Reading the crash record (crash_record.h).

#include "src/crash/crash_record.h"

#include <nlohmann/json.hpp>

namespace lockharness::harness::crash {
namespace {

using nlohmann::json;

struct KindName {
  CallKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {CallKind::kOpen, "open"},           {CallKind::kWrite, "write"},
    {CallKind::kTruncate, "truncate"},   {CallKind::kFsync, "fsync"},
    {CallKind::kFdatasync, "fdatasync"}, {CallKind::kRename, "rename"},
    {CallKind::kLink, "link"},           {CallKind::kUnlink, "unlink"},
    {CallKind::kMkdir, "mkdir"},         {CallKind::kRmdir, "rmdir"},
};

std::optional<std::string> Relative(const std::string& path, const std::string& dir) {
  if (path == dir) return std::string();
  if (path.size() > dir.size() + 1 && path.compare(0, dir.size(), dir) == 0 &&
      path[dir.size()] == '/') {
    return path.substr(dir.size() + 1);
  }
  return std::nullopt;
}

std::optional<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]);
    int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

std::string_view CallKindName(CallKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

std::string CrashCall::Describe(int index) const {
  std::string out = "#" + std::to_string(index) + " " + std::string(CallKindName(kind)) + "(";
  const std::string shown = path.empty() ? "." : path;
  switch (kind) {
    case CallKind::kRename:
    case CallKind::kLink: out += from + " -> " + shown; break;
    case CallKind::kWrite:
      out += shown + ", " + std::to_string(data.size()) + " bytes at " + std::to_string(offset);
      break;
    case CallKind::kTruncate: out += shown + ", " + std::to_string(length); break;
    default: out += shown;
  }
  out += ") by pid " + std::to_string(pid);
  return out;
}

std::optional<CrashRecord> ParseCrashRecord(std::string_view text, const std::string& registry_dir,
                                            std::string* error) {
  CrashRecord record;
  int line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.empty()) continue;
    auto fail = [&](const std::string& what) {
      *error = "line " + std::to_string(line_number) + ": " + what;
      return std::nullopt;
    };
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
    if (!j.contains("op") || !j["op"].is_string()) return fail("no \"op\"");
    const std::string op = j["op"].get<std::string>();
    if (op == "hello") {
      ++record.processes;
      continue;
    }
    if (op == "overflow") {
      if (!record.overflow) record.overflow = j.value("reason", std::string("overflow"));
      continue;
    }
    CrashCall call;
    bool known = false;
    for (const auto& k : kKinds) {
      if (op == k.name) {
        call.kind = k.kind;
        known = true;
      }
    }
    if (!known) return fail("call '" + op + "' is not known to the persistence models");
    call.line = line_number;
    call.pid = j.value("pid", 0);
    call.ns = j.value("ns", int64_t{0});
    if (!j.contains("path") || !j["path"].is_string()) return fail(op + " without a path");
    auto rel = Relative(j["path"].get<std::string>(), registry_dir);
    if (!rel)
      return fail(op +
                  " on a path outside the registry directory: " + j["path"].get<std::string>());
    call.path = *rel;
    if (j.contains("from")) {
      auto from = Relative(j["from"].get<std::string>(), registry_dir);
      if (!from) {
        return fail(op +
                    " from a path outside the registry directory: " + j["from"].get<std::string>());
      }
      call.from = *from;
    } else if (call.kind == CallKind::kRename || call.kind == CallKind::kLink) {
      return fail(op + " without \"from\"");
    }
    call.ino = j.value("ino", uint64_t{0});
    call.is_dir = j.value("dir", false);
    call.offset = j.value("off", int64_t{0});
    call.flags = j.value("flags", 0);
    call.created = j.value("created", false);
    call.length = j.value("len", int64_t{0});
    if (call.kind == CallKind::kWrite) {
      auto data = FromHex(j.value("data", std::string()));
      if (!data) return fail("write with bad hex data");
      call.data = std::move(*data);
    }
    if ((call.kind == CallKind::kWrite || call.kind == CallKind::kTruncate ||
         call.kind == CallKind::kOpen || call.kind == CallKind::kFsync ||
         call.kind == CallKind::kFdatasync) &&
        call.ino == 0) {
      return fail(op + " without the file's inode number");
    }
    record.calls.push_back(std::move(call));
  }
  return record;
}

}  // namespace lockharness::harness::crash
