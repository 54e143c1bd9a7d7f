#include "lockharness/protocol/status.h"

#include <cstring>

namespace lockharness::protocol {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kRefused: return "refused";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kLockTimeout: return "lock timeout";
    case Code::kIoError: return "io error";
    case Code::kCorrupt: return "corrupt registry";
    case Code::kLockLost: return "lock lost";
  }
  return "unknown";
}

Status Status::Refused(std::string message) { return Status(Code::kRefused, "", "", 0, std::move(message), false); }
Status Status::InvalidArgument(std::string message) {
  return Status(Code::kInvalidArgument, "", "", 0, std::move(message), false);
}
Status Status::LockTimeout(std::string path, std::string message) {
  return Status(Code::kLockTimeout, "lock", std::move(path), 0, std::move(message), false);
}
Status Status::IoError(std::string step, std::string path, int err, bool injected) {
  return Status(Code::kIoError, std::move(step), std::move(path), err, std::strerror(err), injected);
}
Status Status::Corrupt(std::string path, std::string message) {
  return Status(Code::kCorrupt, "load", std::move(path), 0, std::move(message), false);
}
Status Status::LockLost(std::string path, std::string message) {
  return Status(Code::kLockLost, "lock", std::move(path), 0, std::move(message), false);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = CodeName(code_);
  out += ": ";
  if (!step_.empty()) {
    out += step_;
    if (!path_.empty()) out += "(" + path_ + ")";
    out += ": ";
  } else if (!path_.empty()) {
    out += path_ + ": ";
  }
  out += message_;
  if (injected_) out += " [injected]";
  return out;
}

}  // namespace lockharness::protocol
