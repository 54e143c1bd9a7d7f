#include "worker.h"

#include <cstdlib>
#include <sstream>
#include <string>

#include "commands.h"

namespace lockharness::lockreg {
namespace {

using protocol::Json;
using protocol::Status;

// Builds the request argument list from a JSON line, so worker mode and
// per-operation mode share one parser.
protocol::StatusOr<Request> RequestFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("op") || !j["op"].is_string()) {
    return Status::InvalidArgument("request has no \"op\" string");
  }
  std::vector<std::string> args = {j["op"].get<std::string>()};
  if (j.contains("name")) {
    if (!j["name"].is_string()) return Status::InvalidArgument("\"name\" is not a string");
    args.push_back(j["name"].get<std::string>());
  }
  if (j.contains("fields")) {
    if (!j["fields"].is_object()) return Status::InvalidArgument("\"fields\" is not an object");
    for (const auto& [key, value] : j["fields"].items()) {
      if (!value.is_string()) return Status::InvalidArgument("field '" + key + "' is not a string");
      args.push_back(key + "=" + value.get<std::string>());
    }
  }
  return ParseRequest(args);
}

nlohmann::json Answer(const nlohmann::json& id, const Request* req, const Status& s, const std::string& output,
                      const protocol::LockSpan& span) {
  nlohmann::json a = {{"id", id}, {"ok", s.ok()}};
  if (s.ok()) {
    if (req != nullptr && (req->op == "get" || req->op == "list")) a["value"] = nlohmann::json::parse(output);
    // LOCKHARNESS_NO_SPANS (tests): be judged from observation alone.
    if (span.acquired_ns != 0 && std::getenv("LOCKHARNESS_NO_SPANS") == nullptr) {
      a["lock_acquired_ns"] = span.acquired_ns;
      a["lock_released_ns"] = span.released_ns;
    }
    return a;
  }
  a["error"] = s.ToString();
  // These changed nothing for certain: a refusal, a bad request, a lock we
  // never got, a corrupt file we refused to touch. An I/O error or a lost
  // lock may have come after the rename, so their outcome is unknown.
  switch (s.code()) {
    case protocol::Code::kRefused:
    case protocol::Code::kInvalidArgument:
    case protocol::Code::kLockTimeout:
    case protocol::Code::kCorrupt: break;
    default: a["unknown"] = true;
  }
  return a;
}

}  // namespace

int RunWorker(protocol::RegistryStore& store, std::istream& in, std::ostream& out) {
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    nlohmann::json id = request.is_object() && request.contains("id") ? request["id"] : nlohmann::json(nullptr);
    auto req = RequestFromJson(request);
    protocol::LockSpan span;
    std::ostringstream output;
    Status s = req.ok() ? RunRequest(store, *req, output, &span) : req.status();
    out << Answer(id, req.ok() ? &*req : nullptr, s, output.str(), span).dump() << "\n" << std::flush;
  }
  return kExitOk;
}

}  // namespace lockharness::lockreg
