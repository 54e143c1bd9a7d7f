#include "lockharness/protocol/owner_record.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace lockharness::protocol {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out, int base = 10) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string FormatOwnerPid(pid_t pid) { return std::to_string(pid); }

std::optional<pid_t> ParseOwnerPid(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 10) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t value = 0;
  if (!ParseNumber(text, &value) || value <= 0 || value > INT32_MAX) return std::nullopt;
  return static_cast<pid_t>(value);
}

std::string FormatIdentity(const OwnerIdentity& id) {
  char token[17];
  std::snprintf(token, sizeof token, "%016" PRIx64, id.token);
  return "pid=" + std::to_string(id.process.pid) + "\nboot_id=" + id.process.boot_id +
         "\nstart_ticks=" + std::to_string(id.process.start_ticks) + "\ntoken=" + token + "\n" +
         (id.process.pid_ns != 0 ? "pid_ns=" + std::to_string(id.process.pid_ns) + "\n" : "") +
         (!id.process.host.empty() ? "host=" + id.process.host + "\n" : "");
}

std::optional<OwnerIdentity> ParseIdentity(std::string_view text) {
  if (text.size() > kMaxIdentityBytes) return std::nullopt;  // garbage, not a record
  OwnerIdentity id;
  bool have_pid = false, have_boot = false, have_ticks = false, have_token = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "pid") {
      int64_t pid = 0;
      if (!ParseNumber(value, &pid) || pid <= 0 || pid > INT32_MAX) return std::nullopt;
      id.process.pid = static_cast<pid_t>(pid);
      have_pid = true;
    } else if (key == "boot_id") {
      if (value.empty()) return std::nullopt;
      id.process.boot_id = std::string(value);
      have_boot = true;
    } else if (key == "start_ticks") {
      have_ticks = ParseNumber(value, &id.process.start_ticks);
      if (!have_ticks) return std::nullopt;
    } else if (key == "token") {
      have_token = ParseNumber(value, &id.token, 16);
      if (!have_token) return std::nullopt;
    } else if (key == "pid_ns") {
      if (!ParseNumber(value, &id.process.pid_ns)) return std::nullopt;
    } else if (key == "host") {
      id.process.host = std::string(value);
    }  // unknown keys are allowed: the format may grow
  }
  if (!(have_pid && have_boot && have_ticks && have_token)) return std::nullopt;
  return id;
}

const char* OwnerStateName(OwnerState s) {
  switch (s) {
    case OwnerState::kAlive: return "alive";
    case OwnerState::kAliveUnverifiable: return "alive (identity unverifiable)";
    case OwnerState::kDead: return "dead";
    case OwnerState::kRecycled: return "recycled PID or earlier boot";
    case OwnerState::kNoRecord: return "no valid owner record";
    case OwnerState::kOtherPidNamespace: return "in a PID namespace not visible from here";
    case OwnerState::kOtherHost: return "on another host";
  }
  return "?";
}

bool NeedsLease(OwnerState s) { return s == OwnerState::kOtherPidNamespace || s == OwnerState::kOtherHost; }

OwnerState ClassifyOwner(Env* env, const std::optional<std::string>& owner_bytes,
                         const std::optional<std::string>& identity_bytes, pid_t* pid_out, bool pids_are_global) {
  *pid_out = 0;
  if (!owner_bytes) return OwnerState::kNoRecord;
  std::optional<pid_t> pid = ParseOwnerPid(*owner_bytes);
  if (!pid) return OwnerState::kNoRecord;
  *pid_out = *pid;

  std::optional<OwnerIdentity> identity;
  if (identity_bytes) identity = ParseIdentity(*identity_bytes);
  // An identity that names another PID is not about this owner: ignore it.
  if (identity && identity->process.pid != *pid) identity.reset();

  if (identity && !pids_are_global) {
    // P10: a PID is evidence only in the PID namespace of the kernel that
    // gave it. Records without these fields (older writers) are judged as
    // before, as if written in our namespace.
    std::optional<ProcessIdentity> self = env->IdentityOf(env->SelfPid());
    if (self && identity->process.boot_id != self->boot_id) {
      // Another kernel: an earlier boot of this host (stale) or another host.
      const std::string& theirs = identity->process.host;
      if (!theirs.empty() && !self->host.empty() && theirs != self->host) return OwnerState::kOtherHost;
      return OwnerState::kRecycled;
    }
    if (self && identity->process.pid_ns != 0 && self->pid_ns != 0 && identity->process.pid_ns != self->pid_ns) {
      PidNamespaceLookup found = env->LookUpInPidNamespace(identity->process.pid_ns, *pid);
      switch (found.result) {
        case PidNamespaceLookup::Result::kFound:
          return found.process.start_ticks == identity->process.start_ticks ? OwnerState::kAlive
                                                                            : OwnerState::kRecycled;
        case PidNamespaceLookup::Result::kNotRunning: return OwnerState::kDead;
        case PidNamespaceLookup::Result::kInvisible: return OwnerState::kOtherPidNamespace;
      }
    }
  }

  if (identity) {
    std::optional<ProcessIdentity> now = env->IdentityOf(*pid);
    if (now && now->boot_id != identity->process.boot_id) return OwnerState::kRecycled;
    if (now) return now->start_ticks == identity->process.start_ticks ? OwnerState::kAlive : OwnerState::kRecycled;
    // /proc could not tell: fall back to kill(pid, 0).
  }
  if (env->ProbeProcess(*pid) == Liveness::kDead) return OwnerState::kDead;
  if (identity) {
    // The process runs but /proc did not show it (hidepid, other namespace):
    // a record from another boot is stale whatever runs under that PID now.
    std::optional<ProcessIdentity> self = env->IdentityOf(env->SelfPid());
    if (self && self->boot_id != identity->process.boot_id) return OwnerState::kRecycled;
  }
  return OwnerState::kAliveUnverifiable;
}

}  // namespace lockharness::protocol
