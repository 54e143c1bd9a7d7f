// commands.h: lockreg's operations and its exit codes.
//
// RunCommand executes one operation ("register", "update", "remove",
// "set-default", "get", "list") against a RegistryStore, prints read results
// as JSON on `out`, and returns the Status; ExitCodeFor maps it to the
// documented exit code.

#ifndef LOCKHARNESS_LOCKREG_COMMANDS_H_
#define LOCKHARNESS_LOCKREG_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "lockharness/protocol/registry_store.h"
#include "lockharness/protocol/status.h"

namespace lockharness::lockreg {

enum ExitCode {
  kExitOk = 0,
  kExitRefused = 1,
  kExitUsage = 2,
  kExitLockTimeout = 3,
  kExitIoError = 4,
  kExitCorrupt = 5,
  kExitLockLost = 6,
};

int ExitCodeFor(const protocol::Status& status);

// A parsed request: the operation, its sandbox name and KEY=VALUE fields.
struct Request {
  std::string op;
  std::string name;
  protocol::FieldList fields;
};

// Parses "OP [NAME] [KEY=VALUE...]". InvalidArgument for unknown operations,
// missing or extra arguments, bad names and malformed fields.
protocol::StatusOr<Request> ParseRequest(const std::vector<std::string>& args);

// Runs a parsed request. Reads print JSON (2-space indented) to `out`.
protocol::Status RunRequest(protocol::RegistryStore& store, const Request& request, std::ostream& out,
                            protocol::LockSpan* span = nullptr);

}  // namespace lockharness::lockreg

#endif  // LOCKHARNESS_LOCKREG_COMMANDS_H_
