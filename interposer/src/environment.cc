#include "lockharness/interposer/environment.h"

#include <memory>

#include "lockharness/interposer/fault_spec.h"
#include "lockharness/interposer/path_class.h"

#ifndef LOCKHARNESS_INTERPOSE_LIBRARY
#error "LOCKHARNESS_INTERPOSE_LIBRARY must be defined by the build"
#endif

namespace lockharness::interposer {
namespace {

void SetError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

}  // namespace

std::string InterposeLibraryPath() { return LOCKHARNESS_INTERPOSE_LIBRARY; }

std::optional<std::vector<std::string>> InterposerEnvironment(
    const InterposerSettings& settings, std::string* error) {
  if (settings.library.empty()) {
    SetError(error, "no interposer library given");
    return std::nullopt;
  }
  // The same checks the library's constructor makes, done here first.
  RegistryPaths registry;
  if (!settings.registry.empty() && !registry.Init(settings.registry.c_str())) {
    SetError(error, std::string(kRegistryVariable) +
                        " must be an absolute path to a file: '" +
                        settings.registry + "'");
    return std::nullopt;
  }
  if (!settings.lock_path.empty() &&
      (settings.registry.empty() ||
       !registry.SetLockPath(settings.lock_path.c_str()))) {
    SetError(error, std::string(kLockPathVariable) +
                        " must be an absolute path in the directory of " +
                        kRegistryVariable + ": '" + settings.lock_path + "'");
    return std::nullopt;
  }
  auto faults = std::make_unique<FaultList>();  // ~5 KiB: keep off the stack
  ParseError parse_error;
  if (!ParseFaultList(settings.faults.c_str(), faults.get(), &parse_error)) {
    SetError(error, parse_error.message);
    return std::nullopt;
  }
  if (faults->count > 0 && settings.registry.empty()) {
    SetError(error,
             std::string(kFaultsVariable) + " needs " + kRegistryVariable);
    return std::nullopt;
  }
  std::vector<std::string> env = {"LD_PRELOAD=" + settings.library};
  auto add = [&env](const char* key, const std::string& value) {
    if (!value.empty()) env.push_back(std::string(key) + "=" + value);
  };
  add(kRegistryVariable, settings.registry);
  add(kFaultsVariable, settings.faults);
  add(kTraceVariable, settings.trace);
  add(kFifoVariable, settings.fifo_base);
  add(kLockPathVariable, settings.lock_path);
  return env;
}

}  // namespace lockharness::interposer
