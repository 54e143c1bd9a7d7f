#include "lockharness/protocol/fault_points.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#ifdef LOCKHARNESS_FAULT_POINTS
#include <fiu-control.h>
#include <fiu.h>
#endif

#include "lockharness/errno_names.h"

namespace lockharness::protocol {
namespace {

bool IsKnownPoint(std::string_view name) {
  for (const auto& p : AllFaultPoints()) {
    if (p == name) return true;
  }
  return false;
}

struct ParsedItem {
  std::string name;
  int failnum;
  int err;
  bool once;
};

}  // namespace

const std::vector<std::string>& AllFaultPoints() {
  static const std::vector<std::string> kPoints = {
      fault_point::kAfterMkdir,      fault_point::kAfterOwnerPublish, fault_point::kBeforeBreak,
      fault_point::kBeforeTempWrite, fault_point::kAfterTempWrite,    fault_point::kBeforeFsync,
      fault_point::kAfterFsync,      fault_point::kBeforeRename,      fault_point::kAfterRename,
      fault_point::kBeforeDirFsync,  fault_point::kBeforeRelease,
  };
  return kPoints;
}

#ifdef LOCKHARNESS_FAULT_POINTS

bool FaultPointsCompiledIn() { return true; }

Status FaultPoint(const char* name, const std::string& path) {
  int failnum = fiu_fail(name);
  if (failnum == 0) return Status::Ok();
  if (failnum == kFaultCrash) {
    ::kill(::getpid(), SIGKILL);
    ::_exit(137);  // not reached
  }
  int err = static_cast<int>(reinterpret_cast<intptr_t>(fiu_failinfo()));
  if (err <= 0) err = EIO;
  return Status::IoError(name, path, err, /*injected=*/true);
}

Status ApplyFaultSpec(std::string_view spec) {
  std::vector<ParsedItem> items;
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("fault spec item '" + std::string(item) + "': expected NAME=ERRNO|crash");
    }
    ParsedItem parsed{std::string(item.substr(0, eq)), kFaultFail, 0, false};
    std::string_view action = item.substr(eq + 1);
    if (action.size() > 5 && action.substr(action.size() - 5) == ":once") {
      parsed.once = true;
      action.remove_suffix(5);
    }
    if (!IsKnownPoint(parsed.name)) {
      return Status::InvalidArgument("fault spec item '" + std::string(item) + "': unknown fault point '" +
                                     parsed.name + "'");
    }
    if (action == "crash") {
      parsed.failnum = kFaultCrash;
    } else if (!ParseErrnoName(action, &parsed.err)) {
      return Status::InvalidArgument("fault spec item '" + std::string(item) + "': unknown errno '" +
                                     std::string(action) + "'");
    }
    items.push_back(std::move(parsed));
  }
  fiu_init(0);
  for (const auto& it : items) {
    fiu_enable(it.name.c_str(), it.failnum, reinterpret_cast<void*>(static_cast<intptr_t>(it.err)),
               it.once ? FIU_ONETIME : 0);
  }
  return Status::Ok();
}

#else

bool FaultPointsCompiledIn() { return false; }
Status FaultPoint(const char*, const std::string&) { return Status::Ok(); }
Status ApplyFaultSpec(std::string_view spec) {
  if (spec.empty()) return Status::Ok();
  return Status::InvalidArgument("fault points are not compiled in (LOCKHARNESS_FAULT_POINTS=OFF)");
}

#endif

}  // namespace lockharness::protocol
