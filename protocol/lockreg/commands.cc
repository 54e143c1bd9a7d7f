#include "commands.h"

namespace lockharness::lockreg {

using protocol::Code;
using protocol::Registry;
using protocol::Status;
using protocol::StatusOr;

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return kExitOk;
    case Code::kRefused: return kExitRefused;
    case Code::kInvalidArgument: return kExitUsage;
    case Code::kLockTimeout: return kExitLockTimeout;
    case Code::kIoError: return kExitIoError;
    case Code::kCorrupt: return kExitCorrupt;
    case Code::kLockLost: return kExitLockLost;
  }
  return kExitIoError;
}

StatusOr<Request> ParseRequest(const std::vector<std::string>& args) {
  if (args.empty()) return Status::InvalidArgument("missing operation");
  Request req;
  req.op = args[0];
  const bool takes_name = req.op != "list";
  const bool takes_fields = req.op == "register" || req.op == "update";
  if (req.op != "register" && req.op != "update" && req.op != "remove" && req.op != "set-default" && req.op != "get" &&
      req.op != "list") {
    return Status::InvalidArgument("unknown operation '" + req.op + "'");
  }
  size_t next = 1;
  if (takes_name) {
    if (args.size() < 2) return Status::InvalidArgument(req.op + " needs a sandbox name");
    req.name = args[1];
    Status s = protocol::ValidateName(req.name);
    if (!s.ok()) return s;
    next = 2;
  }
  if (!takes_fields && args.size() > next) {
    return Status::InvalidArgument(req.op + " takes no further arguments, got '" + args[next] + "'");
  }
  for (size_t i = next; i < args.size(); ++i) {
    auto field = protocol::ParseField(args[i]);
    if (!field.ok()) return field.status();
    req.fields.push_back(std::move(field).value());
  }
  if (req.op == "update" && req.fields.empty()) return Status::InvalidArgument("update needs KEY=VALUE fields");
  return req;
}

Status RunRequest(protocol::RegistryStore& store, const Request& req, std::ostream& out, protocol::LockSpan* span) {
  if (req.op == "get" || req.op == "list") {
    auto registry = store.Read();
    if (!registry.ok()) return registry.status();
    if (req.op == "list") {
      out << registry->document().dump(2) << "\n";
      return Status::Ok();
    }
    auto entry = registry->Get(req.name);
    if (!entry.ok()) return entry.status();
    out << entry->dump(2) << "\n";
    return Status::Ok();
  }
  return store.Mutate(
      [&](Registry& r) -> Status {
        if (req.op == "register") return r.Register(req.name, req.fields, protocol::IsoTimeNow());
        if (req.op == "update") return r.Update(req.name, req.fields);
        if (req.op == "remove") return r.Remove(req.name);
        return r.SetDefault(req.name);
      },
      span);
}

}  // namespace lockharness::lockreg
