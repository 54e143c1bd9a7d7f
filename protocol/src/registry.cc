#include "lockharness/protocol/registry.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace lockharness::protocol {
namespace {

constexpr char kSandboxes[] = "sandboxes";
constexpr char kDefault[] = "defaultSandbox";
constexpr size_t kMaxKeyBytes = 64;
// Input bound: a registry nests 3 levels. Deeper documents are corrupt,
// rejected before parsing (serializing one would recurse without bound).
constexpr int kMaxDepth = 64;

// The byte offset where nesting first exceeds kMaxDepth, or npos.
size_t TooDeepAt(std::string_view bytes) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

bool IsKeyStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsKeyChar(char c) { return IsKeyStart(c) || (c >= '0' && c <= '9'); }

// Schema rules for one entry; returns an empty string when it is valid.
std::string EntryProblem(const std::string& key, const Json& entry) {
  if (!entry.is_object()) return "entry '" + key + "' is not an object";
  auto name = entry.find("name");
  if (name == entry.end() || !name->is_string() || name->get<std::string>() != key) {
    return "entry '" + key + "' has no \"name\" equal to its key";
  }
  for (const char* field : {"model", "nimContainer", "provider"}) {
    auto it = entry.find(field);
    if (it != entry.end() && !it->is_string() && !it->is_null()) {
      return "entry '" + key + "': \"" + field + "\" must be a string or null";
    }
  }
  auto created = entry.find("createdAt");
  if (created != entry.end() && !created->is_string()) return "entry '" + key + "': \"createdAt\" must be a string";
  auto gpu = entry.find("gpuEnabled");
  if (gpu != entry.end() && !gpu->is_boolean()) return "entry '" + key + "': \"gpuEnabled\" must be a boolean";
  auto policies = entry.find("policies");
  if (policies != entry.end()) {
    if (!policies->is_array()) return "entry '" + key + "': \"policies\" must be an array";
    for (const auto& p : *policies) {
      if (!p.is_string()) return "entry '" + key + "': \"policies\" must hold strings";
    }
  }
  return "";
}

std::string DocumentProblem(const Json& doc) {
  if (!doc.is_object()) return "the top level is not an object";
  const Json& sandboxes = doc[kSandboxes];
  if (!sandboxes.is_object()) return "\"sandboxes\" is not an object";
  for (const auto& [key, entry] : sandboxes.items()) {
    std::string problem = EntryProblem(key, entry);
    if (!problem.empty()) return problem;
  }
  const Json& def = doc[kDefault];
  if (def.is_null()) return "";
  if (!def.is_string()) return "\"defaultSandbox\" is neither null nor a string";
  if (!sandboxes.contains(def.get<std::string>())) {
    return "\"defaultSandbox\" names '" + def.get<std::string>() + "', which is not registered";
  }
  return "";
}

// Converts a command-line VALUE into the JSON the field's schema wants.
StatusOr<Json> FieldValue(const std::string& key, const std::string& value) {
  if (key == "gpuEnabled") {
    if (value == "true") return Json(true);
    if (value == "false") return Json(false);
    return Status::InvalidArgument("gpuEnabled must be true or false, not '" + value + "'");
  }
  if (key == "policies") {
    Json list = Json::array();
    size_t start = 0;
    while (start < value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      if (comma > start) list.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
    return list;
  }
  if ((key == "model" || key == "nimContainer" || key == "provider") && value == "null") return Json(nullptr);
  return Json(value);
}

}  // namespace

Status ValidateName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("sandbox name is empty");
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidArgument("sandbox name is longer than " + std::to_string(kMaxNameBytes) + " bytes");
  }
  for (unsigned char c : name) {
    if (c == '/') return Status::InvalidArgument("sandbox name contains '/'");
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument("sandbox name contains a control character");
  }
  return Status::Ok();
}

StatusOr<std::pair<std::string, std::string>> ParseField(std::string_view arg) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    return Status::InvalidArgument("expected KEY=VALUE, got '" + std::string(arg) + "'");
  }
  std::string_view key = arg.substr(0, eq);
  bool ok = !key.empty() && key.size() <= kMaxKeyBytes && IsKeyStart(key[0]);
  for (char c : key) ok = ok && IsKeyChar(c);
  if (!ok) return Status::InvalidArgument("bad field name in '" + std::string(arg) + "'");
  return std::make_pair(std::string(key), std::string(arg.substr(eq + 1)));
}

