#include "lockharness/bench/registry_cycle.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <nlohmann/json.hpp>

namespace lockharness::bench {
namespace {

using Json = nlohmann::ordered_json;
constexpr char kCounterEntry[] = "bench-counter";

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("open", path, errno);
  std::string bytes;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::IoError("read", path, err);
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

StatusOr<Json> LoadRegistry(const std::string& path) {
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  Json doc = Json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Corrupt(path, "not JSON");
  const Json* sandboxes = doc.contains("sandboxes") ? &doc["sandboxes"] : nullptr;
  if (sandboxes == nullptr || !sandboxes->is_object() || !sandboxes->contains(kCounterEntry) ||
      !(*sandboxes)[kCounterEntry].contains("ops") ||
      !(*sandboxes)[kCounterEntry]["ops"].is_number_integer()) {
    return Status::Corrupt(path, "no integer sandboxes[\"bench-counter\"][\"ops\"]");
  }
  return doc;
}

}  // namespace

Status SeedRegistryFile(const std::string& path, int sandboxes) {
  Json doc;
  doc["sandboxes"] = Json::object();
  for (int i = 0; i < sandboxes; ++i) {
    std::string name = "sandbox-" + std::to_string(i);
    doc["sandboxes"][name] = {{"name", name},
                              {"createdAt", "2026-11-28T12:00:00.000Z"},
                              {"model", "nvidia/nemotron-3-super-120b-a12b"},
                              {"nimContainer", nullptr},
                              {"provider", "nvidia-nim"},
                              {"gpuEnabled", false},
                              {"policies", Json::array({"pypi", "npm"})}};
  }
  doc["sandboxes"][kCounterEntry] = {{"name", kCounterEntry}, {"ops", 0}};
  doc["defaultSandbox"] = sandboxes > 0 ? Json("sandbox-0") : Json(nullptr);
  return WriteWithMethod(WriteMethod::kTempRename, path, doc.dump(2) + "\n");
}

Status BumpCounter(const std::string& path, WriteMethod method) {
  auto doc = LoadRegistry(path);
  if (!doc.ok()) return doc.status();
  Json& ops = (*doc)["sandboxes"][kCounterEntry]["ops"];
  ops = ops.get<int64_t>() + 1;
  return WriteWithMethod(method, path, doc->dump(2) + "\n");
}

StatusOr<int64_t> ReadCounter(const std::string& path) {
  auto doc = LoadRegistry(path);
  if (!doc.ok()) return doc.status();
  return (*doc)["sandboxes"][kCounterEntry]["ops"].get<int64_t>();
}

}  // namespace lockharness::bench