Registry::Registry() : doc_({{kSandboxes, Json::object()}, {kDefault, nullptr}}) {}

StatusOr<Registry> Registry::Parse(std::string_view bytes, const std::string& path) {
  if (size_t at = TooDeepAt(bytes); at != std::string_view::npos) {
    return Status::Corrupt(path, "not a registry: nesting deeper than " + std::to_string(kMaxDepth) +
                                     " levels at byte " + std::to_string(at));
  }
  Json doc;
  try {
    doc = Json::parse(bytes);
  } catch (const Json::parse_error& e) {
    return Status::Corrupt(path, std::string("not valid JSON: ") + e.what());
  } catch (const Json::exception& e) {
    // JSON that nlohmann cannot hold, e.g. a number beyond a double's range
    // (out_of_range 406): corrupt for us too, never an uncaught exception.
    return Status::Corrupt(path, std::string("not a registry: ") + e.what());
  }
  // Missing keys default as the seed's load() does; wrong types do not.
  if (doc.is_object()) {
    if (!doc.contains(kSandboxes)) doc[kSandboxes] = Json::object();
    if (!doc.contains(kDefault)) doc[kDefault] = nullptr;
  }
  std::string problem = DocumentProblem(doc);
  if (!problem.empty()) return Status::Corrupt(path, "not a registry: " + problem);
  return Registry(std::move(doc));
}

std::string Registry::Serialize() const { return doc_.dump(2) + "\n"; }

bool Registry::Contains(const std::string& name) const { return doc_[kSandboxes].contains(name); }

Status Registry::ApplyFields(Json& entry, const FieldList& fields, bool allow_name) {
  const std::string name = entry["name"].get<std::string>();
  for (const auto& [key, value] : fields) {
    if (key == "name") {
      if (value != name) {
        if (allow_name) return Status::InvalidArgument("the name field must equal the sandbox name");
        return Status::Refused("refusing to rename sandbox '" + name + "' to '" + value + "'");
      }
      continue;
    }
    auto json = FieldValue(key, value);
    if (!json.ok()) return json.status();
    entry[key] = std::move(json).value();
  }
  return Status::Ok();
}

Status Registry::Register(const std::string& name, const FieldList& fields, const std::string& created_at) {
  Status s = ValidateName(name);
  if (!s.ok()) return s;
  Json entry = {{"name", name},        {"createdAt", created_at}, {"model", nullptr},         {"nimContainer", nullptr},
                {"provider", nullptr}, {"gpuEnabled", false},     {"policies", Json::array()}};
  s = ApplyFields(entry, fields, /*allow_name=*/true);
  if (!s.ok()) return s;
  doc_[kSandboxes][name] = std::move(entry);
  if (doc_[kDefault].is_null()) doc_[kDefault] = name;
  return Status::Ok();
}

Status Registry::Update(const std::string& name, const FieldList& fields) {
  Status s = ValidateName(name);
  if (!s.ok()) return s;
  if (!Contains(name)) return Status::Refused("unknown sandbox '" + name + "'");
  Json entry = doc_[kSandboxes][name];
  s = ApplyFields(entry, fields, /*allow_name=*/false);
  if (!s.ok()) return s;
  doc_[kSandboxes][name] = std::move(entry);
  return Status::Ok();
}

Status Registry::Remove(const std::string& name) {
  Status s = ValidateName(name);
  if (!s.ok()) return s;
  if (!Contains(name)) return Status::Refused("unknown sandbox '" + name + "'");
  doc_[kSandboxes].erase(name);
  if (doc_[kDefault] == name) {
    const Json& rest = doc_[kSandboxes];
    doc_[kDefault] = rest.empty() ? Json(nullptr) : Json(rest.begin().key());
  }
  return Status::Ok();
}

Status Registry::SetDefault(const std::string& name) {
  Status s = ValidateName(name);
  if (!s.ok()) return s;
  if (!Contains(name)) return Status::Refused("unknown sandbox '" + name + "'");
  doc_[kDefault] = name;
  return Status::Ok();
}

StatusOr<Json> Registry::Get(const std::string& name) const {
  Status s = ValidateName(name);
  if (!s.ok()) return s;
  if (!Contains(name)) return Status::Refused("unknown sandbox '" + name + "'");
  return doc_[kSandboxes][name];
}

std::string IsoTimeNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace lockharness::protocol
